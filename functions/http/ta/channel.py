"""Channels: /api/channel/..."""

from typing import TYPE_CHECKING

from chalice import Response
from msgspec import UNSET

from functions.core import lazy
from functions.core.errors import BadRequest
from functions.http.routing import ADMIN, NO_CONTENT, USER, Call, Router
from functions.http.ta5 import shapes
from functions.schemas import ta_objects as wire
from functions.schemas.ta import (
    ChannelListQuery,
    ChannelOverwritesUpdate,
    ChannelSearchQuery,
    ChannelSubscriptions,
    ListQuery,
)

if TYPE_CHECKING:
    from functions.services.archive import channel_overwrites, channels, render
    from functions.services.invidious import subscriptions
else:  # imported when a view first uses them (functions/core/lazy.py)
    channel_overwrites, channels, render = lazy.modules(
        "functions.services.archive", "channel_overwrites", "channels", "render"
    )
    subscriptions = lazy.modules("functions.services.invidious", "subscriptions")

router = Router(__name__)


@router.route(
    "/api/channel", auth=USER, query=ChannelListQuery, as_v05=shapes.listing, returns=wire.Envelope[list[wire.Channel]]
)
def list_channels(call: Call):
    return channels.list_page(call.viewer, call.page(), call.params.filter)


@router.route("/api/channel", methods=("POST",), auth=ADMIN, body=ChannelSubscriptions)
def subscribe(call: Call):
    """Subscribe (`channel_subscribed: true`) or unsubscribe a list of channels, named by ids, URLs or @handles."""
    config = call.viewer.config
    saved = channels.subscribe_many(call.body.data)
    subscriptions.follow(call.viewer, saved)  # the subscriber's Invidious feed follows them too
    return render.envelope([render.channel(channel) for channel in saved], config)


@router.route("/api/channel/search", auth=USER, query=ChannelSearchQuery, as_v05=shapes.bare)
def search_channel(call: Call):
    call.viewer.fetch()  # a deleted user's key is refused before its query is looked up
    return channels.search(call.viewer, call.params.q)


@router.route("/api/channel/{channel_id}", auth=USER, as_v05=shapes.bare, returns=wire.Envelope[wire.Channel])
def get_channel(call: Call, channel_id: str):
    return channels.detail(call.viewer, channel_id)


@router.route(
    "/api/channel/{channel_id}", methods=("POST",), auth=ADMIN, body=ChannelOverwritesUpdate, as_v05=shapes.bare
)
def set_overwrites(call: Call, channel_id: str):
    """`{"channel_overwrites": {...}}`: this channel's download format, autodelete days, SponsorBlock, playlist
    indexing; and v0.5's `channel_subscribed` (the web frontend's Subscribe button). 404 for a channel the archive
    does not have."""
    body = call.body
    if body.channel_overwrites is UNSET and body.channel_subscribed is UNSET:
        raise BadRequest("expect channel_subscribed or channel_overwrites")
    channels.get(channel_id)
    if body.channel_subscribed is not UNSET:
        channels.set_subscribed(channel_id, body.channel_subscribed)
    channel = channel_overwrites.update(channel_id, body)
    return render.envelope(render.channel(channel), call.viewer.config)


@router.route("/api/channel/{channel_id}", methods=("DELETE",), auth=ADMIN, returns=NO_CONTENT)
def delete_channel(call: Call, channel_id: str):
    channels.delete(channel_id)
    return Response(body="", status_code=204)


@router.route(
    "/api/channel/{channel_id}/video",
    auth=USER,
    query=ListQuery,
    as_v05=shapes.listing,
    returns=wire.Envelope[list[wire.Video]],
)
def channel_videos(call: Call, channel_id: str):
    return channels.videos_page(call.viewer, channel_id, call.page())
