"""YouTube id patterns, the one place that spells them: ids are checked here before they reach a storage key;
S3 file names and the OpenAPI document build on the same fragments."""

import re
from typing import TypeGuard

VIDEO = r"[A-Za-z0-9_-]{11}"
CHANNEL = r"UC[A-Za-z0-9_-]{22}"
PLAYLIST = r"(PL|UU|LL|FL|OL|RD|UL)[A-Za-z0-9_-]{8,62}"

VIDEO_ID = re.compile(f"^{VIDEO}$")
CHANNEL_ID = re.compile(f"^{CHANNEL}$")
PLAYLIST_ID = re.compile(f"^{PLAYLIST}$")
# TubeArchivist's custom playlists (made in the archive, not on YouTube): TA_playlist_ and a UUID
CUSTOM_PLAYLIST_ID = re.compile(r"^TA_playlist_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def is_video_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and VIDEO_ID.match(value) is not None


def is_channel_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and CHANNEL_ID.match(value) is not None


def is_playlist_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and PLAYLIST_ID.match(value) is not None


def is_custom_playlist_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and CUSTOM_PLAYLIST_ID.match(value) is not None
