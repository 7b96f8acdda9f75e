"""Playlists: /api/playlist/..."""

from functions.http.routing import USER, Call, Router
from functions.http.ta5 import shapes
from functions.services.archive import playlists

router = Router(__name__)


@router.route("/api/playlist", auth=USER, as_v05=shapes.listing)
def list_playlists(call: Call):
    return playlists.list_page(call.viewer, call.page())


@router.route("/api/playlist/{playlist_id}", auth=USER, as_v05=shapes.bare)
def get_playlist(call: Call, playlist_id: str):
    return playlists.detail(call.viewer, playlist_id)


@router.route("/api/playlist/{playlist_id}/video", auth=USER, as_v05=shapes.listing)
def playlist_videos(call: Call, playlist_id: str):
    return playlists.videos_page(call.viewer, playlist_id, call.page())
