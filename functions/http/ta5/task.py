"""v0.5's task runs: /api/task/by-name/ (+ `<task_name>/`: the runs of a task, and starting it) and
/api/task/by-id/<task_id>/ (one run, and stopping it); admins only, as TubeArchivist's AdminOnly views. The runs
are the jobs' own records (functions.services.task_runs)."""

from typing import TYPE_CHECKING

from functions.core import lazy
from functions.core.dialects import V05
from functions.core.errors import NotFound
from functions.http.routing import ADMIN, NO_CONTENT, Call, Router
from functions.http.ta5.shapes import no_content
from functions.schemas.tasks import TaskCommand, TaskResult, TaskRunStarted

if TYPE_CHECKING:
    from functions.services import backups, metadata_sync, rescan, task_runs, thumbnails, version_check
    from functions.services.downloads import intake
else:  # imported when a view first uses them (functions/core/lazy.py)
    backups, metadata_sync, rescan, task_runs, thumbnails, version_check = lazy.modules(
        "functions.services", "backups", "metadata_sync", "rescan", "task_runs", "thumbnails", "version_check"
    )
    intake = lazy.modules("functions.services.downloads", "intake")

router = Router(__name__, dialect=V05)


@router.route("/api/task/by-name", auth=ADMIN, returns=list[TaskResult])
def all_runs(call: Call):
    """The recent runs of every task, newest first within each."""
    return [task_runs.render(run) for name in task_runs.TASKS for run in task_runs.runs_of(name)]


@router.route("/api/task/by-name/{task_name}", auth=ADMIN, returns=list[TaskResult])
def runs_of(call: Call, task_name: str):
    """The task's recent runs, newest first; 404 for a name the archive has no task of."""
    task_runs.task(task_name)
    return [task_runs.render(run) for run in task_runs.runs_of(task_name)]


@router.route("/api/task/by-name/{task_name}", methods=("POST",), auth=ADMIN, returns=TaskRunStarted)
def start(call: Call, task_name: str):
    """Start a task (v0.5: those with `api_start`; 404 for the others): a rescan; one download per pending
    video (the answer names the first; with none pending, a run that ends at once); the thumbnail check and the
    version check (409 while one runs); a backup, automatic as the schedule's (rotated: TubeArchivist's task runs
    with reason `auto`; 409 while one runs); the metadata resync (while one is asked for or runs, that one)."""
    if not task_runs.task(task_name).api_start:
        raise NotFound("can not start task through this endpoint")
    if task_name == task_runs.UPDATE_SUBSCRIBED:
        return rescan.request_run()
    if task_name == task_runs.THUMBNAIL_CHECK:
        return TaskRunStarted(task_id=thumbnails.request(), status="PENDING")
    if task_name == task_runs.RUN_BACKUP:
        return TaskRunStarted(task_id=backups.request_backup("auto"), status="PENDING")
    if task_name == task_runs.VERSION_CHECK:
        return TaskRunStarted(task_id=version_check.request(), status="PENDING")
    if task_name == task_runs.RESYNC_METADATA:
        return metadata_sync.request()
    return intake.start_pending_run()


@router.route("/api/task/by-id/{task_id}", auth=ADMIN, returns=TaskResult)
def run(call: Call, task_id: str):
    return task_runs.render(task_runs.get(task_id))


@router.route("/api/task/by-id/{task_id}", methods=("POST",), auth=ADMIN, body=TaskCommand, returns=NO_CONTENT)
def command(call: Call, task_id: str):
    """`stop` or `kill` (the same here): 204 when the run stops; 400 for a task that cannot be stopped."""
    task_runs.command(task_id, call.body.command)
    return no_content()
