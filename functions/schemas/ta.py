"""The TubeArchivist API's request bodies and query strings (`/api/...`)."""

from typing import Annotated, Literal

from msgspec import UNSET, Meta, Struct, UnsetType

from functions.core.errors import DomainError, InvalidCredentials

Text = Annotated[str, Meta(min_length=1)]


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


class Overwrites(Struct, forbid_unknown_fields=True):
    """A channel's overwrites of the download settings; null (or false, but for integrate_sponsorblock) removes
    one, so the app setting applies again; absent ones stay."""

    download_format: Annotated[str, Meta(pattern=r"\S", max_length=500)] | Literal[False] | UnsetType | None = UNSET
    autodelete_days: Annotated[int, Meta(ge=1, le=36_500)] | Literal[False] | UnsetType | None = UNSET
    integrate_sponsorblock: bool | UnsetType | None = UNSET


class ChannelOverwritesUpdate(Struct, forbid_unknown_fields=True):
    channel_overwrites: Overwrites


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
