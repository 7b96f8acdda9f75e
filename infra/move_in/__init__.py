"""Move in: an existing TubeArchivist (through its API) or a folder of yt-dlp downloads, into this archive.

    python -m infra.cli move-in --from-ta URL --token T [--media DIR] [--user NAME] [--dry-run]
    python -m infra.cli move-in --from-folder DIR [--dry-run]

Phases, each with its progress bar:
1. read: the source gives an import document (functions/services/importer's format), the files to store (media,
   thumbnails, art, subtitles, comment threads, info JSON, at the keys of functions/storage/s3.py), the download
   queue and the user's watched state and positions; items it cannot read are failures, the rest goes on.
2. files: uploaded in parallel (`upload`), skipped when already stored with the same size and SHA-256, a cut-off
   multipart upload finished. A video whose media fails to upload is held back (its metadata is not written).
3. metadata: the importer's plan and batch writes (search index and counters with them); subscribers' feeds get
   the new videos; the queue goes through the download intake; the user's state through batch writes.
Running it again moves what failed or was cut off and skips the rest. `--dry-run` reads the source and the
archive and says what would happen, writing nothing.

Modules: `ta` and `folder` (the sources), `items` (what a source gives), `upload`, `report`.
"""

import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from functions.core.errors import BadRequest
from functions.services import importer
from functions.services.auth import users
from functions.services.importer.records import Invalid, parse_channel, parse_playlist, parse_video
from functions.services.importer.states import import_states
from functions.storage import db
from functions.storage.models import Channel
from infra.move_in.items import Collected, File
from infra.move_in.report import Phases, Report
from infra.move_in.upload import PART_SIZE, SKIPPED, Uploader

DEFAULT_WORKERS = 8


def _checked(collected: Collected) -> None:
    """Drop the records the importer would refuse, each reported with why (the importer refuses a whole
    document for one bad record; a move-in moves the rest)."""
    document = collected.document
    for kind, key, parse_record in (
        ("channels", "channel_id", parse_channel),
        ("playlists", "playlist_id", parse_playlist),
        ("videos", "youtube_id", parse_video),
    ):
        kept = []
        for row in document.get(kind, []):
            try:
                parse_record(row)
            except Invalid as error:
                collected.fail(f"{kind[:-1]} {row.get(key)}", str(error))
                continue
            kept.append(row)
        document[kind] = kept
    known = {row["channel_id"] for row in document["channels"]}
    known |= {row["channel"]["channel_id"] for row in document["videos"] if isinstance(row.get("channel"), dict)}
    missing = {row["channel_id"] for row in document["videos"]} - known
    (archived,) = db.batch_get((Channel, sorted(missing)))
    playlists = {row["playlist_id"] for row in document["playlists"]}
    for row in document["videos"]:
        row["playlist"] = [p for p in row.get("playlist") or [] if p in playlists]
        if row["channel_id"] in missing and row["channel_id"] not in archived:
            collected.fail(f"video {row['youtube_id']}", f"its channel {row['channel_id']} was not read")
    document["videos"] = [
        r for r in document["videos"] if r["channel_id"] not in missing or r["channel_id"] in archived
    ]


def _upload_all(files: list[File], source, work: Path, report: Report, phases: Phases, workers: int, part_size: int):
    """Every file stored (or found stored); the ids of videos whose required file failed."""
    held: set[str] = set()
    local_bytes = sum(f.size() for f in files if f.url is None)
    with phases.phase("files", total=local_bytes or None, in_bytes=True) as advance:

        def sent(n: int) -> None:
            report.bytes_sent += n
            advance(n)

        uploader = Uploader(workers=workers, part_size=part_size, on_bytes=sent)

        def one(numbered: tuple[int, File]) -> tuple[File, str | None, str | None]:
            number, file = numbered
            try:
                expected = file.expected_size
                if file.url is not None and expected is not None and uploader.holds(file.key, expected, None):
                    return file, SKIPPED, None  # not fetched again: see File.expected_size
                if file.url is not None:
                    target = work / f"{number}.{file.key.rsplit('.', 1)[-1]}"
                    source.fetch_to(file.url, target)
                    file.path = target
                outcome = uploader.upload(file)
                if outcome == SKIPPED and file.url is None:
                    advance(file.size())
                return file, outcome, None
            except Exception as error:  # one file's failure is reported, the others go on
                return file, None, _why(error)
            finally:
                if file.url is not None and file.path is not None:
                    file.path.unlink(missing_ok=True)

        try:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="move-in-file") as pool:
                for file, outcome, why in pool.map(one, enumerate(files)):
                    if outcome is not None:
                        report.files[outcome] += 1
                        continue
                    report.files["failed"] += 1
                    report.collected.fail(file.url or str(file.path or file.key), why or "")
                    if file.required and file.video:
                        held.add(file.video)
        finally:
            uploader.close()
    return held


def _why(error: Exception) -> str:
    from botocore.exceptions import ClientError

    if isinstance(error, ClientError):
        return "S3: " + error.response.get("Error", {}).get("Message", str(error))
    return str(error) or type(error).__name__


def _dry_files(files: list[File], report: Report) -> None:
    uploader = Uploader(workers=1)
    try:
        for file in files:
            if file.url is not None:
                same = file.expected_size is not None and uploader.holds(file.key, file.expected_size, None)
                report.files["already stored" if same else "to fetch and store"] += 1
                continue
            same = uploader.holds(file.key, file.size(), file.sha256())
            report.files["already stored" if same else "to store"] += 1
    finally:
        uploader.close()


def _queue(rows: list[dict], report: Report) -> None:
    from functions.services.downloads import intake

    for status in ("pending", "ignore"):
        wanted = [row for row in rows if row["status"] == status]
        if not wanted:
            continue
        added = intake.add_entries(wanted)
        report.queue["skipped (archived or queued)"] += len(added["skipped"])
        for youtube_id in added["added"]:
            if status == "ignore":
                intake.set_status(youtube_id, "ignore")
            report.queue[status] += 1


def move_in(
    source,
    *,
    username: str = "admin",
    dry_run: bool = False,
    workers: int = DEFAULT_WORKERS,
    part_size: int = PART_SIZE,
    phases: Phases | None = None,
) -> Report:
    """Move everything `source` (a `ta.TubeArchivist` or `folder.Folder`) holds into the archive."""
    from functions.services.invidious import feed

    phases = phases or Phases()
    report = Report(dry_run=dry_run)
    collected = report.collected
    with phases.phase("read") as advance:
        source.collect(collected, advance)
    _checked(collected)
    # a wrong --user stops the move before anything is written
    user_id = int(users.get_user(username).user_id) if collected.states else None
    moving = {row["youtube_id"] for row in collected.document["videos"]}
    files = [f for f in collected.files if f.video is None or f.video in moving]
    if dry_run:
        _dry_files(files, report)
        report.import_summary = importer.plan(importer.parse(collected.document)).summary
        report.queue["to queue"] = len(collected.queue)
        report.states = len(collected.states)
        return report
    with tempfile.TemporaryDirectory(prefix="move-in-") as work:
        held = _upload_all(files, source, Path(work), report, phases, workers, part_size)
    document = collected.document
    document["videos"] = [row for row in document["videos"] if row["youtube_id"] not in held]
    with phases.phase("metadata", total=len(document["videos"])) as advance:
        try:
            plan = importer.plan(importer.parse(document))
        except BadRequest as error:  # a race with the archive (a channel deleted meanwhile): nothing written
            collected.fail("metadata", error.message)
            return report
        new = [video for video in plan.videos_put if video.youtube_id not in plan.stored]
        summary = importer.apply(plan)
        report.import_summary = summary
        report.feed_items = feed.fan_out_many(new)
        advance(len(document["videos"]))
        _queue(collected.queue, report)
        if user_id is not None:
            report.states += import_states(user_id, collected.states)
    return report
