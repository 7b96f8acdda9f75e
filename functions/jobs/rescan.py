"""The rescan function: every few hours, the newest videos of subscribed channels and playlists are queued."""

from chalice import Blueprint, Rate

from functions.jobs import events
from functions.services import rescan as rescan_service

blueprint = Blueprint(__name__)
EVERY_HOURS = 6


@blueprint.schedule(Rate(EVERY_HOURS, unit=Rate.HOURS))
def rescan(event):
    summary = events.scheduled(event, rescan_service.run)
    return {"skipped": True} if summary is None else {"added": len(summary["added"]), "errors": summary["errors"]}
