"""Statistics: /api/stats/* as TubeArchivist v0.4.13 answers them (tubearchivist-metrics reads them), and as v0.5
does for a v0.5 credential (functions.http.ta5.stats_shapes)."""

from typing import TYPE_CHECKING

from functions.core import lazy
from functions.http.routing import USER, Call, Router
from functions.http.ta5 import stats_shapes as v05
from functions.schemas.ta import BiggestChannelsQuery

if TYPE_CHECKING:
    from functions.services import stats, stats_render
else:  # imported when a view first uses them (functions/core/lazy.py)
    stats, stats_render = lazy.modules("functions.services", "stats", "stats_render")

router = Router(__name__)


@router.route("/api/stats/video", auth=USER, as_v05=v05.videos)
def video_stats(call: Call):
    return stats_render.videos(stats.videos(call.viewer))


@router.route("/api/stats/channel", auth=USER, as_v05=v05.items)
def channel_stats(call: Call):
    return stats_render.items(stats.channels(call.viewer))


@router.route("/api/stats/playlist", auth=USER, as_v05=v05.items)
def playlist_stats(call: Call):
    return stats_render.items(stats.playlists(call.viewer))


@router.route("/api/stats/download", auth=USER, as_v05=v05.queue)
def download_stats(call: Call):
    return stats_render.queue(stats.queue(call.viewer))


@router.route("/api/stats/watch", auth=USER, as_v05=v05.watch)
def watch_stats(call: Call):
    return stats_render.watch(stats.watch(call.viewer))


@router.route("/api/stats/downloadhist", auth=USER, returns=list, as_v05=list)  # the same in v0.5
def download_history(call: Call):
    return stats_render.download_history(stats.download_history(call.viewer))


@router.route(
    "/api/stats/biggestchannels", auth=USER, query=BiggestChannelsQuery, returns=list, as_v05=v05.biggest_channels
)
def biggest_channels(call: Call):
    return stats_render.biggest_channels(stats.biggest_channels(call.viewer, call.params.order or "doc_count"))
