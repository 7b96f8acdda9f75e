"""What the file tasks share (backups, the manual import, the filesystem rescan in the snapshot function; the
thumbnail check in the refresh function, which reads YouTube): asking for a run (the task marked, its message
sent, its id answered) and the report a run leaves in the bucket."""

import json
import time
from collections.abc import Callable
from typing import TypeVar

from functions.core import logs
from functions.core.errors import BadRequest, Conflict, NotFound
from functions.core.settings import get_settings
from functions.services import task_runs, tasks
from functions.storage import aws, s3

log = logs.logger(__name__)
T = TypeVar("T")
LEASE_SECONDS = 960  # the snapshot and refresh functions' timeout and a minute


def ask(task: str, message: dict, queue: str = aws.SNAPSHOT) -> str:
    """Mark the task asked for and send its message to the job's queue; the task id. 409 while a run of it is
    under way or asked for."""
    if tasks.is_busy(task) or not tasks.request(task, LEASE_SECONDS):
        raise Conflict(f"{task} is running already")
    (task_id,) = task_runs.queue(task)  # task/by-id/ shows it from now on
    aws.send(queue, [{**message, "action": task, "task_id": task_id}])
    return task_id


def ask_scheduled(task: str, queue: str) -> str | None:
    """A schedule's run of a task without a message body (ask); None when one is asked for or runs already."""
    try:
        return ask(task, {}, queue=queue)
    except Conflict:
        log.info("%s skipped: one is running already", task)
        return None


def save_report(task: str, report: dict) -> dict:
    report = {**report, "finished": int(time.time())}
    body = json.dumps(report, ensure_ascii=False, separators=(",", ":")).encode()
    aws.client("s3").put_object(
        Bucket=get_settings().media_bucket, Key=s3.report_key(task), Body=body, ContentType="application/json"
    )
    return report


def last_report(task: str) -> dict:
    """What the task's last run left; `{"state": "never"}` when it never ran."""
    try:
        return json.loads(s3.read(s3.report_key(task)))
    except NotFound:
        return {"state": "never"}


def run(task: str, work: Callable[[], T]) -> T | None:
    """`work()` holding the task (two runs never overlap; None when another holds it), its failure kept as the
    task's last error. A BadRequest or NotFound (what was asked for is gone or damaged) is logged, not raised:
    retrying cannot help."""
    owner = tasks.acquire(task, LEASE_SECONDS)
    if owner is None:
        log.info("%s is running already", task)
        return None
    failure = None
    try:
        return work()
    except (BadRequest, NotFound) as error:
        failure = error.message
        log.error("%s refused: %s", task, failure)
        return None
    except Exception as error:
        failure = str(error) or type(error).__name__
        raise
    finally:
        tasks.release(task, owner, failure)
