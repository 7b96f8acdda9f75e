"""How much parallel download workers gain: 16 videos from a local media server throttled per connection, archived
through the real pipeline with 1 worker and with 8, in one run.

    python bench/downloads.py [--videos 16] [--workers 1,8] [--rate 5000] [--budget 6] [--cap 40000]

The pipeline is the local run's: a moto server in its own process holding the stack of infra/resources.yaml
(as DynamoDB, S3 and SQS are remote to a Lambda), the queue filled with functions.services.downloads.intake and started
(one SQS
message per video), and N threads each polling the download queue with infra.local.process_batch and the
app's `download` handler (LOCAL_WORKERS does this in `make run`). Each handler runs yt-dlp for real against
tests/media_server.py, which serves every connection at `--rate` bytes per second; so a download waits on the
network, as it does on YouTube, and parallel workers overlap those waits. A warm-up download archives the
channel first (its page and art are fetched once, by whichever download creates it); then each worker count
archives 16 new videos of it, all of one size. Prints a Markdown table and whether the speed-up meets the
budget (asserts nothing timed, as the other benchmarks).

With `--cap B/s` it then archives as many videos again with the most workers over one link shared by all of
them (the media server throttled as a whole, no per-connection limit), and reports the wall time against the
bytes the link carried / cap: how much of the link the downloads use (goal: >= 0.9).
"""

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MOTO_SCRIPT = """
import sys, threading
from infra import local_stack
from infra.moto_server import Credentials, start_moto
server = start_moto(int(sys.argv[1]), Credentials("bench", "bench"))  # the keys aws_environment gives boto3
local_stack.create_stack("local")
print("ready", flush=True)
threading.Event().wait()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def aws_environment(port: int) -> dict:
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        APP_STAGE="local",
        TABLE_PREFIX="ytarchive-local-",
        MEDIA_BUCKET="ytarchive-local-media",
    )
    return env


def start_moto(env: dict, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", MOTO_SCRIPT, str(port)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    if process.stdout.readline().strip() != "ready":
        process.kill()
        raise RuntimeError("the moto server did not start")
    return process


def run(workers: int, count: int, server, run_name: str) -> dict:
    """Queue `count` new videos of the bench channel, start them, and let `workers` pollers archive them; timings
    in seconds."""
    import boto3

    from app import app
    from functions.services.downloads import intake
    from functions.storage import aws, counters, db
    from infra import local

    catalog = server.catalog
    channel = next(iter(catalog.channels.values()))
    # One size for all (the media server's first variant): 16 equal downloads are 2 rounds of 8, so the speed-up
    # measures the pipeline, not which worker happened to draw the two largest files.
    videos = [catalog.add_video(f"bench-{run_name}-{n}", channel, title=f"Bench {n}", variant=0) for n in range(count)]
    ids = [video.youtube_id for video in videos]
    intake.add_entries([{"youtube_id": i, "channel_id": channel.channel_id} for i in ids])
    url = aws.queue_url(aws.DOWNLOAD)
    before = db.counts([counters.VIDEOS])[counters.VIDEOS]
    stop = threading.Event()
    handler = app.handler_map["download"]

    def poll():
        sqs = boto3.client("sqs")
        while not stop.is_set():
            local.process_batch(sqs, url, handler, 1, wait_seconds=1)

    started = time.perf_counter()
    intake.start()
    threads = [threading.Thread(target=poll, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    deadline = started + 600
    while time.perf_counter() < deadline:  # one counter read a tick: the bench itself stays off moto's back
        archived = db.counts([counters.VIDEOS])[counters.VIDEOS] - before
        if archived == count:
            break
        time.sleep(0.1)
    wall = time.perf_counter() - started
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    if archived != count:
        raise RuntimeError(f"{workers} worker(s): only {archived} of {count} videos archived in 600 s")
    return {"workers": workers, "wall": wall, "per_video": wall / count}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", type=int, default=16)
    parser.add_argument("--workers", default="1,8")
    parser.add_argument("--rate", type=int, default=5000, help="bytes per second per connection")
    parser.add_argument("--budget", type=float, default=6.0, help="least speed-up of the most workers over one")
    parser.add_argument("--cap", type=int, default=0, help="bytes per second of one link shared by all downloads")
    parser.add_argument("--link-budget", type=float, default=0.9, help="least share of the capped link used")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]

    port = free_port()
    env = aws_environment(port)
    os.environ.clear()
    os.environ.update(env)
    os.environ.update(YTDLP_TEST_EXTRACTOR="tests.fake_youtube:FakeYoutubeIE")
    moto = start_moto(env, port)
    try:
        from tests.fake_youtube import SERVER_ENV
        from tests.media_server import Catalog, MediaServer

        catalog = Catalog()
        catalog.add_channel("bench", "Bench")
        with MediaServer(catalog, rate=args.rate) as server:
            os.environ[SERVER_ENV] = server.url
            run(1, 1, server, "warm-up")  # archives the channel (art, page) and makes the media: not timed
            results = [run(n, args.videos, server, f"w{n}") for n in counts]
        capped = None
        if args.cap:
            with MediaServer(catalog, total_rate=args.cap) as server:
                os.environ[SERVER_ENV] = server.url
                capped = run(counts[-1], args.videos, server, "capped")
                capped["bytes"] = server.sent_bytes
    finally:
        moto.terminate()
        moto.wait(timeout=10)

    base = results[0]["wall"]
    print(f"\n{args.videos} downloads, each connection served at {args.rate} B/s (tests/media_server.py)\n")
    print("| workers | wall time (s) | s per video | speed-up |")
    print("|---:|---:|---:|---:|")
    for result in results:
        workers, wall = result["workers"], result["wall"]
        print(f"| {workers} | {wall:.1f} | {result['per_video']:.2f} | {base / wall:.1f}x |")
    speedup = base / results[-1]["wall"]
    verdict = "meets" if speedup >= args.budget else "MISSES"
    print(f"\n{counts[-1]} workers vs {counts[0]}: {speedup:.1f}x, {verdict} the budget of {args.budget:g}x")
    if capped:
        ideal = capped["bytes"] / args.cap
        share = ideal / capped["wall"]
        print(f"\n{args.videos} downloads by {capped['workers']} workers over one link of {args.cap} B/s\n")
        print("| bytes sent | bytes / cap (s) | wall time (s) | share of the link |")
        print("|---:|---:|---:|---:|")
        print(f"| {capped['bytes']} | {ideal:.1f} | {capped['wall']:.1f} | {share:.2f} |")
        verdict = "meets" if share >= args.link_budget else "MISSES"
        print(f"\n{verdict} the goal of {args.link_budget:g} of the link")
    return 0


if __name__ == "__main__":
    sys.exit(main())
