"""A download too large for the download function, run on its own: the entry point of the download task.

    python -m functions.jobs.download_task YOUTUBE_ID --owner MESSAGE_ID --attempt N

The download function starts it (functions.services.offload) as an ECS Fargate task in the cloud, from the
container image of infra/container.py (the same package and layer), or as a subprocess in the local run
(infra/local_tasks.py). It runs the download function's own path (download.download_video) for the video the
message `owner` claimed, and exits 0 when the video is archived (or there was nothing to do), 1 when it failed
(the error is on the queue item and in the log). However it ends, download.task_stopped follows.
"""

import logging
import sys

log = logging.getLogger("ytarchive.download_task")


def main(argv: list[str] | None = None) -> int:
    from functions.jobs import download
    from functions.services import offload

    youtube_id, owner, attempt = offload.parse_task_arguments(sys.argv[1:] if argv is None else argv)
    try:
        outcome = download.download_video(youtube_id, owner, attempt, offload.TASK_LEASE_SECONDS, in_task=True)
    except Exception as error:
        log.error("download task for %s failed: %s", youtube_id, error, exc_info=True)
        return 1
    log.info("download task for %s: %s", youtube_id, outcome)
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sys.exit(main())
