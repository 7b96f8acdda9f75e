"""Download queue items: their statuses, sort and index keys, counters, and the reads and removal both the API
and the download function use.

Items are ordered auto_start first, then oldest first (`order_key`); every write that changes which list an item
is in moves its counters in the same transaction, so totals stay exact and a retried write never counts twice.
"""

from enum import StrEnum

from pynamodb.exceptions import DoesNotExist

from functions.core.errors import NotFound
from functions.core.ids import is_video_id
from functions.storage import counters, db, tallied
from functions.storage.counters import Totals
from functions.storage.models import QueueItem

PENDING, IGNORE = "pending", "ignore"
STATUSES = (PENDING, IGNORE)
PRIORITY = "priority"  # not a stored status: pending, auto_start, and sent to the download function now
IGNORE_FORCE = "ignore-force"  # not a stored status: queued as ignored, whether it was queued before or not
DOWNLOAD, EXPAND = "download", "expand"  # the actions of the download function's messages
TRANSACTION_ITEMS = 25  # queue items per transaction; their counters ride along (DynamoDB allows 100 items)


class Outcome(StrEnum):
    """What the download function did with one message."""

    ARCHIVED = "archived"
    SKIPPED = "skipped"  # nothing to do: ignored, removed, archived already, or another message holds it
    EXPANDED = "expanded"
    STOPPED = "stopped"  # its run was stopped mid-download: the item is pending again, nothing stored
    OFFLOADED = "offloaded"  # too large for the function: a download task took it (functions.services.offload)
    TASK_DONE = "task done"  # a download task ended well
    RETRIED = "retried"  # a download task failed: its download is queued again
    GIVEN_UP = "given up"  # a download task failed a last time


def not_found(youtube_id: str) -> NotFound:
    return NotFound(f"video {youtube_id} not in download queue")


def order_key(auto_start: bool, stamp_us: int, youtube_id: str) -> str:
    """auto_start items first, then by when they were added (microseconds keep a batch in its pasted order)."""
    return f"{0 if auto_start else 1}#{stamp_us:017d}#{youtube_id}"


def _stamp_us(item: QueueItem) -> int:
    return int(item.order_key.split("#")[1]) if item.order_key else int(item.timestamp) * 1_000_000


def set_keys(item: QueueItem, stamp_us: int | None = None) -> QueueItem:
    item.order_key = order_key(item.auto_start, _stamp_us(item) if stamp_us is None else stamp_us, item.youtube_id)
    item.channel_status = f"{item.channel_id or '-'}#{item.status}"
    item.type_status = f"{item.vid_type or 'videos'}#{item.status}"
    item.error_status = error_status(item.status, bool(item.message))
    return item


def error_status(status: str, has_error: bool) -> str:
    """The by_error_status partition of items of `status` with an error message, or without one."""
    return f"{status}#{counters.ERROR_STATES[0 if has_error else 1]}"


def key_actions(item: QueueItem) -> list:
    """The update actions that store the index keys set_keys set (the order key aside)."""
    return [
        QueueItem.channel_status.set(item.channel_status),
        QueueItem.type_status.set(item.type_status),
        QueueItem.error_status.set(item.error_status),
    ]


def unchanged(item: QueueItem):
    """The condition that the stored item is still in the lists (and counters) `item` was read in."""
    had_error = QueueItem.message.exists() if item.message else QueueItem.message.does_not_exist()
    return (QueueItem.channel_status == item.channel_status) & had_error


def counts(item: QueueItem, sign: int = 1) -> dict[str, int]:
    names = [
        counters.queue(item.status),
        counters.queue_of_type(item.status, item.vid_type or "videos"),
        counters.queue_by_error(item.status, bool(item.message)),
    ]
    if item.channel_id:
        names.append(counters.channel_queue(item.channel_id, item.status))
    return {name: sign for name in names}


def move_counts(transaction, deltas: dict[str, int], named: list[QueueItem]) -> None:
    """Move counters (db.add_counts) inside `transaction`; a channel's queue counters keep the channel's name from
    the `named` items, and are on their status's board (functions.services.downloads.aggs reads both)."""
    labels = {
        counters.channel_queue(item.channel_id, item.status): item.channel_name
        for item in named
        if item.channel_id and item.channel_name
    }
    tallied.add_totals(transaction, {name: Totals(delta) for name, delta in deltas.items()}, labels)


def moved_counts(old: dict[str, int], item: QueueItem) -> dict[str, int]:
    """The counters that move when an item counted in `old` (counts(item, -1) before the change) is now `item`."""
    return {name: delta for name, delta in merge(old, counts(item)).items() if delta}


def merge(into: dict[str, int], deltas: dict[str, int]) -> dict[str, int]:
    for name, delta in deltas.items():
        into[name] = into.get(name, 0) + delta
    return into


def remove(item: QueueItem) -> bool:
    """Delete an item and take it off its counters, unless it changed list meanwhile; False then, or when gone.
    The caller takes it out of the search index (functions.services.search.remove_queued, many at once where it
    can: the search documents know the queue's statuses from here)."""
    with db.transaction() as transaction:
        transaction.delete(item, condition=unchanged(item))
        move_counts(transaction, counts(item, -1), [item])
    return transaction.committed


def is_queued(youtube_id: str) -> bool:
    return QueueItem.count(youtube_id) > 0


def get(youtube_id: str) -> QueueItem:
    if not is_video_id(youtube_id):
        raise not_found(youtube_id)
    try:
        return QueueItem.get(youtube_id)
    except DoesNotExist:
        raise not_found(youtube_id) from None
