"""The local run's schedule timers: each scheduled job fires at the times its stored schedule names.

What EventBridge's rules are in the cloud: a timer reads the job's schedule from the app settings
(functions.services.schedules), sleeps until its next time, and looks again every RECHECK_SECONDS meanwhile, so a
schedule the owner changes (settings API, CLI, v0.5's task/schedule/) is re-armed without a restart, and one
turned off stops firing. The clock and the wait are the timer's arguments, so a test runs it on a fake clock.
"""

import logging
import time
from collections.abc import Callable

from functions.core import crontab

RECHECK_SECONDS = 30.0  # how soon a changed schedule takes effect
log = logging.getLogger("ytarchive.local")


class ScheduleTimer:
    """Runs `fire` at each time `read()` (the stored crontab, or False: off) names, until `wait` says stop.

    `wait(seconds)` sleeps and answers whether to stop (threading.Event.wait); `clock()` is the time now.
    """

    def __init__(
        self,
        name: str,
        read: Callable[[], str | bool],
        fire: Callable[[], object],
        wait: Callable[[float], bool],
        clock: Callable[[], float] = time.time,
        recheck: float = RECHECK_SECONDS,
    ):
        self.name, self.read, self.fire, self.wait, self.clock, self.recheck = name, read, fire, wait, clock, recheck
        self.armed: str | bool = False  # the schedule the next time was computed from
        self.due: float | None = None  # when it fires next; None: off

    def arm(self, schedule: str | bool, now: float) -> None:
        self.armed = schedule
        self.due = crontab.next_run(crontab.parse(schedule), now) if isinstance(schedule, str) else None
        if self.due is not None:
            log.info(
                "schedule %s (%s): next run at %s UTC",
                self.name,
                schedule,
                time.strftime("%F %T", time.gmtime(self.due)),
            )

    def step(self) -> float:
        """Re-arm if the schedule changed, fire if its time has come; how long to wait before the next step."""
        now = self.clock()
        try:
            schedule = self.read()
        except Exception:  # moto unreachable, for instance: keep the schedule armed, look again soon
            log.exception("reading the schedule of %s failed", self.name)
            schedule = self.armed
        if schedule != self.armed:
            self.arm(schedule, now)
        if self.due is not None and now >= self.due:
            try:
                self.fire()
            except Exception:
                log.exception("scheduled %s failed", self.name)
            self.arm(schedule, max(now, self.due))
        return self.recheck if self.due is None else max(0.0, min(self.recheck, self.due - self.clock()))

    def run(self) -> None:
        while not self.wait(self.step()):
            pass
