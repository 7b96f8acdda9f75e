"""Background tasks: /api/task/ (admins only)."""

from typing import TYPE_CHECKING

from functions.core import lazy
from functions.http.routing import ADMIN, Call, Router
from functions.schemas import ta_objects as wire
from functions.schemas.ta import TaskRun

if TYPE_CHECKING:
    from functions.services import rescan, tasks
    from functions.services.downloads import intake
else:  # imported when a view first uses them (functions/core/lazy.py)
    rescan, tasks = lazy.modules("functions.services", "rescan", "tasks")
    intake = lazy.modules("functions.services.downloads", "intake")

router = Router(__name__)


@router.route("/api/task", auth=ADMIN)
def task_status(call: Call):
    """What runs now, as every function records it: a rescan holding (or asked for) its task, downloads on the
    download queue."""
    return wire.TaskState(rescan=tasks.is_busy(tasks.RESCAN), downloading=intake.downloading())


@router.route("/api/task", methods=("POST",), auth=ADMIN, body=TaskRun)
def start_task(call: Call):
    name = call.body.run
    if name == "download_pending":
        intake.start()
    else:
        rescan.request()  # already running: that run is the one asked for
    return wire.TaskStarted(success=True, task=name)
