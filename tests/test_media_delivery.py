"""Media URLs through CloudFront: the signing code against CloudFront's documented canned policy, checked here the
way CloudFront checks a signed URL (with the key group's public keys), and functions.storage.delivery in both of
its modes through the API."""

import base64
import json
import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from functions.core.settings import get_settings
from functions.storage import cloudfront, delivery
from functions.storage.aws import client as aws_client
from tests.conftest import token_headers
from tests.factories import channel_id, video_id

DOMAIN = "d111111abcdef8.cloudfront.net"
KEY_IDS = ("K2JCJMDEHXQW5F", "K3PQRSTUVWXYZA")
KEYS = [cloudfront.new_key_pair() for _ in KEY_IDS]  # (private PEM, public PEM) by slot
VIDEO_KEY = f"media/{channel_id(1)}/{video_id(1)}.mp4"


def cloudfront_accepts(url: str, key_group: dict[str, str], now: float) -> bool:
    """CloudFront's check of a canned-policy URL: the policy it rebuilds from the URL without the signing
    parameters, verified with the public key Key-Pair-Id names, and the expiry."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    expires, signature, key_id = query.pop("Expires"), query.pop("Signature"), query.pop("Key-Pair-Id")
    resource = urlunsplit(parts._replace(query=urlencode(query)))
    policy = '{"Statement":[{"Resource":"RESOURCE","Condition":{"DateLessThan":{"AWS:EpochTime":EXPIRES}}}]}'
    policy = policy.replace("RESOURCE", resource).replace("EXPIRES", expires)
    if key_id not in key_group:
        return False
    public_key = serialization.load_pem_public_key(key_group[key_id].encode())
    raw = base64.b64decode(signature.replace("-", "+").replace("_", "=").replace("~", "/"))
    try:
        public_key.verify(raw, policy.encode(), padding.PKCS1v15(), hashes.SHA1())
    except InvalidSignature:
        return False
    return now < int(expires)


GROUP = {KEY_IDS[0]: KEYS[0][1], KEY_IDS[1]: KEYS[1][1]}


def sign(url: str, expires: int, slot: int = 0) -> str:
    return cloudfront.signed_url(url, expires, cloudfront.load_private_key(KEYS[slot][0]), KEY_IDS[slot])


def test_the_policy_is_cloudfronts_canned_policy_without_blanks():
    assert cloudfront.canned_policy("https://d.example/media/a.mp4", 1767225600) == (
        '{"Statement":[{"Resource":"https://d.example/media/a.mp4",'
        '"Condition":{"DateLessThan":{"AWS:EpochTime":1767225600}}}]}'
    )


def test_a_signed_url_passes_until_its_expiry():
    url = sign(f"https://{DOMAIN}/{VIDEO_KEY}", 2_000_000_000)
    query = dict(parse_qsl(urlsplit(url).query))
    assert set(query) == {"Expires", "Signature", "Key-Pair-Id"} and query["Key-Pair-Id"] == KEY_IDS[0]
    assert not set(query["Signature"]) & set("+=/")  # CloudFront's URL-safe alphabet
    assert cloudfront_accepts(url, GROUP, now=1_999_999_999)
    assert not cloudfront_accepts(url, GROUP, now=2_000_000_000)  # expired: 403


def test_a_tampered_signature_or_expiry_fails():
    url = sign(f"https://{DOMAIN}/{VIDEO_KEY}", 2_000_000_000)
    signature = dict(parse_qsl(urlsplit(url).query))["Signature"]
    flipped = ("A" if signature[10] != "A" else "B").join((signature[:10], signature[11:]))
    assert not cloudfront_accepts(url.replace(signature, flipped), GROUP, now=0)
    assert not cloudfront_accepts(url.replace("Expires=2000000000", "Expires=2000003600"), GROUP, now=0)


def test_a_signature_does_not_open_another_object():
    url = sign(f"https://{DOMAIN}/{VIDEO_KEY}", 2_000_000_000)
    other = url.replace(video_id(1), video_id(2))
    assert other != url and not cloudfront_accepts(other, GROUP, now=0)


def test_a_key_outside_the_group_or_another_keys_id_fails():
    url = sign(f"https://{DOMAIN}/{VIDEO_KEY}", 2_000_000_000, slot=1)
    assert cloudfront_accepts(url, GROUP, now=0)
    assert not cloudfront_accepts(url, {KEY_IDS[0]: KEYS[0][1]}, now=0)  # its public key was removed
    assert not cloudfront_accepts(url.replace(KEY_IDS[1], KEY_IDS[0]), GROUP, now=0)


@pytest.fixture
def through_cloudfront(aws, monkeypatch):
    """The API of a deployed stage: CloudFront delivery, the key secret as infra/media_keys.py writes it."""
    secret = {"active": 1, "keys": [{"private_key": private, "public_key": public} for private, public in KEYS]}
    aws_client("secretsmanager").create_secret(Name="ytarchive-local-media-key", SecretString=json.dumps(secret))
    monkeypatch.setenv("MEDIA_DELIVERY", "cloudfront")
    monkeypatch.setenv("MEDIA_DOMAIN", DOMAIN)
    monkeypatch.setenv("MEDIA_KEY_IDS", ",".join(KEY_IDS))
    get_settings.cache_clear()
    delivery._signing_key.cache_clear()
    yield
    get_settings.cache_clear()
    delivery._signing_key.cache_clear()
    aws_client("secretsmanager").delete_secret(SecretId="ytarchive-local-media-key", ForceDeleteWithoutRecovery=True)


def put(key: str) -> None:
    aws_client("s3").put_object(Bucket=get_settings().media_bucket, Key=key, Body=b"file")


def test_the_api_hands_out_cloudfront_urls_signed_by_the_active_key(through_cloudfront, client, admin):
    put(VIDEO_KEY)
    response = client.http.get("/" + VIDEO_KEY, headers=token_headers(admin))
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"https://{DOMAIN}/{VIDEO_KEY}?") and f"Key-Pair-Id={KEY_IDS[1]}" in location
    now = time.time()
    assert cloudfront_accepts(location, GROUP, now=now)
    expires = int(dict(parse_qsl(urlsplit(location).query))["Expires"])
    lifetime = get_settings().presign_seconds
    assert now + lifetime <= expires <= now + lifetime + delivery.EXPIRY_WINDOW_SECONDS
    assert not cloudfront_accepts(location, GROUP, now=expires)


def test_urls_of_one_window_are_the_same(through_cloudfront, aws):
    put(VIDEO_KEY)
    window = delivery.EXPIRY_WINDOW_SECONDS
    start = 1_800_000_000 - 1_800_000_000 % window + 1
    assert delivery.url(VIDEO_KEY, now=start) == delivery.url(VIDEO_KEY, now=start + window - 2)
    assert delivery.url(VIDEO_KEY, now=start) != delivery.url(VIDEO_KEY, now=start + window)


def test_a_missing_file_is_404_before_any_url(through_cloudfront, client, admin):
    response = client.http.get("/" + VIDEO_KEY, headers=token_headers(admin))
    assert response.status_code == 404


def test_a_stage_without_its_key_secret_answers_503(through_cloudfront, client, admin):
    put(VIDEO_KEY)
    aws_client("secretsmanager").put_secret_value(SecretId="ytarchive-local-media-key", SecretString="{}")
    response = client.http.get("/" + VIDEO_KEY, headers=token_headers(admin))
    assert response.status_code == 503 and "CloudFront key" in response.json_body["error"]


def test_the_local_run_keeps_presigned_s3_urls(client, admin, aws):
    put(VIDEO_KEY)
    location = client.http.get("/" + VIDEO_KEY, headers=token_headers(admin)).headers["Location"]
    assert "X-Amz-Signature=" in location and "Key-Pair-Id" not in location


def test_invidious_signed_links_redirect_to_cloudfront(through_cloudfront, client, aws):
    from functions.storage import signing

    put(VIDEO_KEY)
    response = client.http.get(signing.signed_path(VIDEO_KEY))
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"https://{DOMAIN}/{VIDEO_KEY}?") and cloudfront_accepts(location, GROUP, time.time())
