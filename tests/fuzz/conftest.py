"""The app on a local HTTP server over a small seeded archive (tests/fuzz/harness.py), for every fuzzing test."""

import pytest

from tests.fuzz.harness import keep_on_this_machine, seed
from tests.invidious.live_server import serve_app


@pytest.fixture
def live(aws, admin, monkeypatch):
    seed(admin, monkeypatch)
    keep_on_this_machine(monkeypatch)
    with serve_app() as base:
        yield base
