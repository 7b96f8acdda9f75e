"""v0.5's custom playlists: /api/playlist/custom/ (create) and /api/playlist/custom/<id>/ (add, remove, move);
admins write, as TubeArchivist's AdminWriteOnly views."""

from typing import TYPE_CHECKING

from functions.core import lazy
from functions.core.dialects import V05
from functions.http.routing import ADMIN, Call, Router
from functions.http.ta5.shapes import bare
from functions.schemas.ta5 import CustomPlaylistChange, CustomPlaylistNew

if TYPE_CHECKING:
    from functions.services.archive import custom_playlists, playlists
else:  # imported when a view first uses them (functions/core/lazy.py)
    custom_playlists, playlists = lazy.modules("functions.services.archive", "custom_playlists", "playlists")

router = Router(__name__, dialect=V05)


@router.route("/api/playlist/custom", methods=("POST",), auth=ADMIN, body=CustomPlaylistNew)
def create_custom(call: Call):
    playlist = custom_playlists.create(call.body.playlist_name)
    return bare(playlists.detail(call.viewer, playlist.playlist_id))


@router.route("/api/playlist/custom/{playlist_id}", methods=("POST",), auth=ADMIN, body=CustomPlaylistChange)
def change_custom(call: Call, playlist_id: str):
    """The playlist after the change; 400 for a playlist from YouTube or a video the archive does not hold."""
    custom_playlists.change(playlist_id, call.body.action, call.body.video_id)
    return bare(playlists.detail(call.viewer, playlist_id))
