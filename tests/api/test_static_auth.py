"""`application.disable_static_auth`: TA answers link files by absolute signed expiring URLs that a player without
credentials (Kodi, VLC, a casting device) plays; off by default, when files need the client's token. The Kodi
add-on's calls are replayed: its channel and watch filters, then its player fetching media_url with no header."""

from urllib.parse import urlsplit

import pytest

from functions.core.settings import get_settings
from functions.storage import aws as aws_clients
from functions.storage import s3
from functions.storage.models import AppSetting
from tests.api.calls import send
from tests.factories import channel_id, make_channel, make_video, video_id

HOST = {"Host": "archive.example:8000"}


@pytest.fixture
def archive(aws):
    make_channel(1)
    video = make_video(1, subtitles=[{"ext": "vtt", "lang": "en", "name": "English", "source": "user"}])
    for key in (
        s3.media_key(video.channel_id, video.youtube_id),
        s3.video_thumb_key(video.youtube_id),
        s3.subtitle_key(video.channel_id, video.youtube_id, "en"),
    ):
        aws_clients.client("s3").put_object(Bucket=get_settings().media_bucket, Key=key, Body=b"file")
    return video


def first_video(client, user):
    response = send(client, "GET", f"/api/video/?channel={channel_id(1)}", user, headers=HOST)
    assert response.status_code == 200, response.json_body
    return response.json_body["data"][0]


def links(video: dict) -> list[str]:
    return [video["media_url"], video["vid_thumb_url"], *(sub["media_url"] for sub in video["subtitles"])]


def test_off_by_default_files_need_the_token(client, admin, archive):
    video = first_video(client, admin)
    assert video["media_url"] == f"/media/{channel_id(1)}/{video_id(1)}.mp4"
    assert client.http.get(video["media_url"]).status_code == 403  # a player without the token
    assert send(client, "GET", video["media_url"], admin).status_code == 302


def test_kodi_plays_signed_links_without_credentials(client, admin, archive):
    changed = send(client, "POST", "/api/appsettings/config/", admin, {"application": {"disable_static_auth": True}})
    assert changed.status_code == 200 and changed.json_body["application"]["disable_static_auth"] is True
    for path in (f"/api/video/?channel={channel_id(1)}", f"/api/video/{video_id(1)}/"):
        response = send(client, "GET", path, admin, headers=HOST)
        body = response.json_body["data"]
        video = body[0] if isinstance(body, list) else body
        for url in links(video):
            parts = urlsplit(url)
            assert (parts.scheme, parts.netloc) == ("http", "archive.example:8000"), url
            assert parts.path.startswith("/signed/"), url
            answer = client.http.get(parts.path)  # no Authorization header, as Kodi's player sends
            assert answer.status_code == 302 and "X-Amz-Signature" in answer.headers["Location"], url


def test_the_setting_is_validated_and_nothing_stored(client, admin, archive):
    response = send(client, "POST", "/api/appsettings/config/", admin, {"application": {"disable_static_auth": 1}})
    assert response.status_code == 400 and "disable_static_auth" in response.json_body["error"]
    assert AppSetting.count("app") == 0
    assert first_video(client, admin)["media_url"].startswith("/media/")


def test_only_admins_change_it(client, other, archive):
    response = send(client, "POST", "/api/appsettings/config/", other, {"application": {"disable_static_auth": True}})
    assert response.status_code == 403
