"""/media/... and /cache/...: 302 to a short-lived presigned URL of an existing S3 object, names checked first."""

from urllib.parse import parse_qs, urlsplit

import pytest

from functions.core.settings import get_settings
from functions.http.ta import media as media_api
from functions.services.auth import sessions
from functions.storage import s3
from functions.storage.aws import client as bucket_client
from tests.api.calls import BAD_TOKEN, INVALID_TOKEN, NO_CREDENTIALS, other_methods, send, spy_on_storage
from tests.conftest import token_headers
from tests.factories import channel_id, playlist_id, video_id

VIDEO = video_id(1)
CHANNEL = channel_id(1)
# Each kind of file the API serves, by its path (the S3 key with a leading slash).
FILES = [
    f"/media/{CHANNEL}/{VIDEO}.mp4",
    f"/media/{CHANNEL}/{VIDEO}.webm",
    f"/media/{CHANNEL}/{VIDEO}.en.vtt",
    f"/cache/videos/v/{VIDEO}.jpg",
    f"/cache/channels/{CHANNEL}_thumb.jpg",
    f"/cache/channels/{CHANNEL}_banner.jpg",
    f"/cache/channels/{CHANNEL}_tvart.jpg",
    f"/cache/playlists/{playlist_id(1)}.jpg",
]


def put(key: str) -> None:
    bucket_client("s3").put_object(Bucket=get_settings().media_bucket, Key=key, Body=b"file")


@pytest.fixture
def files(aws):
    for path in FILES:
        put(path[1:])
    put(s3.info_json_key(CHANNEL, VIDEO))  # stored beside the media, never served
    return FILES


@pytest.mark.parametrize("path", FILES)
@pytest.mark.parametrize("slash", ["", "/"])
def test_files_redirect_to_a_short_lived_presigned_url(client, admin, files, path, slash):
    response = client.http.get(path + slash, headers=token_headers(admin))
    assert response.status_code == 302 and not response.body
    location = urlsplit(response.headers["Location"])
    assert location.path.endswith(path) and get_settings().media_bucket in location.netloc + location.path
    query = parse_qs(location.query)
    assert query["X-Amz-Expires"] == [str(get_settings().presign_seconds)]
    assert "X-Amz-Signature" in query


def test_the_session_cookie_fetches_files(client, admin, files):
    session, _ = sessions.start_session(admin)
    response = client.http.get(FILES[3], headers={"Cookie": f"{sessions.SESSION_COOKIE}={session}"})
    assert response.status_code == 302


@pytest.mark.parametrize("path", FILES)
def test_files_need_credentials(client, files, path):
    response = client.http.get(path)
    assert (response.status_code, response.json_body) == (403, NO_CREDENTIALS)
    response = client.http.get(path, headers=BAD_TOKEN)
    assert (response.status_code, response.json_body) == (403, INVALID_TOKEN)


@pytest.mark.parametrize("path", FILES)
def test_a_file_the_archive_lacks_is_404(client, admin, aws, path):
    response = client.http.get(path, headers=token_headers(admin))
    assert response.status_code == 404
    assert response.json_body == {"data": False, "error": f"file {path} not found"}


@pytest.mark.parametrize(
    "path",
    [
        f"/media/{CHANNEL}/{VIDEO}.info.json",  # exists, but is no media file
        f"/media/{CHANNEL}/{VIDEO}.exe",
        f"/media/{CHANNEL}/short.mp4",
        f"/media/{CHANNEL}/..%2F..%2Fcomments%2F{VIDEO}.json",
        f"/media/UCshort/{VIDEO}.mp4",
        f"/media/..%2Fcache/{VIDEO}.mp4",
        f"/cache/videos/x/{VIDEO}.jpg",  # the wrong shard
        f"/cache/videos/V/{VIDEO}.jpg",
        f"/cache/videos/v/{VIDEO}.png",
        f"/cache/videos/v/..%2F..%2F{VIDEO}.jpg",
        f"/cache/channels/{CHANNEL}_other.jpg",
        f"/cache/channels/{CHANNEL}.jpg",
        "/cache/channels/..%2F..%2Fsnapshots%2Fx.jpg",
        "/cache/playlists/XX00000000000001.jpg",
        f"/cache/playlists/{playlist_id(1)}.jpeg",
    ],
)
def test_names_outside_the_patterns_are_404_and_never_reach_s3(client, admin, files, monkeypatch, path):
    spy = spy_on_storage(monkeypatch)
    response = client.http.get(path, headers=token_headers(admin))
    assert response.status_code == 404 and response.json_body["data"] is False
    assert not any(call.startswith("presigned_url") for call in spy.calls)


@pytest.mark.parametrize(("method", "path", "allowed"), other_methods(media_api.router))
def test_other_methods_are_405(client, admin, files, method, path, allowed):
    concrete = path.replace(f"{CHANNEL}/{VIDEO}.jpg", f"{CHANNEL}/{VIDEO}.mp4")
    response = send(client, method, concrete, admin)
    assert response.status_code == 405 and response.headers["Allow"] == ", ".join(allowed)
    assert bucket_client("s3").head_object(Bucket=get_settings().media_bucket, Key=FILES[0][1:])
