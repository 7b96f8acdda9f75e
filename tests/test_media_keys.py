"""infra/media_keys.py against moto's Secrets Manager: a deploy without keys makes them, rotation keeps the old key's
URLs valid until they expire."""

import boto3
import pytest
from moto import mock_aws

from functions.storage import cloudfront
from infra import media_keys
from tests.conftest import wipe_moto
from tests.test_media_delivery import cloudfront_accepts

DAY = 24 * 3600
URL = "https://d111111abcdef8.cloudfront.net/media/UC/abc.mp4"


@pytest.fixture
def secrets():
    with mock_aws():
        yield boto3.client("secretsmanager", region_name="us-east-1")
    wipe_moto()


def group(stored: dict) -> dict[str, str]:
    """The key group the template's two slots make, by a key id standing for each public key resource."""
    return {f"{slot}-{key['created']}": key["public_key"] for slot, key in zip("AB", stored["keys"], strict=True)}


def sign(stored: dict, expires: int) -> str:
    slot = stored["active"]
    key = stored["keys"][slot]
    key_id = f"{'AB'[slot]}-{key['created']}"
    return cloudfront.signed_url(URL, expires, cloudfront.load_private_key(key["private_key"]), key_id)


def test_a_deploy_without_keys_makes_two_and_keeps_them(secrets):
    stored = media_keys.prepare(secrets, "dev", now=1000)
    assert stored["active"] == 0 and len(stored["keys"]) == 2
    assert stored["keys"][0]["public_key"] != stored["keys"][1]["public_key"]
    assert media_keys.prepare(secrets, "dev", now=2000) == stored  # read back, not made again
    parameters = media_keys.parameters(stored)
    assert parameters["MediaPublicKeyA"].startswith("-----BEGIN PUBLIC KEY-----")
    assert parameters["MediaKeyCreatedB"] == "1000"


def test_rotation_signs_with_a_new_key_after_the_stack_has_it_and_old_urls_stay_valid(secrets):
    first = media_keys.prepare(secrets, "dev", now=1000)
    old_url = sign(first, expires=1000 + DAY + 900)
    with pytest.raises(media_keys.RotationRefused):
        media_keys.prepare(secrets, "dev", rotate=True, now=1000 + DAY - 1)
    rotated = media_keys.prepare(secrets, "dev", rotate=True, now=1000 + DAY)
    assert rotated["active"] == 0 and rotated["pending"] == 1  # the stack does not know the new key yet
    assert rotated["keys"][0] == first["keys"][0] and rotated["keys"][1] != first["keys"][1]
    assert media_keys.read(secrets, "dev") == rotated
    active = media_keys.activate(secrets, "dev", rotated)
    assert active["active"] == 1 and "pending" not in active
    assert media_keys.read(secrets, "dev") == active
    new_url = sign(active, expires=1000 + DAY + 900)
    assert new_url != old_url
    for url in (old_url, new_url):
        assert cloudfront_accepts(url, group(active), now=1000 + DAY + 1)
    assert not cloudfront_accepts(old_url, group(active), now=1000 + DAY + 900)  # until its own expiry only
