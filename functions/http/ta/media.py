"""Files: /media/... and /cache/... answer 302 to a short-lived URL of the file (functions.storage.delivery); the
thumbnail of a queued video not stored yet, to YouTube's own (the download function stores it soon after)."""

from typing import TYPE_CHECKING

from chalice import Response

from functions.core import lazy
from functions.core.errors import NotFound
from functions.core.ids import is_channel_id
from functions.http.routing import REDIRECT, USER, Call, Router

if TYPE_CHECKING:
    from functions.services.downloads import items
    from functions.storage import delivery, s3
    from functions.youtube import urls
else:  # imported when a view first uses them (functions/core/lazy.py)
    delivery, s3 = lazy.modules("functions.storage", "delivery", "s3")
    items = lazy.modules("functions.services.downloads", "items")
    urls = lazy.modules("functions.youtube", "urls")

router = Router(__name__)


def _redirect(call: Call, key: str) -> Response:
    call.viewer.confirm()  # a deleted user's key gets no file
    return Response(body="", status_code=302, headers={"Location": delivery.url(key)})


def _checked(name: str, pattern) -> str:
    if not pattern.match(name):
        raise NotFound(f"file {name} not found")
    return name


@router.route("/media/{channel_id}/{filename}", auth=USER, returns=REDIRECT)
def media_file(call: Call, channel_id: str, filename: str):
    if not is_channel_id(channel_id):
        raise NotFound(f"file {filename} not found")
    return _redirect(call, f"media/{channel_id}/{_checked(filename, s3.MEDIA_FILE)}")


@router.route("/cache/videos/{shard}/{filename}", auth=USER, returns=REDIRECT)
def video_thumb(call: Call, shard: str, filename: str):
    _checked(filename, s3.VIDEO_THUMB)
    youtube_id = filename[:-4]
    key = s3.video_thumb_key(youtube_id)
    if key != f"cache/videos/{shard}/{filename}":
        raise NotFound(f"file {filename} not found")
    try:
        return _redirect(call, key)
    except NotFound:
        if not items.is_queued(youtube_id):  # read only on a miss: what the queue lists before its thumbnail is in
            raise
    return Response(body="", status_code=302, headers={"Location": urls.thumbnail_url(youtube_id)})


@router.route("/cache/channels/{filename}", auth=USER, returns=REDIRECT)
def channel_art(call: Call, filename: str):
    return _redirect(call, f"cache/channels/{_checked(filename, s3.CHANNEL_ART)}")


@router.route("/cache/playlists/{filename}", auth=USER, returns=REDIRECT)
def playlist_thumb(call: Call, filename: str):
    return _redirect(call, f"cache/playlists/{_checked(filename, s3.PLAYLIST_ART)}")
