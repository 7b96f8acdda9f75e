"""The scheduled upkeep jobs TubeArchivist v0.5 names, each on its own schedule (scheduler.<name>, off at the start):
download_pending sends the queue's pending videos to download (as POST /api/task/ {"run": "download_pending"}
does), check_reindex sends what is due to refresh (functions.services.reindex), thumbnail_check asks the refresh
function for a thumbnail check (functions.services.thumbnails: it reads YouTube), version_check for a look at
the latest yt-dlp release (functions.services.version_check: the refresh function runs the downloads' yt-dlp).
Each is a task run."""

from functions.jobs import events
from functions.services import reindex, task_runs, thumbnails
from functions.services import version_check as releases  # upkeep.version_check is the job
from functions.services.downloads import intake


def download_pending(event):
    started = events.scheduled(event, intake.start_pending_run)
    return {"task_id": started.task_id, "status": started.status}


def check_reindex(event):
    sent = events.scheduled(event, lambda: task_runs.record(task_runs.CHECK_REINDEX, reindex.run))
    return {kind: len(ids) for kind, ids in sent.items()}


def thumbnail_check(event):
    return {"task_id": events.scheduled(event, thumbnails.scheduled)}


def version_check(event):
    return {"task_id": events.scheduled(event, releases.scheduled)}
