"""Where a download runs: in the download function, or, when it would not fit there, as a task of its own.

Lambda stops a function after 15 minutes and gives it at most 10 GB of /tmp; a long stream or a 4K film needs
more. Before downloading, the function estimates the video's size from the formats yt-dlp selected (their
filesize, else bitrate x duration) and what the download needs: disk for the parts and the merged file, time to
fetch it from YouTube and upload it to S3. What does not fit (with margin) is handed to a runner, which starts the
same download elsewhere through the entry point functions/jobs/download_task.py: an ECS Fargate task (up to 200
GB of disk, no time limit) in the cloud, a subprocess in the local run (infra/local_tasks.py). With no runner the
download stays where it is.
"""

import logging
import math
import shutil
import tempfile
from dataclasses import dataclass
from typing import Protocol

from functions.core.settings import get_settings
from functions.storage import aws

log = logging.getLogger("ytarchive.offload")

GIB = 2**30
# What a function can expect, conservatively: YouTube serves one download at ~10 MB/s, S3 takes ~50 MB/s.
DOWNLOAD_BYTES_PER_SECOND = 10 * 2**20
UPLOAD_BYTES_PER_SECOND = 50 * 2**20
FIXED_SECONDS = 60  # extraction, thumbnails, subtitles, the archive's writes
TIME_SHARE = 0.75  # of the time left: the rest is margin for a slower YouTube
DISK_TENTHS = 22  # x2.2 disk: video and audio parts, then the merged file beside them, and 10% margin
UNKNOWN_SIZE_BYTES_PER_SECOND = 1_000_000  # ~8 Mb/s: a 1080p60 stream's bitrate, for formats without sizes
TASK_MIN_GIB, TASK_MAX_GIB = 21, 200  # Fargate's ephemeral storage range
CONTAINER = "download"  # the task definition's container (infra/fargate.yaml)
TASK_LEASE_SECONDS = 24 * 3600  # how long a download task holds its queue item (its stop event lets go sooner)
LIVE = ("is_live", "is_upcoming", "post_live")  # no end known (yet): only a task without a time limit can wait


class TaskNotStarted(RuntimeError):
    """The runner could not start the download task (ECS refused it, no capacity, a bad task definition)."""


@dataclass(frozen=True)
class Estimate:
    size: int | None  # bytes of the selected formats; None when nothing tells
    duration: int | None  # seconds
    live: bool = False

    @property
    def disk(self) -> int:
        return -(-(self.size or 0) * DISK_TENTHS // 10)  # rounded up, in integers


def estimate(info: dict) -> Estimate:
    """Size and duration of what yt-dlp selected in `info` (an info dict after format selection)."""
    duration = int(info["duration"]) if info.get("duration") else None
    parts = []
    for chosen in info.get("requested_formats") or [info]:
        part = chosen.get("filesize") or chosen.get("filesize_approx")
        if not part and chosen.get("tbr") and duration:
            part = chosen["tbr"] * 1000 / 8 * duration  # tbr is in kbit/s
        parts.append(int(part) if part else None)
    size = None if None in parts else sum(p for p in parts if p is not None)
    if size is None and duration:
        size = duration * UNKNOWN_SIZE_BYTES_PER_SECOND
    return Estimate(size, duration, info.get("live_status") in LIVE)


@dataclass(frozen=True)
class Room:
    """What the download function has for one download."""

    disk: int  # free bytes in its work folder
    seconds: float  # left before it is stopped


def room(seconds_left: float, folder: str | None = None) -> Room:
    return Room(shutil.disk_usage(folder or tempfile.gettempdir()).free, seconds_left)


def seconds_needed(size: int, limit_speed_kb: int | None = None) -> float:
    """Time to download `size` bytes (at most at the user's speed limit, downloads.limit_speed) and upload it."""
    download = DOWNLOAD_BYTES_PER_SECOND
    if limit_speed_kb:
        download = min(download, int(limit_speed_kb) * 1024)
    return FIXED_SECONDS + size / download + size / UPLOAD_BYTES_PER_SECOND


def too_large(found: Estimate, here: Room, limit_speed_kb: int | None = None) -> str | None:
    """Why the download does not fit `here`, or None when it does (or nothing tells its size)."""
    if found.live:
        return "a live stream has no known end"
    if not found.size:
        return None
    if found.disk > here.disk:
        return f"needs {found.disk / GIB:.1f} GiB of disk, {here.disk / GIB:.1f} GiB free"
    needed = seconds_needed(found.size, limit_speed_kb)
    if needed > here.seconds * TIME_SHARE:
        return f"needs about {needed / 60:.0f} min, {here.seconds / 60:.0f} min left"
    return None


# ---------------------------------------------------------------- runners


class Runner(Protocol):
    def start(self, youtube_id: str, owner: str, attempt: int, found: Estimate) -> str:
        """Start the download task; where it runs (shown on the queue item). TaskNotStarted when it cannot."""


def task_arguments(youtube_id: str, owner: str, attempt: int) -> list[str]:
    """The arguments of functions/jobs/download_task.py for one download."""
    return [youtube_id, "--owner", owner, "--attempt", str(attempt)]


def parse_task_arguments(arguments: list[str]):
    """(youtube_id, owner, attempt) of task_arguments; SystemExit (argparse's) when they are not."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m functions.jobs.download_task")
    parser.add_argument("youtube_id")
    parser.add_argument("--owner", required=True, help="the SQS message id that claimed the queue item")
    parser.add_argument("--attempt", type=int, default=1)
    parsed = parser.parse_args(arguments)
    return parsed.youtube_id, parsed.owner, parsed.attempt


def task_storage_gib(found: Estimate) -> int:
    return max(TASK_MIN_GIB, min(TASK_MAX_GIB, math.ceil(found.disk / GIB) + 1))


@dataclass(frozen=True)
class FargateRunner:
    """RunTask of the stack's download task definition (infra/fargate.yaml) in its public subnets."""

    cluster: str
    task_definition: str
    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]
    container: str = CONTAINER
    started_by: str = "ytarchive-download"  # what the task-stopped rule matches

    def start(self, youtube_id: str, owner: str, attempt: int, found: Estimate) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = aws.client("ecs").run_task(
                cluster=self.cluster,
                taskDefinition=self.task_definition,
                launchType="FARGATE",
                count=1,
                startedBy=self.started_by,
                networkConfiguration={
                    "awsvpcConfiguration": {
                        "subnets": list(self.subnets),
                        "securityGroups": list(self.security_groups),
                        "assignPublicIp": "ENABLED",  # public subnets reach YouTube without a NAT gateway
                    }
                },
                overrides={
                    "containerOverrides": [
                        {"name": self.container, "command": task_arguments(youtube_id, owner, attempt)}
                    ],
                    "ephemeralStorage": {"sizeInGiB": task_storage_gib(found)},
                },
            )
        except (BotoCoreError, ClientError) as error:
            raise TaskNotStarted(f"ECS refused the download task: {error}") from error
        failures = [f"{f.get('reason')} {f.get('detail') or ''}".strip() for f in response.get("failures") or []]
        if failures or not response.get("tasks"):
            raise TaskNotStarted(f"ECS started no download task: {'; '.join(failures) or 'no reason given'}")
        return f"fargate {response['tasks'][0]['taskArn']}"


_local_runner: Runner | None = None


def use_runner(runner: Runner | None) -> None:
    """The runner of the local run (infra/local_tasks.py); None to go back to the stage's."""
    global _local_runner
    _local_runner = runner


def runner() -> Runner | None:
    """The local run's runner, else the stage's Fargate task when its stack has one, else None."""
    if _local_runner is not None:
        return _local_runner
    settings = get_settings()
    if settings.fargate_cluster and settings.fargate_task_definition and settings.fargate_subnets:
        return FargateRunner(
            cluster=settings.fargate_cluster,
            task_definition=settings.fargate_task_definition,
            subnets=settings.fargate_subnets,
            security_groups=settings.fargate_security_groups,
        )
    return None


def place(youtube_id: str, owner: str, attempt: int, config: dict, cookie: str | None, seconds_left: float):
    """Decide where the claimed download runs: (yt-dlp's planned info, None) to download here, or (None, where)
    when it is too large and a download task was started for it (the queue item shows where). Without a runner,
    (None, None): here, extracting as usual."""
    from functions.services.downloads import worker
    from functions.youtube import media

    chosen = runner()
    if chosen is None:
        return None, None
    planned = media.planned_download(youtube_id, config["downloads"], cookie)
    found = estimate(planned)
    why = too_large(found, room(seconds_left), config["downloads"].get("limit_speed"))
    if why is None:
        return planned, None
    where = chosen.start(youtube_id, owner, attempt, found)
    worker.record_worker(youtube_id, owner, where, TASK_LEASE_SECONDS)
    log.info("%s runs on %s: %s", youtube_id, where, why)
    return None, where
