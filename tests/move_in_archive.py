"""An archive for the move-in tests: filled through the importer and the services, and dumped (every table
that moves, every object) for comparison. Runs in-process, or against a local run:

    python -m tests.move_in_archive fill|dump FILE      # with LOCAL_MOTO_PORT and LOCAL_DATA_DIR of that run
"""

import hashlib
import json
import sys

# Tables a move-in carries over; users, credentials, sessions, settings and tasks belong to each archive.
MOVED = (
    "videos",
    "channels",
    "playlists",
    "playlist_entries",
    "user_videos",
    "counters",
    "queue",
    "search_terms",
    "search_words",
    "subtitle_chunks",
    "feed",
)
# Fields stamped with the time they were written, not carried over.
STAMPS = {"queue": {"timestamp", "order_key"}}

CHANNELS = [("UC" + c * 22, f"Channel {c}") for c in "xy"]
VIDEOS = [(f"movevideo{n:02d}", CHANNELS[n % 2][0]) for n in range(3)]
PLAYLIST = "PL" + "m" * 16


def document() -> dict:
    return {
        "channels": [
            {"channel_id": i, "channel_name": name, "channel_subscribed": n == 0, "channel_subs": 10 + n}
            for n, (i, name) in enumerate(CHANNELS)
        ],
        "playlists": [
            {
                "playlist_id": PLAYLIST,
                "playlist_name": "Moving picks",
                "playlist_channel_id": CHANNELS[0][0],
                "playlist_thumb": True,  # its art is put in the bucket below
                "playlist_entries": [{"youtube_id": v, "title": f"Video {v}", "uploader": "x"} for v, _ in VIDEOS[:2]],
            }
        ],
        "videos": [
            {
                "youtube_id": youtube_id,
                "title": f"Video {youtube_id}",
                "published": f"2024-05-0{n + 1}",
                "date_downloaded": 1_716_000_000 + n,
                "vid_last_refresh": "2024-06-01",  # the API shows the published day for none: set, as downloads do
                "channel_id": channel_id,
                "duration": 100 + n,
                "tags": ["moving"],
                "view_count": n,
                "media_size": len(media(youtube_id)),
                "comment_count": 1,
                "subtitles": [{"lang": "en", "vtt": f"WEBVTT\n\n00:00.000 --> 00:01.000\nline of {youtube_id}\n"}],
            }
            for n, (youtube_id, channel_id) in enumerate(VIDEOS)
        ],
    }


def media(youtube_id: str) -> bytes:
    return hashlib.sha256(youtube_id.encode()).digest() * 300


def fill() -> None:
    """The importer's metadata, then files at the archive's keys and a download queue through the intake."""
    from functions.core.settings import get_settings
    from functions.services import comments, importer
    from functions.services.downloads import intake
    from functions.storage import aws, s3

    importer.import_document(document())
    client, bucket = aws.client("s3"), get_settings().media_bucket
    for youtube_id, channel_id in VIDEOS:
        client.put_object(Bucket=bucket, Key=s3.media_key(channel_id, youtube_id), Body=media(youtube_id))
        client.put_object(Bucket=bucket, Key=s3.video_thumb_key(youtube_id), Body=b"thumb " + youtube_id.encode())
        comments.store_comments(youtube_id, [{"id": "c1", "text": f"on {youtube_id}", "parent": "root"}])
    for channel_id, _ in CHANNELS:
        for kind in ("thumb", "banner", "tvart"):
            client.put_object(Bucket=bucket, Key=s3.channel_art_key(channel_id, kind), Body=f"{kind} art".encode())
    client.put_object(Bucket=bucket, Key=s3.playlist_thumb_key(PLAYLIST), Body=b"playlist art")
    rows = [
        {"youtube_id": f"queuedmove{n}", "title": f"queued {n}", "duration": 65, "published": "2024-06-01"}
        for n in range(2)
    ]
    intake.add_entries(rows)
    intake.set_status("queuedmove1", "ignore")


def _ordered(value: dict) -> dict:
    """A DynamoDB set in one order (sets have none)."""
    return {kind: sorted(members) if kind in ("SS", "NS") else members for kind, members in value.items()}


def dump() -> dict:
    """Every moved table's items (without write stamps), sorted, and every object's SHA-256."""
    from functions.core.settings import get_settings
    from functions.storage import aws
    from functions.storage.models import ALL_MODELS

    prefix = get_settings().table_prefix
    tables = {}
    for model in ALL_MODELS:
        name = model.Meta.table_name.removeprefix(prefix)
        if name in MOVED:
            rows = [
                {k: _ordered(v) for k, v in item.serialize().items() if k not in STAMPS.get(name, ())}
                for item in model.scan()
            ]
            tables[name] = sorted(rows, key=lambda row: json.dumps(row, sort_keys=True))
    client, bucket = aws.client("s3"), get_settings().media_bucket
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for entry in page.get("Contents", []):
            body = client.get_object(Bucket=bucket, Key=entry["Key"])["Body"].read()
            found[entry["Key"]] = hashlib.sha256(body).hexdigest()
    return {"tables": tables, "objects": found}


if __name__ == "__main__":
    from infra.cli import use_local

    use_local()
    if sys.argv[1] == "fill":
        fill()
    else:
        with open(sys.argv[2], "w") as out:
            json.dump(dump(), out)
