"""The local run (`python -m infra.local`, a subprocess) downloads a video too large for the download function
in a subprocess of its own, through the download task's entry point, against the local media server."""

import json
import time
import urllib.error
import urllib.request

from tests.fake_youtube import EXTRACTOR, SERVER_ENV
from tests.media_server import Catalog, MediaServer
from tests.test_local import LocalRun

BIG = 50 * 2**30  # what the format claims: more disk than this machine gives a download function


def get(run: LocalRun, path: str, token: str):
    request = urllib.request.Request(run.url + path, headers={"Authorization": f"Token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, None


def test_a_large_video_runs_in_a_subprocess_of_the_local_run(tmp_path):
    catalog = Catalog()
    channel = catalog.add_channel("big", "Big Films")
    video = catalog.add_video("big-1", channel, title="A 4K film", reported_size=BIG)
    with MediaServer(catalog) as server:
        run = LocalRun(tmp_path, YTDLP_TEST_EXTRACTOR=EXTRACTOR, **{SERVER_ENV: server.url})
        try:
            token = run.wait_for_token()
            run.wait_until_up(token)
            body = {"data": [{"youtube_id": video.youtube_id, "status": "pending"}]}
            assert run.request("POST", "/api/download/?autostart=true", token, body) == 200
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline and get(run, f"/api/video/{video.youtube_id}/", token)[0] != 200:
                assert run.process.poll() is None, run.text
                time.sleep(0.5)
            status, stored = get(run, f"/api/video/{video.youtube_id}/", token)
            assert status == 200, run.text
            assert stored["data"]["title"] == "A 4K film"
            # the archive was written by the download task's process, which logs as it ends
            ended = f"download task for {video.youtube_id}: archived"
            while time.monotonic() < deadline and ended not in run.text:
                time.sleep(0.2)
            assert ended in run.text, run.text
            assert get(run, f"/api/download/{video.youtube_id}/", token)[0] == 404  # dequeued
            assert run.stop() == 0, run.text
        finally:
            run.kill()
    assert "Traceback" not in run.text
