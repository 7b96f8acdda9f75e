"""A local folder of yt-dlp downloads, read by functions.services.ytdlp_files (the manual import reads the bucket's
`import/` prefix the same way): the files to store, the import document, and the media files without an info
JSON, listed, not guessed at."""

import json
import os
from pathlib import Path

from functions.services import ytdlp_files
from functions.storage import s3
from infra.move_in.items import Collected, File, content_type


def read(folder: Path, collected: Collected, advance=lambda n=1: None) -> Collected:
    """Read the folder: every info JSON with its media; the files to store; media without an info JSON listed."""
    grouped, alone = ytdlp_files.group((Path(directory), names) for directory, _, names in os.walk(folder))
    collected.unmatched = [Path(path) for path in alone]

    def stat(path) -> tuple[int, float]:
        status = Path(path).stat()
        return status.st_size, status.st_mtime

    found = ytdlp_files.read(
        grouped, lambda path: Path(path).read_text(encoding="utf-8", errors="replace"), stat, advance
    )
    for where, why in found.failures:
        collected.fail(where, why)
    collected.notes += found.notes
    for video in found.videos:
        youtube_id, channel_id = video.youtube_id, video.channel_id
        ext = video.media.suffix[1:].lower()
        collected.files.append(
            File(
                s3.media_key(channel_id, youtube_id, ext),
                content_type(ext),
                path=Path(video.media),
                video=youtube_id,
                required=True,
            )
        )
        collected.files.append(
            File(s3.info_json_key(channel_id, youtube_id), "application/json", path=Path(video.info), video=youtube_id)
        )
        if video.thumb is not None:
            collected.files.append(
                File(
                    s3.video_thumb_key(youtube_id),
                    content_type(video.thumb.name),
                    path=Path(video.thumb),
                    video=youtube_id,
                )
            )
        if video.threads is not None:
            body = json.dumps(video.threads, ensure_ascii=False, separators=(",", ":")).encode()
            collected.files.append(File(s3.comments_key(youtube_id), "application/json", data=body, video=youtube_id))
    collected.document = found.document
    return collected


class Folder:
    def __init__(self, path: Path):
        if not Path(path).is_dir():
            raise FileNotFoundError(f"{path} is not a folder")
        self.path = Path(path)

    def collect(self, collected: Collected, advance=lambda n=1: None) -> Collected:
        return read(self.path, collected, advance)
