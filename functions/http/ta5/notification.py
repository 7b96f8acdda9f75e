"""v0.5's notifications: the URLs each task's runs notify (/api/task/notification/, + `test/`), admins only, and
the messages the frontend polls (/api/notification/: what runs and what just ended), any user."""

import json
from typing import TYPE_CHECKING

from chalice import Response

from functions.core import lazy
from functions.core.dialects import V05
from functions.core.errors import BadRequest
from functions.http.routing import ADMIN, JSON_HEADERS, NO_CONTENT, USER, Call, Router
from functions.http.ta5.shapes import no_content
from functions.schemas.tasks import (
    BoardFilter,
    BoardMessage,
    NotificationChange,
    NotificationTest,
    NotificationTestResult,
    TaskNotifications,
)

if TYPE_CHECKING:
    from functions.services import notifications, task_runs
else:  # imported when a view first uses them (functions/core/lazy.py)
    notifications, task_runs = lazy.modules("functions.services", "notifications", "task_runs")

router = Router(__name__, dialect=V05)
URLS = dict[str, TaskNotifications]  # the notification URLs per task name


def _listing() -> dict[str, TaskNotifications]:
    return {
        name: TaskNotifications(urls=urls, title=task_runs.TASKS[name].title)
        for name, urls in notifications.all_urls().items()
        if name in task_runs.TASKS
    }


@router.route("/api/task/notification", auth=ADMIN, returns=URLS)
def list_urls(call: Call):
    """`{task_name: {"urls", "title"}}` for the tasks that have URLs."""
    return _listing()


@router.route("/api/task/notification", methods=("POST",), auth=ADMIN, body=NotificationChange, returns=URLS)
def add_url(call: Call):
    """Add a URL to a task (400 with the reason for a URL this archive cannot send to: nothing is stored)."""
    task_runs.task(call.body.task_name)
    if not call.body.url:
        raise BadRequest("missing url")
    notifications.add(call.body.task_name, call.body.url)
    return _listing()


@router.route("/api/task/notification", methods=("DELETE",), auth=ADMIN, body=NotificationChange, returns=NO_CONTENT)
def remove_url(call: Call):
    """Remove the `url` of a task, or all its URLs without one."""
    task_runs.task(call.body.task_name)
    notifications.remove(call.body.task_name, call.body.url or None)
    return no_content()


@router.route(
    "/api/task/notification/test", methods=("POST",), auth=ADMIN, body=NotificationTest, returns=NotificationTestResult
)
def test_url(call: Call):
    """Send a test message: 200 `{"success": true}` when it was delivered (SNS accepted it; the webhook answered
    2xx), 400 `{"success": false, "message"}` with why not."""
    name = call.body.task_name or "manual_test"
    title = task_runs.task(name).title if call.body.task_name else name
    delivered, message = notifications.test(call.body.url, name, title)
    if delivered:
        return NotificationTestResult(success=True, message=message)
    body = {"success": False, "message": message, "error": message}
    return Response(body=json.dumps(body), status_code=400, headers=dict(JSON_HEADERS))


@router.route("/api/notification", auth=USER, query=BoardFilter, returns=list[BoardMessage])
def poll(call: Call):
    """The runs going on and those that ended moments ago, oldest first; `?filter=download|settings|channel`."""
    return [task_runs.render_message(run) for run in task_runs.board(call.params.filter)]
