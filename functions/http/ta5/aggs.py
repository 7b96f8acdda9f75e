"""v0.5's aggregates: a channel's totals and navigation (/api/channel/<id>/aggs/, nav/) and the queue's channels
(/api/download/aggs/); each read from counters (functions.services.archive.channel_aggs,
functions.services.downloads.aggs)."""

from typing import TYPE_CHECKING

from functions.core import lazy
from functions.core.dialects import V05
from functions.http.routing import USER, Call, Router
from functions.schemas.ta5 import DownloadAggsQuery

if TYPE_CHECKING:
    from functions.services.archive import channel_aggs
    from functions.services.downloads import aggs
else:  # imported when a view first uses them (functions/core/lazy.py)
    channel_aggs = lazy.modules("functions.services.archive", "channel_aggs")
    aggs = lazy.modules("functions.services.downloads", "aggs")

router = Router(__name__, dialect=V05)


@router.route("/api/channel/{channel_id}/aggs", auth=USER)
def channel_totals(call: Call, channel_id: str):
    """`total_items`, `total_size` (bytes) and `total_duration` (seconds, and `value_str`) of its videos."""
    return channel_aggs.aggs(call.viewer, channel_id)


@router.route("/api/channel/{channel_id}/nav", auth=USER)
def channel_nav(call: Call, channel_id: str):
    """`has_pending`, `has_ignored`, `has_playlists`, `has_videos`, `has_streams`, `has_shorts`."""
    return channel_aggs.nav(call.viewer, channel_id)


@router.route("/api/download/aggs", auth=USER, query=DownloadAggsQuery)
def download_channels(call: Call):
    """The channels with the most queued items of `?filter=` (30, most first), as v0.5's terms buckets."""
    return aggs.channel_buckets(call.viewer, call.params.filter)
