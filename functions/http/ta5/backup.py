"""v0.5's file tasks, admins only, as TubeArchivist's AdminOnly views: `appsettings/backup/` (+ `<filename>/`),
and `appsettings/rescan-filesystem/`. Each POST starts a job on the snapshot queue
and answers its task id at once; the GETs read what a job left (a backup, a report)."""

from typing import TYPE_CHECKING

from functions.core import lazy
from functions.core.dialects import V05
from functions.http.routing import ADMIN, NO_CONTENT, Call, Router
from functions.http.ta5.shapes import no_content
from functions.schemas.ta5 import AsyncTask, BackupFile, RescanFilesystemRequest

if TYPE_CHECKING:
    from functions.services import backups, filesystem
else:  # imported when a view first uses them (functions/core/lazy.py)
    backups, filesystem = lazy.modules("functions.services", "backups", "filesystem")

router = Router(__name__, dialect=V05)


@router.route("/api/appsettings/backup", auth=ADMIN, returns=list[BackupFile])
def list_backups(call: Call):
    """Every backup, newest first."""
    return [BackupFile(**item) for item in backups.listing()]


@router.route("/api/appsettings/backup", methods=("POST",), auth=ADMIN, returns=AsyncTask)
def create_backup(call: Call):
    """Start a backup (409 while one runs); the job writes it."""
    return AsyncTask(task_id=backups.request_backup(), message="backup task started")


@router.route("/api/appsettings/backup/{filename}", auth=ADMIN, returns=BackupFile)
def get_backup(call: Call, filename: str):
    return BackupFile(**backups.detail(filename))


@router.route("/api/appsettings/backup/{filename}", methods=("POST",), auth=ADMIN, returns=AsyncTask)
def restore_backup(call: Call, filename: str):
    """Start restoring a backup (404 when there is none of that name)."""
    task_id = backups.request_restore(filename)
    return AsyncTask(task_id=task_id, message="backup restore task started", filename=filename)


@router.route("/api/appsettings/backup/{filename}", methods=("DELETE",), auth=ADMIN, returns=NO_CONTENT)
def delete_backup(call: Call, filename: str):
    backups.delete(filename)
    return no_content()


@router.route("/api/appsettings/rescan-filesystem", auth=ADMIN)
def rescan_filesystem_report(call: Call):
    """What the last filesystem rescan found; `{"state": "never"}` before the first."""
    return filesystem.last_report()


@router.route(
    "/api/appsettings/rescan-filesystem", methods=("POST",), auth=ADMIN, body=RescanFilesystemRequest, returns=AsyncTask
)
def start_rescan_filesystem(call: Call):
    """Start reconciling the bucket with the tables (409 while a rescan runs)."""
    return AsyncTask(task_id=filesystem.request(call.body), status="PENDING")
