"""The metadata resync: TubeArchivist's resync_metadata ("Sync Metadata to Media Files"), the archive's metadata
written into every archived video's media object (functions.services.media_tags: in place in S3, mutagen).

What goes into each file is TubeArchivist's: title (`©nam`), the channel's name as artist (`©ART`), the
description as description and synopsis (`desc`, `ldes`), here also the publication date (`©day`), and with
`downloads.add_thumbnail` the video's jpg as cover art (`covr`). As in TubeArchivist, nothing is written while
`downloads.add_metadata` is off. Downloads write the same tags, in the same forms, themselves
(functions.youtube.media: yt-dlp's FFmpegMetadata and EmbedThumbnail, under the same settings), so a file
downloaded with them is found current.

A run (the refresh function) reads the videos table in key order; a file whose tags are current is left as it
is, a video whose media object is gone or is no mp4 it can tag is reported, and a file whose size changed has
`media_size` and its counters moved (functions.storage.tallied). A run that nears its invocation's time limit
sends the rest of its work to the refresh queue as the same run (the last video done and the tallies so far).
Each part that wrote files has the media distribution drop its cached media (cloudfront.invalidate: a player
could get ranges of both versions of a file otherwise). One run at a time (functions.services.file_tasks); like
TubeArchivist's, it cannot be stopped.
"""

import time

import msgspec
from botocore.exceptions import ClientError

from functions.core import logs
from functions.core.errors import Conflict, NotFound
from functions.schemas.tasks import TaskRunStarted
from functions.services import app_settings, file_tasks, media_tags, task_runs, tasks
from functions.storage import aws, cloudfront, counters, db, s3, tallied
from functions.storage.models import Channel, Video

log = logs.logger(__name__)
TASK = task_runs.RESYNC_METADATA
RUNNING = "Metadata re-embed is already running."  # TubeArchivist's words
RUN_SECONDS = 600  # of the refresh function's 900: the rest is for the file being written when it is reached
PROGRESS_SECONDS = 5
FAILURES_SHOWN = 20
WRITTEN, CURRENT, MISSING, FAILED = "written", "current", "missing", "failed"
MISSING_CODES = ("404", "NoSuchKey", "NotFound")


def request() -> TaskRunStarted:
    """Ask for a run on the refresh queue (POST /api/task/by-name/resync_metadata/); while one is asked for or
    runs, that one, with TubeArchivist's message."""
    try:
        return TaskRunStarted(task_id=file_tasks.ask(TASK, {}, queue=aws.REFRESH), status="PENDING")
    except Conflict:
        running = task_runs.latest(TASK, task_runs.STARTED) or task_runs.latest(TASK, task_runs.PENDING)
        if running is None:
            raise Conflict(RUNNING) from None
        started = running.status == task_runs.STARTED
        return TaskRunStarted(task_id=running.task_id, status="STARTED" if started else "PENDING", message=RUNNING)


def tags_of(video: Video, channel: Channel | None, cover: bytes | None) -> dict:
    """The mp4 tags of a video: what media_tags.retag writes (description and cover only when there are)."""
    tags: dict = {
        media_tags.TITLE: video.title,
        media_tags.ARTIST: channel.channel_name if channel else video.channel_id,
        media_tags.DATE: video.published.replace("-", ""),  # YYYYMMDD: yt-dlp's upload_date, as downloads write it
    }
    if video.description:
        tags[media_tags.DESCRIPTION] = tags[media_tags.SYNOPSIS] = video.description
    if cover:
        tags[media_tags.COVER] = cover
    return tags


class Tally(msgspec.Struct):
    """What a run did so far; carried in the message of its next part."""

    written: int = 0
    current: int = 0
    missing: int = 0
    failed: int = 0
    bytes_changed: int = 0  # the sum of the files' size changes
    failures: list[str] = msgspec.field(default_factory=list)  # the first FAILURES_SHOWN, "<id>: <why>"
    after: str | None = None  # the last video done: the next part reads on from it

    def done(self) -> int:
        return self.written + self.current + self.missing + self.failed

    def text(self) -> str:
        summary = (
            f"{self.written} files written, {self.current} already current, {self.missing} without a media file,"
            f" {self.failed} failed; sizes changed by {self.bytes_changed:+d} bytes"
        )
        return summary + (f". Failed: {'; '.join(self.failures)}" if self.failures else "")


def _cover(video: Video) -> bytes | None:
    try:
        return s3.read(s3.video_thumb_key(video.youtube_id))
    except NotFound:
        return None


def _channel(channel_id: str, known: dict[str, Channel | None]) -> Channel | None:
    if channel_id not in known:
        try:
            known[channel_id] = Channel.get(channel_id)
        except Channel.DoesNotExist:
            known[channel_id] = None
    return known[channel_id]


def _record_size(video: Video, size: int) -> None:
    changes = {"media_size": size}
    tallied.update_tallied(video, [Video.media_size.set(size)], changes, counters.video_totals, counters.VIDEO_TALLIED)


def sync_one(video: Video, channel: Channel | None, add_thumbnail: bool) -> tuple[str, str | None, int]:
    """Write one video's tags: (outcome, why it failed, the size change)."""
    key = s3.video_media_key(video)  # a re-downloaded video's file is at its revision
    tags = tags_of(video, channel, _cover(video) if add_thumbnail else None)
    try:
        done = media_tags.retag(key, tags)
    except media_tags.NotTaggable as error:
        return FAILED, str(error), 0
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code"))
        return (MISSING, None, 0) if code in MISSING_CODES else (FAILED, f"S3 {code}", 0)
    except Exception as error:  # one file's trouble (a full disk, a dropped connection) is reported, not the run's
        log.exception("metadata of %s not written", video.youtube_id)
        return FAILED, f"{type(error).__name__}: {error}", 0
    if not done.changed:
        return CURRENT, None, 0
    if done.size_after != int(video.media_size or 0):
        _record_size(video, done.size_after)
    return WRITTEN, None, done.size_after - done.size_before


def _videos(after: str | None):
    """The videos in the table's order, from the one after `after`."""
    start = {"youtube_id": {"S": after}} if after else None
    return Video.scan(last_evaluated_key=start)


def sync(run: task_runs.Run, tally: Tally, add_thumbnail: bool) -> Tally:
    """Write the tags of the videos after `tally.after` until all are done or RUN_SECONDS have passed; the tally
    (its `after` set when work is left)."""
    total = db.counts([counters.VIDEOS])[counters.VIDEOS]
    deadline, reported = time.monotonic() + RUN_SECONDS, 0.0
    channels: dict[str, Channel | None] = {}
    for video in _videos(tally.after):
        outcome, why, change = sync_one(video, _channel(video.channel_id, channels), add_thumbnail)
        setattr(tally, outcome, getattr(tally, outcome) + 1)
        tally.bytes_changed += change
        if why:
            log.warning("metadata of %s not written: %s", video.youtube_id, why)
            if len(tally.failures) < FAILURES_SHOWN:
                tally.failures.append(f"{video.youtube_id}: {why}")
        tally.after = video.youtube_id
        if time.monotonic() - reported > PROGRESS_SECONDS:
            reported = time.monotonic()
            run.progress([f"Processing videos {tally.done()}/{total}"], tally.done() / total if total else None)
        if time.monotonic() > deadline:  # checked after a video: every part makes progress
            return tally
    tally.after = None
    return tally


def run_job(run: task_runs.Run, message: dict) -> Tally | None:
    """The refresh queue's `resync_metadata` message (a run's first part, or a next one carrying its tally),
    holding the task (None when another run holds it)."""
    try:
        tally = msgspec.convert(message.get("tally") or {}, Tally)
    except msgspec.ValidationError as error:
        log.error("resync_metadata: bad tally %r: %s", message.get("tally"), error)
        tally = Tally()
    config = app_settings.current()["downloads"]
    enabled = bool(config.get("add_metadata"))  # off, the run holds the task only to let go of it
    written_before = tally.written
    done = file_tasks.run(TASK, lambda: sync(run, tally, bool(config.get("add_thumbnail"))) if enabled else tally)
    if done is None:
        run.result = RUNNING
        return None
    if done.written > written_before:
        cloudfront.invalidate([f"/{s3.MEDIA_PREFIX}*"])
    if done.after is not None and tasks.request(TASK, file_tasks.LEASE_SECONDS):
        aws.send(aws.REFRESH, [{"action": TASK, "task_id": run.task_id, "tally": msgspec.to_builtins(done)}])
        run.progress([f"Processing videos {done.done()}: continued in the next invocation"])
        run.continues = True
        return done
    run.result = done.text() if enabled else "Nothing written: downloads.add_metadata is off"
    if done.after is not None:
        run.result += "; the rest is left: another run holds the task"
    return done
