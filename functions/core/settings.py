"""Every setting in one place: read from the environment, with safe defaults for the local stage; and the
defaults of the app config TubeArchivist clients see (the stored overrides: functions.services.app_settings).
Pure: imports nothing of the project."""

import os
from dataclasses import dataclass
from functools import lru_cache

VERSION = "v0.1.0"  # the archive's own version
TA_API_VERSION = "v0.4.13"  # the TubeArchivist release whose API the archive answers as
TA_V05_API_VERSION = "v0.5.9"  # ... and the one its v0.5 dialect answers as (functions.core.dialects)

# When the scheduled jobs run (functions.services.schedules): a crontab in UTC, TubeArchivist's three fields
# (minute hour day_of_week) or five. AUTO_SCHEDULES are each job's "auto" (TubeArchivist's ScheduleBuilder
# defaults where it has the task); DEFAULT_SCHEDULES what a new archive starts with, false: off. The jobs that
# spend YouTube requests or download on their own start off, their rules disabled in the template.
AUTO_SCHEDULES: dict[str, str] = {
    "update_subscribed": "0 */6 *",
    "run_snapshot": "0 3 *",
    "autodelete": "30 */6 *",
    "run_backup": "0 18 0",  # TubeArchivist's: Sundays at 18:00
    "download_pending": "0 16 *",
    "check_reindex": "0 12 *",
    "thumbnail_check": "0 17 *",
    "version_check": "0 11 *",  # TubeArchivist's (a new install of it picks a random minute and hour)
}
OFF_AT_START = ("download_pending", "check_reindex", "thumbnail_check", "version_check")
DEFAULT_SCHEDULES: dict[str, str | bool] = {
    name: False if name in OFF_AT_START else crontab for name, crontab in AUTO_SCHEDULES.items()
}
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
        "pot_provider_url": None,  # a bgutil PO token provider server (http://host:4416); None: the plugin's default
        "extractor_lang": None,
        "integrate_sponsorblock": False,
    },
    # disable_static_auth: file URLs in TA answers are signed, absolute and expiring, for players that send no
    # credential (Kodi, VLC, a casting device), as TubeArchivist's DISABLE_STATIC_AUTH
    # backup_rotate: how many automatic backups (functions.services.backups) are kept, 0: all (TubeArchivist's
    # run_backup `rotate`); reindex_days: check_reindex refreshes what was last refreshed that long ago (its `days`)
    "application": {"enable_snapshot": True, "disable_static_auth": False, "backup_rotate": 5, "reindex_days": 90},
    "scheduler": DEFAULT_SCHEDULES,
}
# Each schedule's job: its handler in functions/jobs/triggers.py, and its EventBridge rule's name after the
# stage's SCHEDULE_RULE_PREFIX (infra/merge.py).
SCHEDULE_HANDLERS = {
    "update_subscribed": "rescan",
    "run_snapshot": "daily_snapshot",
    "autodelete": "autodelete",
    "run_backup": "scheduled_backup",
    "download_pending": "download_pending",
    "check_reindex": "check_reindex",
    "thumbnail_check": "thumbnail_check",
    "version_check": "version_check",
}


def schedule_rule_prefix(stage: str) -> str:
    return f"ytarchive-{stage}-schedule-"


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
    cors_origins: tuple[str, ...]  # web origins besides browser extensions that may call the TA API
    snapshot_queue_url: str
    sponsorblock_url: str
    version_feed_url: str  # the release feed the version check reads (functions.services.version_check)
    membership_url: str  # TubeArchivist's members platform (sponsors' real-time notifications)
    refresh_queue_url: str
    notify_topic_arn: str
    lookup_function: str
    hmac_key: str
    hmac_secret_id: str
    cookie_secret_id: str
    public_invidious: bool
    trusted_origins: tuple[str, ...]
    login_failures_per_user: int
    login_failures_per_client: int
    login_lockout_seconds: int
    password_hash_slots: int
    proxy_secret_id: str
    # The stack's download task for videos too large for the download function (infra/fargate.yaml); empty: none.
    fargate_cluster: str
    fargate_task_definition: str
    fargate_subnets: tuple[str, ...]
    fargate_security_groups: tuple[str, ...]
    media_delivery: str  # "s3" (presigned S3 URLs) or "cloudfront" (signed URLs of the media distribution)
    media_domain: str
    media_distribution_id: str  # the functions that rewrite media objects in place drop its cached copies; "": none
    media_key_secret_id: str
    media_key_ids: tuple[str, ...]
    schedule_rule_prefix: str  # the stage's EventBridge schedule rules, + a job's handler (infra/merge.py); "": none


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = os.environ.get
    stage = env("APP_STAGE", "local")
    table_prefix = env("TABLE_PREFIX", f"ytarchive-{stage}-")
    return Settings(
        stage=stage,
        region=env("AWS_DEFAULT_REGION") or env("AWS_REGION") or "us-east-1",
        table_prefix=table_prefix,
        media_bucket=env("MEDIA_BUCKET", f"ytarchive-{stage}-media"),
        download_queue_url=env("DOWNLOAD_QUEUE_URL", ""),
        default_page_size=int(env("DEFAULT_PAGE_SIZE", "12")),
        presign_seconds=int(env("PRESIGN_SECONDS", "900")),
        session_days=int(env("SESSION_DAYS", "30")),  # TA sessions and Invidious SIDs
        max_body_bytes=int(env("MAX_BODY_BYTES", str(1024 * 1024))),
        cors_origins=tuple(o.strip().rstrip("/") for o in env("CORS_ORIGINS", "").split(",") if o.strip()),
        snapshot_queue_url=env("SNAPSHOT_QUEUE_URL", ""),  # empty: looked up by name (the local stage)
        sponsorblock_url=env("SPONSORBLOCK_URL", "https://sponsor.ajay.app").rstrip("/"),
        version_feed_url=env("VERSION_FEED_URL", "https://pypi.org/pypi/yt-dlp/json"),
        membership_url=env("MEMBERSHIP_URL", "https://members.tubearchivist.com").rstrip("/"),
        refresh_queue_url=env("REFRESH_QUEUE_URL", ""),  # empty: looked up by name (the local stage)
        notify_topic_arn=env("NOTIFY_TOPIC_ARN", ""),  # empty: found by name (the local stage)
        lookup_function=env("LOOKUP_FUNCTION", ""),  # empty: the lookup runs in this process (local stage, tests)
        hmac_key=env("HMAC_KEY", ""),  # the Invidious tokens' key itself (local run, tests), else the secret's:
        hmac_secret_id=env("HMAC_SECRET_ID", ""),
        cookie_secret_id=env("COOKIE_SECRET_ID") or f"{table_prefix}cookie",  # the stage's secret by name
        # The public Invidious API without credentials: on in the local run (it listens on loopback only); a
        # deployed stage opens it only when its owner sets PUBLIC_INVIDIOUS=true (README: Privacy).
        public_invidious=env("PUBLIC_INVIDIOUS", "true" if stage == "local" else "false").lower() == "true",
        # Origins besides the request's own whose pages may write with the session cookies (comma-separated).
        trusted_origins=tuple(o.strip() for o in env("TRUSTED_ORIGINS", "").split(",") if o.strip()),
        login_failures_per_user=int(env("LOGIN_FAILURES_PER_USER", "5")),
        login_failures_per_client=int(env("LOGIN_FAILURES_PER_CLIENT", "20")),
        login_lockout_seconds=int(env("LOGIN_LOCKOUT_SECONDS", "900")),
        password_hash_slots=int(env("PASSWORD_HASH_SLOTS", "2")),  # argon2 runs at once in one process (64 MiB each)
        proxy_secret_id=env("PROXY_SECRET_ID") or f"{table_prefix}proxy",
        fargate_cluster=env("FARGATE_CLUSTER", ""),
        fargate_task_definition=env("FARGATE_TASK_DEFINITION", ""),
        fargate_subnets=_names(env("FARGATE_SUBNETS", "")),
        fargate_security_groups=_names(env("FARGATE_SECURITY_GROUPS", "")),
        # Deployed stages hand out CloudFront signed URLs (infra/resources.yaml's MediaDistribution, its key group's
        # public keys by slot, the private keys in the secret infra/deploy.py writes); the local run and tests S3's.
        media_delivery=env("MEDIA_DELIVERY", "s3"),
        media_domain=env("MEDIA_DOMAIN", ""),
        media_distribution_id=env("MEDIA_DISTRIBUTION_ID", ""),
        media_key_secret_id=env("MEDIA_KEY_SECRET_ID") or f"{table_prefix}media-key",
        media_key_ids=tuple(k.strip() for k in env("MEDIA_KEY_IDS", "").split(",") if k.strip()),
        schedule_rule_prefix=env("SCHEDULE_RULE_PREFIX", ""),
    )


def _names(text: str) -> tuple[str, ...]:
    """A comma-separated list of names, blanks left out."""
    return tuple(name for name in text.split(",") if name)


def merge_config(defaults: dict, stored: dict) -> dict:
    """`defaults` with the stored overrides on top, key by key inside nested sections."""
    merged = {}
    for key, value in defaults.items():
        if isinstance(value, dict):
            merged[key] = merge_config(value, stored.get(key) or {})
        else:
            merged[key] = stored.get(key, value)
    return merged
