"""Reading an import document: every record checked before anything is read from the archive."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from functions.core.errors import BadRequest
from functions.services.importer.records import Invalid, parse_channel, parse_playlist, parse_video
from functions.storage.models import Channel, Playlist, Video

MAX_ERRORS = 10


@dataclass
class Document:
    channels: dict[str, Channel] = field(default_factory=dict)
    playlists: dict[str, tuple[Playlist, list[dict]]] = field(default_factory=dict)
    videos: dict[str, Video] = field(default_factory=dict)
    subtitle_texts: dict[str, dict[str, str]] = field(default_factory=dict)  # youtube_id -> lang -> WebVTT
    where: dict[str, str] = field(default_factory=dict)  # id -> "videos[12] (id)", to name records in errors


class Errors:
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


def _rows(document: dict, kind: str, errors: Errors) -> list:
    rows = document.get(kind)
    if rows is None:
        return []
    if not isinstance(rows, list):
        errors.add(kind, "must be a list")
        return []
    return rows


def parse(document) -> Document:
    """Validate every record; BadRequest naming the invalid ones (up to MAX_ERRORS) before anything is read."""
    if not isinstance(document, dict):
        raise BadRequest('the import must be a JSON object {"channels": [...], "playlists": [...], "videos": [...]}')
    errors = Errors()
    parsed = Document()
    for n, row in enumerate(_rows(document, "channels", errors)):
        where = _where("channels", n, row, "channel_id")
        try:
            channel = parse_channel(row)
        except Invalid as error:
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
            playlist, listed = parse_playlist(row)
        except Invalid as error:
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
            video, channel = parse_video(row)
        except Invalid as error:
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
