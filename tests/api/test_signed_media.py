"""Signed media links (functions.storage.signing, /signed/...): files without a credential, for players that
send none; the signature in the path covers the key and the expiry."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from functions.core.settings import get_settings
from functions.storage import aws as aws_clients
from functions.storage import s3, signing
from tests.factories import channel_id, video_id

KEY = s3.media_key(channel_id(1), video_id(1))
CORS = "Access-Control-Allow-Origin"


@pytest.fixture
def stored(aws):
    aws_clients.client("s3").put_object(
        Bucket=get_settings().media_bucket, Key=KEY, Body=b"0123456789", ContentType="video/mp4"
    )
    return KEY


def test_get_redirects_to_a_presigned_url_without_credentials(client, stored):
    path = signing.signed_path(stored)
    assert path.endswith(f"/{video_id(1)}.mp4") and "?" not in path
    answer = client.http.get(path)
    assert answer.status_code == 302 and answer.headers[CORS] == "*"
    location = urlsplit(answer.headers["Location"])
    assert location.path.endswith("/" + stored) and "X-Amz-Signature" in parse_qs(location.query)


def test_head_answers_type_and_size_with_cors(client, stored):
    answer = client.http.request("HEAD", signing.signed_path(stored))
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "video/mp4" and answer.headers["Content-Length"] == "10"
    assert answer.headers[CORS] == "*"


def test_a_client_query_string_does_not_break_the_link(client, stored):
    assert client.http.get(signing.signed_path(stored) + "?local=true").status_code == 302


def test_links_of_one_window_are_the_same_and_last_at_least_their_lifetime():
    now = 1_767_225_600.5
    first, second = signing.signed_path(KEY, 3600, now), signing.signed_path(KEY, 3600, now + 1)
    assert first == second
    expires = int(first.split("/")[2])
    assert now + 3600 <= expires <= now + 3600 + signing.WINDOW_SECONDS


@pytest.mark.parametrize(
    "change",
    [
        lambda parts: parts.__setitem__(3, parts[3][:-2] + ("AA" if parts[3][-2:] != "AA" else "BB")),  # signature
        lambda parts: parts.__setitem__(2, str(int(parts[2]) + 3600)),  # a later expiry
        lambda parts: parts.__setitem__(5, video_id(2) + ".mp4"),  # another file of the folder
    ],
    ids=["signature", "expiry", "file"],
)
def test_a_changed_link_is_refused(client, stored, change):
    parts = signing.signed_path(stored).split("/")
    change(parts)
    answer = client.http.get("/".join(parts))
    assert answer.status_code == 403 and answer.json_body == {"error": signing.INVALID}
    assert answer.headers[CORS] == "*"


def test_an_expired_link_is_refused(client, stored):
    path = signing.signed_path(stored, lifetime=0, now=time.time() - 2 * signing.WINDOW_SECONDS)
    answer = client.http.get(path)
    assert answer.status_code == 403 and answer.json_body == {"error": signing.EXPIRED}


def test_a_missing_file_is_404(client, aws):
    answer = client.http.get(signing.signed_path(s3.video_thumb_key(video_id(3))))
    assert answer.status_code == 404 and "error" in answer.json_body


def test_only_media_and_cache_keys_are_signed():
    with pytest.raises(ValueError):
        signing.signed_path("snapshots/x/manifest.json")
