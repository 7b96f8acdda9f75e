"""The download queue: what users add, stored before any slow work, and started as one SQS message per video.

Adding never waits for YouTube: a video id becomes a pending item at once (its title and channel are filled in
later by the download function), and channels and playlists are expanded there too (`expand`, with yt-dlp's flat
listing), from one `expand` message. So nothing a user adds is lost when YouTube or yt-dlp fails. Items are
ordered auto_start first, then oldest first (`order_key`); every write that changes which list an item is in
moves its counters in the same transaction, so totals stay exact and a retried write never counts twice.
"""

import json
import time
from collections.abc import Iterable

from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from functions.core.dates import duration_str
from functions.core.errors import BadRequest, NotFound
from functions.core.ids import is_channel_id, is_video_id
from functions.core.pagination import Page, paginate
from functions.core.settings import get_settings
from functions.services.auth import Viewer
from functions.storage import db, s3, totals
from functions.storage.models import Channel, Counter, QueueItem, Video
from functions.youtube import urls

PENDING, IGNORE = "pending", "ignore"
STATUSES = (PENDING, IGNORE)
PRIORITY = "priority"  # not a stored status: pending, auto_start, and sent to the download function now
DOWNLOAD, EXPAND = "download", "expand"  # the actions of the download function's messages
TRANSACTION_ITEMS = 25  # queue items per transaction; their counters ride along (DynamoDB allows 100 items)
SQS_BATCH = 10

_sqs = None
_queue_url: str | None = None


def not_found(youtube_id: str) -> NotFound:
    return NotFound(f"video {youtube_id} not in download queue")


# ---------------------------------------------------------------- keys and counters


def order_key(auto_start: bool, stamp_us: int, youtube_id: str) -> str:
    """auto_start items first, then by when they were added (microseconds keep a batch in its pasted order)."""
    return f"{0 if auto_start else 1}#{stamp_us:017d}#{youtube_id}"


def _stamp_us(item: QueueItem) -> int:
    return int(item.order_key.split("#")[1]) if item.order_key else int(item.timestamp) * 1_000_000


def set_keys(item: QueueItem, stamp_us: int | None = None) -> QueueItem:
    item.order_key = order_key(item.auto_start, _stamp_us(item) if stamp_us is None else stamp_us, item.youtube_id)
    item.channel_status = f"{item.channel_id or '-'}#{item.status}"
    return item


def _counts(item: QueueItem, sign: int = 1) -> dict[str, int]:
    names = [totals.queue(item.status)]
    if item.channel_id:
        names.append(totals.channel_queue(item.channel_id, item.status))
    return {name: sign for name in names}


def _merge(into: dict[str, int], deltas: dict[str, int]) -> dict[str, int]:
    for name, delta in deltas.items():
        into[name] = into.get(name, 0) + delta
    return into


# ---------------------------------------------------------------- adding


def _new_item(youtube_id: str, stamp_us: int, auto_start: bool, row: dict | None = None, playlists=None) -> QueueItem:
    row = row or {}
    item = QueueItem(
        youtube_id,
        title=row.get("title") or "",
        channel_id=row.get("channel_id") or "",
        channel_name=row.get("channel_name") or "",
        duration=duration_str(row["duration"]) if row.get("duration") else "",
        published=row.get("published"),
        status=PENDING,
        timestamp=stamp_us // 1_000_000,
        vid_type=row.get("vid_type") or "videos",
        auto_start=auto_start,
        playlists=list(playlists) if playlists else None,
    )
    return set_keys(item, stamp_us)


def _store(items: list[QueueItem]) -> list[str]:
    """Put new items with their counts, TRANSACTION_ITEMS a transaction; an item that appeared meanwhile (a race)
    is skipped. The ids stored."""
    stored = []
    for start in range(0, len(items), TRANSACTION_ITEMS):
        chunk = items[start : start + TRANSACTION_ITEMS]
        try:
            with TransactWrite(connection=db.connection()) as transaction:
                deltas: dict[str, int] = {}
                for item in chunk:
                    transaction.save(item, condition=QueueItem.youtube_id.does_not_exist())
                    _merge(deltas, _counts(item))
                db.add_counts(transaction, deltas)
            stored += [item.youtube_id for item in chunk]
        except TransactWriteError as error:
            if not db.is_condition_failure(error):
                raise
            if len(chunk) > 1:  # one of them appeared meanwhile: store the others
                stored += [i for item in chunk for i in _store([item])]
    return stored


def add_entries(rows: Iterable[dict], auto_start: bool = False, playlists=None) -> dict:
    """Queue videos given as rows ({youtube_id, title?, channel_id?, channel_name?, duration?, published?,
    vid_type?}), skipping those already archived or queued. With `playlists`, the items (new or already
    queued) remember those playlists, for the download to mark their entries. {"added": [ids], "skipped": [ids]}."""
    wanted: dict[str, dict] = {}
    for row in rows:
        if is_video_id(row.get("youtube_id")):
            wanted.setdefault(row["youtube_id"], row)
    archived, queued = db.batch_get((Video, list(wanted)), (QueueItem, list(wanted)))
    fresh = [i for i in wanted if i not in archived and i not in queued]
    base = time.time_ns() // 1000
    items = [_new_item(i, base + n, auto_start, wanted[i], playlists) for n, i in enumerate(fresh)]
    added = _store(items)
    for youtube_id in queued:
        for playlist_id in playlists or []:
            add_playlist(youtube_id, playlist_id)
    return {"added": added, "skipped": [i for i in wanted if i not in added]}


def add_playlist(youtube_id: str, playlist_id: str) -> None:
    """Remember on a queued item that its video is in `playlist_id` (once; nothing when the item is gone)."""
    try:
        QueueItem(youtube_id).update(
            actions=[QueueItem.playlists.set((QueueItem.playlists | []).append([playlist_id]))],
            condition=QueueItem.youtube_id.exists() & ~QueueItem.playlists.contains(playlist_id),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise


def add(targets_or_ids, auto_start: bool = False) -> dict:
    """Queue what a user pasted: ids, URLs or Targets, every one checked first (BadRequest, nothing stored).

    Videos are stored at once; channels and playlists, and the metadata of the videos, are left to one `expand`
    message for the download function. With `auto_start` the new videos are started too.
    {"added": [ids], "skipped": [ids], "expanding": [urls]}."""
    parsed = iter(urls.parse_targets([t for t in targets_or_ids if not isinstance(t, urls.Target)]))
    targets = [t if isinstance(t, urls.Target) else next(parsed) for t in targets_or_ids]
    videos = [{"youtube_id": t.youtube_id} for t in targets if t.kind == urls.VIDEO]
    others = [t for t in targets if t.kind != urls.VIDEO]
    summary = add_entries(videos, auto_start)
    summary["expanding"] = [t.url for t in others]
    if others or summary["added"]:
        targets_json = [t.as_dict() for t in others]
        send([{"action": EXPAND, "targets": targets_json, "describe": summary["added"], "auto_start": auto_start}])
    if auto_start and summary["added"]:
        start(summary["added"])
    return summary


# ---------------------------------------------------------------- filling in (download function side: yt-dlp)


def describe(youtube_ids: list[str], cookie: str | None = None) -> None:
    """Fill in the title, channel and duration of items queued by id; a video yt-dlp cannot read keeps its item,
    with the error in `message`."""
    from functions.youtube import ytdlp

    for youtube_id in youtube_ids:
        try:
            info = ytdlp.video_info(youtube_id, cookie)
        except ytdlp.BadRequest as error:
            _update(youtube_id, {"message": f"metadata: {error.message}"})
            continue
        _update(youtube_id, metadata_fields(info))


def metadata_fields(info: dict) -> dict:
    """A queue item's fields from yt-dlp's info dict of the video."""
    upload_date = info.get("upload_date")
    channel_id = info.get("channel_id")
    return {
        "title": info.get("title") or "",
        "channel_name": info.get("channel") or info.get("uploader") or "",
        "duration": duration_str(info.get("duration")) if info.get("duration") else "",
        "vid_type": "shorts" if "/shorts/" in str(info.get("webpage_url", "")) else "videos",
        "published": f"{upload_date[:4]}-{upload_date[4:6]}-{upload_date[6:8]}" if upload_date else None,
        "channel_id": channel_id if is_channel_id(channel_id) else None,
    }


def _update(youtube_id: str, fields: dict) -> bool:
    """Set fields of an item (None: left as it is), moving its channel counters when the channel changed; False
    when it is gone (downloaded meanwhile) or changed status under us."""
    try:
        item = QueueItem.get(youtube_id)
    except DoesNotExist:
        return False
    fields = {name: value for name, value in fields.items() if value is not None}
    old, previous = _counts(item, -1), item.channel_status
    for name, value in fields.items():
        setattr(item, name, value)
    set_keys(item)
    actions = [getattr(QueueItem, name).set(value) for name, value in fields.items()]
    actions.append(QueueItem.channel_status.set(item.channel_status))
    try:
        with TransactWrite(connection=db.connection()) as transaction:
            transaction.update(item, actions=actions, condition=QueueItem.channel_status == previous)
            db.add_counts(transaction, {k: v for k, v in _merge(old, _counts(item)).items() if v})
        return True
    except TransactWriteError as error:
        if db.is_condition_failure(error):
            return False
        raise


def expand(targets: list[urls.Target], auto_start: bool = False, cookie: str | None = None) -> dict:
    """Queue the videos of channels (each of TABS, or the one named) and playlists. A target yt-dlp cannot read
    is reported in "errors" and the others still queued. {"added", "skipped", "errors"}."""
    from functions.services.archive import playlists
    from functions.storage.models import Playlist
    from functions.youtube import ytdlp

    summary = {"added": [], "skipped": [], "errors": []}
    for target in targets:
        try:
            if target.kind == urls.PLAYLIST:
                info = ytdlp.playlist_info(target.youtube_id, cookie)
                playlist = Playlist(
                    info["playlist_id"],
                    playlist_name=info["playlist_name"],
                    playlist_channel=info["playlist_channel"],
                    playlist_channel_id=info["playlist_channel_id"],
                    playlist_description=info["playlist_description"],
                )
                # queued first, so a video archived meanwhile is either marked by the download (its item names
                # the playlist) or found archived by playlists.save, which marks it
                result = add_entries(info["entries"], auto_start, playlists=[info["playlist_id"]])
                playlists.save(playlist, info["entries"])
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
                result = add_entries(rows, auto_start)
        except ytdlp.BadRequest as error:
            summary["errors"].append(f"{target.url}: {error.message}")
            continue
        summary["added"] += result["added"]
        summary["skipped"] += result["skipped"]
    if auto_start and summary["added"]:
        start(summary["added"])
    return summary


# ---------------------------------------------------------------- starting


def sqs():
    global _sqs
    if _sqs is None:
        import botocore.session

        _sqs = botocore.session.get_session().create_client("sqs", region_name=get_settings().region)
    return _sqs


def queue_url() -> str:
    """The download queue: DOWNLOAD_QUEUE_URL, or the stage's queue by name (the local run and tests)."""
    global _queue_url
    configured = get_settings().download_queue_url
    if configured:
        return configured
    if _queue_url is None:
        _queue_url = sqs().get_queue_url(QueueName=get_settings().table_prefix + "download")["QueueUrl"]
    return _queue_url


def send(bodies: list[dict], delay_seconds: int = 0) -> None:
    """Send messages to the download function, SQS_BATCH a request, delivered after `delay_seconds` (at most
    900); raises when SQS refused any."""
    delay = {"DelaySeconds": min(int(delay_seconds), 900)} if delay_seconds else {}
    for start_at in range(0, len(bodies), SQS_BATCH):
        chunk = bodies[start_at : start_at + SQS_BATCH]
        entries = [{"Id": str(n), "MessageBody": json.dumps(body), **delay} for n, body in enumerate(chunk)]
        response = sqs().send_message_batch(QueueUrl=queue_url(), Entries=entries)
        if response.get("Failed"):
            reasons = "; ".join(f"{f.get('Code')}: {f.get('Message')}" for f in response["Failed"])
            raise RuntimeError(f"SQS refused {len(response['Failed'])} message(s): {reasons}")


def pending_ids(limit: int | None = None) -> list[str]:
    """Pending videos in queue order: auto_start first, then oldest."""
    keys = QueueItem.by_status.query(PENDING, scan_index_forward=True, limit=limit)
    return [key.youtube_id for key in keys]


def start(ids: list[str] | None = None) -> int:
    """Send one download message per pending video (all of them, or those of `ids`), in queue order. The number
    sent."""
    if ids is None:
        ids = pending_ids()
    else:
        (found,) = db.batch_get((QueueItem, ids))
        ids = sorted((i for i in found if found[i].status == PENDING), key=lambda i: found[i].order_key)
    send([{"action": DOWNLOAD, "youtube_id": youtube_id} for youtube_id in ids])
    return len(ids)


def downloading() -> bool:
    """Whether the download function has work: messages waiting or in flight on its queue."""
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs().get_queue_attributes(QueueUrl=queue_url(), AttributeNames=names)["Attributes"]
    return any(int(attributes.get(name, 0)) for name in names)


# ---------------------------------------------------------------- reading


def get(youtube_id: str) -> QueueItem:
    if not is_video_id(youtube_id):
        raise not_found(youtube_id)
    try:
        return QueueItem.get(youtube_id)
    except DoesNotExist:
        raise not_found(youtube_id) from None


def render(item: QueueItem, channel_indexed: bool, now: float | None = None) -> dict:
    body = {
        "youtube_id": item.youtube_id,
        "title": item.title,
        "channel_id": item.channel_id,
        "channel_name": item.channel_name,
        "channel_indexed": channel_indexed,
        "duration": item.duration,
        "published": item.published or False,
        "status": item.status,
        "timestamp": int(item.timestamp),
        "vid_thumb_url": s3.url_of(s3.video_thumb_key(item.youtube_id)),
        "vid_type": item.vid_type,
        "auto_start": item.auto_start,
    }
    if item.message:
        body["message"] = item.message
    if is_downloading(item, now):
        body["progress"] = float(item.progress or 0)
        body["speed"] = float(item.speed) if item.speed is not None else None
        if item.runs_on:
            body["runs_on"] = item.runs_on
    return body


def is_downloading(item: QueueItem, now: float | None = None) -> bool:
    return bool(item.lease_owner and item.lease_until and item.lease_until > (now or time.time()))


def _render_all(viewer: Viewer, items: list[QueueItem]) -> list[dict]:
    channel_ids = {item.channel_id for item in items if item.channel_id}
    (channels,) = viewer.fetch((Channel, channel_ids))
    now = time.time()
    return [render(item, item.channel_id in channels, now) for item in items]


def detail(viewer: Viewer, youtube_id: str) -> dict:
    item = get(youtube_id)
    return {"data": _render_all(viewer, [item])[0], "config": viewer.config}


def _check_filter(status: str | None) -> list[str]:
    if status is None:
        return list(STATUSES)
    if status not in STATUSES:
        raise BadRequest(f"filter must be {' or '.join(STATUSES)}, got {status!r}")
    return [status]


def list_page(viewer: Viewer, page: Page, status: str | None = None, channel_id: str | None = None) -> dict:
    """One page of the queue, auto_start first then oldest; `status` and `channel_id` narrow it."""
    statuses = _check_filter(status)
    if channel_id is not None and not is_channel_id(channel_id):
        raise BadRequest(f"channel must be a channel id, got {channel_id!r}")
    names = [totals.channel_queue(channel_id, s) if channel_id else totals.queue(s) for s in statuses]
    (counters,) = viewer.fetch((Counter, names))
    total = sum(int(counters[name].count) for name in names if name in counters)
    size = viewer.page_size
    paging = paginate(page, size, total)
    offset = page.offset(size)
    keys = []
    for s in statuses:
        index, hash_key = (QueueItem.by_channel_status, f"{channel_id}#{s}") if channel_id else (QueueItem.by_status, s)
        if total:
            keys += db.query_page(index, hash_key, 0, offset + size, scan_forward=True)
    keys = sorted(keys, key=lambda key: key.order_key)[offset : offset + size]
    ids = [key.youtube_id for key in keys]
    (found,) = viewer.fetch((QueueItem, ids))
    items = [found[i] for i in ids if i in found]
    return {"data": _render_all(viewer, items), "config": viewer.config, "paginate": paging}


# ---------------------------------------------------------------- changing


def set_status(youtube_id: str, status: str) -> QueueItem:
    """pending, ignore, or priority (pending, auto_start, and started now)."""
    if status not in (*STATUSES, PRIORITY):
        raise BadRequest(f"status must be pending, ignore or priority, got {status!r}")
    item = get(youtube_id)
    old, previous = _counts(item, -1), item.channel_status
    item.status = IGNORE if status == IGNORE else PENDING
    if status == PRIORITY:
        item.auto_start = True
    if status != IGNORE:
        item.message = None  # a retry starts clean
    set_keys(item)
    try:
        with TransactWrite(connection=db.connection()) as transaction:
            transaction.update(
                item,
                actions=[
                    QueueItem.status.set(item.status),
                    QueueItem.auto_start.set(item.auto_start),
                    QueueItem.order_key.set(item.order_key),
                    QueueItem.channel_status.set(item.channel_status),
                    QueueItem.message.set(item.message) if item.message else QueueItem.message.remove(),
                ],
                condition=QueueItem.channel_status == previous,
            )
            db.add_counts(transaction, {k: v for k, v in _merge(old, _counts(item)).items() if v})
    except TransactWriteError as error:
        if db.is_condition_failure(error):  # changed or removed meanwhile: report what is there now
            return get(youtube_id)
        raise
    if status == PRIORITY:
        start([youtube_id])
    return item


def _remove(item: QueueItem) -> bool:
    """Delete an item and take it off its counters, unless it changed list meanwhile; False then, or when gone."""
    try:
        with TransactWrite(connection=db.connection()) as transaction:
            transaction.delete(item, condition=QueueItem.channel_status == item.channel_status)
            db.add_counts(transaction, _counts(item, -1))
        return True
    except TransactWriteError as error:
        if not db.is_condition_failure(error):
            raise
        return False


def delete(youtube_id: str) -> None:
    item = get(youtube_id)
    if not _remove(item):
        raise not_found(youtube_id)


def delete_by_filter(status: str | None) -> int:
    """Remove every item of one status (the filter is required: clearing the whole queue takes two calls)."""
    if status is None:
        raise BadRequest("filter is required: pending or ignore")
    (status,) = _check_filter(status)
    ids = [key.youtube_id for key in QueueItem.by_status.query(status)]
    removed = 0
    for start_at in range(0, len(ids), db.BATCH_GET_LIMIT):
        (found,) = db.batch_get((QueueItem, ids[start_at : start_at + db.BATCH_GET_LIMIT]))
        for item in found.values():
            if item.status == status and _remove(item):
                removed += 1
    return removed


# ---------------------------------------------------------------- the download function's bookkeeping


def claim(youtube_id: str, owner: str, seconds: int) -> QueueItem | None:
    """Take the item for one download (the SQS message id as `owner`) for `seconds`: the item as stored, or None
    when it is gone, not pending, or another message's download holds it. The same message, redelivered, takes
    it back."""
    now = int(time.time())
    item = QueueItem(youtube_id)
    free = QueueItem.lease_owner.does_not_exist() | (QueueItem.lease_owner == owner) | (QueueItem.lease_until < now)
    try:
        item.update(
            actions=[QueueItem.lease_owner.set(owner), QueueItem.lease_until.set(now + seconds)],
            condition=QueueItem.youtube_id.exists() & (QueueItem.status == PENDING) & free,
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return item  # filled in from the update's answer (all attributes, as updated)


def record_progress(youtube_id: str, owner: str, percent: float | None, speed: float | None) -> None:
    actions = [QueueItem.progress.set(round(percent or 0, 1))]
    actions.append(QueueItem.speed.set(round(speed)) if speed is not None else QueueItem.speed.remove())
    try:
        QueueItem(youtube_id).update(actions=actions, condition=QueueItem.lease_owner == owner)
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise


def record_worker(youtube_id: str, owner: str, where: str, seconds: int | None = None) -> bool:
    """Note where the download holding the item runs, and extend its lease to `seconds` from now (a task that
    outlives the message); False when the item is no longer held by `owner`."""
    actions = [QueueItem.runs_on.set(where[:500])]
    if seconds is not None:
        actions.append(QueueItem.lease_until.set(int(time.time()) + seconds))
    try:
        QueueItem(youtube_id).update(actions=actions, condition=QueueItem.lease_owner == owner)
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def holds(youtube_id: str, owner: str) -> bool:
    """Whether `owner`'s download still holds the item (it died before letting go)."""
    try:
        return QueueItem.get(youtube_id, consistent_read=True).lease_owner == owner
    except DoesNotExist:
        return False


def record_failure(youtube_id: str, owner: str, message: str) -> None:
    """Keep the error on the item and let go of it, so the next delivery (or the user) can retry."""
    try:
        QueueItem(youtube_id).update(
            actions=[
                QueueItem.message.set(message[:2000]),
                QueueItem.attempts.add(1),
                QueueItem.lease_owner.remove(),
                QueueItem.lease_until.remove(),
                QueueItem.progress.remove(),
                QueueItem.speed.remove(),
                QueueItem.runs_on.remove(),
            ],
            condition=QueueItem.youtube_id.exists() & (QueueItem.lease_owner == owner),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise


def finish(youtube_id: str) -> None:
    """Remove the item of a downloaded video (once; a second call finds nothing to remove)."""
    for _ in range(3):  # a status change racing the removal: read it again
        try:
            item = QueueItem.get(youtube_id, consistent_read=True)
        except DoesNotExist:
            return
        if _remove(item):
            return
