"""The yt-dlp adapter: the only module that imports yt_dlp, and only inside the functions that need it.

Metadata (`video_info`, `channel_info`, `playlist_info`), flat listings (`list_entries`) and downloads
(`download`). The user's cookie (Netscape cookies.txt text) is written to a private temp file for yt-dlp and
removed afterwards. yt-dlp failures become typed errors with a readable message: BotCheck when YouTube asks to
prove this is no bot or answers 429, CookieRejected when the cookie is unreadable or YouTube refuses it,
ExtractionFailed otherwise.

YouTube's signature challenges are solved by deno (`deno_location`: the layer's /opt/bin/deno through DENO_EXE,
else the deno package's binary) with yt-dlp-ejs's scripts; the runtime is named to yt-dlp explicitly, PATH is
never searched, and no solver script is ever fetched from the network (`remote_components` stays empty).

Tests and the demo stand a local YouTube in for the real one: YTDLP_TEST_EXTRACTOR names an extractor class
(`module:Class`) that then handles every URL this module asks for. Production never sets it.
"""

import contextlib
import glob
import importlib
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from functions.core.errors import BadRequest
from functions.core.ids import is_video_id
from functions.youtube import urls

TEST_EXTRACTOR_ENV = "YTDLP_TEST_EXTRACTOR"
BOT_CHECK_WORDS = ("not a bot", "http error 429", "too many requests")
COOKIE_WORDS = ("cookie", "sign in", "login", "log in", "members-only", "private video", "confirm you")
SIDE_FILES = (".vtt", ".srt", ".json", ".jpg", ".webp", ".png")  # downloads whose progress is not the video's
log = logging.getLogger("ytarchive.ytdlp")
DEFAULT_FORMAT = "bestvideo[ext=mp4]+bestaudio[ext=m4a]/best[ext=mp4]/bestvideo+bestaudio/best"
SINGLE_FILE_FORMAT = "best[ext=mp4]/best"  # without ffmpeg nothing can be merged


class ExtractionFailed(BadRequest):
    """yt-dlp could not read or download what was asked (unavailable, removed, network, bad data)."""


class CookieRejected(BadRequest):
    """The cookie is not a Netscape cookies.txt file, or YouTube asked to sign in despite it."""


class BotCheck(ExtractionFailed):
    """YouTube asked to "sign in to confirm you're not a bot" or answered HTTP 429: retry later, from elsewhere
    (a proxy), or with a PO token or a fresh cookie. 503 to an API caller: the archive, not the request, is refused."""

    status_code = 503


@dataclass
class DownloadResult:
    """What `download` left in its work folder; paths are None (or empty) for what was not written."""

    info: dict
    media_path: Path
    thumbnail_path: Path | None = None
    subtitle_paths: dict[str, Path] = field(default_factory=dict)  # language -> .vtt
    info_json_path: Path | None = None
    comments: list[dict] | None = None  # when comments were asked for (also inside the info JSON)


# ---------------------------------------------------------------- running yt-dlp


def _test_extractor():
    """The stand-in extractor class named by YTDLP_TEST_EXTRACTOR, or None (always, in production)."""
    spec = os.environ.get(TEST_EXTRACTOR_ENV)
    if not spec:
        return None
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def ffmpeg_location() -> str | None:
    """The ffmpeg to merge formats and convert thumbnails with: the layer's (IMAGEIO_FFMPEG_EXE) or imageio's."""
    exe = os.environ.get("IMAGEIO_FFMPEG_EXE")
    if exe:
        return exe
    try:
        import imageio_ffmpeg
    except ImportError:
        return None
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError:
        return None


def deno_location() -> str | None:
    """The deno yt-dlp solves YouTube's JavaScript challenges with: the layer's (DENO_EXE) or the deno package's."""
    exe = os.environ.get("DENO_EXE")
    if exe:
        return exe
    try:
        import deno
    except ImportError:
        return None
    try:
        return deno.find_deno_bin()
    except FileNotFoundError:
        return None


def runtime_params() -> dict:
    """yt-dlp parameters of every session: the JavaScript runtime by its path (none: yt-dlp may not look for one
    on PATH), and no remote solver scripts."""
    deno = deno_location()
    return {"js_runtimes": {"deno": {"path": deno}} if deno else {}, "remote_components": []}


def versions() -> dict:
    """What this process downloads with: {yt_dlp, deno (None: no JavaScript runtime), ejs (the solver scripts)}."""
    import yt_dlp
    from yt_dlp.dependencies import yt_dlp_ejs
    from yt_dlp.version import __version__

    with yt_dlp.YoutubeDL({**runtime_params(), "quiet": True, "logger": _Logger()}) as ydl:
        deno = ydl._js_runtimes.get("deno")
        deno_version = deno.info.version if deno is not None and deno.info is not None else None
    return {"yt_dlp": __version__, "deno": deno_version, "ejs": getattr(yt_dlp_ejs, "version", None)}


@dataclass(frozen=True)
class Network:
    """How yt-dlp reaches YouTube: through `proxy` (yt-dlp's proxy URL), with PO tokens from the bgutil provider
    server at `pot_provider_url`; set for the process by the jobs (functions.services.network.apply)."""

    proxy: str | None = None
    pot_provider_url: str | None = None

    def params(self, extractor_args: dict | None) -> dict:
        params = {"proxy": self.proxy} if self.proxy else {}
        if self.pot_provider_url:
            params["extractor_args"] = {
                **(extractor_args or {}),
                "youtubepot-bgutilhttp": {"base_url": [self.pot_provider_url]},
            }
        return params


_network = Network()


def set_network(network: Network) -> None:
    global _network
    _network = network


def _classify(error: Exception, cookie: str | None) -> BadRequest:
    from yt_dlp.utils import DownloadError, ExtractorError

    text = str(error)
    if isinstance(error, DownloadError | ExtractorError):
        text = text.removeprefix("ERROR: ").strip()
    lowered = text.lower()
    if "netscape" in lowered:  # yt-dlp names the temp file: say what it means instead
        return CookieRejected("the cookie is not a Netscape cookies.txt file")
    if any(words in lowered for words in BOT_CHECK_WORDS):
        return BotCheck(f"YouTube's bot check: {text}")
    if cookie is not None and any(word in lowered for word in COOKIE_WORDS):
        return CookieRejected(f"YouTube refused the cookie: {text}" if cookie else text)
    return ExtractionFailed(text or type(error).__name__)


@contextlib.contextmanager
def _cookie_file(cookie: str | None):
    if not cookie:
        yield None
        return
    handle, path = tempfile.mkstemp(prefix="cookies-", suffix=".txt")  # 0600: the cookie is a credential
    try:
        with os.fdopen(handle, "w") as file:
            file.write(cookie if cookie.endswith("\n") else cookie + "\n")
        yield path
    finally:
        os.unlink(path)


class _Logger:
    """yt-dlp's messages go to logging (its errors also come back as exceptions), never to stderr."""

    def debug(self, message: str) -> None:
        log.debug(message)

    def info(self, message: str) -> None:
        log.debug(message)

    def warning(self, message: str) -> None:
        log.info(message)

    def error(self, message: str) -> None:
        log.info(message)


class _Session:
    """A YoutubeDL and the extractor that must read every URL (the test stand-in), or None for yt-dlp's choice."""

    def __init__(self, ydl, ie_key: str | None):
        self.ydl = ydl
        self.ie_key = ie_key

    def extract(self, url: str, **kwargs) -> dict:
        info = self.ydl.extract_info(url, ie_key=self.ie_key, **kwargs)
        if info is None:  # yt-dlp returns None when it only reported an error
            raise ExtractionFailed(f"yt-dlp found nothing at {url}")
        return info

    def sanitize(self, info: dict) -> dict:
        return self.ydl.sanitize_info(info)


_plugins_lock = threading.Lock()


def _load_plugins() -> None:
    """yt-dlp loads its plugins (the PO token provider) on the first YoutubeDL, unguarded: two threads of the
    local run doing so at once register them twice. Load them once, under a lock."""
    from yt_dlp.globals import all_plugins_loaded
    from yt_dlp.plugins import load_all_plugins

    with _plugins_lock:
        if not all_plugins_loaded.value:
            load_all_plugins()


@contextlib.contextmanager
def _session(options: dict, cookie: str | None):
    """A _Session with `options`, the cookie, quiet output and the test extractor when one is named; its errors
    come out typed."""
    import yt_dlp

    params = {"quiet": True, "noprogress": True, "cachedir": False, "noplaylist": True, "logger": _Logger()}
    # Only YouTube's extractors (every URL reaching here was parsed as YouTube's): loading all ~1,750 costs
    # 50 ms of CPU per session, a download's largest fixed cost after the network.
    params["allowed_extractors"] = ["youtube.*"]
    params.update(runtime_params())
    params.update(options)
    params.update(_network.params(params.get("extractor_args")))
    _load_plugins()
    with _cookie_file(cookie) as cookie_path:
        if cookie_path:
            params["cookiefile"] = cookie_path
        try:
            with yt_dlp.YoutubeDL(params) as ydl:
                stand_in = _test_extractor()
                if stand_in is not None:
                    ydl.add_info_extractor(stand_in())
                yield _Session(ydl, stand_in.ie_key() if stand_in else None)
        except (BadRequest, KeyboardInterrupt):
            raise
        except Exception as error:  # yt-dlp raises DownloadError, ExtractorError, LoadError, OSError...
            raise _classify(error, cookie) from error


# ---------------------------------------------------------------- metadata


def video_info(video_id: str, cookie: str | None = None) -> dict:
    """yt-dlp's info dict of one video (JSON-safe), without downloading it."""
    with _session({}, cookie) as session:
        return session.sanitize(session.extract(urls.watch_url(video_id), download=False))


def _best_thumbnail(thumbnails: list[dict] | None, wanted: str) -> str | None:
    """The URL of the channel's avatar (`thumb`) or banner: yt-dlp ids them `avatar_uncropped`, `banner_uncropped`."""
    for thumb in thumbnails or []:
        if thumb.get("id") == f"{wanted}_uncropped" and thumb.get("url"):
            return thumb["url"]
    sized = [t for t in thumbnails or [] if wanted in str(t.get("id", "")) and t.get("url")]
    return max(sized, key=lambda t: t.get("width") or 0)["url"] if sized else None


def channel_info(target_or_url: "urls.Target | str", cookie: str | None = None) -> dict:
    """The channel's metadata; a handle or URL is resolved to its channel id.

    {channel_id, channel_name, channel_description, channel_subs, channel_tags, channel_thumb_url,
    channel_banner_url, channel_tvart_url, handle}."""
    target = urls.parse_target(target_or_url) if isinstance(target_or_url, str) else target_or_url
    if target.kind != urls.CHANNEL:
        raise BadRequest(f"not a channel: {target_or_url}")
    url = urls.channel_url(target.youtube_id or target.handle, "videos")
    with _session({"extract_flat": True, "playlistend": 1}, cookie) as session:
        info = session.sanitize(session.extract(url, download=False, process=False))
    channel_id = info.get("channel_id") or info.get("uploader_id")
    if not channel_id or not channel_id.startswith("UC"):
        raise ExtractionFailed(f"yt-dlp found no channel id at {url}")
    name = info.get("channel") or info.get("uploader") or info.get("title") or channel_id
    for suffix in (" - Videos", " - Shorts", " - Live"):
        name = name.removesuffix(suffix)
    thumbnails = info.get("thumbnails")
    return {
        "channel_id": channel_id,
        "channel_name": name,
        "channel_description": info.get("description") or "",
        "channel_subs": int(info.get("channel_follower_count") or 0),
        "channel_tags": list(info.get("tags") or []),
        "channel_thumb_url": _best_thumbnail(thumbnails, "avatar"),
        "channel_banner_url": _best_thumbnail(thumbnails, "banner"),
        "channel_tvart_url": _best_thumbnail(thumbnails, "tvart"),
        "handle": info.get("uploader_id") if str(info.get("uploader_id", "")).startswith("@") else target.handle,
    }


def playlist_info(playlist_id: str, cookie: str | None = None, limit: int | None = None) -> dict:
    """The playlist's metadata and its entries in order (flat), at most `limit` of them.

    {playlist_id, playlist_name, playlist_channel, playlist_channel_id, playlist_description,
    playlist_thumbnail_url, entries: [flat entries as list_entries gives them]}."""
    options = {"extract_flat": True}
    if limit:
        options["playlistend"] = int(limit)
    with _session(options, cookie) as session:
        info = session.sanitize(session.extract(urls.playlist_url(playlist_id), download=False))
    thumbnails = info.get("thumbnails") or []
    return {
        "playlist_id": info.get("id") or playlist_id,
        "playlist_name": info.get("title") or playlist_id,
        "playlist_channel": info.get("channel") or info.get("uploader") or "",
        "playlist_channel_id": info.get("channel_id") or "",
        "playlist_description": info.get("description") or "",
        "playlist_thumbnail_url": thumbnails[-1].get("url") if thumbnails else None,
        "entries": _flat_entries(info, None),
    }


def _vid_type(url: str | None) -> str:
    if url and "/shorts/" in url:
        return "shorts"
    return "videos"


def _flat_entries(info: dict, tab: str | None) -> list[dict]:
    """The videos of a flat listing: {youtube_id, title, channel_id, channel_name, duration, published,
    vid_type, thumbnail_url}; entries that are not videos (nested tabs, playlists) are left out."""
    rows = []
    for entry in info.get("entries") or []:
        if not entry or not is_video_id(entry.get("id")):
            continue
        upload_date = entry.get("upload_date")
        thumbnails = entry.get("thumbnails") or []
        rows.append(
            {
                "youtube_id": entry["id"],
                "title": entry.get("title") or "",
                "channel_id": entry.get("channel_id") or info.get("channel_id") or "",
                "channel_name": entry.get("channel") or entry.get("uploader") or info.get("channel") or "",
                "duration": int(entry.get("duration") or 0),
                "published": f"{upload_date[:4]}-{upload_date[4:6]}-{upload_date[6:8]}" if upload_date else None,
                "vid_type": tab if tab in urls.TABS else _vid_type(entry.get("url")),
                "thumbnail_url": thumbnails[-1].get("url") if thumbnails else None,
            }
        )
    return rows


def list_entries(url: str, limit: int | None = None, cookie: str | None = None) -> list[dict]:
    """The videos of a channel tab or playlist URL, newest first as YouTube lists them, without visiting each
    video (flat); at most `limit` of them."""
    options = {"extract_flat": True}
    if limit:
        options["playlistend"] = int(limit)
    target = urls.parse_target(url)
    with _session(options, cookie) as session:
        info = session.sanitize(session.extract(url, download=False))
    return _flat_entries(info, target.tab)


def fetch(url: str, cookie: str | None = None) -> bytes:
    """The bytes at a URL yt-dlp found (a channel's avatar or banner), fetched through yt-dlp's networking."""
    with _session({}, cookie) as session, session.ydl.urlopen(url) as response:
        return response.read()


# ---------------------------------------------------------------- downloading


def download_params(options: dict) -> dict:
    """yt-dlp parameters from the app's download settings (settings.DEFAULT_APP_CONFIG["downloads"])."""
    ffmpeg = ffmpeg_location()
    params = {
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
    youtube_args = {}
    if options.get("comment_max"):
        params["getcomments"] = True
        youtube_args["max_comments"] = [str(options["comment_max"]).replace(" ", "")]
        youtube_args["comment_sort"] = [options.get("comment_sort") or "top"]
    if options.get("extractor_lang"):
        youtube_args["lang"] = [options["extractor_lang"]]
    if youtube_args:
        params["extractor_args"] = {"youtube": youtube_args}
    if ffmpeg:
        params["ffmpeg_location"] = ffmpeg
        # YouTube serves webp thumbnails; the archive keeps jpg (storage.video_thumb_key).
        params["postprocessors"] = [{"key": "FFmpegThumbnailsConvertor", "format": "jpg", "when": "before_dl"}]
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
    with _session(download_params(options), cookie) as session:
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
    with _session(params, cookie) as session:
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
