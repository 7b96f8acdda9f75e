"""The yt-dlp adapter: the only module that imports yt_dlp, and only inside the functions that need it.

Metadata (`video_info`, `channel_info`, `playlist_info`), flat listings (`list_entries`, a channel's
`channel_playlists`), and the session functions.youtube.media downloads in (`open_session`). The user's cookie
(Netscape cookies.txt text) is written to a private temp file for yt-dlp and removed afterwards. yt-dlp failures
become this module's errors (YtDlpError, no HTTP status: callers decide what each means) with a readable message:
CookieRejected when the cookie is unreadable or YouTube refuses it, VideoGone when YouTube no longer has the video,
channel or playlist, TabMissing when a channel has no such tab, BotCheck when YouTube asks to prove this is no bot
or answers 429, ExtractionFailed otherwise. Rows come back normalised (functions.youtube.rows): no caller reads
yt-dlp's keys.

YouTube's signature challenges are solved by deno, named to yt-dlp explicitly (functions.youtube.runtime). The
jobs set the proxy and PO token provider every session uses (`set_network`).

Tests and the demo stand a local YouTube in for the real one: YTDLP_TEST_EXTRACTOR names an extractor class
(`module:Class`) that then handles every URL this module asks for. Production never sets it.
"""

import contextlib
import importlib
import os
import tempfile
import threading
from dataclasses import dataclass
from typing import Any

from functions.core import logs
from functions.core.ids import is_playlist_id, is_video_id
from functions.youtube import urls
from functions.youtube.rows import day_of, vid_type_of, video_row
from functions.youtube.runtime import runtime_params

TEST_EXTRACTOR_ENV = "YTDLP_TEST_EXTRACTOR"
BOT_CHECK_WORDS = ("not a bot", "http error 429", "too many requests")
COOKIE_WORDS = ("cookie", "sign in", "login", "log in", "members-only", "private video", "confirm you")
# What yt-dlp says when YouTube no longer has a video, channel or playlist (as opposed to a network failure):
# yt-dlp has few typed errors, so its words are read here and nowhere else.
GONE_WORDS = (
    "video unavailable",
    "has been removed",
    "no longer available",
    "has been terminated",
    "this video is private",
    "private video",
    "does not exist",
    "this channel is not available",
)
TAB_MISSING_WORDS = ("does not have a",)  # "This channel does not have a playlists tab"
log = logs.logger(__name__)


class YtDlpError(Exception):
    """yt-dlp could not do what was asked; `message` says why, in words a user can read."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ExtractionFailed(YtDlpError):
    """yt-dlp could not read or download what was asked (unavailable, network, bad data, not what was asked)."""


class VideoGone(ExtractionFailed):
    """YouTube no longer has the video, channel or playlist (removed, private, terminated)."""


class TabMissing(ExtractionFailed):
    """The channel has no such tab (no shorts, no playlists): nothing is listed there."""


class CookieRejected(YtDlpError):
    """The cookie is not a Netscape cookies.txt file, or YouTube asked to sign in despite it."""


class DownloadStopped(YtDlpError):
    """The download was asked to stop while yt-dlp ran (raised from its progress hook, passed through as it is)."""


class BotCheck(ExtractionFailed):
    """YouTube asked to "sign in to confirm you're not a bot" or answered HTTP 429: retry later, from elsewhere
    (a proxy), or with a PO token or a fresh cookie."""


# ---------------------------------------------------------------- running yt-dlp


def _test_extractor():
    """The stand-in extractor class named by YTDLP_TEST_EXTRACTOR, or None (always, in production)."""
    spec = os.environ.get(TEST_EXTRACTOR_ENV)
    if not spec:
        return None
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def versions() -> dict:
    """What this process downloads with: {yt_dlp, deno (None: no JavaScript runtime), ejs (the solver scripts)}."""
    import yt_dlp
    from yt_dlp.dependencies import yt_dlp_ejs
    from yt_dlp.version import __version__

    _load_plugins()
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
        params: dict[str, Any] = {"proxy": self.proxy} if self.proxy else {}
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


def _classify(error: Exception, cookie: str | None) -> YtDlpError:
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
    if any(words in lowered for words in TAB_MISSING_WORDS) and " tab" in lowered:
        return TabMissing(text)
    if any(words in lowered for words in GONE_WORDS):
        return VideoGone(text)
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
def open_session(options: dict, cookie: str | None):
    """A _Session with `options`, the cookie, quiet output and the test extractor when one is named; its errors
    come out typed."""
    import yt_dlp

    params: dict[str, Any] = {
        "quiet": True,
        "noprogress": True,
        "cachedir": False,
        "noplaylist": True,
        "logger": _Logger(),
    }
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
        except (YtDlpError, KeyboardInterrupt):
            raise
        except Exception as error:  # yt-dlp raises DownloadError, ExtractorError, LoadError, OSError...
            raise _classify(error, cookie) from error


# ---------------------------------------------------------------- metadata


def video_info(video_id: str, cookie: str | None = None, params: dict | None = None) -> dict:
    """yt-dlp's info dict of one video (JSON-safe), without downloading it; `params`: yt-dlp's own (comments)."""
    with open_session(params or {}, cookie) as session:
        return session.sanitize(session.extract(urls.watch_url(video_id), download=False))


def video_summary(video_id: str, cookie: str | None = None) -> dict:
    """The `video_row` of one video, read without downloading it."""
    return video_row(video_info(video_id, cookie))


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
        raise ExtractionFailed(f"not a channel: {target_or_url}")
    url = urls.channel_url(target.youtube_id or target.handle or "", "videos")
    with open_session({"extract_flat": True, "playlistend": 1}, cookie) as session:
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
    options: dict[str, Any] = {"extract_flat": True}
    if limit:
        options["playlistend"] = int(limit)
    with open_session(options, cookie) as session:
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


def _flat_entries(info: dict, tab: str | None) -> list[dict]:
    """The videos of a flat listing: {youtube_id, title, channel_id, channel_name, duration, published,
    vid_type, thumbnail_url}; entries that are not videos (nested tabs, playlists) are left out."""
    rows = []
    for entry in info.get("entries") or []:
        if not entry or not is_video_id(entry.get("id")):
            continue
        thumbnails = entry.get("thumbnails") or []
        rows.append(
            {
                "youtube_id": entry["id"],
                "title": entry.get("title") or "",
                "channel_id": entry.get("channel_id") or info.get("channel_id") or "",
                "channel_name": entry.get("channel") or entry.get("uploader") or info.get("channel") or "",
                "duration": int(entry.get("duration") or 0),
                "published": day_of(entry.get("upload_date")),
                "vid_type": tab if tab in urls.TABS else vid_type_of(entry.get("url")),
                "thumbnail_url": thumbnails[-1].get("url") if thumbnails else None,
            }
        )
    return rows


def list_entries(url: str, limit: int | None = None, cookie: str | None = None) -> list[dict]:
    """The videos of a channel tab or playlist URL, newest first as YouTube lists them, without visiting each
    video (flat); at most `limit` of them."""
    options: dict[str, Any] = {"extract_flat": True}
    if limit:
        options["playlistend"] = int(limit)
    target = urls.parse_target(url)
    with open_session(options, cookie) as session:
        info = session.sanitize(session.extract(url, download=False))
    return _flat_entries(info, target.tab)


def channel_playlists(channel_id: str, cookie: str | None = None) -> list[dict]:
    """The playlists a channel made, newest first, as its playlists tab lists them, without reading each (flat):
    [{playlist_id, playlist_name}]; none when the channel has no playlists tab."""
    try:
        with open_session({"extract_flat": True}, cookie) as session:
            info = session.sanitize(session.extract(urls.channel_playlists_url(channel_id), download=False))
    except TabMissing:
        return []
    found: dict[str, str] = {}
    for entry in info.get("entries") or []:
        if entry and is_playlist_id(entry.get("id")):
            found.setdefault(entry["id"], entry.get("title") or entry["id"])
    return [{"playlist_id": key, "playlist_name": name} for key, name in found.items()]


def fetch(url: str, cookie: str | None = None) -> bytes:
    """The bytes at a URL yt-dlp found (a channel's avatar or banner), fetched through yt-dlp's networking."""
    with open_session({}, cookie) as session, session.ydl.urlopen(url) as response:
        return response.read()
