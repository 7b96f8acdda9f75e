"""TubeArchivist v0.5's request bodies and query strings (the routes of functions.http.ta5)."""

from typing import Annotated, Literal

from msgspec import UNSET, Meta, Struct, UnsetType

Text = Annotated[str, Meta(min_length=1)]


class WebLogin(Struct):
    """`POST /api/user/login/`: `remember_me: "on"` keeps the session a year, else two days."""

    username: Text
    password: Text
    remember_me: Literal["on", "off"] = "off"


SORT_BY = Literal["published", "downloaded", "views", "likes", "duration", "mediasize", "width", "height"]


class UserConfig(Struct, forbid_unknown_fields=True):
    """`POST /api/user/me/`: the fields of a user's web UI settings to change (the others stay)."""

    stylesheet: Literal["dark.css", "light.css", "matrix.css", "midnight.css", "custom.css"] | UnsetType = UNSET
    page_size: Annotated[int, Meta(ge=1, le=100)] | UnsetType = UNSET
    sort_by: SORT_BY | UnsetType = UNSET
    sort_order: Literal["asc", "desc"] | UnsetType = UNSET
    view_style_home: Literal["grid", "list", "table"] | UnsetType = UNSET
    view_style_channel: Literal["grid", "list"] | UnsetType = UNSET
    view_style_downloads: Literal["grid", "list"] | UnsetType = UNSET
    view_style_playlist: Literal["grid", "list"] | UnsetType = UNSET
    vid_type_filter: Literal["videos", "streams", "shorts"] | UnsetType | None = UNSET
    grid_items: Annotated[int, Meta(ge=3, le=7)] | UnsetType = UNSET
    hide_watched: bool | UnsetType | None = UNSET
    hide_watched_channel: bool | UnsetType | None = UNSET
    hide_watched_playlist: bool | UnsetType | None = UNSET
    file_size_unit: Literal["binary", "metric"] | UnsetType = UNSET
    show_ignored_only: bool | UnsetType = UNSET
    show_subed_only: bool | UnsetType | None = UNSET
    show_subed_only_playlists: bool | UnsetType | None = UNSET
    show_help_text: bool | UnsetType = UNSET


class TokenQuery(Struct):
    """`DELETE /api/appsettings/token/?dialect=`: the dialect of the new token (the old one's when left out)."""

    dialect: Literal["v0.4", "v0.5"] | None = None


class ScheduleChange(Struct):
    """`POST /api/task/schedule/<name>/`: a crontab ("0 8 *", five fields, "auto"; "0" turns it off) and or the
    task's config (run_backup's `rotate`: how many automatic backups are kept, 0 all; check_reindex's `days`: how
    old metadata is refreshed; the others take none)."""

    schedule: Annotated[str, Meta(max_length=200)] | UnsetType = UNSET
    config: dict | UnsetType = UNSET


class ScheduleRow(Struct):
    """A schedule that is on, as TubeArchivist v0.5's CustomPeriodicTaskSerializer shows it."""

    name: str
    schedule: str
    schedule_human: str
    last_run_at: str | None  # ISO 8601, UTC
    config: dict


class CustomPlaylistNew(Struct):
    """`POST /api/playlist/custom/`: a new custom playlist's name."""

    playlist_name: Text


class CustomPlaylistChange(Struct):
    """`POST /api/playlist/custom/<id>/`: add (`create`), remove or move one archived video."""

    action: Literal["create", "remove", "up", "down", "top", "bottom"]
    video_id: Annotated[str, Meta(pattern=r"^[A-Za-z0-9_-]{11}$")]


class PlaylistDeleteQuery(Struct):
    """`DELETE /api/playlist/<id>/?delete_videos=true`: its archived videos go too."""

    delete_videos: bool = False


class DownloadBulkChange(Struct):
    """`PATCH /api/download/`: the new status of every item the query's filter names."""

    status: Literal["pending", "ignore", "priority", "clear_error"]


class DownloadAddQuery(Struct):
    """`POST /api/download/` in v0.5: `force` queues archived videos too, each to replace its archived copy (the
    web frontend's "Redownload"); v0.4.13 has no `force` (functions.schemas.ta.DownloadQuery)."""

    autostart: bool = False
    force: bool = False


class DownloadBulkQuery(Struct):
    filter: Literal["pending", "ignore"]
    channel: str | None = None


class PlaylistChange(Struct, forbid_unknown_fields=True):
    """`POST /api/playlist/<id>/`: subscribe to an archived YouTube playlist or end the subscription, and/or read
    its entries from the `top` (YouTube's order) or the `bottom` (reversed)."""

    playlist_subscribed: bool | UnsetType = UNSET
    playlist_sort_order: Literal["top", "bottom"] | UnsetType = UNSET


class PlaylistSubscribe(Struct, forbid_unknown_fields=True):
    playlist_id: Text
    playlist_subscribed: Literal[True]


class PlaylistSubscriptions(Struct, forbid_unknown_fields=True):
    """`POST /api/playlist/`: archived YouTube playlists to subscribe to (ids or URLs)."""

    data: list[PlaylistSubscribe]


class DownloadAggsQuery(Struct):
    """`GET /api/download/aggs/?filter=`: the status whose channels are counted (required, as in v0.5)."""

    filter: Literal["pending", "ignore"]


class ManualImportRequest(Struct, forbid_unknown_fields=True):
    """`POST /api/appsettings/manual-import/`: v0.5's options, `ignore_error` (import what can be read and list
    the rest; without it, one media file that cannot be imported stops the task before any write) and
    `prefer_local` (metadata from the files themselves: always so here, since the import never asks YouTube);
    and `dry_run`: report what would be imported, change nothing."""

    ignore_error: bool = False
    prefer_local: bool = False
    dry_run: bool = False


class RescanFilesystemRequest(Struct, forbid_unknown_fields=True):
    """`POST /api/appsettings/rescan-filesystem/`: v0.5's options (`ignore_error`: a video whose files cannot be
    put right is listed and the rest goes on; `prefer_local` as for the manual import) and this archive's:
    `delete_missing` removes the videos whose media object is gone, as TubeArchivist does (else they are marked),
    `delete_orphans` deletes media objects no video names (else they are listed), `dry_run` changes nothing."""

    ignore_error: bool = False
    prefer_local: bool = False
    dry_run: bool = False
    delete_missing: bool = False
    delete_orphans: bool = False


class BackupFile(Struct):
    """v0.5's backup file: the object's name, API path, size in bytes, time (YYYYMMDDHHMMSS, UTC) and reason."""

    filename: str
    file_path: str
    file_size: int
    timestamp: str
    reason: str


class AsyncTask(Struct, omit_defaults=True):
    """v0.5's answer to a task started (AsyncTaskResponseSerializer)."""

    task_id: str
    message: str | UnsetType = UNSET
    status: str | UnsetType = UNSET
    filename: str | UnsetType = UNSET


class MembershipToken(Struct):
    """`/api/appsettings/membership/token/`: the members platform's API key (TokenResponseSerializer); null
    when none is stored."""

    token: str | None


class MembershipUser(Struct):
    id: int
    username: str


class SponsorTier(Struct):
    tier_id: int
    name: str
    description: str
    max_subs: int


class MembershipProfile(Struct):
    """`GET /api/appsettings/membership/profile/`: the sponsor's profile on the platform."""

    id: int
    user: MembershipUser
    sponsor_tier: SponsorTier
    subscription_count: int
    subscription_is_max: bool
    is_connected: bool
