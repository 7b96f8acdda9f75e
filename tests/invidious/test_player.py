"""Archived media plays in a browser from the public Invidious API alone: shaka-player (the npm package, the
version Materialious ships) loads a video's `dashUrl` (the manifest of its DASH rendition, played through Media
Source from the adaptive streams; the muxed file itself for a video without a rendition), and a plain `<video>`
element plays its `formatStreams` URL, each for at least two seconds, in Debian's Chromium driven by Playwright.

The page comes from another origin than the API (as a web client's does: localhost against 127.0.0.1), so the
JSON and the media links go through CORS. The app runs on chalice's local server over moto; presigned URLs point at
moto's server on loopback (which shares the test's moto state), which answers Chromium's range requests.
"""

import functools
import shutil
import subprocess
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from functions.core.settings import get_settings
from functions.services.archive import dash
from functions.storage import aws as aws_clients
from functions.storage import s3
from functions.storage.models import Video
from infra.merge import load_resources
from tests.conftest import ROOT
from tests.factories import make_channel, make_video, video_id
from tests.invidious.live_server import serve_app
from tests.invidious.test_browser import browser  # noqa: F401  (the Chromium fixture)
from tests.media_server import ffmpeg

SHAKA = ROOT / "build" / "npm" / "node_modules" / "shaka-player" / "dist" / "shaka-player.compiled.js"
PAGE_ORIGIN = (
    "http://localhost:8801"  # another origin than the API (127.0.0.1), both loopback: no private-network rules
)
SECONDS = 6
PLAYED = 2.0
TIMEOUT_MS = 30_000

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><script src="/shaka-player.compiled.js"></script></head>
<body><video id="v" muted playsinline width="320"></video></body></html>"""

PLAY_DASH = """async ([api, id]) => {
  const video = (await (await fetch(`${api}/api/v1/videos/${id}`)).json());
  shaka.polyfill.installAll();
  const element = document.getElementById('v');
  const player = new shaka.Player();
  await player.attach(element);
  try {
    await player.load(video.dashUrl + '?local=true');  // Materialious appends local=true
  } catch (error) {
    throw new Error(`shaka ${error.code}: ${JSON.stringify(error.data)}`);
  }
  element.muted = true;
  await element.play();
  const variant = player.getVariantTracks().find((track) => track.active);
  return {
    url: video.dashUrl,
    mediaSource: player.getLoadMode() === shaka.Player.LoadMode.MEDIA_SOURCE,
    codecs: variant ? [variant.videoCodec, variant.audioCodec] : [],
    adaptive: video.adaptiveFormats.map((format) => format.type),
  };
}"""

PLAY_PROGRESSIVE = """async ([api, id]) => {
  const video = (await (await fetch(`${api}/api/v1/videos/${id}`)).json());
  const element = document.getElementById('v');
  const streams = video.formatStreams;
  element.src = streams[streams.length - 1].url;  // Clipious plays the last one
  element.muted = true;
  await element.play();
  return element.src;
}"""


def _movie(folder: Path) -> bytes:
    """A SECONDS-long H.264/AAC mp4, as yt-dlp leaves a download (moov first)."""
    out = folder / "movie.mp4"
    subprocess.run(
        [
            *(ffmpeg(), "-v", "error", "-y"),
            *("-f", "lavfi", "-i", f"testsrc=size=320x180:rate=25:duration={SECONDS}"),
            *("-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={SECONDS}"),
            *("-c:v", "libx264", "-pix_fmt", "yuv420p", "-profile:v", "baseline", "-c:a", "aac", "-shortest"),
            *("-movflags", "+faststart", str(out)),
        ],
        check=True,
        timeout=120,
    )
    return out.read_bytes()


@pytest.fixture(scope="module")
def shaka_player() -> Path:
    if not SHAKA.exists():
        subprocess.run(["sh", str(ROOT / "tests" / "player_packages.sh")], check=False, timeout=300)
    if not SHAKA.exists():
        pytest.fail("shaka-player is missing and npm could not install it: run tests/player_packages.sh")
    return SHAKA


@pytest.fixture(params=["rendition", "file only"])
def archived_movie(request, aws, tmp_path):
    """The movie archived with its DASH rendition, as a download leaves it, or without one (not backfilled)."""
    make_channel(1)
    data = _movie(tmp_path)
    video = make_video(
        1,
        duration=SECONDS,
        media_size=len(data),
        media_width=320,
        media_height=180,
        media_codecs="avc1.42C01E, mp4a.40.2",
    )
    client = aws_clients.client("s3")
    bucket = get_settings().media_bucket
    client.put_object(
        Bucket=bucket, Key=s3.media_key(video.channel_id, video.youtube_id), Body=data, ContentType="video/mp4"
    )
    if request.param == "rendition":
        video.update(actions=[Video.dash.set(dash.make(video, tmp_path / "movie.mp4", tmp_path))])
    return video


def test_the_media_bucket_lets_browser_players_read_it():
    (rule,) = load_resources()["Resources"]["MediaBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedOrigins"] == ["*"] and {"GET", "HEAD"} <= set(rule["AllowedMethods"])
    assert {"Content-Range", "Content-Length"} <= set(rule["ExposedHeaders"])


@pytest.fixture
def reachable_s3(aws, monkeypatch):
    """Presigned URLs Chromium can follow: moto's server on loopback, sharing this process's moto state, signs
    for the API's S3 calls (HEAD, presigning) while everything else stays on the in-process mock."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    import botocore.session
    from botocore.config import Config

    s3_client = botocore.session.get_session().create_client(
        "s3",
        region_name=get_settings().region,
        endpoint_url=f"http://{host}:{port}",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    original = aws_clients.client
    monkeypatch.setattr(aws_clients, "client", lambda service: s3_client if service == "s3" else original(service))
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


class QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def page_server(folder: Path):
    """The web client's origin: a static server on loopback (`localhost`, while the API is at 127.0.0.1)."""
    handler = functools.partial(QuietFiles, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, name="player-page", daemon=True).start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def player_page(browser, shaka_player, archived_movie, reachable_s3, tmp_path):  # noqa: F811
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(PAGE)
    shutil.copy(shaka_player, site / shaka_player.name)
    with serve_app() as api, page_server(site) as origin:
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(origin + "/index.html")
        yield page, api, errors
        context.close()


def _played(page) -> float:
    page.wait_for_function(f"document.getElementById('v').currentTime >= {PLAYED}", timeout=TIMEOUT_MS)
    return page.evaluate("document.getElementById('v').currentTime")


def test_shaka_player_plays_the_dash_url(player_page, archived_movie):
    page, api, errors = player_page
    played = page.evaluate(PLAY_DASH, [api, video_id(1)])
    assert played["url"].startswith(api + "/signed/")
    if archived_movie.dash:  # Media Source over the adaptive streams the manifest lists
        assert played["url"].endswith(".mpd") and played["mediaSource"]
        assert played["codecs"][0].startswith("avc1") and played["codecs"][1].startswith("mp4a")
        assert sorted(t.split(";")[0] for t in played["adaptive"]) == ["audio/mp4", "video/mp4"]
    else:  # Materialious' shaka plays a URL ending in .mp4 natively
        assert played["url"].endswith(".mp4") and not played["mediaSource"] and not played["adaptive"]
    assert _played(page) >= PLAYED and not errors


def test_a_video_element_plays_the_format_stream(player_page):
    page, api, errors = player_page
    src = page.evaluate(PLAY_PROGRESSIVE, [api, video_id(1)])
    assert src.startswith(api + "/signed/")
    assert _played(page) >= PLAYED and not errors
