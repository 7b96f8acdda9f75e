"""Replays of what TubeArchivist clients written by others send (issue 14's table), checked the way each client
reads the answers: the fields it takes, the status codes it branches on, the headers a browser enforces."""

from functions.storage.models import Channel, QueueItem
from tests.api.calls import send
from tests.factories import channel_id, make_channel, make_playlist, make_video, playlist_id, video_id

EXTENSION = "chrome-extension://jjdbkdmplgfjfkjddbdelngmnjdgbjfi"


def test_browser_extension(client, admin):
    """Ping, then "download this video" from a YouTube page: a preflight, then a POST with the token."""
    preflight = client.http.request(
        "OPTIONS",
        "/api/download/",
        headers={
            "Origin": EXTENSION,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == EXTENSION
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert {"authorization", "content-type"} <= {
        h.strip().lower() for h in preflight.headers["Access-Control-Allow-Headers"].split(",")
    }
    ping = send(client, "GET", "/api/ping/", admin, headers={"Origin": EXTENSION})
    assert ping.headers["Access-Control-Allow-Origin"] == EXTENSION and ping.json_body["response"] == "pong"
    body = {"data": [{"youtube_id": video_id(7), "status": "pending"}]}
    added = send(client, "POST", "/api/download/?autostart=true", admin, body, {"Origin": EXTENSION})
    assert added.status_code == 200 and added.headers["Access-Control-Allow-Origin"] == EXTENSION
    assert QueueItem.get(video_id(7)).status == "pending"
    assert "Access-Control-Allow-Credentials" not in added.headers


def test_plex_scanner_reads_the_version(client, admin):
    """The scanner compares `version` with v0.3.7 to choose how it parses dates."""
    version = send(client, "GET", "/api/ping/", admin).json_body["version"]
    assert version == "v0.4.13"
    assert tuple(int(part) for part in version.lstrip("v").split(".")) >= (0, 3, 7)


def test_pruner_and_subscription_listener_walk_pages_until_empty(client, admin):
    """Both loop `page=1, 2, ...` and stop at the first page whose `data` is empty."""
    for n in range(14):
        make_channel(n, subscribed=n % 2 == 0)
        make_video(n, channel=n)
    for path, expected in (("/api/video/", 14), ("/api/channel/?filter=subscribed", 7), ("/api/playlist/", 0)):
        seen, page = [], 1
        while True:
            separator = "&" if "?" in path else "?"
            response = send(client, "GET", f"{path}{separator}page={page}", admin)
            assert response.status_code == 200, (path, page)
            if not response.json_body["data"]:
                break
            seen += response.json_body["data"]
            page += 1
        assert len(seen) == expected, path
    queue = send(client, "GET", "/api/download/?filter=pending&page=2", admin)
    assert queue.status_code == 200 and queue.json_body["data"] == []
    assert send(client, "GET", f"/api/channel/{channel_id(1)}/video/?page=9", admin).status_code == 404


def test_kodi_lists_a_channel_and_a_playlist(client, admin):
    make_channel(1)
    make_channel(2)
    for n in range(1, 6):
        make_video(n, channel=1 if n < 4 else 2)
    make_playlist(1, [1, 5])
    by_channel = send(client, "GET", f"/api/video/?channel={channel_id(2)}&page=1", admin).json_body
    assert [v["youtube_id"] for v in by_channel["data"]] == [video_id(5), video_id(4)]
    assert all(v["channel"]["channel_id"] == channel_id(2) for v in by_channel["data"])
    by_playlist = send(client, "GET", f"/api/video/?playlist={playlist_id(1)}", admin).json_body
    assert [v["youtube_id"] for v in by_playlist["data"]] == [video_id(1), video_id(5)]  # the playlist's order
    for video in by_playlist["data"]:
        assert {"media_url", "vid_thumb_url", "player", "title", "published"} <= set(video)


def test_jf_art_fields(client, admin):
    """jf posts whatever the art URLs point at: links only where the art was stored."""
    channel = make_channel(1)
    channel.update(actions=[Channel.channel_art.set(["banner", "thumb"])])
    data = send(client, "GET", f"/api/channel/{channel_id(1)}/", admin).json_body["data"]
    assert data["channel_thumb_url"] and data["channel_banner_url"] and data["channel_tvart_url"] is False


def test_settings_clients_change(client, admin):
    """v0.5's settings page: read the config, change one key, read it back in every envelope."""
    config = send(client, "GET", "/api/appsettings/config/", admin).json_body
    assert config["downloads"]["autodelete_days"] is None
    changed = send(client, "POST", "/api/appsettings/config/", admin, {"downloads": {"autodelete_days": 14}})
    assert changed.status_code == 200 and changed.json_body["downloads"]["autodelete_days"] == 14
    assert send(client, "GET", "/api/channel/", admin).json_body["config"]["downloads"]["autodelete_days"] == 14
