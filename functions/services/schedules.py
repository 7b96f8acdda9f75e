"""The schedules of the scheduled jobs, which the owner changes or turns off: TubeArchivist's `scheduler`.

Each schedule is a setting, `scheduler.<name>` of the app settings (functions.services.app_settings stores it):
a crontab (functions.core.crontab) or false (off); "auto" is the default schedule, "0" or false turns it off,
as in TubeArchivist v0.4's form. settings.SCHEDULE_HANDLERS names each schedule's job.

In the cloud each schedule is an EventBridge rule, SCHEDULE_RULE_PREFIX + the job's handler (infra/merge.py
names them so); a change is applied to the rule before the setting is stored, so a rule EventBridge refuses
leaves the settings as they were. Locally infra/local_schedules.py reads the stored schedules and re-arms its
timers. A schedule's last run is its task's newest run (functions.services.task_runs, which every job writes):
SCHEDULE_TASKS names the task of each.
"""

import datetime

from functions.core.crontab import eventbridge, human, next_run, parse
from functions.core.errors import BadRequest, NotFound, ServiceUnavailable
from functions.core.settings import AUTO_SCHEDULES, SCHEDULE_HANDLERS, get_settings
from functions.schemas.ta5 import ScheduleRow
from functions.services import task_runs
from functions.storage import aws

SECTION = "scheduler"
OFF_WORDS = ("0", "false", "off")
# the task whose runs each schedule starts (the daily snapshot's job records the snapshot it creates)
SCHEDULE_TASKS = {
    "update_subscribed": task_runs.UPDATE_SUBSCRIBED,
    "run_snapshot": task_runs.CREATE_SNAPSHOT,
    "autodelete": task_runs.AUTODELETE,
    "run_backup": task_runs.RUN_BACKUP,
    "download_pending": task_runs.DOWNLOAD_PENDING,
    "check_reindex": task_runs.CHECK_REINDEX,
    "thumbnail_check": task_runs.THUMBNAIL_CHECK,
    "version_check": task_runs.VERSION_CHECK,
}
# v0.5's `config` of a schedule: each key is a setting of its task (TubeArchivist's CrontabValidator.CONFIG:
# run_backup's `rotate`, check_reindex's `days`)
TASK_CONFIG = {
    "run_backup": {"rotate": ("application", "backup_rotate")},
    "check_reindex": {"days": ("application", "reindex_days")},
}


# ---------------------------------------------------------------- the settings


def upcoming(config: dict, name: str, now: float) -> int | None:
    """When a schedule fires next; None when it is off."""
    text = config[SECTION][name]
    return int(next_run(parse(text), now)) if text else None


def known(name: str) -> str:
    """A schedule's name; NotFound for a task that has none."""
    if name not in SCHEDULE_HANDLERS:
        raise NotFound(f"no scheduled task {name!r}: {', '.join(SCHEDULE_HANDLERS)}")
    return name


def checked(section: dict) -> dict:
    """The `scheduler` settings to store: each a crontab (validated, spaces normalized) or False; BadRequest
    naming the setting. "auto" is the task's default schedule."""
    values: dict[str, str | bool] = {}
    for name, value in section.items():
        known(name)
        if value is False or (isinstance(value, str) and value.strip().lower() in OFF_WORDS):
            values[name] = False
            continue
        text = AUTO_SCHEDULES[name] if value.strip() == "auto" else value
        try:
            crontab = parse(text)
            next_run(crontab, 0)
        except BadRequest as error:
            raise BadRequest(f"{SECTION}.{name}: {error.message}") from None
        values[name] = crontab.text
    return values


def apply(section: dict) -> None:
    """Point each changed schedule's EventBridge rule at its new schedule, or disable it; nothing to do where
    the stage has no rules (the local run reads the settings)."""
    prefix = get_settings().schedule_rule_prefix
    if not prefix:
        return
    from botocore.exceptions import BotoCoreError, ClientError

    events = aws.client("events")
    for name, value in section.items():
        rule = prefix + SCHEDULE_HANDLERS[name]
        try:
            if value is False:
                events.disable_rule(Name=rule)
            else:
                events.put_rule(Name=rule, ScheduleExpression=eventbridge(parse(value)), State="ENABLED")
        except (BotoCoreError, ClientError) as error:
            raise ServiceUnavailable(f"EventBridge did not take the schedule of {name}: {error}") from error


# ---------------------------------------------------------------- what the API shows


def last_run_at(name: str) -> str | None:
    """When the schedule's task last ran: its newest run's end (its start while it runs, when it was asked for
    while it waits: the downloads a schedule sent), in ISO 8601 UTC; None when it never ran. One Query (Limit=1)."""
    newest = next(iter(task_runs.runs_of(SCHEDULE_TASKS[name], limit=1)), None)
    stamp = None if newest is None else newest.finished or newest.started or newest.queued
    if stamp is None:
        return None
    return datetime.datetime.fromtimestamp(stamp / 1000, datetime.UTC).isoformat().replace("+00:00", "Z")


def listing(config: dict, names: list[str] | None = None) -> list[ScheduleRow]:
    """The schedules that are on (of `names`, else all), as TubeArchivist v0.5 shows them; one Query each."""
    on = {name: config[SECTION][name] for name in names or SCHEDULE_HANDLERS if config[SECTION][name]}
    shown = []
    for name, text in on.items():
        crontab = parse(text)
        schedule = crontab.text.split()
        if schedule[2:4] == ["*", "*"]:  # TubeArchivist's three fields, where they say it all
            schedule = [schedule[0], schedule[1], schedule[4]]
        shown.append(
            ScheduleRow(
                name=name,
                schedule=" ".join(schedule),
                schedule_human=human(crontab),
                last_run_at=last_run_at(name),
                config={key: config[section][setting] for key, (section, setting) in TASK_CONFIG.get(name, {}).items()},
            )
        )
    return shown


def one(config: dict, name: str) -> ScheduleRow:
    """A schedule that is on; NotFound for an unknown task or one turned off (TubeArchivist has no such row)."""
    known(name)
    shown = listing(config, [name])
    if not shown:
        raise NotFound(f"schedule {name} not found")
    return shown[0]


def change(config: dict, name: str, schedule: str | None, task_config: dict | None) -> dict:
    """The partial settings object that sets a schedule and or its task's config (`POST
    /api/task/schedule/<name>/`) over the current `config`; app_settings.update checks the values. A config
    alone is for a schedule that is on (NotFound otherwise, before anything is stored)."""
    known(name)
    if not schedule and not task_config:
        raise BadRequest("expected schedule or config key")
    if not schedule:
        one(config, name)
    keys = TASK_CONFIG.get(name, {})
    if task_config and not keys:
        raise BadRequest(f"task '{name}' doesn't take config")
    if schedule and schedule.strip().lower() in OFF_WORDS:  # v0.5 turns a schedule off with DELETE
        raise BadRequest("expected three cron schedule fields (minute hour day_of_week), or DELETE the schedule")
    changes: dict[str, dict] = {SECTION: {name: schedule}} if schedule else {}
    for key, value in (task_config or {}).items():
        if key not in keys:
            raise BadRequest(f"task '{name}' takes config {', '.join(keys)}, not {key!r}")
        section, setting = keys[key]
        changes.setdefault(section, {})[setting] = value
    return changes
