"""Channels: /api/channel/..."""

from chalice import Response

from functions.core.errors import BadRequest
from functions.http.routing import ADMIN, USER, Call, Router
from functions.services.archive import channels, render

router = Router(__name__)


@router.route("/api/channel", auth=USER)
def list_channels(call: Call):
    return channels.list_page(call.viewer, call.page(), call.query.get("filter"))


@router.route("/api/channel", methods=("POST",), auth=ADMIN)
def subscribe(call: Call):
    """Subscribe (`channel_subscribed: true`) or unsubscribe a list of channels, named by ids, URLs or @handles."""
    config = call.viewer.config
    rows = call.json(required=("data",))["data"]
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise BadRequest("data must be a list of objects")
    saved = channels.subscribe_many(rows)
    return render.envelope([render.channel(channel) for channel in saved], config)


@router.route("/api/channel/search", auth=USER)
def search_channel(call: Call):
    call.viewer.fetch()  # a deleted user's key is refused before its query is looked at
    query = call.query.get("q")
    if not query:
        raise BadRequest("missing query parameter q")
    return channels.search(call.viewer, query)


@router.route("/api/channel/{channel_id}", auth=USER)
def get_channel(call: Call, channel_id: str):
    return channels.detail(call.viewer, channel_id)


@router.route("/api/channel/{channel_id}", methods=("DELETE",), auth=ADMIN)
def delete_channel(call: Call, channel_id: str):
    channels.delete(channel_id)
    return Response(body="", status_code=204)


@router.route("/api/channel/{channel_id}/video", auth=USER)
def channel_videos(call: Call, channel_id: str):
    return channels.videos_page(call.viewer, channel_id, call.page())
