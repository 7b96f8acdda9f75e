"""Rescanning subscriptions: the newest videos of subscribed channels and playlists, queued when new.

For each subscribed channel, the latest N videos of each tab are listed flat (N from the app config:
subscriptions.channel_size for videos, shorts_channel_size, live_channel_size, or the channel's overwrites of
them, functions.services.archive.channel_overwrites; 0 skips the tab); for each
subscribed playlist, all its entries. What is neither archived nor queued goes to the download queue
(functions.services.downloads.intake.add_entries skips the rest), and is started at once when
subscriptions.auto_start is on. A channel with the `index_playlists` overwrite has its playlists archived and
refreshed in its step (functions.services.channel_playlists). Only one rescan runs at a time
(functions.services.tasks holds the lock, with a lease, so a crashed run frees it).
"""

from collections.abc import Callable

from functions.core import logs
from functions.core.errors import BadRequest
from functions.schemas.tasks import TaskRunStarted
from functions.services import app_settings, channel_playlists, cookies, network, refresh, task_runs, tasks
from functions.services.archive import channel_overwrites
from functions.services.downloads import intake
from functions.storage import aws
from functions.storage.models import SUBSCRIBED, Channel, Playlist
from functions.youtube import urls, ytdlp

log = logs.logger(__name__)
LEASE_SECONDS = 960  # the rescan function's timeout (.chalice/config.json) and a minute
DEFAULT_SIZE = 50
TAB_SIZES = {"videos": "channel_size", "shorts": "shorts_channel_size", "streams": "live_channel_size"}


def tab_sizes(subscriptions: dict) -> dict[str, int]:
    """How many of the newest videos to look at per channel tab; tabs set to 0 are left out."""
    sizes = {}
    for tab, setting in TAB_SIZES.items():
        value = subscriptions.get(setting)
        size = DEFAULT_SIZE if value is None else int(value)
        if size > 0:
            sizes[tab] = size
    return sizes


def request(task_id: str | None = None) -> bool:
    """Ask the refresh function for a rescan (POST /api/task/), as the run `task_id` when the API recorded one
    (functions.services.task_runs); False when one is running already."""
    if not tasks.request(tasks.RESCAN, LEASE_SECONDS):
        return False
    aws.send(aws.REFRESH, [{"action": refresh.RESCAN, **({"task_id": task_id} if task_id else {})}])
    return True


def request_run() -> TaskRunStarted:
    """Ask for a rescan as a new run (POST /api/task/by-name/update_subscribed/), unless one runs or was asked for
    already: then that one, as TubeArchivist answers."""
    name = task_runs.UPDATE_SUBSCRIBED
    if not tasks.is_busy(tasks.RESCAN):
        (task_id,) = task_runs.queue(name)
        if request(task_id):
            return TaskRunStarted(task_id=task_id, status="PENDING")
        task_runs.forget(task_id)  # nothing was sent: another request came between
    running = task_runs.latest(name, task_runs.STARTED) or task_runs.latest(name, task_runs.PENDING)
    if running is None:  # the schedule's rescan, its run not recorded yet
        raise BadRequest("Rescan already in progress.")
    return TaskRunStarted(
        task_id=running.task_id,
        status="STARTED" if running.status == task_runs.STARTED else "PENDING",
        message="Rescan already in progress.",
    )


def run(progress: task_runs.Run | None = None) -> dict | None:
    """One rescan, unless another holds the task (None then). {"added", "errors"}. With the run's `progress`
    handle, each step is reported on it and a stop asked for ends the rescan before the next step."""
    owner = tasks.acquire(tasks.RESCAN, LEASE_SECONDS)
    if owner is None:
        log.info("a rescan is running already")
        return None
    summary, failure = None, None
    try:
        summary = scan(owner, progress)
    except Exception as error:
        failure = str(error) or type(error).__name__
        raise
    finally:
        errors = summary["errors"] if summary else []
        tasks.release(tasks.RESCAN, owner, failure or ("; ".join(errors) if errors else None))
    return summary


def scan(owner: str, progress: task_runs.Run | None = None) -> dict:
    config = app_settings.current()
    auto_start = bool(config["subscriptions"].get("auto_start"))
    cookie = cookies.current_cookie(config)
    network.apply(config)
    channel_ids = [key.channel_id for key in Channel.by_subscription.query(SUBSCRIBED)]
    playlist_ids = [key.playlist_id for key in Playlist.by_subscription.query(SUBSCRIBED)]
    work = [(refresh.CHANNEL, i) for i in channel_ids] + [(refresh.PLAYLIST, i) for i in playlist_ids]
    added, errors, indexed = [], [], []
    for done, (kind, item_id) in enumerate(work):
        tasks.report(tasks.RESCAN, owner, 100.0 * done / len(work), f"{kind} {item_id}")
        step = f"Scanning {kind} {item_id} ({done + 1}/{len(work)})"
        if progress is not None:
            if progress.stop_asked():
                break
            progress.progress([step], done / len(work))
        try:
            if kind == refresh.CHANNEL:
                report = _reporter(progress, step, done / len(work))
                groups, synced = channel_work(item_id, config, cookie, playlist_ids, report)
                indexed += synced.indexed if synced else []
                errors += synced.errors if synced else []
            else:
                groups = [(refresh.refresh_playlist(item_id, cookie)[1], [item_id])]
        except ytdlp.CookieRejected as error:
            cookies.record_validation(False, error.message)
            errors.append(f"{kind} {item_id}: {error.message}")
            continue
        except ytdlp.YtDlpError as error:
            errors.append(f"{kind} {item_id}: {error.message}")
            continue
        for rows, playlists in groups:
            added += intake.add_entries(rows, auto_start, playlists=playlists)["added"]
    if auto_start and added:
        intake.start(added)
    if progress is not None:
        found = [f"Found {len(added)} videos to add to the queue."] if added else []
        found += [f"Indexed {len(indexed)} new playlists."] if indexed else []
        progress.result = " ".join(found) or None
    return {"added": added, "errors": errors, "playlists_indexed": indexed}


def _reporter(progress: task_runs.Run | None, step: str, fraction: float) -> Callable[[str], bool] | None:
    """A channel's playlist lines under its rescan step, on the run's progress; a stop asked for ends the
    channel's playlists before the next one (and then the rescan)."""
    if progress is None:
        return None

    def report(line: str) -> bool:
        progress.progress([step, line], fraction)
        return not progress.stop_asked()

    return report


def channel_work(
    channel_id: str,
    config: dict,
    cookie: str | None,
    subscribed_playlists: list[str],
    report: Callable[[str], bool] | None,
) -> tuple[list[tuple[list[dict], list[str] | None]], channel_playlists.Synced | None]:
    """A channel's step: its newest videos, grouped by the playlists they are in, to queue; and, with the
    `index_playlists` overwrite, what archiving its playlists did (None without it). The playlists are read
    before the videos are queued, so a video queued now remembers them and its download marks their entries."""
    try:
        channel = Channel.get(channel_id)
    except Channel.DoesNotExist:
        return [], None  # removed meanwhile
    sizes = tab_sizes(channel_overwrites.effective_config(config, channel)["subscriptions"])
    rows = channel_rows(channel, sizes, cookie)
    if not channel_playlists.wanted(channel):
        return [(rows, None)], None
    synced = channel_playlists.sync(channel_id, cookie, skip=subscribed_playlists, report=report)
    groups: dict[tuple[str, ...], list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(synced.memberships.get(row["youtube_id"], ())), []).append(row)
    return [(grouped, list(key) or None) for key, grouped in groups.items()], synced


def channel_rows(channel: Channel, sizes: dict[str, int], cookie: str | None) -> list[dict]:
    """The newest videos of each tab of a channel; a channel subscribed before it was ever read (no
    channel_last_refresh) gets its metadata first. A tab the channel does not have is skipped; when no tab
    can be read, the first error is raised."""
    channel_id = channel.channel_id
    if channel.channel_last_refresh is None:
        refresh.refresh_channel(channel_id, cookie)
        channel.refresh()
    rows, failures = [], []
    for tab, size in sizes.items():
        try:
            listed = ytdlp.list_entries(urls.channel_url(channel_id, tab), limit=size, cookie=cookie)
        except ytdlp.CookieRejected:
            raise
        except ytdlp.ExtractionFailed as error:
            failures.append(error)
            continue
        for row in listed:
            row.update(channel_id=channel_id, channel_name=row.get("channel_name") or channel.channel_name)
        rows += listed
    if failures and len(failures) == len(sizes):
        raise failures[0]
    return rows
