"""A local YouTube for tests, benchmarks and the demo: an HTTP server on 127.0.0.1 with a catalog of channels,
playlists and videos, and the media files yt-dlp downloads from it.

The media are real: a short mp4 (H.264 + AAC) and jpg images made once per process with the ffmpeg of
imageio-ffmpeg. The server answers the JSON the stand-in extractor (tests/fake_youtube.py) reads, and serves
files with an optional per-connection rate limit. Faults are injected per video id:
- `unavailable`: the video is gone (the extractor reports it unavailable);
- `broken`: its media answers 500, always;
- `cut`: its media connection is cut half-way, `cut_times` times, then served whole;
- `login`: the extractor asks to sign in unless a cookie `SID` (not "expired") is sent;
- `bot`: the extractor meets YouTube's "Sign in to confirm you're not a bot", whatever is sent;
- `ratelimited`: the video's page answers HTTP 429.
A video's `reported_size` is the file size its format claims (a 4K film, say) while a small file is served. A
channel's playlists tab lists the playlists of the catalog made by it; a playlist's fault `unavailable` makes its
page gone.
"""

import hashlib
import json
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

HOST = "127.0.0.1"
PATTERNS = ("testsrc", "smptebars", "testsrc2", "rgbtestsrc")  # one look per media variant
CHUNK = 1024
_made: dict[str, bytes] = {}
_make_lock = threading.Lock()


# ---------------------------------------------------------------- media files


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _run_ffmpeg(args: list[str], out: Path) -> bytes:
    subprocess.run([ffmpeg(), "-v", "error", "-y", *args, str(out)], check=True, timeout=60)
    return out.read_bytes()


def media(name: str) -> bytes:
    """A generated file, made on first use: `video<n>.mp4` (2 s, 160x90, n picks the look), `image<n>.jpg`."""
    with _make_lock:
        if name not in _made:
            stem, ext = name.split(".")
            pattern = PATTERNS[int(stem.removeprefix("video").removeprefix("image") or 0) % len(PATTERNS)]
            with tempfile.TemporaryDirectory() as folder:
                out = Path(folder) / name
                if ext == "mp4":
                    _made[name] = _run_ffmpeg(
                        [
                            *("-f", "lavfi", "-i", f"{pattern}=size=160x90:rate=10"),
                            *("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000"),
                            *("-t", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"),
                            *("-movflags", "+faststart"),
                        ],
                        out,
                    )
                else:
                    _made[name] = _run_ffmpeg(["-f", "lavfi", "-i", f"{pattern}=size=320x180", "-frames:v", "1"], out)
    return _made[name]


def vtt(video_id: str, lang: str) -> bytes:
    return f"WEBVTT\n\n00:00:00.000 --> 00:00:01.500\n[{lang}] {video_id} says hello\n".encode()


# ---------------------------------------------------------------- the catalog


def _id(prefix: str, seed: str, length: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    digest = hashlib.sha256(seed.encode()).digest()
    return prefix + "".join(alphabet[b % 64] for b in digest)[: length - len(prefix)]


def video_id(seed: str) -> str:
    return _id("", "video:" + seed, 11)


def channel_id(seed: str) -> str:
    return _id("UC", "channel:" + seed, 24)


def playlist_id(seed: str) -> str:
    return _id("PL", "playlist:" + seed, 18)


@dataclass
class FakeVideo:
    youtube_id: str
    title: str
    channel_id: str
    published: str = "2024-01-01"  # YYYY-MM-DD
    duration: int = 2
    tab: str = "videos"  # videos | shorts | streams
    variant: int = 0
    subtitles: tuple[str, ...] = ("en",)
    comments: int = 2
    tags: tuple[str, ...] = ("demo",)
    fault: str | None = None  # see the module's docstring
    cut_times: int = 1
    reported_size: int | None = None  # the format's filesize as the extractor reports it; None: the real one

    def record(self, base: str, channel: "FakeChannel") -> dict:
        return {
            "id": self.youtube_id,
            "title": self.title,
            "description": f"{self.title}, served by the local media server.",
            "channel_id": self.channel_id,
            "channel": channel.name,
            "handle": channel.handle,
            "upload_date": self.published.replace("-", ""),
            "duration": self.duration,
            "tab": self.tab,
            "tags": list(self.tags),
            "view_count": 1000 + self.variant,
            "like_count": 10 + self.variant,
            "media_url": f"{base}/media/{self.youtube_id}.mp4",
            "media_size": self.reported_size or len(media(f"video{self.variant}.mp4")),
            "thumbnail_url": f"{base}/thumb/{self.youtube_id}.jpg",
            "subtitles": {lang: f"{base}/subs/{self.youtube_id}.{lang}.vtt" for lang in self.subtitles},
            "comments": [
                {
                    "id": f"c{self.youtube_id}{n}",
                    "text": f"comment {n} on {self.title}",
                    "author": f"viewer {n}",
                    "author_id": channel_id(f"viewer{n}"),
                    "like_count": n,
                    "timestamp": 1_700_000_000 + n,
                    "parent": "root",
                }
                for n in range(self.comments)
            ],
            "needs_login": self.fault == "login",
            "bot_check": self.fault == "bot",
        }


@dataclass
class FakeChannel:
    channel_id: str
    name: str
    handle: str  # "@name"
    description: str = ""
    followers: int = 100

    def record(self, base: str, videos: list[FakeVideo], playlists: list["FakePlaylist"]) -> dict:
        return {
            "channel_id": self.channel_id,
            "name": self.name,
            "handle": self.handle,
            "description": self.description or f"The {self.name} channel.",
            "followers": self.followers,
            "avatar_url": f"{base}/avatar/{self.channel_id}.jpg",
            "banner_url": f"{base}/banner/{self.channel_id}.jpg",
            "tabs": sorted({video.tab for video in videos}),
            "entries": [_entry(base, video, self) for video in videos],
            "playlists": [{"id": p.playlist_id, "title": p.title} for p in playlists],  # its playlists tab
        }


@dataclass
class FakePlaylist:
    playlist_id: str
    title: str
    channel_id: str
    video_ids: list[str]
    fault: str | None = None  # "unavailable": listed on its channel's playlists tab, but its page is gone


def _entry(base: str, video: FakeVideo, channel: FakeChannel) -> dict:
    return {
        "id": video.youtube_id,
        "title": video.title,
        "duration": video.duration,
        "channel_id": channel.channel_id,
        "channel": channel.name,
        "tab": video.tab,
        "thumbnail_url": f"{base}/thumb/{video.youtube_id}.jpg",  # a listing shows each video's thumbnail
    }


@dataclass
class Catalog:
    channels: dict[str, FakeChannel] = field(default_factory=dict)
    videos: dict[str, FakeVideo] = field(default_factory=dict)
    playlists: dict[str, FakePlaylist] = field(default_factory=dict)

    def add_channel(self, seed: str, name: str | None = None) -> FakeChannel:
        handle = "@" + "".join(ch for ch in (name or seed) if ch.isalnum()).lower()[:30].ljust(3, "x")
        channel = FakeChannel(channel_id(seed), name or seed, handle)
        self.channels[channel.channel_id] = channel
        return channel

    def add_video(self, seed: str, channel: FakeChannel, **fields) -> FakeVideo:
        number = len(self.videos)
        values = {"title": f"Video {seed}", "variant": number % len(PATTERNS)}
        values["published"] = f"2024-{(number // 28) % 12 + 1:02d}-{number % 28 + 1:02d}"
        values.update(fields)
        video = FakeVideo(video_id(seed), channel_id=channel.channel_id, **values)
        self.videos[video.youtube_id] = video
        return video

    def add_playlist(self, seed: str, title: str, channel: FakeChannel, videos: list[FakeVideo]) -> FakePlaylist:
        playlist = FakePlaylist(playlist_id(seed), title, channel.channel_id, [v.youtube_id for v in videos])
        self.playlists[playlist.playlist_id] = playlist
        return playlist

    def channel_by(self, key: str) -> FakeChannel | None:
        if key in self.channels:
            return self.channels[key]
        return next((c for c in self.channels.values() if c.handle.lower() == key.lower()), None)

    def playlists_of(self, channel_id_: str) -> list[FakePlaylist]:
        """The playlists a channel made, as its playlists tab lists them."""
        return [p for p in self.playlists.values() if p.channel_id == channel_id_]

    def videos_of(self, channel_id_: str) -> list[FakeVideo]:
        """Newest first, as YouTube lists a channel."""
        found = [v for v in self.videos.values() if v.channel_id == channel_id_]
        return sorted(found, key=lambda v: v.published, reverse=True)


def demo_catalog(channels: int = 3, videos_per_channel: int = 4) -> Catalog:
    """Channels with videos and a short each, and a playlist per channel: what the demo and tests archive."""
    catalog = Catalog()
    names = ["Lab Notes", "Garden Hours", "Tiny Machines", "Night Sky", "Kitchen Maths", "Old Maps"]
    for c in range(channels):
        channel = catalog.add_channel(f"demo{c}", names[c % len(names)])
        made = [
            catalog.add_video(f"demo{c}-{v}", channel, title=f"{channel.name} #{v + 1}")
            for v in range(videos_per_channel)
        ]
        made.append(catalog.add_video(f"demo{c}-short", channel, title=f"{channel.name} short", tab="shorts"))
        catalog.add_playlist(f"demo{c}", f"Best of {channel.name}", channel, made[: max(2, len(made) // 2)])
    return catalog


# ---------------------------------------------------------------- the server


class MediaServer:
    """The server and what it serves; `rate` limits each connection to that many bytes per second, `total_rate`
    all of them together (one link shared by every download, its chunks sent in turn)."""

    def __init__(self, catalog: Catalog | None = None, rate: int | None = None, total_rate: int | None = None):
        self.catalog = catalog or Catalog()
        self.rate = rate
        self.total_rate = total_rate
        self.hits: Counter = Counter()  # path -> requests
        self.sent_bytes = 0  # bytes of every answer sent (media, images, subtitles, JSON)
        self.lock = threading.Lock()
        self._link_free_at = 0.0  # when the shared link has sent what it was given (total_rate)
        self._server: ThreadingHTTPServer | None = None

    def link_slot(self, size: int) -> float:
        """When `size` more bytes have gone over the shared link, queued behind what it carries already."""
        with self.lock:
            start = max(time.monotonic(), self._link_free_at)
            self._link_free_at = start + size / self.total_rate
            return self._link_free_at

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self, port: int = 0) -> "MediaServer":
        handler = type("Handler", (_Handler,), {"media_server": self})
        self._server = ThreadingHTTPServer((HOST, port), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="media-server", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "MediaServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # what a path answers: (status, content type, body)
    def answer(self, path: str) -> tuple[int, str, bytes, str | None]:
        """(status, content type, body, video id of a media file or None)."""
        parts = [unquote(p) for p in path.split("/") if p]
        catalog, base = self.catalog, self.url
        if len(parts) >= 3 and parts[0] == "api":
            kind, key = parts[1], parts[2]
            if kind == "video":
                video = catalog.videos.get(key)
                if video is None or video.fault == "unavailable":
                    return 404, "application/json", b'{"error": "Video unavailable"}', None
                if video.fault == "ratelimited":
                    return 429, "application/json", b'{"error": "Too Many Requests"}', None
                return 200, "application/json", _json(video.record(base, catalog.channels[video.channel_id])), None
            if kind == "channel":
                channel = catalog.channel_by(key)
                if channel is None:
                    return 404, "application/json", b'{"error": "This channel does not exist."}', None
                listed = catalog.videos_of(channel.channel_id), catalog.playlists_of(channel.channel_id)
                return 200, "application/json", _json(channel.record(base, *listed)), None
            if kind == "playlist" and key in catalog.playlists and catalog.playlists[key].fault != "unavailable":
                playlist = catalog.playlists[key]
                channel = catalog.channels[playlist.channel_id]
                entries = [
                    _entry(base, catalog.videos[i], catalog.channels[catalog.videos[i].channel_id])
                    for i in playlist.video_ids
                ]
                body = {
                    "id": playlist.playlist_id,
                    "title": playlist.title,
                    "channel_id": channel.channel_id,
                    "channel": channel.name,
                    "thumbnail_url": f"{base}/thumb/{playlist.video_ids[0]}.jpg",
                    "entries": entries,
                }
                return 200, "application/json", _json(body), None
            return 404, "application/json", b'{"error": "not found"}', None
        if len(parts) == 2 and parts[0] == "media" and parts[1].endswith(".mp4"):
            video = catalog.videos.get(parts[1][:-4])
            if video is None:
                return 404, "text/plain", b"no such media", None
            return 200, "video/mp4", media(f"video{video.variant}.mp4"), video.youtube_id
        if len(parts) == 2 and parts[0] in ("thumb", "avatar", "banner") and parts[1].endswith(".jpg"):
            variant = int(hashlib.sha256(parts[1].encode()).hexdigest(), 16) % len(PATTERNS)
            return 200, "image/jpeg", media(f"image{variant}.jpg"), None
        if len(parts) == 2 and parts[0] == "subs" and parts[1].endswith(".vtt"):
            video_id_, lang, _ = parts[1].rsplit(".", 2)
            return 200, "text/vtt", vtt(video_id_, lang), None
        return 404, "text/plain", b"not found", None


def _json(value) -> bytes:
    return json.dumps(value).encode()


class _Handler(BaseHTTPRequestHandler):
    media_server: MediaServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        server = self.media_server
        path = urlsplit(self.path).path
        with server.lock:
            server.hits[path] += 1
        status, content_type, body, video_key = server.answer(path)
        video = server.catalog.videos.get(video_key) if video_key else None
        cut = False
        if video is not None and video.fault == "broken":
            status, content_type, body = 500, "text/plain", b"media server fault"
        elif video is not None and video.fault == "cut":
            with server.lock:
                cut = video.cut_times > 0
                video.cut_times -= 1 if cut else 0
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if cut:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        with server.lock:
            server.sent_bytes += len(body)
        self._send(body)

    def _send(self, body: bytes) -> None:
        server = self.media_server
        if server.total_rate:
            for offset in range(0, len(body), CHUNK):
                chunk = body[offset : offset + CHUNK]
                ahead = server.link_slot(len(chunk)) - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
                self.wfile.write(chunk)
            return
        rate = server.rate
        if not rate or len(body) <= CHUNK:
            self.wfile.write(body)
            return
        started = time.monotonic()
        for offset in range(0, len(body), CHUNK):
            self.wfile.write(body[offset : offset + CHUNK])
            ahead = (offset + CHUNK) / rate - (time.monotonic() - started)
            if ahead > 0:
                time.sleep(ahead)


# ---------------------------------------------------------------- the pytest fixture


@pytest.fixture
def fake_youtube(monkeypatch):
    """A running media server with a small demo catalog, and yt-dlp pointed at it: yields the server (its
    `catalog` can be changed by the test: faults, new videos)."""
    from tests.fake_youtube import EXTRACTOR, SERVER_ENV

    with MediaServer(demo_catalog(channels=2, videos_per_channel=2)) as server:
        monkeypatch.setenv(SERVER_ENV, server.url)
        monkeypatch.setenv("YTDLP_TEST_EXTRACTOR", EXTRACTOR)
        yield server
