"""YouTube id patterns: ids are checked here before they reach a storage key."""

import re
from typing import TypeGuard

VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
CHANNEL_ID = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
PLAYLIST_ID = re.compile(r"^(PL|UU|LL|FL|OL|RD|UL)[A-Za-z0-9_-]{8,62}$")


def is_video_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and VIDEO_ID.match(value) is not None


def is_channel_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and CHANNEL_ID.match(value) is not None


def is_playlist_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and PLAYLIST_ID.match(value) is not None
