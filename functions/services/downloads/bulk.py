"""TubeArchivist v0.5's bulk change of the download queue (`PATCH /api/download/?filter=&channel=`): every item
of one status, or of one channel and status, gets a new status. The items come from the queue's status or channel
index (no Scan); each is changed by intake.set_status, whose conditional write keeps counters exact when an item
changes meanwhile."""

from functions.core.errors import BadRequest, NotFound
from functions.core.ids import is_channel_id
from functions.services.downloads import intake, items
from functions.storage.models import QueueItem

NEW_STATUSES = (*items.STATUSES, items.PRIORITY, "clear_error")


def update_by_filter(status: str, new_status: str, channel_id: str | None = None) -> int:
    """Set `new_status` on the items now `status` (of `channel_id` when given); how many were changed.
    `clear_error` keeps the status and clears the items' error message, as a retry would."""
    if status not in items.STATUSES:
        raise BadRequest("filter must be pending or ignore")
    if new_status not in NEW_STATUSES:
        raise BadRequest(f"status must be one of {', '.join(NEW_STATUSES)}")
    if channel_id is not None and not is_channel_id(channel_id):
        raise BadRequest(f"channel must be a channel id, got {channel_id[:40]!r}")
    keys = (
        QueueItem.by_channel_status.query(f"{channel_id}#{status}") if channel_id else QueueItem.by_status.query(status)
    )
    ids = [key.youtube_id for key in keys]
    target = status if new_status == "clear_error" else new_status
    changed = 0
    for youtube_id in ids:
        try:
            intake.set_status(youtube_id, target)
        except NotFound:  # removed meanwhile
            continue
        changed += 1
    return changed
