"""The snapshot function: the archive's maintenance jobs asked for on the snapshot queue; the daily snapshot and
the scheduled backup, which ask for theirs there.

A message's `action` says which: creating or restoring a snapshot (functions.services.snapshots), making or
restoring a backup (functions.services.backups), the filesystem rescan (functions.services.filesystem), the
manual import (functions.services.manual_import). Each runs in its own service; this module only routes.
"""

import importlib

from functions.jobs import events
from functions.services import snapshots, task_runs

SNAPSHOT_ACTIONS = ("create", "restore")  # what functions.services.snapshots sends


# TubeArchivist's file task name -> the service whose run_job does it, imported when its message comes
FILE_TASKS = {
    "run_backup": "backups",
    "restore_backup": "backups",
    "rescan_filesystem": "filesystem",
    "manual_import": "manual_import",
}


def snapshot(event):
    """The snapshot queue's batch (functions/jobs/triggers.py), a Chalice SQS event."""
    return events.consume(event, handle_record)


def handle_record(record: dict, context=None) -> str:
    body = events.body(record.get("body"), "action")
    action = body["action"]
    if action in SNAPSHOT_ACTIONS and isinstance(body.get("snapshot_id"), str):
        name = task_runs.CREATE_SNAPSHOT if action == "create" else task_runs.RESTORE_SNAPSHOT
        task_runs.record(name, lambda run: run_snapshot_job(body, run))
    elif action in FILE_TASKS:
        service = importlib.import_module(f"functions.services.{FILE_TASKS[action]}")
        task_runs.record(action, lambda run: service.run_job(body), task_id=body.get("task_id"))
    else:
        raise events.Malformed(f"no snapshot job: {record.get('body', '')[:200]!r}")
    return action


def daily_snapshot(event):
    """On its schedule (scheduler.run_snapshot)."""
    events.scheduled(event, snapshots.scheduled_snapshot)


def scheduled_backup(event):
    """On its schedule (scheduler.run_backup): a backup asked for on the snapshot queue, which rotates after it."""
    from functions.services import backups

    events.scheduled(event, backups.scheduled_backup)


def run_snapshot_job(body: dict, run: task_runs.Run) -> None:
    snapshots.run_job(body)
    run.result = f"{body['action']} {body['snapshot_id']}"
