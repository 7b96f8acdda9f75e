"""A user's web UI settings (TubeArchivist v0.5's `/api/user/me/`): view styles, sort order, hidden watched
videos, ... The fields a user changed live in User.ui_config; TubeArchivist's defaults fill in the rest.
`page_size` is the user's page size (User.page_size), the one every list they read is cut by."""

import msgspec

from functions.core.settings import get_settings
from functions.schemas.ta5 import UserConfig
from functions.storage import db
from functions.storage.models import User

DEFAULTS = {
    "stylesheet": "dark.css",
    "sort_by": "published",
    "sort_order": "desc",
    "view_style_home": "grid",
    "view_style_channel": "list",
    "view_style_downloads": "list",
    "view_style_playlist": "grid",
    "vid_type_filter": None,
    "grid_items": 3,
    "hide_watched": False,
    "hide_watched_channel": None,
    "hide_watched_playlist": None,
    "file_size_unit": "binary",
    "show_ignored_only": False,
    "show_subed_only": None,
    "show_subed_only_playlists": None,
    "show_help_text": True,
}


def of(user: User) -> dict:
    """Every UI setting of a user: what they set, the default for the rest."""
    stored = user.ui_config.as_dict() if user.ui_config is not None else {}
    config = {name: stored.get(name, default) for name, default in DEFAULTS.items()}
    config["grid_items"] = int(config["grid_items"])  # DynamoDB numbers come back as Decimal-made floats
    config["page_size"] = int(user.page_size or get_settings().default_page_size)
    return config


def update(user: User, changes: UserConfig) -> dict:
    """Store the fields `changes` names, field by field (concurrent updates both land); the settings after it."""
    fields = msgspec.to_builtins(changes)  # UNSET fields are left out
    page_size = fields.pop("page_size", None)
    actions = [User.ui_config[name].set(value) for name, value in fields.items()]
    if page_size is not None:
        actions.append(User.page_size.set(page_size))
    if actions:
        item = User(user.username)
        exists = User.username.exists()
        if user.ui_config is None and fields:
            created = User.ui_config.does_not_exist()
            first = [User.ui_config.set(fields), *actions[len(fields) :]]
            if not db.conditional(item.update, actions=first, condition=exists & created):
                item.update(actions=actions, condition=exists)  # another request created the map meanwhile
        else:
            item.update(actions=actions, condition=exists)
        user.refresh()
    return of(user)
