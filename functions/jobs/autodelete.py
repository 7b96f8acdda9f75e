"""The autodelete function: on its schedule (scheduler.autodelete), watched videos past their autodelete days are
deleted and kept out of later downloads (functions.services.autodelete)."""

import time

from functions.jobs import events
from functions.services import autodelete as autodelete_service
from functions.services import schedules


def autodelete(event):
    schedules.record_run("autodelete", time.time())
    return {"autodeleted": len(events.scheduled(event, autodelete_service.run))}
