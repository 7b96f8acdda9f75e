"""The public Invidious API over a `make demo`-like archive, checked field by field as each client reads it
(Clipious, Materialious, FreeTube, Yattee, Playlet, invidtui), and the media it links to."""

import calendar
import time
from urllib.parse import urlsplit

import pytest
import requests

from functions.storage import s3, signing
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
    assert body["usage"]["users"] == {"total": 1, "activeHalfyear": 1, "activeMonth": 1}
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
    # Materialious' shaka-player plays dashUrl natively when it ends in .mp4
    assert body["dashUrl"] == stream["url"] and urlsplit(body["dashUrl"]).path.endswith(".mp4")

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
