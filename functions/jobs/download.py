"""The download function: consumes the download queue (SQS), one message per video, plus `expand` messages.

A `download` message: the video is downloaded with yt-dlp into a fresh folder under /tmp, uploaded to S3 and
written to the archive (functions.services.archive.archiving), then its queue item is removed. The queue item is
claimed for the message first (functions.services.downloads.worker.claim), so a duplicate message never downloads it
twice at once, and a video already archived is not downloaded again, unless its item asks to replace the archived
copy (v0.5's `force`: functions.services.archive.archiving.archive keeps the copy whole until the new one is in).
A failure keeps the error in the item's `message` and lets the message go back to the queue
(functions/jobs/events.py: the batch's other records are done); after the third receive SQS moves it to the
dead-letter queue (infra/resources.yaml). An `expand` message lists channels and playlists into the queue and
fills in metadata of videos queued by id.

A video too large for this function (functions.services.offload) is handed to a download task, which runs the
same download_video (functions/jobs/download_task.py); the message is then done. However the task stops, a
`task_stopped` message follows (in the cloud from the ECS event an EventBridge rule puts on this queue,
infra/fargate.yaml; locally from the subprocess's exit): a non-zero exit (a failure, a crash, an out-of-memory
kill) leaves its error on the queue item and sends the download back to the queue as the next attempt, after a
delay, until the third has failed. YouTube's bot checks are counted, mark a sent cookie invalid, and hold the
message back longer at each attempt (functions.services.bot_checks).
"""

import os
import tempfile
import time
from collections.abc import Callable

from functions.core import logs
from functions.core.ids import is_video_id
from functions.jobs import events
from functions.services import app_settings, bot_checks, cookies, downloader, network, offload, task_runs
from functions.services.archive import archiving, channel_overwrites
from functions.services.downloads import items, worker
from functions.storage import aws, db
from functions.storage.models import Video
from functions.youtube import media, urls, ytdlp

log = logs.logger(__name__)
MAX_RECEIVES = 3  # the queue's maxReceiveCount: the third failure sends the message to the dead-letter queue
PROGRESS_SECONDS = 1.0  # at most one progress write a second per download
DEFAULT_LEASE_SECONDS = 900  # the function's timeout (.chalice/config.json) when no context tells
RUNS_ON = "lambda" if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") else "local"
TASK_STOPPED = "task_stopped"  # the action of the messages the task-stopped rule sends (infra/fargate.yaml)
TASK_RETRY_SECONDS = 300  # before a failed task's download is tried again (SQS delays at most 900 s)


# ---------------------------------------------------------------- messages


def download(event):
    """The download queue's batch (functions/jobs/triggers.py), a Chalice SQS event."""
    return events.consume(event, handle_record)


def handle_record(record: dict, context=None) -> items.Outcome:
    """One message; what was done (for logs and tests). Raises to have the message delivered again."""
    body = events.body(record.get("body"), "action")
    action = body["action"]
    receives = events.receives(record) + int(body.get("attempt") or 1) - 1  # attempt: sent again by task_stopped
    if action == items.DOWNLOAD and is_video_id(body.get("youtube_id")):
        youtube_id = body["youtube_id"]
        try:
            return (
                task_runs.record(
                    task_runs.DOWNLOAD_PENDING,
                    lambda run: download_video(
                        youtube_id, record["messageId"], receives, lease_seconds(context), run=run
                    ),
                    body.get("task_id"),
                )
                or items.Outcome.SKIPPED
            )  # stopped before it started
        except ytdlp.BotCheck:
            bot_checks.delay_retry(record.get("receiptHandle"), receives)
            raise
    if action == items.EXPAND:
        return task_runs.record(task_runs.EXTRACT_DOWNLOAD, lambda run: expand(body, run)) or items.Outcome.SKIPPED
    if action == TASK_STOPPED:
        return task_stopped_event(body.get("task") or {})
    raise events.Malformed(f"unknown action or video: {str(record.get('body'))[:200]!r}")


def lease_seconds(context) -> int:
    """How long a download may hold its item: the invocation's remaining time, and a minute's margin."""
    if context is not None and hasattr(context, "get_remaining_time_in_millis"):
        return int(context.get_remaining_time_in_millis() / 1000) + 60
    return DEFAULT_LEASE_SECONDS


# ---------------------------------------------------------------- work


def expand(body: dict, run: task_runs.Run | None = None) -> items.Outcome:
    config = app_settings.current()
    network.apply(config)
    cookie = cookies.current_cookie(config)
    targets = [urls.Target.from_dict(t) for t in body.get("targets") or []]
    summary = worker.expand(targets, bool(body.get("auto_start")), cookie)
    for error in summary["errors"]:
        log.warning("expanding: %s", error)
    queued = [i for i in body.get("describe") or [] if is_video_id(i)]  # the videos the request queued by id
    unreadable = len(summary["errors"]) + len(worker.describe(queued, cookie))
    if run is not None:  # the web app's notification of the task: every video the request added
        run.result = f"added {len(summary['added']) + len(queued)} videos to the queue" + (
            f"; {unreadable} could not be read" if unreadable else ""
        )
    return items.Outcome.EXPANDED


def progress_reporter(youtube_id: str, owner: str, run: task_runs.Run | None = None) -> Callable[[dict], None]:
    """yt-dlp's progress hook: at most once a second, the progress written to the item and (with a run) one read
    of whether the run was stopped, which aborts the download (ytdlp.DownloadStopped)."""
    last = 0.0

    def report(progress: dict) -> None:
        nonlocal last
        moment = time.monotonic()
        if progress["status"] == "finished" or moment - last >= PROGRESS_SECONDS:
            last = moment
            worker.record_progress(youtube_id, owner, progress["percent"], progress["speed"])
            if run is not None and progress["status"] != "finished" and run.stop_asked():
                raise ytdlp.DownloadStopped(f"the download of {youtube_id} was stopped")

    return report


def failure_message(error: Exception, receives: int) -> str:
    text = getattr(error, "message", None) or str(error) or type(error).__name__
    if receives >= MAX_RECEIVES:
        return f"download failed {receives} times, given up (moved to the dead-letter queue): {text}"
    return f"download failed (attempt {receives} of {MAX_RECEIVES}): {text}"


def download_video(
    youtube_id: str,
    owner: str,
    receives: int,
    lease: int = DEFAULT_LEASE_SECONDS,
    in_task: bool = False,
    run: task_runs.Run | None = None,
) -> items.Outcome:
    """Download, store and dequeue one video; "archived" when done, "skipped" when there was nothing to do,
    "offloaded" when it was too large for this function and a download task took it (functions.services.offload).
    `in_task`: this runs in that task (download_task.py), which downloads whatever the size. `run`: the task run
    the download is recorded as, whose result says what became of the video."""
    archived = db.batch_get((Video, [youtube_id]))[0].get(youtube_id)
    item = worker.claim(youtube_id, owner, lease)
    if item is None:  # ignored, removed, or another message's download holds it
        return items.Outcome.SKIPPED
    if archived is not None and not worker.replaces(item, archived):
        worker.finish(youtube_id)  # archived already: a duplicate message, or a retry after the write
        return items.Outcome.SKIPPED
    config = channel_overwrites.for_channel(app_settings.current(), item.channel_id)
    cookie = None
    try:
        downloader.record()
        network.apply(config)
        cookie = cookies.current_cookie(config)
        planned = None
        if not in_task:
            planned, where = offload.place(youtube_id, owner, receives, config, cookie, lease - 60)
            if where is not None:
                return items.Outcome.OFFLOADED
            worker.record_worker(youtube_id, owner, RUNS_ON)
        with tempfile.TemporaryDirectory(prefix=f"dl-{youtube_id}-") as workdir:
            reporter = progress_reporter(youtube_id, owner, run)
            result = media.download(youtube_id, workdir, config["downloads"], cookie, reporter, planned)
            archiving.archive(result, item, config, result.media_path.parent, cookie, replacing=archived)
    except ytdlp.DownloadStopped:  # the work folder and its partial files are gone with the `with` above
        worker.release(youtube_id, owner)
        if run is not None:
            run.result = f"stopped: {item.title or youtube_id} stays in the queue"
        return items.Outcome.STOPPED
    except Exception as error:
        if isinstance(error, ytdlp.BotCheck):
            bot_checks.record(youtube_id, error.message, cookie_sent=bool(cookie))
        elif isinstance(error, ytdlp.CookieRejected):
            cookies.record_validation(False, error.message)  # GET /api/cookie/ shows it is no longer valid
        worker.record_failure(youtube_id, owner, failure_message(error, receives))
        raise
    worker.finish(youtube_id)
    if run is not None:
        run.result = f"downloaded 1 video(s): {item.title or youtube_id}"
    return items.Outcome.ARCHIVED


# ---------------------------------------------------------------- download tasks


def task_stopped(youtube_id: str, owner: str, attempt: int, exit_code: int, reason: str = "") -> items.Outcome:
    """The download task of `owner`'s claim ended with `exit_code`: what was done about it."""
    if exit_code == 0:
        return items.Outcome.TASK_DONE
    text = f"the download task stopped with exit code {exit_code}" + (f" ({reason})" if reason else "")
    log.error("%s: %s", youtube_id, text)
    if worker.holds(youtube_id, owner):  # it died before writing its own error
        worker.record_failure(youtube_id, owner, failure_message(RuntimeError(text), attempt))
    if attempt >= MAX_RECEIVES:
        return items.Outcome.GIVEN_UP
    body = {"action": items.DOWNLOAD, "youtube_id": youtube_id, "attempt": attempt + 1}
    aws.send(aws.DOWNLOAD, [body], delay_seconds=TASK_RETRY_SECONDS)
    return items.Outcome.RETRIED


def task_stopped_event(task: dict) -> items.Outcome:
    """task_stopped for the detail of an ECS "Task State Change" event of a stopped download task."""
    overrides = (task.get("overrides") or {}).get("containerOverrides") or [{}]
    try:
        youtube_id, owner, attempt = offload.parse_task_arguments([str(a) for a in overrides[0].get("command") or []])
    except SystemExit:  # argparse refuses: not one of ours
        youtube_id = None
    if not is_video_id(youtube_id):
        raise events.Malformed(f"a task-stopped event that names no download: {str(task)[:300]!r}")
    codes = [c.get("exitCode") for c in task.get("containers") or [] if c.get("name") == offload.CONTAINER]
    code = codes[0] if codes and codes[0] is not None else -1  # no exit code: it never ran (or was lost)
    return task_stopped(youtube_id, owner, attempt, code, task.get("stoppedReason") or task.get("stopCode") or "")
