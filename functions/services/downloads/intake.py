"""The API side of the download queue: what users add, stored before any slow work, listed, changed and removed,
and started as one SQS message per video.

Adding never waits for YouTube: a video id becomes a pending item at once (its title and channel are filled in
later by the download function, `worker`), and channels and playlists are expanded there too, from one `expand`
message. So nothing a user adds is lost when YouTube or yt-dlp fails.
"""

import time
from collections.abc import Iterable

from msgspec import UNSET
from pynamodb.indexes import GlobalSecondaryIndex

from functions.core.dates import duration_str
from functions.core.dialects import V04
from functions.core.errors import BadRequest
from functions.core.ids import is_channel_id, is_video_id
from functions.core.pagination import Page, paginate
from functions.schemas import ta_objects as wire
from functions.schemas.tasks import TaskRunStarted
from functions.services import search, task_runs
from functions.services.auth.viewer import Viewer
from functions.services.downloads import items
from functions.services.search import documents as search_docs
from functions.services.search import query as search_query
from functions.storage import aws, counters, db, pages, s3
from functions.storage.models import Channel, QueueItem, Video
from functions.youtube import urls

SEARCH_HITS = 100  # the matches a search of the queue lists: its items are read in one batch


def _new_item(
    youtube_id: str,
    stamp_us: int,
    auto_start: bool,
    row: dict | None = None,
    playlists=None,
    status: str = items.PENDING,
    redownload: bool = False,
) -> QueueItem:
    row = row or {}
    item = QueueItem(
        youtube_id,
        title=row.get("title") or "",
        channel_id=row.get("channel_id") or "",
        channel_name=row.get("channel_name") or "",
        duration=duration_str(row["duration"]) if row.get("duration") else "",
        published=row.get("published"),
        status=status,
        timestamp=stamp_us // 1_000_000,
        vid_type=row.get("vid_type") or "videos",
        auto_start=auto_start,
        playlists=list(playlists) if playlists else None,
        redownload=redownload or None,
    )
    return items.set_keys(item, stamp_us)


def _store(new_items: list[QueueItem]) -> list[str]:
    """Put new items with their counts, TRANSACTION_ITEMS a transaction, and index them for the queue's search; an
    item that appeared meanwhile (a race) is skipped. The ids stored."""
    stored = []
    for start in range(0, len(new_items), items.TRANSACTION_ITEMS):
        chunk = new_items[start : start + items.TRANSACTION_ITEMS]
        with db.transaction() as transaction:
            deltas: dict[str, int] = {}
            for item in chunk:
                transaction.save(item, condition=QueueItem.youtube_id.does_not_exist())
                items.merge(deltas, items.counts(item))
            items.move_counts(transaction, deltas, chunk)
        if transaction.committed:
            stored += [item.youtube_id for item in chunk]
            search.index_queued(chunk)
        elif len(chunk) > 1:  # one of them appeared meanwhile: store the others
            stored += [i for item in chunk for i in _store([item])]
    return stored


def store_new(restored: list[QueueItem]) -> list[str]:
    """Items written elsewhere (a backup) put back as they were, counted; those queued meanwhile are left. The
    ids stored."""
    return _store([items.set_keys(item) for item in restored])


def add_entries(
    rows: Iterable[dict],
    auto_start: bool = False,
    playlists=None,
    status: str = items.PENDING,
    redownload: bool = False,
) -> dict:
    """Queue videos given as rows ({youtube_id, title?, channel_id?, channel_name?, duration?, published?,
    vid_type?}) with `status`, skipping those already queued, and those archived unless `redownload` (v0.5's
    `force`: their items are marked to replace the archived copy). With `playlists`, the items (new or already
    queued) remember those playlists, for the download to mark their entries. {"added": [ids], "skipped": [ids]}."""
    wanted: dict[str, dict] = {}
    for row in rows:
        if is_video_id(row.get("youtube_id")):
            wanted.setdefault(row["youtube_id"], row)
    archived, queued = db.batch_get((Video, list(wanted)), (QueueItem, list(wanted)))
    fresh = [i for i in wanted if i not in queued and (redownload or i not in archived)]
    base = time.time_ns() // 1000
    new_items = [
        _new_item(i, base + n, auto_start, wanted[i], playlists, status, redownload=i in archived)
        for n, i in enumerate(fresh)
    ]
    added = _store(new_items)
    for youtube_id, item in queued.items():
        for playlist_id in playlists or []:
            if playlist_id not in (item.playlists or []):  # each rescan lists them again: write only what is new
                add_playlist(youtube_id, playlist_id)
    return {"added": added, "skipped": [i for i in wanted if i not in added]}


def add_playlist(youtube_id: str, playlist_id: str) -> None:
    """Remember on a queued item that its video is in `playlist_id` (once; nothing when the item is gone)."""
    db.conditional(
        QueueItem(youtube_id).update,
        actions=[QueueItem.playlists.set((QueueItem.playlists | []).append([playlist_id]))],
        condition=QueueItem.youtube_id.exists() & ~QueueItem.playlists.contains(playlist_id),
    )


def add(targets_or_ids, auto_start: bool = False, redownload: bool = False) -> dict:
    """Queue what a user pasted: ids, URLs or Targets, every one checked first (BadRequest, nothing stored).

    Videos are stored at once; channels and playlists, and the metadata of the videos, are left to one `expand`
    message for the download function. With `auto_start` the new videos are started too; with `redownload`,
    videos archived already are queued to be downloaded again (add_entries).
    {"added": [ids], "skipped": [ids], "expanding": [urls]}."""
    parsed = iter(urls.parse_targets([t for t in targets_or_ids if not isinstance(t, urls.Target)]))
    targets = [t if isinstance(t, urls.Target) else next(parsed) for t in targets_or_ids]
    videos = [{"youtube_id": t.youtube_id} for t in targets if t.kind == urls.VIDEO]
    others = [t for t in targets if t.kind != urls.VIDEO]
    summary = add_entries(videos, auto_start, redownload=redownload)
    summary["expanding"] = [t.url for t in others]
    if others or summary["added"]:
        targets_json = [t.as_dict() for t in others]
        expand = {
            "action": items.EXPAND,
            "targets": targets_json,
            "describe": summary["added"],
            "auto_start": auto_start,
        }
        aws.send(aws.DOWNLOAD, [expand])
    if auto_start and summary["added"]:
        start(summary["added"])
    return summary


def pending_ids(limit: int | None = None) -> list[str]:
    """Pending videos in queue order: auto_start first, then oldest."""
    keys = QueueItem.by_status.query(items.PENDING, scan_index_forward=True, limit=limit)
    return [key.youtube_id for key in keys]


def running(scan: int = 200) -> list[QueueItem]:
    """The items downloading now, among the first `scan` pending ones (downloads take them in queue order)."""
    (found,) = db.batch_get((QueueItem, pending_ids(scan)))
    return sorted((item for item in found.values() if is_downloading(item)), key=lambda item: item.order_key)


def start(ids: list[str] | None = None) -> int:
    """Send one download message per pending video (all of them, or those of `ids`), in queue order. The number
    sent."""
    return len(start_runs(ids))


def start_runs(ids: list[str] | None = None) -> list[str]:
    """start(ids): the ids of the download runs recorded PENDING for the messages (functions.services.task_runs),
    in queue order."""
    if ids is None:
        ids = pending_ids()
    else:
        (found,) = db.batch_get((QueueItem, ids))
        ids = sorted((i for i in found if found[i].status == items.PENDING), key=lambda i: found[i].order_key)
    run_ids = task_runs.queue(task_runs.DOWNLOAD_PENDING, len(ids)) if ids else []
    bodies = [{"action": items.DOWNLOAD, "youtube_id": i, "task_id": run} for i, run in zip(ids, run_ids, strict=True)]
    aws.send(aws.DOWNLOAD, bodies)
    return run_ids


def start_pending_run() -> TaskRunStarted:
    """Every pending video sent to download, one run each (v0.5's POST task/by-name/download_pending/ and the
    download_pending schedule): the answer names the first run; with none pending, a run that ends at once."""
    run_ids = start_runs()
    if not run_ids:
        message = "no pending videos to download"
        return TaskRunStarted(
            task_id=task_runs.nothing_to_do(task_runs.DOWNLOAD_PENDING, message), status="SUCCESS", message=message
        )
    return TaskRunStarted(task_id=run_ids[0], status="PENDING", message=f"{len(run_ids)} video(s) sent to download")


def downloading() -> bool:
    """Whether the download function has work: messages waiting or in flight on its queue."""
    return aws.has_messages(aws.DOWNLOAD)


def render(item: QueueItem, channel_indexed: bool, dialect: str, now: float | None = None) -> wire.DownloadItem:
    """An item as listed. v0.5 leaves out the thumbnail of an item yt-dlp has not described (yet, or ever: its
    `message` says why), as none is stored: TubeArchivist's frontend shows its default thumbnail for a missing
    `vid_thumb_url` where a link to nothing was a 404 in the console."""
    running = is_downloading(item, now)
    thumbnail = s3.url_of(s3.video_thumb_key(item.youtube_id))
    return wire.DownloadItem(
        youtube_id=item.youtube_id,
        title=item.title,
        channel_id=item.channel_id,
        channel_name=item.channel_name,
        channel_indexed=channel_indexed,
        duration=item.duration,
        published=item.published or False,
        status=item.status,
        timestamp=int(item.timestamp),
        vid_thumb_url=thumbnail if item.title or dialect == V04 else UNSET,
        vid_type=item.vid_type,
        auto_start=item.auto_start,
        message=item.message or UNSET,
        progress=float(item.progress or 0) if running else UNSET,
        speed=(float(item.speed) if item.speed is not None else None) if running else UNSET,
        runs_on=(item.runs_on or UNSET) if running else UNSET,
    )


def is_downloading(item: QueueItem, now: float | None = None) -> bool:
    return bool(item.lease_owner and item.lease_until and item.lease_until > (now or time.time()))


def _render_all(viewer: Viewer, queued: list[QueueItem], channels: dict | None = None) -> list[wire.DownloadItem]:
    """The items rendered, with whether their channel is archived (`channels`: read already, else read here)."""
    if channels is None:
        (channels,) = viewer.fetch((Channel, {item.channel_id for item in queued if item.channel_id}))
    now = time.time()
    return [render(item, item.channel_id in channels, viewer.dialect, now) for item in queued]


def detail(viewer: Viewer, youtube_id: str) -> wire.Envelope:
    item = items.get(youtube_id)
    return wire.Envelope(_render_all(viewer, [item])[0], viewer.config)


def _check_filter(status: str | None) -> list[str]:
    if status is None:
        return list(items.STATUSES)
    if status not in items.STATUSES:
        raise BadRequest(f"filter must be {' or '.join(items.STATUSES)}, got {status!r}")
    return [status]


def list_page(
    viewer: Viewer,
    page: Page,
    status: str | None = None,
    channel_id: str | None = None,
    vid_type: str | None = None,
    error: bool | None = None,
    text: str | None = None,
) -> wire.Envelope:
    """One page of the queue, auto_start first then oldest; `status` and one of `channel_id`, `vid_type` or
    `error` (v0.5's filters, one index each: `error` true lists the items with an error message, false those
    without) narrow it, and so does `text` (v0.5's `q`: words of the titles, channel names or ids)."""
    statuses = _check_filter(status)
    if channel_id is not None and not is_channel_id(channel_id):
        raise BadRequest(f"channel must be a channel id, got {channel_id!r}")
    if vid_type is not None and vid_type not in counters.VID_TYPES:
        raise BadRequest(f"vid_type must be {' or '.join(counters.VID_TYPES)}, got {vid_type[:40]!r}")
    if sum(given is not None for given in (channel_id, vid_type, error)) > 1:
        raise BadRequest("filter by one of channel, vid_type and error, not more")
    if text is not None and text.strip():  # v0.5 ignores an empty q
        return _search_page(viewer, page, search_query.queue_search(text, statuses), channel_id, vid_type, error)
    lists: list[tuple[str, GlobalSecondaryIndex, str]]
    if error is not None:
        lists = [
            (counters.queue_by_error(s, error), QueueItem.by_error_status, items.error_status(s, error))
            for s in statuses
        ]
    elif vid_type:
        lists = [(counters.queue_of_type(s, vid_type), QueueItem.by_type_status, f"{vid_type}#{s}") for s in statuses]
    elif channel_id:
        lists = [
            (counters.channel_queue(channel_id, s), QueueItem.by_channel_status, f"{channel_id}#{s}") for s in statuses
        ]
    else:
        lists = [(counters.queue(s), QueueItem.by_status, s) for s in statuses]
    keys, paging = pages.merged_page_keys(
        viewer, lists, page, scan_forward=True, order=lambda key: key.order_key, past_end_empty=True
    )
    ids = [key.youtube_id for key in keys]
    # a channel's list names its channel, the other indexes project each item's: items and channels in one batch
    channel_ids = {channel_id} if channel_id else {key.channel_id for key in keys if key.channel_id}
    found, channels = viewer.fetch((QueueItem, ids), (Channel, channel_ids))
    return wire.Envelope(_render_all(viewer, [found[i] for i in ids if i in found], channels), viewer.config, paging)


def _search_page(
    viewer: Viewer,
    page: Page,
    query: search_query.Query,
    channel_id: str | None,
    vid_type: str | None,
    error: bool | None,
) -> wire.Envelope:
    """A page of the queue's search: the best SEARCH_HITS matches of the statuses searched, narrowed by the other
    filters and listed in queue order (as v0.5 sorts them)."""
    results = search.backend().search(query, viewer.fetch, SEARCH_HITS)
    matched = [
        hit.item
        for hit in results.hits.get(search_docs.DOWNLOAD, [])
        if (channel_id is None or hit.item.channel_id == channel_id)
        and (vid_type is None or hit.item.vid_type == vid_type)
        and (error is None or bool(hit.item.message) == error)
    ]
    matched.sort(key=lambda item: item.order_key)
    size = viewer.page_size
    paging = paginate(page, size, len(matched), past_end_empty=True)
    shown = matched[page.offset(size) : page.offset(size) + size]
    return wire.Envelope(_render_all(viewer, shown), viewer.config, paging)


def set_status(youtube_id: str, status: str) -> QueueItem:
    """pending, ignore, priority (pending, auto_start, and started now) or ignore-force (ignored, queued first
    when it is not: `ignore`)."""
    if status == items.IGNORE_FORCE:
        return ignore(youtube_id)
    if status not in (*items.STATUSES, items.PRIORITY):
        raise BadRequest(f"status must be pending, ignore, ignore-force or priority, got {status!r}")
    item = items.get(youtube_id)
    before = QueueItem.from_raw_data(item.serialize())
    old, previous = items.counts(item, -1), items.unchanged(item)
    item.status = items.IGNORE if status == items.IGNORE else items.PENDING
    if status == items.PRIORITY:
        item.auto_start = True
    if status != items.IGNORE:
        item.message = None  # a retry starts clean
    items.set_keys(item)
    with db.transaction() as transaction:
        transaction.update(
            item,
            actions=[
                QueueItem.status.set(item.status),
                QueueItem.auto_start.set(item.auto_start),
                QueueItem.order_key.set(item.order_key),
                *items.key_actions(item),
                QueueItem.message.set(item.message) if item.message else QueueItem.message.remove(),
            ],
            condition=previous,
        )
        items.move_counts(transaction, items.moved_counts(old, item), [item])
    if not transaction.committed:  # changed or removed meanwhile: report what is there now
        return items.get(youtube_id)
    search.index_queue_item(item, before)
    if status == items.PRIORITY:
        start([youtube_id])
    return item


def ignore(youtube_id: str) -> QueueItem:
    """Ignore a video, queued or not (TubeArchivist's `ignore-force`: the video page's "Delete and Ignore"), so
    no rescan queues it again. One not queued is stored as ignored and described later, as `add` does; an
    archived video is never queued (404, as for any other status of an item that is not there)."""
    if not is_video_id(youtube_id):
        raise BadRequest(f"not a video id: {youtube_id[:40]!r}")
    added = add_entries([{"youtube_id": youtube_id}], status=items.IGNORE)["added"]
    if not added:  # queued already, or archived
        return set_status(youtube_id, items.IGNORE)
    aws.send(aws.DOWNLOAD, [{"action": items.EXPAND, "targets": [], "describe": added, "auto_start": False}])
    return items.get(youtube_id)


def delete(youtube_id: str) -> None:
    item = items.get(youtube_id)
    if not items.remove(item):
        raise items.not_found(youtube_id)
    search.remove_queued([item])


def delete_by_filter(status: str | None) -> int:
    """Remove every item of one status (the filter is required: clearing the whole queue takes two calls)."""
    if status is None:
        raise BadRequest("filter is required: pending or ignore")
    (status,) = _check_filter(status)
    ids = [key.youtube_id for key in QueueItem.by_status.query(status)]
    removed = 0
    for start_at in range(0, len(ids), db.BATCH_GET_LIMIT):
        (found,) = db.batch_get((QueueItem, ids[start_at : start_at + db.BATCH_GET_LIMIT]))
        gone = [item for item in found.values() if item.status == status and items.remove(item)]
        search.remove_queued(gone)  # a page's items at once: the keys they share are written once
        removed += len(gone)
    return removed
