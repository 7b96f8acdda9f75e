"""Background task state in DynamoDB (TaskState items), so every function answers `/api/task/` truthfully.

A task is held by one run at a time: `acquire` is a conditional write that succeeds only when no other run
holds a lease that is still valid, so two rescans (the schedule and a request, or a redelivered message) never
run together, and a run that crashed frees the task when its lease expires. `request` marks a task asked for
(its message is on a queue) so it reads as busy before a function picks it up.
"""

import time
import uuid

from pynamodb.exceptions import DoesNotExist

from functions.storage import db
from functions.storage.models import TaskState

IDLE, QUEUED, RUNNING = "idle", "queued", "running"
RESCAN = "rescan"


def _now() -> int:
    return int(time.time())


def _free(now: int):
    """No run holds the task, or its hold has expired."""
    return (
        TaskState.name.does_not_exist()
        | TaskState.state.does_not_exist()
        | (TaskState.state != RUNNING)
        | TaskState.lease_until.does_not_exist()
        | (TaskState.lease_until < now)
    )


def acquire(name: str, lease_seconds: int) -> str | None:
    """Hold the task for a new run; its owner id, or None when another run holds it."""
    owner, now = uuid.uuid4().hex, _now()
    held = db.conditional(
        TaskState(name).update,
        actions=[
            TaskState.state.set(RUNNING),
            TaskState.owner.set(owner),
            TaskState.lease_until.set(now + lease_seconds),
            TaskState.started.set(now),
            TaskState.updated.set(now),
            TaskState.progress.set(0),
            TaskState.message.remove(),
        ],
        condition=_free(now),
    )
    return owner if held else None


def request(name: str, lease_seconds: int) -> bool:
    """Mark the task asked for (busy until a run takes it or the lease ends); False when a run holds it."""
    now = _now()
    return db.conditional(
        TaskState(name).update,
        actions=[
            TaskState.state.set(QUEUED),
            TaskState.lease_until.set(now + lease_seconds),
            TaskState.updated.set(now),
            TaskState.owner.remove(),
        ],
        condition=_free(now),
    )


def report(name: str, owner: str, progress: float, message: str | None = None) -> None:
    """Progress of the run holding the task (percent); ignored when it no longer holds it."""
    actions = [TaskState.progress.set(round(progress, 1)), TaskState.updated.set(_now())]
    actions.append(TaskState.message.set(message[:500]) if message else TaskState.message.remove())
    db.conditional(TaskState(name).update, actions=actions, condition=TaskState.owner == owner)


def release(name: str, owner: str, error: str | None = None) -> None:
    """End the run: the task is idle again, with its last error (or none)."""
    actions = [
        TaskState.state.set(IDLE),
        TaskState.owner.remove(),
        TaskState.lease_until.remove(),
        TaskState.updated.set(_now()),
        TaskState.progress.set(100),
        TaskState.last_error.set(error[:2000]) if error else TaskState.last_error.remove(),
    ]
    db.conditional(TaskState(name).update, actions=actions, condition=TaskState.owner == owner)


def get(name: str) -> TaskState | None:
    try:
        return TaskState.get(name, consistent_read=True)
    except DoesNotExist:
        return None


def is_busy(name: str, now: int | None = None) -> bool:
    """Whether a run holds the task or one was asked for, and that has not expired."""
    state = get(name)
    if state is None or state.state not in (QUEUED, RUNNING):
        return False
    return bool(state.lease_until) and state.lease_until > (now or _now())
