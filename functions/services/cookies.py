"""The YouTube cookie: a Netscape cookies.txt text that yt-dlp sends for every extraction and download.

It is a credential: it lives only in the stage's Secrets Manager secret (COOKIE_SECRET_ID, encrypted with KMS
at rest), as `{"cookie": "<text>"}` (`{}` when there is none), and no endpoint ever returns it. Whether it works is
checked by reading the account's Liked Videos (`LL`) through the adapter, in the lookup function
(functions/jobs/lookup.py), since the API function does not run yt-dlp; the outcome is stored (AppSetting
`cookie`), as is a rejection any job meets later, so GET /api/cookie/ tells the truth.
"""

import json
import time

from pynamodb.exceptions import DoesNotExist

from functions.core.dates import now
from functions.core.settings import get_settings
from functions.services import app_settings
from functions.storage import aws
from functions.storage.models import AppSetting
from functions.youtube import ytdlp

STATE = "cookie"  # the AppSetting item holding the validation state
LIKED_VIDEOS = "LL"
EMPTY = "{}"
MAX_COOKIE_BYTES = 64 * 1024  # Secrets Manager holds at most 64 KB

# ---------------------------------------------------------------- the secret


def stored_cookie() -> str | None:
    """The stored cookie text, whether or not the app is set to use it."""
    return aws.read_secret_field(get_settings().cookie_secret_id, "cookie")


def current_cookie(config: dict | None = None) -> str | None:
    """The cookie yt-dlp must send (every extraction and download): the stored one while the app uses it
    (downloads.cookie_import), else None."""
    config = config if config is not None else app_settings.current()
    if not config["downloads"].get("cookie_import"):
        return None
    return stored_cookie()


def store(cookie: str) -> None:
    """Keep a new cookie (not yet validated) and use it."""
    from functions.core.errors import BadRequest, PayloadTooLarge

    if not isinstance(cookie, str) or not cookie.strip():
        raise BadRequest("cookie must be the text of a Netscape cookies.txt file")
    if len(cookie.encode()) > MAX_COOKIE_BYTES - 32:
        raise PayloadTooLarge(f"the cookie is larger than {MAX_COOKIE_BYTES // 1024} KB")
    aws.write_secret(get_settings().cookie_secret_id, json.dumps({"cookie": cookie}))
    app_settings.update({"downloads": {"cookie_import": True}})  # TubeArchivist turns it on with an import
    _write_state({"status": False, "validated": None, "message": "not validated yet"})


def revoke() -> None:
    """Forget the cookie and stop using it."""
    aws.write_secret(get_settings().cookie_secret_id, EMPTY)
    app_settings.update({"downloads": {"cookie_import": False}})
    _write_state({"status": False, "validated": None, "message": "no cookie"})


# ---------------------------------------------------------------- validation state


def _write_state(state: dict) -> None:
    AppSetting(STATE, value=state).save()


def state() -> dict:
    try:
        return AppSetting.get(STATE).value.as_dict()
    except DoesNotExist:
        return {}


def record_validation(valid: bool, message: str | None = None) -> None:
    """Store the outcome of a validation, or a rejection a job met (an expired cookie)."""
    _write_state({"status": valid, "validated": now(), "message": (message or "")[:500] or None})


def check(cookie: str | None) -> tuple[bool, str]:
    """Whether YouTube accepts the cookie: it must let yt-dlp read the account's Liked Videos. Runs yt-dlp
    (lookup function). (valid, why not)."""
    if not cookie:
        return False, "no cookie stored"
    try:
        ytdlp.playlist_info(LIKED_VIDEOS, cookie, limit=1)
    except ytdlp.YtDlpError as error:
        return False, error.message
    return True, ""


def status(config: dict) -> dict:
    """GET /api/cookie/: never the cookie itself."""
    current = state()
    validated = current.get("validated")
    body = {
        "cookie_enabled": bool(config["downloads"].get("cookie_import")),
        "status": bool(current.get("status")),
        "validated": int(validated) if validated else False,
        "validated_str": _date_str(int(validated)) if validated else False,
    }
    if current.get("message") and not current.get("status"):
        body["message"] = current["message"]
    return body


def _date_str(stamp: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(stamp))
