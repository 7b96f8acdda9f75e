"""The rescan function: every few hours, watched videos past their autodelete days are deleted and the newest
videos of subscribed channels and playlists are queued."""

from chalice import Blueprint, Rate

from functions.jobs import events
from functions.services import autodelete
from functions.services import rescan as rescan_service

blueprint = Blueprint(__name__)
EVERY_HOURS = 6


@blueprint.schedule(Rate(EVERY_HOURS, unit=Rate.HOURS))
def rescan(event):
    deleted = events.scheduled(event, autodelete.run)  # first: what it deletes is ignored, so the rescan skips it
    summary = events.scheduled(event, rescan_service.run)
    result = {"skipped": True} if summary is None else {"added": len(summary["added"]), "errors": summary["errors"]}
    return {**result, "autodeleted": len(deleted)}
