"""The check_reindex schedule: the videos, channels and playlists whose metadata is older than
`application.reindex_days` (TubeArchivist's check_reindex `days`, 90 by default) sent to refresh, a bounded batch
a run, oldest first.

As TubeArchivist's ReindexPopulate, each run takes a day's share of each kind: (active items // days + 1) * 1.2,
so the whole archive comes round about once in `days` days whatever its size, and at most MAX_BATCH of a kind.
Items never refreshed count as oldest; inactive ones (YouTube no longer has them), custom playlists and items
already waiting for a refresh are left out.

Before them, as TubeArchivist's add_recent, every active video published in the last RECENT_DAYS days (from
that date on, today included), newest first, at most MAX_RECENT, whatever its last refresh: a new upload's
views, likes and comments change most in its first days. Those are videos only (not channels or playlists), read
from the `by_published` index (one Query, and a BatchGet of their `active`), and they are not counted in the
day's share: the outdated videos are the next oldest besides them.

The refreshes are functions.services.refresh's (one RefreshItem and message each, the refresh function doing
them as check_reindex runs). Reading every item's refresh date is a projection Scan of each table: a job, never
on a request path.
"""

import datetime

from functions.core import logs
from functions.services import app_settings, refresh, task_runs
from functions.storage.models import ALL_VIDEOS, Channel, Playlist, RefreshItem, Video

log = logs.logger(__name__)
MULTIPLY = 1.2  # TubeArchivist's margin over the daily share
MAX_BATCH = 1000  # of a kind, a run
RECENT_DAYS = 3  # TubeArchivist's add_recent window: published on or after the date three days ago
MAX_RECENT = 10_000  # its search's size
# each kind's table, the attribute of its last refresh (YYYY-MM-DD) and of its being active
KINDS = {
    refresh.VIDEO: (Video, "youtube_id", "vid_last_refresh", "active"),
    refresh.CHANNEL: (Channel, "channel_id", "channel_last_refresh", "channel_active"),
    refresh.PLAYLIST: (Playlist, "playlist_id", "playlist_last_refresh", "playlist_active"),
}


def share(active: int, days: int) -> int:
    """How many of `active` items a run refreshes."""
    return min(MAX_BATCH, int((active // days + 1) * MULTIPLY))


def waiting(kind: str) -> set[str]:
    """The ids of `kind` already waiting for a refresh: one Query of the refresh table."""
    return {item.item_id for item in RefreshItem.query(kind)}


def recent(today: datetime.date, leave_out: set[str]) -> list[str]:
    """The active videos published since RECENT_DAYS days before `today`, newest first, but those in
    `leave_out`: one Query of `by_published` (newest first, at most MAX_RECENT) and a BatchGet of `active`."""
    since = (today - datetime.timedelta(days=RECENT_DAYS)).isoformat()
    published = Video.by_published.query(
        ALL_VIDEOS, Video.published_key >= since, scan_index_forward=False, limit=MAX_RECENT
    )
    ids = [row.youtube_id for row in published if row.youtube_id not in leave_out]
    inactive = {
        video.youtube_id
        for video in Video.batch_get(ids, attributes_to_get=["youtube_id", "active"])
        if video.active is False
    }
    return [youtube_id for youtube_id in ids if youtube_id not in inactive]


def due(kind: str, days: int, today: datetime.date, left_out: set[str] | None = None) -> list[str]:
    """The ids of `kind` this run refreshes: last refreshed before `days` days ago (or never), oldest first, but
    those in `left_out` (waiting already, or sent by this run; read here when not given)."""
    model, key, refreshed, active = KINDS[kind]
    attributes = [key, refreshed, active] + (["playlist_type"] if model is Playlist else [])
    left_out = waiting(kind) if left_out is None else left_out
    cutoff = (today - datetime.timedelta(days=days)).isoformat()
    items = [
        item
        for item in model.scan(attributes_to_get=attributes)
        if getattr(item, active) is not False and getattr(item, "playlist_type", None) != "custom"
    ]
    stale = sorted(
        (getattr(item, refreshed) or "", getattr(item, key))
        for item in items
        if (getattr(item, refreshed) or "") < cutoff and getattr(item, key) not in left_out
    )
    return [item_id for _, item_id in stale[: share(len(items), days)]]


def run(progress: task_runs.Run | None = None, today: datetime.date | None = None) -> dict[str, list[str]]:
    """One check: what was sent to refresh, by kind (the recent videos first)."""
    days = int(app_settings.current()["application"]["reindex_days"])
    today = today or datetime.datetime.now(datetime.UTC).date()
    waiting_videos = waiting(refresh.VIDEO)  # one Query, left out of both parts
    new = recent(today, waiting_videos)
    sent = {
        kind: due(kind, days, today, waiting_videos | set(new) if kind == refresh.VIDEO else None) for kind in KINDS
    }
    sent[refresh.VIDEO] = new + sent[refresh.VIDEO]
    refresh.enqueue([(kind, item_id) for kind, ids in sent.items() for item_id in ids])
    if progress is not None:
        counts = [f"{len(ids)} {refresh.PLURAL[k]}" for k, ids in sent.items()]
        progress.result = f"sent to refresh: {', '.join(counts)} ({len(new)} of the videos published recently)"
    log.info("check_reindex (%d days): %s, %d recent", days, {k: len(ids) for k, ids in sent.items()}, len(new))
    return sent
