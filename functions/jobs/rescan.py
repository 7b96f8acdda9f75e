"""The rescan function: every few hours, watched videos past their autodelete days are deleted and the newest
videos of subscribed channels and playlists are queued."""

from functions.jobs import events
from functions.services import autodelete, task_runs
from functions.services import rescan as rescan_service


def rescan(event):
    """Every triggers.RESCAN_EVERY_HOURS hours (functions/jobs/triggers.py)."""
    # first: what it deletes is ignored, so the rescan skips it
    deleted = events.scheduled(event, lambda: task_runs.record(task_runs.AUTODELETE, autodelete_run)) or []
    summary = events.scheduled(event, lambda: task_runs.record(task_runs.UPDATE_SUBSCRIBED, rescan_service.run))
    result = {"skipped": True} if summary is None else {"added": len(summary["added"]), "errors": summary["errors"]}
    return {**result, "autodeleted": len(deleted)}


def autodelete_run(run: task_runs.Run) -> list[str]:
    deleted = autodelete.run()
    run.result = f"deleted {len(deleted)} watched video(s)" if deleted else None
    return deleted
