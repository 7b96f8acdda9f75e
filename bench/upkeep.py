"""What one run of the upkeep schedules costs at 1,000 and 10,000 videos: check_reindex (functions.services.reindex;
its recent videos' part also alone) and the thumbnail check's listing and scans (functions.services.thumbnails),
as a Markdown table.

    python bench/upkeep.py [--sizes 1000,10000]

For each size, in a fresh moto (the stack of infra/resources.yaml), bench/api_cost.py's archive is filled by
bench/fill.py, every video's refresh date set 0..199 days ago, one video in a hundred published 0..3 days ago, and
every video's thumbnail stored but one in a hundred. Then one check_reindex run (90 days), the Query and BatchGet
of its recent videos alone, and one thumbnail check (its YouTube fetches left out: the bench
measures what the run reads) are counted by bench/cost.py's hook: DynamoDB calls by operation, items read, and
read units. A Scan is charged by the whole items it reads, whatever it projects, so the read units of the Scans
are recomputed from each table's full items (the "Scan read units" column, which then prices the run); a run
with no Scan is priced as returned ("read units": every item is under 4 KB, so a projected item costs what the
whole one does).
Times are moto's on this machine: read them as relative costs. Asserts nothing timed.
"""

import argparse
import math
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import api_cost  # noqa: E402  (sets the moto environment before any project import)
import boto3  # noqa: E402
from cost import READ_UNIT_BYTES, ReadUnits  # noqa: E402
from moto import mock_aws  # noqa: E402

SIZES = (1_000, 10_000)
SCANNED = ("videos", "channels", "playlists", "queue")


def scan_read_units(tables: tuple[str, ...]) -> float:
    """What a Scan of each table costs on DynamoDB: its full items' bytes in eventually consistent read units."""
    dynamodb = boto3.client("dynamodb")
    units = 0.0
    for table in tables:
        size = 0
        for page in dynamodb.get_paginator("scan").paginate(TableName=f"ytarchive-local-{table}"):
            size += sum(api_cost.item_size(item) for item in page["Items"])
        units += 0.5 * math.ceil(size / READ_UNIT_BYTES)
    return units


def run_size(size: int) -> list[dict]:
    import fill

    from functions.services import reindex, thumbnails
    from functions.storage import index_keys, s3
    from functions.storage.models import Video

    counter = ReadUnits()
    rows = []
    with mock_aws():
        api_cost.create_stack()
        fill.queue(api_cost.make_queue(size))
        fill.fill(api_cost.make_document(size))
        today = datetime.now(UTC).date()
        with Video.batch_write() as batch:
            for n, video in enumerate(Video.scan()):
                video.vid_last_refresh = (today - timedelta(days=n % 200)).isoformat()
                if n % 100 == 0:
                    video.published = (today - timedelta(days=n % 4)).isoformat()
                    index_keys.set_video_keys(video)
                batch.save(video)
        missing = 0
        for n, video in enumerate(Video.scan(attributes_to_get=["youtube_id"])):
            if n % 100:
                s3.put(s3.video_thumb_key(video.youtube_id), b"jpg", "image/jpeg")
            else:
                missing += 1
        thumbnails._fetch_video_thumbnail = lambda youtube_id, cookie: True  # no YouTube here
        for label, work, tables in (
            ("check_reindex", lambda: reindex.run(), SCANNED[:3]),
            ("its recent videos", lambda: reindex.recent(today, set()), ()),
            ("thumbnail check", lambda: thumbnails.check(None), SCANNED),
        ):
            counter.attach_all()
            counter.reset()
            started = time.perf_counter()
            outcome = work()
            seconds = time.perf_counter() - started
            scans = counter.ops["Scan"]
            if label == "check_reindex":
                did = f"{sum(len(ids) for ids in outcome.values())} sent to refresh"
            elif label == "its recent videos":
                did = f"{len(outcome)} published in the last {reindex.RECENT_DAYS} days"
            else:
                did = (
                    f"{outcome['missing']} missing ({missing} videos' made, the rest channel art the fill has"
                    f" not), {outcome['fetched']} fetched, {outcome['refreshing']} sent to refresh"
                )
            rows.append(
                {
                    "size": size,
                    "run": label,
                    "calls": counter.summary(),
                    "items": counter.items,
                    "scan_units": scan_read_units(tables) if scans else 0.0,
                    "units": None if scans else counter.read_units,
                    "seconds": seconds,
                    "did": did,
                }
            )
            print(f"  {size:,}: {label} measured", file=sys.stderr)
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    args = parser.parse_args(argv)
    rows = [row for size in args.sizes.split(",") for row in run_size(int(size))]
    print("| videos | run | DynamoDB calls | items read | Scan read units | read units | moto s | did |")
    print("|---:|---|---|---:|---:|---:|---:|---|")
    for row in rows:
        units = "(its Scans)" if row["units"] is None else f"{row['units']:,.1f}"
        print(
            f"| {row['size']:,} | {row['run']} | {row['calls']} | {row['items']:,} | {row['scan_units']:,.1f} |"
            f" {units} | {row['seconds']:.2f} | {row['did']} |"
        )


if __name__ == "__main__":
    main()
