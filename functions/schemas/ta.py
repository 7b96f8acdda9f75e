"""The TubeArchivist API's request bodies and query strings (`/api/...`)."""

from typing import Annotated, Literal

from msgspec import UNSET, Meta, Struct, UnsetType

from functions.core.errors import DomainError, InvalidCredentials

Text = Annotated[str, Meta(min_length=1)]


# ---------------------------------------------------------------- query strings of the lists and lookups
# Choices a service checks (with the message its API answers) are plain strings here; the document lists them.

PageNumber = Annotated[int, Meta(ge=0, description="the page (1 is the first; 0 too)")]


class ListQuery(Struct):
    """`?page=` of a list: functions.core.pagination reads it."""

    page: PageNumber | None = None


class ChannelListQuery(ListQuery):
    filter: Annotated[str, Meta(description="subscribed or unsubscribed")] | None = None


class QueueClearQuery(Struct):
    filter: Annotated[str, Meta(description="pending or ignore: every item of it goes (required)")] | None = None


class PlaylistListQuery(ListQuery):
    """TubeArchivist v0.5's filters of `/api/playlist/` (functions.services.archive.playlist_filters)."""

    channel: Annotated[str, Meta(description="a channel id: its playlists")] | None = None
    subscribed: Annotated[bool, Meta(description="subscribed (true) or not (false)")] | None = None
    type: Annotated[str, Meta(description="regular or custom")] | None = None


class DownloadListQuery(ListQuery):
    filter: Annotated[str, Meta(description="pending or ignore")] | None = None
    channel: Annotated[str, Meta(description="a channel id: its items only")] | None = None
    vid_type: Annotated[str, Meta(description="videos, shorts or streams (not with channel)")] | None = None
    q: (
        Annotated[str, Meta(description="words of the items' titles, channel names or ids (the best 100 matches)")]
        | None
    ) = None
    error: Annotated[bool, Meta(description="true: the items with an error message; false: those without")] | None = (
        None
    )


class VideoListQuery(ListQuery):
    """TubeArchivist v0.5's filters of `/api/video/` (functions.services.archive.video_filters), one at a time
    (but `watch` with `sort` and `order`)."""

    channel: Annotated[str, Meta(description="a channel id")] | None = None
    playlist: Annotated[str, Meta(description="a playlist id (YouTube's or a custom one)")] | None = None
    type: Annotated[str, Meta(description="videos, streams or shorts")] | None = None
    watch: Annotated[str, Meta(description="the caller's own: watched, unwatched or continue")] | None = None
    sort: Literal["published"] = "published"
    order: Literal["desc", "asc"] = "desc"


class RefreshStatusQuery(Struct):
    type: Annotated[str, Meta(description="video, channel or playlist")] | None = None
    id: Annotated[str, Meta(description="an item of that type: is it waiting?")] | None = None


class BiggestChannelsQuery(Struct):
    order: Annotated[str, Meta(description="doc_count, duration or media_size")] = "doc_count"


class SearchQuery(Struct):
    query: Annotated[str, Meta(description="TubeArchivist's search syntax")] | None = None


class Login(Struct):
    username: str
    password: str

    @staticmethod
    def refusal(reason: str) -> DomainError:
        """Any other body fails as a wrong password does: TubeArchivist's login answers its one message."""
        return InvalidCredentials()


class SponsorVote(Struct):
    uuid: Annotated[str, Meta(pattern=r"\S")]  # a segment's UUID
    yourVote: Literal[0, 1, 20]  # down, up, undo


class SponsorSegment(Struct):
    startTime: Annotated[float, Meta(ge=0)]  # seconds
    endTime: float


class SponsorPost(Struct, forbid_unknown_fields=True):
    """A vote or a new segment (one of the two): checked, never sent, as TubeArchivist does."""

    vote: SponsorVote | UnsetType = UNSET
    segment: SponsorSegment | UnsetType = UNSET


Count = Annotated[int, Meta(ge=0, le=5000)]  # videos a rescan lists per channel tab (0: the tab is skipped)


class Overwrites(Struct, forbid_unknown_fields=True):
    """A channel's overwrites of the download settings and of the rescan's sizes of its tabs (v0.5.9's
    `subscriptions_*channel_size`, 0 skipping the tab), and `index_playlists` (the rescan archives the channel's
    playlists too: functions.services.channel_playlists); null (or false, but for integrate_sponsorblock) removes
    one, so the app setting applies again; absent ones stay."""

    download_format: Annotated[str, Meta(pattern=r"\S", max_length=500)] | Literal[False] | UnsetType | None = UNSET
    autodelete_days: Annotated[int, Meta(ge=1, le=36_500)] | Literal[False] | UnsetType | None = UNSET
    index_playlists: bool | UnsetType | None = UNSET
    integrate_sponsorblock: bool | UnsetType | None = UNSET
    subscriptions_channel_size: Count | UnsetType | None = UNSET
    subscriptions_live_channel_size: Count | UnsetType | None = UNSET
    subscriptions_shorts_channel_size: Count | UnsetType | None = UNSET


class ChannelOverwritesUpdate(Struct, forbid_unknown_fields=True):
    """`POST /api/channel/<id>/`: the overwrites (all v0.4 sends) and/or v0.5's subscription."""

    channel_overwrites: Overwrites | UnsetType = UNSET
    channel_subscribed: bool | UnsetType = UNSET


# The app settings (functions.services.app_settings): every key the archive acts on, each typed and bounded; a
# null puts an optional one back to off; what is not here cannot be stored.
Rate = Annotated[int, Meta(ge=1, le=10_000_000)]  # KB/s
Format = Annotated[str, Meta(pattern=r"\S", max_length=500)]
Languages = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*(,\s*[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*)*$"
CommentMax = Annotated[int, Meta(ge=1, le=100_000)] | Annotated[str, Meta(pattern=r"^(all|\d+)(,(all|\d+)){0,3}$")]


class SubscriptionSettings(Struct, forbid_unknown_fields=True):
    channel_size: Count | UnsetType = UNSET
    live_channel_size: Count | UnsetType = UNSET
    shorts_channel_size: Count | UnsetType = UNSET
    auto_start: bool | UnsetType = UNSET


class DownloadSettings(Struct, forbid_unknown_fields=True):
    limit_speed: Rate | UnsetType | None = UNSET
    sleep_interval: Annotated[int, Meta(ge=0, le=3600)] | UnsetType = UNSET  # seconds between downloads
    autodelete_days: Annotated[int, Meta(ge=1, le=36_500)] | UnsetType | None = UNSET
    format: Format | UnsetType | None = UNSET
    format_sort: Format | UnsetType | None = UNSET
    add_metadata: bool | UnsetType = UNSET
    add_thumbnail: bool | UnsetType = UNSET
    subtitle: Annotated[str, Meta(pattern=Languages, max_length=200)] | UnsetType | None = UNSET
    subtitle_source: Literal["user", "auto"] | UnsetType | None = UNSET
    subtitle_index: bool | UnsetType = UNSET
    comment_max: CommentMax | UnsetType | None = UNSET
    comment_sort: Literal["top", "new"] | UnsetType = UNSET
    cookie_import: bool | UnsetType = UNSET
    throttledratelimit: Rate | UnsetType | None = UNSET
    extractor_lang: Annotated[str, Meta(pattern=Languages, max_length=20)] | UnsetType | None = UNSET
    integrate_sponsorblock: bool | UnsetType = UNSET


class ApplicationSettings(Struct, forbid_unknown_fields=True):
    enable_snapshot: bool | UnsetType = UNSET
    disable_static_auth: bool | UnsetType = UNSET  # media links signed for players without a credential
    backup_rotate: Annotated[int, Meta(ge=0, le=100)] | UnsetType = UNSET  # automatic backups kept, 0: all
    reindex_days: Annotated[int, Meta(ge=1, le=3650)] | UnsetType = UNSET  # check_reindex: refreshed this long ago


# A crontab (functions.services.schedules checks it: "0 8 *", five fields, "auto"), or false: never.
Crontab = Annotated[str, Meta(min_length=1, max_length=200)] | Literal[False] | UnsetType


class SchedulerSettings(Struct, forbid_unknown_fields=True):
    update_subscribed: Crontab = UNSET  # the rescan of the subscriptions
    run_snapshot: Crontab = UNSET
    autodelete: Crontab = UNSET
    run_backup: Crontab = UNSET  # a backup (functions.services.backups), then the rotation
    download_pending: Crontab = UNSET  # the queue's pending videos sent to download
    check_reindex: Crontab = UNSET  # the refresh of what is due (functions.services.reindex)
    thumbnail_check: Crontab = UNSET  # missing art fetched again, orphans deleted (functions.services.thumbnails)
    version_check: Crontab = UNSET  # the latest yt-dlp release looked for (functions.services.version_check)


class SettingsUpdate(Struct, forbid_unknown_fields=True):
    """The settings to change, by section; the others stay."""

    subscriptions: SubscriptionSettings | UnsetType = UNSET
    downloads: DownloadSettings | UnsetType = UNSET
    application: ApplicationSettings | UnsetType = UNSET
    scheduler: SchedulerSettings | UnsetType = UNSET


class ProxySet(Struct):
    """The proxy URL every yt-dlp request goes through (http, https or socks, credentials allowed)."""

    proxy: str


class DownloadRow(Struct):
    """One thing to queue: a video, channel or playlist, by id or URL; rows not `pending` are left out."""

    youtube_id: str
    status: str = "pending"


class DownloadRequest(Struct):
    data: list[DownloadRow]


class DownloadQuery(Struct):
    autostart: bool = False


class DownloadStatus(Struct):
    status: str


class ChannelRow(Struct):
    """A channel by id, URL or @handle, and whether to subscribe to it."""

    channel_id: str
    channel_subscribed: bool


class ChannelSubscriptions(Struct):
    data: list[ChannelRow]


class ChannelSearchQuery(Struct):
    q: Text


class TaskRun(Struct):
    run: Literal["download_pending", "rescan_pending"]


class CookieImport(Struct):
    """The text of a Netscape cookies.txt file."""

    cookie: str


class ProgressUpdate(Struct):
    position: int | float  # seconds; the range is the progress service's rule


class Watched(Struct):
    """A video, channel or playlist id, watched or not."""

    id: str
    is_watched: bool


Ids = str | list[str]


class RefreshRequest(Struct, forbid_unknown_fields=True):
    """What to refresh: ids by kind, a list or one id each, under the plural or the singular key."""

    videos: Ids = []
    video: Ids = []
    channels: Ids = []
    channel: Ids = []
    playlists: Ids = []
    playlist: Ids = []

    def ids(self, key: str) -> list[str]:
        value = getattr(self, key)
        return [value] if isinstance(value, str) else value


class RefreshQuery(Struct):
    extract_videos: bool = False
