"""The download function's side of the queue: filling in items (yt-dlp metadata), expanding channels and
playlists into items, and the bookkeeping of one download (lease, progress, failure, finish)."""

import tempfile
import time
from pathlib import Path

from pynamodb.exceptions import DoesNotExist

from functions.core import logs
from functions.core.dates import duration_str
from functions.core.ids import is_channel_id
from functions.services import search
from functions.services.archive import archiving, playlist_index
from functions.services.downloads import intake, items
from functions.storage import db, s3
from functions.storage.models import QueueItem, Video
from functions.youtube import urls, ytdlp

log = logs.logger(__name__)


def describe(youtube_ids: list[str], cookie: str | None = None) -> list[str]:
    """Fill in the title, channel and duration of items queued by id; a video yt-dlp cannot read keeps its item,
    with the error in `message`. The ids of those."""
    unreadable = []
    for youtube_id in youtube_ids:
        try:
            row = ytdlp.video_summary(youtube_id, cookie)
        except ytdlp.YtDlpError as error:
            _update(youtube_id, {"message": f"metadata: {error.message}"})
            unreadable.append(youtube_id)
            continue
        updated = _update(youtube_id, queue_fields(row))
        # still queued (not downloaded meanwhile, with its own), and no archived copy whose thumbnail it would take
        if updated is not None and not updated.redownload:
            store_thumbnails([row], [youtube_id], cookie)
    return unreadable


def store_thumbnails(rows: list[dict], youtube_ids: list[str], cookie: str | None = None) -> list[str]:
    """The thumbnails of newly queued videos (of `youtube_ids`, from their rows' `thumbnail_url`) at the keys
    their items link (`vid_thumb_url`), as TubeArchivist caches them when it queues; the download replaces each
    with its own. One YouTube fails to serve is left out (the link answers YouTube's own until the download:
    functions.http.ta.media). The ids whose thumbnail was stored."""
    wanted, stored = set(youtube_ids), []
    with tempfile.TemporaryDirectory(prefix="queued-") as workdir:
        for row in rows:
            youtube_id = row.get("youtube_id")
            if youtube_id not in wanted or not row.get("thumbnail_url"):
                continue
            path = Path(workdir) / f"{youtube_id}.jpg"
            try:
                archiving.store_image(row["thumbnail_url"], path, s3.video_thumb_key(youtube_id), cookie)
                stored.append(youtube_id)
            except ytdlp.YtDlpError as error:
                log.warning("thumbnail of queued %s: %s", youtube_id, error.message)
    return stored


def queue_fields(row: dict) -> dict:
    """A queue item's fields from the adapter's row of the video (functions.youtube.rows.video_row)."""
    return {
        "title": row["title"],
        "channel_name": row["channel_name"],
        "duration": duration_str(row["duration"]) if row["duration"] else "",
        "vid_type": row["vid_type"],
        "published": row["published"],
        "channel_id": row["channel_id"] if is_channel_id(row["channel_id"]) else None,
    }


def _update(youtube_id: str, fields: dict) -> QueueItem | None:
    """Set fields of an item (None: left as it is), moving its channel counters when the channel changed; the
    item as written, or None when it is gone (downloaded meanwhile) or changed status under us."""
    try:
        item = QueueItem.get(youtube_id)
    except DoesNotExist:
        return None
    fields = {name: value for name, value in fields.items() if value is not None}
    before = QueueItem.from_raw_data(item.serialize())
    old, previous = items.counts(item, -1), items.unchanged(item) & (QueueItem.vid_type == item.vid_type)
    for name, value in fields.items():
        setattr(item, name, value)
    items.set_keys(item)
    actions = [getattr(QueueItem, name).set(value) for name, value in fields.items()]
    actions += items.key_actions(item)
    with db.transaction() as transaction:
        transaction.update(item, actions=actions, condition=previous)
        items.move_counts(transaction, items.moved_counts(old, item), [item])
    if not transaction.committed:
        return None
    search.index_queue_item(item, before)  # its title and channel, found by the queue's search
    return item


def expand(targets: list[urls.Target], auto_start: bool = False, cookie: str | None = None) -> dict:
    """Queue the videos of channels (each of TABS, or the one named) and playlists. A target yt-dlp cannot read
    is reported in "errors" and the others still queued. {"added", "skipped", "errors"}."""
    summary: dict[str, list] = {"added": [], "skipped": [], "errors": []}
    for target in targets:
        try:
            if target.kind == urls.PLAYLIST:
                info = ytdlp.playlist_info(target.youtube_id or "", cookie)
                # queued first, so a video archived meanwhile is either marked by the download (its item names
                # the playlist) or found archived by playlist_index.index, which marks it
                result = intake.add_entries(info["entries"], auto_start, playlists=[info["playlist_id"]])
                playlist_index.index(info, cookie)
                store_thumbnails(info["entries"], result["added"], cookie)
            else:
                channel = ytdlp.channel_info(target, cookie)
                rows = []
                for tab in [target.tab] if target.tab else urls.TABS:
                    try:
                        listed = ytdlp.list_entries(urls.channel_url(channel["channel_id"], tab), cookie=cookie)
                    except ytdlp.ExtractionFailed:
                        if target.tab:
                            raise
                        continue  # channels without shorts or streams have no such tab
                    for row in listed:
                        row.update(channel_id=channel["channel_id"], channel_name=channel["channel_name"])
                    rows += listed
                result = intake.add_entries(rows, auto_start)
                store_thumbnails(rows, result["added"], cookie)
        except ytdlp.YtDlpError as error:
            summary["errors"].append(f"{target.url}: {error.message}")
            continue
        summary["added"] += result["added"]
        summary["skipped"] += result["skipped"]
    if auto_start and summary["added"]:
        intake.start(summary["added"])
    return summary


def claim(youtube_id: str, owner: str, seconds: int) -> QueueItem | None:
    """Take the item for one download (the SQS message id as `owner`) for `seconds`: the item as stored, or None
    when it is gone, not pending, or another message's download holds it. The same message, redelivered, takes
    it back."""
    now = int(time.time())
    item = QueueItem(youtube_id)
    free = QueueItem.lease_owner.does_not_exist() | (QueueItem.lease_owner == owner) | (QueueItem.lease_until < now)
    claimed = db.conditional(
        item.update,
        actions=[QueueItem.lease_owner.set(owner), QueueItem.lease_until.set(now + seconds)],
        condition=QueueItem.youtube_id.exists() & (QueueItem.status == items.PENDING) & free,
    )
    return item if claimed else None  # filled in from the update's answer (all attributes, as updated)


def replaces(item: QueueItem, archived: Video) -> bool:
    """Whether the download of `item` is to replace the archived copy: it was queued to (`redownload`), and the
    copy is not newer than the request (a retry after the replacement finds the new copy and only dequeues)."""
    return bool(item.redownload) and int(archived.date_downloaded) <= int(item.timestamp)


def record_progress(youtube_id: str, owner: str, percent: float | None, speed: float | None) -> None:
    actions = [QueueItem.progress.set(round(percent or 0, 1))]
    actions.append(QueueItem.speed.set(round(speed)) if speed is not None else QueueItem.speed.remove())
    db.conditional(QueueItem(youtube_id).update, actions=actions, condition=QueueItem.lease_owner == owner)


def record_worker(youtube_id: str, owner: str, where: str, seconds: int | None = None) -> bool:
    """Note where the download holding the item runs, and extend its lease to `seconds` from now (a task that
    outlives the message); False when the item is no longer held by `owner`."""
    actions = [QueueItem.runs_on.set(where[:500])]
    if seconds is not None:
        actions.append(QueueItem.lease_until.set(int(time.time()) + seconds))
    return db.conditional(QueueItem(youtube_id).update, actions=actions, condition=QueueItem.lease_owner == owner)


def holds(youtube_id: str, owner: str) -> bool:
    """Whether `owner`'s download still holds the item (it died before letting go)."""
    try:
        return QueueItem.get(youtube_id, consistent_read=True).lease_owner == owner
    except DoesNotExist:
        return False


def _let_go() -> list:
    """The actions that end a download's hold on its item."""
    return [
        QueueItem.lease_owner.remove(),
        QueueItem.lease_until.remove(),
        QueueItem.progress.remove(),
        QueueItem.speed.remove(),
        QueueItem.runs_on.remove(),
    ]


def record_failure(youtube_id: str, owner: str, message: str) -> None:
    """Keep the error on the item and let go of it, so the next delivery (or the user) can retry; the item moves
    to the queue's errors (v0.5's ?error=true) with its counters."""
    for _ in range(3):  # its error or list changed between the read and the write: read it again
        try:
            item = QueueItem.get(youtube_id, consistent_read=True)
        except DoesNotExist:
            return
        if item.lease_owner != owner:
            return
        old, previous = items.counts(item, -1), items.unchanged(item) & (QueueItem.lease_owner == owner)
        item.message = message[:2000]
        items.set_keys(item)
        actions = [QueueItem.message.set(item.message), QueueItem.attempts.add(1), *items.key_actions(item), *_let_go()]
        with db.transaction() as transaction:
            transaction.update(item, actions=actions, condition=previous)
            items.move_counts(transaction, items.moved_counts(old, item), [item])
        if transaction.committed:
            return


def release(youtube_id: str, owner: str) -> None:
    """Let go of an item whose download was stopped: pending as before, no error, no attempt counted."""
    db.conditional(
        QueueItem(youtube_id).update,
        actions=_let_go(),
        condition=QueueItem.youtube_id.exists() & (QueueItem.lease_owner == owner),
    )


def finish(youtube_id: str) -> None:
    """Remove the item of a downloaded video (once; a second call finds nothing to remove)."""
    for _ in range(3):  # a status change racing the removal: read it again
        try:
            item = QueueItem.get(youtube_id, consistent_read=True)
        except DoesNotExist:
            return
        if items.remove(item):
            search.remove_queued([item])
            return
