"""v0.5's custom playlists (/api/playlist/custom/...) and the removal of playlists (DELETE /api/playlist/<id>/)."""

import pytest

from functions.storage import s3
from functions.storage.models import Counter, PlaylistEntry, Video
from tests.api.calls import send
from tests.factories import make_channel, make_playlist, make_video, playlist_id, video_id


@pytest.fixture
def archive(aws):
    make_channel(1, "Channel One")
    for n in (1, 2, 3):
        make_video(n)


def order(client, user, custom_id) -> list[str]:
    body = send(client, "GET", f"/api/playlist/{custom_id}/", user).json_body
    return [entry["youtube_id"] for entry in body["data"]["playlist_entries"]]


def test_create_add_move_remove(client, admin, archive):
    created = send(client, "POST", "/api/playlist/custom/", admin, body={"playlist_name": "Mine"})
    assert created.status_code == 200
    custom = created.json_body
    assert custom["playlist_type"] == "custom" and custom["playlist_name"] == "Mine"
    assert custom["playlist_id"].startswith("TA_playlist_") and custom["playlist_entries"] == []
    path = f"/api/playlist/custom/{custom['playlist_id']}/"
    for n in (1, 2, 3):
        added = send(client, "POST", path, admin, body={"action": "create", "video_id": video_id(n)})
        assert added.status_code == 200
    entries = added.json_body["playlist_entries"]
    assert [(e["youtube_id"], e["idx"], e["downloaded"], e["uploader"]) for e in entries] == [
        (video_id(n), n - 1, True, "Channel One") for n in (1, 2, 3)
    ]
    assert custom["playlist_id"] in Video.get(video_id(2)).playlist
    send(client, "POST", path, admin, body={"action": "top", "video_id": video_id(3)})
    assert order(client, admin, custom["playlist_id"]) == [video_id(3), video_id(1), video_id(2)]
    send(client, "POST", path, admin, body={"action": "down", "video_id": video_id(3)})
    send(client, "POST", path, admin, body={"action": "bottom", "video_id": video_id(1)})
    assert order(client, admin, custom["playlist_id"]) == [video_id(3), video_id(2), video_id(1)]
    send(client, "POST", path, admin, body={"action": "up", "video_id": video_id(3)})  # already first: stays
    removed = send(client, "POST", path, admin, body={"action": "remove", "video_id": video_id(2)})
    assert [e["youtube_id"] for e in removed.json_body["playlist_entries"]] == [video_id(3), video_id(1)]
    assert custom["playlist_id"] not in (Video.get(video_id(2)).playlist or [])
    listed = send(client, "GET", f"/api/playlist/{custom['playlist_id']}/video/", admin).json_body
    assert listed["paginate"]["total_hits"] == 2


def test_refusals_change_nothing(client, admin, other, archive):
    make_playlist(1, [1])
    custom = send(client, "POST", "/api/playlist/custom/", admin, body={"playlist_name": "Mine"}).json_body
    path = f"/api/playlist/custom/{custom['playlist_id']}/"
    not_archived = send(client, "POST", path, admin, body={"action": "create", "video_id": video_id(9)})
    assert not_archived.status_code == 400
    youtube = send(
        client,
        "POST",
        f"/api/playlist/custom/{playlist_id(1)}/",
        admin,
        body={"action": "create", "video_id": video_id(2)},
    )
    assert (youtube.status_code, youtube.json_body) == (
        400,
        {"error": f"playlist with ID {playlist_id(1)} is not custom"},
    )
    assert send(client, "POST", path, admin, body={"action": "sideways", "video_id": video_id(1)}).status_code == 400
    assert send(client, "POST", path, other, body={"action": "create", "video_id": video_id(1)}).status_code == 403
    assert send(client, "POST", "/api/playlist/custom/", admin, body={"playlist_name": ""}).status_code == 400
    missing = send(
        client,
        "POST",
        "/api/playlist/custom/TA_playlist_00000000-0000-0000-0000-000000000000/",
        admin,
        body={"action": "create", "video_id": video_id(1)},
    )
    assert missing.status_code == 404
    assert order(client, admin, custom["playlist_id"]) == []


def test_delete_a_playlist_keeps_or_deletes_its_videos(client, admin, archive):
    make_playlist(1, [1, 2])
    make_playlist(2, [3])
    assert send(client, "DELETE", f"/api/playlist/{playlist_id(1)}/", admin).status_code == 204
    assert send(client, "GET", f"/api/playlist/{playlist_id(1)}/", admin).status_code == 404
    assert not list(PlaylistEntry.query(playlist_id(1)))
    assert playlist_id(1) not in (Video.get(video_id(1)).playlist or [])
    assert Counter.get("playlists").count == 1
    assert send(client, "DELETE", f"/api/playlist/{playlist_id(2)}/?delete_videos=true", admin).status_code == 204
    assert send(client, "GET", f"/api/video/{video_id(3)}/", admin).status_code == 404
    assert send(client, "GET", f"/api/video/{video_id(1)}/", admin).status_code == 200
    assert send(client, "DELETE", f"/api/playlist/{playlist_id(2)}/", admin).status_code == 404


def test_subscribe_to_a_playlist(client, admin, archive):
    from functions.core.dialects import V05
    from functions.services.auth import users
    from functions.storage.models import Playlist

    make_playlist(1, [1])
    modern = users.create_user("modern", "pw", is_admin=True, dialect=V05)
    answer = send(client, "POST", f"/api/playlist/{playlist_id(1)}/", modern, body={"playlist_subscribed": True})
    assert answer.status_code == 200 and answer.json_body["playlist_subscribed"] is True  # bare in v0.5
    assert [key.playlist_id for key in Playlist.by_subscription.query("subscribed")] == [playlist_id(1)]
    assert Counter.get("playlists#subscribed").count == 1 and Counter.get("playlists#unsubscribed").count == 0
    again = send(client, "POST", f"/api/playlist/{playlist_id(1)}/", admin, body={"playlist_subscribed": False})
    assert again.json_body["data"]["playlist_subscribed"] is False  # v0.4's envelope for a v0.4 token
    assert Counter.get("playlists#subscribed").count == 0
    custom = send(client, "POST", "/api/playlist/custom/", admin, body={"playlist_name": "Mine"}).json_body
    refused = send(client, "POST", f"/api/playlist/{custom['playlist_id']}/", admin, body={"playlist_subscribed": True})
    assert refused.status_code == 400
    assert (
        send(client, "POST", f"/api/playlist/{playlist_id(7)}/", admin, body={"playlist_subscribed": True}).status_code
        == 404
    )
    assert (
        send(client, "POST", f"/api/playlist/{playlist_id(1)}/", admin, body={"playlist_sort_order": "up"}).status_code
        == 400
    )


def test_a_custom_playlists_art_is_its_first_videos_thumbnail(client, admin, archive):
    custom_id = send(client, "POST", "/api/playlist/custom/", admin, body={"playlist_name": "Mine"}).json_body[
        "playlist_id"
    ]
    assert send(client, "GET", f"/api/playlist/{custom_id}/", admin).json_body["data"]["playlist_thumbnail"] is False
    path = f"/api/playlist/custom/{custom_id}/"
    for n in (2, 1):
        send(client, "POST", path, admin, body={"action": "create", "video_id": video_id(n)})
    shown = send(client, "GET", f"/api/playlist/{custom_id}/", admin).json_body["data"]["playlist_thumbnail"]
    assert shown == s3.url_of(s3.video_thumb_key(video_id(2)))
    send(client, "POST", path, admin, body={"action": "top", "video_id": video_id(1)})
    listed = send(client, "GET", "/api/playlist/?type=custom", admin).json_body["data"]
    assert [row["playlist_thumbnail"] for row in listed] == [s3.url_of(s3.video_thumb_key(video_id(1)))]
