"""A user's own channel subscriptions (Invidious); subscribing also subscribes the archive, so rescans fetch it."""

import time

from pynamodb.exceptions import DoesNotExist

from functions.core.errors import Forbidden
from functions.core.ids import is_channel_id
from functions.services.archive import channels
from functions.services.invidious import feed
from functions.storage import db
from functions.storage.models import Channel, Subscription

INVALID = "Deleted or invalid channel"


def list_all(viewer) -> list[dict]:
    """`[{"author", "authorId"}]`, by channel name."""
    ids = [item.channel_id for item in Subscription.query(viewer.user_id)]
    (found,) = db.batch_get((Channel, ids))
    rows = [{"author": found[i].channel_name if i in found else i, "authorId": i} for i in ids]
    return sorted(rows, key=lambda row: (row["author"].casefold(), row["authorId"]))


def subscribe(viewer, channel_id: str) -> bool:
    """Subscribe the user (and the archive) to a channel the archive knows; True when the user was not yet."""
    if not is_channel_id(channel_id):
        raise Forbidden(INVALID)
    try:
        channel = Channel.get(channel_id)
    except DoesNotExist:
        raise Forbidden(INVALID) from None
    subscription = Subscription(viewer.user_id, channel_id, created=int(time.time()))
    created = db.conditional(subscription.save, condition=Subscription.channel_id.does_not_exist())
    channels.set_subscribed(channel_id, True)
    if created:
        feed.backfill(viewer.user_id, channel)
    return created


def unsubscribe(viewer, channel_id: str) -> None:
    """Remove the user's subscription and the channel's videos from their feed; the archive keeps its own."""
    if not is_channel_id(channel_id):
        return
    db.conditional(Subscription(viewer.user_id, channel_id).delete, condition=Subscription.channel_id.exists())
    feed.remove_channel(viewer.user_id, channel_id)
