"""TubeArchivist's members platform (sponsors get real-time notifications of new uploads of the channels they
sync there): the admin's API key for it, the profile it shows, and the sync of the subscribed channels.

The key is stored as the AppSetting `membership` (as TubeArchivist keeps it in Redis) and shown back to admins;
the platform is `settings.membership_url`. Its answers are passed on as TubeArchivist v0.5 does: a refusal or a
connection failure is a BadRequest with the platform's `detail`, so the settings page shows why.
"""

import json
import urllib.error
import urllib.request

import msgspec
from pynamodb.exceptions import DoesNotExist

from functions.core.errors import BadRequest
from functions.core.settings import get_settings
from functions.schemas.ta5 import MembershipProfile
from functions.services.archive import channel_overwrites
from functions.storage import db
from functions.storage.models import SUBSCRIBED, AppSetting, Channel

ITEM = "membership"
TIMEOUT_SECONDS = 30
MAX_TOKEN_LENGTH = 200
# the kinds of uploads the platform notifies, and the app's scan size of each (0: not scanned)
NOTIFY = {
    "notify_videos": "channel_size",
    "notify_streams": "live_channel_size",
    "notify_shorts": "shorts_channel_size",
}


def token() -> str | None:
    try:
        return AppSetting.get(ITEM, consistent_read=True).value.as_dict().get("token")
    except DoesNotExist:
        return None


def store_token(value: str) -> str:
    key = value.strip()
    if not key:
        raise BadRequest("token: this field may not be blank")
    # it is sent as an HTTP header: printable ASCII without spaces, as the platform's keys are
    if len(key) > MAX_TOKEN_LENGTH or not key.isascii() or not key.isprintable() or " " in key:
        raise BadRequest(f"token: at most {MAX_TOKEN_LENGTH} printable ASCII characters without spaces")
    AppSetting(ITEM, value={"token": key}).save()
    return key


def forget_token() -> None:
    AppSetting(ITEM).delete()


def _call(method: str, path: str, body=None) -> tuple[int, object]:
    """(status, decoded JSON) of one request to the platform with the stored key; BadRequest without a key or
    when the platform does not answer JSON."""
    key = token()
    if not key:
        raise BadRequest("expected MB_API_KEY")
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Token {key}", "Content-Type": "application/json", "Accept": "application/json"}
    request = urllib.request.Request(get_settings().membership_url + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:  # ValueError: a URL it cannot send
        raise BadRequest(f"Connection to remote server failed: {error}") from None
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        raise BadRequest(f"Connection to remote server failed: {status}") from None


def _refused(status: int, answer) -> BadRequest:
    detail = answer.get("detail") if isinstance(answer, dict) else None
    return BadRequest(detail or f"Connection to remote server failed: {status}")


def profile() -> MembershipProfile:
    """The sponsor's profile on the platform."""
    status, answer = _call("GET", "/api/profile/me/")
    if status != 200:
        raise _refused(status, answer)
    try:
        return msgspec.convert(answer, MembershipProfile)
    except msgspec.ValidationError as error:
        raise BadRequest(f"the members platform answered an unexpected profile: {error}") from None


def channels_to_sync(config: dict) -> list[dict]:
    """The subscribed channels with the kinds of uploads to notify: the tabs the rescan lists of each (the app's
    sizes, or the channel's overwrites of them: 0 is not scanned)."""
    ids = [key.channel_id for key in Channel.by_subscription.query(SUBSCRIBED)]
    (found,) = db.batch_get((Channel, ids))
    synced = []
    for channel_id in ids:
        sizes = channel_overwrites.effective_config(config, found.get(channel_id)).get("subscriptions") or {}
        synced.append({"channel_id": channel_id, **{field: sizes.get(size) != 0 for field, size in NOTIFY.items()}})
    return synced


def sync(config: dict) -> None:
    """Send the subscribed channels; the platform drops those no longer sent (`delete=true`)."""
    status, answer = _call("POST", "/api/profile/subscription/?delete=true", channels_to_sync(config))
    if not 200 <= status < 300:
        raise _refused(status, answer)
