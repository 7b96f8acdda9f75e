"""The app's stored settings (the AppSetting item "app"): TubeArchivist's `config`, DEFAULT_APP_CONFIG with the
stored overrides on top. Every reader and writer of that item goes through here: the per-request viewer (which
reads it in its first batch), the jobs, and the cookie import."""

from functions.core.settings import DEFAULT_APP_CONFIG, merge_config
from functions.storage.models import AppSetting

APP = "app"


def merged(item: AppSetting | None) -> dict:
    """The config an item holds (None: no overrides stored), on the defaults."""
    return merge_config(DEFAULT_APP_CONFIG, item.value.as_dict() if item is not None else {})


def current() -> dict:
    """The config outside a request (jobs)."""
    try:
        return merged(AppSetting.get(APP))
    except AppSetting.DoesNotExist:
        return merged(None)


def update(changes: dict) -> None:
    """Store overrides, section by section (`{"downloads": {"cookie_import": True}}`); other keys are kept."""
    try:
        setting = AppSetting.get(APP)
        stored = setting.value.as_dict()
    except AppSetting.DoesNotExist:
        setting, stored = AppSetting(APP), {}
    for section, values in changes.items():
        stored.setdefault(section, {}).update(values)
    setting.value = stored
    setting.save()
