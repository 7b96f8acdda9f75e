"""The manual import: TubeArchivist's import folder, here the media bucket's `import/` prefix.

Put yt-dlp downloads there (`aws s3 cp --recursive DIR s3://BUCKET/import/`: each media file with its
`.info.json` beside it, as `yt-dlp --write-info-json` writes them, and optionally its thumbnail, `.LANG.vtt`
subtitles and `--write-comments`), then `POST /api/appsettings/manual-import/`. The job reads the prefix as
functions.services.ytdlp_files reads any such folder, copies each video's files to its archive keys (media,
info JSON, thumbnail; comments as threads), writes the metadata through the importer's plan and batch writes
(search index, subtitles and counters with them), and deletes what it moved from `import/`. Media files
without an info JSON are listed and left where they are.

Without `ignore_error`, one video that cannot be imported stops the run before anything is copied or written
(TubeArchivist's "core failure"); with it, the others are imported and the failures listed. `dry_run` reports
what would be imported. The report stays for `GET /api/appsettings/manual-import/`.
"""

import json
from pathlib import PurePath, PurePosixPath

import msgspec

from functions.core import logs
from functions.core.errors import BadRequest
from functions.core.settings import get_settings
from functions.schemas.ta5 import ManualImportRequest
from functions.services import file_tasks, importer, ytdlp_files
from functions.storage import aws, s3

log = logs.logger(__name__)
TASK = "manual_import"  # TubeArchivist's task name


def request(options: ManualImportRequest) -> str:
    return file_tasks.ask(TASK, {"options": msgspec.to_builtins(options)})


def last_report() -> dict:
    return file_tasks.last_report(TASK)


CONTENT_TYPES = {"mp4": "video/mp4", "webm": "video/webm", "mkv": "video/x-matroska", "m4a": "audio/mp4"}
IMAGE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def _copy(source: PurePath, key: str, content_type: str) -> None:
    s3.copy(str(source), key, content_type)


def run(options: ManualImportRequest) -> dict:
    listed = {PurePosixPath(o["Key"]): o for o in s3.listing(s3.IMPORT_PREFIX)}
    folders: dict[PurePath, list[str]] = {}
    for path in listed:
        folders.setdefault(path.parent, []).append(path.name)
    grouped, alone = ytdlp_files.group(folders.items())
    found = ytdlp_files.read(
        grouped,
        lambda path: s3.read(str(path)).decode("utf-8", errors="replace"),
        lambda path: (
            int(listed[PurePosixPath(path)]["Size"]),
            listed[PurePosixPath(path)]["LastModified"].timestamp(),
        ),
    )
    report: dict = {
        "state": "dry_run" if options.dry_run else "done",
        "options": msgspec.to_builtins(options),
        "videos": [
            {"youtube_id": v.youtube_id, "channel_id": v.channel_id, "media": str(v.media)} for v in found.videos
        ],
        "unmatched": sorted(str(path) for path in alone),
        "failures": [{"file": where, "why": why} for where, why in found.failures],
        "notes": found.notes,
    }
    if found.failures and not options.ignore_error:
        report["state"] = "failed"
        return report
    plan = importer.plan(importer.parse(found.document))  # a record the importer refuses: nothing written
    report["summary"] = plan.summary
    if options.dry_run:
        return report
    for video in found.videos:
        ext = video.media.suffix[1:].lower()
        _copy(video.media, s3.media_key(video.channel_id, video.youtube_id, ext), CONTENT_TYPES[ext])
        _copy(video.info, s3.info_json_key(video.channel_id, video.youtube_id), "application/json")
        if video.thumb is not None:
            thumb_type = IMAGE_TYPES.get(video.thumb.suffix[1:].lower(), "application/octet-stream")
            _copy(video.thumb, s3.video_thumb_key(video.youtube_id), thumb_type)
        if video.threads is not None:
            body = json.dumps(video.threads, ensure_ascii=False, separators=(",", ":")).encode()
            aws.client("s3").put_object(
                Bucket=get_settings().media_bucket,
                Key=s3.comments_key(video.youtube_id),
                Body=body,
                ContentType="application/json",
            )
    from functions.services.invidious import feed

    new = [video for video in plan.videos_put if video.youtube_id not in plan.stored]
    report["summary"] = importer.apply(plan)
    feed.fan_out_many(new)
    imported = {video.info for video in found.videos}
    moved = [
        str(path)
        for stem, files in grouped.items()
        if stem.with_name(stem.name + ytdlp_files.INFO) in imported
        for path in files
    ]
    s3.delete_objects(sorted(moved))
    return report


def run_job(message: dict) -> dict | None:
    """One message of the snapshot queue: `{"action": "manual_import", "options"}`."""
    try:
        options = msgspec.convert(message.get("options") or {}, ManualImportRequest)
    except msgspec.ValidationError as error:
        log.error("manual_import: bad options %r: %s", message.get("options"), error)
        return None

    def work() -> dict:
        try:
            report = run(options)
        except BadRequest as error:  # the importer refused the document: kept in the report, then the task's error
            file_tasks.save_report(TASK, {"state": "failed", "failures": [{"file": "", "why": error.message}]})
            raise
        file_tasks.save_report(TASK, report)
        if report["state"] == "failed":
            raise BadRequest(f"manual import stopped: {len(report['failures'])} file(s) cannot be imported")
        return report

    return file_tasks.run(TASK, work)
