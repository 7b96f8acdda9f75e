"""v0.5's schedules: /api/task/schedule/ (+ `<task_name>/`), admins only, as TubeArchivist's AdminOnly views.

The schedules are the `scheduler` settings (functions.services.schedules); v0.4 clients change the same ones
through /api/appsettings/config/. A schedule turned off is no row, as a deleted one is in TubeArchivist.
"""

from typing import TYPE_CHECKING

from functions.core import lazy
from functions.core.dialects import V05
from functions.http.routing import ADMIN, NO_CONTENT, Call, Router
from functions.http.ta5.shapes import no_content
from functions.schemas.ta5 import ScheduleChange, ScheduleRow

if TYPE_CHECKING:
    from functions.services import app_settings, schedules
else:  # imported when a view first uses them (functions/core/lazy.py)
    app_settings, schedules = lazy.modules("functions.services", "app_settings", "schedules")

router = Router(__name__, dialect=V05)


@router.route("/api/task/schedule", auth=ADMIN, returns=list[ScheduleRow])
def list_schedules(call: Call):
    return schedules.listing(call.viewer.config)


@router.route("/api/task/schedule/{task_name}", auth=ADMIN, returns=ScheduleRow)
def get_schedule(call: Call, task_name: str):
    return schedules.one(call.viewer.config, task_name)


@router.route("/api/task/schedule/{task_name}", methods=("POST",), auth=ADMIN, body=ScheduleChange, returns=ScheduleRow)
def change_schedule(call: Call, task_name: str):
    """A new crontab ("auto": the default) and or the task's config (a 404 alone for a schedule that is off); a
    bad one is a 400 naming what is wrong, and nothing changes."""
    body = call.body
    change = schedules.change(call.viewer.config, task_name, body.schedule or None, body.config or None)
    return schedules.one(app_settings.update(change), task_name)


@router.route("/api/task/schedule/{task_name}", methods=("DELETE",), auth=ADMIN, returns=NO_CONTENT)
def delete_schedule(call: Call, task_name: str):
    """The task runs no more on a schedule (the rule is disabled); 404 when it had none."""
    schedules.one(call.viewer.config, task_name)
    app_settings.update({schedules.SECTION: {task_name: False}})
    return no_content()
