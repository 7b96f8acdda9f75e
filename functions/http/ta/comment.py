"""Comments of a video: /api/video/<id>/comment/."""

from functions.http.routing import USER, Call, Router
from functions.services import comments

router = Router(__name__)


@router.route("/api/video/{video_id}/comment", auth=USER)
def get_comments(call: Call, video_id: str):
    return comments.thread_page(call.viewer, video_id)
