"""The one way an archive file reaches a client: `delivery.url(key)` is the short-lived URL a player fetches,
for every video, thumbnail, subtitle and channel or playlist image the API hands out.

The MEDIA_DELIVERY setting picks how: `cloudfront` (deployed stages) signs a URL of the media distribution
(infra/resources.yaml: the bucket stays private behind origin access control, CloudFront's free tier covers the
first TB a month), `s3` (the local run over moto, tests) presigns an S3 GET. Either way a key the archive does
not hold is a 404 here, before any URL is made.

The CloudFront private keys live in a secret infra/deploy.py writes: `{"active": SLOT, "keys": [{"private_key":
PEM, "public_key": PEM}, ...]}`, one entry per public key of the distribution's key group, whose ids the
MEDIA_KEY_IDS setting lists in the same order. Rotation writes a new key into the slot not in use and only then
makes it active, so URLs signed with the old key keep working until they expire.
"""

import json
import math
import time
from functools import cache
from urllib.parse import quote

from functions.core.errors import ServiceUnavailable
from functions.core.settings import get_settings
from functions.storage import aws, cloudfront, s3

EXPIRY_WINDOW_SECONDS = 300  # expiries rounded up: a page rendered twice gives the same URLs (browser caches)


class MediaKeyMissing(ServiceUnavailable):
    """The stage delivers through CloudFront but its key secret or key ids are not there (a deploy writes them):
    503, no URL that CloudFront would refuse."""


def url(key: str, now: float | None = None) -> str:
    """A URL that serves `key` for at least the presign_seconds setting; NotFound when there is no such file."""
    settings = get_settings()
    if settings.media_delivery != "cloudfront":
        return s3.presigned_url(key)
    s3.head(key)
    moment = time.time() if now is None else now
    expires = math.ceil((moment + settings.presign_seconds) / EXPIRY_WINDOW_SECONDS) * EXPIRY_WINDOW_SECONDS
    private_key, key_pair_id = _signing_key(settings.media_key_secret_id)
    return cloudfront.signed_url(f"https://{settings.media_domain}/{quote(key)}", expires, private_key, key_pair_id)


@cache
def _signing_key(secret_id: str):
    """The active slot's private key and its CloudFront key id, read once per container."""
    stored = json.loads(aws.read_secret(secret_id) or "{}")
    key_ids = get_settings().media_key_ids
    slot = stored.get("active")
    if not isinstance(slot, int) or not 0 <= slot < min(len(key_ids), len(stored.get("keys", []))):
        raise MediaKeyMissing(f"no active CloudFront key in secret {secret_id} for key ids {key_ids}")
    return cloudfront.load_private_key(stored["keys"][slot]["private_key"]), key_ids[slot]
