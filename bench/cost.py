"""What the deployed archive costs per month: 10,000 videos at idle, and per 1 million API requests.

    python bench/cost.py [--videos 10000] [--video-mb 100] [--measure-videos 1000]

DynamoDB read units per request are measured, not guessed: an archive of --measure-videos videos is imported
into moto (the stack of infra/resources.yaml) with bench/api_cost.py's archive and call counter, every endpoint
it measures is requested once through chalice's test client, and the items each call returned are priced as
on-demand DynamoDB bills them (eventually consistent: half a unit per 4 KB of each item read by GetItem or
BatchGetItem, of the summed bytes of a Query). Table bytes per video come from the same import. Everything else
is an assumption, printed with the table: the prices (us-east-1 list prices, dated below), the request mix, the
API function's duration, the schedules. Prints Markdown; asserts nothing.
"""

import argparse
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import api_cost  # noqa: E402  (sets the moto environment before any project import)
import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

PRICES_AS_OF = "2025-11, us-east-1 public list prices, no free tier"
LAMBDA_PER_REQUEST = 0.20 / 1e6
LAMBDA_PER_GB_SECOND = 0.0000166667  # x86_64
API_GATEWAY_REST_PER_REQUEST = 3.50 / 1e6  # first 333 million a month
DYNAMODB_PER_READ_UNIT = 0.125 / 1e6  # on-demand
DYNAMODB_PER_WRITE_UNIT = 0.625 / 1e6
DYNAMODB_STORAGE_PER_GB = 0.25
DYNAMODB_PITR_PER_GB = 0.20  # point-in-time recovery, on every table
S3_STANDARD_PER_GB = 0.023
S3_PER_GET = 0.0004 / 1000
SQS_PER_REQUEST = 0.40 / 1e6
SECRET_PER_MONTH = 0.40
ALARM_PER_MONTH = 0.10
LOGS_INGEST_PER_GB = 0.50
TRANSFER_OUT_PER_GB = 0.09  # media watched outside AWS, first 10 TB

READ_UNIT_BYTES = 4096
ITEM_OVERHEAD = 100  # DynamoDB bills 100 bytes per item (and per index entry) on top of its attributes
GB = 1024**3
HOURS_PER_MONTH = 730
THUMBNAIL_BYTES = 50_000
API_MS = 60  # average billed duration of a warm API request (assumption)
LOG_BYTES_PER_REQUEST = 300  # START / END / REPORT lines
SQS_POLLERS = 5  # Lambda's SQS event source long-polls (20 s) with 5 pollers even when the queue is empty
SCHEDULED_RUNS = {"rescan": 24 * 30, "refresh": 30, "snapshot": 30}  # a month
SCHEDULED_SECONDS = 30  # average duration of one scheduled run (assumption)
REQUEST_MIX = {  # share of API requests (assumption: a client browsing and playing, players reporting progress)
    "GET /api/video/": 0.20,
    "GET /api/video/<id>/": 0.20,
    "GET /api/video/<id>/progress": 0.20,
    "GET /api/channel/": 0.05,
    "GET /api/channel/<id>/": 0.05,
    "GET /api/channel/<id>/video/": 0.10,
    "GET /api/playlist/": 0.05,
    "GET /api/playlist/<id>/": 0.05,
    "GET /api/playlist/<id>/video/": 0.05,
    "GET /api/ping/": 0.05,
}


class ReadUnits(api_cost.DynamoCalls):
    """api_cost's counter, also pricing each call's reads in on-demand read units."""

    def reset(self) -> None:
        super().reset()
        self.read_units = 0.0
        self.write_calls = 0

    def _after(self, http_response, parsed, model, **kwargs) -> None:
        super()._after(http_response, parsed, model, **kwargs)
        name = model.name
        if name == "GetItem" and parsed.get("Item"):
            self.read_units += 0.5 * math.ceil(api_cost.item_size(parsed["Item"]) / READ_UNIT_BYTES)
        elif name == "BatchGetItem":
            for items in parsed.get("Responses", {}).values():
                self.read_units += sum(0.5 * math.ceil(api_cost.item_size(i) / READ_UNIT_BYTES) for i in items)
        elif name in ("Query", "Scan"):
            size = sum(api_cost.item_size(item) for item in parsed.get("Items", []))
            self.read_units += 0.5 * max(1, math.ceil(size / READ_UNIT_BYTES))
        elif name in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"):
            self.write_calls += 1


def measure(videos: int) -> dict:
    """Read units and calls per endpoint, and stored bytes per video, over an imported archive in moto."""
    from chalice.test import Client

    from functions.services import importer
    from functions.services.auth import users

    counter = ReadUnits()
    with mock_aws():
        api_cost.create_stack()
        admin = users.create_user("admin", "bench-password", is_admin=True)
        importer.import_document(api_cost.make_document(videos))
        dynamodb = boto3.client("dynamodb")
        stored = 0
        for table in dynamodb.list_tables()["TableNames"]:
            description = dynamodb.describe_table(TableName=table)["Table"]
            entries_per_item = 1 + len(description.get("GlobalSecondaryIndexes", []))
            entries_per_item += len(description.get("LocalSecondaryIndexes", []))
            for page in dynamodb.get_paginator("scan").paginate(TableName=table):
                stored += sum(api_cost.item_size(i) + ITEM_OVERHEAD * entries_per_item for i in page["Items"])
        headers = {"Authorization": f"Token {admin.api_token}"}
        requests = {}
        with Client(api_cost._app(), stage_name="local", project_dir=str(ROOT)) as client:
            client.http.get("/api/ping/", headers=headers)
            for label, path, _ in api_cost.endpoints(videos):
                counter.attach_all()
                counter.reset()
                response = client.http.get(path, headers=headers)
                assert response.status_code == 200, (path, response.status_code)
                requests[label] = {
                    "calls": counter.calls,
                    "read_units": counter.read_units,
                    "writes": counter.write_calls,
                }
    return {"requests": requests, "bytes_per_video": stored / videos}


def api_function_gb() -> float:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    return config["stages"]["prod"]["lambda_functions"]["api_handler"]["lambda_memory_size"] / 1024


def per_million(measured: dict) -> list[tuple[str, float, str]]:
    mix = measured["requests"]
    read_units = sum(share * mix[label]["read_units"] for label, share in REQUEST_MIX.items())
    writes = sum(share * mix[label]["writes"] for label, share in REQUEST_MIX.items())
    calls = sum(share * mix[label]["calls"] for label, share in REQUEST_MIX.items())
    gb_seconds = 1e6 * API_MS / 1000 * api_function_gb()
    return [
        ("API Gateway (REST)", 1e6 * API_GATEWAY_REST_PER_REQUEST, "1M requests"),
        ("Lambda requests", 1e6 * LAMBDA_PER_REQUEST, "1M invocations"),
        ("Lambda duration", gb_seconds * LAMBDA_PER_GB_SECOND, f"{API_MS} ms at {api_function_gb():g} GB"),
        (
            "DynamoDB reads",
            1e6 * read_units * DYNAMODB_PER_READ_UNIT,
            f"{read_units:.1f} read units, {calls:.1f} calls per request (measured, mix below)",
        ),
        ("DynamoDB writes", 1e6 * writes * DYNAMODB_PER_WRITE_UNIT, f"{writes:.2f} writes per request (measured)"),
        (
            "CloudWatch Logs",
            1e6 * LOG_BYTES_PER_REQUEST / GB * LOGS_INGEST_PER_GB,
            f"{LOG_BYTES_PER_REQUEST} B/request",
        ),
    ]


def idle(measured: dict, videos: int, video_mb: float) -> list[tuple[str, float, str]]:
    table_gb = videos * measured["bytes_per_video"] / GB
    media_gb = videos * (video_mb * 1e6 + THUMBNAIL_BYTES) / GB
    snapshot_gb = 30 * table_gb  # daily snapshots, a month kept
    scheduled = sum(SCHEDULED_RUNS.values())
    job_gb_seconds = scheduled * SCHEDULED_SECONDS * 1.0  # the jobs' 1 GB
    poll_requests = SQS_POLLERS * 3 * 60 * HOURS_PER_MONTH
    return [
        (
            "S3 media + thumbnails",
            media_gb * S3_STANDARD_PER_GB,
            f"{media_gb:,.0f} GB: {video_mb:g} MB a video (its DASH rendition: the table below)",
        ),
        ("S3 snapshots", snapshot_gb * S3_STANDARD_PER_GB, f"{snapshot_gb:.2f} GB: 30 daily copies of the tables"),
        (
            "DynamoDB storage",
            table_gb * DYNAMODB_STORAGE_PER_GB,
            f"{table_gb * 1024:.1f} MB: {measured['bytes_per_video']:,.0f} B a video (measured, with index entries)",
        ),
        ("DynamoDB point-in-time recovery", table_gb * DYNAMODB_PITR_PER_GB, "every table"),
        ("Secrets Manager", 2 * SECRET_PER_MONTH, "HMAC key + YouTube cookie"),
        ("CloudWatch alarm", ALARM_PER_MONTH, "dead-letter queue depth"),
        ("SQS polling by Lambda", poll_requests * SQS_PER_REQUEST, f"{poll_requests:,} empty receives"),
        (
            "Scheduled jobs (Lambda)",
            scheduled * LAMBDA_PER_REQUEST + job_gb_seconds * LAMBDA_PER_GB_SECOND,
            f"{scheduled} runs of {SCHEDULED_SECONDS} s at 1 GB",
        ),
        ("API Gateway, API Lambda, tables' requests", 0.0, "nothing runs or bills without requests"),
    ]


def dash_copy_ratio(seconds: int = 20) -> float:
    """Bytes of a DASH rendition as a download stores it (functions.youtube.dash: one fragmented mp4 with a sidx a
    stream, streams copied) over the bytes of the muxed mp4 the archive keeps, measured on a generated 720p
    sample."""
    import subprocess
    import tempfile

    import imageio_ffmpeg

    from functions.youtube import dash as youtube_dash

    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    with tempfile.TemporaryDirectory() as folder:
        source, out = Path(folder) / "video.mp4", Path(folder) / "dash"
        subprocess.run(
            [
                *(ffmpeg, "-v", "error", "-y"),
                *("-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate=30:duration={seconds}"),
                *("-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:v", "libx264", "-c:a", "aac"),
                *("-shortest", "-movflags", "+faststart", str(source)),
            ],
            check=True,
        )
        rendition = sum(stream.path.stat().st_size for stream in youtube_dash.renditions(source, out))
        return rendition / source.stat().st_size


def dash(videos: int, video_mb: float) -> list[tuple[str, float, str]]:
    """What each way of offering DASH to Invidious clients costs in storage (README: Invidious clients)."""
    ratio = dash_copy_ratio()
    media_gb = videos * video_mb * 1e6 / GB
    return [
        ("dashUrl = the archived mp4 only", 0.0, "no extra bytes: only shaka-player (Materialious) plays it"),
        (
            "plus a DASH rendition per video (this archive)",
            ratio * media_gb * S3_STANDARD_PER_GB,
            f"{ratio * media_gb:,.0f} GB more: {ratio:.2f}x the mp4 (measured, ffmpeg dash muxer, streams copied)",
        ),
    ]


def table(title: str, rows: list[tuple[str, float, str]]) -> str:
    lines = [f"### {title}", "", "| item | USD / month | basis |", "|---|---:|---|"]
    lines += [f"| {name} | {cost:,.2f} | {basis} |" for name, cost, basis in rows]
    lines.append(f"| **total** | **{sum(cost for _, cost, _ in rows):,.2f}** | |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=10_000)
    parser.add_argument("--video-mb", type=float, default=100.0, help="average size of a video file")
    parser.add_argument("--measure-videos", type=int, default=1_000, help="archive size measured in moto")
    args = parser.parse_args(argv)
    measured = measure(args.measure_videos)
    print(table(f"An archive of {args.videos:,} videos at idle", idle(measured, args.videos, args.video_mb)))
    print()
    print(table("Per 1 million API requests", per_million(measured)))
    print()
    print(f"### DASH for Invidious clients, {args.videos:,} videos of {args.video_mb:g} MB: extra storage")
    print()
    print("| way | USD / month | basis |")
    print("|---|---:|---|")
    for name, cost, basis in dash(args.videos, args.video_mb):
        print(f"| {name} | {cost:,.2f} | {basis} |")
    print()
    print(f"Media watched: {TRANSFER_OUT_PER_GB} USD a GB leaving AWS (presigned S3 URLs) + {S3_PER_GET * 1e6:.2f} USD")
    print("per million S3 GETs. Deleting the stack keeps the tables, the bucket and the secrets (DeletionPolicy")
    print("Retain): their storage bills until they are deleted by hand.")
    print()
    print(f"Prices: {PRICES_AS_OF}. Request mix and measured DynamoDB per request ({args.measure_videos:,} videos):")
    print()
    print("| request | share | calls | read units |")
    print("|---|---:|---:|---:|")
    for label, share in REQUEST_MIX.items():
        row = measured["requests"][label]
        print(f"| {label} | {share:.0%} | {row['calls']} | {row['read_units']:g} |")


if __name__ == "__main__":
    main()
