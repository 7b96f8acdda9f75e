"""The public Invidious API over a `make demo`-like archive, checked field by field as each client reads it
(Clipious, Materialious, FreeTube, Yattee, Playlet, invidtui), and the media it links to."""

import calendar
import time
from urllib.parse import urlsplit

import pytest
import requests

from functions.services import comments as archived_comments
from functions.services.invidious import channels
from functions.storage import s3, signing
from tests.factories import channel_id, make_channel, make_video, video_id
from tests.invidious.public_archive import archive_catalog

CORS = "Access-Control-Allow-Origin"
FORMAT_STRINGS = ("url", "itag", "type", "quality", "container", "encoding", "qualityLabel", "resolution", "size")
VIDEO_FIELDS = {
    "type": str,
    "title": str,
    "videoId": str,
    "videoThumbnails": list,
    "description": str,
    "descriptionHtml": str,
    "published": int,
    "publishedText": str,
    "keywords": list,
    "viewCount": int,
    "likeCount": int,
    "dislikeCount": int,
    "author": str,
    "authorId": str,
    "authorUrl": str,
    "authorThumbnails": list,
    "subCountText": str,
    "lengthSeconds": int,
    "allowRatings": bool,
    "rating": float,
    "isListed": bool,
    "isFamilyFriendly": bool,
    "allowedRegions": list,
    "genre": str,
    "paid": bool,
    "premium": bool,
    "liveNow": bool,
    "isPostLiveDvr": bool,
    "isUpcoming": bool,
    "dashUrl": str,
    "formatStreams": list,
    "adaptiveFormats": list,
    "captions": list,
    "storyboards": list,
    "recommendedVideos": list,
}


@pytest.fixture
def archive(aws, fake_youtube):
    return archive_catalog(aws, fake_youtube)


def signed_key(url: str) -> str:
    """The bucket key an absolute signed link names (it verifies)."""
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https") and parts.netloc and not parts.query
    expires, signature, folder, filename = parts.path.split("/")[2:]
    return signing.verify(expires, signature, folder, filename)


def a_video(archive, tab: str = "videos"):
    return next(v for v in archive.values() if v.vid_type == tab and v.subtitles)


# ---------------------------------------------------------------- instance checks


def test_stats_is_what_clipious_yattee_and_playlet_check(client, admin, archive):
    body = client.http.get("/api/v1/stats").json_body
    assert body["version"] == "2.0" and body["openRegistrations"] is False
    assert body["software"]["name"] == "invidious"
    assert all(isinstance(body["software"][k], str) for k in ("version", "branch"))
    assert body["usage"]["users"] == {"total": 1, "activeHalfyear": 0, "activeMonth": 0}  # admin sent nothing yet
    newest = max(int(v.date_downloaded) for v in archive.values())
    assert body["metadata"]["lastChannelRefreshedAt"] == newest
    assert body["metadata"]["updatedAt"] >= newest


def test_invidtui_checks_with_head_search(client):
    answer = client.http.request("HEAD", "/api/v1/search")
    assert answer.status_code == 200 and answer.headers[CORS] == "*"


# ---------------------------------------------------------------- videos


def test_an_archived_video_has_every_field_clipious_reads_with_its_type(client, archive):
    video = a_video(archive)
    answer = client.http.get(f"/api/v1/videos/{video.youtube_id}")
    assert answer.status_code == 200 and answer.headers[CORS] == "*"
    body = answer.json_body
    wrong = {k: type(body.get(k)).__name__ for k, kind in VIDEO_FIELDS.items() if not isinstance(body.get(k), kind)}
    assert not wrong
    assert (body["videoId"], body["title"], body["lengthSeconds"]) == (video.youtube_id, video.title, video.duration)
    assert body["published"] == calendar.timegm(time.strptime(video.published, "%Y-%m-%d"))
    assert body["keywords"] == list(video.tags) and body["viewCount"] == video.view_count

    (stream,) = body["formatStreams"]  # Clipious plays the last one
    assert all(isinstance(stream[k], str) and stream[k] for k in FORMAT_STRINGS)
    assert stream["container"] == "mp4" and stream["type"].startswith("video/mp4; codecs=")
    assert stream["size"] == f"{video.media_width}x{video.media_height}"
    assert stream["qualityLabel"] == f"{video.media_height}p"
    assert stream["clen"] == str(video.media_size) and isinstance(stream["bitrate"], str)
    key = s3.media_key(video.channel_id, video.youtube_id)
    assert signed_key(stream["url"]) == key
    # the download made a DASH rendition: dashUrl is its manifest (tests/invidious/test_dash.py)
    assert signed_key(body["dashUrl"]) == s3.manifest_key(video.channel_id, video.youtube_id)
    assert {f["type"].split(";")[0] for f in body["adaptiveFormats"]} == {"video/mp4", "audio/mp4"}

    # every thumbnail is absolute and signed (Clipious refuses relative ones)
    assert {signed_key(t["url"]) for t in body["videoThumbnails"]} == {s3.video_thumb_key(video.youtube_id)}
    assert {signed_key(t["url"]) for t in body["authorThumbnails"]} == {s3.channel_art_key(video.channel_id, "thumb")}

    (caption,) = body["captions"]
    assert caption["language_code"] == "en" and caption["label"]
    assert signed_key(caption["url"]) == s3.subtitle_key(video.channel_id, video.youtube_id, "en")

    recommended = body["recommendedVideos"]
    assert recommended and video.youtube_id not in {r["videoId"] for r in recommended}
    assert {r["videoId"] for r in recommended} <= set(archive)


def test_media_links_play_without_credentials(client, archive):
    video = a_video(archive)
    url = client.http.get(f"/api/v1/videos/{video.youtube_id}").json_body["formatStreams"][0]["url"]
    path = urlsplit(url).path
    head = client.http.request("HEAD", path)
    assert head.status_code == 200 and head.headers["Content-Type"] == "video/mp4"
    assert head.headers["Content-Length"] == str(video.media_size) and head.headers[CORS] == "*"
    # Materialious appends ?local=true to dashUrl: the signature is in the path, the query changes nothing
    answer = client.http.get(path + "?local=true")
    assert answer.status_code == 302 and answer.headers[CORS] == "*"
    # the presigned URL answers ranges (moto stands in for S3 here)
    ranged = requests.get(answer.headers["Location"], headers={"Range": "bytes=0-99"}, timeout=10)
    assert ranged.status_code == 206 and len(ranged.content) == 100
    assert ranged.content == s3.read(s3.media_key(video.channel_id, video.youtube_id))[:100]


def test_a_video_the_archive_does_not_hold_is_read_through_the_lookup(client, fake_youtube, aws):
    video = next(iter(fake_youtube.catalog.videos.values()))
    body = client.http.get(f"/api/v1/videos/{video.youtube_id}").json_body
    assert (body["videoId"], body["title"], body["authorId"]) == (video.youtube_id, video.title, video.channel_id)
    assert body["formatStreams"] == [] and body["lengthSeconds"] == video.duration


def test_a_video_nobody_has_is_404_with_an_error(client, fake_youtube, aws):
    for youtube_id in ("dQw4w9WgXcQ", "not-an-id"):
        answer = client.http.get(f"/api/v1/videos/{youtube_id}")
        assert answer.status_code == 404 and set(answer.json_body) == {"error"}
        assert answer.headers[CORS] == "*"


# ---------------------------------------------------------------- channels


def test_materialious_accepts_a_channel_of_the_archive(client, archive):
    video = a_video(archive)
    answer = client.http.get(f"/api/v1/channels/{video.channel_id}")
    assert answer.status_code == 200
    body = answer.json_body
    assert body["authorId"] == video.channel_id and isinstance(body["author"], str) and body["author"]
    assert isinstance(body["subCount"], int) and body["autoGenerated"] is False
    assert {signed_key(b["url"]) for b in body["authorBanners"]} == {s3.channel_art_key(video.channel_id, "banner")}
    own = {v.youtube_id for v in archive.values() if v.channel_id == video.channel_id and v.vid_type == "videos"}
    assert {v["videoId"] for v in body["latestVideos"]} == own
    assert all(v["type"] == "video" and v["authorId"] == video.channel_id for v in body["latestVideos"])


def test_a_channel_outside_the_archive_is_read_through_the_lookup(client, fake_youtube, aws):
    channel = next(iter(fake_youtube.catalog.channels.values()))
    body = client.http.get(f"/api/v1/channels/{channel.channel_id}").json_body
    assert (body["authorId"], body["author"], body["latestVideos"]) == (channel.channel_id, channel.name, [])
    unknown = client.http.get(f"/api/v1/channels/{channel_id(99)}")
    assert unknown.status_code == 404 and set(unknown.json_body) == {"error"}


def test_channel_tabs_page_with_continuations_and_keep_their_kinds(client, aws, monkeypatch):
    monkeypatch.setattr(channels, "TAB_SIZE", 4)
    make_channel(1)
    for n in range(1, 14):
        make_video(n, channel=1, published=f"2024-02-{(n % 28) + 1:02d}", vid_type="shorts" if n % 5 == 0 else "videos")
    first = client.http.get(f"/api/v1/channels/{channel_id(1)}/videos").json_body
    assert len(first["videos"]) == 4 and first["continuation"]
    seen = [v["videoId"] for v in first["videos"]]
    token = first["continuation"]
    while token:
        page = client.http.get(f"/api/v1/channels/{channel_id(1)}/videos?continuation={token}").json_body
        seen += [v["videoId"] for v in page["videos"]]
        token = page["continuation"]
    expected = [video_id(n) for n in range(1, 14) if n % 5]
    assert sorted(seen) == sorted(expected) and len(seen) == len(set(seen))
    published = [v["published"] for v in first["videos"]]
    assert published == sorted(published, reverse=True)
    shorts = client.http.get(f"/api/v1/channels/{channel_id(1)}/shorts").json_body
    assert sorted(v["videoId"] for v in shorts["videos"]) == [video_id(n) for n in range(5, 14, 5)]
    latest = client.http.get(f"/api/v1/channels/{channel_id(1)}/latest").json_body
    assert latest["videos"] == first["videos"]
    assert client.http.get(f"/api/v1/channels/{channel_id(1)}/streams").json_body == {
        "videos": [],
        "continuation": None,
    }
    bad = client.http.get(f"/api/v1/channels/{channel_id(1)}/videos?continuation=%%%")
    assert bad.status_code == 400 and bad.headers[CORS] == "*"


def test_channel_playlists_and_search(client, archive, fake_youtube):
    video = a_video(archive)
    listed = client.http.get(f"/api/v1/channels/{video.channel_id}/playlists").json_body
    (playlist,) = listed["playlists"]
    fake = fake_youtube.catalog.playlists[playlist["playlistId"]]
    assert playlist["type"] == "playlist" and playlist["videoCount"] == len(fake.video_ids)
    found = client.http.get(f"/api/v1/channels/{video.channel_id}/search?q={video.title.split()[0]}").json_body
    assert found and all(v["authorId"] == video.channel_id for v in found)
    assert video.youtube_id in {v["videoId"] for v in found}


# ---------------------------------------------------------------- playlists


@pytest.mark.parametrize("route", ["/api/v1/playlists/", "/api/v1/auth/playlists/"])
def test_youtube_playlists_of_the_archive_on_both_routes(client, admin, archive, fake_youtube, route):
    from tests.invidious.iv_helpers import auth

    fake = next(iter(fake_youtube.catalog.playlists.values()))
    answer = client.http.get(route + fake.playlist_id, headers=auth(admin) if "auth" in route else {})
    assert answer.status_code == 200, answer.body
    body = answer.json_body
    assert (body["playlistId"], body["title"], body["videoCount"]) == (
        fake.playlist_id,
        fake.title,
        len(fake.video_ids),
    )
    assert [v["videoId"] for v in body["videos"]] == fake.video_ids
    assert [v["index"] for v in body["videos"]] == list(range(len(fake.video_ids)))
    assert all(v["lengthSeconds"] == archive[v["videoId"]].duration for v in body["videos"])
    assert signed_key(body["playlistThumbnail"]) == s3.playlist_thumb_key(fake.playlist_id)  # stored at download
    assert (
        client.http.get(route + fake.playlist_id + "?page=2", headers=auth(admin) if "auth" in route else {}).json_body[
            "videos"
        ]
        == []
    )
    missing = client.http.get(route + "PL" + "x" * 16, headers=auth(admin) if "auth" in route else {})
    assert missing.status_code == 404 and "error" in missing.json_body


# ---------------------------------------------------------------- search and home


def test_search_by_type_with_paging_and_sorting(client, archive):
    video = a_video(archive)
    word = video.title.split()[0]
    videos = client.http.get(f"/api/v1/search?q={word}").json_body
    assert videos and {v["type"] for v in videos} == {"video"}
    assert video.youtube_id in {v["videoId"] for v in videos}
    channels = client.http.get(f"/api/v1/search?q={word}&type=channel").json_body
    assert [c["authorId"] for c in channels] == [video.channel_id]
    assert channels[0]["videoCount"] == sum(1 for v in archive.values() if v.channel_id == video.channel_id)
    everything = client.http.get(f"/api/v1/search?q={word}&type=all").json_body
    assert {"video", "channel", "playlist"} <= {item["type"] for item in everything}
    by_views = client.http.get(f"/api/v1/search?q={word}&sort_by=view_count").json_body
    assert [v["viewCount"] for v in by_views] == sorted((v["viewCount"] for v in by_views), reverse=True)
    assert client.http.get(f"/api/v1/search?q={word}&page=2").json_body == []
    for bad in ("type=movie", "sort_by=random", "page=x"):
        answer = client.http.get(f"/api/v1/search?q={word}&{bad}")
        assert answer.status_code == 400 and "error" in answer.json_body and answer.headers[CORS] == "*"


def test_suggestions_popular_and_trending_come_from_the_archive(client, archive):
    video = a_video(archive)
    typed = video.title[:3]
    body = client.http.get(f"/api/v1/search/suggestions?q={typed}").json_body
    assert body["query"] == typed and video.title in body["suggestions"]
    popular = client.http.get("/api/v1/popular").json_body
    assert {v["videoId"] for v in popular} == set(archive) and {v["type"] for v in popular} == {"shortVideo"}
    assert [v["viewCount"] for v in popular] == sorted((v["viewCount"] for v in popular), reverse=True)
    trending = client.http.get("/api/v1/trending").json_body
    assert {v["videoId"] for v in trending} == set(archive)
    assert [v["published"] for v in trending] == sorted((v["published"] for v in trending), reverse=True)


# ---------------------------------------------------------------- comments, captions, thumbnails


def test_comments_in_invidious_shape_with_continuations(client, aws):
    make_channel(1)
    make_video(1)
    raw = [
        {"id": f"c{n}", "text": f"comment {n}", "author": f"a{n}", "timestamp": 1_700_000_000 + n} for n in range(25)
    ]
    raw += [{"id": f"r{n}", "text": f"reply {n}", "parent": "c0", "author": "b"} for n in range(3)]
    archived_comments.store_comments(video_id(1), raw)
    first = client.http.get(f"/api/v1/comments/{video_id(1)}").json_body
    assert first["commentCount"] == 28 and first["videoId"] == video_id(1)
    assert [c["commentId"] for c in first["comments"]] == [f"c{n}" for n in range(20)]
    top = first["comments"][0]
    assert (top["content"], top["author"], top["published"]) == ("comment 0", "a0", 1_700_000_000)
    assert top["replies"]["replyCount"] == 3
    second = client.http.get(f"/api/v1/comments/{video_id(1)}?continuation={first['continuation']}").json_body
    assert [c["commentId"] for c in second["comments"]] == [f"c{n}" for n in range(20, 25)]
    assert second["continuation"] is None
    replies = client.http.get(f"/api/v1/comments/{video_id(1)}?continuation={top['replies']['continuation']}")
    assert [c["commentId"] for c in replies.json_body["comments"]] == ["r0", "r1", "r2"]
    assert client.http.get(f"/api/v1/comments/{video_id(2)}").status_code == 404


def test_captions_list_and_webvtt(client, archive):
    video = a_video(archive)
    (track,) = client.http.get(f"/api/v1/captions/{video.youtube_id}").json_body["captions"]
    vtt = client.http.get(f"/api/v1/captions/{video.youtube_id}?label={track['label']}")
    assert vtt.status_code == 200 and vtt.headers["Content-Type"].startswith("text/vtt")
    assert vtt.body.decode().startswith("WEBVTT") and video.youtube_id in vtt.body.decode()
    assert client.http.get(f"/api/v1/captions/{video.youtube_id}?lang=xx").status_code == 404


def test_thumbnails_freetube_builds_itself(client, archive):
    video = a_video(archive)
    for name in ("mqdefault.jpg", "maxresdefault.jpg", "1.jpg"):
        answer = client.http.get(f"/vi/{video.youtube_id}/{name}")
        assert answer.status_code == 302 and s3.video_thumb_key(video.youtube_id) in answer.headers["Location"]
    assert client.http.get(f"/vi/{video.youtube_id}/x.gif").status_code == 404
    assert client.http.get(f"/vi/{video_id(77)}/mqdefault.jpg").status_code == 404
