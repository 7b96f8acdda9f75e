"""Each archived video's DASH rendition: its streams remuxed into fragmented mp4 (functions.youtube.dash) and stored
beside the original (s3.dash_key), with what a manifest needs of each recorded on the video (`Video.dash`).

A download makes it (`make`); videos archived before it existed get it from `backfill` (`python -m infra.cli
dash`), which reads the archived file back from S3. It costs about the original's size again in storage
(bench/cost.py prints it); a video without one plays its single file.
"""

import tempfile
from pathlib import Path

from functions.core import logs
from functions.storage import db, s3
from functions.storage.models import ALL_VIDEOS, Video
from functions.youtube import dash

log = logs.logger(__name__)


def _record(stream: dash.Stream) -> dict:
    return {
        "kind": stream.kind,
        "mime": stream.mime,
        "codecs": stream.codecs,
        "bitrate": stream.bitrate,
        "clen": stream.path.stat().st_size,
        "init": f"{stream.init[0]}-{stream.init[1]}",
        "index": f"{stream.index[0]}-{stream.index[1]}",
        "width": stream.width,
        "height": stream.height,
        "fps": stream.fps,
        "sample_rate": stream.sample_rate,
        "channels": stream.channels,
    }


def make(video: Video, media_path: Path, workdir: Path) -> list[dict]:
    """Remux `media_path` (the video's archived file), upload its streams; what `Video.dash` records. A file
    ffmpeg cannot remux gets no rendition (logged): the video stays playable as its single file."""
    try:
        streams = dash.renditions(media_path, workdir / "dash")
    except dash.DashFailed as error:
        log.warning("video %s: no DASH rendition: %s", video.youtube_id, error)
        return []
    for stream in streams:
        s3.upload_file(stream.path, s3.video_dash_key(video, stream.kind), stream.mime)
    return [_record(stream) for stream in streams]


def backfill(youtube_id: str) -> bool:
    """Give an archived video without a rendition its rendition; False when it has one, or is gone."""
    found = db.batch_get((Video, [youtube_id]))[0].get(youtube_id)
    if found is None or found.dash:
        return False
    with tempfile.TemporaryDirectory(prefix="dash-") as folder:
        workdir = Path(folder)
        media_path = workdir / f"{youtube_id}.{found.media_ext}"
        s3.download_file(s3.video_media_key(found), media_path)
        streams = make(found, media_path, workdir)
    return bool(streams) and db.update_existing(found, [Video.dash.set(streams)])


def backfill_all(youtube_ids: list[str] | None = None) -> int:
    """Backfill these videos, or every archived one (newest first); how many renditions were made."""
    ids = youtube_ids or [key.youtube_id for key in Video.by_published.query(ALL_VIDEOS, scan_index_forward=False)]
    return sum(backfill(youtube_id) for youtube_id in ids)
