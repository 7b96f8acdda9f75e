"""`?watch=unwatched` by month: the counters' months (all videos, each user's watched) stay what the archive holds
through every write of videos and watched state, a recount sets them again, and every page they find is the page
the share-based read (the way before months) and the archive itself give."""

import pytest

from functions.services.archive import video_filters
from functions.services.auth import users
from functions.services.importer.states import import_states
from functions.storage import counters, db
from functions.storage.index_keys import WATCHED
from functions.storage.models import Counter, UserVideo, Video, watch_state_key
from tests.api.calls import send
from tests.factories import channel_id, make_channel, make_video, video_id

# Uneven months: several videos a day in some, none in others, 2019 to 2021.
DATES = [f"20{19 + n % 3}-{1 + (n * 5 + n // 7) % 12:02d}-{1 + (n * 5) % 3:02d}" for n in range(90)]


def mark(client, user, item_id: str, watched: bool = True):
    response = send(client, "POST", "/api/watched/", user, body={"id": item_id, "is_watched": watched})
    assert response.status_code == 200, response.json_body


@pytest.fixture
def states(client, admin, other, aws):
    """An archive and two users' states of it, each written by a different path."""
    make_channel(1)
    make_channel(2)
    for n, published in enumerate(DATES, start=1):
        make_video(n, channel=2 if n % 4 == 0 else 1, published=published)
    for n in (3, 5, 8, 13, 21, 34, 55, 89, 40, 41, 42):
        mark(client, admin, video_id(n))
    mark(client, admin, video_id(5), watched=False)
    mark(client, admin, channel_id(2))  # a channel at once: every fourth video
    mark(client, admin, video_id(12), watched=False)
    played = send(client, "POST", f"/api/video/{video_id(7)}/progress/", admin, body={"position": 299})
    assert played.status_code == 200  # past the threshold: watched
    for n in (8, 16, 30):  # deleted: two watched, one not
        assert send(client, "DELETE", f"/api/video/{video_id(n)}/", admin).status_code == 200
    for n in range(91, 96):  # added after the marks
        make_video(n, published=f"2020-{n - 85:02d}-15")
    import_states(int(other.user_id), [{"youtube_id": video_id(n), "watched": n % 3 == 0} for n in range(1, 60, 2)])
    return [admin, other]


def archive_less_watched(user_id: int, ascending: bool) -> list[str]:
    keys = sorted((video.published_key, video.youtube_id) for video in Video.scan())
    watched = {state.youtube_id for state in UserVideo.query(user_id) if state.watched}
    ordered = [youtube_id for _, youtube_id in (keys if ascending else reversed(keys))]
    return [youtube_id for youtube_id in ordered if youtube_id not in watched]


def stored_months(name: str) -> dict[str, int]:
    (found,) = db.batch_get((Counter, [name]))
    return {month: n for month, n in found[name].months.items() if n} if name in found else {}


def test_the_months_are_what_a_recount_finds(states):
    names = [counters.VIDEOS, *(counters.watched_by(int(user.user_id)) for user in states)]
    kept = {name: stored_months(name) for name in names}
    assert sum(kept[counters.VIDEOS].values()) == 95 - 3 and len(kept[counters.VIDEOS]) > 20
    assert all(kept.values())
    census = counters.Census()
    assert {name: census.months(name) for name in names} == kept
    Counter(counters.VIDEOS).update(actions=[Counter.month_count("2020-03").add(5)])  # drifted
    counters.recount_all()  # `infra.cli recount`
    assert {name: stored_months(name) for name in names} == kept


def test_a_video_deleted_takes_its_month_off_every_counter(client, admin, states):
    watched_name = counters.watched_by(int(admin.user_id))
    before = stored_months(counters.VIDEOS), stored_months(watched_name)
    video = Video.get(video_id(4))  # on channel 2: watched
    month = video.published_key[: counters.MONTH_KEY]
    assert send(client, "DELETE", f"/api/video/{video_id(4)}/", admin).status_code == 200
    after = stored_months(counters.VIDEOS), stored_months(watched_name)
    assert [kept.get(month, 0) for kept in after] == [kept[month] - 1 for kept in before]


@pytest.mark.parametrize("size", [4, 12])
def test_every_page_is_the_archive_less_the_watched(client, states, size):
    for user in states:
        users.get_user(user.username).update(actions=[users.User.page_size.set(size)])
        user_id = int(user.user_id)
        (found,) = db.batch_get((Counter, [counters.VIDEOS, counters.watched_by(user_id)]))
        everything = int(found[counters.VIDEOS].count)
        watched = int(found[counters.watched_by(user_id)].count)
        assert all(sum(counter.months.values()) == counter.count for counter in found.values())  # read by month
        for order in ("desc", "asc"):
            expected = archive_less_watched(user_id, order == "asc")
            pages = -(-len(expected) // size)
            for page in range(1, pages + 2):
                response = send(client, "GET", f"/api/video/?watch=unwatched&order={order}&page={page}", user)
                assert response.status_code == 200, response.json_body
                shown = [video["youtube_id"] for video in response.json_body["data"]]
                offset = (page - 1) * size
                assert shown == expected[offset : offset + size], (user.username, order, page)
                assert response.json_body["paginate"]["total_hits"] == len(expected)
                if page <= pages:  # the read before months gives the same page
                    hash_key = watch_state_key(user_id, WATCHED)
                    before = video_filters.unwatched_keys(
                        hash_key, offset + size, size, everything, watched, order == "asc"
                    )
                    assert [key.youtube_id for key in before[offset : offset + size]] == shown
