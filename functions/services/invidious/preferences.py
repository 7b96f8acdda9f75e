"""Invidious preferences: the user's changed fields live in User.preferences; defaults fill in the rest."""

from functions.core.errors import BadRequest
from functions.storage import db
from functions.storage.models import User

DEFAULTS = {
    "annotations": False,
    "annotations_subscribed": False,
    "autoplay": False,
    "captions": ["", "", ""],
    "comments": ["youtube", ""],
    "continue": False,
    "continue_autoplay": True,
    "dark_mode": "",
    "latest_only": False,
    "listen": False,
    "local": False,
    "locale": "en-US",
    "max_results": 40,
    "notifications_only": False,
    "player_style": "invidious",
    "quality": "hd720",
    "default_home": "Popular",
    "feed_menu": ["Popular", "Trending", "Subscriptions", "Playlists"],
    "related_videos": True,
    "sort": "published",
    "speed": 1.0,
    "thin_mode": False,
    "unseen_only": False,
    "video_loop": False,
    "volume": 100,
    "watch_history": True,
}
RANGES = {"max_results": (0, 1500), "volume": (0, 100), "speed": (0.1, 16)}
# Bounds that keep the user's item far below DynamoDB's 400 KB (an oversized update fails there, not in moto).
MAX_TEXT = 200
MAX_ITEMS = 20
LIMITS: dict[type, str] = {str: f" of at most {MAX_TEXT} characters", list: f" of at most {MAX_ITEMS} strings"}


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _valid(name: str, value) -> bool:
    default = DEFAULTS[name]
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, float):  # speed: 2 and 2.0 alike
        return _is_int(value) or isinstance(value, float)
    if isinstance(default, int):
        return _is_int(value)
    if isinstance(default, list):
        return isinstance(value, list) and len(value) <= MAX_ITEMS and all(_valid_text(v) for v in value)
    return _valid_text(value)


def _valid_text(value) -> bool:
    return isinstance(value, str) and len(value) <= MAX_TEXT


def of(user: User) -> dict:
    """Every preference of a user: what they set, the default for the rest."""
    stored = user.preferences.as_dict() if user.preferences is not None else {}
    merged = {name: stored.get(name, default) for name, default in DEFAULTS.items()}
    merged["speed"] = float(merged["speed"])  # DynamoDB gives 2.0 back as 2
    for name, default in DEFAULTS.items():
        if _is_int(default):
            merged[name] = int(merged[name])
    return merged


def changes_of(body: dict) -> dict:
    """The known fields of a POST body, each checked against its type; unknown fields are ignored."""
    changes = {}
    for name, value in body.items():
        if name not in DEFAULTS:
            continue
        if not _valid(name, value):
            raise BadRequest(f"{name} must be {type(DEFAULTS[name]).__name__}{LIMITS.get(type(DEFAULTS[name]), '')}")
        if name in RANGES and not RANGES[name][0] <= value <= RANGES[name][1]:
            raise BadRequest(f"{name} must be from {RANGES[name][0]} to {RANGES[name][1]}")
        changes[name] = value
    return changes


def update(user: User, body: dict) -> None:
    """Merge the given fields into the user's preferences, field by field, so concurrent patches both land."""
    changes = changes_of(body)
    if not changes:
        return
    item = User(user.username)
    exists = User.username.exists()
    if user.preferences is None:
        created = User.preferences.does_not_exist()
        if db.conditional(item.update, actions=[User.preferences.set(changes)], condition=exists & created):
            return
        # another request created the map meanwhile: set field by field below
    item.update(actions=[User.preferences[name].set(value) for name, value in changes.items()], condition=exists)
