"""Comment threads of archived videos: yt-dlp's flat comment list, turned into threads at download time and kept
as one JSON object per video in S3 (a video's comments are unbounded, so never in its item)."""

import json

from functions.core.settings import get_settings
from functions.schemas.ta_objects import Envelope
from functions.services.archive import render, videos
from functions.services.auth.viewer import Viewer
from functions.storage import aws, s3

ROOT = "root"  # yt-dlp's parent of a top-level comment


def _whole(value) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def comment(raw: dict) -> dict | None:
    """One comment as API.md's thread shape, without replies yet; None when it has no id."""
    comment_id = raw.get("id")
    if not isinstance(comment_id, str) or not comment_id:
        return None
    timestamp = raw.get("timestamp")
    return {
        "comment_id": comment_id,
        "comment_text": _text(raw.get("text")),
        "comment_timestamp": _whole(timestamp) if timestamp is not None else None,
        "comment_time_text": _text(raw.get("_time_text")),
        "comment_likecount": _whole(raw.get("like_count")),
        "comment_is_favorited": bool(raw.get("is_favorited")),
        "comment_author": _text(raw.get("author")),
        "comment_author_id": _text(raw.get("author_id")),
        "comment_author_thumbnail": _text(raw.get("author_thumbnail")),
        "comment_author_is_uploader": bool(raw.get("author_is_uploader")),
        "comment_parent": raw.get("parent") if isinstance(raw.get("parent"), str) else ROOT,
        "comment_replies": [],
    }


def threads(info_comments) -> list[dict]:
    """Root comments in yt-dlp's order, each reply nested under its parent (replies to replies too).

    A reply whose parent is not in the list (yt-dlp stopped at `max_comments`) has no thread to go in: dropped."""
    comments = [c for c in (comment(raw) for raw in info_comments or [] if isinstance(raw, dict)) if c]
    by_id: dict[str, dict] = {}
    for item in comments:
        by_id.setdefault(item["comment_id"], item)  # a repeated id keeps its first occurrence
    roots = []
    for item in comments:
        if by_id[item["comment_id"]] is not item:
            continue
        parent = item["comment_parent"]
        if parent == ROOT:
            roots.append(item)
        elif parent in by_id and parent != item["comment_id"]:
            by_id[parent]["comment_replies"].append(item)
    return roots


def count(thread_list: list[dict]) -> int:
    """Comments reachable from the roots: what was stored."""
    return sum(1 + count(item["comment_replies"]) for item in thread_list)


def store_comments(video_id: str, info_comments) -> int:
    """Store a video's comments (yt-dlp's `comments` of its info JSON) as threads; the number stored."""
    stored = threads(info_comments)
    body = json.dumps(stored, ensure_ascii=False, separators=(",", ":")).encode()
    aws.client("s3").put_object(
        Bucket=get_settings().media_bucket,
        Key=s3.comments_key(videos.check_id(video_id)),
        Body=body,
        ContentType="application/json",
    )
    return count(stored)


def read_comments(video_id: str) -> list[dict]:
    """A video's stored threads; [] when none were stored."""
    from botocore.exceptions import ClientError

    try:
        response = aws.client("s3").get_object(Bucket=get_settings().media_bucket, Key=s3.comments_key(video_id))
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return []
        raise
    return json.loads(response["Body"].read())


def thread_page(viewer: Viewer, video_id: str) -> Envelope:
    """GET /api/video/<id>/comment/: 404 for a video the archive does not hold."""
    videos.get(video_id)
    return render.envelope(read_comments(video_id), viewer.config)
