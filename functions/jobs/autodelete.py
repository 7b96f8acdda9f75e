"""The autodelete function: on its schedule (scheduler.autodelete), watched videos past their autodelete days are
deleted and kept out of later downloads (functions.services.autodelete)."""

from functions.jobs import events
from functions.services import autodelete as autodelete_service
from functions.services import task_runs


def autodelete(event):
    deleted = events.scheduled(event, lambda: task_runs.record(task_runs.AUTODELETE, autodelete_run))
    return {"autodeleted": len(deleted)}


def autodelete_run(run: task_runs.Run) -> list[str]:
    deleted = autodelete_service.run()
    run.result = f"deleted {len(deleted)} watched video(s)" if deleted else None
    return deleted
