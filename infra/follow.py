"""`python -m infra.cli follow`: the downloads as they run, a progress bar each, until Ctrl-C (or, with
--until-idle, until nothing downloads and the download queue is empty).

It reads what the download function already stores on the queue items (percent, speed, where it runs), so it
follows the local run (`--local`) and a deployed stage alike, wherever the downloads run (Lambda, Fargate, a
subprocess). A download that ends is shown as archived, or failed with the error its item keeps.
"""

import time
from collections.abc import Callable

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn


def _speed(speed) -> str:
    if speed is None:
        return ""
    value = float(speed)
    for unit in ("B/s", "KB/s", "MB/s"):
        if value < 1024 or unit == "MB/s":
            return f"{value:.0f} {unit}" if unit == "B/s" else f"{value:.1f} {unit}"
        value /= 1024
    return ""


def follow(interval: float, until_idle: bool, console: Console | None = None, sleep: Callable = time.sleep) -> int:
    """Show the running downloads every `interval` seconds; how many were seen ending."""
    from functions.services.downloads import intake
    from functions.storage.models import QueueItem

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[speed]}"),
        TextColumn("{task.fields[where]}", style="dim"),
    )
    bars: dict[str, tuple[int, str]] = {}  # youtube id -> (bar, title)
    ended = 0
    with Progress(*columns, console=console or Console(), auto_refresh=False) as progress:
        while True:
            now = intake.running()
            for item in now:
                if item.youtube_id not in bars:
                    title = (item.title or item.youtube_id)[:50]
                    bars[item.youtube_id] = (progress.add_task(title, total=100, speed="", where=""), title)
                bar, _ = bars[item.youtube_id]
                progress.update(bar, completed=float(item.progress or 0), speed=_speed(item.speed), where=item.runs_on)
            for youtube_id in set(bars) - {item.youtube_id for item in now}:
                bar, title = bars.pop(youtube_id)
                try:
                    left = QueueItem.get(youtube_id)
                except QueueItem.DoesNotExist:
                    progress.update(bar, completed=100, description=f"{title}: archived", speed="", where="")
                else:
                    progress.update(bar, description=f"{title}: {left.message or 'stopped'}", speed="", where="")
                ended += 1
            progress.refresh()
            if until_idle and not now and not intake.downloading():
                return ended
            sleep(interval)
