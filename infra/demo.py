"""The demo (`make demo`, `python -m infra.demo`): the local run, filled through the real pipeline from a
local stand-in for YouTube, with no internet.

It starts tests/media_server.py (channels with videos and shorts, a playlist each; real mp4 files made with
ffmpeg), points yt-dlp at it (YTDLP_TEST_EXTRACTOR), then runs `infra.local` as `make run` does, with its
archive in `./data-demo` (LOCAL_DATA_DIR). Once the API answers, it queues the demo channels by @handle and the
playlists by URL with `POST /api/download/?autostart=true`, like a user would; the download workers expand them,
download every video with yt-dlp, upload to the local S3 and write the archive. Progress is printed until the
queue is empty; the archive stays browsable until Ctrl-C. Never imported by the functions in the cloud.
"""

import json
import os
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _request(url: str, token: str, method: str = "GET", body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers, method=method)) as answer:
        return json.loads(answer.read())


def _wait_for_api(base: str, timeout: float = 120) -> str:
    """The admin's token, once the local run's API answers (only then: it sets up the environment first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/ping/", timeout=5)
        except urllib.error.HTTPError:  # 403 without a token: it is up
            from functions.services.auth import users

            return users.get_user(os.environ.get("TA_USERNAME") or "admin").api_token
        except OSError:  # not listening yet
            time.sleep(0.5)
    raise RuntimeError(f"the local run did not answer on {base} in {timeout:.0f} s")


def fill(base: str, catalog) -> None:
    """Queue the catalog's channels and playlists through the API, then report until the queue is empty."""
    token = _wait_for_api(base)
    targets = [channel.handle for channel in catalog.channels.values()]
    targets += [f"https://www.youtube.com/playlist?list={p}" for p in catalog.playlists]
    rows = [{"youtube_id": target, "status": "pending"} for target in targets]
    _request(f"{base}/api/download/?autostart=true", token, "POST", {"data": rows})
    print(f"demo: queued {', '.join(targets)}", flush=True)
    expected, seen = len(catalog.videos), -1
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        time.sleep(2)
        try:
            archived = _request(f"{base}/api/video/", token)["paginate"]["total_hits"]
        except urllib.error.HTTPError:
            continue
        if archived != seen:
            print(f"demo: {archived} of {expected} videos archived", flush=True)
            seen = archived
        if archived >= expected:
            break
    print(f"demo: done. Browse {base}/api/video/ (token {token}) or {base}/api/docs/ui/; Ctrl-C stops.", flush=True)


def main() -> None:
    from tests.fake_youtube import EXTRACTOR, SERVER_ENV
    from tests.media_server import MediaServer, demo_catalog

    os.environ.setdefault("LOCAL_DATA_DIR", str(ROOT / "data-demo"))
    catalog = demo_catalog(channels=3, videos_per_channel=4)
    server = MediaServer(catalog).start(port=int(os.environ.get("DEMO_MEDIA_PORT", "0")))
    os.environ.update({SERVER_ENV: server.url, "YTDLP_TEST_EXTRACTOR": EXTRACTOR})
    print(f"demo: a local YouTube on {server.url} ({len(catalog.videos)} videos)", flush=True)
    base = f"http://127.0.0.1:{os.environ.get('LOCAL_PORT', '8000')}"
    threading.Thread(target=fill, args=(base, catalog), name="demo", daemon=True).start()

    from infra import local

    try:
        local.main()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
