"""What a move-in costs: `--from-folder` throughput against the disk's read speed, and the metadata of many videos
against `cli import` of the same archive.

    python bench/move_in.py [--files 16] [--megabytes 32] [--videos 10000]

In a fresh moto (`mock_aws`, the stack of infra/resources.yaml, as bench/api_cost.py does):
1. Throughput: a folder of `--files` media files of `--megabytes` each, with an info JSON beside each. The disk's
   read speed is one sequential read of every file (right after writing them: mostly the page cache, the best a
   move-in's own reads can do). Then the files phase of three move-ins: into a store that discards what it is
   sent (move-in's own cost: a SHA-256 pass, then the parts read and sent by 8 threads), into moto's S3 (which
   answers one request at a time), and again (every file verified by size and SHA-256, and skipped); last, the
   whole `cli move-in` command in its own process into a moto server over HTTP, as into the local run.
2. Metadata: a folder of `--videos` videos (1 KB media each) over 50 channels; the move-in's metadata phase
   (the importer's plan and batch writes, feeds, states) against `importer.import_document` of the same
   document in a second, fresh moto.
"""

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from moto import mock_aws  # noqa: E402

from bench.api_cost import channel_id, create_stack, video_id  # noqa: E402  (sets the moto environment first)

CHANNELS = 50


def write_folder(folder: Path, count: int, size: int) -> int:
    block = os.urandom(1024 * 1024)
    for n in range(count):
        youtube_id, channel = video_id(n), channel_id(n % CHANNELS)
        with open(folder / f"Video {n} [{youtube_id}].mp4", "wb") as out:
            left = size
            while left > 0:
                out.write(block[: min(left, len(block))])
                left -= len(block)
        info = {
            "id": youtube_id,
            "title": f"Video {n}",
            "channel_id": channel,
            "channel": f"Channel {n % CHANNELS}",
            "upload_date": f"2024{n % 12 + 1:02d}{n % 28 + 1:02d}",
            "duration": 60 + n % 600,
            "tags": ["bench"],
        }
        (folder / f"Video {n} [{youtube_id}].info.json").write_text(json.dumps(info))
    return count * size


def read_speed(folder: Path) -> float:
    started, total = time.perf_counter(), 0
    for path in folder.glob("*.mp4"):
        with open(path, "rb") as handle:
            while chunk := handle.read(8 * 1024 * 1024):
                total += len(chunk)
    return total / (time.perf_counter() - started)


class DiscardingS3:
    """An S3 that keeps nothing and answers at once: what move-in itself costs (reads, SHA-256, parts, threads)
    with moto's S3 taken out (moto answers one request at a time and joins parts slowly)."""

    def head_object(self, **kwargs):
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": "404"}}, "HeadObject")

    def get_paginator(self, name):
        return type("Pages", (), {"paginate": lambda self, **kwargs: [{}]})()

    def put_object(self, **kwargs):
        return {}

    def create_multipart_upload(self, **kwargs):
        return {"UploadId": "discarded"}

    def upload_part(self, **kwargs):
        return {"ETag": str(len(kwargs["Body"]))}

    def complete_multipart_upload(self, **kwargs):
        return {}


@contextlib.contextmanager
def _store(store):
    """Uploads go to `store` (None: the archive's S3 client) while the block runs."""
    from infra.move_in import upload

    if store is None:
        yield
        return
    original = upload.aws.client
    upload.aws.client = lambda service: store if service == "s3" else original(service)
    try:
        yield
    finally:
        upload.aws.client = original


def throughput(files: int, megabytes: int) -> list[tuple[str, str, str]]:
    from infra.move_in import move_in
    from infra.move_in.folder import Folder
    from infra.move_in.report import Phases

    with tempfile.TemporaryDirectory() as work, mock_aws():
        create_stack()
        folder = Path(work)
        total = write_folder(folder, files, megabytes * 1024 * 1024)
        disk = read_speed(folder)
        rows = [("disk read (sequential, one pass)", f"{total / 1e6:,.0f} MB", f"{disk / 1e6:,.0f} MB/s")]
        runs = [
            ("move-in, files into a store that discards them", DiscardingS3()),
            ("move-in --from-folder into moto's S3", None),
            ("again (every file verified and skipped)", None),
        ]
        for label, store in runs:
            phases = Phases()
            with _store(store):
                report = move_in(Folder(folder), phases=phases)
            seconds = phases.seconds["files"]  # the files phase: reading, hashing, sending
            assert not report.failures, report.lines()
            rows.append(
                (label, f"{seconds:.1f} s", f"{total / seconds / 1e6:,.0f} MB/s ({total / seconds / disk:.1%} of disk)")
            )
        rows.append(cli_into_moto_server(folder, total, disk))
        return rows


def cli_into_moto_server(folder: Path, total: int, disk: float) -> tuple[str, str, str]:
    """`python -m infra.cli move-in --from-folder` in its own process, into a moto server over HTTP (as the local
    run's): the whole command, metadata included."""
    import subprocess

    from bench.downloads import aws_environment, free_port, start_moto

    port = free_port()
    env = aws_environment(port)
    server = start_moto(env, port)
    try:
        started = time.perf_counter()
        command = [sys.executable, "-m", "infra.cli", "move-in", "--from-folder", str(folder)]
        subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=3600)
        seconds = time.perf_counter() - started
    finally:
        server.kill()
        server.wait()
    speed = f"{total / seconds / 1e6:,.0f} MB/s ({total / seconds / disk:.1%} of disk)"
    return ("cli move-in --from-folder into a moto server (HTTP), whole command", f"{seconds:.1f} s", speed)


def metadata(videos: int) -> list[tuple[str, str, str]]:
    from functions.services import importer
    from infra.move_in import move_in
    from infra.move_in.folder import Folder
    from infra.move_in.report import Phases

    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        write_folder(folder, videos, 1024)
        with mock_aws():
            create_stack()
            phases = Phases()
            started = time.perf_counter()
            report = move_in(Folder(folder), phases=phases)
            whole = time.perf_counter() - started
            assert not report.failures, report.lines()
            document = report.collected.document
        with mock_aws():
            create_stack()
            started = time.perf_counter()
            importer.import_document(document)
            imported = time.perf_counter() - started
    return [
        (f"cli import of {videos:,} videos (importer.import_document)", f"{imported:.1f} s", "1.00x"),
        (
            f"move-in metadata phase, {videos:,} videos",
            f"{phases.seconds['metadata']:.1f} s",
            f"{phases.seconds['metadata'] / imported:.2f}x",
        ),
        ("move-in read phase (info JSON parsed)", f"{phases.seconds['read']:.1f} s", ""),
        ("move-in files phase (media, info JSON: 2 objects a video)", f"{phases.seconds['files']:.1f} s", ""),
        ("move-in, everything", f"{whole:.1f} s", f"{whole / imported:.2f}x"),
    ]


def table(title: str, header: tuple[str, str, str], rows) -> None:
    print(f"\n## {title}\n")
    print(f"| {' | '.join(header)} |")
    print("|---|---:|---:|")
    for row in rows:
        print(f"| {' | '.join(row)} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=16)
    parser.add_argument("--megabytes", type=int, default=32)
    parser.add_argument("--videos", type=int, default=10_000)
    args = parser.parse_args()
    table(
        "move-in --from-folder throughput (moto, in-process)",
        ("what", "size / time", "speed"),
        throughput(args.files, args.megabytes),
    )
    table(
        "Metadata: move-in against cli import (moto, in-process)", ("what", "time", "vs import"), metadata(args.videos)
    )


if __name__ == "__main__":
    main()
