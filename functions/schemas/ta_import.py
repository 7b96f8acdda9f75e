"""The records of an import document (functions.services.importer): the TubeArchivist objects as the API renders
them (functions.schemas.ta_objects), read back. What the archive derives (URLs, the player's state) is not read;
every field but the ids, names and dates a record needs may be absent or null (its default then); a video's
numbers may sit under `player` and `stats` as rendered, and its channel be a nested object."""

from datetime import date
from typing import Annotated, Any, Literal

from msgspec import Meta, Struct

from functions.core import ids

VideoId = Annotated[str, Meta(pattern=f"^{ids.VIDEO}$")]
ChannelId = Annotated[str, Meta(pattern=f"^{ids.CHANNEL}$")]
ChannelIdOrBlank = Annotated[str, Meta(pattern=f"^(?:{ids.CHANNEL})?$")]  # msgspec takes one str type per union
PlaylistId = Annotated[str, Meta(pattern=f"^{ids.PLAYLIST}$")]
Name = Annotated[str, Meta(pattern=r"\S")]  # not blank
Whole = Annotated[int, Meta(ge=0)]
Amount = Annotated[float, Meta(ge=0)]
Lang = Annotated[str, Meta(pattern=r"^[A-Za-z0-9_-]{1,20}$")]  # becomes part of an S3 key (s3.subtitle_key)
MediaExt = Literal["mp4", "webm", "mkv", "m4a"]


class ChannelRecord(Struct):
    channel_id: ChannelId
    channel_name: Name
    channel_description: str | None = None
    channel_subscribed: bool | None = None
    channel_active: bool | None = None
    channel_last_refresh: date | bool | None = None
    channel_subs: Whole | None = None
    channel_views: Whole | None = None
    channel_overwrites: dict[str, Any] | None = None
    channel_art: list[Literal["thumb", "banner", "tvart"]] | None = None  # the art stored; null: not known


class EntryRecord(Struct):
    youtube_id: VideoId
    title: str | None = None
    uploader: str | None = None


class PlaylistRecord(Struct):
    playlist_id: PlaylistId
    playlist_name: Name
    playlist_channel: str | None = None
    playlist_channel_id: ChannelIdOrBlank | None = None
    playlist_description: str | None = None
    playlist_subscribed: bool | None = None
    playlist_active: bool | None = None
    playlist_last_refresh: date | bool | None = None
    playlist_type: Literal["regular", "custom"] | None = None
    playlist_thumb: bool | None = None  # its thumbnail is stored (s3.playlist_thumb_key)
    playlist_entries: list[EntryRecord] | None = None  # in playlist order


class SubtitleRecord(Struct):
    lang: Lang
    ext: str | None = None
    name: str | None = None
    source: str | None = None
    vtt: str | None = None  # the track's WebVTT text: stored as the subtitle file and indexed


class PlayerRecord(Struct):
    duration: Amount | None = None


class StatsRecord(Struct):
    view_count: Whole | None = None
    like_count: Whole | None = None
    dislike_count: Whole | None = None
    average_rating: Amount | None = None


class VideoRecord(Struct):
    youtube_id: VideoId
    title: Name
    published: date
    date_downloaded: Whole  # epoch seconds
    channel_id: ChannelId | None = None  # or the nested channel's
    channel: dict[str, Any] | None = None  # a ChannelRecord when it has a channel_name
    description: str | None = None
    vid_type: Literal["videos", "streams", "shorts"] | None = None
    vid_last_refresh: date | bool | None = None
    active: bool | None = None
    category: list[str] | None = None
    tags: list[str] | None = None
    duration: Amount | None = None
    player: PlayerRecord | None = None
    view_count: Whole | None = None
    like_count: Whole | None = None
    dislike_count: Whole | None = None
    average_rating: Amount | None = None
    stats: StatsRecord | None = None
    playlist: list[PlaylistId] | None = None
    media_size: Whole | None = None
    media_ext: MediaExt | None = None
    media_url: str | None = None  # its extension stands for media_ext
    subtitles: list[SubtitleRecord] | None = None
    comment_count: Whole | None = None
    sponsorblock: dict[str, Any] | None = None
    # what the archive read from the stored file (a backup holds them; the API does not render them)
    media_width: Whole | None = None
    media_height: Whole | None = None
    media_codecs: str | None = None
    streams: list[dict[str, Any]] | None = None
    dash: list[dict[str, Any]] | None = None
    media_missing: bool | None = None  # its media object was gone at the last filesystem rescan
    media_revision: Whole | None = None  # its re-downloads: part of its files' keys
