"""Wire objects: the request bodies and query strings of both APIs as msgspec Structs, declared once and shared by
the router (which decodes and validates them), the services and the OpenAPI document. No Chalice here.

`decode` turns parsed JSON or a query string into a Struct, or a BadRequest naming the field that is wrong
(`$.data[3].youtube_id: expected str, got int`).
"""

import re

import msgspec

from functions.core.errors import BadRequest

_AT = re.compile(r"^(?P<why>.*?)(?: - at `(?P<where>[^`]*)`)?$", re.DOTALL)


def reason(error: msgspec.ValidationError, root: str = "$") -> str:
    """msgspec's "Expected `str`, got `int` - at `$.data[0].youtube_id`" as "$.data[0].youtube_id: expected str,
    got int"; `root` replaces the "$" (a query parameter is named without it)."""
    match = _AT.match(str(error))
    if match is None:  # a message without a location
        return str(error)
    where = match["where"] or "$"
    where = root + where[1:] if root != "$" else where
    why = match["why"].replace("`", "")
    return f"{where.lstrip('.') or '$'}: {why[:1].lower()}{why[1:]}"


def decode(value, kind: type, *, query: bool = False):
    """`value` (parsed JSON, or a query string's dict of strings) as a `kind`; BadRequest naming the field, or
    the refusal the Struct declares (`refusal(reason)`, where its API answers a wrong body its own way)."""
    try:
        return msgspec.convert(value, kind, strict=not query)
    except msgspec.ValidationError as error:
        why = reason(error, "" if query else "$")
        refusal = getattr(kind, "refusal", None)
        raise (refusal(why) if refusal else BadRequest(why)) from None
