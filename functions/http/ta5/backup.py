"""v0.5's file tasks, admins only, as TubeArchivist's AdminOnly views: `appsettings/backup/` (+ `<filename>/`),
`appsettings/manual-import/` and `appsettings/rescan-filesystem/`. Each POST starts a job on the snapshot queue
and answers its task id at once; the GETs read what a job left (a backup, a report)."""

from typing import TYPE_CHECKING

from functions.core import lazy
from functions.core.dialects import V05
from functions.http.routing import ADMIN, NO_CONTENT, Call, Router
from functions.http.ta5.shapes import no_content
from functions.schemas.ta5 import AsyncTask, BackupFile, ManualImportRequest, RescanFilesystemRequest

if TYPE_CHECKING:
    from functions.services import backups, filesystem, manual_import
else:  # imported when a view first uses them (functions/core/lazy.py)
    backups, filesystem, manual_import = lazy.modules("functions.services", "backups", "filesystem", "manual_import")

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


@router.route("/api/appsettings/manual-import", auth=ADMIN)
def manual_import_report(call: Call):
    """What the last manual import (or dry run) did or would do; `{"state": "never"}` before the first."""
    return manual_import.last_report()


@router.route(
    "/api/appsettings/manual-import", methods=("POST",), auth=ADMIN, body=ManualImportRequest, returns=AsyncTask
)
def start_manual_import(call: Call):
    """Start importing the media files of the bucket's `import/` folder (409 while an import runs)."""
    return AsyncTask(task_id=manual_import.request(call.body), status="PENDING")
