"""When each user was last active: a day on the user, which /api/v1/stats counts (`activeMonth`, `activeHalfyear`).

Every Invidious credential (token or web login) already read to authenticate a request carries the day it was
last used: only its first request of a day writes, once to the credential and once (conditionally, so concurrent
first requests write it once) to the user. No request writes more than that. The TubeArchivist API's keys do not
count: the stats are Invidious' instance check, of its clients' users.
"""

from datetime import UTC, datetime, timedelta

from functions.core.dates import today
from functions.storage import db
from functions.storage.models import ALL_USERS, User

MONTH_DAYS = 30
HALF_YEAR_DAYS = 182


def record(credential) -> None:
    """`credential` (an AuthKey or InvidiousSession with `seen` and `username`) authenticated a request today."""
    day = today()
    if credential.seen == day:
        return
    db.update_existing(credential, [type(credential).seen.set(day)])
    credential.seen = day
    db.conditional(
        User(credential.username).update,
        actions=[User.last_seen.set(day), User.all_users.set(ALL_USERS)],
        condition=User.username.exists() & (User.last_seen.does_not_exist() | (User.last_seen < day)),
    )


def active_users(days: int) -> int:
    """Users seen in the last `days` days (today included)."""
    since = (datetime.now(UTC) - timedelta(days=days - 1)).strftime("%Y-%m-%d")
    return User.by_last_seen.count(ALL_USERS, User.last_seen >= since)
