"""One record of an import document converted (msgspec) into its record Struct (functions.schemas.ta_import),
then into its model: `Invalid` names the first problem of the record and its field."""

from datetime import date

import msgspec

from functions.core.ids import is_channel_id
from functions.schemas import reason
from functions.schemas.ta_import import ChannelRecord, PlaylistRecord, VideoRecord
from functions.storage.models import Channel, Playlist, Video

MEDIA_EXTS = ("mp4", "webm", "mkv", "m4a")


class Invalid(Exception):
    """One problem with one record; collected, then raised together as BadRequest."""


def _convert(row, kind: type):
    """`row` as a `kind`; Invalid naming the field ("title: expected str, got int")."""
    try:
        return msgspec.convert(row, kind)
    except msgspec.ValidationError as error:
        why = reason(error, "")
        raise Invalid(why.removeprefix("$: ")) from None


def _day(value: date | bool | None, name: str) -> str | None:
    """An optional date; null or false (TubeArchivist's "never") is none."""
    if value is True:
        raise Invalid(f"{name}: expected a date YYYY-MM-DD or false, got true")
    return value.isoformat() if isinstance(value, date) else None


def _or(value, default):
    return default if value is None else value


def _number(value: float | None) -> int | float | None:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def parse_channel(row) -> Channel:
    record: ChannelRecord = _convert(row, ChannelRecord)
    return Channel(
        record.channel_id,
        channel_name=record.channel_name,
        channel_description=_or(record.channel_description, ""),
        channel_subscribed=_or(record.channel_subscribed, False),
        channel_active=_or(record.channel_active, True),
        channel_last_refresh=_day(record.channel_last_refresh, "channel_last_refresh"),
        channel_subs=_or(record.channel_subs, 0),
        channel_views=_or(record.channel_views, 0),
        channel_overwrites=record.channel_overwrites or None,
        channel_art=record.channel_art,
    )


def parse_playlist(row) -> tuple[Playlist, list[dict]]:
    """The playlist and its entries, in order, first occurrence of a video kept."""
    record: PlaylistRecord = _convert(row, PlaylistRecord)
    listed: dict[str, dict] = {}
    for entry in record.playlist_entries or []:
        listed.setdefault(
            entry.youtube_id,
            {"youtube_id": entry.youtube_id, "title": _or(entry.title, ""), "uploader": _or(entry.uploader, "")},
        )
    playlist = Playlist(
        record.playlist_id,
        playlist_name=record.playlist_name,
        playlist_channel=_or(record.playlist_channel, ""),
        playlist_channel_id=_or(record.playlist_channel_id, ""),
        playlist_description=_or(record.playlist_description, ""),
        playlist_subscribed=_or(record.playlist_subscribed, False),
        playlist_active=_or(record.playlist_active, True),
        playlist_last_refresh=_day(record.playlist_last_refresh, "playlist_last_refresh"),
        playlist_type=_or(record.playlist_type, "regular"),
        playlist_thumb=record.playlist_thumb,
    )
    return playlist, list(listed.values())


def _media_ext(record: VideoRecord) -> str:
    if record.media_ext is not None:
        return record.media_ext
    url = record.media_url
    if url and "." in url.rsplit("/", 1)[-1]:
        ext = url.rsplit(".", 1)[-1].lower()
        if ext in MEDIA_EXTS:
            return ext
    return MEDIA_EXTS[0]


def _channel_of(record: VideoRecord) -> tuple[str, Channel | None]:
    """The video's channel id, and the channel of its nested `channel` object when that is a full channel."""
    nested = record.channel or {}
    nested_id = nested.get("channel_id")
    channel_id = record.channel_id if record.channel_id is not None else nested_id
    if record.channel_id is not None and nested_id is not None and nested_id != record.channel_id:
        raise Invalid(f"channel_id {record.channel_id!r} and channel.channel_id {nested_id!r} differ")
    if channel_id is None:
        raise Invalid("channel_id (or channel.channel_id) is required")
    if not is_channel_id(channel_id):
        raise Invalid(f"channel.channel_id {channel_id!r} is not a channel id")
    if nested.get("channel_name") is None:
        return channel_id, None
    try:
        return channel_id, parse_channel(nested)
    except Invalid as error:
        raise Invalid(f"channel.{error}") from None


def parse_video(row) -> tuple[Video, Channel | None]:
    """The video, and the channel of its nested `channel` object when that is a full channel."""
    record: VideoRecord = _convert(row, VideoRecord)
    channel_id, nested_channel = _channel_of(record)
    player = record.player
    stats = record.stats

    def stat(name: str):
        value = getattr(record, name)
        return value if value is not None or stats is None else getattr(stats, name)

    duration = record.duration if record.duration is not None or player is None else player.duration
    video = Video(
        record.youtube_id,
        title=record.title,
        description=_or(record.description, ""),
        published=record.published.isoformat(),
        vid_last_refresh=_day(record.vid_last_refresh, "vid_last_refresh"),
        date_downloaded=record.date_downloaded,
        vid_type=_or(record.vid_type, "videos"),
        active=_or(record.active, True),
        category=_or(record.category, []),
        tags=_or(record.tags, []),
        channel_id=channel_id,
        duration=_or(_number(duration), 0),
        view_count=_or(stat("view_count"), 0),
        like_count=_or(stat("like_count"), 0),
        dislike_count=_or(stat("dislike_count"), 0),
        average_rating=_number(stat("average_rating")),
        playlist=list(dict.fromkeys(record.playlist or [])),
        media_ext=_media_ext(record),
        media_size=_or(record.media_size, 0),
        subtitles=[
            {"ext": _or(s.ext, "vtt"), "lang": s.lang, "name": _or(s.name, s.lang), "source": _or(s.source, "user")}
            for s in record.subtitles or []
        ],
        comment_count=record.comment_count,
        sponsorblock=record.sponsorblock,
        media_width=record.media_width,
        media_height=record.media_height,
        media_codecs=record.media_codecs,
        streams=record.streams,
        dash=_or(record.dash, []),
        media_missing=record.media_missing,
        media_revision=record.media_revision,
    )
    return video, nested_channel
