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


def _file_task(path: str, service, body: type, name: str, report_doc: str, start_doc: str) -> None:
    """A file task's two routes: GET what its last run left, POST starts it (v0.5's AsyncTask, PENDING). `service`
    has last_report() and request(body)."""

    def report(call: Call):
        return service.last_report()

    def start(call: Call):
        return AsyncTask(task_id=service.request(call.body), status="PENDING")

    for view, view_name, doc in ((report, f"{name}_report", report_doc), (start, f"start_{name}", start_doc)):
        view.__name__ = view.__qualname__ = view_name  # Chalice names a route after its view: one name each
        view.__doc__ = doc
    router.route(path, auth=ADMIN)(report)
    router.route(path, methods=("POST",), auth=ADMIN, body=body, returns=AsyncTask)(start)


_file_task(
    "/api/appsettings/rescan-filesystem",
    filesystem,
    RescanFilesystemRequest,
    "rescan_filesystem",
    'What the last filesystem rescan found; `{"state": "never"}` before the first.',
    "Start reconciling the bucket with the tables (409 while a rescan runs).",
)
_file_task(
    "/api/appsettings/manual-import",
    manual_import,
    ManualImportRequest,
    "manual_import",
    'What the last manual import (or dry run) did or would do; `{"state": "never"}` before the first.',
    "Start importing the media files of the bucket's `import/` folder (409 while an import runs).",
)
