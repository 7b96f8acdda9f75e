"""Snapshot and restore of an archive of 10,000 videos: time and size, as a Markdown table.

    python bench/snapshot.py [--videos 10000]

In a fresh moto (`mock_aws`, the stack created from infra/resources.yaml), the archive of bench/api_cost.py
(videos over 50 channels and 20 playlists, with playlist entries and counters) is imported with
functions.services.importer; then, as the snapshot job does: a snapshot (every table scanned and written to S3, with the
manifest), a restore onto the unchanged archive (reads and compares only), then every snapshotted table emptied
(inside moto, not timed) and a restore onto the empty archive (every item written back), checked to give
identical tables. `run()` is what
bench/search.py calls at its end. Times are moto's on this machine: DynamoDB itself answers each call faster but
throttles big batch writes, so read them as relative costs.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api_cost import create_stack, make_document  # noqa: E402  (sets the environment first, as here)

VIDEOS = 10_000


def _tables(snapshots) -> dict[str, list[str]]:
    return {
        snapshots.table_label(model): sorted(snapshots._line(item) for item in snapshots._scan(model))
        for model in snapshots.snapshot_models()
    }


def _wipe(models) -> None:
    """Empty the tables inside moto (as tests/conftest.py does between tests): the wipe is not what is measured."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    tables = dynamodb_backends[DEFAULT_ACCOUNT_ID][os.environ["AWS_DEFAULT_REGION"]].tables
    for model in models:
        tables[model.Meta.table_name].items.clear()


def _timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def measure(videos: int = VIDEOS) -> dict:
    """Import, snapshot, restore unchanged, wipe, restore: seconds and sizes of each step."""
    from moto import mock_aws

    from functions.core.settings import DEFAULT_APP_CONFIG
    from functions.services import importer, snapshots
    from functions.storage.models import Snapshot
    from infra import moto_cloudformation

    with mock_aws():
        moto_cloudformation.register()
        create_stack()
        result = {"videos": videos}
        result["import_s"], _ = _timed(lambda: importer.import_document(make_document(videos)))
        before = _tables(snapshots)
        result["items"] = sum(len(items) for items in before.values())
        snapshot_id = snapshots.start(DEFAULT_APP_CONFIG)
        result["snapshot_s"], _ = _timed(lambda: snapshots.create(snapshot_id))
        item = Snapshot.get(snapshot_id)
        assert item.state == snapshots.SUCCESS, item.message
        result["size_bytes"] = int(item.size_bytes)
        result["raw_bytes"] = sum(len(line) + 1 for items in before.values() for line in items)
        result["restore_same_s"], _ = _timed(lambda: snapshots.restore(snapshot_id))
        _wipe(snapshots.snapshot_models())
        result["restore_empty_s"], _ = _timed(lambda: snapshots.restore(snapshot_id))
        result["identical"] = _tables(snapshots) == before
    return result


def table(result: dict) -> str:
    items = result["items"]
    rows = [
        ("import (functions.services.importer)", f"{result['import_s']:.1f} s", ""),
        ("snapshot: scan every table, write to S3", f"{result['snapshot_s']:.1f} s", f"{items:,} items"),
        (
            "snapshot size (gzip DynamoDB JSON + manifest)",
            f"{result['size_bytes'] / 2**20:.2f} MB",
            f"{result['raw_bytes'] / 2**20:.1f} MB as JSON lines",
        ),
        ("restore onto the unchanged archive", f"{result['restore_same_s']:.1f} s", "checks, reads, writes nothing"),
        ("restore onto the wiped archive", f"{result['restore_empty_s']:.1f} s", f"writes {items:,} items"),
        ("tables identical after restore", "yes" if result["identical"] else "NO", ""),
    ]
    return step_table(f"Snapshot and restore, {result['videos']:,} videos (moto)", rows)


def step_table(title: str, rows: list[tuple[str, str, str]]) -> str:
    """A Markdown table of (step, result, note) rows under a heading (bench/backup.py prints one too)."""
    lines = [f"### {title}", "", "| step | result | note |", "|---|---|---|"]
    lines += [f"| {step} | {value} | {note} |" for step, value, note in rows]
    return "\n".join(lines)


def run(videos: int = VIDEOS) -> dict:
    """Measure and print the table; the measurements."""
    result = measure(videos)
    print(table(result), flush=True)
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", type=int, default=VIDEOS)
    args = parser.parse_args(argv)
    result = run(args.videos)
    if not result["identical"]:
        sys.exit("restore did not give identical tables")


if __name__ == "__main__":
    main()
