"""Comments of a video: /api/video/<id>/comment/."""

from typing import TYPE_CHECKING

from functions.core import lazy
from functions.http.routing import USER, Call, Router
from functions.http.ta5 import shapes

if TYPE_CHECKING:
    from functions.services import comments
else:  # imported when a view first uses them (functions/core/lazy.py)
    comments = lazy.modules("functions.services", "comments")

router = Router(__name__)


@router.route("/api/video/{video_id}/comment", auth=USER, as_v05=shapes.bare)
def get_comments(call: Call, video_id: str):
    return comments.thread_page(call.viewer, video_id)
