"""`python -m infra.cli follow`: progress bars of the running downloads, from what their queue items store."""

import io
import time

from rich.console import Console

from functions.services.downloads import intake, worker
from functions.storage.models import QueueItem
from infra import cli
from infra.follow import follow


def test_follow_shows_progress_then_the_outcome(aws):
    intake.add_entries(
        [
            {"youtube_id": "aaaaaaaaaaa", "title": "Long film"},
            {"youtube_id": "bbbbbbbbbbb", "title": "Broken one"},
            {"youtube_id": "ccccccccccc", "title": "Waiting"},
        ]
    )
    worker.claim("aaaaaaaaaaa", "m-1", 600)
    worker.record_worker("aaaaaaaaaaa", "m-1", "fargate arn:aws:ecs:us-east-1:1:task/x")
    worker.record_progress("aaaaaaaaaaa", "m-1", 40.0, 2.5 * 2**20)
    worker.claim("bbbbbbbbbbb", "m-2", 600)
    worker.record_progress("bbbbbbbbbbb", "m-2", 10.0, None)
    screens = []
    out = io.StringIO()
    console = Console(file=out, width=160, force_terminal=True, color_system=None)  # as in a terminal

    def next_tick(seconds):  # between two looks the downloads move on
        screens.append(out.getvalue())
        assert seconds == 0.5
        if len(screens) == 1:
            worker.finish("aaaaaaaaaaa")
            worker.record_failure("bbbbbbbbbbb", "m-2", "download failed (attempt 1 of 3): HTTP Error 500")

    assert follow(0.5, until_idle=True, console=console, sleep=next_tick) == 2
    first = screens[0]
    assert "Long film" in first and "40%" in first and "2.5 MB/s" in first and "fargate arn:aws:ecs" in first
    assert "Broken one" in first and "10%" in first and "Waiting" not in first  # only what downloads
    final = out.getvalue()
    assert "Long film: archived" in final and "100%" in final
    assert "Broken one: download failed (attempt 1 of 3): HTTP Error 500" in final
    assert QueueItem.count("ccccccccccc") == 1


def test_the_command_is_wired(aws, capsys, monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    assert cli.main(["follow", "--until-idle", "--interval", "0"]) == 0
