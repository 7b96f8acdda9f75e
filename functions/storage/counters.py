"""The counters behind pagination totals: their names, and their repair.

Each counter is changed only in the transaction of its write (`db.save_counted`, `db.transact_counted`); the
names are built here and nowhere else. `recount` sets counters from the indexes their list views read, for
writes that are not counted one by one (the importer's batch writes) and for repairs (`python -m infra.cli
recount`).
"""

from functions.storage import db
from functions.storage.models import (
    ALL_CHANNELS,
    ALL_PLAYLISTS,
    ALL_VIDEOS,
    SUBSCRIBED,
    UNSUBSCRIBED,
    Channel,
    Counter,
    Playlist,
    PlaylistEntry,
    Video,
)

VIDEOS = "videos"
CHANNELS = "channels"
PLAYLISTS = "playlists"
SUBSCRIPTIONS = (SUBSCRIBED, UNSUBSCRIBED)


def channel_videos(channel_id: str) -> str:
    return f"videos#channel#{channel_id}"


def playlist_videos(playlist_id: str) -> str:
    return f"videos#playlist#{playlist_id}"


def channels_by(subscription: str) -> str:
    return f"channels#{subscription}"


def playlists_by(subscription: str) -> str:
    return f"playlists#{subscription}"


def queue(status: str) -> str:
    return f"queue#{status}"


def channel_queue(channel_id: str, status: str) -> str:
    return f"queue#channel#{channel_id}#{status}"


USER_IDS = "user_id"  # the last user id handed out


def user_playlists(user_id: int) -> str:
    """How many Invidious playlists a user owns (their limit is checked against it)."""
    return f"iv_playlists#user#{user_id}"


def subscription_totals(kind: str) -> list[str]:
    """A list's total and its per-subscription counters: `channels` or `playlists`."""
    by = channels_by if kind == CHANNELS else playlists_by
    return [kind, *(by(subscription) for subscription in SUBSCRIPTIONS)]


def parse(name: str) -> tuple[str, str, str]:
    """(kind, group, id) of a counter name: ("videos", "channel", "UC…"), ("channels", "subscribed", ""),
    ("videos", "", ""); ValueError for a name this module does not build."""
    kind, _, rest = name.partition("#")
    if not rest and kind in (VIDEOS, CHANNELS, PLAYLISTS):
        return kind, "", ""
    if kind == VIDEOS:
        group, _, item_id = rest.partition("#")
        if group in ("channel", "playlist") and item_id:
            return kind, group, item_id
    if kind in (CHANNELS, PLAYLISTS) and rest in SUBSCRIPTIONS:
        return kind, rest, ""
    raise ValueError(f"not a counter of the archive: {name!r}")


def count(name: str) -> int:
    """The true value of a counter, counted from the index its list view reads (Select=COUNT queries)."""
    kind, group, item_id = parse(name)
    if kind == VIDEOS:
        if group == "channel":
            return Video.by_channel.count(item_id)
        if group == "playlist":
            return PlaylistEntry.by_published.count(item_id)
        return Video.by_published.count(ALL_VIDEOS)
    if kind == CHANNELS:
        return Channel.by_subscription.count(group) if group else Channel.by_name.count(ALL_CHANNELS)
    return Playlist.by_subscription.count(group) if group else Playlist.by_name.count(ALL_PLAYLISTS)


def true_counter(name: str) -> Counter:
    """A counter as its index says it must be: its count, and for a playlist's counter the ids it counts."""
    kind, group, playlist_id = parse(name)
    if kind == VIDEOS and group == "playlist":
        # The table, read strongly consistent: an index may not show entries written a moment ago (an import).
        fields = ["youtube_id", "published_key"]
        entries = PlaylistEntry.query(playlist_id, consistent_read=True, attributes_to_get=fields)
        members = {entry.youtube_id for entry in entries if entry.downloaded}
        return Counter(name, count=len(members), members=members or None)
    return Counter(name, count=count(name))


def recount(names) -> dict[str, int]:
    """Count each named counter from its index and store it when it differs; returns the values."""
    names = sorted(set(names))
    truth = {name: true_counter(name) for name in names}
    (stored,) = db.batch_get((Counter, names))
    for name, counter in truth.items():
        old = stored.get(name, Counter(name))
        if int(old.count) != counter.count or (old.members or set()) != (counter.members or set()):
            counter.save()
    return {name: int(counter.count) for name, counter in truth.items()}


def all_counter_names() -> set[str]:
    """Every counter of the archive: the totals, one per channel and playlist, and any stored one of a channel
    or playlist since removed (the counters table is small; this reads it whole, for repairs only)."""
    names = {VIDEOS, *subscription_totals(CHANNELS), *subscription_totals(PLAYLISTS)}
    names.update(channel_videos(key.channel_id) for key in Channel.by_name.query(ALL_CHANNELS))
    names.update(playlist_videos(key.playlist_id) for key in Playlist.by_name.query(ALL_PLAYLISTS))
    names.update(counter.name for counter in Counter.scan(Counter.name.startswith("videos#")))
    return names


def recount_all() -> dict[str, int]:
    return recount(all_counter_names())
