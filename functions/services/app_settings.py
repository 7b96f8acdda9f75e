"""The app's stored settings (the AppSetting item "app"): TubeArchivist's `config`, DEFAULT_APP_CONFIG with the
stored overrides on top. Every reader and writer of that item goes through here: the per-request viewer (which
reads it in its first batch), the jobs, the cookie import and the settings API.

`update(partial)` checks every key and value of a partial object (functions.schemas.ta.SettingsUpdate: every
key the archive acts on, typed and bounded) before anything is stored (an unknown key or a wrong type is a 400
and the stored settings stay as they were), then writes the merged overrides in one conditional put, so two
updates never lose each other's keys. Each key is read where it takes effect: downloads.* by
functions.youtube.media.download_params, subscriptions.* by the rescan, autodelete_days by
functions.services.autodelete, application.* by the snapshot job, scheduler.* by functions.services.schedules
(checked there, and applied to the cloud's schedule rules before they are stored).
"""

import copy

import msgspec
from pynamodb.exceptions import DoesNotExist

from functions.core.errors import BadRequest, Conflict
from functions.core.settings import DEFAULT_APP_CONFIG, merge_config
from functions.schemas import decode
from functions.schemas.ta import SettingsUpdate
from functions.services import schedules
from functions.storage import db
from functions.storage.models import AppSetting

APP = "app"
VERSION_KEY = "_version"  # the stored item's write count: the condition of the next write
ATTEMPTS = 5


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


def validate(partial: dict | SettingsUpdate) -> dict:
    """The sections and keys a partial object changes (typed by SettingsUpdate: 400 naming the wrong key)."""
    body = partial if isinstance(partial, SettingsUpdate) else decode(partial, SettingsUpdate)
    checked = msgspec.to_builtins(body)
    if not checked:
        raise BadRequest('send a JSON object of the settings to change, e.g. {"downloads": {"format": null}}')
    for section, values in checked.items():
        if not values:
            raise BadRequest(f"{section} must be an object of the keys to change")
    if schedules.SECTION in checked:
        checked[schedules.SECTION] = schedules.checked(checked[schedules.SECTION])
    return checked


def update(partial: dict | SettingsUpdate) -> dict:
    """Apply a partial object of settings (validated first: all or nothing); the settings now in effect."""
    changes = validate(partial)
    if schedules.SECTION in changes:
        schedules.apply(changes[schedules.SECTION])
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
