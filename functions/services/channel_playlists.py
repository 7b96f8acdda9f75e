"""A channel's playlists archived with it: the channel overwrite `index_playlists`, as TubeArchivist has it.

For a channel with the overwrite on, the rescan (functions.services.rescan) lists the channel's playlists tab once
(functions.youtube.ytdlp.channel_playlists), archives each playlist the archive does not have as a queued playlist
URL is archived (functions.services.archive.playlists.index: metadata and entries, not subscribed, its videos not
queued) and refreshes those it has (functions.services.refresh.refresh_playlist). Playlists the rescan reads anyway
(the subscribed ones) are left to their own step.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from functions.services import refresh
from functions.services.archive import playlists
from functions.storage import db
from functions.storage.models import Channel, Playlist
from functions.youtube import ytdlp

OVERWRITE = "index_playlists"


def wanted(channel: Channel) -> bool:
    """Whether the channel's playlists are archived with it."""
    return bool(channel.channel_overwrites and channel.channel_overwrites.as_dict().get(OVERWRITE))


@dataclass
class Synced:
    """What one channel's playlists tab gave: the playlists archived now, those refreshed, what failed, and the
    playlists each listed video is in."""

    indexed: list[str] = field(default_factory=list)
    refreshed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    memberships: dict[str, list[str]] = field(default_factory=dict)  # youtube_id -> playlist ids

    def listed(self, playlist_id: str, entries: list[dict]) -> None:
        for row in entries:
            self.memberships.setdefault(row["youtube_id"], []).append(playlist_id)


def sync(
    channel_id: str,
    cookie: str | None,
    skip: Iterable[str] = (),
    report: Callable[[str], None] | None = None,
) -> Synced:
    """Archive the channel's playlists not yet archived and refresh the others (but `skip`). A playlist (or the
    tab) yt-dlp cannot read is reported in `errors` and the others still done; a refused cookie is raised, as
    every later read would meet it too. `report` gets a line before each playlist."""
    synced = Synced()
    try:
        listed = ytdlp.channel_playlists(channel_id, cookie)
    except ytdlp.CookieRejected:
        raise
    except ytdlp.YtDlpError as error:
        synced.errors.append(f"channel {channel_id} playlists: {error.message}")
        return synced
    skipped = set(skip)
    todo = [row for row in listed if row["playlist_id"] not in skipped]
    (archived,) = db.batch_get((Playlist, [row["playlist_id"] for row in todo]))
    for done, row in enumerate(todo):
        playlist_id = row["playlist_id"]
        if report is not None:
            report(f"Playlist {row['playlist_name']} ({done + 1}/{len(todo)})")
        try:
            if playlist_id in archived:
                outcome, entries = refresh.refresh_playlist(playlist_id, cookie)
                if outcome == refresh.Outcome.REFRESHED:
                    synced.refreshed.append(playlist_id)
            else:
                info = ytdlp.playlist_info(playlist_id, cookie)
                playlists.index(info)
                synced.indexed.append(playlist_id)
                entries = info["entries"]
        except ytdlp.CookieRejected:
            raise
        except ytdlp.YtDlpError as error:
            synced.errors.append(f"playlist {playlist_id}: {error.message}")
            continue
        synced.listed(playlist_id, entries)
    return synced
