"""Channels: listing by name, subscription, and the counted writes behind them."""

import contextlib

from pynamodb.exceptions import DoesNotExist

from functions.core.errors import BadRequest, NotFound
from functions.core.ids import is_channel_id
from functions.core.pagination import Page
from functions.schemas.ta import ChannelRow
from functions.schemas.ta_objects import Envelope
from functions.services import search as search_index
from functions.services.archive import render, videos
from functions.services.auth.viewer import Viewer
from functions.storage import counters, db, index_keys, lookup, pages, s3, tallied
from functions.storage.models import (
    ALL_CHANNELS,
    SUBSCRIBED,
    UNSUBSCRIBED,
    Channel,
    Video,
)
from functions.youtube import urls

FILTERS = {SUBSCRIBED, UNSUBSCRIBED}


def resolve(text) -> dict:
    """The channel a channel id, URL or @handle names: {"channel_id"}, plus the channel's metadata when yt-dlp
    had to be asked (handles, /c/ and /user/ URLs: the lookup function). BadRequest when it names no channel."""
    target = urls.parse_target(text)
    if target.kind != urls.CHANNEL:
        raise BadRequest(f"not a channel: {text!r} names a {target.kind}")
    if target.youtube_id:
        return {"channel_id": target.youtube_id}
    return lookup.call("resolve_channel", query=target.url)["channel"]


def not_found(channel_id: str) -> NotFound:
    return NotFound(f"channel {channel_id} not found")


def check_id(channel_id: str) -> str:
    if not is_channel_id(channel_id):
        raise not_found(channel_id)
    return channel_id


def list_page(viewer: Viewer, page: Page, subscription: str | None) -> Envelope:
    if subscription is not None and subscription not in FILTERS:
        raise BadRequest("filter must be subscribed or unsubscribed")
    if subscription:
        keys, paging = pages.page_keys(
            viewer,
            counters.channels_by(subscription),
            Channel.by_subscription,
            subscription,
            page,
            scan_forward=True,
            past_end_empty=True,
        )
    else:
        keys, paging = pages.page_keys(
            viewer, counters.CHANNELS, Channel.by_name, ALL_CHANNELS, page, scan_forward=True, past_end_empty=True
        )
    ids = [key.channel_id for key in keys]
    (items,) = viewer.fetch((Channel, ids))
    return render.envelope([render.channel(items[i]) for i in ids if i in items], viewer.config, paging)


def get(channel_id: str) -> Channel:
    check_id(channel_id)
    try:
        return Channel.get(channel_id)
    except DoesNotExist:
        raise not_found(channel_id) from None


def detail(viewer: Viewer, channel_id: str) -> Envelope:
    check_id(channel_id)
    (found,) = viewer.fetch((Channel, [channel_id]))
    if channel_id not in found:
        raise not_found(channel_id)
    return render.envelope(render.channel(found[channel_id]), viewer.config)


def videos_page(viewer: Viewer, channel_id: str, page: Page) -> Envelope:
    get(channel_id)
    return videos.channel_videos_page(viewer, channel_id, page)


def save(channel: Channel) -> bool:
    """Store a channel, counting it when new and moving its subscription count when that changed."""
    index_keys.set_channel_keys(channel)
    created = tallied.save_tallied(channel, counters.channel_totals, counters.CHANNEL_TALLIED)
    search_index.index_channel(channel, known_new=created)
    return created


def create(channel: Channel) -> bool:
    """Store a channel only when it is not archived yet, counting it; False (nothing written) when it is."""
    index_keys.set_channel_keys(channel)
    created = db.create_counted(channel, {name: 1 for name in counters.channel_totals(channel)})
    if created:
        search_index.index_channel(channel, known_new=True)
    return created


def set_subscribed(channel_id: str, subscribed: bool) -> Channel:
    """Subscribe or unsubscribe. A channel not archived yet is recorded by its id, for the rescan to fill in."""
    check_id(channel_id)
    try:
        channel = Channel.get(channel_id)
    except DoesNotExist:
        channel = Channel(channel_id, channel_name=channel_id)
    if channel.channel_subscribed != subscribed or channel.name_key is None:
        channel.channel_subscribed = subscribed
        save(channel)
    return channel


def delete(channel_id: str) -> None:
    """Remove a channel with all its videos and files."""
    channel = get(channel_id)
    for key in Video.by_channel.query(channel_id):
        with contextlib.suppress(NotFound):  # removed meanwhile
            videos.delete(key.youtube_id)
    if not tallied.delete_tallied(channel, counters.channel_totals, counters.CHANNEL_TALLIED):
        raise not_found(channel_id)
    search_index.remove_channel(channel)
    s3.delete_objects(s3.channel_keys(channel_id))


def search(viewer: Viewer, query: str) -> Envelope:
    """GET /api/channel/search/: the archived channel an id, URL or @handle names; 404 when YouTube has no such
    handle or the channel is not archived."""
    try:
        found = resolve(query)
    except lookup.LookupFailed as error:
        raise NotFound(f"channel not found: {query}: {error.message}") from None
    return detail(viewer, found["channel_id"])


def subscribe_many(rows: list[ChannelRow]) -> list[Channel]:
    """POST /api/channel/: channels by id, URL or @handle, to subscribe or not, all checked before any is resolved
    or stored. A channel new to the archive keeps the metadata yt-dlp gave for its handle."""
    for row in rows:
        target = urls.parse_target(row.channel_id)
        if target.kind != urls.CHANNEL:
            raise BadRequest(f"not a channel: {row.channel_id!r} names a {target.kind}")
    found = [resolve(row.channel_id) for row in rows]
    return [_subscribe(meta, row.channel_subscribed) for meta, row in zip(found, rows, strict=True)]


def _subscribe(found: dict, subscribed: bool) -> Channel:
    channel_id = found["channel_id"]
    if found.get("channel_name") and not Channel.count(channel_id):
        channel = Channel(
            channel_id,
            channel_name=found["channel_name"],
            channel_description=found.get("channel_description") or "",
            channel_subs=int(found.get("channel_subs") or 0),
            channel_subscribed=subscribed,
        )
        save(channel)
        return channel
    return set_subscribed(channel_id, subscribed)
