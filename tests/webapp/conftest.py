"""The web app in Chromium over a local run filled like `make demo`: the local YouTube's first channel and its
playlist downloaded by the real download job, the queues worked by pollers as `make run` works them, presigned
media URLs served by moto's server on loopback, and the app on chalice's local HTTP server."""

import threading
from pathlib import Path

import boto3
import pytest

from functions.services.auth import users
from functions.services.downloads import intake
from functions.storage.models import AppSetting
from infra import local
from tests.conftest import ROOT
from tests.invidious.live_server import serve_app
from tests.invidious.public_archive import drain
from tests.invidious.test_browser import TIMEOUT_MS, browser  # noqa: F401 (the Chromium fixture)
from tests.invidious.test_player import reachable_s3  # noqa: F401 (presigned URLs Chromium can follow)
from tests.replayed import replay

SCREENSHOTS = ROOT / "test-output" / "webapp"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


class Pollers:
    """Every queue handler of the app, polled in a thread while the browser works, as the local run does."""

    def __init__(self):
        from app import app

        sqs = boto3.client("sqs")
        consumers, _ = local.plan_jobs(app)
        prefix = "ytarchive-local-"
        self.queues = [
            (local.resolve_queue_url(sqs, c.queue, prefix), app.handler_map[c.handler], c.batch_size) for c in consumers
        ]
        self.sqs = sqs
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="pollers", daemon=True)

    def _run(self):
        while not self.stop.is_set():
            worked = sum(
                local.process_batch(self.sqs, url, handler, size, wait_seconds=0) for url, handler, size in self.queues
            )
            if not worked:
                self.stop.wait(0.2)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=30)


@pytest.fixture
def demo_archive(aws, admin, fake_youtube):
    """The first channel of the local YouTube archived (videos, short, playlist, comments, English subtitles);
    the second left for the test to add by @handle."""
    catalog = fake_youtube.catalog
    first, second = list(catalog.channels.values())

    def download() -> None:
        AppSetting("app", value={"downloads": {"subtitle": "en", "comment_max": "all"}}).save()
        videos = [v.youtube_id for v in catalog.videos_of(first.channel_id)]
        playlists = [
            f"https://www.youtube.com/playlist?list={p}"
            for p, pl in catalog.playlists.items()
            if pl.channel_id == first.channel_id
        ]
        intake.add(videos + playlists, auto_start=True)
        drain(aws)

    replay(("demo_archive", repr(catalog)), download)  # downloaded once a process (tests/replayed.py)
    users.create_user("viewer", "viewer-password")
    return {"catalog": catalog, "archived": first, "to_add": second, "server": fake_youtube}


@pytest.fixture
def site(demo_archive, reachable_s3, browser):  # noqa: F811
    """(browser, the app's base URL, the archive) with the pollers running."""
    with serve_app() as base, Pollers():
        yield browser, base, demo_archive


class Page:
    """A browser page that records console errors and uncaught exceptions, and takes screenshots."""

    def __init__(self, browser, base: str, viewport=DESKTOP, color_scheme="light"):  # noqa: F811
        self.context = browser.new_context(viewport=viewport, color_scheme=color_scheme)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.base = base
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        self.page.on("dialog", self._answer_dialog)
        self.dialog_answers: list[str] = []

    def _console(self, message):
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location.get('url')})")

    def _answer_dialog(self, dialog):
        answer = self.dialog_answers.pop(0) if self.dialog_answers else None
        if dialog.type == "prompt":
            dialog.accept(answer or "")
        else:
            dialog.accept()

    def goto(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def sign_in(self, username="admin", password="admin-password"):
        page = self.page
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("form.signin button[type=submit]")
        page.wait_for_selector("header.top")

    def close(self):
        self.context.close()
