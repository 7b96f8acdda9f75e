"""What the Invidious services share: Invidious' error bodies (no TubeArchivist `data: false`) and query numbers."""

from typing import overload

from functions.core.errors import BadRequest, NotFound


def not_found(message: str) -> NotFound:
    return NotFound(message, body={"error": message})


@overload
def int_param(query: dict, name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int: ...
@overload
def int_param(query: dict, name: str, default: None, minimum: int = 0, maximum: int | None = None) -> int | None: ...
def int_param(query: dict, name: str, default: int | None, minimum: int = 0, maximum: int | None = None) -> int | None:
    """A whole-number query parameter: 400 when it is not one or below `minimum`, capped at `maximum`."""
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise BadRequest(f"{name} must be a whole number") from None
    if value < minimum:
        raise BadRequest(f"{name} must be {minimum} or more")
    return min(value, maximum) if maximum is not None else value
