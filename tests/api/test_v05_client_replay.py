"""The calls today's TubeArchivist clients make, replayed with a v0.5 token, with the fields each reads (written
from the clients' and TubeArchivist v0.5's sources): the browser extension, the Jellyfin plugin, the Kodi add-on."""

import pytest

from functions.core.dialects import V05
from functions.services.auth import users
from tests.api.calls import send
from tests.factories import channel_id, make_channel, make_playlist, make_video, playlist_id, video_id

CHANNEL_FIELDS = {"channel_id", "channel_name", "channel_subscribed", "channel_thumb_url", "channel_banner_url"}
VIDEO_FIELDS = {
    "youtube_id",
    "title",
    "description",
    "published",
    "vid_thumb_url",
    "media_url",
    "player",
    "channel",
    "stats",
    "tags",
    "vid_type",
}
PAGINATE_FIELDS = {"page_size", "current_page", "last_page", "total_hits"}


@pytest.fixture
def modern(aws):
    return users.create_user("client", "client-password", is_admin=True, dialect=V05)


@pytest.fixture
def archive(aws):
    make_channel(1, "Channel One", subscribed=True)
    make_channel(2, "Channel Two")
    make_video(1, title="Alpha")
    make_video(2, title="Beta")
    make_video(3, channel=2, title="Gamma")
    make_playlist(1, [1, 2], "Both")


def test_browser_extension(client, modern, archive):
    """Its popup checks the connection and the cookie; on a channel page it asks for the channel, bare."""
    ping = send(client, "GET", "/api/ping/", modern)
    assert ping.status_code == 200 and ping.json_body["response"] == "pong"
    cookie = send(client, "GET", "/api/appsettings/cookie/", modern)
    assert cookie.status_code == 200
    assert cookie.json_body["cookie_enabled"] is False and "status" in cookie.json_body
    found = send(client, "GET", f"/api/channel/search/?q={channel_id(1)}", modern)
    assert found.status_code == 200
    assert set(found.json_body) >= CHANNEL_FIELDS and found.json_body["channel_subscribed"] is True
    missing = send(client, "GET", f"/api/channel/search/?q={channel_id(9)}", modern)
    assert missing.status_code == 404 and "error" in missing.json_body


def test_browser_extension_buttons(client, modern, archive):
    """Its buttons on YouTube's pages (background.js): "videoExists" GETs `video/<id>/` and links the archive's page
    unless the answer has `error`; "download" POSTs `download/` (`?autostart=true` when ticked) and counts any
    answer but null or `detail: "Invalid token."` a success; "subscribe" and "unsubscribe" POST `channel/` with
    `data: [{channel_id: <the page's channel URL>, channel_subscribed}]`, then "getChannel" reads the bare
    channel's `channel_subscribed`."""
    archived = send(client, "GET", f"/api/video/{video_id(1)}/", modern).json_body
    assert "error" not in archived and archived["youtube_id"] == video_id(1)
    assert "error" in send(client, "GET", f"/api/video/{video_id(9)}/", modern).json_body
    row = {"youtube_id": f"https://www.youtube.com/watch?v={video_id(9)}", "status": "pending"}
    queued = send(client, "POST", "/api/download/", modern, body={"data": [row]})
    assert queued.status_code == 200 and queued.json_body is not None and "detail" not in queued.json_body
    listed = send(client, "GET", "/api/download/", modern).json_body["data"]
    assert [item["youtube_id"] for item in listed] == [video_id(9)]
    url = f"https://www.youtube.com/channel/{channel_id(2)}"
    for subscribed in (True, False):
        rows = [{"channel_id": url, "channel_subscribed": subscribed}]
        answer = send(client, "POST", "/api/channel/", modern, body={"data": rows})
        assert answer.status_code == 200 and "detail" not in answer.json_body
        found = send(client, "GET", f"/api/channel/search/?q={channel_id(2)}", modern).json_body
        assert found["channel_subscribed"] is subscribed


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/ping/"),
        ("GET", "/api/appsettings/cookie/"),
        ("PUT", "/api/appsettings/cookie/"),
        ("POST", "/api/download/?autostart=true"),
        ("POST", "/api/channel/"),
        ("GET", "/api/video/vid00000001/"),
        ("GET", "/api/channel/search/?q=@handle"),
    ],
)
def test_browser_extension_preflights(client, method, path):
    """background.js sends Accept, Content-Type, Authorization and a `mode: no-cors` header from the extension's
    origin, which has no host permission on the archive: each call is preflighted, and the browser refuses the
    call unless every header it asks for is allowed (TubeArchivist allows `mode`)."""
    origin = "chrome-extension://kdjaehpgjpkbkmchpknbbmkbgnkbgpml"
    asked = "authorization,content-type,mode"
    headers = {"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": asked}
    response = client.http.request("OPTIONS", path, headers=headers)
    assert response.status_code == 204 and response.headers["Access-Control-Allow-Origin"] == origin
    allowed = {name.strip().lower() for name in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert set(asked.split(",")) <= allowed
    assert method in response.headers["Access-Control-Allow-Methods"].split(", ")


def test_jellyfin_plugin(client, modern, archive):
    """It maps bare Video and Channel objects onto its items and reads custom playlists as collections."""
    video = send(client, "GET", f"/api/video/{video_id(1)}/", modern).json_body
    assert set(video) >= VIDEO_FIELDS and video["channel"]["channel_id"] == channel_id(1)
    assert {"duration", "watched"} <= set(video["player"])
    channel = send(client, "GET", f"/api/channel/{channel_id(1)}/", modern).json_body
    assert set(channel) >= CHANNEL_FIELDS and channel["channel_name"] == "Channel One"
    custom = send(client, "POST", "/api/playlist/custom/", modern, body={"playlist_name": "Jellyfin"}).json_body
    path = f"/api/playlist/custom/{custom['playlist_id']}/"
    send(client, "POST", path, modern, body={"action": "create", "video_id": video_id(3)})
    playlist = send(client, "GET", f"/api/playlist/{custom['playlist_id']}/", modern).json_body
    assert playlist["playlist_type"] == "custom"
    assert [e["youtube_id"] for e in playlist["playlist_entries"]] == [video_id(3)]
    videos = send(client, "GET", f"/api/playlist/{custom['playlist_id']}/video/", modern).json_body
    assert set(videos) == {"data", "paginate"} and [v["youtube_id"] for v in videos["data"]] == [video_id(3)]
    filtered = send(client, "GET", f"/api/video/?playlist={custom['playlist_id']}", modern).json_body
    assert [v["youtube_id"] for v in filtered["data"]] == [video_id(3)]


def test_jellyfin_plugin_playlist_sync(client, modern, admin, archive):
    """Its playlist sync (TubeArchivistApi.cs) reads `playlist/` as `ResponseContainer<ISet<Playlist>>` and pages
    while `current_page < last_page`; PaginationInfo types `prev_pages` `Collection<int>` and `last_page` `int`,
    so the first page's `prev_pages` is null and a single page's `last_page` 0 as TubeArchivist v0.5 answers
    them, never false (a JSON boolean there fails Json.NET's deserialization: the sync found no playlist). It
    creates custom playlists, moves their entries (`up`, `down`, `top`, `bottom`, `remove`) and deletes a
    playlist expecting a 204."""
    first = send(client, "GET", "/api/playlist/", modern).json_body
    assert first["paginate"]["prev_pages"] is None and first["paginate"]["current_page"] == 0
    assert first["paginate"]["last_page"] == 0 and first["paginate"]["last_page"] is not False
    assert isinstance(first["paginate"]["next_pages"], list)
    v04 = send(client, "GET", "/api/playlist/", admin).json_body["paginate"]
    assert v04["prev_pages"] is False and v04["last_page"] is False
    assert send(client, "GET", "/api/playlist/?page=2", modern).json_body["paginate"]["prev_pages"] == []
    custom = send(client, "POST", "/api/playlist/custom/", modern, body={"playlist_name": "Sync"}).json_body
    path = f"/api/playlist/custom/{custom['playlist_id']}/"
    for n in (1, 2, 3):
        assert send(client, "POST", path, modern, body={"action": "create", "video_id": video_id(n)}).status_code == 200
    for action in ("up", "down", "top", "bottom"):
        moved = send(client, "POST", path, modern, body={"action": action, "video_id": video_id(2)})
        assert moved.status_code == 200, (action, moved.json_body)
    send(client, "POST", path, modern, body={"action": "remove", "video_id": video_id(1)})
    entries = send(client, "GET", f"/api/playlist/{custom['playlist_id']}/", modern).json_body["playlist_entries"]
    assert [e["youtube_id"] for e in entries] == [video_id(3), video_id(2)]
    deleted = send(client, "DELETE", f"/api/playlist/{custom['playlist_id']}/", modern)
    assert deleted.status_code == 204


def test_kodi_addon_in_progress_and_watched(client, modern, archive):
    """Its "In Progress Videos" pages `video/?watch=continue&page=N` until `last_page`; its player posts the
    position when stopped, and when a video ends posts `watched/` and then a position of 0."""

    def in_progress() -> list[str]:
        listed, page = [], 1
        while True:
            body = send(client, "GET", f"/api/video/?watch=continue&page={page}", modern).json_body
            assert set(body) == {"data", "paginate"} and set(body["paginate"]) >= PAGINATE_FIELDS
            if not body["data"]:
                break
            listed += [video["youtube_id"] for video in body["data"]]
            if page >= int(body["paginate"]["last_page"] or page):
                break
            page += 1
        return listed

    assert in_progress() == []
    for n, position in ((1, 40), (3, 25)):
        sent = send(client, "POST", f"/api/video/{video_id(n)}/progress/", modern, body={"position": position})
        assert sent.status_code == 200
    assert in_progress() == [video_id(3), video_id(1)]  # newest published first
    assert (
        send(client, "POST", "/api/watched/", modern, body={"id": video_id(1), "is_watched": True}).status_code == 200
    )
    assert send(client, "POST", f"/api/video/{video_id(1)}/progress/", modern, body={"position": 0}).status_code == 200
    assert in_progress() == [video_id(3)]
    video = send(client, "GET", f"/api/video/{video_id(1)}/", modern).json_body
    assert video["player"]["watched"] is True
    watched = send(client, "GET", "/api/video/?watch=watched", modern).json_body
    assert [v["youtube_id"] for v in watched["data"]] == [video_id(1)]


def test_kodi_addon(client, modern, archive):
    """It browses channels, then a channel's videos through the `channel` filter of /api/video/."""
    channels = send(client, "GET", "/api/channel/", modern).json_body
    assert set(channels) == {"data", "paginate"} and set(channels["paginate"]) >= PAGINATE_FIELDS
    assert [c["channel_name"] for c in channels["data"]] == ["Channel One", "Channel Two"]
    filtered = send(client, "GET", f"/api/video/?channel={channel_id(1)}&order=asc", modern).json_body
    assert [v["youtube_id"] for v in filtered["data"]] == [video_id(1), video_id(2)]
    assert filtered["paginate"]["total_hits"] == 2
    listed = send(client, "GET", f"/api/video/?playlist={playlist_id(1)}", modern).json_body
    assert {v["youtube_id"] for v in listed["data"]} == {video_id(1), video_id(2)}
    nav = send(client, "GET", f"/api/video/{video_id(1)}/nav/", modern).json_body
    assert nav[0]["playlist_meta"]["playlist_name"] == "Both"
