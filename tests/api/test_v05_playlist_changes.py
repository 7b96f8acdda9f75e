"""TubeArchivist v0.5's playlist writes: the bulk subscribe (`POST /api/playlist/`) and the sort order of
`POST /api/playlist/<id>/`, stored and applied to the playlist's entries."""

import pytest

from functions.core.dialects import V05
from functions.services.archive import custom_playlists
from functions.services.auth import users
from functions.storage.models import Playlist
from tests.api.calls import send
from tests.factories import make_channel, make_playlist, make_video, playlist_id, video_id


@pytest.fixture
def v05(aws):
    return users.create_user("modern", "modern-password", is_admin=True, dialect=V05)


@pytest.fixture
def archive(aws):
    make_channel(1)
    for n in (1, 2, 3):
        make_video(n)
    make_playlist(1, [1, 2, 3])
    make_playlist(2, [2])


def post(client, user, path, body):
    return send(client, "POST", path, user, body)


def test_bulk_subscribe(client, v05, archive):
    rows = [
        {"playlist_id": playlist_id(1), "playlist_subscribed": True},
        {"playlist_id": f"https://www.youtube.com/playlist?list={playlist_id(2)}", "playlist_subscribed": True},
    ]
    answer = post(client, v05, "/api/playlist/", {"data": rows})
    assert answer.status_code == 200, answer.json_body
    assert [row["playlist_id"] for row in answer.json_body["data"]] == [playlist_id(1), playlist_id(2)]
    assert all(Playlist.get(playlist_id(n)).playlist_subscribed for n in (1, 2))
    listed = send(client, "GET", "/api/playlist/?subscribed=true", v05).json_body["data"]
    assert {row["playlist_id"] for row in listed} == {playlist_id(1), playlist_id(2)}


@pytest.mark.parametrize(
    ("rows", "status"),
    [
        ([], 400),  # nothing to subscribe
        ([{"playlist_id": video_id(1), "playlist_subscribed": True}], 400),  # a video
        ([{"playlist_id": playlist_id(1), "playlist_subscribed": False}], 400),  # v0.5 only subscribes here
        (
            [
                {"playlist_id": playlist_id(1), "playlist_subscribed": True},
                {"playlist_id": playlist_id(9), "playlist_subscribed": True},
            ],
            404,
        ),
    ],
)
def test_bulk_subscribe_refuses_before_any_change(client, v05, archive, rows, status):
    assert post(client, v05, "/api/playlist/", {"data": rows}).status_code == status
    assert not Playlist.get(playlist_id(1)).playlist_subscribed


def test_bulk_subscribe_is_for_admins(client, aws, archive):
    reader = users.create_user("reader", "reader-password", dialect=V05)
    rows = [{"playlist_id": playlist_id(1), "playlist_subscribed": True}]
    assert post(client, reader, "/api/playlist/", {"data": rows}).status_code == 403


def test_sort_order_is_stored_and_reverses_the_entries(client, admin, v05, archive):
    path = f"/api/playlist/{playlist_id(1)}/"
    assert send(client, "GET", path, v05).json_body["playlist_sort_order"] == "top"
    answer = post(client, v05, path, {"playlist_sort_order": "bottom"})
    assert answer.status_code == 200, answer.json_body
    entries = answer.json_body["playlist_entries"]
    assert [(row["youtube_id"], row["idx"]) for row in entries] == [
        (video_id(3), 0),
        (video_id(2), 1),
        (video_id(1), 2),
    ]
    assert answer.json_body["playlist_sort_order"] == "bottom" and answer.json_body["playlist_subscribed"] is False
    assert Playlist.get(playlist_id(1)).playlist_sort_order == "bottom"
    v04 = send(client, "GET", path, admin).json_body["data"]  # the same order in either dialect
    assert [row["youtube_id"] for row in v04["playlist_entries"]] == [video_id(3), video_id(2), video_id(1)]
    both = post(client, v05, path, {"playlist_sort_order": "top", "playlist_subscribed": True}).json_body
    assert both["playlist_subscribed"] is True and both["playlist_entries"][0]["youtube_id"] == video_id(1)


@pytest.mark.parametrize("body", [{}, {"playlist_sort_order": "middle"}, {"playlist_sort_order": "top", "x": 1}])
def test_bad_changes_are_400(client, v05, archive, body):
    assert post(client, v05, f"/api/playlist/{playlist_id(1)}/", body).status_code == 400


def test_custom_playlists_have_no_sort_order_to_change(client, v05, archive):
    custom = custom_playlists.create("Mine").playlist_id
    assert post(client, v05, f"/api/playlist/{custom}/", {"playlist_sort_order": "bottom"}).status_code == 400
