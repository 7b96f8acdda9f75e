"""TubeArchivist v0.5's bulk subscribe (`POST /api/playlist/`): archived YouTube playlists by id or URL, all
checked before any changes."""

import pytest

from functions.core.dialects import V05
from functions.services.auth import users
from functions.storage.models import Playlist
from tests.api.calls import send
from tests.factories import make_channel, make_playlist, make_video, playlist_id, video_id


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
