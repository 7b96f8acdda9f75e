"""The snapshot job: creates and restores snapshots asked for on the snapshot queue, and the daily schedule."""

import time

from functions.jobs import events
from functions.services import schedules, snapshots, task_runs

ACTIONS = ("create", "restore")  # what functions.services.snapshots sends


def snapshot(event):
    """The snapshot queue's batch (functions/jobs/triggers.py), a Chalice SQS event."""
    return events.consume(event, handle_record)


def handle_record(record: dict, context=None) -> str:
    body = events.body(record.get("body"), "action", "snapshot_id")
    if body["action"] not in ACTIONS or not isinstance(body["snapshot_id"], str):
        raise events.Malformed(f"no snapshot job: {record.get('body', '')[:200]!r}")
    name = task_runs.CREATE_SNAPSHOT if body["action"] == "create" else task_runs.RESTORE_SNAPSHOT
    task_runs.record(name, lambda run: run_snapshot_job(body, run))
    return body["action"]


def daily_snapshot(event):
    """On its schedule (scheduler.run_snapshot)."""
    schedules.record_run("daily_snapshot", time.time())
    events.scheduled(event, snapshots.scheduled_snapshot)


def run_snapshot_job(body: dict, run: task_runs.Run) -> None:
    snapshots.run_job(body)
    run.result = f"{body['action']} {body['snapshot_id']}"
