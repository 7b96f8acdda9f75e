"""Login throttling: after LOGIN_FAILURES_PER_USER failed logins of one user name, or LOGIN_FAILURES_PER_CLIENT
from one client address, within LOGIN_LOCKOUT_SECONDS of the first, further logins of that name or from that
client are refused (429, `Retry-After`) until that window ends, right password or not. Counted in DynamoDB, so
every API instance sees the same counts; a successful login clears its user's count."""

import math
import time
from datetime import UTC, datetime

from functions.core.errors import TooManyRequests
from functions.core.settings import get_settings
from functions.storage import db
from functions.storage.models import LoginThrottle

THROTTLED = "Request was throttled. Expected available in {seconds} seconds."


def _keys(username: str, client: str | None) -> list[tuple[str, int]]:
    settings = get_settings()
    keys = [(f"user#{username}", settings.login_failures_per_user)]
    if client:
        keys.append((f"client#{client}", settings.login_failures_per_client))
    return keys


def check(username: str, client: str | None) -> None:
    """429 when the name or the client used up its failures in a window that has not ended."""
    keys = _keys(username, client)
    (found,) = db.batch_get((LoginThrottle, [key for key, _ in keys]))
    now = time.time()
    waits = [
        found[key].window_end - now
        for key, limit in keys
        if key in found and found[key].failures >= limit and found[key].window_end > now
    ]
    if waits:
        seconds = math.ceil(max(waits))
        raise TooManyRequests(THROTTLED.format(seconds=seconds), retry_after=seconds)


def record_failure(username: str, client: str | None) -> None:
    """Count one failure against the name and the client: in the current window, or opening a new one."""
    now = int(time.time())
    window_end = now + get_settings().login_lockout_seconds
    for key, _ in _keys(username, client):
        counted = db.conditional(
            LoginThrottle(key).update,
            actions=[LoginThrottle.failures.add(1)],
            condition=LoginThrottle.window_end > now,
        )
        if not counted:  # no window, or an ended one: this failure opens the next
            ends = datetime.fromtimestamp(window_end, UTC)
            LoginThrottle(key, failures=1, window_end=window_end, expires=ends).save()


def record_success(username: str) -> None:
    LoginThrottle(f"user#{username}").delete()
