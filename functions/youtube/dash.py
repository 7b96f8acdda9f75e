"""A DASH rendition of an archived file: its video and audio streams, each remuxed (no re-encoding) by ffmpeg into
a fragmented mp4 that starts with one `sidx` indexing every fragment, as YouTube's adaptive formats are. Players
that build DASH from Invidious' `adaptiveFormats` (FreeTube, Playlet) or read its `dashUrl` (Clipious,
Materialious) fetch the `init` range (ftyp + moov), then the `index` range (sidx), then fragments by range.

    streams = dash.renditions(Path("abc.mp4"), workdir)   # [Stream(kind="video", path=..., init=(0, 837), ...)]
"""

import struct
import subprocess
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

from functions.youtube.media import ffmpeg_location

MPD_NS = {"mpd": "urn:mpeg:dash:schema:mpd:2011"}
TIMEOUT_SECONDS = 600  # a remux copies bytes: minutes only for hours of video


class DashFailed(Exception):
    """ffmpeg is missing or could not remux the file into fragmented streams."""


@dataclass
class Stream:
    """One fragmented stream file and what a manifest says of it; byte ranges are inclusive, as DASH writes them."""

    kind: str  # video | audio
    path: Path
    mime: str  # video/mp4, audio/mp4
    codecs: str  # RFC 6381: avc1.64001f, mp4a.40.2
    bitrate: int  # bits per second, over the whole stream
    init: tuple[int, int]  # ftyp + moov
    index: tuple[int, int]  # the sidx
    width: int = 0
    height: int = 0
    fps: str = ""  # ffmpeg's frame rate, "25/1" or "30000/1001"
    sample_rate: int = 0
    channels: int = 0


def top_boxes(path: Path) -> list[tuple[str, int, int]]:
    """(type, first byte, last byte) of each top-level ISO BMFF box of a file."""
    boxes = []
    size_of_file = path.stat().st_size
    with path.open("rb") as handle:
        offset = 0
        while offset + 8 <= size_of_file:
            handle.seek(offset)
            size, kind = struct.unpack(">I4s", handle.read(8))
            if size == 1:
                (size,) = struct.unpack(">Q", handle.read(8))
            elif size == 0:
                size = size_of_file - offset
            if size < 8:
                raise DashFailed(f"{path.name}: malformed box at byte {offset}")
            boxes.append((kind.decode("latin-1"), offset, offset + size - 1))
            offset += size
    return boxes


def _ranges(path: Path) -> tuple[tuple[int, int], tuple[int, int]]:
    """The init (from the file's start to the end of moov) and index (the sidx) byte ranges."""
    boxes = {kind: (first, last) for kind, first, last in reversed(top_boxes(path))}
    if "moov" not in boxes or "sidx" not in boxes:
        raise DashFailed(f"{path.name}: no moov or sidx box")
    return (0, boxes["moov"][1]), boxes["sidx"]


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise DashFailed(f"ffmpeg: {error}") from None
    if done.returncode != 0:
        raise DashFailed("ffmpeg: " + done.stderr.decode(errors="replace").strip()[-400:])


def renditions(media_path: Path, workdir: Path) -> list[Stream]:
    """The video and audio streams of `media_path` as fragmented mp4 files in `workdir` (made if needed)."""
    ffmpeg = ffmpeg_location()
    if not ffmpeg:
        raise DashFailed("no ffmpeg")
    workdir.mkdir(parents=True, exist_ok=True)
    stem = media_path.stem
    manifest = workdir / f"{stem}.mpd"
    # ffmpeg's dash muxer: one file a stream (-single_file), one sidx at its start (-global_sidx); its manifest
    # names each stream's codecs, bandwidth and picture or sound, which this reads back.
    _run(
        [
            ffmpeg,
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(media_path),
            "-map",
            "0:v:0?",
            "-map",
            "0:a:0?",
            "-c",
            "copy",
            "-f",
            "dash",
            "-single_file",
            "1",
            "-global_sidx",
            "1",
            "-use_template",
            "0",
            "-use_timeline",
            "0",
            "-single_file_name",
            f"{stem}.dash$RepresentationID$.mp4",
            str(manifest),
        ]
    )
    try:
        root = ElementTree.parse(manifest).getroot()
    except (OSError, ElementTree.ParseError) as error:
        raise DashFailed(f"ffmpeg's manifest: {error}") from None
    streams = []
    for adaptation in root.iterfind(".//mpd:AdaptationSet", MPD_NS):
        kind = adaptation.get("contentType") or ""
        for rep in adaptation.iterfind("mpd:Representation", MPD_NS):
            base = rep.findtext("mpd:BaseURL", "", MPD_NS)
            path = workdir / base
            if kind not in ("video", "audio") or not base or not path.is_file():
                raise DashFailed(f"ffmpeg's manifest names no {kind or 'known'} stream file")
            init, index = _ranges(path)
            channels = rep.find("mpd:AudioChannelConfiguration", MPD_NS)
            streams.append(
                Stream(
                    kind=kind,
                    path=path,
                    mime=rep.get("mimeType") or f"{kind}/mp4",
                    codecs=rep.get("codecs") or "",
                    bitrate=int(rep.get("bandwidth") or 0),
                    init=init,
                    index=index,
                    width=int(rep.get("width") or 0),
                    height=int(rep.get("height") or 0),
                    fps=adaptation.get("frameRate") or rep.get("frameRate") or "",
                    sample_rate=int(rep.get("audioSamplingRate") or 0),
                    channels=int(channels.get("value") or 0) if channels is not None else 0,
                )
            )
    if not streams:
        raise DashFailed("ffmpeg wrote no stream")
    return streams
