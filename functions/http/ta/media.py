"""Files: /media/... and /cache/... answer 302 to a short-lived URL of the file (functions.storage.delivery)."""

from typing import TYPE_CHECKING

from chalice import Response

from functions.core import lazy
from functions.core.errors import NotFound
from functions.core.ids import is_channel_id
from functions.http.routing import USER, Call, Router

if TYPE_CHECKING:
    from functions.storage import delivery, s3
else:  # imported when a view first uses them (functions/core/lazy.py)
    delivery, s3 = lazy.modules("functions.storage", "delivery", "s3")

router = Router(__name__)


def _redirect(call: Call, key: str) -> Response:
    call.viewer.confirm()  # a deleted user's key gets no file
    return Response(body="", status_code=302, headers={"Location": delivery.url(key)})


def _checked(name: str, pattern) -> str:
    if not pattern.match(name):
        raise NotFound(f"file {name} not found")
    return name


@router.route("/media/{channel_id}/{filename}", auth=USER)
def media_file(call: Call, channel_id: str, filename: str):
    if not is_channel_id(channel_id):
        raise NotFound(f"file {filename} not found")
    return _redirect(call, f"media/{channel_id}/{_checked(filename, s3.MEDIA_FILE)}")


@router.route("/cache/videos/{shard}/{filename}", auth=USER)
def video_thumb(call: Call, shard: str, filename: str):
    _checked(filename, s3.VIDEO_THUMB)
    key = s3.video_thumb_key(filename[:-4])
    if key != f"cache/videos/{shard}/{filename}":
        raise NotFound(f"file {filename} not found")
    return _redirect(call, key)


@router.route("/cache/channels/{filename}", auth=USER)
def channel_art(call: Call, filename: str):
    return _redirect(call, f"cache/channels/{_checked(filename, s3.CHANNEL_ART)}")


@router.route("/cache/playlists/{filename}", auth=USER)
def playlist_thumb(call: Call, filename: str):
    return _redirect(call, f"cache/playlists/{_checked(filename, s3.PLAYLIST_ART)}")
