"""Statistics: /api/stats/* as TubeArchivist v0.4.13 answers them (tubearchivist-metrics reads them)."""

from typing import TYPE_CHECKING

from functions.core import lazy
from functions.http.routing import USER, Call, Router
from functions.schemas.ta import BiggestChannelsQuery

if TYPE_CHECKING:
    from functions.services import stats, stats_render
else:  # imported when a view first uses them (functions/core/lazy.py)
    stats, stats_render = lazy.modules("functions.services", "stats", "stats_render")

router = Router(__name__)


@router.route("/api/stats/video", auth=USER)
def video_stats(call: Call):
    return stats_render.videos(stats.videos(call.viewer))


@router.route("/api/stats/channel", auth=USER)
def channel_stats(call: Call):
    return stats_render.items(stats.channels(call.viewer))


@router.route("/api/stats/playlist", auth=USER)
def playlist_stats(call: Call):
    return stats_render.items(stats.playlists(call.viewer))


@router.route("/api/stats/download", auth=USER)
def download_stats(call: Call):
    return stats_render.queue(stats.queue(call.viewer))


@router.route("/api/stats/watch", auth=USER)
def watch_stats(call: Call):
    return stats_render.watch(stats.watch(call.viewer))


@router.route("/api/stats/downloadhist", auth=USER, returns=list)
def download_history(call: Call):
    return stats_render.download_history(stats.download_history(call.viewer))


@router.route("/api/stats/biggestchannels", auth=USER, query=BiggestChannelsQuery, returns=list)
def biggest_channels(call: Call):
    return stats_render.biggest_channels(stats.biggest_channels(call.viewer, call.params.order or "doc_count"))
