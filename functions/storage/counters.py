"""The counters behind pagination totals: their names, and their repair.

Each counter is changed only in the transaction of its write (`storage.tallied`, `db.add_counts`); the
names are built here and nowhere else. `recount` sets counters from the indexes their list views read, for
writes that are not counted one by one (the importer's batch writes) and for repairs (`python -m infra.cli
recount`).

The video counters (all videos, a channel's, a type's, the inactive ones, a day's downloads) also sum their
videos' media bytes and seconds: `video_totals` says which counters a video is in, and every write of a video
moves the difference between its old and new totals in its own transaction (`db.save_tallied`,
`db.update_tallied`), so the stats routes read sums instead of videos.

Two counters also count by month of the video order (`month_of`): all videos, and each user's watched ones
(their watched partition of UserVideo.by_watch_state, moved by functions.services.archive.progress in the state's
own transaction). From the two, `?watch=unwatched` finds the month a deep page starts in and its offset there.
"""

from collections.abc import Iterable
from functools import cached_property
from typing import NamedTuple

from functions.core.dates import day_of
from functions.storage import db
from functions.storage.index_keys import CONTINUE
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
    QueueItem,
    User,
    UserVideo,
    Video,
    watch_state_key,
)

VID_TYPES = ("videos", "shorts", "streams")  # Video.vid_type (functions.youtube.urls.TABS)

VIDEOS = "videos"
CHANNELS = "channels"
PLAYLISTS = "playlists"
SUBSCRIPTIONS = (SUBSCRIBED, UNSUBSCRIBED)


def channel_videos(channel_id: str) -> str:
    return f"videos#channel#{channel_id}"


def playlist_videos(playlist_id: str) -> str:
    return f"videos#playlist#{playlist_id}"


def channel_videos_of_type(channel_id: str, vid_type: str) -> str:
    """A channel's videos of one type (v0.5's channel navigation shows the tabs it has)."""
    return f"videos#channeltype#{channel_id}#{vid_type}"


def channel_playlists(channel_id: str, subscription: str) -> str:
    """A channel's playlists of one subscription state (the by_channel index's partition)."""
    return f"playlists#channel#{channel_id}#{subscription}"


def playlists_of_type(playlist_type: str, subscription: str) -> str:
    """The playlists of a type (regular, custom) and subscription state (the by_type index's partition)."""
    return f"playlists#type#{playlist_type}#{subscription}"


class Totals(NamedTuple):
    """What a counter adds up: items, and for video counters their media bytes and seconds."""

    count: int  # type: ignore[assignment]  # shadows tuple.count, as Counter.count shadows Model.count
    size: int = 0
    duration: int = 0


INACTIVE_VIDEOS = "videos#inactive"
INACTIVE_CHANNELS = "channels#inactive"
INACTIVE_PLAYLISTS = "playlists#inactive"
CHANNEL_BOARD = "channel"  # the board of channel counters (Counter.by_board): the biggest channels
PLAYLIST_TYPES = ("regular", "custom")  # Playlist.playlist_type
# The attributes video_totals reads: a replacing write is conditioned on them, so its difference is exact.
VIDEO_TALLIED = ("channel_id", "media_size", "duration", "vid_type", "active", "date_downloaded", "published_key")
WATCH_TALLIED = ("watched", "watch_state", "published_key")  # what a user's state adds to their watched counters
CHANNEL_TALLIED = ("subscription", "channel_active")
PLAYLIST_TALLIED = ("subscription", "playlist_active", "playlist_type", "playlist_channel_id")


MONTH = "#month#"
MONTH_KEY = 7  # a month of the video order: a published_key's first characters, YYYY-MM of its date


def month_of(name: str, published_key: str) -> str:
    """The part of counter `name` in the month of `published_key` (name `<name>#month#<YYYY-MM>`): kept on counter
    `name`'s own item (Counter.months), so it moves in the same update as the counter. Any prefix of the sort key
    orders as the keys do, so the months are runs of the video order, whatever a date looks like."""
    return f"{name}{MONTH}{published_key[:MONTH_KEY]}"


def split_month(name: str) -> tuple[str, str | None]:
    """(the counter, the month) of a month's name; (name, None) for any other counter."""
    counter, month, key = name.partition(MONTH)
    return (counter, key) if month else (name, None)


def videos_of_type(vid_type: str) -> str:
    return f"videos#type#{vid_type}"


def downloads_on(day: str) -> str:
    """Videos downloaded on a day (UTC, YYYY-MM-DD) and still archived."""
    return f"downloads#day#{day}"


def watched_by(user_id: int) -> str:
    """The archived videos a user marked watched, with their seconds."""
    return f"watched#user#{user_id}"


def in_progress_by(user_id: int) -> str:
    """The archived videos a user has a player position in and has not watched (their `continue` partition)."""
    return f"continue#user#{user_id}"


def queue_of_type(status: str, vid_type: str) -> str:
    return f"queue#{status}#type#{vid_type}"


ERROR_STATES = ("error", "ok")  # a queue item with an error message, or without one


def queue_by_error(status: str, has_error: bool) -> str:
    return f"queue#{status}#errors#{ERROR_STATES[0 if has_error else 1]}"


def sums(name: str) -> bool:
    """Whether a counter sums bytes and seconds besides counting."""
    return name.startswith(("videos", "downloads#", "watched#")) and not name.startswith("videos#playlist#")


def queue_board(status: str) -> str:
    """The board of the channels' queue counters of one status: download aggs list the channels queued."""
    return f"queue#{status}"


def board_of(name: str) -> str | None:
    if name.startswith("videos#channel#"):
        return CHANNEL_BOARD
    if name.startswith("queue#channel#"):
        return queue_board(name.rpartition("#")[2])
    return None


def video_totals(video: Video) -> dict[str, Totals]:
    """The counters an archived video is in, each with what it adds."""
    one = Totals(1, int(video.media_size or 0), int(video.duration or 0))
    vid_type = video.vid_type or "videos"
    names = [VIDEOS, channel_videos(video.channel_id), videos_of_type(vid_type)]
    names.append(channel_videos_of_type(video.channel_id, vid_type))
    if video.date_downloaded:
        names.append(downloads_on(day_of(int(video.date_downloaded))))
    if not video.active:
        names.append(INACTIVE_VIDEOS)
    totals = dict.fromkeys(names, one)
    if video.published_key:
        totals[month_of(VIDEOS, video.published_key)] = Totals(1)
    return totals


def channel_totals(channel: Channel) -> dict[str, Totals]:
    names = [CHANNELS, channels_by(channel.subscription)]
    if not channel.channel_active:
        names.append(INACTIVE_CHANNELS)
    return dict.fromkeys(names, Totals(1))


def playlist_totals(playlist: Playlist) -> dict[str, Totals]:
    names = [PLAYLISTS, playlists_by(playlist.subscription)]
    names.append(playlists_of_type(playlist.playlist_type or "regular", playlist.subscription))
    if playlist.playlist_channel_id:
        names.append(channel_playlists(playlist.playlist_channel_id, playlist.subscription))
    if not playlist.playlist_active:
        names.append(INACTIVE_PLAYLISTS)
    return dict.fromkeys(names, Totals(1))


def difference(old: dict[str, Totals], new: dict[str, Totals]) -> dict[str, Totals]:
    """What moves when an item's totals go from `old` to `new` (names whose totals did not change are left out)."""
    moved = {}
    for name in old.keys() | new.keys():
        before, after = old.get(name, Totals(0)), new.get(name, Totals(0))
        delta = Totals(*(b - a for a, b in zip(before, after, strict=True)))
        if any(delta):
            moved[name] = delta
    return moved


def channels_by(subscription: str) -> str:
    return f"channels#{subscription}"


def playlists_by(subscription: str) -> str:
    return f"playlists#{subscription}"


def queue(status: str) -> str:
    return f"queue#{status}"


def channel_queue(channel_id: str, status: str) -> str:
    return f"queue#channel#{channel_id}#{status}"


def parse_channel_queue(name: str) -> str:
    """The channel id of a channel_queue counter's name."""
    return name.removeprefix("queue#channel#").rpartition("#")[0]


USER_IDS = "user_id"  # the last user id handed out
USERS = "users"  # every user, their names its members: the admin's list of users is one read, never a scan


def user_playlists(user_id: int) -> str:
    """How many Invidious playlists a user owns (their limit is checked against it)."""
    return f"iv_playlists#user#{user_id}"


def subscription_totals(kind: str) -> list[str]:
    """A list's total and its per-subscription counters: `channels` or `playlists`."""
    by = channels_by if kind == CHANNELS else playlists_by
    return [kind, *(by(subscription) for subscription in SUBSCRIPTIONS)]


def parse(name: str) -> tuple[str, str, str]:
    """(kind, group, id) of a counter name: ("videos", "channel", "UC…"), ("channels", "subscribed", ""),
    ("videos", "", ""), ("queue", "pending", "shorts") for `queue#pending#type#shorts`; ValueError for a name
    this module does not build or does not recount."""
    kind, _, rest = name.partition("#")
    group, _, item_id = rest.partition("#")
    if not rest and kind in (VIDEOS, CHANNELS, PLAYLISTS):
        return kind, "", ""
    if kind == VIDEOS:
        if group in ("channel", "playlist", "type", "channeltype") and item_id:
            return kind, group, item_id
        if rest == "inactive":
            return kind, rest, ""
    if kind in (CHANNELS, PLAYLISTS) and rest in (*SUBSCRIPTIONS, "inactive"):
        return kind, rest, ""
    if kind == PLAYLISTS and group in ("channel", "type") and item_id.rpartition("#")[2] in SUBSCRIPTIONS:
        return kind, group, item_id  # item_id: `<channel id or type>#<subscription>`, the index partition
    if (kind, group) in (("downloads", "day"), ("watched", "user"), ("continue", "user")) and item_id:
        return kind, group, item_id
    if name == USERS:
        return kind, "", ""
    if kind == "queue" and group in ("pending", "ignore"):
        of_type, _, vid_type = item_id.partition("#")
        if of_type == "type" and vid_type:
            return kind, group, vid_type
        if of_type == "errors" and vid_type in ERROR_STATES:
            return kind, group, item_id  # item_id: `errors#<error|ok>`
    raise ValueError(f"not a counter of the archive: {name!r}")


def add(a: Totals, b: Totals) -> Totals:
    return Totals(*(x + y for x, y in zip(a, b, strict=True)))


def _summed(videos) -> dict[str, Totals]:
    found: dict[str, Totals] = {}
    for video in videos:
        for name, one in video_totals(video).items():
            found[name] = add(found.get(name, Totals(0)), one)
    return found


class Census:
    """The totals of a recount that no index counts, each read once per recount (full scans: repairs and
    imports only). `videos` (every archived video) and `entries` (every playlist entry), when the caller holds
    them all already (bench/fill.py writes an archive without the counted writes): summed instead of read."""

    def __init__(self, videos=None, entries=None):
        if videos is not None:
            self.__dict__["videos"] = _summed(videos)  # the cached_property's value
        self._entries: dict[str, list[PlaylistEntry]] | None = None
        self._watched: dict[int, dict[str, Totals]] = {}
        if entries is not None:
            self._entries = {}
            for entry in entries:
                self._entries.setdefault(entry.playlist_id, []).append(entry)

    def members(self, playlist_id: str) -> set[str]:
        """The archived videos of a playlist (its entries that say so)."""
        entries: Iterable[PlaylistEntry]
        if self._entries is not None:
            entries = self._entries.get(playlist_id, [])
        else:  # the table, read strongly consistent: an index may not show entries written a moment ago (an import)
            fields = ["youtube_id", "published_key"]
            entries = PlaylistEntry.query(playlist_id, consistent_read=True, attributes_to_get=fields)
        return {entry.youtube_id for entry in entries if entry.downloaded}

    @cached_property
    def videos(self) -> dict[str, Totals]:
        return _summed(Video.scan(consistent_read=True, attributes_to_get=["youtube_id", *VIDEO_TALLIED]))

    def inactive(self, model, flag) -> int:
        return sum(1 for _ in model.scan(flag == False, attributes_to_get=[db.key_attributes(model)[0].attr_name]))  # noqa: E712

    def watched(self, user_id: int) -> dict[str, Totals]:
        """A user's watched counter and its months, from their watched states of archived videos."""
        if user_id in self._watched:
            return self._watched[user_id]
        ids = [state.youtube_id for state in UserVideo.query(user_id, filter_condition=UserVideo.watched == True)]  # noqa: E712
        (archived,) = db.batch_get((Video, ids))
        name = watched_by(user_id)
        found = {name: Totals(len(archived), 0, sum(int(video.duration or 0) for video in archived.values()))}
        for video in archived.values():
            month = month_of(name, video.published_key)
            found[month] = add(found.get(month, Totals(0)), Totals(1))
        self._watched[user_id] = found
        return found

    def months(self, name: str) -> dict[str, int]:
        """The months of a counter that keeps them (all videos, a user's watched), by month."""
        found = self.watched(int(parse(name)[2])) if name.startswith("watched#") else self.videos
        months = {}
        for key, totals in found.items():
            counter, month = split_month(key)
            if counter == name and month is not None and totals.count:
                months[month] = totals.count
        return months

    def usernames(self) -> set[str]:
        return {user.username for user in User.scan(attributes_to_get=["username"])}

    def queued(self, status: str, vid_type: str) -> int:
        condition = (QueueItem.status == status) & (QueueItem.vid_type == vid_type)
        return sum(1 for _ in QueueItem.scan(condition, attributes_to_get=["youtube_id"]))


def _true_totals(name: str, census: Census) -> Totals:
    kind, group, item_id = parse(name)
    if kind in (VIDEOS, "downloads") and group != "playlist":
        return census.videos.get(name, Totals(0))
    if kind == "watched":
        return census.watched(int(item_id))[name]
    if name == USERS:
        return Totals(len(census.usernames()))
    if kind == "continue" or (kind == "queue" and item_id.startswith("errors#")):
        return Totals(count(name))
    if kind == "queue":
        return Totals(census.queued(group, item_id))
    if group == "inactive":
        if kind == CHANNELS:
            return Totals(census.inactive(Channel, Channel.channel_active))
        return Totals(census.inactive(Playlist, Playlist.playlist_active))
    return Totals(count(name))


def count(name: str) -> int:
    """The true count of a counter: from the index its list view reads (Select=COUNT queries) where there is
    one, else from a census."""
    kind, group, item_id = parse(name)
    if kind == VIDEOS and group in ("", "channel"):
        return Video.by_channel.count(item_id) if group else Video.by_published.count(ALL_VIDEOS)
    if kind == VIDEOS and group == "playlist":
        return PlaylistEntry.by_published.count(item_id)
    if kind == PLAYLISTS and group in ("channel", "type"):
        return (Playlist.by_channel if group == "channel" else Playlist.by_type).count(item_id)
    if kind == "queue" and item_id.startswith("errors#"):
        return QueueItem.by_error_status.count(f"{group}#{item_id.removeprefix('errors#')}")
    if kind == "continue":
        return UserVideo.by_watch_state.count(watch_state_key(int(item_id), CONTINUE))
    if kind in (CHANNELS, PLAYLISTS) and group != "inactive":
        if kind == CHANNELS:
            return Channel.by_subscription.count(group) if group else Channel.by_name.count(ALL_CHANNELS)
        return Playlist.by_subscription.count(group) if group else Playlist.by_name.count(ALL_PLAYLISTS)
    return _true_totals(name, Census()).count


def true_counter(name: str, census: Census | None = None) -> Counter:
    """A counter as the archive says it must be: its count, its sums, and for a playlist's counter the ids."""
    kind, group, playlist_id = parse(name)
    census = census or Census()
    if (kind == VIDEOS and group == "playlist") or name == USERS:
        members = census.members(playlist_id) if name != USERS else census.usernames()
        return Counter(name, count=len(members), members=members or None)
    totals = _true_totals(name, census)
    if not sums(name):
        return Counter(name, count=totals.count)
    counter = Counter(name, count=totals.count, size=totals.size, duration=totals.duration, board=board_of(name))
    if name == VIDEOS or kind == "watched":
        counter.months.update(census.months(name))
    return counter


def _same(old: Counter, new: Counter) -> bool:
    fields = ("count", "size", "duration", "board")
    if {m: n for m, n in old.months.items() if n} != new.months:
        return False
    return all(getattr(old, f) == getattr(new, f) for f in fields) and (old.members or set()) == (new.members or set())


def recount(names, census: Census | None = None) -> dict[str, int]:
    """Set each named counter as the archive says it must be, storing those that differ; returns the counts.
    Recounting any video counter recounts every one the census finds (an import changes types and days too).
    `census`: one whose video totals are already known (bench/fill.py), else one that scans for them."""
    census = census or Census()
    names = set(names)
    if any(sums(name) and not name.startswith("watched#") for name in names):
        names.update(name for name in census.videos if split_month(name)[1] is None)  # months: on their counter
    names = sorted(names)
    truth = {name: true_counter(name, census) for name in names}
    (stored,) = db.batch_get((Counter, names))
    for name, counter in truth.items():
        old = stored.get(name, Counter(name))
        if old.count is not None:
            old.count = int(old.count)
        if not _same(old, counter):
            counter.save()
    return {name: int(counter.count) for name, counter in truth.items()}


RECOUNTED_PREFIXES = (
    "videos#",
    "downloads#",
    "watched#",
    "continue#",
    "queue#pending#type#",
    "queue#ignore#type#",
    "playlists#channel#",
    "playlists#type#",
)


def all_counter_names() -> set[str]:
    """Every counter the recount sets: the totals, one per channel and playlist, and any stored one of a kind it
    recounts, such as a channel's since removed (the counters table is small; this reads it whole, for repairs
    only)."""
    names = {VIDEOS, INACTIVE_VIDEOS, USERS, *subscription_totals(CHANNELS), *subscription_totals(PLAYLISTS)}
    names.update((INACTIVE_CHANNELS, INACTIVE_PLAYLISTS))
    names.update(channel_videos(key.channel_id) for key in Channel.by_name.query(ALL_CHANNELS))
    names.update(playlist_videos(key.playlist_id) for key in Playlist.by_name.query(ALL_PLAYLISTS))
    names.update(playlists_of_type(kind, subscription) for kind in PLAYLIST_TYPES for subscription in SUBSCRIPTIONS)
    keyed = Playlist.scan(Playlist.channel_key.exists(), attributes_to_get=["playlist_id", "channel_key"])
    names.update(f"playlists#channel#{playlist.channel_key}" for playlist in keyed)
    for user in User.scan(attributes_to_get=["username", "user_id"]):
        names.update((watched_by(int(user.user_id)), in_progress_by(int(user.user_id))))
    for status in ("pending", "ignore"):
        names.update(queue_of_type(status, vid_type) for vid_type in VID_TYPES)
        names.update(queue_by_error(status, has_error) for has_error in (True, False))
    condition = None
    for prefix in RECOUNTED_PREFIXES:
        starts = Counter.name.startswith(prefix)
        condition = starts if condition is None else condition | starts
    names.update(counter.name for counter in Counter.scan(condition))
    return names


def recount_all() -> dict[str, int]:
    return recount(all_counter_names())
