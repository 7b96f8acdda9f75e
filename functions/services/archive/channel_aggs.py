"""A channel's totals and navigation (TubeArchivist v0.5's `/api/channel/<id>/aggs/` and `nav/`), each one batch
read of counters the writes keep (functions.storage.counters): nothing is queried or scanned. An id the archive
does not hold has no counters: zeros and no tabs, as v0.5 answers for a channel without videos."""

from functions.core.dates import span_str
from functions.services.auth.viewer import Viewer
from functions.services.stats import totals_of
from functions.storage import counters
from functions.storage.models import Counter


def aggs(viewer: Viewer, channel_id: str) -> dict:
    """Its archived videos: how many, their bytes and seconds, as v0.5's aggregation buckets."""
    name = counters.channel_videos(channel_id)
    (found,) = viewer.fetch((Counter, [name]))
    totals = totals_of(found.get(name))
    return {
        "total_items": {"value": totals.count},
        "total_size": {"value": totals.size},
        "total_duration": {"value": totals.duration, "value_str": span_str(totals.duration)},
    }


def nav(viewer: Viewer, channel_id: str) -> dict:
    """Which of its pages have something: queued or ignored videos, playlists, each video type."""
    queued = {status: counters.channel_queue(channel_id, status) for status in ("pending", "ignore")}
    playlists = [counters.channel_playlists(channel_id, subscription) for subscription in counters.SUBSCRIPTIONS]
    typed = {vid_type: counters.channel_videos_of_type(channel_id, vid_type) for vid_type in counters.VID_TYPES}
    (found,) = viewer.fetch((Counter, [*queued.values(), *playlists, *typed.values()]))

    def has(name: str) -> bool:
        return name in found and int(found[name].count or 0) > 0

    return {
        "has_pending": has(queued["pending"]),
        "has_ignored": has(queued["ignore"]),
        "has_playlists": any(has(name) for name in playlists),
        **{f"has_{vid_type}": has(name) for vid_type, name in typed.items()},
    }
