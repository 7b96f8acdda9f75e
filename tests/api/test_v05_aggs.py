"""TubeArchivist v0.5's aggregates: a channel's totals and navigation, the queue's channels; each answered from
counters in one or two DynamoDB calls whatever the archive holds."""

import pytest

from functions.services.archive import videos
from functions.services.downloads import intake, items
from tests.api.calls import send, spy_on_storage
from tests.factories import channel_id, make_channel, make_playlist, make_video, video_id


@pytest.fixture
def archive(aws):
    make_channel(1)
    make_channel(2, "Second")
    make_video(1, channel=1, media_size=1000, duration=3700)
    make_video(2, channel=1, media_size=500, duration=60, vid_type="shorts")
    make_video(3, channel=2, media_size=7, duration=5)
    make_playlist(1, [1])  # of channel 1
    queued = [
        {"youtube_id": video_id(10), "channel_id": channel_id(2), "channel_name": "Second"},
        {"youtube_id": video_id(11), "channel_id": channel_id(2), "channel_name": "Second"},
        {"youtube_id": video_id(12), "channel_id": channel_id(3), "channel_name": "Not archived"},
        {"youtube_id": video_id(13), "channel_id": channel_id(1), "channel_name": "Channel 1"},
    ]
    intake.add_entries(queued)
    intake.set_status(video_id(13), items.IGNORE)


def get(client, user, path):
    response = send(client, "GET", path, user)
    assert response.status_code == 200, response.json_body
    return response.json_body


def test_channel_aggs(client, v05, archive):
    assert get(client, v05, f"/api/channel/{channel_id(1)}/aggs/") == {
        "total_items": {"value": 2},
        "total_size": {"value": 1500},
        "total_duration": {"value": 3760, "value_str": "1h 02m 40s"},
    }
    videos.delete(video_id(1))
    body = get(client, v05, f"/api/channel/{channel_id(1)}/aggs/")
    assert body["total_items"] == {"value": 1} and body["total_duration"]["value"] == 60


def test_channel_aggs_of_an_unknown_channel_are_zeros(client, v05, archive):
    body = get(client, v05, f"/api/channel/{channel_id(9)}/aggs/")
    assert body["total_items"] == {"value": 0} and body["total_duration"] == {"value": 0, "value_str": "NA"}


def test_channel_nav(client, v05, archive):
    assert get(client, v05, f"/api/channel/{channel_id(1)}/nav/") == {
        "has_pending": False,
        "has_ignored": True,
        "has_playlists": True,
        "has_videos": True,
        "has_streams": False,
        "has_shorts": True,
    }
    assert get(client, v05, f"/api/channel/{channel_id(2)}/nav/") == {
        "has_pending": True,
        "has_ignored": False,
        "has_playlists": False,
        "has_videos": True,
        "has_streams": False,
        "has_shorts": False,
    }
    videos.delete(video_id(2))  # its last short gone, the tab goes
    assert get(client, v05, f"/api/channel/{channel_id(1)}/nav/")["has_shorts"] is False


def test_download_aggs(client, v05, archive):
    assert get(client, v05, "/api/download/aggs/?filter=pending") == {
        "doc_count_error_upper_bound": 0,
        "sum_other_doc_count": 0,
        "buckets": [
            {"key": ["Second", channel_id(2)], "key_as_string": f"Second|{channel_id(2)}", "doc_count": 2},
            {
                "key": ["Not archived", channel_id(3)],
                "key_as_string": f"Not archived|{channel_id(3)}",
                "doc_count": 1,
            },
        ],
    }
    ignored = get(client, v05, "/api/download/aggs/?filter=ignore")["buckets"]
    assert ignored == [
        {"key": ["Channel 1", channel_id(1)], "key_as_string": f"Channel 1|{channel_id(1)}", "doc_count": 1}
    ]
    intake.set_status(video_id(13), items.PENDING)  # moved: counted under pending now, gone from ignore
    assert get(client, v05, "/api/download/aggs/?filter=ignore")["buckets"] == []
    assert len(get(client, v05, "/api/download/aggs/?filter=pending")["buckets"]) == 3


def test_download_aggs_keep_the_first_thirty(client, v05, aws, monkeypatch):
    from functions.services.downloads import aggs

    monkeypatch.setattr(aggs, "BUCKETS", 2)
    rows = [{"youtube_id": video_id(n), "channel_id": channel_id(n % 3), "channel_name": f"C{n % 3}"} for n in range(7)]
    intake.add_entries(rows)
    body = get(client, v05, "/api/download/aggs/?filter=pending")
    assert [bucket["doc_count"] for bucket in body["buckets"]] == [3, 2] and body["sum_other_doc_count"] == 2
    assert body["buckets"][0]["key"] == ["C0", channel_id(0)]


@pytest.mark.parametrize("query", ["", "?filter=done"])
def test_download_aggs_need_a_filter(client, v05, archive, query):
    assert send(client, "GET", f"/api/download/aggs/{query}", v05).status_code == 400


def test_v04_tokens_get_the_same_answers(client, admin, v05, archive):
    for path in (f"/api/channel/{channel_id(1)}/aggs/", f"/api/channel/{channel_id(1)}/nav/"):
        assert get(client, admin, path) == get(client, v05, path)


@pytest.mark.parametrize(
    "path",
    [f"/api/channel/{channel_id(1)}/aggs/", f"/api/channel/{channel_id(1)}/nav/", "/api/download/aggs/?filter=pending"],
)
def test_each_costs_a_fixed_number_of_calls(client, v05, archive, monkeypatch, path):
    send(client, "GET", "/api/ping/", v05)  # the token records its day of use once a day, not in this count
    spy = spy_on_storage(monkeypatch)
    assert send(client, "GET", path, v05).status_code == 200
    operations = [call.split()[0] for call in spy.calls if not call.startswith("GetItem")]  # the token's key
    assert operations == (["Query", "BatchGetItem"] if "download" in path else ["BatchGetItem"])


def test_aggs_need_a_token(client, archive):
    assert send(client, "GET", f"/api/channel/{channel_id(1)}/aggs/").status_code == 403
