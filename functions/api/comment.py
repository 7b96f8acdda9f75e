"""Comments of a video: /api/video/<id>/comment/."""

from functions import comments
from functions.api.routing import Call, Router

router = Router(__name__)


@router.route("/api/video/{video_id}/comment")
def get_comments(call: Call, video_id: str):
    return comments.thread_page(call.viewer, video_id)
