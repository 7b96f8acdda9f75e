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
