"""Invidious' paging values: `page` numbers and the opaque `continuation` tokens of channel tabs and comments
(base64url JSON of where the next page starts)."""

import base64
import binascii
import json

from functions.core.errors import BadRequest

BAD_CONTINUATION = "invalid continuation"


def page_number(query: dict, maximum: int = 1000) -> int:
    """`page` (from 1; 0 is the first page too, as Invidious takes it); 400 when it is not a whole number."""
    raw = query.get("page") or "1"
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest("page must be a whole number") from None
    if value < 0:
        raise BadRequest("page must be 0 or more")
    return max(min(value, maximum), 1)


def encode_continuation(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_continuation(text: str | None) -> dict:
    if not text:
        return {}
    try:
        value = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest(BAD_CONTINUATION) from None
    if not isinstance(value, dict):
        raise BadRequest(BAD_CONTINUATION)
    return value
