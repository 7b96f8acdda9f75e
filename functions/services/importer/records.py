"""One record of an import document checked and turned into its model (the field list is in the package's
docstring): `Invalid` names the first problem of the record."""

import math
import re
from datetime import date

from functions.core.ids import is_channel_id, is_playlist_id, is_video_id
from functions.storage.models import Channel, Playlist, Video

VID_TYPES = ("videos", "streams", "shorts")
PLAYLIST_TYPES = ("regular", "custom")
MEDIA_EXTS = ("mp4", "webm", "mkv", "m4a")
SUBTITLE_LANG = re.compile(r"^[A-Za-z0-9_-]{1,20}$")  # becomes part of an S3 key (s3.subtitle_key)
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Invalid(Exception):
    """One problem with one record; collected, then raised together as BadRequest."""


def _text(value, name: str, default: str = "", required: bool = False) -> str:
    if value is None:
        if required:
            raise Invalid(f"{name} is required")
        return default
    if not isinstance(value, str):
        raise Invalid(f"{name} must be a string")
    if required and not value.strip():
        raise Invalid(f"{name} must not be empty")
    return value


def _whole(value, name: str, default: int | None = 0, required: bool = False) -> int | None:
    if value is None:
        if required:
            raise Invalid(f"{name} is required")
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(f"{name} must be a whole number, 0 or more")
    if isinstance(value, float) and not value.is_integer():
        raise Invalid(f"{name} must be a whole number, 0 or more")
    if value < 0:
        raise Invalid(f"{name} must be a whole number, 0 or more")
    return int(value)


def _number(value, name: str, default: float | None = 0) -> int | float | None:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise Invalid(f"{name} must be a number, 0 or more")
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _flag(value, name: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise Invalid(f"{name} must be true or false")
    return value


def _day(value, name: str, required: bool = False) -> str | None:
    """A `YYYY-MM-DD` date; optional ones may be null or false (TubeArchivist's "never")."""
    if value is None or value is False:
        if required:
            raise Invalid(f"{name} is required (YYYY-MM-DD)")
        return None
    if not isinstance(value, str) or not DAY.match(value):
        raise Invalid(f"{name} must be a date YYYY-MM-DD, got {value!r}")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{name} is not a valid date: {value!r}") from None
    return value


def _strings(value, name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise Invalid(f"{name} must be a list of strings")
    return list(value)


def _object(value, name: str) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Invalid(f"{name} must be an object")
    return value


def _choice(value, name: str, choices: tuple[str, ...]) -> str:
    if value is None:
        return choices[0]
    if value not in choices:
        raise Invalid(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def parse_channel(row) -> Channel:
    if not isinstance(row, dict):
        raise Invalid("must be an object")
    channel_id = row.get("channel_id")
    if not is_channel_id(channel_id):
        raise Invalid(f"channel_id {channel_id!r} is not a channel id")
    return Channel(
        channel_id,
        channel_name=_text(row.get("channel_name"), "channel_name", required=True),
        channel_description=_text(row.get("channel_description"), "channel_description"),
        channel_subscribed=_flag(row.get("channel_subscribed"), "channel_subscribed", False),
        channel_active=_flag(row.get("channel_active"), "channel_active", True),
        channel_last_refresh=_day(row.get("channel_last_refresh"), "channel_last_refresh"),
        channel_subs=_whole(row.get("channel_subs"), "channel_subs"),
        channel_views=_whole(row.get("channel_views"), "channel_views"),
        channel_overwrites=_object(row.get("channel_overwrites"), "channel_overwrites") or None,
    )


def parse_playlist(row) -> tuple[Playlist, list[dict]]:
    """The playlist and its entries, in order, first occurrence of a video kept."""
    if not isinstance(row, dict):
        raise Invalid("must be an object")
    playlist_id = row.get("playlist_id")
    if not is_playlist_id(playlist_id):
        raise Invalid(f"playlist_id {playlist_id!r} is not a playlist id")
    channel_id = _text(row.get("playlist_channel_id"), "playlist_channel_id")
    if channel_id and not is_channel_id(channel_id):
        raise Invalid(f"playlist_channel_id {channel_id!r} is not a channel id")
    raw_entries = row.get("playlist_entries")
    if raw_entries is None:
        raw_entries = []
    if not isinstance(raw_entries, list):
        raise Invalid("playlist_entries must be a list")
    listed: dict[str, dict] = {}
    for n, entry in enumerate(raw_entries):
        where = f"playlist_entries[{n}]"
        if not isinstance(entry, dict):
            raise Invalid(f"{where} must be an object")
        youtube_id = entry.get("youtube_id")
        if not is_video_id(youtube_id):
            raise Invalid(f"{where}: youtube_id {youtube_id!r} is not a video id")
        listed.setdefault(
            youtube_id,
            {
                "youtube_id": youtube_id,
                "title": _text(entry.get("title"), f"{where}.title"),
                "uploader": _text(entry.get("uploader"), f"{where}.uploader"),
            },
        )
    playlist = Playlist(
        playlist_id,
        playlist_name=_text(row.get("playlist_name"), "playlist_name", required=True),
        playlist_channel=_text(row.get("playlist_channel"), "playlist_channel"),
        playlist_channel_id=channel_id,
        playlist_description=_text(row.get("playlist_description"), "playlist_description"),
        playlist_subscribed=_flag(row.get("playlist_subscribed"), "playlist_subscribed", False),
        playlist_active=_flag(row.get("playlist_active"), "playlist_active", True),
        playlist_last_refresh=_day(row.get("playlist_last_refresh"), "playlist_last_refresh"),
        playlist_type=_choice(row.get("playlist_type"), "playlist_type", PLAYLIST_TYPES),
    )
    return playlist, list(listed.values())


def _subtitles(value) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid("subtitles must be a list")
    result = []
    for n, sub in enumerate(value):
        where = f"subtitles[{n}]"
        if not isinstance(sub, dict):
            raise Invalid(f"{where} must be an object")
        lang = sub.get("lang")
        if not isinstance(lang, str) or not SUBTITLE_LANG.match(lang):
            raise Invalid(f"{where}.lang must be a language code (letters, digits, - and _), got {lang!r}")
        _text(sub.get("vtt"), f"{where}.vtt")
        result.append(
            {
                "ext": _text(sub.get("ext"), f"{where}.ext", "vtt"),
                "lang": lang,
                "name": _text(sub.get("name"), f"{where}.name", lang),
                "source": _text(sub.get("source"), f"{where}.source", "user"),
            }
        )
    return result


def _media_ext(row: dict) -> str:
    if row.get("media_ext") is not None:
        return _choice(row["media_ext"], "media_ext", MEDIA_EXTS)
    url = row.get("media_url")
    if isinstance(url, str) and "." in url.rsplit("/", 1)[-1]:
        ext = url.rsplit(".", 1)[-1].lower()
        if ext in MEDIA_EXTS:
            return ext
    return MEDIA_EXTS[0]


def parse_video(row) -> tuple[Video, Channel | None]:
    """The video, and the channel of its nested `channel` object when that is a full channel."""
    if not isinstance(row, dict):
        raise Invalid("must be an object")
    youtube_id = row.get("youtube_id")
    if not is_video_id(youtube_id):
        raise Invalid(f"youtube_id {youtube_id!r} is not a video id")
    nested = _object(row.get("channel"), "channel")
    channel_id = row.get("channel_id")
    nested_channel = None
    if nested is not None:
        nested_id = nested.get("channel_id")
        if channel_id is None:
            channel_id = nested_id
        elif nested_id is not None and nested_id != channel_id:
            raise Invalid(f"channel_id {channel_id!r} and channel.channel_id {nested_id!r} differ")
        if nested.get("channel_name") is not None and is_channel_id(channel_id):
            try:
                nested_channel = parse_channel(nested)
            except Invalid as error:
                raise Invalid(f"channel: {error}") from None
    if channel_id is None:
        raise Invalid("channel_id (or channel.channel_id) is required")
    if not is_channel_id(channel_id):
        raise Invalid(f"channel_id {channel_id!r} is not a channel id")
    player = _object(row.get("player"), "player") or {}
    stats = _object(row.get("stats"), "stats") or {}

    def either(key: str, inner: dict):
        return row[key] if row.get(key) is not None else inner.get(key)

    playlist_ids = []
    for playlist_id in _strings(row.get("playlist"), "playlist"):
        if not is_playlist_id(playlist_id):
            raise Invalid(f"playlist: {playlist_id!r} is not a playlist id")
        if playlist_id not in playlist_ids:
            playlist_ids.append(playlist_id)
    comment_count = row.get("comment_count")
    video = Video(
        youtube_id,
        title=_text(row.get("title"), "title", required=True),
        description=_text(row.get("description"), "description"),
        published=_day(row.get("published"), "published", required=True),
        vid_last_refresh=_day(row.get("vid_last_refresh"), "vid_last_refresh"),
        date_downloaded=_whole(row.get("date_downloaded"), "date_downloaded", required=True),
        vid_type=_choice(row.get("vid_type"), "vid_type", VID_TYPES),
        active=_flag(row.get("active"), "active", True),
        category=_strings(row.get("category"), "category"),
        tags=_strings(row.get("tags"), "tags"),
        channel_id=channel_id,
        duration=_number(either("duration", player), "duration"),
        view_count=_whole(either("view_count", stats), "view_count"),
        like_count=_whole(either("like_count", stats), "like_count"),
        dislike_count=_whole(either("dislike_count", stats), "dislike_count"),
        average_rating=_number(either("average_rating", stats), "average_rating", None),
        playlist=playlist_ids,
        media_ext=_media_ext(row),
        media_size=_whole(row.get("media_size"), "media_size"),
        subtitles=_subtitles(row.get("subtitles")),
        comment_count=None if comment_count is None else _whole(comment_count, "comment_count"),
        sponsorblock=_object(row.get("sponsorblock"), "sponsorblock"),
    )
    return video, nested_channel
