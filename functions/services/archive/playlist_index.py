"""Archiving a YouTube playlist as yt-dlp read it (ytdlp.playlist_info) with its thumbnail: the thumbnail its page
links is fetched into S3 (archiving.store_playlist_thumbnail), then the playlist stored (playlists.index). The
download function calls it for a queued playlist URL (functions.services.downloads.worker.expand) and for one
subscribed to before the archive held it (v0.5's `POST /api/playlist/`, functions.jobs.refresh), the rescan for
a channel's playlists (functions.services.channel_playlists); a refresh updates a stored playlist itself
(functions.services.refresh)."""

import tempfile
from pathlib import Path

from functions.core.ids import is_channel_id, is_playlist_id
from functions.services.archive import archiving, playlists
from functions.storage.models import Playlist
from functions.youtube import ytdlp


def index(info: dict, cookie: str | None, subscribed: bool = False) -> Playlist:
    """Store the playlist, and its channel when the archive has none yet (as TubeArchivist indexes a playlist's
    channel with it: a playlist subscribed to before any of its channel's videos were archived names a channel
    the archive shows)."""
    with tempfile.TemporaryDirectory(prefix="playlist-") as workdir:
        if is_channel_id(info["playlist_channel_id"]):
            channel = {"channel_id": info["playlist_channel_id"], "channel": info["playlist_channel"]}
            archiving.ensure_channel(channel, Path(workdir), cookie)
        thumb = archiving.store_playlist_thumbnail(
            info["playlist_id"], info["playlist_thumbnail_url"], Path(workdir), cookie, known=False
        )
    return playlists.index(info, subscribed, thumb)


def subscribe(playlist_ids: list[str], cookie: str | None) -> tuple[list[str], list[str]]:
    """Archive and subscribe the playlists (v0.5's `subscribe_to` task); their videos are left to the rescan. The
    ids done, and what could not be read (a playlist YouTube no longer has, a page yt-dlp cannot read). A
    rejected cookie or a bot check raises, for the message to be tried again."""
    done, errors = [], []
    for playlist_id in playlist_ids:
        if not is_playlist_id(playlist_id):
            errors.append(f"{str(playlist_id)[:80]!r}: not a playlist id")
            continue
        try:
            info = ytdlp.playlist_info(playlist_id, cookie)
        except (ytdlp.CookieRejected, ytdlp.BotCheck):
            raise
        except ytdlp.YtDlpError as error:
            errors.append(f"{playlist_id}: {error.message}")
            continue
        index(info, cookie, subscribed=True)
        done.append(playlist_id)
    return done, errors
