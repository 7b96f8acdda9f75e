"""What the Invidious services share: query numbers."""

from functions.core.errors import BadRequest


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
