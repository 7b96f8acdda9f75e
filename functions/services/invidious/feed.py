"""The subscription feed: one FeedItem per (user, video), written when a video is archived or a user subscribes.

A feed page is then a single Query on the user's partition, newest first, rendered from what the items carry:
no read per channel followed and none per video. `notify` marks the videos archived after the user subscribed
that they have not watched yet: Invidious' notifications.
"""

from functions.services.invidious import preferences, render
from functions.services.invidious.common import int_param
from functions.storage import db, pages
from functions.storage.models import Channel, FeedItem, Subscription, UserVideo, Video

BACKFILL = 200  # a new subscription brings at most this many of the channel's archived videos into the feed
MAX_RESULTS = 1500  # Invidious' largest page
MAX_DEPTH = 10_000  # a feed is read at most this deep, like the archive's lists


def item_for(user_id: int, video: Video, author: str, notify: bool) -> FeedItem:
    return FeedItem(
        user_id,
        video.published_key,
        youtube_id=video.youtube_id,
        channel_id=video.channel_id,
        notify=notify,
        title=video.title,
        author=author,
        length_seconds=int(video.duration or 0),
        view_count=int(video.view_count or 0),
    )


def channel_name(channel_id: str) -> str:
    (found,) = db.batch_get((Channel, [channel_id]))
    return found[channel_id].channel_name if channel_id in found else channel_id


def subscribers(channel_id: str) -> list[int]:
    return [int(key.user_id) for key in Subscription.by_channel.query(channel_id)]


# ---------------------------------------------------------------- writing


def fan_out(video: Video) -> int:
    """Put a newly archived video into the feed of every user subscribed to its channel, as a notification."""
    return fan_out_many([video])


def fan_out_many(new_videos: list[Video]) -> int:
    """fan_out for many new videos (a bulk import): one subscriber Query per channel; returns the items written."""
    by_channel: dict[str, list[Video]] = {}
    for video in new_videos:
        by_channel.setdefault(video.channel_id, []).append(video)
    written = 0
    with FeedItem.batch_write() as batch:
        for channel_id, channel_videos in by_channel.items():
            users = subscribers(channel_id)
            if not users:
                continue
            author = channel_name(channel_id)
            for video in channel_videos:
                for user_id in users:
                    batch.save(item_for(user_id, video, author, notify=True))
                    written += 1
    return written


def remove_video(video: Video) -> None:
    """Take a video that leaves the archive out of every subscriber's feed."""
    users = subscribers(video.channel_id)
    with FeedItem.batch_write() as batch:
        for user_id in users:
            batch.delete(FeedItem(user_id, video.published_key))


def backfill(user_id: int, channel: Channel) -> int:
    """A new subscription brings the channel's latest archived videos into the user's feed (not as notifications)."""
    keys = Video.by_channel.query(channel.channel_id, scan_index_forward=False, limit=BACKFILL, page_size=BACKFILL)
    ids = [key.youtube_id for key in keys]
    found, states = db.batch_get((Video, ids), (UserVideo, [(user_id, i) for i in ids]))
    with FeedItem.batch_write() as batch:
        for youtube_id in ids:
            if youtube_id in found:
                item = item_for(user_id, found[youtube_id], channel.channel_name, notify=False)
                state = states.get((user_id, youtube_id))
                item.watched = True if state is not None and state.watched else None
                batch.save(item)
    return len(found)


def remove_channel(user_id: int, channel_id: str) -> None:
    """Take every video of a channel out of one user's feed (they unsubscribed)."""
    with FeedItem.batch_write() as batch:
        for key in Video.by_channel.query(channel_id):
            batch.delete(FeedItem(user_id, key.published_key))


def mark_watched(user_id: int, published_keys: list[str], watched: bool = True) -> None:
    """The user watched these videos (or no longer has): their feed items say so, and a watched one stops being a
    notification. Feed items never appear from this: only the ones in the feed are written."""
    keys = [key for key in dict.fromkeys(published_keys) if key]
    if len(keys) > 1:  # many videos at once (a channel, a playlist): read first, write only what changes
        (found,) = db.batch_get((FeedItem, [(user_id, key) for key in keys]))
        keys = [key for (_, key), item in found.items() if bool(item.watched) != watched or (watched and item.notify)]
    actions = [FeedItem.watched.set(True), FeedItem.notify.set(False)] if watched else [FeedItem.watched.remove()]
    for key in keys:
        db.update_existing(FeedItem(user_id, key), actions)


# ---------------------------------------------------------------- reading


def page(viewer, query: dict, now: float | None = None) -> dict:
    """`GET feed?max_results=&page=`: the user's item (preferences), then one Query. `max_results` defaults to the
    user's preference; with `notifications_only` set, the page holds only notifications, with `unseen_only` only
    videos the user has not watched (a filtered Query)."""
    max_results = int_param(query, "max_results", None, 0, MAX_RESULTS)
    number = int_param(query, "page", 1, 1)
    settings = preferences.of(viewer.user)
    if max_results is None:
        max_results = max(0, min(settings["max_results"], MAX_RESULTS))
    offset = (number - 1) * max_results
    items = []
    if max_results > 0 and offset < MAX_DEPTH:
        size = min(max_results, MAX_DEPTH - offset)
        if settings["notifications_only"]:
            items = filtered_page(viewer.user_id, offset, size, FeedItem.notify == True)  # noqa: E712
        elif settings["unseen_only"]:
            items = filtered_page(viewer.user_id, offset, size, FeedItem.watched.does_not_exist())
        else:
            items = pages.query_page(FeedItem, viewer.user_id, offset, size)
    body: dict[str, list] = {"notifications": [], "videos": []}
    for item in items:
        body["notifications" if item.notify else "videos"].append(render.feed_item(item, now))
    return body


def filtered_page(user_id: int, offset: int, size: int, condition) -> list[FeedItem]:
    """One page of the user's feed items that meet `condition` (the notifications, the unwatched), newest first,
    from one Query call: DynamoDB filters after reading, so the call reads the newest MAX_DEPTH feed items at most
    (within its 1 MB) and keeps the ones among them that meet it."""
    results = FeedItem.query(user_id, scan_index_forward=False, filter_condition=condition, page_size=MAX_DEPTH)
    first = next(results.page_iter)
    return [FeedItem.from_raw_data(raw) for raw in first.get("Items", [])[offset : offset + size]]
