"""The DynamoDB models: one table per aggregate, each model declared once with its indexes.

Every list view of the API is a Query on an index already in display order. Indexes that feed numbered pages
project keys only (plus the one attribute a page needs to batch-read its neighbours), so reading up to a deep
offset stays cheap. Totals live in `Counter` items updated in the same transaction as the write they count.
"""

from functools import cache
from typing import Any

from pynamodb import models as pynamodb_models
from pynamodb.attributes import (
    Attribute,
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.constants import NULL
from pynamodb.expressions.operand import Path
from pynamodb.indexes import (
    AllProjection,
    GlobalSecondaryIndex,
    IncludeProjection,
    KeysOnlyProjection,
    LocalSecondaryIndex,
)

from functions.core.settings import get_settings

# Constant partition values of the "all items in one order" indexes.
ALL_VIDEOS = "video"
ALL_CHANNELS = "channel"
ALL_PLAYLISTS = "playlist"
ALL_SNAPSHOTS = "snapshot"
SUBSCRIBED = "subscribed"
UNSUBSCRIBED = "unsubscribed"


class Model(pynamodb_models.Model):
    """pynamodb's Model, read faster: pynamodb builds an item from DynamoDB's answer by setting every default
    twice and then every value through its attribute's descriptor: a tenth of a local `/api/video/`'s CPU.
    Here each default is set once and each value put in `attribute_values` directly (the same values in the same
    order), through the descriptor only where an attribute's own converts the value (a map, a TTL). Each value
    is still deserialized by its attribute (tests/test_db.py compares both ways for every model)."""

    @classmethod
    def _instantiate(cls, attribute_values: dict[str, dict[str, Any]]):
        if cls._get_discriminator_attribute() is not None:
            return super()._instantiate(attribute_values)  # a polymorphic model's class comes from the item
        instance = cls.__new__(cls)
        values = instance.attribute_values = {}
        readers = _readers(cls)
        for name, _, attribute, converts, default in readers:  # as pynamodb's _set_defaults, before the values
            value = default() if callable(default) else default
            if value is None:
                continue
            if converts:
                attribute.__set__(instance, value)
            else:
                values[name] = value
        for name, stored_name, attribute, converts, _ in readers:
            stored = attribute_values.get(stored_name)
            if stored and NULL not in stored:
                value = attribute.deserialize(attribute.get_value(stored))
                if converts:
                    attribute.__set__(instance, value)
                else:
                    values[name] = value
        return instance


@cache
def _readers(model: type[Model]) -> list[tuple[str, str, Attribute, bool, Any]]:
    """Each attribute of a model: its Python name, the name it is stored under, the attribute, whether its
    descriptor converts what it is set to, and its default for an item read (not pynamodb's for a new one)."""
    return [
        (name, attribute.attr_name, attribute, type(attribute).__set__ is not Attribute.__set__, attribute.default)
        for name, attribute in model.get_attributes().items()
    ]


def _meta(table: str, **extra):
    """The Meta of a model: the table name carries the stage's prefix, so stages never share tables."""
    settings = get_settings()
    attrs = {"table_name": settings.table_prefix + table, "region": settings.region, "billing_mode": "PAY_PER_REQUEST"}
    attrs.update(extra)
    return type("Meta", (), attrs)


def _strings(**options) -> ListAttribute[str]:
    """A list of strings. pynamodb's stubs type `of` as the element's value type, not its attribute class."""
    return ListAttribute(of=UnicodeAttribute, **options)  # type: ignore[arg-type]


def _index_meta(name: str, projection):
    return type("Meta", (), {"index_name": name, "projection": projection})


def published_key(published: str, youtube_id: str) -> str:
    """Sort key that orders videos by publish date; the id breaks ties and keeps keys unique."""
    return f"{published}#{youtube_id}"


def name_key(name: str, item_id: str) -> str:
    return f"{(name or '').casefold()}#{item_id}"


# ---------------------------------------------------------------- users and credentials


ALL_USERS = "user"


class UsersBySeen(GlobalSecondaryIndex):
    """Sparse: users seen since the index existed, by the day they were last seen (instance stats count them)."""

    Meta = _index_meta("by_last_seen", KeysOnlyProjection())
    all_users = UnicodeAttribute(hash_key=True)
    last_seen = UnicodeAttribute(range_key=True)


class User(Model):
    """A person who can log in; keyed by the name they log in with."""

    Meta = _meta("users")
    username = UnicodeAttribute(hash_key=True)
    user_id = NumberAttribute()
    password_hash = UnicodeAttribute()
    api_token = UnicodeAttribute()  # shown to its owner, as TubeArchivist's settings page does
    is_admin = BooleanAttribute(default=False)
    created = NumberAttribute()
    page_size = NumberAttribute(null=True)
    # Invidious preferences the user changed; defaults fill the rest
    preferences: MapAttribute[str, Any] = MapAttribute(null=True)
    # the day (YYYY-MM-DD) of the latest Invidious request, written at most daily (services.auth.activity)
    last_seen = UnicodeAttribute(null=True)
    all_users = UnicodeAttribute(null=True)  # ALL_USERS once seen: the by_last_seen index key
    by_last_seen = UsersBySeen()
    # TubeArchivist v0.5 web UI settings the user changed (functions.services.user_config)
    ui_config: MapAttribute[str, Any] = MapAttribute(null=True)
    last_login = NumberAttribute(null=True)  # unix time of the last v0.5 web login


class AuthKeysByUser(GlobalSecondaryIndex):
    Meta = _index_meta("by_user", KeysOnlyProjection())
    user_id = NumberAttribute(hash_key=True)
    created = NumberAttribute(range_key=True)


class AuthKey(Model):
    """A credential, stored under the SHA-256 of its secret: API tokens, web sessions, Invidious sessions."""

    Meta = _meta("auth_keys")
    key_hash = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()  # api_token | session
    user_id = NumberAttribute()
    username = UnicodeAttribute()
    created = NumberAttribute()
    expires = TTLAttribute(null=True)
    dialect = UnicodeAttribute(null=True)  # the TubeArchivist API it speaks (functions.core.dialects); None: v0.4
    csrf_hash = UnicodeAttribute(null=True)  # a v0.5 web session's CSRF token (SHA-256), checked on its writes
    by_user = AuthKeysByUser()


class LoginThrottle(Model):
    """Failed logins of one user name (`user#<name>`) or one client address (`client#<ip>`) in the current
    window; at the limit, logins of that name or from that client wait until the window ends."""

    Meta = _meta("login_throttle")
    key = UnicodeAttribute(hash_key=True)
    failures = NumberAttribute(default=0)
    window_end = NumberAttribute()  # unix time
    expires = TTLAttribute(null=True)  # the window's end: DynamoDB tidies the item away after it


# ---------------------------------------------------------------- archive


class VideosByPublished(GlobalSecondaryIndex):
    Meta = _index_meta("by_published", IncludeProjection(["channel_id"]))
    all_videos = UnicodeAttribute(hash_key=True)
    published_key = UnicodeAttribute(range_key=True)


class VideosByType(GlobalSecondaryIndex):
    """A type's videos (videos, shorts, streams) by publish date: v0.5's `type` filter of /api/video/."""

    Meta = _index_meta("by_type", IncludeProjection(["channel_id"]))
    vid_type = UnicodeAttribute(hash_key=True)
    published_key = UnicodeAttribute(range_key=True)


class VideosByChannel(GlobalSecondaryIndex):
    Meta = _index_meta("by_channel", KeysOnlyProjection())
    channel_id = UnicodeAttribute(hash_key=True)
    published_key = UnicodeAttribute(range_key=True)


class VideosByChannelType(GlobalSecondaryIndex):
    """A channel's videos of one type by publish date: v0.5's channel tabs (`/api/video/?channel=&type=`)."""

    Meta = _index_meta("by_channel_type", KeysOnlyProjection())
    channel_type = UnicodeAttribute(hash_key=True)  # `<channel_id>#<vid_type>`
    published_key = UnicodeAttribute(range_key=True)


class Video(Model):
    Meta = _meta("videos")
    youtube_id = UnicodeAttribute(hash_key=True)
    title = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    published = UnicodeAttribute()  # YYYY-MM-DD
    vid_last_refresh = UnicodeAttribute(null=True)  # YYYY-MM-DD
    date_downloaded = NumberAttribute()
    vid_type = UnicodeAttribute(default="videos")
    active = BooleanAttribute(default=True)
    category = _strings(default=list)
    tags = _strings(default=list)
    channel_id = UnicodeAttribute()
    duration = NumberAttribute(default=0)
    view_count = NumberAttribute(default=0)
    like_count = NumberAttribute(default=0)
    dislike_count = NumberAttribute(default=0)
    average_rating = NumberAttribute(null=True)
    playlist = _strings(default=list)
    media_ext = UnicodeAttribute(default="mp4")
    media_size = NumberAttribute(default=0)
    media_width = NumberAttribute(null=True)  # of the archived file, as yt-dlp reported it
    media_height = NumberAttribute(null=True)
    media_codecs = UnicodeAttribute(null=True)  # RFC 6381 codecs, "avc1.42001E, mp4a.40.2"
    subtitles: ListAttribute[dict] = ListAttribute(default=list)  # [{ext, lang, name, source}]
    # the file's video and audio streams, [{type, index, codec, width?, height?, bitrate}]; None: not read yet
    streams: ListAttribute[dict] = ListAttribute(null=True)
    # the DASH rendition's streams (services.archive.dash): [{kind, mime, codecs, bitrate, clen, init, index,
    # width, height, fps, sample_rate, channels}]; empty when there is none (yet)
    dash: ListAttribute[dict] = ListAttribute(default=list)
    comment_count = NumberAttribute(null=True)
    sponsorblock: MapAttribute[str, Any] = MapAttribute(null=True)
    media_missing = BooleanAttribute(null=True)  # True: its media object was gone at the last filesystem rescan
    media_revision = NumberAttribute(null=True)  # its re-downloads so far: part of its files' keys (storage.s3)
    # index keys, derived from the fields above by functions.storage.index_keys
    all_videos = UnicodeAttribute(default=ALL_VIDEOS)
    published_key = UnicodeAttribute()
    channel_type = UnicodeAttribute(null=True)  # `<channel_id>#<vid_type>` (by_channel_type)
    by_published = VideosByPublished()
    by_channel = VideosByChannel()
    by_type = VideosByType()
    by_channel_type = VideosByChannelType()


class ChannelsByName(GlobalSecondaryIndex):
    Meta = _index_meta("by_name", KeysOnlyProjection())
    all_channels = UnicodeAttribute(hash_key=True)
    name_key = UnicodeAttribute(range_key=True)


class ChannelsBySubscription(GlobalSecondaryIndex):
    Meta = _index_meta("by_subscription", KeysOnlyProjection())
    subscription = UnicodeAttribute(hash_key=True)  # subscribed | unsubscribed
    name_key = UnicodeAttribute(range_key=True)


class Channel(Model):
    Meta = _meta("channels")
    channel_id = UnicodeAttribute(hash_key=True)
    channel_name = UnicodeAttribute()
    channel_description = UnicodeAttribute(default="")
    channel_subscribed = BooleanAttribute(default=False)
    channel_active = BooleanAttribute(default=True)
    channel_last_refresh = UnicodeAttribute(null=True)  # YYYY-MM-DD
    channel_subs = NumberAttribute(default=0)
    channel_views = NumberAttribute(default=0)
    channel_overwrites: MapAttribute[str, Any] = MapAttribute(null=True)
    # the art kinds (thumb, banner, tvart) stored in S3 when the channel page was last read; None: not known
    # (channels stored before it was kept), and every kind is linked
    channel_art = _strings(null=True)
    all_channels = UnicodeAttribute(default=ALL_CHANNELS)
    name_key = UnicodeAttribute()
    subscription = UnicodeAttribute(default=UNSUBSCRIBED)
    by_name = ChannelsByName()
    by_subscription = ChannelsBySubscription()


class PlaylistsByName(GlobalSecondaryIndex):
    Meta = _index_meta("by_name", KeysOnlyProjection())
    all_playlists = UnicodeAttribute(hash_key=True)
    name_key = UnicodeAttribute(range_key=True)


class PlaylistsBySubscription(GlobalSecondaryIndex):
    Meta = _index_meta("by_subscription", KeysOnlyProjection())
    subscription = UnicodeAttribute(hash_key=True)
    name_key = UnicodeAttribute(range_key=True)


class PlaylistsByChannel(GlobalSecondaryIndex):
    """Sparse: only playlists with an owning channel carry `channel_key` (an index key cannot be empty):
    `<channel id>#<subscription>`, so a channel's playlists are two partitions and its subscribed ones one."""

    Meta = _index_meta("by_channel", KeysOnlyProjection())
    channel_key = UnicodeAttribute(hash_key=True)
    name_key = UnicodeAttribute(range_key=True)


class PlaylistsByType(GlobalSecondaryIndex):
    """`<playlist_type>#<subscription>`: v0.5's `type` filter, alone or with `subscribed`."""

    Meta = _index_meta("by_type", KeysOnlyProjection())
    type_subscription = UnicodeAttribute(hash_key=True)
    name_key = UnicodeAttribute(range_key=True)


class Playlist(Model):
    Meta = _meta("playlists")
    playlist_id = UnicodeAttribute(hash_key=True)
    playlist_name = UnicodeAttribute()
    playlist_channel = UnicodeAttribute(default="")
    playlist_channel_id = UnicodeAttribute(default="")
    playlist_description = UnicodeAttribute(default="")
    playlist_subscribed = BooleanAttribute(default=False)
    playlist_active = BooleanAttribute(default=True)
    playlist_last_refresh = UnicodeAttribute(null=True)
    playlist_type = UnicodeAttribute(default="regular")
    playlist_sort_order = UnicodeAttribute(null=True)  # v0.5's "bottom": YouTube's list read reversed; None is "top"
    playlist_thumb = BooleanAttribute(null=True)  # its thumbnail is stored (s3.playlist_thumb_key)
    all_playlists = UnicodeAttribute(default=ALL_PLAYLISTS)
    name_key = UnicodeAttribute()
    subscription = UnicodeAttribute(default=UNSUBSCRIBED)
    channel_key = UnicodeAttribute(null=True)  # `<playlist_channel_id>#<subscription>` when there is a channel
    type_subscription = UnicodeAttribute(null=True)  # `<playlist_type>#<subscription>` (by_type)
    # The entries' listing, packed (functions.services.archive.playlists.pack): lists and searches render the playlist
    # without
    # reading its entries. None when too large for an item, or not yet packed: the entries are read then.
    entries_packed = UnicodeAttribute(null=True)
    by_name = PlaylistsByName()
    by_subscription = PlaylistsBySubscription()
    by_channel = PlaylistsByChannel()
    by_type = PlaylistsByType()


class EntriesByPublished(GlobalSecondaryIndex):
    """Sparse: only entries whose video is archived carry `published_key`."""

    Meta = _index_meta("by_published", IncludeProjection(["channel_id"]))
    playlist_id = UnicodeAttribute(hash_key=True)
    published_key = UnicodeAttribute(range_key=True)


class EntriesByPosition(LocalSecondaryIndex):
    Meta = _index_meta("by_position", AllProjection())
    playlist_id = UnicodeAttribute(hash_key=True)
    idx = NumberAttribute(range_key=True)


class PlaylistEntry(Model):
    """One video of a playlist, archived or not; playlists grow without bound, so entries are items.

    Keyed by video, so archiving or deleting a video updates its entries directly; listed by position.
    """

    Meta = _meta("playlist_entries")
    playlist_id = UnicodeAttribute(hash_key=True)
    youtube_id = UnicodeAttribute(range_key=True)
    idx = NumberAttribute()
    title = UnicodeAttribute(default="")
    uploader = UnicodeAttribute(default="")
    channel_id = UnicodeAttribute(null=True)
    published_key = UnicodeAttribute(null=True)  # set while the video is archived
    by_published = EntriesByPublished()
    by_position = EntriesByPosition()

    @property
    def downloaded(self) -> bool:
        return self.published_key is not None


# ---------------------------------------------------------------- per-user state


class HistoryIndex(GlobalSecondaryIndex):
    """Sparse: a user's watched videos, most recently watched last."""

    Meta = _index_meta("by_watched_date", KeysOnlyProjection())
    user_id = NumberAttribute(hash_key=True)
    watched_date = NumberAttribute(range_key=True)


class VideosByWatchState(GlobalSecondaryIndex):
    """Sparse: a user's watched videos (`<user_id>#watched`) and unfinished ones (`<user_id>#continue`: a player
    position, not watched), each by publish date: v0.5's `watch` filter of /api/video/."""

    Meta = _index_meta("by_watch_state", IncludeProjection(["channel_id"]))
    watch_state = UnicodeAttribute(hash_key=True)
    published_key = UnicodeAttribute(range_key=True)


def watch_state_key(user_id: int, state: str) -> str:
    """The by_watch_state partition of a user's `watched` or `continue` videos."""
    return f"{user_id}#{state}"


class UserVideo(Model):
    """A user's state of one video: player position and watched flag."""

    Meta = _meta("user_videos")
    user_id = NumberAttribute(hash_key=True)
    youtube_id = UnicodeAttribute(range_key=True)
    position = NumberAttribute(null=True)
    watched = BooleanAttribute(default=False)
    watched_date = NumberAttribute(null=True)
    history = HistoryIndex()
    # by_watch_state keys (functions.services.archive.progress): the state, and the video's sort key and channel
    watch_state = UnicodeAttribute(null=True)
    published_key = UnicodeAttribute(null=True)
    channel_id = UnicodeAttribute(null=True)
    by_watch_state = VideosByWatchState()


# ---------------------------------------------------------------- bookkeeping


class CountersByBoard(GlobalSecondaryIndex):
    """Sparse: the counters of one board (`channel`: each channel's videos), with their sums, so a ranking of
    every channel is one Query (a page holds some ten thousand of these small entries)."""

    Meta = _index_meta("by_board", IncludeProjection(["count", "size", "duration"]))
    board = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(range_key=True)


class Counter(Model):
    """A total shown by pagination (`videos`, `videos#channel#<id>`, ...), kept exact by transactions; the
    video counters also sum their videos' bytes and seconds (functions.storage.counters.video_totals)."""

    Meta = _meta("counters")
    name = UnicodeAttribute(hash_key=True)
    count = NumberAttribute(default=0)  # type: ignore[assignment]  # the stored name; shadows Model.count
    members = UnicodeSetAttribute(null=True)  # `videos#playlist#<id>`: the ids counted (its archived entries)
    size = NumberAttribute(null=True)  # bytes of media counted
    duration = NumberAttribute(null=True)  # seconds of media counted
    board = UnicodeAttribute(null=True)  # the ranking it is in (by_board), if any
    label = UnicodeAttribute(null=True)  # what it counts is called (a queued channel's name: download aggs)
    by_board = CountersByBoard()

    @property
    def months(self) -> dict[str, int]:
        """Per month of the video order (functions.storage.counters.month_of), how many of its items are in it:
        stored as top-level number attributes `m:<month>`, since a transaction's ADD creates one that is not
        there yet, where a map's key could only be SET inside a map that exists."""
        return self.__dict__.setdefault("_months", {})

    @staticmethod
    def month_count(month: str) -> Path:
        return Path(MONTH_PREFIX + month)

    @classmethod
    def from_raw_data(cls, data: dict[str, Any]) -> "Counter":
        counter = super().from_raw_data(data)
        for attr, value in data.items():
            if attr.startswith(MONTH_PREFIX) and "N" in value:
                counter.months[attr.removeprefix(MONTH_PREFIX)] = int(value["N"])
        return counter

    def serialize(self, null_check: bool = True) -> dict[str, dict[str, Any]]:
        data = super().serialize(null_check=null_check)
        data.update({MONTH_PREFIX + month: {"N": str(n)} for month, n in self.months.items() if n})
        return data


MONTH_PREFIX = "m:"  # Counter.months' attributes


class AppSetting(Model):
    """Stored overrides of settings.DEFAULT_APP_CONFIG (item `app`) and other small documents."""

    Meta = _meta("settings")
    name = UnicodeAttribute(hash_key=True)
    value: MapAttribute[str, Any] = MapAttribute(default=dict)


class QueueByStatus(GlobalSecondaryIndex):
    """With each item's channel: the unfiltered queue list reads its items and their channels in one batch."""

    Meta = _index_meta("by_status", IncludeProjection(["channel_id"]))
    status = UnicodeAttribute(hash_key=True)
    order_key = UnicodeAttribute(range_key=True)


class QueueByChannel(GlobalSecondaryIndex):
    Meta = _index_meta("by_channel_status", KeysOnlyProjection())
    channel_status = UnicodeAttribute(hash_key=True)
    order_key = UnicodeAttribute(range_key=True)


class QueueByType(GlobalSecondaryIndex):
    """With each item's channel, as by_status and by_error_status: a page reads its items and channels in one batch."""

    Meta = _index_meta("by_type_status", IncludeProjection(["channel_id"]))
    type_status = UnicodeAttribute(hash_key=True)
    order_key = UnicodeAttribute(range_key=True)


class QueueByErrorState(GlobalSecondaryIndex):
    Meta = _index_meta("by_error_status", IncludeProjection(["channel_id"]))
    error_status = UnicodeAttribute(hash_key=True)
    order_key = UnicodeAttribute(range_key=True)


class QueueItem(Model):
    """A video waiting in the download queue; ordered auto_start first, then oldest first."""

    Meta = _meta("queue")
    youtube_id = UnicodeAttribute(hash_key=True)
    title = UnicodeAttribute(default="")
    channel_id = UnicodeAttribute(default="")
    channel_name = UnicodeAttribute(default="")
    channel_indexed = BooleanAttribute(default=False)
    duration = UnicodeAttribute(default="")
    published = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="pending")  # pending | ignore
    timestamp = NumberAttribute()
    vid_type = UnicodeAttribute(default="videos")
    auto_start = BooleanAttribute(default=False)
    message = UnicodeAttribute(null=True)
    order_key = UnicodeAttribute()
    channel_status = UnicodeAttribute()
    type_status = UnicodeAttribute(null=True)  # `<vid_type>#<status>` (by_type_status)
    error_status = UnicodeAttribute(null=True)  # `<status>#error` with a message, else `<status>#ok` (v0.5's ?error=)
    # set by functions.services.downloads and the download job
    playlists = _strings(null=True)  # playlists it was queued from
    redownload = BooleanAttribute(null=True)  # True: queued to replace the archived copy (v0.5's `force`)
    attempts = NumberAttribute(default=0)  # failed downloads so far
    lease_owner = UnicodeAttribute(null=True)  # the SQS message whose download holds it
    lease_until = NumberAttribute(null=True)
    progress = NumberAttribute(null=True)  # percent of the running download
    speed = NumberAttribute(null=True)  # bytes per second
    runs_on = UnicodeAttribute(null=True)  # where the download runs: lambda, local, a Fargate task, a subprocess
    by_status = QueueByStatus()
    by_channel_status = QueueByChannel()
    by_type_status = QueueByType()
    by_error_status = QueueByErrorState()


class TaskState(Model):
    """What a background job is doing, so the task API answers truthfully across functions."""

    Meta = _meta("tasks")
    name = UnicodeAttribute(hash_key=True)
    state = UnicodeAttribute(default="idle")
    progress = NumberAttribute(default=0)
    message = UnicodeAttribute(null=True)
    started = NumberAttribute(null=True)
    updated = NumberAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    owner = UnicodeAttribute(null=True)  # the run holding the task (functions.services.tasks): one at a time
    lease_until = NumberAttribute(null=True)  # when a crashed run's hold expires


class TaskRunsByName(GlobalSecondaryIndex):
    Meta = _index_meta("by_name", AllProjection())
    name = UnicodeAttribute(hash_key=True)
    queued = NumberAttribute(range_key=True)


class TaskRunsByBoard(GlobalSecondaryIndex):
    """Sparse: only runs that started carry `board`; a query for `shown_until` > now is what the notification poll
    shows (running, or ended moments ago), without reading the history."""

    Meta = _index_meta("by_board", AllProjection())
    board = UnicodeAttribute(hash_key=True)
    shown_until = NumberAttribute(range_key=True)


class TaskRun(Model):
    """One run of a background job (functions.services.task_runs): written once per state change."""

    Meta = _meta("task_runs")
    task_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    status = UnicodeAttribute()  # PENDING | STARTED | SUCCESS | FAILURE | REVOKED, as Celery names them
    queued = NumberAttribute()  # when it was asked for (ms): the order of by_name
    started = NumberAttribute(null=True)
    finished = NumberAttribute(null=True)
    messages = _strings(null=True)  # the latest progress lines
    progress = NumberAttribute(null=True)
    result = UnicodeAttribute(null=True)
    error = UnicodeAttribute(null=True)  # why it failed: the traceback's last line
    command = UnicodeAttribute(null=True)  # STOP | KILL, asked for through /api/task/by-id/
    notify_errors = _strings(null=True)  # notifications that could not be sent
    board = UnicodeAttribute(null=True)
    shown_until = NumberAttribute(null=True)
    expires = TTLAttribute(null=True)  # DynamoDB tidies old runs away
    by_name = TaskRunsByName()
    by_board = TaskRunsByBoard()


class RefreshItem(Model):
    """A video, channel or playlist waiting for the refresh function to read its metadata again."""

    Meta = _meta("refresh")
    kind = UnicodeAttribute(hash_key=True)  # video | channel | playlist
    item_id = UnicodeAttribute(range_key=True)
    queued = NumberAttribute()
    extract_videos = BooleanAttribute(default=False)


class SnapshotsByStart(GlobalSecondaryIndex):
    Meta = _index_meta("by_start", KeysOnlyProjection())
    all_snapshots = UnicodeAttribute(hash_key=True)
    start_stamp = NumberAttribute(range_key=True)


class Snapshot(Model):
    Meta = _meta("snapshots")
    snapshot_id = UnicodeAttribute(hash_key=True)
    state = UnicodeAttribute(default="IN_PROGRESS")
    es_version = UnicodeAttribute(default="1")
    start_stamp = NumberAttribute()
    end_stamp = NumberAttribute(null=True)
    # set by functions.services.snapshots when the export is complete: restore checks the manifest against it
    manifest_sha256 = UnicodeAttribute(null=True)
    size_bytes = NumberAttribute(null=True)
    message = UnicodeAttribute(null=True)  # why it failed
    all_snapshots = UnicodeAttribute(default=ALL_SNAPSHOTS)
    by_start = SnapshotsByStart()


# ---------------------------------------------------------------- Invidious


class SessionsByUser(GlobalSecondaryIndex):
    Meta = _index_meta("by_user", KeysOnlyProjection())
    user_id = NumberAttribute(hash_key=True)
    issued = NumberAttribute(range_key=True)


class InvidiousSession(Model):
    """An Invidious session: behind a signed token (`token`, keyed by the token's `session`) or a web login's
    SID cookie (`web`, keyed by a digest of the SID: the table never holds a usable cookie)."""

    Meta = _meta("iv_sessions")
    session = UnicodeAttribute(hash_key=True)
    user_id = NumberAttribute()
    username = UnicodeAttribute()
    issued = NumberAttribute()
    kind = UnicodeAttribute(default="token")  # token | web
    expires = TTLAttribute(null=True)  # a web login's end, a token's `expire`; read as the end, TTL only tidies
    seen = UnicodeAttribute(null=True)  # the day it last authenticated a request (services.auth.activity)
    by_user = SessionsByUser()


class SubscribersByChannel(GlobalSecondaryIndex):
    Meta = _index_meta("by_channel", KeysOnlyProjection())
    channel_id = UnicodeAttribute(hash_key=True)
    user_id = NumberAttribute(range_key=True)


class Subscription(Model):
    """A user's own subscription to a channel (Invidious); the archive-wide one is Channel.channel_subscribed."""

    Meta = _meta("subscriptions")
    user_id = NumberAttribute(hash_key=True)
    channel_id = UnicodeAttribute(range_key=True)
    created = NumberAttribute()
    by_channel = SubscribersByChannel()


class FeedItem(Model):
    """A video in one user's subscription feed, written when it is archived, so a feed page is one Query."""

    Meta = _meta("feed")
    user_id = NumberAttribute(hash_key=True)
    published_key = UnicodeAttribute(range_key=True)
    youtube_id = UnicodeAttribute()
    channel_id = UnicodeAttribute()
    notify = BooleanAttribute(default=False)  # archived after the user subscribed and not watched yet
    watched = BooleanAttribute(null=True)  # the user watched it (the `unseen_only` preference hides it)
    # what the feed shows, copied from the video and its channel when the item is written
    title = UnicodeAttribute(null=True)
    author = UnicodeAttribute(null=True)
    length_seconds = NumberAttribute(null=True)
    view_count = NumberAttribute(null=True)


class InvidiousPlaylistsByOwner(GlobalSecondaryIndex):
    Meta = _index_meta("by_owner", KeysOnlyProjection())
    owner_id = NumberAttribute(hash_key=True)
    created = NumberAttribute(range_key=True)


class InvidiousPlaylist(Model):
    Meta = _meta("iv_playlists")
    playlist_id = UnicodeAttribute(hash_key=True)  # IVPL + 31 urlsafe characters
    owner_id = NumberAttribute()
    author = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    privacy = UnicodeAttribute(default="private")  # public | unlisted | private
    created = NumberAttribute()
    updated = NumberAttribute()
    video_count = NumberAttribute(default=0)
    next_position = NumberAttribute(default=0)  # the position the next added video takes
    by_owner = InvidiousPlaylistsByOwner()


class InvidiousEntriesByPosition(LocalSecondaryIndex):
    Meta = _index_meta("by_position", AllProjection())
    playlist_id = UnicodeAttribute(hash_key=True)
    position = NumberAttribute(range_key=True)


class InvidiousPlaylistEntry(Model):
    """A video in a user's playlist; `index_id` (upper-case hex) names it, `position` orders it."""

    Meta = _meta("iv_playlist_entries")
    playlist_id = UnicodeAttribute(hash_key=True)
    index_id = UnicodeAttribute(range_key=True)
    position = NumberAttribute()
    youtube_id = UnicodeAttribute()
    title = UnicodeAttribute(default="")
    author = UnicodeAttribute(default="")
    author_id = UnicodeAttribute(default="")
    length_seconds = NumberAttribute(default=0)
    by_position = InvidiousEntriesByPosition()


# ---------------------------------------------------------------- search index (functions.services.search.dynamo)


class SearchTerm(Model):
    """One entry of the inverted index: a term (`vt:music`) or a prefix (`vt>mus`) of one field group, with the
    best postings of the documents holding it (at most functions.services.search.dynamo.HEAD_SIZE; `df` counts them
    all)."""

    Meta = _meta("search_terms")
    key = UnicodeAttribute(hash_key=True)
    postings = UnicodeAttribute(default="")  # "doc score doc score ...", best first
    df = NumberAttribute(default=0)
    version = NumberAttribute(default=0)  # optimistic lock of concurrent writers


class SearchWords(Model):
    """The indexed terms of one length and first letter (`7:m`): what fuzzy matching compares a word with."""

    Meta = _meta("search_words")
    bucket = UnicodeAttribute(hash_key=True)
    words = UnicodeSetAttribute(null=True)


class SubtitleChunk(Model):
    """Consecutive fragments of one subtitle track (`<youtube_id>.<lang>`), the lines `full:` search shows."""

    Meta = _meta("subtitle_chunks")
    track = UnicodeAttribute(hash_key=True)
    chunk = NumberAttribute(range_key=True)
    fragments = UnicodeAttribute()  # JSON [[index, start, end, line], ...]


ALL_MODELS = (
    User,
    AuthKey,
    LoginThrottle,
    Video,
    Channel,
    Playlist,
    PlaylistEntry,
    UserVideo,
    Counter,
    AppSetting,
    QueueItem,
    TaskState,
    TaskRun,
    RefreshItem,
    Snapshot,
    InvidiousSession,
    Subscription,
    FeedItem,
    InvidiousPlaylist,
    InvidiousPlaylistEntry,
    SearchTerm,
    SearchWords,
    SubtitleChunk,
)
