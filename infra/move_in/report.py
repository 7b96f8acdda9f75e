"""What a move-in tells its user: a progress bar per phase while it runs, then what moved, what was skipped
(already there) and what failed, with why."""

import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from infra.move_in.items import Collected

SHOWN = 50  # failures and unmatched files listed one by one; the rest counted


@dataclass
class Report:
    dry_run: bool = False
    import_summary: dict = field(default_factory=dict)  # the importer's created/updated/unchanged
    files: Counter = field(default_factory=Counter)  # uploaded | resumed | skipped | failed (| would upload...)
    bytes_sent: int = 0
    queue: Counter = field(default_factory=Counter)  # pending | ignore | skipped
    states: int = 0
    feed_items: int = 0
    collected: Collected = field(default_factory=Collected)

    @property
    def failures(self):
        return self.collected.failures

    def lines(self) -> list[str]:
        head = "would move" if self.dry_run else "moved"
        out = []
        for kind in ("channels", "playlists", "videos"):
            tally = self.import_summary.get(kind)
            if tally:
                out.append(
                    f"{kind}: {tally['created']} new, {tally['updated']} updated, {tally['unchanged']} already there"
                )
        if self.files:
            out.append("files: " + ", ".join(f"{n} {what}" for what, n in sorted(self.files.items())))
        if self.bytes_sent:
            out.append(f"sent: {self.bytes_sent / 1e6:.1f} MB")
        if self.queue:
            out.append("download queue: " + ", ".join(f"{n} {what}" for what, n in sorted(self.queue.items())))
        if self.states:
            out.append(f"watched and progress: {self.states} videos")
        if self.feed_items:
            out.append(f"subscription feeds: {self.feed_items} new items")
        out = [f"{head}:", *("  " + line for line in out)]
        collected = self.collected
        out += _listed("failed", [f"{f.item}: {f.why}" for f in collected.failures])
        out += _listed("media without an info JSON, left where they are", [str(p) for p in collected.unmatched])
        out += _listed("not kept", collected.notes)
        return out


def _listed(title: str, lines: list[str]) -> list[str]:
    """A titled list, SHOWN lines of it at most; nothing when empty."""
    if not lines:
        return []
    more = [f"  and {len(lines) - SHOWN} more"] if len(lines) > SHOWN else []
    return [f"{title} ({len(lines)}):", *(f"  {line}" for line in lines[:SHOWN]), *more]


class Phases:
    """One rich progress bar per phase on the console (nothing when it is not a terminal)."""

    def __init__(self, console: Console | None = None):
        self.console = console or Console(stderr=True)
        self.seconds: dict[str, float] = {}  # how long each phase took (bench/move_in.py prints them)

    @contextmanager
    def phase(self, name: str, total: int | None = None, in_bytes: bool = False):
        """Yields advance(n) for the phase's bar."""
        counted = DownloadColumn() if in_bytes else MofNCompleteColumn()
        columns = [TextColumn(f"{name:<10}"), BarColumn(), counted, TimeElapsedColumn()]
        with Progress(*columns, console=self.console, disable=not self.console.is_terminal) as progress:
            task = progress.add_task(name, total=total)
            started = time.perf_counter()
            try:
                yield lambda n=1: progress.advance(task, n)
            finally:
                self.seconds[name] = time.perf_counter() - started
