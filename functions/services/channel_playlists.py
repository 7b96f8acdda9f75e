"""A channel's playlists archived with it: the channel overwrite `index_playlists`, as TubeArchivist has it.

For a channel with the overwrite on, the rescan (functions.services.rescan) lists the channel's playlists tab once
(functions.youtube.ytdlp.channel_playlists), archives each playlist the archive does not have as a queued playlist
URL is archived (functions.services.archive.playlist_index: metadata, entries and thumbnail, not subscribed, its
videos not queued) and refreshes those it has (functions.services.refresh.refresh_playlist). Playlists the rescan
reads anyway (the subscribed ones) are left to their own step.

Turning the overwrite on (POST /api/channel/<id>/) also asks for one such pass at once, as TubeArchivist starts its
`index_playlists` task then: `request` records the run and sends it to the refresh function, which does it (`run`).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from functions.services import app_settings, cookies, network, refresh, task_runs
from functions.services.archive import playlist_index
from functions.storage import aws, db
from functions.storage.models import Channel, Playlist
from functions.youtube import ytdlp

OVERWRITE = "index_playlists"
ACTION = "index_playlists"  # the refresh function's message (functions/jobs/refresh.py)


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
    report: Callable[[str], bool] | None = None,
) -> Synced:
    """Archive the channel's playlists not yet archived and refresh the others (but `skip`). A playlist (or the
    tab) yt-dlp cannot read is reported in `errors` and the others still done; a refused cookie is raised, as
    every later read would meet it too. `report` gets a line before each playlist, and answers whether to go on
    (False: a stop was asked for)."""
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
        if report is not None and not report(f"Playlist {row['playlist_name']} ({done + 1}/{len(todo)})"):
            break
        try:
            if playlist_id in archived:
                outcome, entries = refresh.refresh_playlist(playlist_id, cookie)
                if outcome == refresh.Outcome.REFRESHED:
                    synced.refreshed.append(playlist_id)
            else:
                info = ytdlp.playlist_info(playlist_id, cookie)
                playlist_index.index(info, cookie)
                synced.indexed.append(playlist_id)
                entries = info["entries"]
        except ytdlp.CookieRejected:
            raise
        except ytdlp.YtDlpError as error:
            synced.errors.append(f"playlist {playlist_id}: {error.message}")
            continue
        synced.listed(playlist_id, entries)
    return synced


def request(channel_id: str) -> str:
    """Ask the refresh function for a pass over the channel's playlists, as a new run of TubeArchivist's
    `index_playlists` task; the run's id."""
    (task_id,) = task_runs.queue(task_runs.INDEX_PLAYLISTS)
    aws.send(aws.REFRESH, [{"action": ACTION, "id": channel_id, "task_id": task_id}])
    return task_id


def run(channel_id: str, progress: task_runs.Run) -> Synced | None:
    """The pass `request` asked for (None when the channel is no longer archived); its lines and result on the run."""
    try:
        channel = Channel.get(channel_id)
    except Channel.DoesNotExist:
        progress.result = f"channel {channel_id} is not archived"
        return None
    config = app_settings.current()
    network.apply(config)
    head = f"{channel.channel_name or channel_id}: Scanning channel for playlists"
    progress.progress([head])
    try:
        synced = sync(channel_id, cookies.current_cookie(config), report=lambda line: _shown(progress, [head, line]))
    except ytdlp.CookieRejected as error:
        cookies.record_validation(False, error.message)
        raise
    done = f"Indexed {len(synced.indexed)} new playlists, refreshed {len(synced.refreshed)}."
    progress.result = " ".join([done, *synced.errors])
    return synced


def _shown(progress: task_runs.Run, lines: list[str]) -> bool:
    progress.progress(lines)
    return True  # the task cannot be stopped (api_stop false, as TubeArchivist's)
