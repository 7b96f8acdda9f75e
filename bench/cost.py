"""What the deployed archive costs per month, two designs side by side: per 1 million API requests, per TB watched,
at idle with 10,000 and 100,000 videos.

    python bench/cost.py [--videos 10000,100000] [--video-mb 100] [--measure-videos 1000]

The designs: the one before issue 17 (Chalice's REST API, x86_64 functions, media through presigned S3 URLs) and
this one (API Gateway's HTTP API, the functions on the architecture .chalice/config.json names, media through
CloudFront signed URLs; infra/merge.py, infra/resources.yaml).

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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import api_cost  # noqa: E402  (sets the moto environment before any project import)
import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

PRICES_AS_OF = "2025-11, us-east-1 public list prices, no free tier but CloudFront's always-free one"
LAMBDA_PER_REQUEST = 0.20 / 1e6
LAMBDA_PER_GB_SECOND = {"x86_64": 0.0000166667, "arm64": 0.0000133334}
API_GATEWAY_REST_PER_REQUEST = 3.50 / 1e6  # first 333 million a month
API_GATEWAY_HTTP_PER_REQUEST = 1.00 / 1e6  # first 300 million a month, per 512 KB of request or answer
CLOUDFRONT_PER_GB = 0.085  # to viewers in North America and Europe (PriceClass_100), first 10 TB
CLOUDFRONT_PER_REQUEST = 0.0100 / 10_000  # HTTPS
CLOUDFRONT_FREE_GB = 1024  # always free, every month: 1 TB out and 10 million requests
CLOUDFRONT_FREE_REQUESTS = 10_000_000
DYNAMODB_PER_READ_UNIT = 0.125 / 1e6  # on-demand
DYNAMODB_PER_WRITE_UNIT = 0.625 / 1e6
DYNAMODB_STORAGE_PER_GB = 0.25
DYNAMODB_PITR_PER_GB = 0.20  # point-in-time recovery, on every table
S3_STANDARD_PER_GB = 0.023
S3_INFREQUENT_TIER_PER_GB = 0.0125  # Intelligent-Tiering, not read for 30 days (no retrieval fee)
S3_TIERING_PER_1000_OBJECTS = 0.0025  # its monitoring, objects over 128 KB
WATCHED_SHARE = 0.10  # videos played in a month, kept in the frequent tier (assumption); the rest: infrequent
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
MEDIA_RESPONSE_MB = 4  # average bytes a player's range request fetches (assumption: seeks and buffering)
THROTTLE_RATE = 10  # infra/http_api.yaml's ApiRateLimit default: requests a second at most
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
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


CONFIG = json.loads((ROOT / ".chalice" / "config.json").read_text())


@dataclass(frozen=True)
class Design:
    name: str
    gateway: str
    gateway_per_request: float
    architecture: str
    media: str  # "s3": presigned S3 URLs, "cloudfront": the media distribution's signed URLs
    secrets: tuple[str, ...]
    tiering: bool  # videos in S3 Intelligent-Tiering (infra/resources.yaml's media lifecycle rule)


BEFORE = Design(
    "before: REST API, x86_64, S3",
    "API Gateway (REST)",
    API_GATEWAY_REST_PER_REQUEST,
    "x86_64",
    "s3",
    ("HMAC key", "YouTube cookie", "proxy"),
    False,
)
NOW = Design(
    f"now: HTTP API, {CONFIG.get('lambda_architecture', 'x86_64')}, CloudFront",
    "API Gateway (HTTP API)",
    API_GATEWAY_HTTP_PER_REQUEST,
    CONFIG.get("lambda_architecture", "x86_64"),
    "cloudfront",
    (*BEFORE.secrets, "media URL keys"),
    True,
)


def api_function_gb() -> float:
    return CONFIG["stages"]["prod"]["lambda_functions"]["api_handler"]["lambda_memory_size"] / 1024


def per_million(measured: dict, design: Design) -> list[tuple[str, float, str]]:
    mix = measured["requests"]
    read_units = sum(share * mix[label]["read_units"] for label, share in REQUEST_MIX.items())
    writes = sum(share * mix[label]["writes"] for label, share in REQUEST_MIX.items())
    calls = sum(share * mix[label]["calls"] for label, share in REQUEST_MIX.items())
    gb_seconds = 1e6 * API_MS / 1000 * api_function_gb()
    per_gb_second = LAMBDA_PER_GB_SECOND[design.architecture]
    return [
        (design.gateway, 1e6 * design.gateway_per_request, "1M requests"),
        ("Lambda requests", 1e6 * LAMBDA_PER_REQUEST, "1M invocations"),
        (
            "Lambda duration",
            gb_seconds * per_gb_second,
            f"{API_MS} ms at {api_function_gb():g} GB, {design.architecture}",
        ),
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


def media_row(videos: int, video_mb: float, design: Design) -> tuple[str, float, str]:
    media_gb = videos * (video_mb * 1e6 + THUMBNAIL_BYTES) / GB
    if not design.tiering:
        return ("S3 media + thumbnails", media_gb * S3_STANDARD_PER_GB, f"{media_gb:,.0f} GB: {video_mb:g} MB a video")
    rate = WATCHED_SHARE * S3_STANDARD_PER_GB + (1 - WATCHED_SHARE) * S3_INFREQUENT_TIER_PER_GB
    return (
        "S3 media (Intelligent-Tiering) + thumbnails",
        media_gb * rate + videos / 1000 * S3_TIERING_PER_1000_OBJECTS,
        f"{media_gb:,.0f} GB: {WATCHED_SHARE:.0%} watched a month (frequent tier), the rest infrequent; monitoring",
    )


def idle(measured: dict, videos: int, video_mb: float, design: Design) -> list[tuple[str, float, str]]:
    table_gb = videos * measured["bytes_per_video"] / GB
    snapshot_gb = 30 * table_gb  # daily snapshots, a month kept
    scheduled = sum(SCHEDULED_RUNS.values())
    job_gb_seconds = scheduled * SCHEDULED_SECONDS * 1.0  # the jobs' 1 GB
    poll_requests = SQS_POLLERS * 3 * 60 * HOURS_PER_MONTH
    return [
        media_row(videos, video_mb, design),
        ("S3 snapshots", snapshot_gb * S3_STANDARD_PER_GB, f"{snapshot_gb:.2f} GB: 30 daily copies of the tables"),
        (
            "DynamoDB storage",
            table_gb * DYNAMODB_STORAGE_PER_GB,
            f"{table_gb * 1024:.1f} MB: {measured['bytes_per_video']:,.0f} B a video (measured, with index entries)",
        ),
        ("DynamoDB point-in-time recovery", table_gb * DYNAMODB_PITR_PER_GB, "every table"),
        ("Secrets Manager", len(design.secrets) * SECRET_PER_MONTH, " + ".join(design.secrets)),
        ("CloudWatch alarm", ALARM_PER_MONTH, "dead-letter queue depth"),
        ("SQS polling by Lambda", poll_requests * SQS_PER_REQUEST, f"{poll_requests:,} empty receives"),
        (
            "Scheduled jobs (Lambda)",
            scheduled * LAMBDA_PER_REQUEST + job_gb_seconds * LAMBDA_PER_GB_SECOND[design.architecture],
            f"{scheduled} runs of {SCHEDULED_SECONDS} s at 1 GB, {design.architecture}",
        ),
        ("API Gateway, CloudFront, budget, API Lambda, tables' requests", 0.0, "nothing bills without requests"),
    ]


def watched(terabytes: float, design: Design, api_per_million: float) -> list[tuple[str, float, str]]:
    """A month of watching: the bytes out, the players' range requests, each one's redirect through the API."""
    gb = terabytes * 1024
    requests = gb * 1024 / MEDIA_RESPONSE_MB
    redirects = ("API redirects (/media, /signed)", requests / 1e6 * api_per_million, f"{requests:,.0f} requests")
    s3_gets = ("S3 GETs", requests * S3_PER_GET, "every request a cache miss (a personal archive)")
    if design.media == "s3":
        return [
            ("S3 transfer out", gb * TRANSFER_OUT_PER_GB, f"{gb:,.0f} GB at {TRANSFER_OUT_PER_GB}"),
            s3_gets,
            redirects,
        ]
    billed_gb, billed_requests = max(0.0, gb - CLOUDFRONT_FREE_GB), max(0.0, requests - CLOUDFRONT_FREE_REQUESTS)
    return [
        (
            "CloudFront transfer out",
            billed_gb * CLOUDFRONT_PER_GB,
            f"{gb:,.0f} GB, {CLOUDFRONT_FREE_GB:,} GB free, then {CLOUDFRONT_PER_GB}",
        ),
        (
            "CloudFront requests",
            billed_requests * CLOUDFRONT_PER_REQUEST,
            f"{requests:,.0f}, {CLOUDFRONT_FREE_REQUESTS:,} free",
        ),
        s3_gets,
        redirects,
    ]


def total(rows: list[tuple[str, float, str]]) -> float:
    return sum(cost for _, cost, _ in rows)


def side_by_side(measured: dict, sizes: list[int], video_mb: float) -> str:
    """Both designs' totals, row by row."""
    designs = (BEFORE, NOW)
    api = {d: total(per_million(measured, d)) for d in designs}
    rows = [("per 1 million API requests", [api[d] for d in designs])]
    for terabytes in (1, 2):
        rows.append((f"{terabytes} TB watched a month", [total(watched(terabytes, d, api[d])) for d in designs]))
    for videos in sizes:
        rows.append((f"idle, {videos:,} videos", [total(idle(measured, videos, video_mb, d)) for d in designs]))
    at_limit = THROTTLE_RATE * SECONDS_PER_MONTH / 1e6
    rows.append(
        (
            f"a month at the HTTP API's throttle ({THROTTLE_RATE}/s, {at_limit:,.1f}M requests)",
            [api[d] * at_limit for d in designs],
        )
    )
    lines = ["| USD / month | " + " | ".join(d.name for d in designs) + " |", "|---|" + "---:|" * len(designs)]
    lines += [f"| {name} | " + " | ".join(f"{cost:,.2f}" for cost in costs) + " |" for name, costs in rows]
    return "\n".join(lines)


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
    parser.add_argument("--videos", default="10000,100000", help="archive sizes priced at idle, comma-separated")
    parser.add_argument("--video-mb", type=float, default=100.0, help="average size of a video file")
    parser.add_argument("--measure-videos", type=int, default=1_000, help="archive size measured in moto")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.videos.split(",")]
    measured = measure(args.measure_videos)
    print("### Two designs side by side")
    print()
    print(side_by_side(measured, sizes, args.video_mb))
    print()
    for design in (BEFORE, NOW):
        api = total(per_million(measured, design))
        print(table(f"{design.name}: per 1 million API requests", per_million(measured, design)))
        print()
        print(table(f"{design.name}: 1 TB watched a month", watched(1, design, api)))
        print()
        for videos in sizes:
            print(table(f"{design.name}: {videos:,} videos at idle", idle(measured, videos, args.video_mb, design)))
            print()
    print(f"### DASH for Invidious clients, {sizes[0]:,} videos: two ways, extra storage of each")
    print()
    print("| way | USD / month | basis |")
    print("|---|---:|---|")
    for name, cost, basis in dash(sizes[0], args.video_mb):
        print(f"| {name} | {cost:,.2f} | {basis} |")
    print()
    print(f"Assumptions: a player's range request fetches {MEDIA_RESPONSE_MB} MB on average and each one is redirected")
    print("by the API once; a personal archive's media is rarely in CloudFront's cache (every request is an S3 GET);")
    print(
        f"CloudFront's always-free tier ({CLOUDFRONT_FREE_GB:,} GB out, {CLOUDFRONT_FREE_REQUESTS:,} requests a month)"
    )
    print("is the account's, used by nothing else. Deleting the stack keeps the tables, the bucket and the secrets")
    print("(DeletionPolicy Retain): their storage bills until they are deleted by hand.")
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
