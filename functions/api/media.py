"""Files: /media/... and /cache/... answer 302 to a short-lived presigned URL of the S3 object."""

from chalice import Response

from functions import storage
from functions.api.routing import Call, Router
from functions.errors import NotFound
from functions.ids import is_channel_id

router = Router(__name__)


def _redirect(call: Call, key: str) -> Response:
    call.viewer.confirm()  # a deleted user's key gets no file
    return Response(body="", status_code=302, headers={"Location": storage.presigned_url(key)})


def _checked(name: str, pattern) -> str:
    if not pattern.match(name):
        raise NotFound(f"file {name} not found")
    return name


@router.route("/media/{channel_id}/{filename}")
def media_file(call: Call, channel_id: str, filename: str):
    if not is_channel_id(channel_id):
        raise NotFound(f"file {filename} not found")
    return _redirect(call, f"media/{channel_id}/{_checked(filename, storage.MEDIA_FILE)}")


@router.route("/cache/videos/{shard}/{filename}")
def video_thumb(call: Call, shard: str, filename: str):
    _checked(filename, storage.VIDEO_THUMB)
    key = storage.video_thumb_key(filename[:-4])
    if key != f"cache/videos/{shard}/{filename}":
        raise NotFound(f"file {filename} not found")
    return _redirect(call, key)


@router.route("/cache/channels/{filename}")
def channel_art(call: Call, filename: str):
    return _redirect(call, f"cache/channels/{_checked(filename, storage.CHANNEL_ART)}")


@router.route("/cache/playlists/{filename}")
def playlist_thumb(call: Call, filename: str):
    return _redirect(call, f"cache/playlists/{_checked(filename, storage.PLAYLIST_ART)}")
