"""The snapshot function: the archive's maintenance jobs asked for on the snapshot queue, and the daily snapshot.

A message's `action` says which: creating or restoring a snapshot (functions.services.snapshots), making or
restoring a backup (functions.services.backups), the filesystem rescan (functions.services.filesystem), the
manual import (functions.services.manual_import). Each runs in its own service; this module only routes.
"""

import time

from functions.jobs import events
from functions.services import schedules, snapshots

SNAPSHOT_ACTIONS = ("create", "restore")  # what functions.services.snapshots sends
BACKUP_ACTIONS = ("run_backup", "restore_backup")  # functions.services.backups
RESCAN_FILESYSTEM = "rescan_filesystem"  # functions.services.filesystem
MANUAL_IMPORT = "manual_import"  # functions.services.manual_import


def snapshot(event):
    """The snapshot queue's batch (functions/jobs/triggers.py), a Chalice SQS event."""
    return events.consume(event, handle_record)


def handle_record(record: dict, context=None) -> str:
    body = events.body(record.get("body"), "action")
    action = body["action"]
    if action in SNAPSHOT_ACTIONS and isinstance(body.get("snapshot_id"), str):
        snapshots.run_job(body)
    elif action in BACKUP_ACTIONS:
        from functions.services import backups

        backups.run_job(body)
    elif action == RESCAN_FILESYSTEM:
        from functions.services import filesystem

        filesystem.run_job(body)
    elif action == MANUAL_IMPORT:
        from functions.services import manual_import

        manual_import.run_job(body)
    else:
        raise events.Malformed(f"no snapshot job: {record.get('body', '')[:200]!r}")
    return action


def daily_snapshot(event):
    """On its schedule (scheduler.run_snapshot)."""
    schedules.record_run("daily_snapshot", time.time())
    events.scheduled(event, snapshots.scheduled_snapshot)
