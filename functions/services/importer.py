"""Bulk import of archive metadata: channels, playlists with their entries, and videos, from one JSON document.

The document is `{"channels": [...], "playlists": [...], "videos": [...]}` (each key optional), its objects
spelled as the API renders them (API.md, Objects):
- channel: `channel_id`, `channel_name` (required), `channel_description`, `channel_subscribed`,
  `channel_active`, `channel_last_refresh`, `channel_subs`, `channel_views`, `channel_overwrites`;
- playlist: `playlist_id`, `playlist_name` (required), `playlist_channel`, `playlist_channel_id`,
  `playlist_description`, `playlist_subscribed`, `playlist_active`, `playlist_last_refresh`, `playlist_type`,
  `playlist_entries` `[{youtube_id, title, uploader}]` in playlist order;
- video: `youtube_id`, `title`, `published` (`YYYY-MM-DD`), `date_downloaded` (epoch seconds) and its channel
  (required), as `channel_id` or a nested `channel` object (which, when it has a `channel_name`, also imports
  the channel unless `channels` lists it); `description`, `vid_type`, `vid_last_refresh`, `active`, `duration`
  (or `player.duration`), `tags`, `category`, `view_count`, `like_count`, `dislike_count`, `average_rating`
  (or the same under `stats`), `playlist` (ids), `media_size`, `media_ext` (or the extension of `media_url`),
  `subtitles` `[{ext, lang, name, source, vtt}]` (`vtt`: the track's WebVTT text, optional: stored as the
  subtitle file and indexed for `full:` searches), `comment_count`, `sponsorblock`. Other keys are ignored.

Playlist entries say which videos a playlist holds: a video's `playlist` ids add it to those playlists (at the
end) when their entries do not list it, and its stored `playlist` is recomputed from the entries.

How it writes, so that 100,000 videos take minutes and a re-import is harmless:
1. Every record is validated, and everything the import needs from the archive is read, before the first
   write: an invalid record (or a video whose channel or playlist is neither in the file nor archived) raises
   BadRequest naming it, and nothing is written.
2. Channels and playlists (few) go through the counted writes of `channels.save` and `db.save_counted`.
3. Playlist entries and videos go through BatchWriteItem, 25 items a request (index keys set by
   `videos.set_index_keys`); only items that differ from the stored ones are written, so importing the same
   file again writes nothing.
4. The counters those writes can change are recounted from their indexes (Select=COUNT queries) and set.

Batch writes are not counted one by one, which is why step 4 exists. On AWS the indexes behind the recount are
eventually consistent (usually well under a second behind): run `python -m infra.cli recount` when writes
may have raced the import. An import that stops half-way (throttling, network) is finished by running it again.
"""

import json
import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pynamodb.exceptions import UpdateError

from functions.core.errors import BadRequest
from functions.core.ids import is_channel_id, is_playlist_id, is_video_id
from functions.core.settings import get_settings
from functions.services import search
from functions.services.archive import channels, playlists, videos
from functions.services.search import text as search_text
from functions.storage import db, s3, totals
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
    Video,
    name_key,
)

VID_TYPES = ("videos", "streams", "shorts")
PLAYLIST_TYPES = ("regular", "custom")
MEDIA_EXTS = ("mp4", "webm", "mkv", "m4a")
SUBTITLE_LANG = re.compile(r"^[A-Za-z0-9_-]{1,20}$")  # becomes part of an S3 key (s3.subtitle_key)
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_ERRORS = 10

# Attributes derived from the others (index keys): left out when comparing with the stored item.
CHANNEL_KEYS = {"all_channels", "name_key", "subscription"}
PLAYLIST_KEYS = {"all_playlists", "name_key", "subscription"}


class _Invalid(Exception):
    """One problem with one record; collected, then raised together as BadRequest."""


# ---------------------------------------------------------------- field checks


def _text(value, name: str, default: str = "", required: bool = False) -> str:
    if value is None:
        if required:
            raise _Invalid(f"{name} is required")
        return default
    if not isinstance(value, str):
        raise _Invalid(f"{name} must be a string")
    if required and not value.strip():
        raise _Invalid(f"{name} must not be empty")
    return value


def _whole(value, name: str, default: int | None = 0, required: bool = False) -> int | None:
    if value is None:
        if required:
            raise _Invalid(f"{name} is required")
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Invalid(f"{name} must be a whole number, 0 or more")
    if isinstance(value, float) and not value.is_integer():
        raise _Invalid(f"{name} must be a whole number, 0 or more")
    if value < 0:
        raise _Invalid(f"{name} must be a whole number, 0 or more")
    return int(value)


def _number(value, name: str, default: float | None = 0) -> int | float | None:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise _Invalid(f"{name} must be a number, 0 or more")
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _flag(value, name: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise _Invalid(f"{name} must be true or false")
    return value


def _day(value, name: str, required: bool = False) -> str | None:
    """A `YYYY-MM-DD` date; optional ones may be null or false (TubeArchivist's "never")."""
    if value is None or value is False:
        if required:
            raise _Invalid(f"{name} is required (YYYY-MM-DD)")
        return None
    if not isinstance(value, str) or not DAY.match(value):
        raise _Invalid(f"{name} must be a date YYYY-MM-DD, got {value!r}")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise _Invalid(f"{name} is not a valid date: {value!r}") from None
    return value


def _strings(value, name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _Invalid(f"{name} must be a list of strings")
    return list(value)


def _object(value, name: str) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _Invalid(f"{name} must be an object")
    return value


def _choice(value, name: str, choices: tuple[str, ...]) -> str:
    if value is None:
        return choices[0]
    if value not in choices:
        raise _Invalid(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


# ---------------------------------------------------------------- records


def _channel(row) -> Channel:
    if not isinstance(row, dict):
        raise _Invalid("must be an object")
    channel_id = row.get("channel_id")
    if not is_channel_id(channel_id):
        raise _Invalid(f"channel_id {channel_id!r} is not a channel id")
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


def _playlist(row) -> tuple[Playlist, list[dict]]:
    """The playlist and its entries, in order, first occurrence of a video kept."""
    if not isinstance(row, dict):
        raise _Invalid("must be an object")
    playlist_id = row.get("playlist_id")
    if not is_playlist_id(playlist_id):
        raise _Invalid(f"playlist_id {playlist_id!r} is not a playlist id")
    channel_id = _text(row.get("playlist_channel_id"), "playlist_channel_id")
    if channel_id and not is_channel_id(channel_id):
        raise _Invalid(f"playlist_channel_id {channel_id!r} is not a channel id")
    raw_entries = row.get("playlist_entries")
    if raw_entries is None:
        raw_entries = []
    if not isinstance(raw_entries, list):
        raise _Invalid("playlist_entries must be a list")
    listed: dict[str, dict] = {}
    for n, entry in enumerate(raw_entries):
        where = f"playlist_entries[{n}]"
        if not isinstance(entry, dict):
            raise _Invalid(f"{where} must be an object")
        youtube_id = entry.get("youtube_id")
        if not is_video_id(youtube_id):
            raise _Invalid(f"{where}: youtube_id {youtube_id!r} is not a video id")
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
        raise _Invalid("subtitles must be a list")
    result = []
    for n, sub in enumerate(value):
        where = f"subtitles[{n}]"
        if not isinstance(sub, dict):
            raise _Invalid(f"{where} must be an object")
        lang = sub.get("lang")
        if not isinstance(lang, str) or not SUBTITLE_LANG.match(lang):
            raise _Invalid(f"{where}.lang must be a language code (letters, digits, - and _), got {lang!r}")
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


def _video(row) -> tuple[Video, Channel | None]:
    """The video, and the channel of its nested `channel` object when that is a full channel."""
    if not isinstance(row, dict):
        raise _Invalid("must be an object")
    youtube_id = row.get("youtube_id")
    if not is_video_id(youtube_id):
        raise _Invalid(f"youtube_id {youtube_id!r} is not a video id")
    nested = _object(row.get("channel"), "channel")
    channel_id = row.get("channel_id")
    nested_channel = None
    if nested is not None:
        nested_id = nested.get("channel_id")
        if channel_id is None:
            channel_id = nested_id
        elif nested_id is not None and nested_id != channel_id:
            raise _Invalid(f"channel_id {channel_id!r} and channel.channel_id {nested_id!r} differ")
        if nested.get("channel_name") is not None and is_channel_id(channel_id):
            try:
                nested_channel = _channel(nested)
            except _Invalid as error:
                raise _Invalid(f"channel: {error}") from None
    if channel_id is None:
        raise _Invalid("channel_id (or channel.channel_id) is required")
    if not is_channel_id(channel_id):
        raise _Invalid(f"channel_id {channel_id!r} is not a channel id")
    player = _object(row.get("player"), "player") or {}
    stats = _object(row.get("stats"), "stats") or {}

    def either(key: str, inner: dict):
        return row[key] if row.get(key) is not None else inner.get(key)

    playlist_ids = []
    for playlist_id in _strings(row.get("playlist"), "playlist"):
        if not is_playlist_id(playlist_id):
            raise _Invalid(f"playlist: {playlist_id!r} is not a playlist id")
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


# ---------------------------------------------------------------- reading the document


@dataclass
class _Document:
    channels: dict[str, Channel] = field(default_factory=dict)
    playlists: dict[str, tuple[Playlist, list[dict]]] = field(default_factory=dict)
    videos: dict[str, Video] = field(default_factory=dict)
    subtitle_texts: dict[str, dict[str, str]] = field(default_factory=dict)  # youtube_id -> lang -> WebVTT
    where: dict[str, str] = field(default_factory=dict)  # id -> "videos[12] (id)", to name records in errors


class _Errors:
    def __init__(self):
        self.messages: list[str] = []
        self.more = 0

    def add(self, where: str, message: str) -> None:
        if len(self.messages) < MAX_ERRORS:
            self.messages.append(f"{where}: {message}")
        else:
            self.more += 1

    def raise_any(self) -> None:
        if self.messages:
            text = "; ".join(self.messages)
            if self.more:
                text += f"; and {self.more} more"
            raise BadRequest(f"invalid import, nothing written: {text}")


def _where(kind: str, n: int, row, key: str) -> str:
    item_id = row.get(key) if isinstance(row, dict) else None
    return f"{kind}[{n}] ({item_id})" if isinstance(item_id, str) else f"{kind}[{n}]"


def _rows(document: dict, kind: str, errors: _Errors) -> list:
    rows = document.get(kind)
    if rows is None:
        return []
    if not isinstance(rows, list):
        errors.add(kind, "must be a list")
        return []
    return rows


def parse(document) -> _Document:
    """Validate every record; BadRequest naming the invalid ones (up to MAX_ERRORS) before anything is read."""
    if not isinstance(document, dict):
        raise BadRequest('the import must be a JSON object {"channels": [...], "playlists": [...], "videos": [...]}')
    errors = _Errors()
    parsed = _Document()
    for n, row in enumerate(_rows(document, "channels", errors)):
        where = _where("channels", n, row, "channel_id")
        try:
            channel = _channel(row)
        except _Invalid as error:
            errors.add(where, str(error))
            continue
        if channel.channel_id in parsed.channels:
            errors.add(where, f"duplicate of {parsed.where[channel.channel_id]}")
            continue
        parsed.channels[channel.channel_id] = channel
        parsed.where[channel.channel_id] = where
    for n, row in enumerate(_rows(document, "playlists", errors)):
        where = _where("playlists", n, row, "playlist_id")
        try:
            playlist, listed = _playlist(row)
        except _Invalid as error:
            errors.add(where, str(error))
            continue
        if playlist.playlist_id in parsed.playlists:
            errors.add(where, f"duplicate of {parsed.where[playlist.playlist_id]}")
            continue
        parsed.playlists[playlist.playlist_id] = (playlist, listed)
        parsed.where[playlist.playlist_id] = where
    nested: dict[str, Channel] = {}
    for n, row in enumerate(_rows(document, "videos", errors)):
        where = _where("videos", n, row, "youtube_id")
        try:
            video, channel = _video(row)
        except _Invalid as error:
            errors.add(where, str(error))
            continue
        if video.youtube_id in parsed.videos:
            errors.add(where, f"duplicate of {parsed.where[video.youtube_id]}")
            continue
        parsed.videos[video.youtube_id] = video
        parsed.where[video.youtube_id] = where
        texts = {sub["lang"]: sub["vtt"] for sub in row.get("subtitles") or [] if sub.get("vtt")}
        if texts:
            parsed.subtitle_texts[video.youtube_id] = texts
        if channel is not None:
            nested.setdefault(channel.channel_id, channel)
    errors.raise_any()
    for channel_id, channel in nested.items():
        parsed.channels.setdefault(channel_id, channel)
    return parsed


def read_file(path: str | Path) -> dict:
    """The JSON document in a file; BadRequest when it cannot be read or is not JSON."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as error:
        raise BadRequest(f"cannot read {path}: {error.strerror or error}") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRequest(f"{path} is not valid JSON: {error}") from None


# ---------------------------------------------------------------- planning: every read, no write


@dataclass
class _Plan:
    channels: list[Channel] = field(default_factory=list)  # new or changed
    playlists: list[Playlist] = field(default_factory=list)
    entries_put: list[PlaylistEntry] = field(default_factory=list)
    entries_delete: list[PlaylistEntry] = field(default_factory=list)
    videos_put: list[Video] = field(default_factory=list)
    playlist_lists: list[tuple[Video, list[str]]] = field(default_factory=list)  # archived videos not in the file
    stored: dict[str, Video | Playlist] = field(default_factory=dict)  # what the written videos and playlists were
    tracks: list[tuple[Video, search.Track, str]] = field(default_factory=list)  # subtitle texts of written videos
    counters: set[str] = field(default_factory=set)
    listings: dict[str, str | None] = field(default_factory=dict)  # packed listings of playlists not rewritten
    summary: dict = field(default_factory=dict)


def _differs(old, new, derived: set[str] = frozenset()) -> bool:
    if old is None:
        return True
    before = {k: v for k, v in old.serialize(null_check=False).items() if k not in derived}
    after = {k: v for k, v in new.serialize(null_check=False).items() if k not in derived}
    return before != after


def _tally(items, olds: dict, changed) -> dict:
    result = {"created": 0, "updated": 0, "unchanged": 0}
    for key in items:
        if key not in olds:
            result["created"] += 1
        elif key in changed:
            result["updated"] += 1
        else:
            result["unchanged"] += 1
    return result


def plan(parsed: _Document) -> _Plan:
    """Read what the import needs (stored versions, entries, referenced channels and playlists) and decide
    every write; BadRequest, before any write, when a video's channel or playlist is unknown."""
    result = _Plan()
    errors = _Errors()
    (old_videos,) = db.batch_get((Video, list(parsed.videos)))
    wanted_channels = set(parsed.channels) | {video.channel_id for video in parsed.videos.values()}
    declared = {p for video in parsed.videos.values() for p in video.playlist}
    formerly = {p for video in old_videos.values() for p in video.playlist or []}
    stored_channels, stored_playlists = db.batch_get(
        (Channel, sorted(wanted_channels)), (Playlist, sorted(set(parsed.playlists) | declared | formerly))
    )
    for youtube_id, video in parsed.videos.items():
        if video.channel_id not in parsed.channels and video.channel_id not in stored_channels:
            errors.add(parsed.where[youtube_id], f"channel {video.channel_id} is neither in the file nor archived")
        for playlist_id in video.playlist:
            if playlist_id not in parsed.playlists and playlist_id not in stored_playlists:
                errors.add(parsed.where[youtube_id], f"playlist {playlist_id} is neither in the file nor archived")
    errors.raise_any()

    # Channels: written when new or changed.
    result.channels = [c for i, c in parsed.channels.items() if _differs(stored_channels.get(i), c, CHANNEL_KEYS)]

    # Playlist entries: the file's listing (or the stored one), plus the videos that name the playlist.
    touched = list(parsed.playlists) + sorted((declared | formerly) - set(parsed.playlists))
    touched = [p for p in touched if p in parsed.playlists or p in stored_playlists]
    stored_entries = {p: {e.youtube_id: e for e in playlists.entries(p)} for p in touched}
    listings: dict[str, dict[str, dict]] = {}
    for playlist_id in touched:
        if playlist_id in parsed.playlists:
            rows = parsed.playlists[playlist_id][1]
        else:
            ordered = sorted(stored_entries[playlist_id].values(), key=lambda e: int(e.idx))
            rows = [{"youtube_id": e.youtube_id, "title": e.title, "uploader": e.uploader} for e in ordered]
        listings[playlist_id] = {row["youtube_id"]: row for row in rows}
    channel_names = {i: c.channel_name for i, c in stored_channels.items()}
    channel_names.update({i: c.channel_name for i, c in parsed.channels.items()})
    for video in parsed.videos.values():
        for playlist_id in video.playlist:
            listings[playlist_id].setdefault(
                video.youtube_id,
                {
                    "youtube_id": video.youtube_id,
                    "title": video.title,
                    "uploader": channel_names.get(video.channel_id, ""),
                },
            )
    removed = {
        p: [e for i, e in stored_entries[p].items() if i not in listings[p]] for p in touched if p in parsed.playlists
    }

    # Playlists: written when new or changed, their packed listing with them; the listing alone otherwise.
    packed = {p: playlists.pack(list(rows.values())) for p, rows in listings.items()}
    for playlist_id, (playlist, _) in parsed.playlists.items():
        playlist.entries_packed = packed[playlist_id]
        if _differs(stored_playlists.get(playlist_id), playlist, PLAYLIST_KEYS):
            result.playlists.append(playlist)
    for playlist_id in set(packed) - set(parsed.playlists):
        if stored_playlists[playlist_id].entries_packed != packed[playlist_id]:
            result.listings[playlist_id] = packed[playlist_id]

    # Archived videos outside the file whose membership may change, or whose entry does not say yet.
    outside = set()
    for playlist_id in touched:
        for youtube_id in listings[playlist_id]:
            old = stored_entries[playlist_id].get(youtube_id)
            if youtube_id not in parsed.videos and (old is None or not old.downloaded):
                outside.add(youtube_id)
        outside.update(e.youtube_id for e in removed.get(playlist_id, []) if e.downloaded)
    outside -= set(parsed.videos)
    (archived,) = db.batch_get((Video, sorted(outside)))

    for video in parsed.videos.values():
        videos.set_index_keys(video)
    members: dict[str, list[str]] = {}
    for playlist_id in touched:
        stored = stored_entries[playlist_id]
        for idx, (youtube_id, row) in enumerate(listings[playlist_id].items()):
            source = parsed.videos.get(youtube_id)
            if source is None:
                source = archived.get(youtube_id)
            old = stored.get(youtube_id)
            if source is not None:
                key, channel_id = source.published_key, source.channel_id
            elif old is not None and old.downloaded:
                key, channel_id = old.published_key, old.channel_id
            else:
                key, channel_id = None, None
            entry = PlaylistEntry(
                playlist_id,
                youtube_id,
                idx=idx,
                title=row["title"],
                uploader=row["uploader"],
                channel_id=channel_id,
                published_key=key,
            )
            if _differs(old, entry):
                result.entries_put.append(entry)
            if source is not None:
                members.setdefault(youtube_id, []).append(playlist_id)
        result.entries_delete.extend(removed.get(playlist_id, []))

    # Videos: their playlists are the ones whose entries hold them, those they name first.
    for youtube_id, video in parsed.videos.items():
        held = members.get(youtube_id, [])
        video.playlist = [p for p in video.playlist if p in held] + [p for p in held if p not in video.playlist]
        if _differs(old_videos.get(youtube_id), video):
            result.videos_put.append(video)
            texts = parsed.subtitle_texts.get(youtube_id, {})
            for lang in [sub["lang"] for sub in video.subtitles if sub["lang"] in texts]:
                track = search.Track(youtube_id, lang, search_text.fragments(texts[lang]), youtube_id not in old_videos)
                result.tracks.append((video, track, texts[lang]))
    result.stored = {**old_videos, **stored_playlists}
    for youtube_id, video in archived.items():
        held = members.get(youtube_id, [])
        current = list(video.playlist or [])
        wanted = [p for p in current if p not in listings or p in held] + [p for p in held if p not in current]
        if wanted != current:
            result.playlist_lists.append((video, wanted))

    # Counters: the totals the writes above can change (none when the file matches the archive).
    counters = result.counters
    if result.videos_put:
        counters.add(totals.VIDEOS)
    for video in result.videos_put:
        counters.add(totals.channel_videos(video.channel_id))
        if video.youtube_id in old_videos:
            counters.add(totals.channel_videos(old_videos[video.youtube_id].channel_id))
    if result.channels:
        counters.update([totals.CHANNELS, *(totals.channels_by(s) for s in (SUBSCRIBED, UNSUBSCRIBED))])
    if result.playlists:
        counters.update([totals.PLAYLISTS, *(totals.playlists_by(s) for s in (SUBSCRIBED, UNSUBSCRIBED))])
    counters.update(totals.playlist_videos(e.playlist_id) for e in result.entries_put + result.entries_delete)
    changed_videos = {v.youtube_id for v in result.videos_put}
    result.summary = {
        "channels": _tally(parsed.channels, stored_channels, {c.channel_id for c in result.channels}),
        "playlists": _tally(parsed.playlists, stored_playlists, {p.playlist_id for p in result.playlists}),
        "videos": _tally(parsed.videos, old_videos, changed_videos),
        "entries": {"written": len(result.entries_put), "removed": len(result.entries_delete)},
    }
    return result


# ---------------------------------------------------------------- writing


def _save_playlist(playlist: Playlist) -> None:
    """The counted write of `playlists.save`, without its entry-by-entry marking (entries are batch-written)."""
    playlist.all_playlists = ALL_PLAYLISTS
    playlist.name_key = name_key(playlist.playlist_name, playlist.playlist_id)
    playlist.subscription = channels.subscription_of(playlist.playlist_subscribed)
    db.save_counted(
        playlist,
        {totals.PLAYLISTS: 1, totals.playlists_by(playlist.subscription): 1},
        Playlist.subscription,
        totals.playlists_by,
    )


def apply(result: _Plan) -> dict:
    for channel in result.channels:
        channels.save(channel)
    for playlist in result.playlists:
        _save_playlist(playlist)
    with PlaylistEntry.batch_write() as batch:
        for entry in result.entries_put:
            batch.save(entry)
        for entry in result.entries_delete:
            batch.delete(entry)
    with Video.batch_write() as batch:
        for video in result.videos_put:
            batch.save(video)
    for video, track, vtt in result.tracks:
        key = s3.subtitle_key(video.channel_id, video.youtube_id, track.lang)
        s3.client().put_object(Bucket=get_settings().media_bucket, Key=key, Body=vtt.encode(), ContentType="text/vtt")
    search.index_import(
        [(video, result.stored.get(video.youtube_id)) for video in result.videos_put],
        [(playlist, result.stored.get(playlist.playlist_id)) for playlist in result.playlists],
        [track for _, track, _ in result.tracks],
    )
    for video, wanted in result.playlist_lists:
        try:
            video.update(actions=[Video.playlist.set(wanted)], condition=Video.youtube_id.exists())
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise  # deleted meanwhile: nothing to correct
    for playlist_id, text in result.listings.items():
        playlists.store_packed(playlist_id, text)
    recount(result.counters)
    return {**result.summary, "totals": db.counts([totals.VIDEOS, totals.CHANNELS, totals.PLAYLISTS])}


def import_document(document) -> dict:
    """Import a parsed JSON document; returns what was created, updated and left unchanged, and the totals."""
    return apply(plan(parse(document)))


def import_file(path: str | Path) -> dict:
    return import_document(read_file(path))


# ---------------------------------------------------------------- counters


def count(name: str) -> int:
    """The true value of a counter, counted from the index its list view reads (Select=COUNT queries)."""
    if name == totals.VIDEOS:
        return Video.by_published.count(ALL_VIDEOS)
    if name == totals.CHANNELS:
        return Channel.by_name.count(ALL_CHANNELS)
    if name == totals.PLAYLISTS:
        return Playlist.by_name.count(ALL_PLAYLISTS)
    kind, _, rest = name.partition("#")
    if kind == "videos":
        group, _, item_id = rest.partition("#")
        if group == "channel" and item_id:
            return Video.by_channel.count(item_id)
        if group == "playlist" and item_id:
            return PlaylistEntry.by_published.count(item_id)
    if kind == "channels" and rest in (SUBSCRIBED, UNSUBSCRIBED):
        return Channel.by_subscription.count(rest)
    if kind == "playlists" and rest in (SUBSCRIBED, UNSUBSCRIBED):
        return Playlist.by_subscription.count(rest)
    raise ValueError(f"not a counter of the archive: {name!r}")


def true_counter(name: str) -> Counter:
    """A counter as its index says it must be: its count, and for a playlist's counter the ids it counts."""
    kind, _, playlist_id = name.partition("#playlist#")
    if kind == "videos" and playlist_id:
        # The table, read strongly consistent: an index may not show entries written a moment ago (an import).
        fields = ["youtube_id", "published_key"]
        entries = PlaylistEntry.query(playlist_id, consistent_read=True, attributes_to_get=fields)
        members = {entry.youtube_id for entry in entries if entry.downloaded}
        return Counter(name, count=len(members), members=members or None)
    return Counter(name, count=count(name))


def recount(names) -> dict[str, int]:
    """Count each named counter from its index and store it when it differs; returns the values."""
    names = sorted(set(names))
    truth = {name: true_counter(name) for name in names}
    (stored,) = db.batch_get((Counter, names))
    for name, counter in truth.items():
        old = stored.get(name, Counter(name))
        if int(old.count) != counter.count or (old.members or set()) != (counter.members or set()):
            counter.save()
    return {name: counter.count for name, counter in truth.items()}


def all_counter_names() -> set[str]:
    """Every counter of the archive: the totals, one per channel and playlist, and any stored one of a channel
    or playlist since removed (the counters table is small; this reads it whole, for repairs only)."""
    names = {
        totals.VIDEOS,
        totals.CHANNELS,
        totals.PLAYLISTS,
        *(totals.channels_by(s) for s in (SUBSCRIBED, UNSUBSCRIBED)),
        *(totals.playlists_by(s) for s in (SUBSCRIBED, UNSUBSCRIBED)),
    }
    names.update(totals.channel_videos(key.channel_id) for key in Channel.by_name.query(ALL_CHANNELS))
    names.update(totals.playlist_videos(key.playlist_id) for key in Playlist.by_name.query(ALL_PLAYLISTS))
    names.update(counter.name for counter in Counter.scan(Counter.name.startswith("videos#")))
    return names


def recount_all() -> dict[str, int]:
    return recount(all_counter_names())
