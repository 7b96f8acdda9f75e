"""Downloading one video with yt-dlp (through functions.youtube.ytdlp's session): the media, its thumbnail as jpg,
subtitles and comments as the app's download settings ask, and the info JSON, into a work folder."""

import glob
import importlib
import logging
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from functions.youtube import urls
from functions.youtube.runtime import binary_location
from functions.youtube.ytdlp import ExtractionFailed, open_session

log = logging.getLogger("ytarchive.media")
SIDE_FILES = (".vtt", ".srt", ".json", ".jpg", ".webp", ".png")  # downloads whose progress is not the video's
DEFAULT_FORMAT = "bestvideo[ext=mp4]+bestaudio[ext=m4a]/best[ext=mp4]/bestvideo+bestaudio/best"
SINGLE_FILE_FORMAT = "best[ext=mp4]/best"  # without ffmpeg nothing can be merged


@dataclass
class DownloadResult:
    """What `download` left in its work folder; paths are None (or empty) for what was not written."""

    info: dict
    media_path: Path
    thumbnail_path: Path | None = None
    subtitle_paths: dict[str, Path] = field(default_factory=dict)  # language -> .vtt
    info_json_path: Path | None = None
    comments: list[dict] | None = None  # when comments were asked for (also inside the info JSON)


def ffmpeg_location() -> str | None:
    """The ffmpeg to merge formats and convert thumbnails with: the layer's (IMAGEIO_FFMPEG_EXE) or imageio's."""
    return binary_location("IMAGEIO_FFMPEG_EXE", lambda: importlib.import_module("imageio_ffmpeg").get_ffmpeg_exe())


def info_params(options: dict) -> dict:
    """The yt-dlp parameters of the download settings a metadata read takes too: the comments when they are
    kept (a refresh reads them again, as TubeArchivist's reindex does) and the extractor's language."""
    params: dict[str, Any] = {}
    youtube_args = {}
    if options.get("comment_max"):
        params["getcomments"] = True
        youtube_args["max_comments"] = [str(options["comment_max"]).replace(" ", "")]
        youtube_args["comment_sort"] = [options.get("comment_sort") or "top"]
    if options.get("extractor_lang"):
        youtube_args["lang"] = [options["extractor_lang"]]
    if youtube_args:
        params["extractor_args"] = {"youtube": youtube_args}
    return params


def download_params(options: dict) -> dict:
    """yt-dlp parameters from the app's download settings (settings.DEFAULT_APP_CONFIG["downloads"])."""
    ffmpeg = ffmpeg_location()
    params: dict[str, Any] = {
        "format": options.get("format") or (DEFAULT_FORMAT if ffmpeg else SINGLE_FILE_FORMAT),
        "merge_output_format": "mp4",
        "writethumbnail": True,
        "writeinfojson": True,
        "retries": 3,
        "fragment_retries": 3,
        "socket_timeout": 30,
    }
    if options.get("format_sort"):
        params["format_sort"] = [part.strip() for part in str(options["format_sort"]).split(",") if part.strip()]
    if options.get("limit_speed"):
        params["ratelimit"] = int(options["limit_speed"]) * 1024  # KB/s, as TubeArchivist's setting
    if options.get("throttledratelimit"):
        params["throttledratelimit"] = int(options["throttledratelimit"]) * 1024
    if options.get("subtitle"):
        params["subtitleslangs"] = [lang.strip() for lang in str(options["subtitle"]).split(",") if lang.strip()]
        params["subtitlesformat"] = "vtt"
        params["writesubtitles"] = True
        params["writeautomaticsub"] = options.get("subtitle_source") == "auto"
    params.update(info_params(options))
    if options.get("sleep_interval"):
        params["sleep_interval"] = int(options["sleep_interval"])  # seconds before each download
    if ffmpeg:
        params["ffmpeg_location"] = ffmpeg
        # YouTube serves webp thumbnails; the archive keeps jpg (storage.video_thumb_key).
        params["postprocessors"] = [{"key": "FFmpegThumbnailsConvertor", "format": "jpg", "when": "before_dl"}]
        if options.get("add_metadata"):  # title, uploader, date and chapters written into the file
            params["postprocessors"].append({"key": "FFmpegMetadata", "add_chapters": True, "add_metadata": True})
        if options.get("add_thumbnail"):  # the cover embedded too (mutagen); the jpg stays for the archive
            params["postprocessors"].append({"key": "EmbedThumbnail", "already_have_thumbnail": True})
    return params


def _progress_hook(progress: Callable[[dict], None]) -> Callable[[dict], None]:
    """yt-dlp's progress dicts, reduced to {status, percent, speed, downloaded_bytes, total_bytes, eta}."""

    def hook(status: dict) -> None:
        if str(status.get("filename", "")).endswith(SIDE_FILES):
            return
        total = status.get("total_bytes") or status.get("total_bytes_estimate")
        done = status.get("downloaded_bytes") or 0
        percent = 100.0 if status.get("status") == "finished" else (100.0 * done / total if total else None)
        progress(
            {
                "status": status.get("status"),
                "percent": None if percent is None else round(min(percent, 100.0), 1),
                "speed": status.get("speed"),
                "downloaded_bytes": done,
                "total_bytes": total,
                "eta": status.get("eta"),
            }
        )

    return hook


def planned_download(video_id: str, options: dict, cookie: str | None = None) -> dict:
    """yt-dlp's info dict of one video with the formats `options` select (`requested_formats`, their sizes), as
    `download` would fetch them; nothing is downloaded. Pass it to `download` to skip a second extraction."""
    with open_session(download_params(options), cookie) as session:
        return session.sanitize(session.extract(urls.watch_url(video_id), download=False))


def download(
    video_id: str,
    workdir: str | Path,
    options: dict,
    cookie: str | None = None,
    progress: Callable[[dict], None] | None = None,
    planned: dict | None = None,
) -> DownloadResult:
    """Download one video into `workdir` (media, jpg thumbnail, subtitles and comments as `options` ask, info
    JSON); `progress` receives reduced progress dicts while it runs. `planned` (from `planned_download`) is
    downloaded as it is, without extracting it again."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    params = download_params(options)
    params["paths"] = {"home": str(workdir), "temp": str(workdir)}
    params["outtmpl"] = {"default": "%(id)s.%(ext)s"}
    if progress is not None:
        params["progress_hooks"] = [_progress_hook(progress)]
    with open_session(params, cookie) as session:
        if planned is not None:
            info = session.ydl.process_ie_result(planned, download=True)
        else:
            info = session.extract(urls.watch_url(video_id), download=True)
        downloads = info.get("requested_downloads") or []
        if not downloads or not downloads[0].get("filepath") or not Path(downloads[0]["filepath"]).is_file():
            raise ExtractionFailed(f"yt-dlp wrote no media file for {video_id}")
        media = Path(downloads[0]["filepath"])
        info = session.sanitize(info)
    subtitles = {}
    for path in glob.glob(str(workdir / f"{glob.escape(video_id)}.*.vtt")):
        subtitles[Path(path).name[len(video_id) + 1 : -len(".vtt")]] = Path(path)
    thumbnail = workdir / f"{video_id}.jpg"
    info_json = workdir / f"{video_id}.info.json"
    return DownloadResult(
        info=info,
        media_path=media,
        thumbnail_path=thumbnail if thumbnail.is_file() else None,
        subtitle_paths=subtitles,
        info_json_path=info_json if info_json.is_file() else None,
        comments=info.get("comments") if params.get("getcomments") else None,
    )


# `ffmpeg -i` describes each stream on one line: "Stream #0:0[0x1](und): Video: h264 (High) (avc1 / ...), yuv420p,
# 1280x720 [SAR 1:1 DAR 16:9], 1000 kb/s, 30 fps, ...". The layer's ffmpeg (imageio-ffmpeg) ships no ffprobe.
STREAM_LINE = re.compile(r"^\s*Stream #\d+:(\d+)\S*: (Video|Audio): (\w+)(.*)$", re.MULTILINE)
SIZE = re.compile(r"\b(\d{2,5})x(\d{2,5})\b")
BITRATE = re.compile(r"\b(\d+) kb/s")
PROBE_SECONDS = 60


def parse_streams(description: str) -> list[dict]:
    """TubeArchivist's `streams` ([{type, index, codec, width, height, bitrate}], bitrate in bits per second;
    audio streams without width and height) from what `ffmpeg -i` prints; embedded cover images are left out."""
    streams = []
    for index, kind, codec, rest in STREAM_LINE.findall(description):
        if "(attached pic)" in rest:
            continue  # an embedded cover (add_thumbnail), not a stream a player plays
        stream: dict[str, Any] = {"type": kind.lower(), "index": int(index), "codec": codec}
        size = SIZE.search(rest) if kind == "Video" else None
        if size:
            stream.update(width=int(size.group(1)), height=int(size.group(2)))
        rate = BITRATE.search(rest)
        stream["bitrate"] = int(rate.group(1)) * 1000 if rate else 0
        streams.append(stream)
    return streams


def probe_streams(path: str | Path) -> list[dict] | None:
    """The video and audio streams of a media file, read by ffmpeg; None when they cannot be read (no ffmpeg,
    not a media file)."""
    ffmpeg = ffmpeg_location()
    if not ffmpeg:
        return None
    try:
        done = subprocess.run(
            [ffmpeg, "-hide_banner", "-nostdin", "-i", str(path)], capture_output=True, timeout=PROBE_SECONDS
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        log.warning("ffmpeg could not read %s: %s", path, error)
        return None
    streams = parse_streams(done.stderr.decode("utf-8", "replace"))  # ffmpeg -i without an output exits 1
    return streams or None
