"""The thumbnail check: the art the tables link, held against what the bucket's `cache/` prefix holds, as
TubeArchivist's thumbnail_check (ThumbValidator) does with its cache folder.

A run (the refresh function: it reads YouTube) lists `cache/` and reads the keys of every video, queued video,
channel and playlist (a job: never on a request path), then:
- a video whose thumbnail is missing gets it again (its YouTube thumbnail, as the queue stores them), at most
  MAX_FETCHES a run: the rest wait for the next run;
- a channel whose stored art (`channel_art`) or a playlist whose thumbnail (`playlist_thumb`) is missing is sent
  to refresh (functions.services.refresh reads the page and stores its art again), within the same bound;
- art no video, queued video, channel or playlist owns any more is deleted.
It is asked for on the `thumbnail_check` schedule or by `POST /api/task/by-name/thumbnail_check/` (one run at a
time: functions.services.file_tasks).
"""

from functions.core import logs
from functions.services import file_tasks, refresh, task_runs
from functions.services.downloads import worker
from functions.storage import aws, s3
from functions.storage.models import Channel, Playlist, QueueItem, Video
from functions.youtube import ytdlp

log = logs.logger(__name__)
TASK = task_runs.THUMBNAIL_CHECK
ART_PREFIX = "cache/"
MAX_FETCHES = 100  # videos fetched again plus channels and playlists sent to refresh, per run
ART_KINDS = ("thumb", "banner", "tvart")


def request() -> str:
    """Ask for a run on the refresh queue; its task id (409 while one is asked for or runs)."""
    return file_tasks.ask(TASK, {}, queue=aws.REFRESH)


def scheduled() -> str | None:
    """The thumbnail_check schedule's run; None when one is under way already."""
    return file_tasks.ask_scheduled(TASK, aws.REFRESH)


def _is_art(key: str) -> bool:
    """A key of the art the archive stores (anything else under `cache/` is not this check's)."""
    name = key.rpartition("/")[2]
    return bool(s3.VIDEO_THUMB.match(name) or s3.CHANNEL_ART.match(name) or s3.PLAYLIST_ART.match(name))


def _owned() -> tuple[dict[str, str], dict[str, tuple[str, str]], set[str]]:
    """The art keys the tables link: videos' thumbnails {key: youtube_id}, channels' and playlists' art
    {key: (kind, id)}, and the queue's thumbnails (kept, never fetched here). The queue is read first: a video
    downloaded meanwhile leaves the queue only once its row is stored, so its thumbnail is owned either way."""
    queued = {s3.video_thumb_key(item.youtube_id) for item in QueueItem.scan(attributes_to_get=["youtube_id"])}
    videos = {s3.video_thumb_key(v.youtube_id): v.youtube_id for v in Video.scan(attributes_to_get=["youtube_id"])}
    pages: dict[str, tuple[str, str]] = {}
    for channel in Channel.scan(attributes_to_get=["channel_id", "channel_art"]):
        for kind in ART_KINDS if channel.channel_art is None else channel.channel_art:
            pages[s3.channel_art_key(channel.channel_id, kind)] = (refresh.CHANNEL, channel.channel_id)
    for playlist in Playlist.scan(attributes_to_get=["playlist_id", "playlist_thumb"]):
        if playlist.playlist_thumb:
            pages[s3.playlist_thumb_key(playlist.playlist_id)] = (refresh.PLAYLIST, playlist.playlist_id)
    return videos, pages, queued


def _fetch_video_thumbnail(youtube_id: str, cookie: str | None) -> bool:
    """The video's YouTube thumbnail stored again; False when YouTube serves none."""
    try:
        row = ytdlp.video_summary(youtube_id, cookie)
    except ytdlp.YtDlpError as error:
        log.warning("thumbnail of %s: %s", youtube_id, error.message)
        return False
    return bool(worker.store_thumbnails([row], [youtube_id], cookie))


def check(cookie: str | None, run: task_runs.Run | None = None) -> dict:
    """One check: {"missing", "fetched", "refreshing", "deleted", "left"} (left: missing, beyond this run's bound)."""
    stored = {listed["Key"] for listed in s3.listing(ART_PREFIX) if _is_art(listed["Key"])}
    videos, pages, queued = _owned()
    missing_videos = sorted(youtube_id for key, youtube_id in videos.items() if key not in stored)
    missing_pages = sorted({item for key, item in pages.items() if key not in stored})
    orphans = sorted(stored - videos.keys() - pages.keys() - queued)
    s3.delete_objects(orphans)
    if run is not None:
        run.progress([f"{len(missing_videos) + len(missing_pages)} missing, {len(orphans)} unused deleted"])
    fetched = sum(_fetch_video_thumbnail(i, cookie) for i in missing_videos[:MAX_FETCHES])
    room = max(0, MAX_FETCHES - len(missing_videos))
    refreshing = refresh.enqueue(missing_pages[:room]) if missing_pages[:room] else 0
    left = max(0, len(missing_videos) - MAX_FETCHES) + max(0, len(missing_pages) - room)
    return {
        "missing": len(missing_videos) + len(missing_pages),
        "fetched": fetched,
        "refreshing": refreshing,
        "deleted": len(orphans),
        "left": left,
    }


def run_job(run: task_runs.Run, cookie: str | None) -> dict | None:
    """The refresh queue's `thumbnail_check` message, holding the task (None when another run holds it)."""
    summary = file_tasks.run(TASK, lambda: check(cookie, run))
    if summary is not None:
        run.result = (
            f"{summary['missing']} missing: {summary['fetched']} fetched, {summary['refreshing']} sent to refresh,"
            f" {summary['left']} left for the next run; {summary['deleted']} unused deleted"
        )
    return summary
