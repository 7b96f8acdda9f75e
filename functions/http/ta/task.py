"""Background tasks: /api/task/ (admins only)."""

from functions.core.errors import BadRequest
from functions.http.routing import ADMIN, Call, Router
from functions.services import rescan, tasks
from functions.services.downloads import intake

router = Router(__name__)
TASKS = ("download_pending", "rescan_pending")


@router.route("/api/task", auth=ADMIN)
def task_status(call: Call):
    """What runs now, as every function records it: a rescan holding (or asked for) its task, downloads on the
    download queue."""
    return {"rescan": tasks.is_busy(tasks.RESCAN), "downloading": intake.downloading()}


@router.route("/api/task", methods=("POST",), auth=ADMIN)
def start_task(call: Call):
    name = call.json(required=("run",))["run"]
    if name not in TASKS:
        raise BadRequest(f"unknown task {name!r}: expected {' or '.join(TASKS)}")
    if name == "download_pending":
        intake.start()
    else:
        rescan.request()  # already running: that run is the one asked for
    return {"success": True, "task": name}
