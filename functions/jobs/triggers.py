"""Which event runs which job: the queue or schedule of every job function, declared once, for `chalice package`.

app.py registers `blueprint`, so the template gets each job's function and its event source from the API
function's app, which must not import the jobs (its cold start: bench/api_cost.py). Each handler Chalice wraps
here imports its job module when the first event comes and calls the job's function of the same name with the
event Chalice built. Lambda runs a job as `functions.jobs.triggers.<name>` (Chalice names a blueprint's handlers
after the blueprint's module): a job function's cold start imports this module, then its job.

The only module below the web layer that imports Chalice: it is what declares a Lambda's event source and turns
Lambda's raw event into the SQS or scheduled event the job reads. The schedules here are the defaults the stack
is made with; the owner changes them (functions.services.schedules), and the rules (named by infra/merge.py)
follow.
"""

import importlib
from collections.abc import Callable

from chalice import Blueprint

from functions.core import crontab
from functions.core.settings import AUTO_SCHEDULES, SCHEDULE_HANDLERS
from functions.storage import aws

blueprint = Blueprint(__name__)


def _job(module: str, name: str) -> Callable:
    """functions.jobs.<module>.<name>, imported when an event comes; registered under `name`."""

    def run(event):
        return getattr(importlib.import_module(f"functions.jobs.{module}"), name)(event)

    run.__name__ = run.__qualname__ = name
    return run


def _scheduled(module: str, name: str) -> Callable:
    """The job `name`, on its schedule's "auto" (settings.SCHEDULE_HANDLERS names the schedule of each; those off
    at the start get a disabled rule: infra/merge.py)."""
    (schedule,) = [schedule for schedule, handler in SCHEDULE_HANDLERS.items() if handler == name]
    default = crontab.parse(AUTO_SCHEDULES[schedule])
    return blueprint.schedule(crontab.eventbridge(default))(_job(module, name))


# The snapshot queue consumer and the scheduled snapshot; the download queue consumer; the subscriptions rescan;
# the autodelete; the scheduled backup; the refresh queue consumer (refreshes, requested rescans, thumbnail
# checks, version checks); the scheduled start of the pending downloads, the refresh of what is due, the
# thumbnail check and the version check.
snapshot = blueprint.on_sqs_message(queue=aws.SNAPSHOT, batch_size=1)(_job("snapshot", "snapshot"))
daily_snapshot = _scheduled("snapshot", "daily_snapshot")
download = blueprint.on_sqs_message(queue=aws.DOWNLOAD, batch_size=1)(_job("download", "download"))
rescan = _scheduled("rescan", "rescan")
autodelete = _scheduled("autodelete", "autodelete")
scheduled_backup = _scheduled("snapshot", "scheduled_backup")
refresh = blueprint.on_sqs_message(queue=aws.REFRESH, batch_size=1)(_job("refresh", "refresh"))
download_pending = _scheduled("upkeep", "download_pending")
check_reindex = _scheduled("upkeep", "check_reindex")
thumbnail_check = _scheduled("upkeep", "thumbnail_check")
version_check = _scheduled("upkeep", "version_check")
