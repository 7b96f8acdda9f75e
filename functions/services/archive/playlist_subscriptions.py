"""Subscribing to an archived YouTube playlist (v0.5's `POST /api/playlist/<id>/`): the rescan then queues its new
entries (functions.services.rescan reads the subscription index). The subscription counters move with the write."""

from functions.core.errors import BadRequest
from functions.services.archive import playlists
from functions.services.archive.custom_playlists import CUSTOM
from functions.storage.models import Playlist


def set_subscribed(playlist_id: str, subscribed: bool) -> Playlist:
    """404 for a playlist the archive does not hold, 400 for a custom one (nothing to rescan)."""
    playlist = playlists.get(playlist_id)
    if playlist.playlist_type == CUSTOM:
        raise BadRequest(f"playlist with ID {playlist_id} is custom")
    if playlist.playlist_subscribed != subscribed:
        playlist.playlist_subscribed = subscribed
        playlists.store(playlist)
    return playlist
