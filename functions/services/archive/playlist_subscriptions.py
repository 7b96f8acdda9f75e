"""Subscribing to an archived YouTube playlist (v0.5's `POST /api/playlist/<id>/`): the rescan then queues its new
entries (functions.services.rescan reads the subscription index). The subscription counters move with the write."""

from functions.core.errors import BadRequest
from functions.services.archive import playlists
from functions.services.archive.custom_playlists import CUSTOM
from functions.storage.models import Playlist
from functions.youtube import urls


def set_subscribed(playlist_id: str, subscribed: bool) -> Playlist:
    """404 for a playlist the archive does not hold, 400 for a custom one (nothing to rescan)."""
    return change(playlist_id, subscribed, None)


def change(playlist_id: str, subscribed: bool | None, sort_order: str | None) -> Playlist:
    """Set what is given of the subscription and the sort order (`top`, `bottom`: how its entries are listed);
    400 when neither is, or for a custom playlist, 404 for one the archive does not hold."""
    if subscribed is None and sort_order is None:
        raise BadRequest("expect playlist_subscribed or playlist_sort_order")
    playlist = playlists.get(playlist_id)
    if playlist.playlist_type == CUSTOM:
        raise BadRequest(f"playlist with ID {playlist_id} is custom")
    changed = False
    if subscribed is not None and playlist.playlist_subscribed != subscribed:
        playlist.playlist_subscribed, changed = subscribed, True
    if sort_order is not None and (playlist.playlist_sort_order or "top") != sort_order:
        playlist.playlist_sort_order, changed = sort_order, True
    if changed:
        playlists.store(playlist)
    return playlist


def subscribe_many(ids_or_urls: list[str]) -> list[Playlist]:
    """v0.5's bulk subscribe: every playlist named is checked (a YouTube playlist the archive holds: queue it
    for download first to archive it) before any is subscribed."""
    wanted = []
    for text in ids_or_urls:
        target = urls.parse_target(text.strip())
        if target.kind != urls.PLAYLIST or not target.youtube_id:
            raise BadRequest(f"not a playlist: {text[:80]!r}")
        wanted.append(target.youtube_id)
    if not wanted:
        raise BadRequest("nothing to subscribe")
    for playlist_id in wanted:
        playlists.get(playlist_id)  # 404 before anything changes
    return [set_subscribed(playlist_id, True) for playlist_id in dict.fromkeys(wanted)]
