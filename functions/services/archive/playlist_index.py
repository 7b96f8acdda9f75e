"""Storing a YouTube playlist as yt-dlp read it (ytdlp.playlist_info): its metadata, its entries in the
playlist's sort order and its thumbnail. The download function calls it for a playlist queued for download
(functions.services.downloads.worker.expand) and for one subscribed to before the archive held it (v0.5's
`POST /api/playlist/`, functions.jobs.refresh); a refresh updates a stored playlist itself
(functions.services.refresh)."""

import tempfile
from pathlib import Path

from pynamodb.exceptions import DoesNotExist

from functions.core.dates import today
from functions.services.archive import archiving, playlists
from functions.storage.models import Playlist


def store(info: dict, cookie: str | None, subscribe: bool = False) -> Playlist:
    """The playlist stored from yt-dlp's `info`; one stored before keeps its subscription and sort order
    (`subscribe`: subscribed now)."""
    playlist_id = info["playlist_id"]
    try:
        stored: Playlist | None = Playlist.get(playlist_id)
    except DoesNotExist:
        stored = None
    with tempfile.TemporaryDirectory(prefix="playlist-") as workdir:
        thumb = archiving.store_playlist_thumbnail(
            playlist_id, info["playlist_thumbnail_url"], Path(workdir), cookie, bool(stored and stored.playlist_thumb)
        )
    playlist = Playlist(
        playlist_id,
        playlist_name=info["playlist_name"],
        playlist_channel=info["playlist_channel"],
        playlist_channel_id=info["playlist_channel_id"],
        playlist_description=info["playlist_description"],
        playlist_last_refresh=today(),  # its page was just read, as a refresh reads it
        playlist_subscribed=subscribe or bool(stored and stored.playlist_subscribed),
        playlist_sort_order=stored.playlist_sort_order if stored else None,
        playlist_thumb=thumb,
    )
    playlists.save(playlist, playlists.in_sort_order(playlist, playlists.listing(info["entries"])))
    return playlist
