"""What writing one file's tags costs the metadata resync (functions.services.media_tags): S3 requests and the bytes
that pass through the function, by file size and atom layout, beside reading and putting back the whole file.

    python bench/metadata_sync.py [--mib 256]

The files are real mp4s made with imageio-ffmpeg: a small one (2 s, 160x90), one of lossless noise (~5.5 MB), and
the noise one grown to --mib MiB by a top-level `free` atom after its media data (a valid file: no offset moves),
each with `moov` last (as ffmpeg writes) and first (+faststart, as yt-dlp's postprocessors leave it). Each is put
into moto's bucket and tagged once (title, description, a 3 KB jpg cover), counted by botocore event hooks on the
project's S3 client. Times are moto's on this machine: read them as relative costs. Asserts nothing.
"""

import argparse
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import api_cost  # noqa: E402  (sets the moto environment before any project import)
import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

MIB = 2**20


def _ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def make_mp4(work: Path, name: str, video: str, faststart: bool, lossless: bool) -> bytes:
    out = work / f"{name}.mp4"
    codecs = ["-c:v", "libx264", "-pix_fmt", "yuv420p", *(["-qp", "0"] if lossless else []), "-c:a", "aac"]
    flags = ["-movflags", "+faststart"] if faststart else []
    source = ["-f", "lavfi", "-i", video, "-f", "lavfi", "-i", "sine=duration=2", "-shortest"]
    subprocess.run([_ffmpeg(), "-v", "error", "-y", *source, *codecs, *flags, str(out)], check=True)
    return out.read_bytes()


def grown(data: bytes, size: int) -> bytes:
    """The file with a `free` atom after its media data, `size` bytes in all (before moov, or at the end)."""
    from functions.services import media_tags

    atoms = media_tags._walk(lambda start, end: data[start:end], len(data))
    padding = size - len(data)
    free = struct.pack(">I4s", padding, b"free") + bytes(padding - 8)
    moov = next(atom for atom in atoms if atom.name == b"moov")
    if moov.offset == atoms[-1].offset:  # moov last: the padding goes between the media data and moov
        return data[: moov.offset] + free + data[moov.offset :]
    return data + free


class Traffic:
    """Requests by operation and the bytes of bodies sent and received, on one botocore client."""

    def __init__(self, client):
        self.calls: Counter[str] = Counter()
        self.sent = self.received = 0
        client.meta.events.register("before-call.s3", self._before)
        client.meta.events.register("after-call.s3", self._after)

    def _before(self, model, params, **_):
        self.calls[model.name] += 1
        body = params.get("body")
        if isinstance(body, bytes | bytearray):
            self.sent += len(body)
        elif hasattr(body, "seek") and hasattr(body, "tell"):
            body.seek(0, 2)
            self.sent += body.tell()
            body.seek(0)

    def _after(self, model, parsed, **_):
        if model.name == "GetObject":
            self.received += int(parsed.get("ContentLength") or 0)


def measure(mib: int) -> list[dict]:
    from functions.core.settings import get_settings
    from functions.services import media_tags
    from functions.storage import aws

    rows = []
    with tempfile.TemporaryDirectory() as folder, mock_aws():
        work = Path(folder)
        api_cost.create_stack()
        bucket = get_settings().media_bucket
        cover = make_mp4(work, "cover", "testsrc=size=320x180", False, False)[:3000]  # any 3 KB of bytes
        noise = "nullsrc=s=320x240:d=2,geq=random(1)*255:128:128"
        for layout, faststart in (("moov last", False), ("moov first", True)):
            small = make_mp4(work, "small", "testsrc=size=160x90:rate=25:duration=2", faststart, False)
            large = make_mp4(work, "large", noise, faststart, True)
            for data in (small, large, grown(large, mib * MIB)):
                key = "media/UCbenchbenchbenchbenchbe/benchbench1.mp4"
                boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=data, ContentType="video/mp4")
                traffic = Traffic(aws.client("s3"))
                started = time.perf_counter()
                done = media_tags.retag(key, {"\xa9nam": "Bench", "desc": "x" * 500, "covr": cover})
                seconds = time.perf_counter() - started
                rows.append(
                    {
                        "layout": layout,
                        "size": len(data),
                        "grown": done.size_after - done.size_before,
                        "calls": traffic.calls,
                        "through": traffic.sent + traffic.received,
                        "seconds": seconds,
                    }
                )
                aws.client("s3").meta.events.unregister("before-call.s3", traffic._before)
                aws.client("s3").meta.events.unregister("after-call.s3", traffic._after)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=256, help="size of the grown file")
    options = parser.parse_args()
    rows = measure(options.mib)
    columns = ["layout", "file", "S3 requests", "requests by operation", "bytes through the function"]
    columns += ["whole file read and put back", "grown by", "seconds (moto)"]
    print("| " + " | ".join(columns) + " |")
    print("|---|---:|---:|---|---:|---:|---:|---:|")
    for row in rows:
        calls = ", ".join(f"{name} {count}" for name, count in sorted(row["calls"].items()))
        print(
            f"| {row['layout']} | {row['size'] / MIB:,.2f} MiB | {sum(row['calls'].values())} | {calls} |"
            f" {row['through'] / MIB:,.2f} MiB | {2 * row['size'] / MIB:,.2f} MiB | {row['grown']:,} B |"
            f" {row['seconds']:.2f} |"
        )


if __name__ == "__main__":
    main()
