"""The rescan function: every few hours, watched videos past their autodelete days are deleted and the newest
videos of subscribed channels and playlists are queued."""

from functions.jobs import events
from functions.services import autodelete
from functions.services import rescan as rescan_service


def rescan(event):
    """Every triggers.RESCAN_EVERY_HOURS hours (functions/jobs/triggers.py)."""
    deleted = events.scheduled(event, autodelete.run)  # first: what it deletes is ignored, so the rescan skips it
    summary = events.scheduled(event, rescan_service.run)
    result = {"skipped": True} if summary is None else {"added": len(summary["added"]), "errors": summary["errors"]}
    return {**result, "autodeleted": len(deleted)}
