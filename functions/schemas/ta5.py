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


class DownloadBulkQuery(Struct):
    filter: Literal["pending", "ignore"]
    channel: str | None = None


class PlaylistChange(Struct, forbid_unknown_fields=True):
    """`POST /api/playlist/<id>/`: subscribe to an archived YouTube playlist or end the subscription, and/or
    list its entries in YouTube's order (`top`) or reversed (`bottom`)."""

    playlist_subscribed: bool | None = None
    playlist_sort_order: Literal["top", "bottom"] | None = None


class PlaylistSubscribe(Struct, forbid_unknown_fields=True):
    playlist_id: Text
    playlist_subscribed: Literal[True]


class PlaylistSubscriptions(Struct, forbid_unknown_fields=True):
    """`POST /api/playlist/`: archived YouTube playlists to subscribe to (ids or URLs)."""

    data: list[PlaylistSubscribe]


class DownloadAggsQuery(Struct):
    """`GET /api/download/aggs/?filter=`: the status whose channels are counted (required, as in v0.5)."""

    filter: Literal["pending", "ignore"]
