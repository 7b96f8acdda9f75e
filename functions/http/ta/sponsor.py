"""SponsorBlock data of a video: /api/video/<id>/sponsor/."""

from typing import TYPE_CHECKING

from functions.core import lazy
from functions.http.routing import USER, Call, Router
from functions.schemas.ta import SponsorPost

if TYPE_CHECKING:
    from functions.services import sponsorblock
else:  # imported when a view first uses them (functions/core/lazy.py)
    sponsorblock = lazy.modules("functions.services", "sponsorblock")

router = Router(__name__)


@router.route("/api/video/{video_id}/sponsor", auth=USER)
def get_sponsor(call: Call, video_id: str):
    return sponsorblock.stored(video_id)


@router.route("/api/video/{video_id}/sponsor", methods=("POST",), auth=USER, body=SponsorPost)
def post_sponsor(call: Call, video_id: str):
    return sponsorblock.simulate(video_id, call.body)
