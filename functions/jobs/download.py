"""The download function: consumes the download queue (SQS), one message per video, plus `expand` messages.

A `download` message: the video is downloaded with yt-dlp into a fresh folder under /tmp, uploaded to S3 and
written to the archive (functions.services.archive.archiving), then its queue item is removed. The queue item is
claimed for the message first (functions.services.downloads.worker.claim), so a duplicate message never downloads it
twice at once, and a video already archived is not downloaded again. A failure keeps the error in the item's
`message` and lets the message go back to the queue (functions/jobs/events.py: the batch's other records are done);
after the third receive SQS moves it to the dead-letter queue (infra/resources.yaml). An `expand` message lists
channels and playlists into the queue and fills in metadata of videos queued by id.
"""

import tempfile
import time
from collections.abc import Callable

from chalice import Blueprint

from functions.core import logs
from functions.core.ids import is_video_id
from functions.jobs import events
from functions.services import app_settings, cookies
from functions.services.archive import archiving
from functions.services.downloads import items, worker
from functions.storage.models import Video
from functions.youtube import media, urls, ytdlp

blueprint = Blueprint(__name__)
log = logs.logger(__name__)
MAX_RECEIVES = 3  # the queue's maxReceiveCount: the third failure sends the message to the dead-letter queue
PROGRESS_SECONDS = 1.0  # at most one progress write a second per download
DEFAULT_LEASE_SECONDS = 900  # the function's timeout (.chalice/config.json) when no context tells


# ---------------------------------------------------------------- messages


@blueprint.on_sqs_message(queue="download", batch_size=1)
def download(event):
    return events.consume(event, handle_record)


def handle_record(record: dict, context=None) -> items.Outcome:
    """One message; what was done (for logs and tests). Raises to have the message delivered again."""
    body = events.body(record.get("body"), "action")
    action = body["action"]
    if action == items.DOWNLOAD and is_video_id(body.get("youtube_id")):
        return download_video(body["youtube_id"], record["messageId"], events.receives(record), lease_seconds(context))
    if action == items.EXPAND:
        return expand(body)
    raise events.Malformed(f"unknown action or video: {str(record.get('body'))[:200]!r}")


def lease_seconds(context) -> int:
    """How long a download may hold its item: the invocation's remaining time, and a minute's margin."""
    if context is not None and hasattr(context, "get_remaining_time_in_millis"):
        return int(context.get_remaining_time_in_millis() / 1000) + 60
    return DEFAULT_LEASE_SECONDS


# ---------------------------------------------------------------- work


def expand(body: dict) -> items.Outcome:
    cookie = cookies.current_cookie()
    targets = [urls.Target.from_dict(t) for t in body.get("targets") or []]
    summary = worker.expand(targets, bool(body.get("auto_start")), cookie)
    for error in summary["errors"]:
        log.warning("expanding: %s", error)
    worker.describe([i for i in body.get("describe") or [] if is_video_id(i)], cookie)
    return items.Outcome.EXPANDED


def progress_reporter(youtube_id: str, owner: str) -> Callable[[dict], None]:
    last = 0.0

    def report(progress: dict) -> None:
        nonlocal last
        moment = time.monotonic()
        if progress["status"] == "finished" or moment - last >= PROGRESS_SECONDS:
            last = moment
            worker.record_progress(youtube_id, owner, progress["percent"], progress["speed"])

    return report


def failure_message(error: Exception, receives: int) -> str:
    text = getattr(error, "message", None) or str(error) or type(error).__name__
    if receives >= MAX_RECEIVES:
        return f"download failed {receives} times, given up (moved to the dead-letter queue): {text}"
    return f"download failed (attempt {receives} of {MAX_RECEIVES}): {text}"


def download_video(youtube_id: str, owner: str, receives: int, lease: int = DEFAULT_LEASE_SECONDS) -> items.Outcome:
    """Download, store and dequeue one video; "archived" when done, "skipped" when there was nothing to do."""
    if Video.count(youtube_id):
        worker.finish(youtube_id)  # archived already: a duplicate message, or a retry after the write
        return items.Outcome.SKIPPED
    item = worker.claim(youtube_id, owner, lease)
    if item is None:  # ignored, removed, or another message's download holds it
        return items.Outcome.SKIPPED
    config = app_settings.current()
    try:
        with tempfile.TemporaryDirectory(prefix=f"dl-{youtube_id}-") as workdir:
            cookie = cookies.current_cookie(config)
            reporter = progress_reporter(youtube_id, owner)
            result = media.download(youtube_id, workdir, config["downloads"], cookie, reporter)
            archiving.archive(result, item, config, result.media_path.parent, cookie)
    except Exception as error:
        if isinstance(error, ytdlp.CookieRejected):
            cookies.record_validation(False, error.message)  # GET /api/cookie/ shows it is no longer valid
        worker.record_failure(youtube_id, owner, failure_message(error, receives))
        raise
    worker.finish(youtube_id)
    return items.Outcome.ARCHIVED
