"""The filesystem rescan: the media bucket reconciled with the tables, TubeArchivist's rescan-filesystem where S3
is the file system.

It lists the bucket's `media/` prefix and reads every video row (a job: never on a request path), then:
- a video whose media object is gone is marked (`media_missing`), or removed with its records and files as
  TubeArchivist does, when `delete_missing` is asked for; a marked video whose media is back is unmarked;
- a video whose media object's size is not its `media_size` gets the object's;
- media objects no video names (its media, subtitles, DASH streams, info JSON) are listed, and deleted only
  when `delete_orphans` is asked for;
- every counter is set again from the tables (functions.storage.counters.recount_all).
`dry_run` reports all that and changes nothing. The report is kept (`GET /api/appsettings/rescan-filesystem/`).
"""

import msgspec

from functions.core import logs
from functions.schemas.ta5 import RescanFilesystemRequest
from functions.services import file_tasks
from functions.services.archive import videos
from functions.storage import counters, db, s3
from functions.storage.models import Video

log = logs.logger(__name__)
TASK = "rescan_filesystem"  # TubeArchivist's task name
MISSING, BACK, RESIZED = "missing", "back", "resized"  # what a video's row needs


def request(options: RescanFilesystemRequest) -> str:
    return file_tasks.ask(TASK, {"options": msgspec.to_builtins(options)})


def last_report() -> dict:
    return file_tasks.last_report(TASK)


def _owned(video: Video) -> set[str]:
    return {key for key in s3.video_keys(video) if key.startswith(s3.MEDIA_PREFIX)}


def rescan(options: RescanFilesystemRequest) -> dict:
    objects = {listed["Key"]: int(listed["Size"]) for listed in s3.listing(s3.MEDIA_PREFIX)}
    archived = list(Video.scan(consistent_read=True))
    owned: set[str] = set()
    missing, back, resized = [], [], []
    for video in archived:
        owned |= _owned(video)
        key = s3.video_media_key(video)
        if key not in objects:
            missing.append(video)
        elif video.media_missing:
            back.append(video)
        if key in objects and objects[key] != int(video.media_size or 0):
            resized.append((video, objects[key]))
    orphans = sorted(key for key in objects if key not in owned)
    report: dict = {
        "state": "dry_run" if options.dry_run else "done",
        "options": msgspec.to_builtins(options),
        "videos": len(archived),
        "objects": len(objects),
        "missing": [{"youtube_id": v.youtube_id, "media_key": s3.video_media_key(v)} for v in missing],
        "missing_action": "deleted" if options.delete_missing else "marked",
        "media_back": [v.youtube_id for v in back],
        "resized": [{"youtube_id": v.youtube_id, "from": int(v.media_size or 0), "to": size} for v, size in resized],
        "orphans": [{"key": key, "size": objects[key]} for key in orphans],
        "orphans_deleted": bool(options.delete_orphans and not options.dry_run),
        "errors": [],
    }
    if options.dry_run:
        return report
    changes: list[tuple[Video, str, int]] = [(v, MISSING, 0) for v in missing] + [(v, BACK, 0) for v in back]
    changes += [(v, RESIZED, size) for v, size in resized]
    for video, change, size in changes:
        try:
            _fix(video, change, size, options.delete_missing)
        except Exception as error:
            if not options.ignore_error:
                raise
            report["errors"].append(f"video {video.youtube_id}: {error}")
    if options.delete_orphans:
        s3.delete_objects(orphans)
    report["counters"] = len(counters.recount_all())
    return report


def _fix(video: Video, change: str, size: int, delete_missing: bool) -> None:
    if change == MISSING and delete_missing:
        videos.delete(video.youtube_id)
    elif change == MISSING and not video.media_missing:
        db.update_existing(video, [Video.media_missing.set(True)])
    elif change == BACK:
        db.update_existing(video, [Video.media_missing.remove()])
    elif change == RESIZED:
        db.update_existing(video, [Video.media_size.set(size)])


def run_job(message: dict) -> dict | None:
    """One message of the snapshot queue: `{"action": "rescan_filesystem", "options"}`."""
    try:
        options = msgspec.convert(message.get("options") or {}, RescanFilesystemRequest)
    except msgspec.ValidationError as error:
        log.error("rescan_filesystem: bad options %r: %s", message.get("options"), error)
        return None
    return file_tasks.run(TASK, lambda: file_tasks.save_report(TASK, rescan(options)))
