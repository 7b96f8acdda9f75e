"""The version check (functions.services.version_check) against a local stand-in of PyPI's JSON of yt-dlp, which
also takes the webhook notifications (no network): a newer release stored, shown by ping and notified once; the
same release clearing it; a feed that is down or answers no version failing the run with nothing stored."""

import json
from http.server import BaseHTTPRequestHandler

import pytest
from yt_dlp.version import __version__ as INSTALLED

from functions.core.dialects import V05
from functions.services import downloader, notifications, task_runs
from functions.services.auth import users
from functions.storage.models import AppSetting
from tests.api.calls import send
from tests.api.test_upkeep_schedules import fire, queued
from tests.http_stand_in import serving
from tests.test_snapshots import run_queued_jobs

NEWER = "2099.1.2"


class FakePyPI(BaseHTTPRequestHandler):
    """GET: the feed (`answer`: status and body); POST: a webhook notification, kept in `hooks`."""

    answer: tuple[int, bytes] = (200, b"")
    hooks: list[dict] = []

    def do_GET(self):
        status, body = self.answer
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        type(self).hooks.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def feed(version) -> tuple[int, bytes]:
    return 200, json.dumps({"info": {"name": "yt-dlp", "version": version}, "releases": {}}).encode()


@pytest.fixture
def pypi(aws, monkeypatch):
    FakePyPI.answer, FakePyPI.hooks = feed(NEWER), []
    with serving(FakePyPI, monkeypatch, "VERSION_FEED_URL") as server:
        notifications.add(task_runs.VERSION_CHECK, f"json://127.0.0.1:{server.server_port}/hook")
        yield FakePyPI


def check_now(client, headers) -> task_runs.TaskRun:
    """POST by-name/version_check/, then the refresh function's run of it; the run."""
    started = client.http.post("/api/task/by-name/version_check/", headers=headers)
    assert started.status_code == 200 and started.json_body["status"] == "PENDING"
    assert run_queued_jobs("refresh", "refresh") == 1
    assert queued("refresh") == []  # not delivered again, whatever the run's end
    return task_runs.get(started.json_body["task_id"])


def ping(client, headers) -> dict:
    return client.http.get("/api/ping/", headers=headers).json_body


def test_a_newer_yt_dlp_is_stored_shown_by_ping_and_notified_once(client, headers, pypi):
    run = check_now(client, headers)
    assert run.status == task_runs.SUCCESS
    advice = "rebuild the media layer (make layer) and deploy"
    assert run.result == f"yt-dlp {NEWER} is out; the downloads run {INSTALLED}: {advice}"
    update = ping(client, headers)["ytdlp_update"]
    assert update == {"version": NEWER, "installed": INSTALLED, "checked": update["checked"]}
    (hook,) = pypi.hooks
    assert hook["title"] == "[TA] Look for new Version process ended with SUCCESS" and hook["message"] == run.result
    assert (hook["task_name"], hook["type"]) == ("version_check", "success")

    modern = users.create_user("frontend", "frontend-password", is_admin=True, dialect=V05)
    answer = send(client, "GET", "/api/ping/", modern).json_body
    assert answer["ytdlp_update"]["version"] == NEWER
    assert "ta_update" not in answer  # v0.5's web app would show a yt-dlp release as TubeArchivist's

    assert check_now(client, headers).status == task_runs.SUCCESS  # the same release again: no news
    assert len(pypi.hooks) == 1 and ping(client, headers)["ytdlp_update"]["version"] == NEWER

    pypi.answer = feed("2099.2.1")  # a later one is news again
    assert check_now(client, headers).status == task_runs.SUCCESS
    assert len(pypi.hooks) == 2 and ping(client, headers)["ytdlp_update"]["version"] == "2099.2.1"

    # a new layer deployed: the downloads record it, and ping no longer shows the find (TubeArchivist's is_updated)
    AppSetting(downloader.STATE, value={"yt_dlp": "2099.2.1", "deno": None, "ejs": None, "recorded": 1}).save()
    assert ping(client, headers)["ytdlp_update"] is None


def test_the_latest_release_installed_clears_the_find_and_sends_nothing(client, headers, pypi):
    AppSetting(downloader.UPDATE, value={"version": NEWER, "installed": "2020.1.1", "checked": 1}).save()
    pypi.answer = feed(INSTALLED)
    run = check_now(client, headers)
    assert run.status == task_runs.SUCCESS
    assert run.result == f"yt-dlp {INSTALLED} is up to date (the latest release is {INSTALLED})"
    assert AppSetting.count(downloader.UPDATE) == 0 and ping(client, headers)["ytdlp_update"] is None
    assert pypi.hooks == []


@pytest.mark.parametrize(
    "answer, says",
    [
        ((503, b"busy"), "answered 503"),
        ((200, b"<html>not json</html>"), "could not be read"),
        (feed("2099.1.2.dev0"), "names no release version"),
        ((200, b'{"info": {}}'), "names no release version"),
    ],
)
def test_a_feed_that_fails_fails_the_run_and_changes_nothing(client, headers, pypi, answer, says):
    stored = {"version": NEWER, "installed": INSTALLED, "checked": 1}
    AppSetting(downloader.UPDATE, value=stored).save()
    pypi.answer = answer
    run = check_now(client, headers)
    assert run.status == task_runs.FAILURE and says in run.result and "release feed" in run.result
    assert AppSetting.get(downloader.UPDATE).value.as_dict() == stored
    (hook,) = pypi.hooks  # a failure is notified
    assert hook["type"] == "failure"


def test_a_feed_that_does_not_answer_fails_the_run(client, headers):
    """The suite's feed URL: nothing listens there."""
    run = check_now(client, headers)
    assert run.status == task_runs.FAILURE and "could not be read" in run.result
    assert AppSetting.count(downloader.UPDATE) == 0
    assert ping(client, headers)["ytdlp_update"] is None


def test_the_schedule_asks_for_one_run_at_a_time(aws):
    assert fire("version_check")["task_id"]
    assert fire("version_check")["task_id"] is None  # asked for already: skipped
    assert [body["action"] for body in queued("refresh")] == ["version_check"]


def test_versions_compare_as_releases():
    assert downloader.is_newer("2026.11.2", "2026.10.26") and downloader.is_newer("2026.10.26.1", "2026.10.26")
    assert not downloader.is_newer("2026.10.26", "2026.10.26") and not downloader.is_newer("2026.9.1", "2026.10.26")
    assert downloader.is_newer("v2026.1.1", None) and not downloader.is_newer("2026.1.1.dev0", "2025.1.1")
