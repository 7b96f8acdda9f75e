"""The TubeArchivist API's response objects (API.md, Objects) as msgspec Structs: the services build them, the
router encodes them, the importer reads its records into the same fields.

A field whose default is `UNSET` is left out of the JSON until it is set (a video's `comment_count` before its
comments were read); `None` is a JSON null. `str | bool` dates and URLs are TubeArchivist's `false` for "never"
and "none".
"""

from typing import Any, Generic, TypeVar

from msgspec import UNSET, Struct, UnsetType, field

Data = TypeVar("Data")


class Envelope(Struct, Generic[Data]):
    """`{"data", "config"}`, and `paginate` on a list's page. `config` is the app's public settings, as
    functions.services.app_settings keeps them; `paginate` is functions.core.pagination's (below this layer)."""

    data: Data
    config: dict[str, Any]
    paginate: dict[str, Any] | UnsetType = UNSET


class Channel(Struct):
    channel_id: str
    channel_name: str
    channel_description: str
    channel_subscribed: bool
    channel_active: bool
    channel_last_refresh: str | bool  # YYYY-MM-DD, or false: never
    channel_subs: int
    channel_views: int
    channel_thumb_url: str | bool  # false: the channel has no such art
    channel_banner_url: str | bool
    channel_tvart_url: str | bool
    channel_overwrites: dict[str, Any]


class Player(Struct):
    """The viewer's state of a video."""

    watched: bool
    duration: int
    duration_str: str
    watched_date: int | UnsetType = UNSET
    position: float | UnsetType = UNSET  # seconds: where the viewer stopped (the web app's "continue watching")


class Stats(Struct):
    view_count: int
    like_count: int
    dislike_count: int
    average_rating: float | None


class Stream(Struct):
    """A stream of the media file as ffmpeg reads it (functions.youtube.media.parse_streams); audio has no size."""

    type: str
    index: int
    codec: str
    bitrate: int
    width: int | UnsetType = UNSET
    height: int | UnsetType = UNSET


class Subtitle(Struct):
    ext: str
    lang: str
    name: str
    source: str
    media_url: str


class Video(Struct):
    youtube_id: str
    title: str
    description: str
    published: str  # YYYY-MM-DD
    vid_last_refresh: str
    date_downloaded: int
    vid_type: str
    vid_thumb_url: str
    media_url: str
    active: bool
    category: list[str]
    tags: list[str]
    channel: Channel
    player: Player
    stats: Stats
    playlist: list[str]
    subtitles: list[Subtitle]
    media_size: int
    streams: list[Stream]
    comment_count: int | UnsetType = UNSET
    sponsorblock: dict[str, Any] | UnsetType = UNSET


class PlaylistEntry(Struct):
    youtube_id: str
    title: str
    uploader: str
    idx: int
    downloaded: bool


class Playlist(Struct):
    playlist_id: str
    playlist_name: str
    playlist_channel: str
    playlist_channel_id: str
    playlist_description: str
    playlist_subscribed: bool
    playlist_active: bool
    playlist_last_refresh: str | bool
    playlist_thumbnail: str | bool  # false: the playlist has no art stored
    playlist_type: str
    playlist_entries: list[PlaylistEntry]
    playlist_sort_order: str | UnsetType = UNSET  # v0.5's only: "top" or "bottom"


class DownloadItem(Struct):
    """A queued video; `progress`, `speed` and `runs_on` only while it downloads, `message` after a failure."""

    youtube_id: str
    title: str
    channel_id: str
    channel_name: str
    channel_indexed: bool
    duration: str
    published: str | bool
    status: str
    timestamp: int
    vid_thumb_url: str | UnsetType  # left out in v0.5 until yt-dlp described the item (no thumbnail is stored)
    vid_type: str
    auto_start: bool
    message: str | UnsetType = UNSET
    progress: float | UnsetType = UNSET
    speed: float | UnsetType | None = UNSET
    runs_on: str | UnsetType = UNSET


# Search hits: the object and where it was found, as TubeArchivist's search answers them.
class VideoHit(Video, kw_only=True):
    index: str = field(name="_index")
    score: float = field(name="_score")


class ChannelHit(Channel, kw_only=True):
    index: str = field(name="_index")
    score: float = field(name="_score")


class PlaylistHit(Playlist, kw_only=True):
    index: str = field(name="_index")
    score: float = field(name="_score")


class SubtitleHit(Struct):
    """One fragment of a subtitle track that matched a `full:` search."""

    youtube_id: str
    title: str
    subtitle_fragment_id: str
    subtitle_index: int
    subtitle_lang: str
    subtitle_source: str | None
    subtitle_start: str
    subtitle_end: str
    subtitle_line: str
    subtitle_channel: str
    subtitle_channel_id: str
    vid_thumb_url: str
    index: str = field(name="_index")
    score: float = field(name="_score")


class SearchHits(Struct):
    video_results: list[VideoHit]
    channel_results: list[ChannelHit]
    playlist_results: list[PlaylistHit]
    fulltext_results: list[SubtitleHit]


class SearchResults(Struct):
    results: SearchHits
    queryType: str


class Snapshot(Struct):
    """A snapshot; the end fields once it has ended."""

    id: str
    state: str
    es_version: str  # the data format version
    start_date: str
    end_date: str | UnsetType = UNSET
    end_stamp: int | UnsetType = UNSET
    duration_s: int | UnsetType = UNSET


class SnapshotList(Struct):
    next_exec: int | None
    next_exec_str: str | None
    expire_after: str
    snapshots: list[Snapshot]


class SnapshotCreated(Struct):
    snapshot_name: str


class Downloader(Struct):
    """What the downloads last ran with."""

    yt_dlp: str | None
    deno: str | None
    ejs: str | None
    recorded: int | None


class YtDlpUpdate(Struct):
    """A yt-dlp release newer than the downloads run (functions.services.version_check)."""

    version: str
    installed: str  # what the archive ran when the check found it
    checked: int  # when (Unix seconds)


class Ping(Struct):
    response: str
    user: int
    version: str  # the TubeArchivist API version
    ytarchive_version: str
    downloader: Downloader | None  # None before the first download
    ytdlp_update: YtDlpUpdate | None  # None: the last version check found nothing newer (or none ran)


class TaskState(Struct):
    rescan: bool
    downloading: bool


class TaskStarted(Struct):
    success: bool
    task: str
