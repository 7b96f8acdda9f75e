"""Playlists: /api/playlist/..."""

from typing import TYPE_CHECKING

from msgspec import UNSET

from functions.core import lazy
from functions.core.errors import BadRequest
from functions.http.routing import ADMIN, NO_CONTENT, USER, Call, Router
from functions.http.ta5 import shapes
from functions.schemas import ta_objects as wire
from functions.schemas.ta import PlaylistListQuery
from functions.schemas.ta5 import PlaylistChange, PlaylistDeleteQuery, PlaylistSubscriptions

if TYPE_CHECKING:
    from functions.services.archive import custom_playlists, playlist_filters, playlist_subscriptions, playlists
else:  # imported when a view first uses them (functions/core/lazy.py)
    custom_playlists, playlist_filters, playlist_subscriptions, playlists = lazy.modules(
        "functions.services.archive", "custom_playlists", "playlist_filters", "playlist_subscriptions", "playlists"
    )

router = Router(__name__)


@router.route(
    "/api/playlist",
    auth=USER,
    query=PlaylistListQuery,
    as_v05=shapes.listing,
    returns=wire.Envelope[list[wire.Playlist]],
)
def list_playlists(call: Call):
    """By name; v0.5's `channel`, `subscribed` and `type` narrow the list."""
    return playlist_filters.list_page(call.viewer, call.page(), call.params)


@router.route("/api/playlist", methods=("POST",), auth=ADMIN, body=PlaylistSubscriptions)
def subscribe_playlists(call: Call):
    """v0.5's bulk subscribe of YouTube playlists (ids or URLs): all are checked first; the archived ones are
    subscribed (in `data`), the others archived and subscribed by the task `task_id`."""
    subscribed, task_id = playlist_subscriptions.subscribe_many([row.playlist_id for row in call.body.data])
    message = f"subscribed to {len(subscribed)} playlists"
    if task_id is not None:
        message += "; the others are being archived and subscribed"
    return {
        "message": message,
        "data": [shapes.bare(playlists.detail(call.viewer, playlist.playlist_id)) for playlist in subscribed],
        "task_id": task_id,
    }


@router.route("/api/playlist/{playlist_id}", auth=USER, as_v05=shapes.bare, returns=wire.Envelope[wire.Playlist])
def get_playlist(call: Call, playlist_id: str):
    return playlists.detail(call.viewer, playlist_id)


@router.route("/api/playlist/{playlist_id}", methods=("POST",), auth=ADMIN, body=PlaylistChange, as_v05=shapes.bare)
def change_playlist(call: Call, playlist_id: str):
    """v0.5's subscription and sort order of an archived YouTube playlist; the playlist after them. A body naming
    neither is 400, as TubeArchivist answers it."""
    body = call.body
    if body.playlist_subscribed is UNSET and body.playlist_sort_order is UNSET:
        raise BadRequest("expect playlist_subscribed or playlist_sort_order")
    if body.playlist_subscribed is not UNSET:
        playlist_subscriptions.set_subscribed(playlist_id, body.playlist_subscribed)
    if body.playlist_sort_order is not UNSET:
        playlist_subscriptions.set_sort_order(playlist_id, body.playlist_sort_order)
    return playlists.detail(call.viewer, playlist_id)


@router.route(
    "/api/playlist/{playlist_id}", methods=("DELETE",), auth=ADMIN, query=PlaylistDeleteQuery, returns=NO_CONTENT
)
def delete_playlist(call: Call, playlist_id: str):
    """v0.5's removal of a playlist (`?delete_videos=true`: its archived videos too): 204 in either dialect."""
    custom_playlists.delete(playlist_id, call.params.delete_videos)
    return shapes.no_content()


@router.route(
    "/api/playlist/{playlist_id}/video", auth=USER, as_v05=shapes.listing, returns=wire.Envelope[list[wire.Video]]
)
def playlist_videos(call: Call, playlist_id: str):
    return playlists.videos_page(call.viewer, playlist_id, call.page())
