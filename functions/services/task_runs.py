"""The runs of the archive's background jobs (TaskRun items): what `/api/task/by-name/`, `by-id/` and the
notification poll `/api/notification/` read.

Every job runs its work through `record(name, work, task_id)` (functions/jobs/*): one write when it starts, one
per progress report, one when it ends, which also sends the task's notifications (functions.services.
notifications; a notification that fails is recorded on the run, never fails it). A run asked for through the API
is written PENDING first (`queue`) and its message carries the id, so the job takes that run over; a message
without one gets a new run. Runs of a name are read newest first from the `by_name` index; the poll reads the
sparse `by_board` index for runs shown until a moment still to come (running, or ended just now), so neither
reads the history. Runs expire after KEEP_DAYS (DynamoDB's TTL).

Names, titles, groups and `api_start`/`api_stop` are TubeArchivist's where it has the task, plus this archive's
own (autodelete, snapshots). `api_stop` here: a run still PENDING can be stopped (its job skips it); a running
rescan stops before its next channel or playlist; a running download aborts within a second (its yt-dlp
progress hook reads the run's command, functions/jobs/download.py: the partial files are removed and the video
stays pending in the queue); a reindex or snapshot cannot be stopped (a Lambda invocation cannot be interrupted
from outside), so a stop for it is a 400; nor can the metadata resync, as TubeArchivist's cannot. `kill` is
`stop`.
"""

import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.expressions.update import Action

from functions.core import logs
from functions.core.errors import BadRequest, NotFound
from functions.schemas.tasks import BoardMessage, TaskResult
from functions.services import notifications
from functions.storage import db
from functions.storage.models import TaskRun

log = logs.logger(__name__)
PENDING, STARTED, SUCCESS, FAILURE, REVOKED = "PENDING", "STARTED", "SUCCESS", "FAILURE", "REVOKED"
ENDED = (SUCCESS, FAILURE, REVOKED)
STOP, KILL = "STOP", "KILL"
BOARD = "runs"  # the one partition of the by_board index
KEEP_DAYS = 7
RUNNING_SHOWN_SECONDS = 960  # a job's longest invocation (900 s) and a minute: a crashed run leaves the board then
SHOWN_AFTER = {SUCCESS: 10, FAILURE: 60, REVOKED: 10}  # how long the poll shows an ended run (TA: 5 s and 20 s)
MESSAGE_LINES = 5
NAME_PAGE = 100  # the runs `by-name` lists, newest first


@dataclass(frozen=True)
class Task:
    title: str
    group: str
    api_start: bool
    api_stop: bool
    stops_running: bool = False  # the job looks for a stop while it runs


UPDATE_SUBSCRIBED, DOWNLOAD_PENDING, EXTRACT_DOWNLOAD = "update_subscribed", "download_pending", "extract_download"
CHECK_REINDEX, AUTODELETE = "check_reindex", "autodelete"
CREATE_SNAPSHOT, RESTORE_SNAPSHOT = "create_snapshot", "restore_snapshot"
RUN_BACKUP, RESTORE_BACKUP = "run_backup", "restore_backup"
RESCAN_FILESYSTEM, MANUAL_IMPORT = "rescan_filesystem", "manual_import"
INDEX_PLAYLISTS = "index_playlists"
SUBSCRIBE_TO = "subscribe_to"
THUMBNAIL_CHECK, RESYNC_METADATA, VERSION_CHECK = "thumbnail_check", "resync_metadata", "version_check"
TASKS = {
    UPDATE_SUBSCRIBED: Task("Rescan your Subscriptions", "download:scan", True, True, stops_running=True),
    DOWNLOAD_PENDING: Task("Downloading", "download:run", True, True, stops_running=True),
    EXTRACT_DOWNLOAD: Task("Add to download queue", "download:add", False, False),
    CHECK_REINDEX: Task("Reindex Documents", "reindex:run", False, False),
    AUTODELETE: Task("Delete watched videos", "download:autodelete", False, False),
    CREATE_SNAPSHOT: Task("Create a snapshot", "setting:snapshot", False, False),
    RESTORE_SNAPSHOT: Task("Restore a snapshot", "setting:restore", False, False),
    RUN_BACKUP: Task("Backing up database", "setting:backup", True, False),
    RESTORE_BACKUP: Task("Restore Backup", "setting:restore", False, False),
    RESCAN_FILESYSTEM: Task("Rescan your Filesystem", "setting:filesystemscan", False, False),
    MANUAL_IMPORT: Task("Manual video import", "setting:import", False, False),
    INDEX_PLAYLISTS: Task("Index Channel Playlist", "channel:indexplaylist", False, False),
    SUBSCRIBE_TO: Task("Add Subscription", "subscription:add", False, False),
    THUMBNAIL_CHECK: Task("Check your Thumbnails", "setting:thumbnailcheck", True, False),
    RESYNC_METADATA: Task("Sync Metadata to Media Files", "setting:thumbnailsync", True, False),
    # TubeArchivist's is started by its schedule and at its start only; here by-name/ starts one too (a run of
    # the refresh function: functions.services.version_check)
    VERSION_CHECK: Task("Look for new Version", "", True, False),
}
FILTER_GROUPS = {"download": "download:", "settings": "setting:", "channel": "channel:"}  # the poll's ?filter=


def task(name: str) -> Task:
    if name not in TASKS:
        raise NotFound("task name not found")
    return TASKS[name]


def _ms() -> int:
    return int(time.time() * 1000)


def _expires(now_ms: int) -> datetime:
    return datetime.fromtimestamp(now_ms / 1000, UTC) + timedelta(days=KEEP_DAYS)


# ---------------------------------------------------------------- asking for runs


def queue(name: str, count: int = 1) -> list[str]:
    """Record `count` PENDING runs of a task whose messages are about to be sent; their ids."""
    now = _ms()
    runs = [
        TaskRun(uuid.uuid4().hex, name=name, status=PENDING, queued=now, expires=_expires(now)) for _ in range(count)
    ]
    with TaskRun.batch_write() as batch:
        for run in runs:
            batch.save(run)
    return [run.task_id for run in runs]


def nothing_to_do(name: str, result: str) -> str:
    """A run asked for with nothing to do (a download with an empty queue): recorded as started and ended at
    once with `result`, as TubeArchivist's task runs and finds nothing; its id."""
    (task_id,) = queue(name)
    record(name, lambda run: result, task_id)
    return task_id


def forget(task_id: str) -> None:
    """Delete a PENDING run whose message was never sent."""
    db.conditional(TaskRun(task_id).delete, condition=TaskRun.status == PENDING)


def latest(name: str, status: str) -> TaskRun | None:
    """The newest run of `name` in `status`, among the last NAME_PAGE."""
    return next((run for run in runs_of(name) if run.status == status), None)


# ---------------------------------------------------------------- running


class Run:
    """The handle a job's work gets: progress lines, whether a stop was asked for, the result text."""

    def __init__(self, name: str, task_id: str):
        self.name, self.task_id = name, task_id
        self.result: str | None = None
        self.continues = False  # the work goes on in another invocation (its message sent): the run stays STARTED
        self.notify = True  # False: a run that succeeds with no news sends no notification

    def progress(self, lines: list[str], fraction: float | None = None) -> None:
        actions = [
            TaskRun.messages.set([line[:500] for line in lines[-MESSAGE_LINES:]]),
            TaskRun.shown_until.set(int(time.time()) + RUNNING_SHOWN_SECONDS),
        ]
        if fraction is not None:
            actions.append(TaskRun.progress.set(round(max(0.0, min(1.0, fraction)), 4)))
        db.conditional(TaskRun(self.task_id).update, actions=actions, condition=TaskRun.status == STARTED)

    def stop_asked(self) -> bool:
        try:
            return TaskRun.get(self.task_id, consistent_read=True, attributes_to_get=["command"]).command is not None
        except TaskRun.DoesNotExist:
            return False


def _start(name: str, task_id: str | None) -> Run | None:
    """Mark the run STARTED (a new one without an id, or whose item expired); None when it was stopped while
    PENDING. A message delivered again (a retry) starts its run again."""
    task_id = task_id or uuid.uuid4().hex
    now = _ms()
    started = db.conditional(
        TaskRun(task_id).update,
        actions=[
            TaskRun.name.set(name),
            TaskRun.status.set(STARTED),
            TaskRun.queued.set(TaskRun.queued | now),
            TaskRun.started.set(now),
            TaskRun.messages.set(["New task received."]),
            TaskRun.board.set(BOARD),
            TaskRun.shown_until.set(now // 1000 + RUNNING_SHOWN_SECONDS),
            TaskRun.finished.remove(),
            TaskRun.result.remove(),
            TaskRun.error.remove(),
            TaskRun.progress.remove(),
            TaskRun.expires.set(_expires(now)),
        ],
        condition=TaskRun.task_id.does_not_exist() | (TaskRun.status != REVOKED),
    )
    return Run(name, task_id) if started else None


def record(name: str, work: Callable[[Run], Any], task_id: str | None = None) -> Any:
    """Run a job's `work` as a run of task `name` (the run `task_id` when the API queued one): recorded when it
    starts and ends, its notifications sent when it ends; work that sets `run.continues` (its next part sent as
    another message, which names the run) leaves it running. What `work` returns (None when the run had been
    stopped before it started); what it raises is recorded and raised again."""
    run = _start(name, task_id)
    if run is None:
        log.info("%s run %s was stopped before it started", name, task_id)
        return None
    status, error, value = SUCCESS, None, None
    try:
        value = work(run)
    except Exception as failure:
        status = FAILURE
        error = "".join(traceback.format_exception_only(failure)).strip()[:2000]
        raise
    finally:
        if status == FAILURE or not run.continues:
            _end(run, status, error, value)
    return value


def _end(run: Run, status: str, error: str | None, value: Any) -> None:
    """Record the end of a run and send its notifications."""
    if status == SUCCESS and run.stop_asked():
        status = REVOKED
    # the result text: the work's own, or its failure, or what it returned when that is a text
    result = run.result or (f"Task failed: {error}" if error else value if isinstance(value, str) else None)
    notify = run.notify or status != SUCCESS
    problems = notifications.send_ended(run.name, TASKS[run.name].title, run.task_id, status, result) if notify else []
    now = _ms()
    lines = [result or {SUCCESS: "Task completed", REVOKED: "Task stopped"}.get(status, "Task failed")]
    actions: list[Action] = [
        TaskRun.status.set(status),
        TaskRun.finished.set(now),
        TaskRun.messages.set([line[:500] for line in lines]),
        TaskRun.shown_until.set(now // 1000 + SHOWN_AFTER[status]),
        TaskRun.result.set(result) if result else TaskRun.result.remove(),
        TaskRun.error.set(error) if error else TaskRun.error.remove(),
        TaskRun.notify_errors.set(problems) if problems else TaskRun.notify_errors.remove(),
    ]
    TaskRun(run.task_id).update(actions=actions)


# ---------------------------------------------------------------- commands


def command(task_id: str, name: str) -> None:
    """Stop (or kill: the same here) a run: a PENDING one ends REVOKED at once; a running one only when its job
    looks for stops (BadRequest otherwise, as for a task that cannot be stopped)."""
    run = get(task_id)
    verb = "stopped" if name == "stop" else "killed"
    if not task(run.name).api_stop:
        raise BadRequest(f"task can not be {verb}")
    if run.status in ENDED:
        raise BadRequest(f"task has ended already ({run.status})")
    if run.status == STARTED and not TASKS[run.name].stops_running:
        raise BadRequest(f"task can not be {verb} while it runs")
    word = STOP if name == "stop" else KILL
    now = _ms()
    revoked = db.conditional(
        TaskRun(task_id).update,
        actions=[
            TaskRun.status.set(REVOKED),
            TaskRun.command.set(word),
            TaskRun.finished.set(now),
            TaskRun.result.set(f"{verb} before it started"),
        ],
        condition=TaskRun.status == PENDING,
    )
    if not revoked and not db.conditional(
        TaskRun(task_id).update, actions=[TaskRun.command.set(word)], condition=TaskRun.status == STARTED
    ):
        raise BadRequest("task has ended already")


# ---------------------------------------------------------------- reading


def get(task_id: str) -> TaskRun:
    try:
        return TaskRun.get(task_id, consistent_read=True)
    except TaskRun.DoesNotExist:
        raise NotFound("task ID not found") from None


def runs_of(name: str, limit: int = NAME_PAGE) -> list[TaskRun]:
    """The newest `limit` runs of a task, newest first: one Query of `by_name`."""
    return list(TaskRun.by_name.query(name, scan_index_forward=False, limit=limit))


def board(group_filter: str | None = None) -> list[TaskRun]:
    """The runs the poll shows now, oldest first: running ones, and those that ended moments ago."""
    shown = TaskRun.by_board.query(BOARD, TaskRun.shown_until > int(time.time()))
    prefix = FILTER_GROUPS.get(group_filter or "")
    return sorted(
        (run for run in shown if run.name in TASKS and (not prefix or TASKS[run.name].group.startswith(prefix))),
        key=lambda run: run.queued,
    )


def _iso(ms: int | float | None) -> str | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC).isoformat()


def render(run: TaskRun) -> TaskResult:
    return TaskResult(
        task_id=run.task_id,
        name=run.name,
        status=run.status,  # type: ignore[arg-type]
        result=run.result,
        traceback=run.error,
        date_done=_iso(run.finished),
        date_queued=_iso(run.queued) or "",
        date_started=_iso(run.started),
        messages=list(run.messages or []),
        progress=float(run.progress) if run.progress is not None else None,
        command=run.command,  # type: ignore[arg-type]
        notification_errors=list(run.notify_errors or []),
    )


def render_message(run: TaskRun) -> BoardMessage:
    config = TASKS[run.name]
    message = BoardMessage(
        id=run.task_id,
        title=config.title,
        group=config.group,
        api_start=config.api_start,
        api_stop=config.api_stop,
        level="error" if run.status == FAILURE else "info",
        messages=list(run.messages or []),
    )
    if run.progress is not None:
        message.progress = float(run.progress)
    if run.command in (STOP, KILL):
        message.command = run.command  # type: ignore[assignment]
    return message
