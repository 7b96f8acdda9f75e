"""Playlists: /api/playlist/..."""

from typing import TYPE_CHECKING

from functions.core import lazy
from functions.http.routing import USER, Call, Router
from functions.schemas import ta_objects as wire

if TYPE_CHECKING:
    from functions.services.archive import playlists
else:  # imported when a view first uses them (functions/core/lazy.py)
    playlists = lazy.modules("functions.services.archive", "playlists")

router = Router(__name__)


@router.route("/api/playlist", auth=USER, returns=wire.Envelope[list[wire.Playlist]])
def list_playlists(call: Call):
    return playlists.list_page(call.viewer, call.page())


@router.route("/api/playlist/{playlist_id}", auth=USER, returns=wire.Envelope[wire.Playlist])
def get_playlist(call: Call, playlist_id: str):
    return playlists.detail(call.viewer, playlist_id)


@router.route("/api/playlist/{playlist_id}/video", auth=USER, returns=wire.Envelope[list[wire.Video]])
def playlist_videos(call: Call, playlist_id: str):
    return playlists.videos_page(call.viewer, playlist_id, call.page())
