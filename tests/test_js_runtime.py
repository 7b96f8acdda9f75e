"""The local run's JavaScript runtime for yt-dlp: the deno package's binary, named to yt-dlp by the adapter (never
found on PATH), with the solver scripts of yt-dlp-ejs; and the versions the downloads record for GET /api/ping/.
(tests/test_layer.py proves the same of the Lambda layer.)"""

import json
import subprocess
import sys

from functions.youtube import runtime
from tests.conftest import ROOT, token_headers
from tests.test_layer import ADAPTER_PROBE


def probe(env: dict) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", ADAPTER_PROBE], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_local_deno_is_named_explicitly_and_the_solver_is_installed(tmp_path):
    import deno

    env = {"PATH": "", "HOME": str(tmp_path), "DENO_DIR": str(tmp_path / "deno")}  # nothing on PATH
    found = probe(env)
    assert found["runtime"][:2] == ["deno", deno.find_deno_bin()] and found["runtime"][3] is True
    assert found["available"] is True and found["warnings"] == []
    assert {source for source, _ in found["scripts"]} == {"python package"}


def test_deno_exe_wins_and_nothing_is_looked_up_without_one(monkeypatch, tmp_path):
    monkeypatch.setenv("DENO_EXE", "/opt/bin/deno")
    assert runtime.runtime_params() == {"js_runtimes": {"deno": {"path": "/opt/bin/deno"}}, "remote_components": []}
    monkeypatch.delenv("DENO_EXE")
    monkeypatch.setitem(sys.modules, "deno", None)  # no deno package: no runtime, rather than one from PATH
    assert runtime.runtime_params() == {"js_runtimes": {}, "remote_components": []}


def test_ping_shows_what_the_downloads_ran_with(fake_youtube, client, admin):
    from functions.jobs import download as job
    from functions.services import downloader
    from functions.services.downloads import intake
    from tests.jobs.test_download import first_video, record

    downloader._recorded = None  # a fresh download process
    video = first_video(fake_youtube)
    intake.add_entries([{"youtube_id": video.youtube_id}])
    assert job.handle_record(record(video.youtube_id)) == "archived"
    shown = client.http.get("/api/ping/", headers=token_headers(admin)).json_body["downloader"]
    import deno
    import yt_dlp.version
    import yt_dlp_ejs

    assert shown["yt_dlp"] == yt_dlp.version.__version__ and shown["ejs"] == yt_dlp_ejs.version
    assert (
        shown["deno"]
        == subprocess.run([deno.find_deno_bin(), "--version"], capture_output=True, text=True).stdout.split()[1]
    )
    assert isinstance(shown["recorded"], int)
