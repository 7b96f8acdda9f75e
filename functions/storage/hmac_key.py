"""The deployment's HMAC key, read once per container: it signs Invidious tokens and media links."""

from functions.core.settings import get_settings
from functions.storage import aws

_secret: bytes | None = None


def secret_key() -> bytes:
    """`HMAC_KEY` (local run, tests) or the secret `HMAC_SECRET_ID` names (cloud)."""
    global _secret
    if _secret is None:
        settings = get_settings()
        if settings.hmac_key:
            _secret = settings.hmac_key.encode()
        elif settings.hmac_secret_id:
            _secret = (aws.read_secret(settings.hmac_secret_id) or "").encode()
        if not _secret:
            raise RuntimeError("no HMAC key: set HMAC_KEY or HMAC_SECRET_ID")
    return _secret
