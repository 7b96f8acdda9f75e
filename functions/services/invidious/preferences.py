"""Invidious preferences: the user's changed fields live in User.preferences; defaults fill in the rest."""

import msgspec

from functions.schemas.invidious import PreferencesUpdate
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


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def of(user: User) -> dict:
    """Every preference of a user: what they set, the default for the rest."""
    stored = user.preferences.as_dict() if user.preferences is not None else {}
    merged = {name: stored.get(name, default) for name, default in DEFAULTS.items()}
    merged["speed"] = float(merged["speed"])  # DynamoDB gives 2.0 back as 2
    for name, default in DEFAULTS.items():
        if _is_int(default):
            merged[name] = int(merged[name])
    return merged


def update(user: User, body: PreferencesUpdate) -> None:
    """Merge the fields the body sets (typed and bounded by the Struct) into the user's preferences, field by
    field, so concurrent patches both land."""
    changes = msgspec.to_builtins(body)
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
