"""Archiving a YouTube playlist as yt-dlp read it (ytdlp.playlist_info) with its thumbnail: the thumbnail its page
links is fetched into S3 (archiving.store_playlist_thumbnail), then the playlist stored (playlists.index). The
download function calls it for a queued playlist URL (functions.services.downloads.worker.expand) and for one
subscribed to before the archive held it (v0.5's `POST /api/playlist/`, functions.jobs.refresh), the rescan for
a channel's playlists (functions.services.channel_playlists); a refresh updates a stored playlist itself
(functions.services.refresh)."""

import tempfile
from pathlib import Path

from functions.services.archive import archiving, playlists
from functions.storage.models import Playlist


def index(info: dict, cookie: str | None, subscribed: bool = False) -> Playlist:
    with tempfile.TemporaryDirectory(prefix="playlist-") as workdir:
        thumb = archiving.store_playlist_thumbnail(
            info["playlist_id"], info["playlist_thumbnail_url"], Path(workdir), cookie, known=False
        )
    return playlists.index(info, subscribed, thumb)
