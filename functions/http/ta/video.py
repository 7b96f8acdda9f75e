"""Videos: /api/video/..., progress and watched state."""

from chalice import Response

from functions.http.routing import ADMIN, USER, Call, Router
from functions.services.archive import progress, videos
from functions.services.search import service as search_service

router = Router(__name__)


@router.route("/api/video", auth=USER)
def list_videos(call: Call):
    return videos.all_videos_page(call.viewer, call.page())


@router.route("/api/video/{video_id}", auth=USER)
def get_video(call: Call, video_id: str):
    return videos.detail(call.viewer, video_id)


@router.route("/api/video/{video_id}", methods=("DELETE",), auth=ADMIN)
def delete_video(call: Call, video_id: str):
    videos.delete(video_id)
    return {"video": video_id, "state": "delete"}


@router.route("/api/video/{video_id}/similar", auth=USER)
def similar_videos(call: Call, video_id: str):
    return search_service.similar(call.viewer, video_id)


@router.route("/api/video/{video_id}/progress", auth=USER)
def get_progress(call: Call, video_id: str):
    return progress.get_position(call.viewer, video_id)


@router.route("/api/video/{video_id}/progress", methods=("POST",), auth=USER)
def set_progress(call: Call, video_id: str):
    return progress.set_position(call.viewer, video_id, call.json(required=("position",))["position"])


@router.route("/api/video/{video_id}/progress", methods=("DELETE",), auth=USER)
def delete_progress(call: Call, video_id: str):
    progress.clear_position(call.viewer, video_id)
    return Response(body="", status_code=204)


@router.route("/api/watched", methods=("POST",), auth=USER)
def set_watched(call: Call):
    body = call.json(required=("id", "is_watched"))
    progress.set_watched(call.viewer, body["id"], body["is_watched"])
    return {"id": body["id"], "is_watched": body["is_watched"]}
