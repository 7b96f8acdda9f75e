"""Crontabs in UTC: TubeArchivist's three fields `minute hour day_of_week` ("0 8 *", read as
`minute hour * * day_of_week`) or cron's five; read, put in words, turned into EventBridge's `cron(...)`, and
the next time they name. Pure: what functions.services.schedules stores and the local run's timers read.

The minute is one number, as TubeArchivist requires (a job runs at most once an hour). EventBridge's cron has
one day field: a crontab naming both a day of the month and a day of the week (which cron reads as either) is
refused.
"""

import datetime
import re
from dataclasses import dataclass

from functions.core.errors import BadRequest

FIELDS = (  # name, lowest, highest
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day_of_month", 1, 31),
    ("month", 1, 12),
    ("day_of_week", 0, 7),  # 0 and 7 are Sunday
)
PART = re.compile(r"^(\*|(\d+)(?:-(\d+))?)(?:/(\d+))?$")
DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
MONTH_NAMES = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")  # fmt: skip


@dataclass(frozen=True)
class Crontab:
    """A parsed schedule: the values of each field (every value when the field is `*`)."""

    text: str  # as the owner wrote it, spaces normalized
    minute: int
    hours: tuple[int, ...]
    days: tuple[int, ...]
    months: tuple[int, ...]
    weekdays: tuple[int, ...]  # 0 = Sunday
    any_day: bool  # the day of the month is `*`
    any_weekday: bool


def _values(text: str, name: str, low: int, high: int) -> tuple[int, ...]:
    found: set[int] = set()
    for part in text.split(","):
        match = PART.match(part)
        if not match:
            raise BadRequest(f"invalid {name} {text!r}: numbers, ranges (a-b), lists (a,b), * and steps (*/n)")
        start, end = (low, high) if match[1] == "*" else (int(match[2]), int(match[3] or match[2]))
        step = int(match[4] or 1)
        if not (low <= start <= end <= high) or step < 1 or (match[4] and match[1] != "*" and not match[3]):
            raise BadRequest(f"invalid {name} {text!r}: each value between {low} and {high}")
        found.update(range(start, end + 1, step))
    return tuple(sorted(found))


def parse(text: str) -> Crontab:
    """A crontab of 3 (TubeArchivist's) or 5 fields; BadRequest saying what is wrong."""
    fields = text.split()
    if len(fields) == 3:
        fields = [fields[0], fields[1], "*", "*", fields[2]]
    if len(fields) != 5:
        raise BadRequest("expected three cron schedule fields (minute hour day_of_week) or five")
    if not fields[0].isdigit() or not 0 <= int(fields[0]) <= 59:
        raise BadRequest("Invalid value for minutes. Must be an integer between 0 and 59: at most one run an hour.")
    values = [_values(field, name, low, high) for field, (name, low, high) in zip(fields, FIELDS, strict=True)]
    any_day, any_weekday = fields[2] == "*", fields[4] == "*"
    if not any_day and not any_weekday:
        raise BadRequest("a schedule names a day of the month or a day of the week, not both (EventBridge cannot)")
    return Crontab(
        text=" ".join(text.split()),
        minute=int(fields[0]),
        hours=values[1],
        days=values[2],
        months=values[3],
        weekdays=tuple(sorted({day % 7 for day in values[4]})),
        any_day=any_day,
        any_weekday=any_weekday,
    )


def _listed(values: tuple[int, ...]) -> str:
    return ",".join(map(str, values))


def eventbridge(crontab: Crontab) -> str:
    """The rule's `cron(...)`: six fields, `?` in the day field not given, days of the week 1-7 from Sunday."""
    hours = "*" if len(crontab.hours) == 24 else _listed(crontab.hours)
    months = "*" if len(crontab.months) == 12 else _listed(crontab.months)
    if crontab.any_weekday:
        days, weekdays = ("*" if crontab.any_day else _listed(crontab.days)), "?"
    else:
        days, weekdays = "?", _listed(tuple(day + 1 for day in crontab.weekdays))
    return f"cron({crontab.minute} {hours} {days} {months} {weekdays} *)"


def human(crontab: Crontab) -> str:
    """What the schedule means, in words (TubeArchivist's `schedule_human`)."""
    if len(crontab.hours) == 24:
        when = f"every hour at minute {crontab.minute}"
    elif len(crontab.hours) <= 6:
        when = "at " + ", ".join(f"{hour:02d}:{crontab.minute:02d}" for hour in crontab.hours)
    else:
        when = f"at minute {crontab.minute} of hours {_listed(crontab.hours)}"
    if not crontab.any_weekday:
        when += ", only on " + ", ".join(DAY_NAMES[day] for day in crontab.weekdays)
    if not crontab.any_day:
        when += f", on day {_listed(crontab.days)} of the month"
    if len(crontab.months) < 12:
        when += ", only in " + ", ".join(MONTH_NAMES[month] for month in crontab.months)
    return when[0].upper() + when[1:] + " (UTC)"


def next_run(crontab: Crontab, after: float) -> float:
    """The first time after `after` (seconds since the epoch) that the schedule names."""
    start = datetime.datetime.fromtimestamp(after, datetime.UTC).replace(minute=0, second=0, microsecond=0)
    for hours in range(0, 366 * 24 * 5):  # every schedule fires within a leap year's cycle
        moment = start + datetime.timedelta(hours=hours, minutes=crontab.minute)
        if moment.timestamp() <= after or moment.hour not in crontab.hours or moment.month not in crontab.months:
            continue
        if (crontab.any_day or moment.day in crontab.days) and (
            crontab.any_weekday or moment.isoweekday() % 7 in crontab.weekdays
        ):
            return moment.timestamp()
    raise BadRequest(f"the schedule {crontab.text!r} never fires")
