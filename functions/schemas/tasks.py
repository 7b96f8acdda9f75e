"""TubeArchivist v0.5's task and notification objects: the runs of `/api/task/by-name/` and `by-id/`, what
starting one answers, the notification URLs of `/api/task/notification/` and the messages of `/api/notification/`."""

from typing import Annotated, Literal

from msgspec import UNSET, Meta, Struct, UnsetType

Status = Literal["PENDING", "STARTED", "SUCCESS", "FAILURE", "REVOKED"]


class TaskResult(Struct):
    """One run, with TaskResultSerializer's fields (`traceback`: why it failed) and what this archive records
    besides: when it started, its latest progress lines and fraction, a stop asked for, notifications that failed."""

    task_id: str
    name: str
    status: Status
    result: str | None
    traceback: str | None
    date_done: str | None
    date_queued: str
    date_started: str | None
    messages: list[str]
    progress: float | None
    command: Literal["STOP", "KILL"] | None
    notification_errors: list[str]


class TaskRunStarted(Struct):
    """AsyncTaskResponseSerializer: the run a start made (or the one already running, with its `message`)."""

    task_id: str
    status: Status
    message: str | UnsetType = UNSET


class TaskCommand(Struct):
    """`POST /api/task/by-id/<id>/`."""

    command: Literal["stop", "kill"]


Url = Annotated[str, Meta(min_length=1, max_length=2000)]


class NotificationChange(Struct):
    """`POST` (add `url`) and `DELETE` (remove `url`, or every URL of the task without it) of
    `/api/task/notification/`."""

    task_name: str
    url: Url | UnsetType = UNSET


class NotificationTest(Struct):
    """`POST /api/task/notification/test/`: send a test message to `url` (as if `task_name` had ended)."""

    url: Url
    task_name: str | UnsetType = UNSET


class NotificationTestResult(Struct):
    success: bool
    message: str


class TaskNotifications(Struct):
    """The URLs of one task name, and its title."""

    urls: list[str]
    title: str


class BoardFilter(Struct):
    """`GET /api/notification/?filter=`: the messages of one group only."""

    filter: Literal["download", "settings", "channel"] | None = None


class BoardMessage(Struct):
    """NotificationSerializer: a run shown while it runs and for moments after it ended."""

    id: str
    title: str
    group: str
    api_start: bool
    api_stop: bool
    level: Literal["info", "error"]
    messages: list[str]
    progress: float | UnsetType = UNSET
    command: Literal["STOP", "KILL"] | UnsetType = UNSET
