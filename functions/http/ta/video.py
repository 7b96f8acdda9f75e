"""Videos: /api/video/..., progress and watched state."""

from typing import TYPE_CHECKING

from chalice import Response

from functions.core import lazy
from functions.core.dialects import V05
from functions.core.errors import NotFound
from functions.http.routing import ADMIN, NO_CONTENT, USER, Call, Router
from functions.http.ta5 import shapes
from functions.schemas import ta_objects as wire
from functions.schemas.ta import ProgressUpdate, VideoListQuery, Watched

if TYPE_CHECKING:
    from functions.services.archive import progress, video_filters, videos
    from functions.services.search import service as search_service
else:  # imported when a view first uses them (functions/core/lazy.py)
    progress, video_filters, videos = lazy.modules("functions.services.archive", "progress", "video_filters", "videos")
    search_service = lazy.modules("functions.services.search", "service")

router = Router(__name__)


@router.route(
    "/api/video", auth=USER, query=VideoListQuery, as_v05=shapes.listing, returns=wire.Envelope[list[wire.Video]]
)
def list_videos(call: Call):
    return video_filters.videos_page(call.viewer, call.page(), call.params)


@router.route("/api/video/{video_id}", auth=USER, as_v05=shapes.bare, returns=wire.Envelope[wire.Video])
def get_video(call: Call, video_id: str):
    return videos.detail(call.viewer, video_id)


@router.route("/api/video/{video_id}", methods=("DELETE",), auth=ADMIN, as_v05=shapes.no_content)
def delete_video(call: Call, video_id: str):
    videos.delete(video_id)
    return {"video": video_id, "state": "delete"}


@router.route("/api/video/{video_id}/similar", auth=USER, as_v05=shapes.bare)
def similar_videos(call: Call, video_id: str):
    return search_service.similar(call.viewer, video_id)


@router.route("/api/video/{video_id}/progress", auth=USER)
def get_progress(call: Call, video_id: str):
    return progress.get_position(call.viewer, video_id)


@router.route("/api/video/{video_id}/progress", methods=("POST",), auth=USER, body=ProgressUpdate)
def set_progress(call: Call, video_id: str):
    return progress.set_position(call.viewer, video_id, call.body.position)


@router.route(
    "/api/video/{video_id}/progress", methods=("DELETE",), auth=USER, returns=NO_CONTENT, as_v05=shapes.no_content
)
def delete_progress(call: Call, video_id: str):
    """v0.5 clears a position that is not there too: its web app clears the id it marks watched first, which
    may be a channel's or a playlist's (TubeArchivist deletes a key that may not exist)."""
    try:
        progress.clear_position(call.viewer, video_id)
    except NotFound:
        if call.dialect != V05:
            raise
    return Response(body="", status_code=204)


@router.route("/api/watched", methods=("POST",), auth=USER, body=Watched)
def set_watched(call: Call):
    progress.set_watched(call.viewer, call.body.id, call.body.is_watched)
    return {"id": call.body.id, "is_watched": call.body.is_watched}
