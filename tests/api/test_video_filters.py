"""v0.5's filters of /api/video/ (channel, playlist, order; sort by published): each one Query on an index, with
its total from a counter; v0.4 calls see no change; filters no index serves are a 400, never ignored. The `watch`
filter: tests/api/test_watch_filter.py."""

import json

import pytest

from tests.api.calls import record_dynamodb, send
from tests.factories import channel_id, make_channel, make_playlist, make_video, playlist_id, video_id


@pytest.fixture
def archive(aws):
    make_channel(1)
    make_channel(2)
    for n in range(1, 16):  # published 2024-01-02 .. 2024-01-16
        make_video(n, channel=1 if n % 3 else 2)
    make_playlist(1, [2, 4, 6, 20])  # video 20 is not archived


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json_body
    return [video["youtube_id"] for video in response.json_body["data"]]


def vids(*numbers) -> list[str]:
    return [video_id(n) for n in numbers]


def test_without_filters_the_v04_list(client, admin, archive):
    assert ids(send(client, "GET", "/api/video/", admin)) == vids(*range(15, 3, -1))


def test_channel_filter(client, admin, archive):
    response = send(client, "GET", f"/api/video/?channel={channel_id(2)}", admin)
    assert ids(response) == vids(15, 12, 9, 6, 3)
    assert response.json_body["paginate"]["total_hits"] == 5
    assert response.json_body["paginate"]["params"] == f"channel={channel_id(2)}"
    assert ids(send(client, "GET", f"/api/video/?channel={channel_id(2)}&order=asc", admin)) == vids(3, 6, 9, 12, 15)
    assert ids(send(client, "GET", f"/api/video/?channel={channel_id(9)}", admin)) == []


def test_playlist_filter_lists_the_archived_entries_in_the_playlists_order(client, admin, archive):
    """TubeArchivist sorts a playlist's videos by their entries' idx, whatever `sort` and `order` say."""
    make_playlist(2, [6, 20, 2, 4])
    response = send(client, "GET", f"/api/video/?playlist={playlist_id(2)}", admin)
    assert ids(response) == vids(6, 2, 4) and response.json_body["paginate"]["total_hits"] == 3
    assert ids(send(client, "GET", f"/api/video/?playlist={playlist_id(2)}&order=asc", admin)) == vids(6, 2, 4)
    assert ids(send(client, "GET", f"/api/video/?playlist={playlist_id(1)}", admin)) == vids(2, 4, 6)
    assert ids(send(client, "GET", f"/api/video/?playlist={playlist_id(9)}", admin)) == []


def test_a_long_playlists_pages_follow_its_order(client, admin, archive):
    make_playlist(3, list(range(15, 0, -1)))
    first = send(client, "GET", f"/api/video/?playlist={playlist_id(3)}", admin)
    assert ids(first) == vids(*range(15, 3, -1)) and first.json_body["paginate"]["total_hits"] == 15
    assert ids(send(client, "GET", f"/api/video/?playlist={playlist_id(3)}&page=2", admin)) == vids(3, 2, 1)
    assert ids(send(client, "GET", f"/api/video/?playlist={playlist_id(3)}&page=3", admin)) == []


def test_sort_and_order(client, admin, archive):
    assert ids(send(client, "GET", "/api/video/?sort=published&order=desc", admin)) == vids(*range(15, 3, -1))
    assert ids(send(client, "GET", "/api/video/?order=asc", admin)) == vids(*range(1, 13))
    second = send(client, "GET", "/api/video/?order=asc&page=2", admin)
    assert ids(second) == vids(13, 14, 15)


def test_type_filter(client, admin, archive):
    make_video(30, vid_type="shorts", published="2024-03-01")
    make_video(31, vid_type="shorts", published="2024-03-02")
    make_video(32, vid_type="streams", published="2024-03-03")
    response = send(client, "GET", "/api/video/?type=shorts", admin)
    assert ids(response) == vids(31, 30) and response.json_body["paginate"]["total_hits"] == 2
    assert ids(send(client, "GET", "/api/video/?type=shorts&order=asc", admin)) == vids(30, 31)
    assert ids(send(client, "GET", "/api/video/?type=streams", admin)) == vids(32)
    assert ids(send(client, "GET", "/api/video/?type=videos&page=2", admin)) == vids(3, 2, 1)


def test_channel_and_type_together_are_a_channel_tab(client, admin, archive):
    """TubeArchivist's own v0.5 frontend fills a channel's Videos, Shorts and Streams tabs with
    `video/?channel=<id>&type=<tab>`."""
    make_video(30, channel=1, vid_type="shorts", published="2024-03-01")
    make_video(31, channel=2, vid_type="shorts", published="2024-03-02")
    make_video(32, channel=1, vid_type="shorts", published="2024-03-03")
    shorts = send(client, "GET", f"/api/video/?channel={channel_id(1)}&type=shorts", admin)
    assert ids(shorts) == vids(32, 30) and shorts.json_body["paginate"]["total_hits"] == 2
    ascending = send(client, "GET", f"/api/video/?channel={channel_id(1)}&type=shorts&order=asc", admin)
    assert ids(ascending) == vids(30, 32)
    videos = send(client, "GET", f"/api/video/?channel={channel_id(2)}&type=videos", admin)
    assert ids(videos) == vids(15, 12, 9, 6, 3) and videos.json_body["paginate"]["total_hits"] == 5
    assert ids(send(client, "GET", f"/api/video/?channel={channel_id(2)}&type=streams", admin)) == []


def test_past_the_last_page_of_a_filter_is_empty(client, admin, archive):
    response = send(client, "GET", f"/api/video/?channel={channel_id(2)}&page=3", admin)
    assert response.status_code == 200 and response.json_body["data"] == []


@pytest.mark.parametrize(
    "query",
    [
        "sort=views",
        "order=up",
        "channel=nochannel",
        "playlist=x",
        f"channel={channel_id(1)}&playlist={playlist_id(1)}",
        "sort=downloaded",
        "watch=later",
        "type=short",
        f"type=shorts&playlist={playlist_id(1)}",
        f"type=short&channel={channel_id(1)}",
    ],
)
def test_bad_or_unserved_filters_are_400(client, admin, archive, query):
    response = send(client, "GET", f"/api/video/?{query}", admin)
    assert response.status_code == 400 and "error" in response.json_body


@pytest.mark.parametrize(
    "query",
    [
        "",
        f"channel={channel_id(1)}",
        "sort=published&order=asc",
        "type=videos",
        f"channel={channel_id(1)}&type=videos",
    ],
)
def test_each_filter_costs_one_query_on_an_index(client, admin, archive, monkeypatch, query):
    """The viewer's batch (user, settings, counter), one Query on the filter's index, one batch of the page."""
    send(client, "GET", "/api/ping/", admin)  # the token records its day of use once a day, not in this count
    calls = record_dynamodb(monkeypatch)
    assert send(client, "GET", f"/api/video/?{query}", admin).status_code == 200
    operations = [operation for operation, _ in calls if operation not in ("GetItem",)]  # the token's key
    assert operations == ["BatchGetItem", "Query", "BatchGetItem"], operations
    (query_call,) = [kwargs for operation, kwargs in calls if operation == "Query"]
    assert "IndexName" in query_call and "Scan" not in json.dumps([op for op, _ in calls])


def test_a_playlist_page_reads_its_packed_listing_and_no_index(client, admin, archive, monkeypatch):
    """The viewer's batch with the playlist and its counter (its packed listing and archived members), the
    page's batch, and the batch of their channels (the listing names none)."""
    send(client, "GET", "/api/ping/", admin)
    calls = record_dynamodb(monkeypatch)
    assert send(client, "GET", f"/api/video/?playlist={playlist_id(1)}", admin).status_code == 200
    operations = [operation for operation, _ in calls if operation not in ("GetItem",)]
    assert operations == ["BatchGetItem", "BatchGetItem", "BatchGetItem"], operations
