"""Date formats of the API: `YYYY-MM-DD` strings for dates, epoch seconds for stamps."""

import time
from datetime import UTC, datetime


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


def now() -> int:
    return int(time.time())


def day_of(stamp: int) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d")


def duration_str(seconds: int | float | None) -> str:
    """`3:33`, `1:02:03`: how TubeArchivist spells a duration."""
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


SPAN_UNITS = (("y", 365 * 86400), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def span_str(seconds: int | float | None) -> str:
    """`3d 04h 05m 06s`: how TubeArchivist's statistics spell a total of seconds ("NA" for none)."""
    rest = int(seconds or 0)
    if rest <= 0:
        return "NA"
    parts = []
    for label, size in SPAN_UNITS:
        if rest >= size:
            amount, rest = divmod(rest, size)
            parts.append(f"{amount:02d}{label}")
    return " ".join(parts).lstrip("0") or "0s"
