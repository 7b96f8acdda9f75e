"""What a source gives a move-in: an import document, the files to store, the queue and the user's state, and
the items it could not read (each with why)."""

from dataclasses import dataclass, field
from pathlib import Path

from infra.move_in.upload import FileUpload

CONTENT_TYPES = {
    "mp4": "video/mp4",
    "webm": "video/webm",
    "mkv": "video/x-matroska",
    "m4a": "audio/mp4",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "vtt": "text/vtt",
    "json": "application/json",
}


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


@dataclass
class File(FileUpload):
    """A file to store: a local path, bytes, or a URL of the source fetched first. `video`: the video that
    cannot move without it (its media), or that it belongs to."""

    url: str | None = None
    video: str | None = None
    required: bool = False  # the video is held back when this file fails
    # A source file's size as the source reports it (a TubeArchivist's media_size): when the bucket holds the key
    # with that size, stored whole by a move-in, a second run skips it without fetching it again (terabytes).
    expected_size: int | None = None


@dataclass
class Failure:
    item: str  # "video abc", "page 3 of /api/video/", a file's path
    why: str


@dataclass
class Collected:
    document: dict = field(default_factory=lambda: {"channels": [], "playlists": [], "videos": []})
    files: list[File] = field(default_factory=list)
    queue: list[dict] = field(default_factory=list)  # {youtube_id, status (pending|ignore), title, channel_id...}
    states: list[dict] = field(default_factory=list)  # {youtube_id, watched, watched_date, position}
    failures: list[Failure] = field(default_factory=list)
    unmatched: list[Path] = field(default_factory=list)  # media files without an info JSON: listed, not guessed
    notes: list[str] = field(default_factory=list)  # what was left behind on purpose (formats the archive lacks)

    def fail(self, item: str, why: str) -> None:
        self.failures.append(Failure(item, why))
