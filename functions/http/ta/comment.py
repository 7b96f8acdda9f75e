"""Comments of a video: /api/video/<id>/comment/."""

from functions.http.routing import USER, Call, Router
from functions.http.ta5 import shapes
from functions.services import comments

router = Router(__name__)


@router.route("/api/video/{video_id}/comment", auth=USER, as_v05=shapes.bare)
def get_comments(call: Call, video_id: str):
    return comments.thread_page(call.viewer, video_id)
