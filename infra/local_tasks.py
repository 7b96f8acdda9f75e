"""The local run's download tasks: a download too large for the download function runs in a subprocess.

What a Fargate task is in the cloud (functions.services.offload): the same entry point,
`python -m functions.jobs.download_task`, in a process of its own with the local run's environment (its moto
endpoint, stage and tables). A thread waits for it and reports its exit to download.task_stopped, as the ECS
task-stopped event does in the cloud, so a failed task's download is retried the same way.
"""

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

from functions.jobs import download
from functions.services import offload

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("ytarchive.local_tasks")


class SubprocessRunner:
    def __init__(self, python: str = sys.executable):
        self.python = python

    def start(self, youtube_id: str, owner: str, attempt: int, found: offload.Estimate) -> str:
        command = [self.python, "-m", "functions.jobs.download_task"]
        command += offload.task_arguments(youtube_id, owner, attempt)
        try:
            process = subprocess.Popen(command, cwd=ROOT, env=dict(os.environ))
        except OSError as error:
            raise offload.TaskNotStarted(f"the download subprocess did not start: {error}") from error
        threading.Thread(
            target=self._wait, args=(process, youtube_id, owner, attempt), name=f"task-{youtube_id}", daemon=True
        ).start()
        return f"subprocess {process.pid}"

    def _wait(self, process: subprocess.Popen, youtube_id: str, owner: str, attempt: int) -> None:
        code = process.wait()
        try:
            outcome = download.task_stopped(youtube_id, owner, attempt, code)
        except Exception:
            log.exception("download subprocess %s for %s: handling its exit failed", process.pid, youtube_id)
            return
        log.info("download subprocess %s for %s exited %s: %s", process.pid, youtube_id, code, outcome)
