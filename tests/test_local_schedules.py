"""The local run's schedule timers (infra/local_schedules.py) on a fake clock: a job fires at its stored
schedule's times, and a schedule changed through the settings re-arms the timer without a restart."""

from functions.services import app_settings
from infra.local_schedules import ScheduleTimer

DAY = 86400
START = 19_000 * DAY  # a midnight, UTC


class FakeClock:
    """The time a test sets; `wait` moves it on by the timer's delay and stops the timer after `steps` waits."""

    def __init__(self, steps: int):
        self.now, self.steps, self.waits = float(START), steps, []

    def __call__(self) -> float:
        return self.now

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        self.now += seconds
        self.steps -= 1
        return self.steps <= 0


def stored(name: str):
    return lambda: app_settings.current()["scheduler"][name]


def test_a_job_fires_at_its_stored_schedule(aws):
    app_settings.update({"scheduler": {"update_subscribed": "0 8,20 *"}})
    clock, fired = FakeClock(steps=100), []
    timer = ScheduleTimer(
        "update_subscribed",
        stored("update_subscribed"),
        lambda: fired.append(clock.now),
        clock.wait,
        clock,
        recheck=3600,
    )
    timer.run()  # until the clock's hundredth wait: four days and some hours
    assert fired[:3] == [START + 8 * 3600, START + 20 * 3600, START + DAY + 8 * 3600]
    assert {stamp % DAY for stamp in fired} == {8 * 3600, 20 * 3600} and len(fired) == 8
    assert max(clock.waits) == 3600  # it looks at the stored schedule again at least that often


def test_a_changed_schedule_is_re_armed_and_an_off_one_never_fires(aws):
    clock, fired = FakeClock(steps=10**6), []

    def fire():
        fired.append(clock.now)
        if len(fired) == 1:  # the owner moves the schedule after the first run
            app_settings.update({"scheduler": {"autodelete": "45 9 *"}})
        elif len(fired) == 3:
            app_settings.update({"scheduler": {"autodelete": False}})

    app_settings.update({"scheduler": {"autodelete": "0 1 *"}})
    timer = ScheduleTimer("autodelete", stored("autodelete"), fire, clock.wait, clock, recheck=600)
    for _ in range(20 * 24 * 6):  # twenty days of ten-minute steps
        clock.wait(timer.step())
    assert fired == [START + 3600, START + 9 * 3600 + 45 * 60, START + DAY + 9 * 3600 + 45 * 60]
    assert timer.due is None


def test_a_schedule_turned_on_again_fires_at_its_next_time(aws):
    app_settings.update({"scheduler": {"run_snapshot": False}})
    clock, fired = FakeClock(steps=10**6), []
    timer = ScheduleTimer("run_snapshot", stored("run_snapshot"), lambda: fired.append(clock.now), clock.wait, clock)
    for _ in range(100):
        clock.wait(timer.step())
    assert fired == [] and timer.due is None
    turned_on = clock.now
    app_settings.update({"scheduler": {"run_snapshot": "auto"}})  # 03:00 every day
    while not fired:
        clock.wait(timer.step())
    assert fired == [START + 3 * 3600] and fired[0] - turned_on < 3 * 3600
