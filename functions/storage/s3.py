"""Where files live in the media bucket, and how clients reach them: the one place that knows S3 keys.

An API path `/media/...` or `/cache/...` is the S3 key with its leading slash; clients fetch the file through a
short-lived presigned URL that the API answers with, never through the Lambda.
"""

import re
from functools import cache
from urllib.parse import quote

from functions.core import ids
from functions.core.errors import NotFound
from functions.core.settings import get_settings
from functions.storage import aws

# The file names a client may ask for; anything else never reaches a key. `.r<n>`: a re-download's revision.
MEDIA_FILE = re.compile(rf"^{ids.VIDEO}(\.r[0-9]{{1,9}})?(\.[A-Za-z0-9_-]{{1,20}})?\.(mp4|webm|mkv|m4a|vtt)$")
VIDEO_THUMB = re.compile(rf"^{ids.VIDEO}\.jpg$")
CHANNEL_ART = re.compile(rf"^{ids.CHANNEL}_(thumb|banner|tvart)\.jpg$")
PLAYLIST_ART = re.compile(rf"^{ids.PLAYLIST}\.jpg$")


def _stem(channel_id: str, youtube_id: str, revision: int | None) -> str:
    """The name a video's downloaded files share. A re-download (`Video.media_revision`) writes its files under
    the next revision, beside those it replaces, so the archived copy stays whole until its row is switched."""
    return f"media/{channel_id}/{youtube_id}" + (f".r{int(revision)}" if revision else "")


def media_key(channel_id: str, youtube_id: str, ext: str = "mp4", revision: int | None = None) -> str:
    return f"{_stem(channel_id, youtube_id, revision)}.{ext}"


def video_media_key(video) -> str:
    """An archived video's media file, at its current revision."""
    return media_key(video.channel_id, video.youtube_id, video.media_ext or "mp4", video.media_revision)


def video_subtitle_key(video, lang: str) -> str:
    return subtitle_key(video.channel_id, video.youtube_id, lang, video.media_revision)


def video_dash_key(video, kind: str) -> str:
    return dash_key(video.channel_id, video.youtube_id, kind, video.media_revision)


def video_info_json_key(video) -> str:
    return info_json_key(video.channel_id, video.youtube_id, video.media_revision)


def subtitle_key(channel_id: str, youtube_id: str, lang: str, revision: int | None = None) -> str:
    return f"{_stem(channel_id, youtube_id, revision)}.{lang}.vtt"


def dash_key(channel_id: str, youtube_id: str, kind: str, revision: int | None = None) -> str:
    """One stream (video, audio) of a video's DASH rendition (services.archive.dash)."""
    return f"{_stem(channel_id, youtube_id, revision)}.dash-{kind}.mp4"


MANIFEST_SUFFIX, MANIFEST_TYPE = ".mpd", "application/dash+xml"


def manifest_key(channel_id: str, youtube_id: str) -> str:
    """The name a video's DASH manifest is signed under: no object, the manifest is written when asked for."""
    return f"media/{channel_id}/{youtube_id}{MANIFEST_SUFFIX}"


def is_manifest_key(key: str) -> bool:
    return key.endswith(MANIFEST_SUFFIX)


def info_json_key(channel_id: str, youtube_id: str, revision: int | None = None) -> str:
    """yt-dlp's info JSON of a downloaded video, kept beside its media (never served: not a MEDIA_FILE)."""
    return f"{_stem(channel_id, youtube_id, revision)}.info.json"


def video_thumb_key(youtube_id: str) -> str:
    return f"cache/videos/{youtube_id[0].lower()}/{youtube_id}.jpg"


def channel_art_key(channel_id: str, kind: str) -> str:
    return f"cache/channels/{channel_id}_{kind}.jpg"


def playlist_thumb_key(playlist_id: str) -> str:
    return f"cache/playlists/{playlist_id}.jpg"


def comments_key(youtube_id: str) -> str:
    return f"comments/{youtube_id}.json"


def snapshot_prefix(snapshot_id: str) -> str:
    return f"snapshots/{snapshot_id}/"


def snapshot_manifest_key(snapshot_id: str) -> str:
    return snapshot_prefix(snapshot_id) + "manifest.json"


def snapshot_table_key(snapshot_id: str, table: str) -> str:
    return snapshot_prefix(snapshot_id) + f"tables/{table}.jsonl.gz"


BACKUP_PREFIX = "backups/"  # the archive's own metadata exports (functions.services.backups)
IMPORT_PREFIX = "import/"  # the manual import's folder: yt-dlp downloads to move in (functions.services.manual_import)
MEDIA_PREFIX = "media/"


def report_key(task: str) -> str:
    """What a file task's last run found (functions.services.file_tasks)."""
    return f"reports/{task}.json"


def backup_key(filename: str) -> str:
    return BACKUP_PREFIX + filename


def listing(prefix: str) -> list[dict]:
    """Every object under a prefix (`Key`, `Size`, `LastModified`), for the jobs: a bucket listing never runs on a
    request path but for small prefixes (the backups)."""
    paginator = aws.client("s3").get_paginator("list_objects_v2")
    return [
        listed
        for page in paginator.paginate(Bucket=get_settings().media_bucket, Prefix=prefix)
        for listed in page.get("Contents", [])
    ]


def url_of(key: str) -> str:
    """The API path that serves an S3 key."""
    return "/" + key


def video_keys(video) -> list[str]:
    """Every object a video owns."""
    keys = [video_media_key(video), video_thumb_key(video.youtube_id)]
    keys.append(video_info_json_key(video))
    keys.append(comments_key(video.youtube_id))
    keys += [video_subtitle_key(video, sub["lang"]) for sub in video.subtitles or []]
    keys += [video_dash_key(video, stream["kind"]) for stream in video.dash or []]
    return keys


def revision_files(video) -> list[str]:
    """Every object stored under a re-downloaded video's revision, whatever a failed download left of them (a
    listing: for the download function, never a request path)."""
    if not video.media_revision:
        raise ValueError("revision_files lists a re-download's files, not those of the first download")
    prefix = _stem(video.channel_id, video.youtube_id, video.media_revision) + "."
    return [listed["Key"] for listed in listing(prefix)]


def channel_keys(channel_id: str) -> list[str]:
    return [channel_art_key(channel_id, kind) for kind in ("thumb", "banner", "tvart")]


@cache
def _transfer():
    """One per container: it keeps a pool of threads."""
    from boto3.s3.transfer import S3Transfer, TransferConfig

    config = TransferConfig(multipart_threshold=64 * 1024 * 1024, multipart_chunksize=64 * 1024 * 1024)
    return S3Transfer(client=aws.client("s3"), config=config)


def upload_file(path, key: str, content_type: str | None = None, download_name: str | None = None) -> None:
    """Upload a local file to `key`; files over 64 MB go up as a multipart upload, parts in parallel. With
    `download_name`, a presigned GET of it names the file so (Content-Disposition, kept with the object)."""
    extra = {"ContentType": content_type} if content_type else {}
    if download_name:
        extra["ContentDisposition"] = content_disposition(download_name)
    _transfer().upload_file(str(path), get_settings().media_bucket, key, extra_args=extra or None)


def put(key: str, body: bytes, content_type: str) -> None:
    """A small object (a thumbnail) from memory."""
    aws.client("s3").put_object(Bucket=get_settings().media_bucket, Key=key, Body=body, ContentType=content_type)


def copy(source_key: str, key: str, content_type: str) -> None:
    """Copy an object within the bucket; over 64 MB as a multipart copy (CopyObject stops at 5 GB)."""
    from boto3.s3.inject import copy as managed_copy
    from boto3.s3.transfer import TransferConfig

    bucket = get_settings().media_bucket
    config = TransferConfig(multipart_threshold=64 * 1024 * 1024, multipart_chunksize=64 * 1024 * 1024)
    extra = {"ContentType": content_type, "MetadataDirective": "REPLACE"}
    managed_copy(aws.client("s3"), {"Bucket": bucket, "Key": source_key}, bucket, key, ExtraArgs=extra, Config=config)


def content_disposition(name: str) -> str:
    """`inline` (players stream it) with the name in ASCII and, for the rest of the world, in RFC 5987 UTF-8."""
    cleaned = "".join(c for c in name if c.isprintable() and c not in '/\\"').strip() or "video"
    ascii_name = cleaned.encode("ascii", "replace").decode().replace("?", "_")
    return f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(cleaned, safe='')}"


def download_file(key: str, path) -> None:
    """An object into a local file (ranged GETs in parallel for large ones); 404 when the archive has no such
    file."""
    from botocore.exceptions import ClientError

    try:
        _transfer().download_file(get_settings().media_bucket, key, str(path))
    except ClientError:
        raise NotFound(f"file {url_of(key)} not found") from None


def delete_objects(keys: list[str]) -> None:
    bucket = get_settings().media_bucket
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        if chunk:
            aws.client("s3").delete_objects(
                Bucket=bucket, Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True}
            )


def presigned_url(key: str) -> str:
    """A short-lived URL of an existing object; 404 when the archive has no such file."""
    from botocore.exceptions import ClientError

    bucket = get_settings().media_bucket
    try:
        aws.client("s3").head_object(Bucket=bucket, Key=key)
    except ClientError:
        raise NotFound(f"file {url_of(key)} not found") from None
    return aws.client("s3").generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=get_settings().presign_seconds
    )


def head(key: str) -> dict:
    """An existing object's type and size (`ContentType`, `ContentLength`...); 404 when the archive has no such file."""
    from botocore.exceptions import ClientError

    try:
        return aws.client("s3").head_object(Bucket=get_settings().media_bucket, Key=key)
    except ClientError:
        raise NotFound(f"file {url_of(key)} not found") from None


def read(key: str) -> bytes:
    """An object's bytes; 404 when the archive has no such file."""
    from botocore.exceptions import ClientError

    try:
        return aws.client("s3").get_object(Bucket=get_settings().media_bucket, Key=key)["Body"].read()
    except ClientError:
        raise NotFound(f"file {url_of(key)} not found") from None
