"""The refresh function: consumes the refresh queue, one message per video, channel or playlist to read again,
the rescans asked for through /api/task/, the passes over a channel's playlists
(functions.services.channel_playlists), the playlists v0.5's bulk subscribe names that the archive does not
hold yet (functions.services.archive.playlist_subscriptions: archived and subscribed as a `subscribe_to` run),
the thumbnail checks (functions.services.thumbnails), the metadata resyncs (functions.services.metadata_sync) and
the version checks (functions.services.version_check).

A refresh that fails (yt-dlp or the network) raises, so SQS delivers the message again; the third failure sends it
to the dead-letter queue, and its RefreshItem is removed then, so /api/refresh/ does not count it forever.
"""

import functools

from functions.core import logs
from functions.core.ids import is_channel_id
from functions.jobs import events
from functions.services import (
    app_settings,
    channel_playlists,
    cookies,
    metadata_sync,
    network,
    rescan,
    task_runs,
    thumbnails,
    version_check,
)
from functions.services import refresh as refresh_service
from functions.services.archive import playlist_index, playlist_subscriptions
from functions.youtube import ytdlp

log = logs.logger(__name__)
MAX_RECEIVES = 3  # the refresh queue's maxReceiveCount (infra/resources.yaml)


def refresh(event):
    """The refresh queue's batch (functions/jobs/triggers.py), a Chalice SQS event."""
    return events.consume(event, handle_record)


def handle_record(record: dict, context=None) -> str:
    return handle(record.get("body"), events.receives(record))


def handle(raw: str | None, receives: int = 1) -> str:
    """One message's body; what was done (for logs and tests)."""
    body = events.body(raw, "action")
    if body["action"] == refresh_service.RESCAN:
        return task_runs.record(task_runs.UPDATE_SUBSCRIBED, rescan_run, body.get("task_id")) or "stopped"
    if body["action"] == channel_playlists.ACTION and is_channel_id(body.get("id")):
        work = functools.partial(channel_playlists.run, body["id"])
        return "indexed" if task_runs.record(task_runs.INDEX_PLAYLISTS, work, body.get("task_id")) else "skipped"
    if body["action"] == playlist_subscriptions.SUBSCRIBE and isinstance(body.get("playlists"), list):
        return task_runs.record(
            task_runs.SUBSCRIBE_TO, lambda run: subscribe_run(body["playlists"], run), body.get("task_id")
        )
    if body["action"] == thumbnails.TASK:
        return "checked" if task_runs.record(thumbnails.TASK, thumbnails_run, body.get("task_id")) else "skipped"
    if body["action"] == metadata_sync.TASK:
        resync = functools.partial(metadata_sync.run_job, message=body)
        return "resynced" if task_runs.record(metadata_sync.TASK, resync, body.get("task_id")) else "skipped"
    if body["action"] == version_check.TASK:
        return version_check_run(body.get("task_id"))
    kind, item_id = body.get("kind"), body.get("id")
    if (
        body["action"] != refresh_service.REFRESH
        or not isinstance(kind, str)
        or kind not in refresh_service.KINDS
        or not isinstance(item_id, str)
        or not refresh_service.ID_CHECKS[kind](item_id)
    ):
        raise events.Malformed(f"unknown action or item: {str(raw)[:200]!r}")
    return task_runs.record(task_runs.CHECK_REINDEX, lambda run: refresh_item(body, kind, item_id, receives, run))


def rescan_run(run: task_runs.Run) -> str:
    if rescan.run(run) is not None:
        return "rescanned"
    run.result = "Rescan already in progress."
    return "busy"


def thumbnails_run(run: task_runs.Run) -> dict | None:
    network.apply(app_settings.current())
    return thumbnails.run_job(run, cookies.current_cookie())


def version_check_run(task_id: str | None) -> str:
    """A version check against the yt-dlp this function runs (the downloads' layer). A feed that cannot be read
    fails the run, recorded so; the message is not delivered again, as the feed would answer the same."""
    installed = ytdlp.versions()["yt_dlp"]
    try:
        done = task_runs.record(version_check.TASK, lambda run: version_check.run_job(run, installed), task_id)
    except version_check.FeedUnreadable:
        return "feed unreadable"
    return "checked" if done else "skipped"


def subscribe_run(playlist_ids: list, run: task_runs.Run) -> str:
    network.apply(app_settings.current())
    done, errors = playlist_index.subscribe(playlist_ids, cookies.current_cookie())
    run.result = f"subscribed to {len(done)} playlists" + (f"; not read: {'; '.join(errors)}" if errors else "")
    return "subscribed"


def refresh_item(body: dict, kind: str, item_id: str, receives: int, run: task_runs.Run) -> str:
    try:
        network.apply(app_settings.current())
        outcome = refresh_service.run_item(kind, item_id, bool(body.get("extract_videos")), cookies.current_cookie())
    except ytdlp.YtDlpError as error:
        if isinstance(error, ytdlp.CookieRejected):
            cookies.record_validation(False, error.message)
        if receives >= MAX_RECEIVES:
            refresh_service.done(kind, item_id)
        log.warning("refresh of %s %s failed (attempt %d): %s", kind, item_id, receives, error.message)
        raise
    except Exception:
        if receives >= MAX_RECEIVES:
            refresh_service.done(kind, item_id)
        raise
    refresh_service.done(kind, item_id)
    run.result = f"{kind} {item_id}: {outcome}"
    return outcome
