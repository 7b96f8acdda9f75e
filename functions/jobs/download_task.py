"""A download too large for the download function, run on its own: the entry point of the download task.

    python -m functions.jobs.download_task YOUTUBE_ID --owner MESSAGE_ID --attempt N

The download function starts it (functions.services.offload) as an ECS Fargate task in the cloud, from the
container image of infra/container.py (the same package and layer), or as a subprocess in the local run
(infra/local_tasks.py). It runs the download function's own path (download.download_video) for the video the
message `owner` claimed, and exits 0 when the video is archived (or there was nothing to do), 1 when it failed
(the error is on the queue item and in the log).

However the task ends, `stopped` follows: in the cloud from the ECS "task stopped" event that an EventBridge rule
puts on the download queue (a `task_stopped` message, infra/fargate.yaml), locally from the subprocess's exit. A
non-zero exit (a failure, a crash, an out-of-memory kill) leaves its error on the queue item and sends the download
back to the queue as attempt N+1, after a delay, until the third attempt has failed.
"""

import argparse
import logging
import sys

STOPPED = "task_stopped"  # the action of the messages the task-stopped rule sends
RETRY_DELAY_SECONDS = 300  # before a failed task's download is tried again (SQS delays at most 900 s)
log = logging.getLogger("ytarchive.download_task")


def parse(arguments: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m functions.jobs.download_task", description=__doc__.split("\n")[0])
    parser.add_argument("youtube_id")
    parser.add_argument("--owner", required=True, help="the SQS message id that claimed the queue item")
    parser.add_argument("--attempt", type=int, default=1)
    return parser.parse_args(arguments)


def main(argv: list[str] | None = None) -> int:
    from functions.jobs import download
    from functions.services.offload import TASK_LEASE_SECONDS

    args = parse(sys.argv[1:] if argv is None else argv)
    try:
        outcome = download.download_video(args.youtube_id, args.owner, args.attempt, TASK_LEASE_SECONDS, True)
    except Exception as error:
        log.error("download task for %s failed: %s", args.youtube_id, error, exc_info=True)
        return 1
    log.info("download task for %s: %s", args.youtube_id, outcome)
    return 0


def stopped(youtube_id: str, owner: str, attempt: int, exit_code: int | None, reason: str = "") -> str:
    """The download task of `owner`'s claim ended with `exit_code`: what was done about it."""
    from functions.jobs.download import MAX_RECEIVES, failure_message
    from functions.services import download_queue

    if exit_code == 0:
        return "done"
    text = f"the download task stopped with exit code {exit_code}" + (f" ({reason})" if reason else "")
    log.error("%s: %s", youtube_id, text)
    if download_queue.holds(youtube_id, owner):  # it died before writing its own error
        download_queue.record_failure(youtube_id, owner, failure_message(RuntimeError(text), attempt))
    if attempt >= MAX_RECEIVES:
        return "given up"
    body = {"action": download_queue.DOWNLOAD, "youtube_id": youtube_id, "attempt": attempt + 1}
    download_queue.send([body], delay_seconds=RETRY_DELAY_SECONDS)
    return "retried"


def stopped_event(task: dict) -> str:
    """`stopped` for the detail of an ECS "Task State Change" event of a stopped download task."""
    from functions.core.ids import is_video_id

    overrides = (task.get("overrides") or {}).get("containerOverrides") or [{}]
    try:
        args = parse([str(part) for part in overrides[0].get("command") or []])
    except SystemExit:  # argparse refuses: not one of ours
        args = None
    if args is None or not is_video_id(args.youtube_id):
        log.error("dropping a task-stopped event that names no download: %.300r", task)
        return "malformed"
    codes = [c.get("exitCode") for c in task.get("containers") or [] if c.get("name") == "download"]
    code = codes[0] if codes and codes[0] is not None else None
    reason = task.get("stoppedReason") or task.get("stopCode") or ""
    return stopped(args.youtube_id, args.owner, args.attempt, code if code is not None else -1, reason)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sys.exit(main())
