"""v0.5's `watch` filter of /api/video/ (watched, unwatched, continue): each user's own state, paged from the
UserVideo.by_watch_state index that every write of watched state keeps, in a fixed number of DynamoDB calls."""

import json
from datetime import date, timedelta

import pytest

from functions.services.auth import users
from functions.storage import counters, db
from functions.storage.counters import in_progress_by, watched_by
from functions.storage.models import Counter, UserVideo
from tests.api.calls import record_dynamodb, send
from tests.factories import channel_id, make_channel, make_video, video_id


@pytest.fixture
def archive(aws):
    make_channel(1)
    make_channel(2)
    for n in range(1, 16):  # published 2024-01-02 .. 2024-01-16, 300 s each
        make_video(n, channel=1 if n % 3 else 2)


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json_body
    return [video["youtube_id"] for video in response.json_body["data"]]


def vids(*numbers) -> list[str]:
    return [video_id(n) for n in numbers]


def watch(client, user, value: str, extra: str = ""):
    return send(client, "GET", f"/api/video/?watch={value}{extra}", user)


def mark(client, user, n: int, watched: bool = True):
    response = send(client, "POST", "/api/watched/", user, body={"id": video_id(n), "is_watched": watched})
    assert response.status_code == 200, response.json_body


def play(client, user, n: int, position: float):
    response = send(client, "POST", f"/api/video/{video_id(n)}/progress/", user, body={"position": position})
    assert response.status_code == 200, response.json_body


def test_watched_is_the_users_own(client, admin, other, archive):
    for n in (2, 9, 5):
        mark(client, admin, n)
    response = watch(client, admin, "watched")
    assert ids(response) == vids(9, 5, 2) and response.json_body["paginate"]["total_hits"] == 3
    assert all(video["player"]["watched"] for video in response.json_body["data"])
    assert ids(watch(client, admin, "watched", "&order=asc")) == vids(2, 5, 9)
    assert ids(watch(client, other, "watched")) == []
    mark(client, admin, 5, watched=False)
    assert ids(watch(client, admin, "watched")) == vids(9, 2)


def test_continue_holds_unfinished_videos(client, admin, other, archive):
    play(client, admin, 3, 100)
    play(client, admin, 7, 50)
    response = watch(client, admin, "continue")
    assert ids(response) == vids(7, 3) and response.json_body["paginate"]["total_hits"] == 2
    assert ids(watch(client, other, "continue")) == []
    play(client, admin, 7, 290)  # past the threshold: watched, off the continue list
    assert ids(watch(client, admin, "continue")) == vids(3)
    assert ids(watch(client, admin, "watched")) == vids(7)
    play(client, admin, 7, 10)  # a watched video played again stays watched
    assert ids(watch(client, admin, "continue")) == vids(3) and ids(watch(client, admin, "watched")) == vids(7)
    assert send(client, "DELETE", f"/api/video/{video_id(3)}/progress/", admin).status_code == 204
    assert ids(watch(client, admin, "continue")) == []
    play(client, admin, 4, 0)  # a position of 0 is no progress
    assert ids(watch(client, admin, "continue")) == []


def test_marking_unwatched_keeps_a_position_on_the_continue_list(client, admin, archive):
    play(client, admin, 6, 120)
    mark(client, admin, 6)
    assert ids(watch(client, admin, "continue")) == [] and ids(watch(client, admin, "watched")) == vids(6)
    mark(client, admin, 6, watched=False)
    assert ids(watch(client, admin, "continue")) == vids(6) and ids(watch(client, admin, "watched")) == []


def test_unwatched_is_the_archive_less_the_watched(client, admin, other, archive):
    for n in (15, 13, 2):
        mark(client, admin, n)
    first = watch(client, admin, "unwatched")
    assert ids(first) == vids(14, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 1)
    assert first.json_body["paginate"]["total_hits"] == 12
    assert ids(watch(client, admin, "unwatched", "&order=asc")) == vids(1, *range(3, 13), 14)
    assert ids(watch(client, other, "unwatched")) == vids(*range(15, 3, -1))
    second = watch(client, other, "unwatched", "&page=2")
    assert ids(second) == vids(3, 2, 1) and second.json_body["paginate"]["total_hits"] == 15
    assert ids(watch(client, admin, "unwatched", "&page=3")) == []  # past the end: empty, as the list is


def test_a_second_page_of_unwatched_skips_the_watched_before_it(client, admin, archive):
    for n in (14, 12, 10, 1):
        mark(client, admin, n)
    assert ids(watch(client, admin, "unwatched")) == vids(15, 13, 11, *range(9, 1, -1))
    users.get_user("admin").update(actions=[users.User.page_size.set(4)])
    pages = [ids(watch(client, admin, "unwatched", f"&page={n}")) for n in (1, 2, 3)]
    assert pages == [vids(15, 13, 11, 9), vids(8, 7, 6, 5), vids(4, 3, 2)]
    assert ids(watch(client, admin, "unwatched", "&page=2&order=asc")) == vids(6, 7, 8, 9)


def test_a_deleted_video_leaves_the_lists(client, admin, archive):
    mark(client, admin, 4)
    play(client, admin, 8, 30)
    for n in (4, 8):
        assert send(client, "DELETE", f"/api/video/{video_id(n)}/", admin).status_code == 200
    assert ids(watch(client, admin, "watched")) == [] and ids(watch(client, admin, "continue")) == []
    assert watch(client, admin, "unwatched").json_body["paginate"]["total_hits"] == 13


def test_a_removed_user_leaves_no_state(client, admin, other, archive):
    mark(client, other, 4)
    play(client, other, 8, 30)
    users.remove_user("other")
    assert list(UserVideo.query(int(other.user_id))) == []
    assert list(UserVideo.by_watch_state.query(f"{other.user_id}#watched")) == []
    (found,) = db.batch_get((Counter, [watched_by(int(other.user_id))]))
    assert found == {}


@pytest.mark.parametrize(
    "query",
    ["watch=seen", "watch=", f"watch=watched&channel={channel_id(1)}", "watch=unwatched&type=videos"],
)
def test_bad_or_uncombinable_watch_is_400(client, admin, archive, query):
    response = send(client, "GET", f"/api/video/?{query}", admin)
    assert response.status_code == 400 and "error" in response.json_body


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("watched", ["BatchGetItem", "Query", "BatchGetItem"]),
        ("continue", ["BatchGetItem", "Query", "BatchGetItem"]),  # its total from the in-progress counter
        ("unwatched", ["BatchGetItem", "Query", "Query", "BatchGetItem"]),  # the videos, then the watched in range
    ],
)
def test_each_watch_value_costs_a_fixed_number_of_calls(client, admin, archive, monkeypatch, value, expected):
    for n in (3, 9):
        mark(client, admin, n)
    play(client, admin, 5, 30)
    send(client, "GET", "/api/ping/", admin)  # the token records its day of use once a day, not in this count
    calls = record_dynamodb(monkeypatch)
    assert watch(client, admin, value).status_code == 200
    operations = [operation for operation, _ in calls if operation != "GetItem"]  # the token's key
    assert operations == expected, operations
    assert all("IndexName" in kwargs for operation, kwargs in calls if operation == "Query")
    assert "Scan" not in json.dumps([operation for operation, _ in calls])


def queries(calls, index: str) -> list[dict]:
    return [kwargs for operation, kwargs in calls if operation == "Query" and kwargs["IndexName"] == index]


def long_archive(client, user, videos: int, watched: range) -> None:
    """Videos 1.. published a day apart, in that order, those of `watched` on channel 2 and marked watched (the
    channel at once), the others on channel 1."""
    make_channel(1)
    make_channel(2)
    for n in range(1, videos + 1):
        make_video(n, channel=2 if n in watched else 1, published=(date(2020, 1, 1) + timedelta(days=n)).isoformat())
    response = send(client, "POST", "/api/watched/", user, body={"id": channel_id(2), "is_watched": True})
    assert response.status_code == 200, response.json_body
    send(client, "GET", "/api/ping/", user)  # the token records its day of use once a day, not in the count


def forget_months(*names: str) -> None:
    """Counters as a version before their months kept them."""
    for name in names:
        (found,) = db.batch_get((Counter, [name]))
        Counter(name).update(actions=[Counter.month_count(month).remove() for month in found[name].months])


def test_unwatched_reads_the_months_of_its_page_however_deep(client, admin, monkeypatch):
    long_archive(client, admin, 400, range(195, 260))  # a day apart from 2020-01-02: July 2020 is 182 .. 212
    users.get_user("admin").update(actions=[users.User.page_size.set(10)])
    calls = record_dynamodb(monkeypatch)
    response = watch(client, admin, "unwatched", "&page=16")  # 150 unwatched before it: 400 .. 260, 194 .. 186
    assert ids(response) == vids(*range(400, 259, -1), *range(194, 0, -1))[150:160] == vids(*range(185, 175, -1))
    assert response.json_body["paginate"]["total_hits"] == 400 - 65
    operations = [operation for operation, _ in calls if operation != "GetItem"]
    assert operations == ["BatchGetItem", "Query", "Query", "BatchGetItem"], operations
    (videos,) = queries(calls, "by_published")
    assert "BETWEEN" in videos["KeyConditionExpression"]
    # from the end of July (the page's first month), not from the newest video: the 9 unwatched of July before
    # the page, the page, and July's 18 watched (June has none), below the 31 + 30 videos July and June hold
    assert videos["Limit"] == 9 + 10 + 18
    (watched_read,) = queries(calls, "by_watch_state")
    assert "BETWEEN" in watched_read["KeyConditionExpression"]


def test_unwatched_of_counters_without_months_reads_by_the_users_share(client, admin, monkeypatch):
    long_archive(client, admin, 200, range(1, 51))  # the 50 oldest watched: none before the newest page
    forget_months(counters.VIDEOS, watched_by(int(admin.user_id)))
    calls = record_dynamodb(monkeypatch)
    response = watch(client, admin, "unwatched")
    assert ids(response) == vids(*range(200, 188, -1)) and response.json_body["paginate"]["total_hits"] == 150
    operations = [operation for operation, _ in calls if operation != "GetItem"]
    assert operations == ["BatchGetItem", "Query", "Query", "BatchGetItem"], operations
    # the page's 12, the 4 the user's share (1 in 4 watched) predicts before it and 1 more, 2 pages: not 12 + 50
    assert [kwargs["Limit"] for kwargs in queries(calls, "by_published")] == [12 + 4 + 1 + 2 * 12]
    counters.recount(counters.all_counter_names())  # the months back: the page read by month
    calls.clear()
    assert ids(watch(client, admin, "unwatched")) == vids(*range(200, 188, -1))
    assert [kwargs["Limit"] for kwargs in queries(calls, "by_published")] == [12]  # June 2020: none watched


def test_unwatched_without_months_after_a_run_of_watched_reads_on_in_a_second_round(client, admin, monkeypatch):
    long_archive(client, admin, 150, range(91, 151))  # the 60 newest: the first unwatched is the 61st video
    forget_months(counters.VIDEOS, watched_by(int(admin.user_id)))
    calls = record_dynamodb(monkeypatch)
    response = watch(client, admin, "unwatched")
    assert ids(response) == vids(*range(90, 78, -1)) and response.json_body["paginate"]["total_hits"] == 90
    operations = [operation for operation, _ in calls if operation != "GetItem"]
    assert operations == ["BatchGetItem", *["Query"] * 4, "BatchGetItem"], operations
    # round one: the page, the 8 the share (2 in 5) predicts and 2 more, 2 pages; round two: on to 12 + 60 videos
    first = 12 + 8 + 2 + 2 * 12
    assert [kwargs["Limit"] for kwargs in queries(calls, "by_published")] == [first, 12 + 60 - first]
    last = watch(client, admin, "unwatched", "&page=8")  # 84 unwatched before it
    assert ids(last) == vids(6, 5, 4, 3, 2, 1)


def test_the_in_progress_counter_is_what_a_recount_finds(client, admin, other, archive):
    name = in_progress_by(int(admin.user_id))

    def kept() -> int:
        (found,) = db.batch_get((Counter, [name]))
        return int(found[name].count) if name in found else 0

    play(client, admin, 3, 100)
    play(client, admin, 5, 20)
    play(client, admin, 7, 50)
    play(client, admin, 7, 60)  # moved on: still one
    play(client, other, 9, 40)  # another user's
    assert kept() == 3 and watch(client, admin, "continue").json_body["paginate"]["total_hits"] == 3
    play(client, admin, 3, 290)  # watched: off the list
    mark(client, admin, 5)
    mark(client, admin, 5, watched=False)  # unmarked with its position: back on
    mark(client, admin, 11)
    mark(client, admin, 11, watched=False)  # no position: not on it
    assert send(client, "DELETE", f"/api/video/{video_id(7)}/progress/", admin).status_code == 204
    play(client, admin, 13, 30)
    assert send(client, "DELETE", f"/api/video/{video_id(13)}/", admin).status_code == 200
    play(client, admin, 2, 0)  # no progress
    assert ids(watch(client, admin, "continue")) == vids(5)
    assert kept() == 1 == watch(client, admin, "continue").json_body["paginate"]["total_hits"]
    Counter(name, count=7).save()  # drifted: the recount (infra.cli recount) sets it back
    assert name in counters.all_counter_names()
    assert counters.recount([name]) == {name: 1} and kept() == 1
    users.remove_user("admin")
    assert kept() == 0
