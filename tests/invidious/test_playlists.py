"""Users' playlists: /api/v1/auth/playlists..., and the public GET /api/v1/playlists/{id}."""

import io
import json
import re
import sys

import pytest

from functions.core.settings import get_settings
from functions.schemas.invidious import PlaylistCreate, PlaylistVideoAdd
from functions.services.invidious import playlists, tokens
from functions.storage import aws, counters
from functions.storage.models import Counter, InvidiousPlaylist, InvidiousPlaylistEntry, Video
from tests.factories import channel_id, make_channel, make_video, video_id
from tests.invidious.iv_helpers import auth, call

PATH = "/api/v1/auth/playlists"
PUBLIC = "/api/v1/playlists"
MISSING = {"error": "Playlist does not exist."}
INVALID_USER = {"error": "Invalid user"}
PLAYLIST_ID = re.compile(r"^IVPL[A-Za-z0-9_-]{31}$")
PLAYLIST_KEYS = {
    "type",
    "title",
    "playlistId",
    "author",
    "authorId",
    "authorUrl",
    "authorThumbnails",
    "description",
    "descriptionHtml",
    "videoCount",
    "viewCount",
    "updated",
    "isListed",
    "videos",
}
VIDEO_KEYS = {
    "type",
    "title",
    "videoId",
    "author",
    "authorId",
    "authorUrl",
    "videoThumbnails",
    "index",
    "indexId",
    "lengthSeconds",
    "liveNow",
}


@pytest.fixture
def archive(aws):
    make_channel(1, name="Uploader")
    for n in range(1, 6):
        make_video(n, channel=1, duration=60 + n)


def create(client, user, title="Mix", privacy="private", **extra):
    response = call(client, "POST", PATH, auth(user), {"title": title, "privacy": privacy, **extra})
    assert response.status_code == 201, response.body
    return response.json_body["playlistId"]


def add(client, user, playlist_id, n):
    response = call(client, "POST", f"{PATH}/{playlist_id}/videos", auth(user), {"videoId": video_id(n)})
    assert response.status_code == 201, response.body
    return response.json_body


def get(client, user, playlist_id, query=""):
    response = call(client, "GET", f"{PATH}/{playlist_id}{query}", auth(user))
    assert response.status_code == 200, response.body
    return response.json_body


def snapshot() -> tuple:
    """Everything the playlist tables and their counters hold, to show a request changed nothing."""
    lists = sorted(
        (p.playlist_id, p.title, p.description, p.privacy, int(p.video_count)) for p in InvidiousPlaylist.scan()
    )
    entries = sorted((e.playlist_id, e.index_id) for e in InvidiousPlaylistEntry.scan())
    counts = sorted((c.name, int(c.count)) for c in Counter.scan() if c.name.startswith("iv_playlists"))
    return lists, entries, counts


def fill(playlist_id: str, count: int) -> None:
    """Give a playlist `count` entries at once, as that many adds would have left it."""
    with InvidiousPlaylistEntry.batch_write() as batch:
        for n in range(count):
            batch.save(
                InvidiousPlaylistEntry(
                    playlist_id,
                    f"{n + 1:X}",
                    position=n,
                    youtube_id=video_id(n % 5 + 1),
                    title=f"Video {n % 5 + 1}",
                    author="Uploader",
                    author_id=channel_id(1),
                    length_seconds=61,
                )
            )
    InvidiousPlaylist(playlist_id).update(
        actions=[InvidiousPlaylist.video_count.set(count), InvidiousPlaylist.next_position.set(count)]
    )


def test_other_users_private_playlist_is_404_for_every_route(client, admin, other, archive):
    private = create(client, admin, privacy="private")
    entry = add(client, admin, private, 1)
    before = snapshot()
    for method, path, body in [
        ("GET", f"{PATH}/{private}", None),
        ("PATCH", f"{PATH}/{private}", {"title": "changed"}),
        ("DELETE", f"{PATH}/{private}", None),
        ("POST", f"{PATH}/{private}/videos", {"videoId": video_id(2)}),
        ("DELETE", f"{PATH}/{private}/videos/{entry['indexId']}", None),
    ]:
        response = call(client, method, path, auth(other), body)
        assert response.status_code == 404, (method, path)
        assert response.json_body == MISSING
    assert snapshot() == before


# ---------------------------------------------------------------- create and list


def test_create(client, admin):
    response = call(
        client,
        "POST",
        PATH,
        {**auth(admin), "Host": "archive.example.org", "X-Forwarded-Proto": "https"},
        {"title": "My list", "privacy": "Unlisted"},
    )
    assert response.status_code == 201
    playlist_id = response.json_body["playlistId"]
    assert PLAYLIST_ID.match(playlist_id)
    assert response.json_body == {"title": "My list", "playlistId": playlist_id}
    assert response.headers["Location"] == f"https://archive.example.org/api/v1/auth/playlists/{playlist_id}"
    stored = InvidiousPlaylist.get(playlist_id)
    assert stored.privacy == "unlisted" and stored.author == "admin" and int(stored.owner_id) == admin.user_id
    plain = call(client, "POST", PATH, {**auth(admin), "Host": "localhost:8000"}, {"title": "t", "privacy": "public"})
    assert plain.headers["Location"].startswith("http://localhost:8000/api/v1/auth/playlists/IVPL")


def test_titles_lose_angle_brackets_and_stop_at_150_bytes(client, admin):
    playlist_id = create(client, admin, title="<b>bold</b>")
    assert InvidiousPlaylist.get(playlist_id).title == "bbold/b"
    long_title = "é" * 100  # 200 bytes of UTF-8
    playlist_id = create(client, admin, title=long_title)
    title = InvidiousPlaylist.get(playlist_id).title
    assert title == "é" * 75 and len(title.encode()) == 150
    odd = "a" + "€" * 60  # 1 + 180 bytes: the cut falls inside a character, which is dropped whole
    title = InvidiousPlaylist.get(create(client, admin, title=odd)).title
    assert title == "a" + "€" * 49 and len(title.encode()) == 148


@pytest.mark.parametrize(
    "body",
    [
        {"privacy": "public"},
        {"title": "x"},
        {"title": "x", "privacy": "secret"},
        {"title": 5, "privacy": "public"},
        {"title": "x", "privacy": None},
        {"title": "<>", "privacy": "public"},
        {"title": "   ", "privacy": "public"},
    ],
)
def test_create_bad_input_is_400(client, admin, body):
    response = call(client, "POST", PATH, auth(admin), body)
    assert response.status_code == 400
    assert set(response.json_body) == {"error"}
    assert list(InvidiousPlaylist.scan()) == []


def test_create_malformed_json_is_400(client, admin):
    headers = {**auth(admin), "Content-Type": "application/json"}
    assert client.http.request("POST", PATH, headers=headers, body=b"{").status_code == 400
    assert client.http.request("POST", PATH, headers=headers, body=b'"title"').status_code == 400


def test_at_most_100_playlists(client, admin, other):
    viewer = tokens.InvidiousViewer(admin.user_id, "admin", "s", [], True)
    for n in range(99):
        playlists.create(viewer, PlaylistCreate(f"p{n}", "private"))
    last = create(client, admin, title="100th")
    response = call(client, "POST", PATH, auth(admin), {"title": "101st", "privacy": "private"})
    assert response.status_code == 400
    assert response.json_body == {"error": "User cannot have more than 100 playlists."}
    assert len(list(InvidiousPlaylist.by_owner.query(admin.user_id))) == 100
    create(client, other, title="others are not limited by admin's count")
    assert call(client, "DELETE", f"{PATH}/{last}", auth(admin)).status_code == 204
    create(client, admin, title="room again")
    assert Counter.get(counters.user_playlists(admin.user_id)).count == 100


def test_list(client, admin, other, archive):
    assert call(client, "GET", PATH, auth(admin)).json_body == []
    first = create(client, admin, title="First", privacy="public")
    second = create(client, admin, title="Second", privacy="private")
    create(client, other, title="Not mine")
    add(client, admin, second, 3)
    listed = call(client, "GET", PATH, auth(admin)).json_body
    assert [p["playlistId"] for p in listed] == [first, second]  # oldest first
    assert all(set(p) == PLAYLIST_KEYS for p in listed)
    assert [p["isListed"] for p in listed] == [True, False]
    assert [v["videoId"] for v in listed[1]["videos"]] == [video_id(3)]


# ---------------------------------------------------------------- reading one


def test_get_one(client, admin, archive):
    playlist_id = create(client, admin, title="Mix", privacy="public")
    call(client, "PATCH", f"{PATH}/{playlist_id}", auth(admin), {"description": "a <b> & c"})
    added = [add(client, admin, playlist_id, n) for n in (2, 1, 2)]
    body = get(client, admin, playlist_id)
    assert set(body) == PLAYLIST_KEYS
    assert body["type"] == "invidiousPlaylist"
    assert body["title"] == "Mix" and body["playlistId"] == playlist_id
    assert body["author"] == "admin"
    assert body["authorId"] is None and body["authorUrl"] is None and body["authorThumbnails"] == []
    assert body["description"] == "a <b> & c"
    assert body["descriptionHtml"] == "a &lt;b&gt; &amp; c"
    assert body["videoCount"] == 3 and body["viewCount"] == 0
    assert isinstance(body["updated"], int) and body["isListed"] is True
    assert body["videos"] == added  # the same objects the adds answered, in the order added
    video = body["videos"][1]
    assert set(video) == VIDEO_KEYS
    assert video["type"] == "video" and video["liveNow"] is False
    assert video["videoId"] == video_id(1) and video["title"] == "Video 1"
    assert video["author"] == "Uploader" and video["authorId"] == channel_id(1)
    assert video["authorUrl"] == f"/channel/{channel_id(1)}"
    assert video["lengthSeconds"] == 61
    assert [v["index"] for v in body["videos"]] == [0, 1, 2]
    assert all(re.fullmatch(r"[0-9A-F]{1,16}", v["indexId"]) for v in body["videos"])
    assert len({v["indexId"] for v in body["videos"]}) == 3
    assert len(video["videoThumbnails"]) == 9


def test_pages_of_100(client, admin, archive):
    playlist_id = create(client, admin)
    fill(playlist_id, 230)
    pages = [get(client, admin, playlist_id, f"?page={page}")["videos"] for page in (1, 2, 3, 4)]
    assert [len(videos) for videos in pages] == [100, 100, 30, 0]
    assert [v["index"] for v in pages[1]] == list(range(100, 200))
    assert get(client, admin, playlist_id)["videos"] == pages[0]
    assert get(client, admin, playlist_id)["videoCount"] == 230
    response = call(client, "GET", f"{PATH}/{playlist_id}?page=x", auth(admin))
    assert response.status_code == 400 and set(response.json_body) == {"error"}


def test_public_route(client, admin, other, archive):
    ids = {p: create(client, admin, title=p, privacy=p) for p in ("public", "unlisted", "private")}
    for privacy in ("public", "unlisted"):
        response = client.http.get(f"{PUBLIC}/{ids[privacy]}")
        assert response.status_code == 200
        assert response.json_body["title"] == privacy
        assert response.json_body["isListed"] is (privacy == "public")
    hidden = client.http.get(f"{PUBLIC}/{ids['private']}")
    assert hidden.status_code == 404 and hidden.json_body == MISSING
    # the owner is recognised by a token ...
    assert client.http.get(f"{PUBLIC}/{ids['private']}", headers=auth(admin)).status_code == 200
    narrow = auth(admin, scopes=["GET:playlists*"])
    assert client.http.get(f"{PUBLIC}/{ids['private']}", headers=narrow).status_code == 200
    # ... or a web login's SID cookie
    sid = tokens.new_session(admin.user_id, "admin", kind=tokens.WEB)
    assert client.http.get(f"{PUBLIC}/{ids['private']}", headers={"Cookie": f"SID={sid}"}).status_code == 200
    # but not by another user, a token out of scope, or a broken one
    for headers in (
        auth(other),
        auth(admin, scopes=["GET:feed"]),
        {"Authorization": "Bearer nonsense"},
        {"Cookie": "SID=v1:unknown"},
    ):
        response = client.http.get(f"{PUBLIC}/{ids['private']}", headers=headers)
        assert response.status_code == 404 and response.json_body == MISSING
    # the authenticated route: another user sees public and unlisted playlists, not private ones
    assert get(client, other, ids["unlisted"])["title"] == "unlisted"
    response = call(client, "GET", f"{PATH}/{ids['private']}", auth(other))
    assert response.status_code == 404 and response.json_body == MISSING


@pytest.mark.parametrize("playlist_id", ["IVPL" + "A" * 31, "IVPLshort", "PL0000000000000001", "x"])
def test_unknown_playlist_is_404(client, admin, playlist_id):
    for method, path, body in [
        ("GET", f"{PATH}/{playlist_id}", None),
        ("PATCH", f"{PATH}/{playlist_id}", {"title": "t"}),
        ("DELETE", f"{PATH}/{playlist_id}", None),
        ("POST", f"{PATH}/{playlist_id}/videos", {"videoId": video_id(1)}),
        ("DELETE", f"{PATH}/{playlist_id}/videos/ABC", None),
    ]:
        response = call(client, method, path, auth(admin), body)
        assert response.status_code == 404, (method, path)
        assert response.json_body == MISSING
    response = client.http.get(f"{PUBLIC}/{playlist_id}")
    assert response.status_code == 404 and response.json_body == MISSING


# ---------------------------------------------------------------- changing


def test_patch(client, admin):
    playlist_id = create(client, admin, title="Old")
    InvidiousPlaylist(playlist_id).update(actions=[InvidiousPlaylist.updated.set(1)])
    changes = {"title": "<New>", "description": "d", "privacy": "public"}
    response = call(client, "PATCH", f"{PATH}/{playlist_id}", auth(admin), changes)
    assert response.status_code == 204 and response.body == b""
    body = get(client, admin, playlist_id)
    assert (body["title"], body["description"], body["isListed"]) == ("New", "d", True)
    assert body["updated"] > 1
    assert call(client, "PATCH", f"{PATH}/{playlist_id}", auth(admin), {"privacy": "private"}).status_code == 204
    assert get(client, admin, playlist_id)["title"] == "New"  # fields not given stay
    assert InvidiousPlaylist.get(playlist_id).privacy == "private"
    call(client, "PATCH", f"{PATH}/{playlist_id}", auth(admin), {"description": "line\r\nnext"})
    assert InvidiousPlaylist.get(playlist_id).description == "line\nnext"


def test_patch_without_changes_keeps_updated(client, admin):
    playlist_id = create(client, admin, title="Same")
    InvidiousPlaylist(playlist_id).update(actions=[InvidiousPlaylist.updated.set(1)])
    same = {"title": "Same", "privacy": "PRIVATE", "description": ""}
    assert call(client, "PATCH", f"{PATH}/{playlist_id}", auth(admin), same).status_code == 204
    assert call(client, "PATCH", f"{PATH}/{playlist_id}", auth(admin), {}).status_code == 204
    assert InvidiousPlaylist.get(playlist_id).updated == 1


@pytest.mark.parametrize(
    "body",
    [
        {"privacy": "hidden"},
        {"title": 1},
        {"title": "<>"},
        {"description": ["x"]},
        {"description": "x" * 5001},
        {"title": "fine", "privacy": "nope"},
    ],
)
def test_patch_bad_input_is_400(client, admin, body):
    playlist_id = create(client, admin, title="Keep")
    response = call(client, "PATCH", f"{PATH}/{playlist_id}", auth(admin), body)
    assert response.status_code == 400 and set(response.json_body) == {"error"}
    stored = InvidiousPlaylist.get(playlist_id)
    assert (stored.title, stored.description, stored.privacy) == ("Keep", "", "private")


def test_delete_removes_entries(client, admin, archive):
    playlist_id = create(client, admin)
    keep = create(client, admin, title="Keep")
    for n in (1, 2, 3):
        add(client, admin, playlist_id, n)
    add(client, admin, keep, 4)
    response = call(client, "DELETE", f"{PATH}/{playlist_id}", auth(admin))
    assert response.status_code == 204 and response.body == b""
    response = call(client, "GET", f"{PATH}/{playlist_id}", auth(admin))
    assert response.status_code == 404 and response.json_body == MISSING
    assert list(InvidiousPlaylistEntry.query(playlist_id)) == []
    assert len(list(InvidiousPlaylistEntry.query(keep))) == 1
    assert Counter.get(counters.user_playlists(admin.user_id)).count == 1
    assert call(client, "DELETE", f"{PATH}/{playlist_id}", auth(admin)).status_code == 404


# ---------------------------------------------------------------- videos


def test_add_video(client, admin, archive):
    playlist_id = create(client, admin)
    headers = {**auth(admin), "Host": "archive.example.org"}
    response = call(client, "POST", f"{PATH}/{playlist_id}/videos", headers, {"videoId": video_id(4)})
    assert response.status_code == 201
    first = response.json_body
    assert response.headers["Location"] == (
        f"http://archive.example.org/api/v1/auth/playlists/{playlist_id}/videos/{first['indexId']}"
    )
    assert set(first) == VIDEO_KEYS
    assert first["index"] == 0 and first["videoId"] == video_id(4) and first["lengthSeconds"] == 64
    assert first["author"] == "Uploader" and first["liveNow"] is False
    second = add(client, admin, playlist_id, 4)  # the same video twice is two entries, as in Invidious
    assert second["index"] == 1 and second["indexId"] != first["indexId"]
    assert InvidiousPlaylist.get(playlist_id).video_count == 2


@pytest.mark.parametrize("body", [{}, {"videoId": 5}, {"videoId": "short"}, {"videoId": None}, []])
def test_add_bad_video_is_400(client, admin, archive, body):
    playlist_id = create(client, admin)
    response = call(client, "POST", f"{PATH}/{playlist_id}/videos", auth(admin), body)
    assert response.status_code == 400 and set(response.json_body) == {"error"}
    assert InvidiousPlaylist.get(playlist_id).video_count == 0
    assert list(InvidiousPlaylistEntry.query(playlist_id)) == []


def test_add_a_video_outside_the_archive_with_the_metadata_ytdlp_reads(client, admin, fake_youtube):
    video = next(v for v in fake_youtube.catalog.videos.values() if v.tab == "videos")
    channel = fake_youtube.catalog.channels[video.channel_id]
    playlist_id = create(client, admin)
    response = call(client, "POST", f"{PATH}/{playlist_id}/videos", auth(admin), {"videoId": video.youtube_id})
    assert response.status_code == 201, response.body
    added = response.json_body
    assert (added["videoId"], added["title"], added["author"]) == (video.youtube_id, video.title, channel.name)
    assert (added["authorId"], added["lengthSeconds"], added["index"]) == (channel.channel_id, video.duration, 0)
    assert get(client, admin, playlist_id)["videos"] == [added]
    assert list(Video.scan()) == []  # added to the playlist, not to the archive


def test_a_video_ytdlp_cannot_read_is_400(client, admin, fake_youtube):
    playlist_id = create(client, admin)
    response = call(client, "POST", f"{PATH}/{playlist_id}/videos", auth(admin), {"videoId": video_id(99)})
    assert response.status_code == 400
    assert response.json_body["error"].startswith(f"Video {video_id(99)} cannot be added: ")
    assert InvidiousPlaylist.get(playlist_id).video_count == 0
    assert list(InvidiousPlaylistEntry.query(playlist_id)) == []


def test_the_api_function_asks_the_lookup_function_for_videos_outside_the_archive(client, admin, archive, monkeypatch):
    """Deployed, the API function has no yt-dlp: a video the archive does not hold is read by the lookup function,
    invoked through Lambda (its reply stands in for it here: moto runs no Lambda code)."""
    monkeypatch.setitem(sys.modules, "yt_dlp", None)  # `import yt_dlp` fails, as in the API function
    monkeypatch.setenv("LOOKUP_FUNCTION", "ytarchive-dev-youtube_lookup")
    get_settings.cache_clear()
    invoked = []
    summary = {"title": "Elsewhere", "channel_name": "Them", "channel_id": channel_id(7), "duration": 61}

    class Lambda:
        def invoke(self, FunctionName, Payload):  # botocore names them so
            invoked.append((FunctionName, json.loads(Payload)))
            return {"Payload": io.BytesIO(json.dumps({"video": summary}).encode())}

    real_client = aws.client
    monkeypatch.setattr(aws, "client", lambda service: Lambda() if service == "lambda" else real_client(service))
    try:
        playlist_id = create(client, admin)
        response = call(client, "POST", f"{PATH}/{playlist_id}/videos", auth(admin), {"videoId": video_id(99)})
    finally:
        monkeypatch.delenv("LOOKUP_FUNCTION")
        get_settings.cache_clear()
    assert response.status_code == 201, response.body
    assert invoked == [("ytarchive-dev-youtube_lookup", {"action": "video_summary", "youtube_id": video_id(99)})]
    body = response.json_body
    assert (body["title"], body["author"], body["authorId"], body["lengthSeconds"]) == (
        "Elsewhere",
        "Them",
        channel_id(7),
        61,
    )


def test_at_most_500_videos(client, admin, archive):
    playlist_id = create(client, admin)
    fill(playlist_id, 499)
    last = add(client, admin, playlist_id, 1)
    assert last["index"] == 499
    response = call(client, "POST", f"{PATH}/{playlist_id}/videos", auth(admin), {"videoId": video_id(2)})
    assert response.status_code == 400
    assert response.json_body == {"error": "Playlist cannot have more than 500 videos"}
    assert InvidiousPlaylist.get(playlist_id).video_count == 500
    assert call(client, "DELETE", f"{PATH}/{playlist_id}/videos/{last['indexId']}", auth(admin)).status_code == 204
    add(client, admin, playlist_id, 2)
    assert InvidiousPlaylist.get(playlist_id).video_count == 500
    assert len(list(InvidiousPlaylistEntry.query(playlist_id))) == 500


def test_remove_video(client, admin, archive):
    playlist_id = create(client, admin)
    entries = [add(client, admin, playlist_id, n) for n in (1, 2, 3)]
    response = call(client, "DELETE", f"{PATH}/{playlist_id}/videos/{entries[0]['indexId']}", auth(admin))
    assert response.status_code == 204 and response.body == b""
    body = get(client, admin, playlist_id)
    assert [v["videoId"] for v in body["videos"]] == [video_id(2), video_id(3)]
    assert [v["index"] for v in body["videos"]] == [0, 1]
    assert body["videoCount"] == 2
    again = call(client, "DELETE", f"{PATH}/{playlist_id}/videos/{entries[0]['indexId']}", auth(admin))
    assert again.status_code == 404 and again.json_body == {"error": "Playlist does not contain index"}
    for bad in ("FFFF", "not-hex", "0" * 17):
        response = call(client, "DELETE", f"{PATH}/{playlist_id}/videos/{bad}", auth(admin))
        assert response.status_code == 404 and set(response.json_body) == {"error"}
    lower = entries[1]["indexId"].lower()
    assert call(client, "DELETE", f"{PATH}/{playlist_id}/videos/{lower}", auth(admin)).status_code == 204
    assert InvidiousPlaylist.get(playlist_id).video_count == 1


def test_entry_of_another_playlist_is_never_removed(client, admin, other, archive):
    mine = create(client, admin, title="A")
    also_mine = create(client, admin, title="B")
    theirs = create(client, other, title="C", privacy="public")
    entry_b = add(client, admin, also_mine, 1)
    entry_c = add(client, other, theirs, 2)
    before = snapshot()
    for index_id in (entry_b["indexId"], entry_c["indexId"]):
        response = call(client, "DELETE", f"{PATH}/{mine}/videos/{index_id}", auth(admin))
        assert response.status_code == 404 and set(response.json_body) == {"error"}
    response = call(client, "DELETE", f"{PATH}/{theirs}/videos/{entry_c['indexId']}", auth(admin))
    assert response.status_code == 403 and response.json_body == INVALID_USER
    assert snapshot() == before


def test_concurrent_adds_keep_count_and_positions(client, admin, archive, monkeypatch):
    """A writer that read the playlist before another add landed retries instead of double-booking a position."""
    playlist_id = create(client, admin)
    viewer = tokens.InvidiousViewer(admin.user_id, "admin", "s", [], True)
    stale = InvidiousPlaylist.get(playlist_id)
    playlists.add_video(viewer, playlist_id, PlaylistVideoAdd(video_id(1)))
    original_owned = playlists.owned
    reads = iter([stale])
    monkeypatch.setattr(playlists, "owned", lambda v, pid: next(reads, None) or original_owned(v, pid))
    video = playlists.add_video(viewer, playlist_id, PlaylistVideoAdd(video_id(2)))
    assert video["index"] == 1
    stored = InvidiousPlaylist.get(playlist_id)
    assert stored.video_count == 2 and stored.next_position == 2
    positions = sorted(int(e.position) for e in InvidiousPlaylistEntry.query(playlist_id))
    assert positions == [0, 1]
