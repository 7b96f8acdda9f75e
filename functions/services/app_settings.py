"""The app's stored settings (the AppSetting item "app"): TubeArchivist's `config`, DEFAULT_APP_CONFIG with the
stored overrides on top. Every reader and writer of that item goes through here: the per-request viewer (which
reads it in its first batch), the jobs, the cookie import and the settings API.

`update(partial)` checks every key and value
of a partial object before anything is stored (an unknown key or a wrong type is a 400 and the stored settings
stay as they were), then writes the merged overrides in one conditional put, so two updates never lose each
other's keys. Each key is read where it takes effect: downloads.* by functions.youtube.media.download_params,
subscriptions.* by the rescan, autodelete_days by functions.services.autodelete, application.* by the snapshot
job and the schedules.
"""

import copy
import re

from pynamodb.exceptions import DoesNotExist

from functions.core.errors import BadRequest, Conflict
from functions.core.settings import DEFAULT_APP_CONFIG, merge_config
from functions.storage import db
from functions.storage.models import AppSetting

APP = "app"
VERSION_KEY = "_version"  # the stored item's write count: the condition of the next write
ATTEMPTS = 5
LANGUAGES = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*(,\s*[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*)*$")
COMMENT_MAX = re.compile(r"^(all|\d+)(,(all|\d+)){0,3}$")
SCHEDULE = re.compile(r"^(rate\(\d{1,5} (minute|minutes|hour|hours|day|days)\)|cron\([^()]{9,100}\)|off)$")


def _optional(check):
    def optional(name: str, value):
        return None if value is None else check(name, value)

    return optional


def _bool(name: str, value):
    if not isinstance(value, bool):
        raise BadRequest(f"{name} must be true or false")
    return value


def _count(minimum: int, maximum: int):
    def count(name: str, value):
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            raise BadRequest(f"{name} must be a whole number from {minimum} to {maximum}")
        return value

    return count


def _text(pattern: re.Pattern | None = None, limit: int = 500, choices: tuple[str, ...] = ()):
    def text(name: str, value):
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            raise BadRequest(f"{name} must be a non-empty string of at most {limit} characters")
        if choices and value not in choices:
            raise BadRequest(f"{name} must be one of {', '.join(choices)}")
        if pattern is not None and not pattern.match(value):
            raise BadRequest(f"{name}: {value[:40]!r} is not a valid value")
        return value

    return text


def _comment_max(name: str, value):
    if isinstance(value, int) and not isinstance(value, bool):
        return _count(1, 100_000)(name, value)
    return _text(COMMENT_MAX, 40)(name, value)


# Every key the archive acts on, with its check; what is not here cannot be stored.
SCHEMA = {
    "subscriptions": {
        "channel_size": _count(0, 5000),
        "live_channel_size": _count(0, 5000),
        "shorts_channel_size": _count(0, 5000),
        "auto_start": _bool,
    },
    "downloads": {
        "limit_speed": _optional(_count(1, 10_000_000)),  # KB/s
        "sleep_interval": _count(0, 3600),  # seconds between downloads
        "autodelete_days": _optional(_count(1, 36_500)),
        "format": _optional(_text(limit=500)),
        "format_sort": _optional(_text(limit=500)),
        "add_metadata": _bool,
        "add_thumbnail": _bool,
        "subtitle": _optional(_text(LANGUAGES, 200)),
        "subtitle_source": _optional(_text(choices=("user", "auto"))),
        "subtitle_index": _bool,
        "comment_max": _optional(_comment_max),
        "comment_sort": _text(choices=("top", "new")),
        "cookie_import": _bool,
        "throttledratelimit": _optional(_count(1, 10_000_000)),  # KB/s
        "extractor_lang": _optional(_text(LANGUAGES, 20)),
        "integrate_sponsorblock": _bool,
    },
    "application": {
        "enable_snapshot": _bool,
        "disable_static_auth": _bool,
    },
}


def _overrides(item: AppSetting | None) -> dict:
    stored = item.value.as_dict() if item is not None else {}
    stored.pop(VERSION_KEY, None)
    return stored


def merged(item: AppSetting | None) -> dict:
    """The config an item holds (None: no overrides stored), on the defaults; keys no longer known are dropped."""
    return merge_config(DEFAULT_APP_CONFIG, _overrides(item))


def _read():
    """The stored overrides and the condition under which a write replaces exactly what was read."""
    try:
        stored = AppSetting.get(APP, consistent_read=True).value.as_dict()
    except DoesNotExist:
        return {}, 0, AppSetting.name.does_not_exist()
    version = int(stored.pop(VERSION_KEY, 0))
    version_attr = AppSetting.value[VERSION_KEY]
    return stored, version, (version_attr == version) if version else version_attr.does_not_exist()


def current() -> dict:
    """The config outside a request (jobs); a request's Viewer.config reads the same item."""
    try:
        return merged(AppSetting.get(APP))
    except DoesNotExist:
        return merged(None)


def validate(partial) -> dict:
    """The partial object, checked key by key against SCHEMA; 400 naming the first wrong key."""
    if not isinstance(partial, dict) or not partial:
        raise BadRequest('send a JSON object of the settings to change, e.g. {"downloads": {"format": null}}')
    checked: dict[str, dict] = {}
    for section, values in partial.items():
        if section not in SCHEMA:
            raise BadRequest(f"unknown setting {section!r}; known: {', '.join(SCHEMA)}")
        if not isinstance(values, dict) or not values:
            raise BadRequest(f"{section} must be an object of the keys to change")
        for key, value in values.items():
            check = SCHEMA[section].get(key)
            if check is None:
                raise BadRequest(f"unknown setting {section}.{key}")
            checked.setdefault(section, {})[key] = check(f"{section}.{key}", value)
    return checked


def update(partial) -> dict:
    """Apply a partial object of settings (validated first: all or nothing); the settings now in effect."""
    changes = validate(partial)
    for _ in range(ATTEMPTS):
        stored, version, unchanged = _read()
        overrides = copy.deepcopy(stored)
        for section, values in changes.items():
            overrides.setdefault(section, {}).update(values)
        item = AppSetting(APP, value={**overrides, VERSION_KEY: version + 1})
        if db.conditional(item.save, condition=unchanged):
            return merge_config(DEFAULT_APP_CONFIG, overrides)
        # written meanwhile: merge onto the newer settings
    raise Conflict("the settings changed while they were being saved, try again")
