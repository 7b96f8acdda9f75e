"""/api/video/<id>/nav/ (v0.5): the archived videos before and after a video in each of its playlists."""

from functions.core.dialects import V05
from functions.services.auth import users
from tests.api.calls import send, spy_on_storage
from tests.factories import make_channel, make_playlist, make_video, playlist_id, video_id


def test_nav_skips_unarchived_entries_and_ends_with_null(client, admin, monkeypatch):
    make_channel(1)
    for n in (1, 3, 4):
        make_video(n)
    make_playlist(1, [1, 2, 3, 4], "Four")  # video 2 is not archived
    make_playlist(2, [3], "Alone")  # the only archived entry: no nav
    middle = send(client, "GET", f"/api/video/{video_id(3)}/nav/", admin)
    assert middle.status_code == 200
    [nav] = middle.json_body
    assert nav["playlist_meta"] == {
        "current_idx": 2,
        "playlist_id": playlist_id(1),
        "playlist_name": "Four",
        "playlist_channel": "",
    }
    assert nav["playlist_previous"]["youtube_id"] == video_id(1)  # video 2 is skipped
    assert nav["playlist_previous"]["vid_thumb"].endswith(f"{video_id(1)}.jpg")
    assert nav["playlist_next"]["youtube_id"] == video_id(4)
    first = send(client, "GET", f"/api/video/{video_id(1)}/nav/", admin).json_body
    assert first[0]["playlist_previous"] is None and first[0]["playlist_next"]["youtube_id"] == video_id(3)
    spy = spy_on_storage(monkeypatch)
    send(client, "GET", f"/api/video/{video_id(4)}/nav/", admin)
    assert not spy.reached("Scan ")


def test_nav_of_a_video_without_playlists_and_of_an_unknown_one(client, admin):
    make_video(1)
    v05 = users.create_user("modern", "pw", dialect=V05)
    for user in (admin, v05):  # a v0.5 path: both dialects get v0.5's answer
        assert send(client, "GET", f"/api/video/{video_id(1)}/nav/", user).json_body == []
        missing = send(client, "GET", f"/api/video/{video_id(9)}/nav/", user)
        assert (missing.status_code, missing.json_body) == (404, {"error": f"video {video_id(9)} not found"})
