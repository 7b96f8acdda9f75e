"""The schedules the owner changes (functions.services.schedules): crontabs read and refused, the EventBridge
rules of the cloud changed to match (moto), each job's last run recorded, the rules' names in the template."""

import datetime
import json

import boto3
import pytest

from functions.core import crontab
from functions.core.errors import BadRequest, NotFound
from functions.core.settings import (
    AUTO_SCHEDULES,
    DEFAULT_SCHEDULES,
    OFF_AT_START,
    SCHEDULE_HANDLERS,
    get_settings,
    schedule_rule_prefix,
)
from functions.services import app_settings, schedules, task_runs
from functions.storage.models import AppSetting, TaskRun
from infra.merge import load_resources, merge
from tests.conftest import ROOT
from tests.test_merge import CONFIG, chalice_template
from tests.test_snapshots import run_queued_jobs, run_snapshot_jobs

DAY = 86400
PREFIX = schedule_rule_prefix("local")


@pytest.mark.parametrize(
    ("text", "rule", "first"),
    [
        ("0 */6 *", "cron(0 0,6,12,18 * * ? *)", 0),
        ("30 8 0", "cron(30 8 ? * 1 *)", 3 * DAY + 8.5 * 3600),  # 1970-01-01 was a Thursday: Sunday the 4th
        ("15 8,16 1-5", "cron(15 8,16 ? * 2,3,4,5,6 *)", 8 * 3600 + 900),
        ("0 3 1 * *", "cron(0 3 1 * ? *)", 3 * 3600),
        ("0 3 * 2 7", "cron(0 3 ? 2 1 *)", 31 * DAY + 3 * 3600),  # 1970-02-01, a Sunday
        ("  5   4  *  ", "cron(5 4 * * ? *)", 4 * 3600 + 300),
    ],
)
def test_crontabs_become_eventbridge_rules_and_times(text, rule, first):
    parsed = crontab.parse(text)
    assert crontab.eventbridge(parsed) == rule
    assert crontab.next_run(parsed, -1) == first
    assert crontab.next_run(parsed, first) > first


def test_the_next_run_is_after_now_and_in_words():
    parsed = crontab.parse("0 8 *")
    assert crontab.next_run(parsed, 8 * 3600) == DAY + 8 * 3600
    assert crontab.next_run(parsed, 8 * 3600 - 1) == 8 * 3600
    assert crontab.human(parsed) == "At 08:00 (UTC)"
    assert crontab.human(crontab.parse("0 * 1")) == "Every hour at minute 0, only on Monday (UTC)"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("*/5 * *", "minutes"),  # more than once an hour
        ("0 24 *", "hour"),
        ("0 8 8", "day_of_week"),
        ("0 8", "three cron schedule fields"),
        ("0 8 * * * *", "three cron schedule fields"),
        ("0 8 1 * 1", "not both"),  # cron's either-day: EventBridge has one day field
        ("0 8 * 13 *", "month"),
        ("0 0 31 2 *", "never fires"),
        ("0 a *", "hour"),
        ("0 5/2 *", "hour"),
    ],
)
def test_a_bad_crontab_is_refused_naming_the_setting_and_nothing_is_stored(aws, text, says):
    with pytest.raises(BadRequest) as refused:
        app_settings.update({"scheduler": {"update_subscribed": text}})
    assert refused.value.message.startswith("scheduler.update_subscribed: ") and says in refused.value.message
    assert AppSetting.count() == 0
    assert app_settings.current()["scheduler"] == DEFAULT_SCHEDULES


def test_auto_is_the_default_and_0_or_false_turn_a_schedule_off(aws):
    assert app_settings.update({"scheduler": {"autodelete": "0"}})["scheduler"]["autodelete"] is False
    config = app_settings.update({"scheduler": {"autodelete": "auto", "run_snapshot": False}})
    assert config["scheduler"] == {**DEFAULT_SCHEDULES, "run_snapshot": False}
    assert [row.name for row in schedules.listing(config)] == ["update_subscribed", "autodelete", "run_backup"]
    with pytest.raises(NotFound):
        schedules.one(config, "run_snapshot")
    with pytest.raises(NotFound):
        schedules.one(config, "check_reindex")


@pytest.fixture
def rules(aws, monkeypatch):
    """The stage's schedule rules as the stack makes them (infra/merge.py's names, disabled for the schedules off
    at the start), and the API's setting."""
    events = boto3.client("events")
    for name, handler in SCHEDULE_HANDLERS.items():
        expression = crontab.eventbridge(crontab.parse(AUTO_SCHEDULES[name]))
        state = "ENABLED" if DEFAULT_SCHEDULES[name] else "DISABLED"
        events.put_rule(Name=PREFIX + handler, ScheduleExpression=expression, State=state)
    monkeypatch.setenv("SCHEDULE_RULE_PREFIX", PREFIX)
    get_settings.cache_clear()
    yield lambda handler: events.describe_rule(Name=PREFIX + handler)
    monkeypatch.undo()
    get_settings.cache_clear()
    for handler in SCHEDULE_HANDLERS.values():
        events.delete_rule(Name=PREFIX + handler)


def test_a_change_is_applied_to_the_rule(rules):
    app_settings.update({"scheduler": {"update_subscribed": "15 2,14 *"}})
    rule = rules("rescan")
    assert (rule["ScheduleExpression"], rule["State"]) == ("cron(15 2,14 * * ? *)", "ENABLED")
    assert rules("daily_snapshot")["ScheduleExpression"] == "cron(0 3 * * ? *)"  # the others stay

    app_settings.update({"scheduler": {"update_subscribed": False}})
    rule = rules("rescan")
    assert (rule["ScheduleExpression"], rule["State"]) == ("cron(15 2,14 * * ? *)", "DISABLED")

    app_settings.update({"scheduler": {"update_subscribed": "auto", "autodelete": "0 4 * * 6"}})
    rule = rules("rescan")
    assert (rule["ScheduleExpression"], rule["State"]) == ("cron(0 0,6,12,18 * * ? *)", "ENABLED")
    assert rules("autodelete")["ScheduleExpression"] == "cron(0 4 ? * 7 *)"


def test_the_backup_schedule_is_its_own_rule(rules):
    app_settings.update({"scheduler": {"run_backup": "0 4 * * 6"}})
    rule = rules("scheduled_backup")
    assert (rule["ScheduleExpression"], rule["State"]) == ("cron(0 4 ? * 7 *)", "ENABLED")
    assert rules("daily_snapshot")["ScheduleExpression"] == "cron(0 3 * * ? *)"
    app_settings.update({"scheduler": {"run_backup": False}})
    assert rules("scheduled_backup")["State"] == "DISABLED"
    assert app_settings.current()["scheduler"]["run_backup"] is False


def test_a_bad_crontab_leaves_the_rule_alone(rules):
    with pytest.raises(BadRequest):
        app_settings.update({"scheduler": {"update_subscribed": "0 8 1 * 1"}})
    assert rules("rescan")["ScheduleExpression"] == "cron(0 0,6,12,18 * * ? *)"


def test_a_rule_eventbridge_refuses_stores_nothing(rules):
    boto3.client("events").delete_rule(Name=PREFIX + "autodelete")
    with pytest.raises(Exception) as refused:
        app_settings.update({"scheduler": {"autodelete": False}})
    assert type(refused.value).__name__ == "ServiceUnavailable"
    assert app_settings.current()["scheduler"]["autodelete"] == DEFAULT_SCHEDULES["autodelete"]
    boto3.client("events").put_rule(Name=PREFIX + "autodelete", ScheduleExpression="rate(1 day)")


def _at(ms: int) -> str:
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.UTC).isoformat().replace("+00:00", "Z")


def test_the_last_run_shown_is_the_newest_task_runs_end(aws, monkeypatch):
    clock = iter(range(1_700_000_000_000, 1_800_000_000_000, 60_000))  # each write a minute after the last
    monkeypatch.setattr(task_runs, "_ms", lambda: next(clock))
    assert all(row.last_run_at is None for row in schedules.listing(app_settings.current()))  # never ran

    def ended(name: str) -> int:
        return task_runs.get(task_runs.record(name, lambda run: run.task_id)).finished

    ended(task_runs.AUTODELETE)
    autodelete, rescan = ended(task_runs.AUTODELETE), ended(task_runs.UPDATE_SUBSCRIBED)
    shown = {row.name: row.last_run_at for row in schedules.listing(app_settings.current())}
    assert shown == {
        "update_subscribed": _at(rescan),
        "run_snapshot": None,
        "autodelete": _at(autodelete),
        "run_backup": None,
    }

    def watch(run):  # a run under way shows when it started
        assert schedules.one(app_settings.current(), "autodelete").last_run_at == _at(
            task_runs.get(run.task_id).started
        )

    task_runs.record(task_runs.AUTODELETE, watch)


def test_each_schedules_job_is_its_last_run(aws):
    """The scheduled handlers write the task runs the listing reads (the daily snapshot, the thumbnail check and
    the version check through their jobs)."""
    from chalice.test import TestEventsClient

    from app import app

    app_settings.update({"scheduler": dict.fromkeys(OFF_AT_START, "auto")})  # those off at the start, shown when on
    event = TestEventsClient(app).generate_cw_event("aws.events", "Scheduled Event", {}, [], "us-east-1")
    for handler in SCHEDULE_HANDLERS.values():
        app.handler_map[handler](event, None)
    run_snapshot_jobs()
    # the thumbnail check, nothing to refresh; the version check, whose feed does not answer here (a failed run)
    assert run_queued_jobs("refresh", "refresh") == 2
    ended = {}
    for run in TaskRun.scan():
        ended[run.name] = max(ended.get(run.name, 0), run.finished)
    shown = schedules.listing(app_settings.current())
    assert {row.name: row.last_run_at for row in shown} == {
        name: _at(ended[task]) for name, task in schedules.SCHEDULE_TASKS.items()
    }
    assert AppSetting.count() == 1  # the schedules turned on; else nothing but the task runs


def test_the_template_names_the_rules_the_api_may_change():
    """Each rule named after its job, the API allowed to change them; those off at the start made disabled."""
    merged = merge(chalice_template(), load_resources(), CONFIG, "prod", "layer.zip")
    assert merged["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]["SCHEDULE_RULE_PREFIX"] == (
        "ytarchive-prod-schedule-"
    )
    template = chalice_template()
    for handler in SCHEDULE_HANDLERS.values():
        template["Resources"][handler] = {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "Handler": f"functions.jobs.triggers.{handler}",
                "Runtime": template["Resources"]["APIHandler"]["Properties"]["Runtime"],
                "Events": {"Event": {"Type": "Schedule", "Properties": {"Schedule": "rate(1 day)"}}},
            },
        }
    merged = merge(template, load_resources(), CONFIG, "prod", "layer.zip")
    rules = {
        name: merged["Resources"][h]["Properties"]["Events"]["Event"]["Properties"]
        for name, h in SCHEDULE_HANDLERS.items()
    }
    names = {rule["Name"] for rule in rules.values()}
    assert names == {f"ytarchive-prod-schedule-{handler}" for handler in SCHEDULE_HANDLERS.values()}
    states = {name: rule.get("State", "ENABLED") for name, rule in rules.items()}
    assert states == {name: "DISABLED" if name in OFF_AT_START else "ENABLED" for name in SCHEDULE_HANDLERS}
    assert set(OFF_AT_START) == {"download_pending", "check_reindex", "thumbnail_check", "version_check"}

    policy = json.loads((ROOT / ".chalice" / "policy-api.json").read_text())
    (statement,) = [s for s in policy["Statement"] if any(a.startswith("events:") for a in s["Action"])]
    assert sorted(statement["Action"]) == ["events:DisableRule", "events:PutRule"]
    granted = {arn.rpartition(":rule/")[2].replace("${Stage}", "prod") for arn in statement["Resource"]}
    assert granted == names
