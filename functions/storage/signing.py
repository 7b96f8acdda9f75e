"""Media URLs that carry their own signature: players that send no credential (Invidious apps, a `<video>` tag)
fetch archive files through them.

A signed path is `/signed/<expires>/<signature>/<folder>/<file name>`: `folder` is the S3 key's folder, base64url
encoded, the file name is the key's last part (so a URL ends in `.mp4` or `.jpg`, which players read the type
from), and the signature is an HMAC of the expiry and the key under the deployment's key. There is no query
string: clients append their own (Materialious adds `?local=true`). Expiries are rounded up to a window so that a
page rendered twice gives the same URLs and browsers can cache thumbnails.

    path = signing.signed_path("media/UC.../abc.mp4")          # what goes in the JSON (after the base URL)
    key = signing.verify(expires, signature, folder, filename)   # what the route serves, or Forbidden/NotFound
"""

import base64
import binascii
import hashlib
import hmac
import math
import time

from functions.core.errors import Forbidden, NotFound
from functions.storage.hmac_key import secret_key

PREFIX = "/signed"
ROUTE = PREFIX + "/{expires}/{signature}/{folder}/{filename}"
LIFETIME_SECONDS = 6 * 3600  # a long film must still play at its end: each range request passes the check again
WINDOW_SECONDS = 3600
SERVABLE = ("media/", "cache/")  # never snapshots, comments or anything else the bucket holds
SIGNATURE_BYTES = 18
EXPIRED = "media link expired"
INVALID = "invalid media link"
_media_key: bytes | None = None


def _key() -> bytes:
    """A key of its own, derived from the deployment's: a media signature can never pass as a token's."""
    global _media_key
    if _media_key is None:
        _media_key = hmac.new(secret_key(), b"ytarchive media url v1", hashlib.sha256).digest()
    return _media_key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signature(key: str, expires: int) -> str:
    return _b64(hmac.new(_key(), f"{expires}\n{key}".encode(), hashlib.sha256).digest()[:SIGNATURE_BYTES])


def signed_path(key: str, lifetime: int = LIFETIME_SECONDS, now: float | None = None) -> str:
    """The path that serves `key` for at least `lifetime` seconds (at most one window more)."""
    if not key.startswith(SERVABLE) or "/" not in key:
        raise ValueError(f"not a servable key: {key}")
    folder, filename = key.rsplit("/", 1)
    moment = time.time() if now is None else now
    expires = math.ceil((moment + lifetime) / WINDOW_SECONDS) * WINDOW_SECONDS
    return f"{PREFIX}/{expires}/{signature(key, expires)}/{_b64(folder.encode())}/{filename}"


def verify(expires: str, signature_text: str, folder: str, filename: str, now: float | None = None) -> str:
    """The S3 key a signed path names; Forbidden when the signature is wrong or expired."""
    try:
        key = _unb64(folder).decode() + "/" + filename
        expiry = int(expires)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise NotFound(INVALID) from None
    if not hmac.compare_digest(signature(key, expiry), signature_text):
        raise Forbidden(INVALID)
    if expiry < (time.time() if now is None else now):
        raise Forbidden(EXPIRED)
    if not key.startswith(SERVABLE):
        raise NotFound(INVALID)
    return key
