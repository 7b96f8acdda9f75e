"""/api/playlist/...: list, item with its entries, and the playlist's archived videos, over moto."""

import pytest

from functions.core.settings import DEFAULT_APP_CONFIG
from functions.http.ta import playlist as playlist_api
from functions.services.archive import playlists
from functions.storage.models import Playlist
from tests.api.calls import (
    BAD_TOKEN,
    INVALID_TOKEN,
    NO_CREDENTIALS,
    other_methods,
    routes,
    send,
    spy_on_storage,
)
from tests.conftest import token_headers
from tests.factories import channel_id, make_channel, make_playlist, make_video, playlist_id, video_id
from tests.search.dynamo_calls import counting

CONFIG = {"page_size": 12, **DEFAULT_APP_CONFIG}
PLAYLIST = playlist_id(1)
PLAYLIST_KEYS = {
    "playlist_id",
    "playlist_name",
    "playlist_channel",
    "playlist_channel_id",
    "playlist_description",
    "playlist_subscribed",
    "playlist_active",
    "playlist_last_refresh",
    "playlist_thumbnail",
    "playlist_type",
    "playlist_entries",
}


def get(client, path, user):
    return client.http.get(path, headers=token_headers(user))


@pytest.fixture
def archive(aws):
    make_channel(1)
    make_video(1, published="2024-01-01")
    make_video(2, published="2024-03-01")
    make_video(3, published="2024-02-01")
    return make_playlist(1, [1, 99, 2, 3])


@pytest.mark.parametrize(("method", "path"), routes(playlist_api.router))
def test_every_route_needs_credentials(client, method, path):
    response = client.http.request(method, path, body=b"")
    assert (response.status_code, response.json_body) == (403, NO_CREDENTIALS)
    response = client.http.request(method, path + "/", headers=BAD_TOKEN, body=b"")
    assert (response.status_code, response.json_body) == (403, INVALID_TOKEN)


@pytest.mark.parametrize(("method", "path"), routes(playlist_api.router))
def test_every_route_answers_with_and_without_trailing_slash(client, admin, archive, method, path):
    bare, slashed = get(client, path, admin), get(client, path + "/", admin)
    assert bare.status_code == slashed.status_code == 200
    assert bare.json_body == slashed.json_body


@pytest.mark.parametrize(("method", "path", "allowed"), other_methods(playlist_api.router))
def test_undeclared_methods_are_405(client, admin, method, path, allowed):
    response = send(client, method, path, admin, {"x": 1} if method != "DELETE" else None)
    assert response.status_code == 405 and "error" in response.json_body
    assert response.headers["Allow"] == ", ".join(allowed)


def test_list_sorted_by_name(client, admin, archive):
    make_playlist(2, [2], name="Alpha")
    make_playlist(3, [], name="zulu")
    response = get(client, "/api/playlist/", admin)
    assert response.status_code == 200
    body = response.json_body
    assert set(body) == {"data", "config", "paginate"} and body["config"] == CONFIG
    assert [p["playlist_id"] for p in body["data"]] == [playlist_id(2), PLAYLIST, playlist_id(3)]
    assert body["paginate"]["total_hits"] == 3 and body["paginate"]["last_page"] is False
    assert all(set(p) == PLAYLIST_KEYS for p in body["data"])


def test_empty_list_and_pages(client, admin, aws):
    assert get(client, "/api/playlist/", admin).json_body["data"] == []
    assert get(client, "/api/playlist/?page=2", admin).json_body["data"] == []
    for n in range(13):
        make_playlist(n, [], name=f"p{n:02d}")
    second = get(client, "/api/playlist?page=2", admin)
    assert [p["playlist_id"] for p in second.json_body["data"]] == [playlist_id(12)]
    assert second.json_body["paginate"]["prev_pages"] == [] and second.json_body["paginate"]["last_page"] is False
    past = get(client, "/api/playlist/?page=3", admin)
    assert past.status_code == 200 and past.json_body["data"] == []
    assert get(client, "/api/playlist/?page=two", admin).status_code == 400


def test_item_with_entries_in_order(client, admin, archive):
    response = get(client, f"/api/playlist/{PLAYLIST}/", admin)
    assert response.status_code == 200
    body = response.json_body
    assert set(body) == {"data", "config"} and body["config"] == CONFIG
    playlist = body["data"]
    assert set(playlist) == PLAYLIST_KEYS
    assert playlist["playlist_name"] == "Playlist 1" and playlist["playlist_channel_id"] == channel_id(1)
    assert playlist["playlist_thumbnail"] is False  # none stored: no link to a 404
    assert playlist["playlist_last_refresh"] is False and playlist["playlist_subscribed"] is False
    assert playlist["playlist_entries"] == [
        {"youtube_id": video_id(1), "title": "Video 1", "uploader": "Channel 1", "idx": 0, "downloaded": True},
        {"youtube_id": video_id(99), "title": "Video 99", "uploader": "Channel 1", "idx": 1, "downloaded": False},
        {"youtube_id": video_id(2), "title": "Video 2", "uploader": "Channel 1", "idx": 2, "downloaded": True},
        {"youtube_id": video_id(3), "title": "Video 3", "uploader": "Channel 1", "idx": 3, "downloaded": True},
    ]


def test_videos_are_the_archived_entries_sorted_by_published_desc(client, admin, other, archive):
    response = get(client, f"/api/playlist/{PLAYLIST}/video/", admin)
    assert response.status_code == 200
    body = response.json_body
    assert set(body) == {"data", "config", "paginate"}
    assert [v["youtube_id"] for v in body["data"]] == [video_id(2), video_id(3), video_id(1)]
    assert body["paginate"]["total_hits"] == 3
    send(client, "POST", "/api/watched/", admin, {"id": PLAYLIST, "is_watched": True})
    assert all(v["player"]["watched"] for v in get(client, f"/api/playlist/{PLAYLIST}/video", admin).json_body["data"])
    assert not any(
        v["player"]["watched"] for v in get(client, f"/api/playlist/{PLAYLIST}/video", other).json_body["data"]
    )
    assert get(client, f"/api/playlist/{PLAYLIST}/video?page=2", admin).status_code == 404


def test_a_deleted_video_leaves_the_playlist_videos(client, admin, archive):
    send(client, "DELETE", f"/api/video/{video_id(2)}", admin)
    videos = get(client, f"/api/playlist/{PLAYLIST}/video", admin).json_body
    assert [v["youtube_id"] for v in videos["data"]] == [video_id(3), video_id(1)]
    assert videos["paginate"]["total_hits"] == 2
    entries = get(client, f"/api/playlist/{PLAYLIST}", admin).json_body["data"]["playlist_entries"]
    assert [e["downloaded"] for e in entries] == [True, False, False, True]


def test_unknown_playlist_is_404(client, admin, archive):
    for path in (f"/api/playlist/{playlist_id(2)}", f"/api/playlist/{playlist_id(2)}/video/"):
        response = get(client, path, admin)
        assert response.status_code == 404
        assert response.json_body == {"data": False, "error": f"playlist {playlist_id(2)} not found"}


@pytest.mark.parametrize("bad", ["PLshort", "XX0000000000000001", "PL00000000%2A", "..%2F..%2Fsecret"])
def test_malformed_ids_never_reach_storage(client, admin, archive, monkeypatch, bad):
    spy = spy_on_storage(monkeypatch)
    for path in (f"/api/playlist/{bad}", f"/api/playlist/{bad}/video/"):
        response = get(client, path, admin)
        assert response.status_code in (400, 404) and "error" in response.json_body, path
    assert not spy.reached(bad) and not spy.reached(bad.replace("%2F", "/").replace("%2A", "*"))
    assert Playlist.count() == 1


def test_entries_read_the_same_packed_or_from_their_items(client, admin, archive):
    """Lists render entries from the listing packed on the playlist and its counter's ids; a playlist without
    one (too large to pack) has its entries read: both say the same, as videos come and go."""
    make_video(99, playlist=[PLAYLIST])  # downloaded after the playlist was stored
    send(client, "DELETE", f"/api/video/{video_id(2)}", admin)
    packed = get(client, f"/api/playlist/{PLAYLIST}/", admin).json_body["data"]["playlist_entries"]
    assert [(e["youtube_id"], e["downloaded"]) for e in packed] == [
        (video_id(1), True),
        (video_id(99), True),
        (video_id(2), False),
        (video_id(3), True),
    ]
    assert Playlist.get(PLAYLIST).entries_packed is not None
    playlists.store_packed(PLAYLIST, None)
    assert get(client, f"/api/playlist/{PLAYLIST}/", admin).json_body["data"]["playlist_entries"] == packed
    assert get(client, "/api/playlist/", admin).json_body["data"][0]["playlist_entries"] == packed


def test_a_listing_too_large_to_pack_is_read_from_the_entries(client, admin, aws, monkeypatch):
    monkeypatch.setattr(playlists, "PACKED_LIMIT", 10)
    make_channel(1)
    make_video(1)
    make_playlist(1, [1, 2])
    assert Playlist.get(PLAYLIST).entries_packed is None
    entries = get(client, f"/api/playlist/{PLAYLIST}/", admin).json_body["data"]["playlist_entries"]
    assert [(e["youtube_id"], e["idx"], e["downloaded"]) for e in entries] == [
        (video_id(1), 0, True),
        (video_id(2), 1, False),
    ]


def test_a_page_of_playlists_reads_no_entries(client, admin, aws):
    make_channel(1)
    make_video(1)
    for n in range(1, 6):
        make_playlist(n, [1, 2, 3])
    headers = token_headers(admin)
    with counting() as calls:
        body = client.http.get("/api/playlist/", headers=headers).json_body
    assert len(body["data"]) == 5 and all(p["playlist_entries"][0]["downloaded"] for p in body["data"])
    assert sum(calls.values()) <= 4 and calls["Query"] <= 1, calls  # the page's keys; no Query per playlist


def test_a_packed_listing_reads_back_every_title_as_written():
    rows = [
        {"youtube_id": "aaaaaaaaaaa", "title": "Ünïcode 😀 \u2028", "uploader": "Ch"},
        {"youtube_id": "bbbbbbbbbbb", "title": "", "uploader": ""},
        {"youtube_id": "ccccccccccc", "title": "lone \udc80 surrogate", "uploader": "x"},  # read by Python's json
    ]
    for listed in (rows[:2], rows):
        assert playlists.unpack(playlists.pack(listed), {"bbbbbbbbbbb"}) == [
            {**row, "idx": idx, "downloaded": row["youtube_id"] == "bbbbbbbbbbb"} for idx, row in enumerate(listed)
        ]
