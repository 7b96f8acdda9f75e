"""/api/stats/*: TubeArchivist v0.4.13's statistics, from counters every write keeps, in a fixed number of calls.
tubearchivist-metrics' 16 calls are replayed with the keys it reads."""

import datetime

import pytest

from functions.services import refresh
from functions.services.archive import playlists, videos
from functions.services.downloads import intake, items
from functions.storage import counters, db
from functions.storage.models import Channel, Counter, Video
from tests.api.calls import record_dynamodb, send
from tests.factories import channel_id, make_channel, make_playlist, make_video, video_id

TODAY = int(datetime.datetime.now(datetime.UTC).timestamp())
DAY = 86400


@pytest.fixture
def archive(aws):
    make_channel(1, subscribed=True)
    make_channel(2)
    make_channel(3)
    refresh._tallied_update(Channel.get(channel_id(3)), [Channel.channel_active.set(False)], {"channel_active": False})
    for n in range(1, 4):  # channel 1: three videos, downloaded today
        make_video(n, channel=1, media_size=n * 1000, duration=n * 100, date_downloaded=TODAY)
    make_video(4, channel=2, media_size=50, duration=30, vid_type="shorts", date_downloaded=TODAY - DAY)
    make_video(5, channel=2, media_size=7000, duration=600, date_downloaded=TODAY - 30 * DAY)
    video = Video.get(video_id(5))
    refresh._tallied_update(video, [Video.active.set(False)], {"active": False})
    make_playlist(1, [1, 2])
    playlist = make_playlist(2, [3])
    playlist.playlist_subscribed = True
    playlists.store(playlist)
    intake.add_entries(
        [
            {"youtube_id": video_id(10), "vid_type": "videos"},
            {"youtube_id": video_id(11), "vid_type": "shorts"},
            {"youtube_id": video_id(12), "vid_type": "streams"},
            {"youtube_id": video_id(13), "vid_type": "videos"},
        ]
    )
    intake.set_status(video_id(13), items.IGNORE)


def get(client, user, path):
    response = send(client, "GET", path, user)
    assert response.status_code == 200, response.json_body
    return response.json_body


METRICS_CALLS = [  # tubearchivist-metrics' main.py: (path, key) as it reads them, 16 calls
    ("/api/stats/download/", "pending", 3),
    ("/api/stats/download/", "ignore", 1),
    ("/api/stats/download/", "pending_videos", 1),
    ("/api/stats/download/", "shorts", None),  # the client's own misspelling: a missing key, read as 0
    ("/api/stats/download/", "streams", None),
    ("/api/stats/video/", "doc_count", 5),
    ("/api/stats/channel/", "doc_count", 3),
    ("/api/stats/channel/", "active_true", 2),
    ("/api/stats/channel/", "active_false", 1),
    ("/api/stats/channel/", "subscribed_true", 1),
    ("/api/stats/channel/", "subscribed_false", 2),
    ("/api/stats/playlist/", "doc_count", 2),
    ("/api/stats/playlist/", "active_true", 2),
    ("/api/stats/playlist/", "active_false", 0),
    ("/api/stats/playlist/", "subscribed_true", 1),
    ("/api/stats/playlist/", "subscribed_false", 1),
]


def test_metrics_replay(client, admin, archive):
    assert len(METRICS_CALLS) == 16
    for path, key, value in METRICS_CALLS:
        response = send(client, "GET", path, admin)
        assert response.status_code == 200, (path, response.json_body)
        assert response.json_body.get(key) == value, (path, key)


def test_video_stats(client, admin, archive):
    body = get(client, admin, "/api/stats/video/")
    assert body["doc_count"] == 5 and body["media_size"] == 13050 and body["duration"] == 1230
    assert body["duration_str"] == "20m 30s"
    assert body["type_videos"] == {"doc_count": 4, "media_size": 13000, "duration": 1200, "duration_str": "20m"}
    assert body["type_shorts"]["doc_count"] == 1 and body["type_streams"]["doc_count"] == 0
    assert body["active_false"]["media_size"] == 7000 and body["active_true"]["doc_count"] == 4


def test_pending_by_type(client, admin, archive):
    body = get(client, admin, "/api/stats/download/")
    assert body == {"pending": 3, "ignore": 1, "pending_videos": 1, "pending_shorts": 1, "pending_streams": 1}


def test_watch_progress_is_the_viewers(client, admin, other, archive):
    assert send(client, "POST", "/api/watched/", admin, {"id": channel_id(1), "is_watched": True}).status_code == 200
    body = get(client, admin, "/api/stats/watch/")
    assert body["total"] == {"duration": 1230, "duration_str": "20m 30s", "items": 5}
    assert body["watched"]["items"] == 3 and body["watched"]["duration"] == 600
    assert body["watched"]["progress"] == pytest.approx(600 / 1230)
    assert body["unwatched"]["items"] == 2 and body["unwatched"]["duration"] == 630
    assert get(client, other, "/api/stats/watch/")["watched"]["items"] == 0
    # marked twice, counted once; unwatched and deleted videos leave the count
    send(client, "POST", "/api/watched/", admin, {"id": video_id(1), "is_watched": True})
    send(client, "POST", "/api/watched/", admin, {"id": video_id(2), "is_watched": False})
    videos.delete(video_id(3))
    watched = get(client, admin, "/api/stats/watch/")["watched"]
    assert watched["items"] == 1 and watched["duration"] == 100


def test_download_history(client, admin, archive):
    today = datetime.datetime.now(datetime.UTC).date()
    body = get(client, admin, "/api/stats/downloadhist/")
    assert body == [
        {"date": today.isoformat(), "count": 3, "media_size": 6000},
        {"date": (today - datetime.timedelta(days=1)).isoformat(), "count": 1, "media_size": 50},
    ]  # newest first; the video of a month ago is older than the week shown


@pytest.mark.parametrize("order", ["", "doc_count", "media_size", "duration"])
def test_biggest_channels(client, admin, archive, order):
    make_video(6, channel=2, media_size=1, duration=1)  # channel 2: 3 videos, channel 1: 3 videos
    videos.delete(video_id(6))  # now 2 against 3
    body = get(client, admin, f"/api/stats/biggestchannels/?order={order}" if order else "/api/stats/biggestchannels/")
    by_count = order in ("", "doc_count")
    assert [row["id"] for row in body] == (
        [channel_id(1), channel_id(2)] if by_count else [channel_id(2), channel_id(1)]
    )
    assert body[0 if by_count else 1] == {
        "id": channel_id(1),
        "name": "Channel 1",
        "doc_count": 3,
        "duration": 600,
        "duration_str": "10m",
        "media_size": 6000,
    }


def test_biggest_channels_order_is_checked(client, admin, archive):
    response = send(client, "GET", "/api/stats/biggestchannels/?order=views", admin)
    assert response.status_code == 400 and "order" in response.json_body["error"]


def test_stats_need_a_token(client, archive):
    assert send(client, "GET", "/api/stats/video/").status_code == 403


STATS_PATHS = ["video", "channel", "playlist", "download", "watch", "downloadhist"]


@pytest.mark.parametrize("path", [*STATS_PATHS, "biggestchannels"])
def test_each_stat_costs_a_fixed_number_of_calls(client, admin, archive, monkeypatch, path):
    """One batch of counters (with the viewer's user and settings); the ranking adds one Query on an index."""
    send(client, "GET", "/api/ping/", admin)  # the token records its day of use once a day, not in this count
    calls = record_dynamodb(monkeypatch)
    assert send(client, "GET", f"/api/stats/{path}/", admin).status_code == 200
    operations = [operation for operation, _ in calls if operation != "GetItem"]  # the token's key
    assert operations == (["Query", "BatchGetItem"] if path == "biggestchannels" else ["BatchGetItem"])


def test_counters_agree_with_a_recount(archive):
    """Every write above (saves, a refresh marking inactive, queue moves, a delete) kept the counters exact."""
    videos.delete(video_id(2))
    names = counters.all_counter_names()
    (stored,) = db.batch_get((Counter, names))
    for name in names:
        truth = counters.true_counter(name)
        found = stored.get(name, Counter(name))
        assert int(found.count or 0) == int(truth.count), name
        if counters.sums(name):
            assert (int(found.size or 0), int(found.duration or 0)) == (truth.size, truth.duration), name


def test_v05_video_stats_null_their_empty_buckets(client, admin, v05, archive):
    old, new = get(client, admin, "/api/stats/video/"), get(client, v05, "/api/stats/video/")
    assert old["type_streams"]["doc_count"] == 0 and new["type_streams"] is None
    assert new == {**old, "type_streams": None}  # the same keys, every bucket with videos as v0.4 shows it


def test_v05_channel_and_playlist_stats(client, admin, v05, archive):
    assert get(client, v05, "/api/stats/channel/") == get(client, admin, "/api/stats/channel/")  # no bucket empty
    assert get(client, v05, "/api/stats/playlist/") == {
        "doc_count": 2,
        "active_true": 2,
        "active_false": None,  # v0.4: 0
        "subscribed_true": 1,
        "subscribed_false": 1,
    }


def test_v05_download_stats(client, v05, archive):
    intake.set_status(video_id(12), items.IGNORE)  # no pending stream left
    assert get(client, v05, "/api/stats/download/") == {
        "pending": 2,
        "ignore": 2,
        "pending_videos": 1,
        "pending_shorts": 1,
        "pending_streams": None,
    }


def test_v05_watch_stats(client, admin, v05, archive):
    body = get(client, v05, "/api/stats/watch/")
    assert body["watched"] is None and body["unwatched"]["items"] == 5
    assert body["total"] == {"duration": 1230, "duration_str": "20m 30s", "items": 5}
    send(client, "POST", "/api/watched/", v05, {"id": video_id(1), "is_watched": True})
    body = get(client, v05, "/api/stats/watch/")
    assert body["watched"] == {
        "duration": 100,
        "duration_str": "1m 40s",
        "progress": pytest.approx(100 / 1230),
        "items": 1,
    }
    assert get(client, admin, "/api/stats/watch/")["watched"]["items"] == 0  # each user's own


def test_v05_biggest_channels_and_history(client, admin, v05, archive):
    Channel(channel_id(1), channel_name="the first channel").update(actions=[Channel.channel_name.set("the first one")])
    new = get(client, v05, "/api/stats/biggestchannels/")
    assert (
        new[0]["name"] == "The First One"
        and get(client, admin, "/api/stats/biggestchannels/")[0]["name"] == "the first one"
    )
    assert {key: value for key, value in new[0].items() if key != "name"} == {
        key: value for key, value in get(client, admin, "/api/stats/biggestchannels/")[0].items() if key != "name"
    }
    assert get(client, v05, "/api/stats/downloadhist/") == get(client, admin, "/api/stats/downloadhist/")
