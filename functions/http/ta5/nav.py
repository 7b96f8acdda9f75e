"""v0.5's navigation of a video within its playlists: /api/video/<id>/nav/."""

from functions.core.dialects import V05
from functions.http.routing import USER, Call, Router
from functions.services.archive import nav

router = Router(__name__, dialect=V05)


@router.route("/api/video/{video_id}/nav", auth=USER)
def video_nav(call: Call, video_id: str):
    return nav.playlist_nav(call.viewer, video_id)
