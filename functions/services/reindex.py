"""The check_reindex schedule: the videos, channels and playlists whose metadata is older than
`application.reindex_days` (TubeArchivist's check_reindex `days`, 90 by default) sent to refresh, a bounded batch
a run, oldest first.

As TubeArchivist's ReindexPopulate, each run takes a day's share of each kind: (active items // days + 1) * 1.2,
so the whole archive comes round about once in `days` days whatever its size, and at most MAX_BATCH of a kind.
Items never refreshed count as oldest; inactive ones (YouTube no longer has them), custom playlists and items
already waiting for a refresh are left out. The refreshes are functions.services.refresh's (one RefreshItem and
message each, the refresh function doing them as check_reindex runs). Reading every item's refresh date is a
projection Scan of each table: a job, never on a request path.
"""

import datetime

from functions.core import logs
from functions.services import app_settings, refresh, task_runs
from functions.storage.models import Channel, Playlist, RefreshItem, Video

log = logs.logger(__name__)
MULTIPLY = 1.2  # TubeArchivist's margin over the daily share
MAX_BATCH = 1000  # of a kind, a run
# each kind's table, the attribute of its last refresh (YYYY-MM-DD) and of its being active
KINDS = {
    refresh.VIDEO: (Video, "youtube_id", "vid_last_refresh", "active"),
    refresh.CHANNEL: (Channel, "channel_id", "channel_last_refresh", "channel_active"),
    refresh.PLAYLIST: (Playlist, "playlist_id", "playlist_last_refresh", "playlist_active"),
}


def share(active: int, days: int) -> int:
    """How many of `active` items a run refreshes."""
    return min(MAX_BATCH, int((active // days + 1) * MULTIPLY))


def due(kind: str, days: int, today: datetime.date) -> list[str]:
    """The ids of `kind` this run refreshes: last refreshed before `days` days ago (or never), oldest first."""
    model, key, refreshed, active = KINDS[kind]
    attributes = [key, refreshed, active] + (["playlist_type"] if model is Playlist else [])
    waiting = {item.item_id for item in RefreshItem.query(kind)}
    cutoff = (today - datetime.timedelta(days=days)).isoformat()
    items = [
        item
        for item in model.scan(attributes_to_get=attributes)
        if getattr(item, active) is not False and getattr(item, "playlist_type", None) != "custom"
    ]
    stale = sorted(
        (getattr(item, refreshed) or "", getattr(item, key))
        for item in items
        if (getattr(item, refreshed) or "") < cutoff and getattr(item, key) not in waiting
    )
    return [item_id for _, item_id in stale[: share(len(items), days)]]


def run(progress: task_runs.Run | None = None, today: datetime.date | None = None) -> dict[str, list[str]]:
    """One check: what was sent to refresh, by kind."""
    days = int(app_settings.current()["application"]["reindex_days"])
    today = today or datetime.datetime.now(datetime.UTC).date()
    sent = {kind: due(kind, days, today) for kind in KINDS}
    refresh.enqueue([(kind, item_id) for kind, ids in sent.items() for item_id in ids])
    if progress is not None:
        progress.result = "sent to refresh: " + ", ".join(f"{len(ids)} {refresh.PLURAL[k]}" for k, ids in sent.items())
    log.info("check_reindex (%d days): %s", days, {kind: len(ids) for kind, ids in sent.items()})
    return sent
