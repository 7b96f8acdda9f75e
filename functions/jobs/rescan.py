"""The rescan function: on its schedule (scheduler.update_subscribed), the newest videos of subscribed channels
and playlists are queued."""

from functions.jobs import events
from functions.services import rescan as rescan_service
from functions.services import task_runs


def rescan(event):
    summary = events.scheduled(event, lambda: task_runs.record(task_runs.UPDATE_SUBSCRIBED, rescan_service.run))
    return {"skipped": True} if summary is None else {"added": len(summary["added"]), "errors": summary["errors"]}
