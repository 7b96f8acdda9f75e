"""v0.5's navigation of a video within its playlists: /api/video/<id>/nav/."""

from typing import TYPE_CHECKING

from functions.core import lazy
from functions.core.dialects import V05
from functions.http.routing import USER, Call, Router

if TYPE_CHECKING:
    from functions.services.archive import nav
else:  # imported when a view first uses them (functions/core/lazy.py)
    nav = lazy.modules("functions.services.archive", "nav")

router = Router(__name__, dialect=V05)


@router.route("/api/video/{video_id}/nav", auth=USER, returns=list)
def video_nav(call: Call, video_id: str):
    return nav.playlist_nav(call.viewer, video_id)
