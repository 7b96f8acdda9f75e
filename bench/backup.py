"""A backup and its restore (functions.services.backups) of an archive of 2,000 videos: time and size, as a
Markdown table.

    python bench/backup.py [--videos 2000]

In a fresh moto (the stack of infra/resources.yaml), bench/api_cost.py's archive is imported; then, as the
snapshot job does: a backup (every record exported to one gzip JSON-lines object), a restore onto the unchanged
archive (the importer's plan finds nothing to write), then the backed-up tables emptied inside moto (not timed)
and a restore onto the empty archive, checked to give identical rows. Times are moto's on this machine: read them
as relative costs (bench/snapshot.py measures the raw-table snapshot the same way).
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api_cost import create_stack, make_document  # noqa: E402  (sets the environment first, as here)
from bench.snapshot import _timed, _wipe, step_table  # noqa: E402

VIDEOS = 2_000


def _rows(models) -> dict[str, list[str]]:
    from functions.services import snapshots

    return {model.Meta.table_name: sorted(snapshots._line(i) for i in snapshots._scan(model)) for model in models}


def measure(videos: int = VIDEOS) -> dict:
    from moto import mock_aws

    from functions.services import backups, importer
    from functions.storage import s3
    from functions.storage.models import Channel, Counter, Playlist, PlaylistEntry, SubtitleChunk, Video
    from infra import moto_cloudformation

    models = (Channel, Playlist, PlaylistEntry, Video, SubtitleChunk, Counter)
    with mock_aws():
        moto_cloudformation.register()
        create_stack()
        result: dict = {"videos": videos}
        importer.import_document(make_document(videos))
        before = _rows(models)
        result["items"] = sum(len(items) for items in before.values())
        result["backup_s"], filename = _timed(lambda: backups.export("manual"))
        result["size_bytes"] = backups.detail(str(filename))["file_size"]
        result["lines"] = sum(backups.read_backup(str(filename))[0]["counts"].values())
        result["restore_same_s"], same = _timed(lambda: backups.restore(str(filename)))
        result["unchanged"] = same["videos"]["unchanged"]  # type: ignore[index]
        _wipe(models)
        s3.delete_objects([o["Key"] for o in s3.listing(s3.MEDIA_PREFIX)])
        result["restore_empty_s"], _ = _timed(lambda: backups.restore(str(filename)))
        result["identical"] = _rows(models) == before
    return result


def table(result: dict) -> str:
    rows = [
        (
            "backup: every record to one gzip JSON-lines object",
            f"{result['backup_s']:.1f} s",
            f"{result['lines']:,} records",
        ),
        ("backup size", f"{result['size_bytes'] / 2**20:.2f} MB", ""),
        (
            "restore onto the unchanged archive",
            f"{result['restore_same_s']:.1f} s",
            f"{result['unchanged']:,} videos unchanged, nothing written",
        ),
        ("restore onto the emptied archive", f"{result['restore_empty_s']:.1f} s", f"{result['items']:,} items back"),
        ("rows identical after restore", "yes" if result["identical"] else "NO", ""),
    ]
    return step_table(f"Backup and restore, {result['videos']:,} videos (moto)", rows)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", type=int, default=VIDEOS)
    result = measure(parser.parse_args(argv).videos)
    print(table(result), flush=True)
    if not result["identical"]:
        sys.exit("restore did not give identical rows")


if __name__ == "__main__":
    main()
