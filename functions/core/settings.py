"""Every setting in one place: read from the environment, with safe defaults for the local stage."""

import os
from dataclasses import dataclass
from functools import lru_cache

VERSION = "v0.1.0"

# What TubeArchivist clients find under "config" in every envelope; stored overrides are merged on top.
DEFAULT_APP_CONFIG = {
    "subscriptions": {
        "channel_size": 50,
        "live_channel_size": 50,
        "shorts_channel_size": 50,
        "auto_start": False,
    },
    "downloads": {
        "limit_speed": None,
        "sleep_interval": 0,
        "autodelete_days": None,
        "format": None,
        "format_sort": None,
        "add_metadata": True,
        "add_thumbnail": True,
        "subtitle": None,
        "subtitle_source": None,
        "subtitle_index": False,
        "comment_max": None,
        "comment_sort": "top",
        "cookie_import": False,
        "throttledratelimit": None,
        "extractor_lang": None,
        "integrate_ryd": False,
        "integrate_sponsorblock": False,
    },
    "application": {"enable_snapshot": True},
}


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    table_prefix: str
    media_bucket: str
    download_queue_url: str
    default_page_size: int
    presign_seconds: int
    session_days: int
    max_body_bytes: int
    snapshot_queue_url: str
    sponsorblock_url: str
    refresh_queue_url: str
    lookup_function: str


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = os.environ.get
    stage = env("APP_STAGE", "local")
    return Settings(
        stage=stage,
        region=env("AWS_DEFAULT_REGION") or env("AWS_REGION") or "us-east-1",
        table_prefix=env("TABLE_PREFIX", f"ytarchive-{stage}-"),
        media_bucket=env("MEDIA_BUCKET", f"ytarchive-{stage}-media"),
        download_queue_url=env("DOWNLOAD_QUEUE_URL", ""),
        default_page_size=int(env("DEFAULT_PAGE_SIZE", "12")),
        presign_seconds=int(env("PRESIGN_SECONDS", "900")),
        session_days=int(env("SESSION_DAYS", "30")),  # TA sessions and Invidious SIDs
        max_body_bytes=int(env("MAX_BODY_BYTES", str(1024 * 1024))),
        snapshot_queue_url=env("SNAPSHOT_QUEUE_URL", ""),  # empty: looked up by name (the local stage)
        sponsorblock_url=env("SPONSORBLOCK_URL", "https://sponsor.ajay.app").rstrip("/"),
        refresh_queue_url=env("REFRESH_QUEUE_URL", ""),  # empty: looked up by name (the local stage)
        lookup_function=env("LOOKUP_FUNCTION", ""),  # empty: the lookup runs in this process (local stage, tests)
    )


def app_config() -> dict:
    """The app's settings outside a request (jobs): DEFAULT_APP_CONFIG with the stored overrides on top."""
    from functions.services.auth import merge_config  # imported here: models and auth import this module
    from functions.storage.models import AppSetting

    try:
        stored = AppSetting.get("app").value.as_dict()
    except AppSetting.DoesNotExist:
        stored = {}
    return merge_config(DEFAULT_APP_CONFIG, stored)
