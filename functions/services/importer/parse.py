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


def _valid(document: dict, kind: str, key: str, parse_record, errors: Errors, parsed: Document):
    """(row, id, parsed record) of each valid record of one kind, first occurrence of an id; the invalid ones
    and the duplicates go to `errors`, named by where they are."""
    seen: dict[str, str] = {}
    for n, row in enumerate(_rows(document, kind, errors)):
        where = _where(kind, n, row, key)
        try:
            record = parse_record(row)
        except Invalid as error:
            errors.add(where, str(error))
            continue
        item_id = row[key]  # parse_record checked it
        if item_id in seen:
            errors.add(where, f"duplicate of {seen[item_id]}")
            continue
        seen[item_id] = parsed.where[item_id] = where
        yield row, item_id, record


def parse(document) -> Document:
    """Validate every record; BadRequest naming the invalid ones (up to MAX_ERRORS) before anything is read."""
    if not isinstance(document, dict):
        raise BadRequest('the import must be a JSON object {"channels": [...], "playlists": [...], "videos": [...]}')
    errors = Errors()
    parsed = Document()
    for _, channel_id, channel in _valid(document, "channels", "channel_id", parse_channel, errors, parsed):
        parsed.channels[channel_id] = channel
    for _, playlist_id, entry in _valid(document, "playlists", "playlist_id", parse_playlist, errors, parsed):
        parsed.playlists[playlist_id] = entry
    nested: dict[str, Channel] = {}
    for row, youtube_id, (video, channel) in _valid(document, "videos", "youtube_id", parse_video, errors, parsed):
        parsed.videos[youtube_id] = video
        texts = {sub["lang"]: sub["vtt"] for sub in row.get("subtitles") or [] if sub.get("vtt")}
        if texts:
            parsed.subtitle_texts[youtube_id] = texts
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
