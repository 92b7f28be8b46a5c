"""Progress on stderr: a rich bar on a terminal, a plain line every few seconds elsewhere."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from memos_cli.ingest.progress import NoProgress, ProgressSink, ProgressSnapshot


class RichProgress:
    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            TextColumn("[bold]importing"),
            BarColumn(),
            DownloadColumn(),
            TextColumn("{task.fields[records]:,} records · {task.fields[memories]:,} memories"
                       " · {task.fields[failed]:,} failed · {task.fields[rate]:,.0f} rec/s"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self._task: TaskID | None = None
        self._started = time.monotonic()

    def start(self, bytes_total: int) -> None:
        self._started = time.monotonic()
        self._progress.start()
        self._task = self._progress.add_task("import", total=bytes_total, records=0, memories=0,
                                             failed=0, rate=0.0)

    def update(self, snapshot: ProgressSnapshot) -> None:
        if self._task is None:
            return
        elapsed = max(time.monotonic() - self._started, 1e-6)
        self._progress.update(self._task, completed=snapshot.bytes_done,
                              records=snapshot.records, memories=snapshot.memories,
                              failed=snapshot.failed, rate=snapshot.records / elapsed)

    def finish(self) -> None:
        self._progress.stop()


class PlainProgress:
    """For cron and pipes: no redraws, no control characters, one line per interval."""

    def __init__(self, interval_s: float, out: TextIO | None = None) -> None:
        self.interval_s = interval_s
        self.out = out or sys.stderr
        self._started = time.monotonic()
        self._last = self._started

    def start(self, bytes_total: int) -> None:
        self._started = self._last = time.monotonic()

    def update(self, snapshot: ProgressSnapshot) -> None:
        now = time.monotonic()
        if now - self._last < self.interval_s:
            return
        self._last = now
        elapsed = max(now - self._started, 1e-6)
        share = snapshot.bytes_done / snapshot.bytes_total if snapshot.bytes_total else 1.0
        eta = elapsed * (1 - share) / share if share > 0 else 0.0
        self.out.write(
            f"{stamp()} memos import: {share:.0%} of {snapshot.bytes_total:,} bytes, "
            f"{snapshot.records:,} records, {snapshot.memories:,} memories, "
            f"{snapshot.failed:,} failed, {snapshot.records / elapsed:,.0f} records/s, "
            f"eta {eta:,.0f}s\n")
        self.out.flush()

    def finish(self) -> None:
        pass


class Tee:
    """Progress to the screen and to a log file at once."""

    def __init__(self, *sinks: ProgressSink) -> None:
        self.sinks = sinks

    def start(self, bytes_total: int) -> None:
        for sink in self.sinks:
            sink.start(bytes_total)

    def update(self, snapshot: ProgressSnapshot) -> None:
        for sink in self.sinks:
            sink.update(snapshot)

    def finish(self) -> None:
        for sink in self.sinks:
            sink.finish()


def stamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S")


def choose_progress(console: Console, quiet: bool, interval_s: float,
                    log: TextIO | None = None) -> ProgressSink:
    screen: ProgressSink
    if quiet:
        screen = NoProgress()
    elif console.is_terminal:
        screen = RichProgress(console)
    else:
        screen = PlainProgress(interval_s)
    return Tee(screen, PlainProgress(interval_s, log)) if log else screen
