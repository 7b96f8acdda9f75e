"""Backups: the archive's own export of its metadata, TubeArchivist's zip of JSON, as one object in S3.

A backup is `backups/ta_backup-<YYYYMMDDHHMMSS>-<reason>.jsonl.gz`: gzip'd JSON lines, the first a header
(`{"backup": {"format", "created", "reason", "counts"}}`), then one record a line, keyed by its kind:
- `channel`, `playlist` (with its `playlist_entries` in order), `video` (with each subtitle's WebVTT text as
  `vtt`): the importer's records (functions/services/importer), so a restore is an import of them, and the
  subtitles index is rebuilt from the texts;
- `comments` `{youtube_id, threads}`: a video's stored comment threads;
- `user_video`: a user's watched flag and position of a video; `queue`: a download queue item; `setting`: a
  stored settings document (the app config, the cookie's validation state...).
Media files are not in a backup (they stay in the bucket); neither are users, tokens and sessions.

A snapshot (functions.services.snapshots) is another thing: every table's raw items, restored table by table
to exactly that state. A backup is restored through the importer's plan and batch writes on top of what the
archive holds (what it holds and the backup lacks stays), which is what TubeArchivist's restore does.

Creating and restoring run in the snapshot function (functions/jobs/snapshot.py), asked for with a message on
its queue: the API answers at once with the task id, as v0.5 does. After each backup only the newest
`application.backup_rotate` automatic backups are kept, all of them when it is 0 (TubeArchivist's run_backup
`rotate`); manual ones stay until deleted.
"""

import gzip
import io
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TypeVar

from pynamodb.models import Model

from functions.core import logs
from functions.core.errors import BadRequest, Conflict, NotFound
from functions.core.settings import get_settings
from functions.services import app_settings, comments, file_tasks, importer
from functions.services.archive import playlists
from functions.services.downloads import intake
from functions.services.importer.states import import_states
from functions.storage import aws, s3
from functions.storage.models import AppSetting, Channel, Playlist, QueueItem, UserVideo, Video

log = logs.logger(__name__)

FORMAT = "ytarchive-backup/1"
RUN, RESTORE = "run_backup", "restore_backup"  # TubeArchivist's task names, the TaskState items of the runs
REASONS = ("manual", "auto")
FILENAME = re.compile(r"^ta_backup-(\d{14})-(manual|auto)\.jsonl\.gz$")
READERS = 16  # parallel reads of subtitle and comment objects
DERIVED = {  # index keys and packed listings: the importer sets them again
    "channel": {"all_channels", "name_key", "subscription"},
    "playlist": {"all_playlists", "name_key", "subscription", "channel_key", "entries_packed"},
    "video": {"all_videos", "published_key"},
}


def _bucket() -> str:
    return get_settings().media_bucket


def _describe(filename: str, size: int) -> dict:
    """v0.5's backup file object (BackupFileSerializer)."""
    match = FILENAME.match(filename)
    assert match is not None
    return {
        "filename": filename,
        "file_path": s3.url_of(s3.backup_key(filename)),
        "file_size": int(size),
        "timestamp": match.group(1),
        "reason": match.group(2),
    }


def listing() -> list[dict]:
    """Every backup, newest first (the prefix holds at most `backup_rotate` automatic ones, and the manual ones)."""
    found = []
    for listed in s3.listing(s3.BACKUP_PREFIX):
        name = listed["Key"].removeprefix(s3.BACKUP_PREFIX)
        if FILENAME.match(name):
            found.append(_describe(name, listed["Size"]))
    return sorted(found, key=lambda item: (item["timestamp"], item["filename"]), reverse=True)


def detail(filename: str) -> dict:
    """One backup; 404 when there is none of that name."""
    if not isinstance(filename, str) or not FILENAME.match(filename):
        raise NotFound("file not found")
    from botocore.exceptions import ClientError

    try:
        head = aws.client("s3").head_object(Bucket=_bucket(), Key=s3.backup_key(filename))
    except ClientError:
        raise NotFound("file not found") from None
    return _describe(filename, head["ContentLength"])


def delete(filename: str) -> str:
    detail(filename)
    s3.delete_objects([s3.backup_key(filename)])
    return filename


# ---------------------------------------------------------------- requests: each starts the job with a message


def request_backup(reason: str = "manual") -> str:
    return file_tasks.ask(RUN, {"reason": reason})


def scheduled_backup() -> str | None:
    """The run_backup schedule's backup, as POST /api/appsettings/backup/ asks for one (then rotated); None
    when one is under way already."""
    try:
        return request_backup("auto")
    except Conflict:
        log.info("scheduled backup skipped: %s is running already", RUN)
        return None


def request_restore(filename: str) -> str:
    detail(filename)
    return file_tasks.ask(RESTORE, {"filename": filename})


# ---------------------------------------------------------------- the job: export


def _plain(record: dict, kind: str) -> dict:
    return {k: v for k, v in record.items() if k not in DERIVED.get(kind, ())}


def _text(key: str) -> str | None:
    try:
        return s3.read(key).decode()
    except NotFound:
        return None


def _video_records(videos: list[Video]) -> list[dict]:
    """The videos as the importer reads them, each subtitle with its WebVTT text (read in parallel)."""
    records = [_plain(video.to_simple_dict(), "video") for video in videos]
    jobs = [
        (record, sub, s3.video_subtitle_key(video, sub["lang"]))
        for video, record in zip(videos, records, strict=True)
        for sub in record.get("subtitles") or []
    ]
    with ThreadPoolExecutor(max_workers=READERS) as pool:
        for (_, sub, _), text in zip(jobs, pool.map(lambda job: _text(job[2]), jobs), strict=True):
            if text is not None:
                sub["vtt"] = text
    return records


def _comment_records(videos: list[Video]) -> list[dict]:
    ids = [video.youtube_id for video in videos if video.comment_count is not None]
    with ThreadPoolExecutor(max_workers=READERS) as pool:
        threads = list(pool.map(comments.read_comments, ids))
    return [{"youtube_id": i, "threads": t} for i, t in zip(ids, threads, strict=True) if t]


def _records():
    """(kind, record) of everything a backup holds, read with strongly consistent scans (this is a job)."""
    for channel in Channel.scan(consistent_read=True):
        yield "channel", _plain(channel.to_simple_dict(), "channel")
    for playlist in Playlist.scan(consistent_read=True):
        record = _plain(playlist.to_simple_dict(), "playlist")
        entries = playlists.entries(playlist.playlist_id)
        record["playlist_entries"] = [
            {"youtube_id": e.youtube_id, "title": e.title, "uploader": e.uploader} for e in entries
        ]
        yield "playlist", record
    videos = list(Video.scan(consistent_read=True))
    for record in _video_records(videos):
        yield "video", record
    for record in _comment_records(videos):
        yield "comments", record
    for model, kind in ((UserVideo, "user_video"), (QueueItem, "queue"), (AppSetting, "setting")):
        for item in model.scan(consistent_read=True):
            yield kind, item.to_simple_dict()


def _line(value: dict) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).encode() + b"\n"


def export(reason: str, now: float | None = None) -> str:
    """Write a backup; its filename."""
    stamp = now if now is not None else time.time()
    filename = f"ta_backup-{datetime.fromtimestamp(stamp, UTC):%Y%m%d%H%M%S}-{reason}.jsonl.gz"
    body: list[bytes] = []
    counts: dict[str, int] = {}
    for kind, record in _records():
        body.append(_line({kind: record}))
        counts[kind] = counts.get(kind, 0) + 1
    header = _line({"backup": {"format": FORMAT, "created": int(stamp), "reason": reason, "counts": counts}})
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as packed:
        packed.write(header)
        packed.writelines(body)
    aws.client("s3").put_object(
        Bucket=_bucket(), Key=s3.backup_key(filename), Body=buffer.getvalue(), ContentType="application/gzip"
    )
    return filename


def rotate(keep: int) -> list[str]:
    """Keep the newest `keep` automatic backups (0: all of them), as TubeArchivist's rotation: the manual ones
    stay until deleted. The names removed."""
    automatic = [item["filename"] for item in listing() if item["reason"] == "auto"]
    gone = automatic[keep:] if keep else []
    s3.delete_objects([s3.backup_key(name) for name in gone])
    return gone


def create(reason: str) -> dict:
    filename = export(reason)
    keep = int(app_settings.current()["application"]["backup_rotate"])
    return {"filename": filename, "rotated": rotate(keep)}


# ---------------------------------------------------------------- the job: restore


def read_backup(filename: str) -> tuple[dict, dict[str, list[dict]]]:
    """The header and the records by kind; 400 when the object is not a backup this archive wrote."""
    detail(filename)
    try:
        lines = gzip.decompress(s3.read(s3.backup_key(filename))).decode().splitlines()
        rows = [json.loads(line) for line in lines if line]
    except (OSError, EOFError, ValueError, UnicodeDecodeError) as error:
        raise BadRequest(f"backup {filename} cannot be read: {error}") from None
    if not rows or not isinstance(rows[0], dict) or (rows[0].get("backup") or {}).get("format") != FORMAT:
        raise BadRequest(f"backup {filename} is not a {FORMAT} backup")
    kinds: dict[str, list[dict]] = {}
    for row in rows[1:]:
        if not isinstance(row, dict) or len(row) != 1:
            raise BadRequest(f"backup {filename} holds a line that is not one record")
        ((kind, record),) = row.items()
        kinds.setdefault(kind, []).append(record)
    return rows[0]["backup"], kinds


M = TypeVar("M", bound=Model)


def _item(model: type[M], record: dict) -> M:
    item = model()
    item.from_simple_dict(record)
    return item


def restore(filename: str) -> dict:
    """Bring a backup's records back: the importer's plan and writes for channels, playlists and videos (a
    backup the importer refuses writes nothing), then comments, users' states, the queue and the settings."""
    _, kinds = read_backup(filename)
    summary = importer.import_document(
        {"channels": kinds.get("channel", []), "playlists": kinds.get("playlist", []), "videos": kinds.get("video", [])}
    )
    for record in kinds.get("comments", []):
        body = json.dumps(record["threads"], ensure_ascii=False, separators=(",", ":")).encode()
        aws.client("s3").put_object(
            Bucket=_bucket(), Key=s3.comments_key(record["youtube_id"]), Body=body, ContentType="application/json"
        )
    by_user: dict[int, list[dict]] = {}
    for record in kinds.get("user_video", []):
        by_user.setdefault(int(record["user_id"]), []).append(record)
    states = sum(import_states(user_id, rows) for user_id, rows in by_user.items())
    queued = intake.store_new([_item(QueueItem, record) for record in kinds.get("queue", [])])
    with AppSetting.batch_write() as batch:
        for record in kinds.get("setting", []):
            batch.save(_item(AppSetting, record))
    return {**summary, "comments": len(kinds.get("comments", [])), "states": states, "queue": len(queued)}


# ---------------------------------------------------------------- the job


def run_job(message: dict) -> dict | None:
    """One message: `{"action": "run_backup", "reason"}` or `{"action": "restore_backup", "filename"}`."""
    if message.get("action") == RUN:
        reason = message["reason"] if message.get("reason") in REASONS else "manual"
        result = file_tasks.run(RUN, lambda: create(reason))
    else:
        result = file_tasks.run(RESTORE, lambda: restore(str(message.get("filename", ""))))
    log.info("%s (task %s): %s", message.get("action"), message.get("task_id"), result)
    return result
