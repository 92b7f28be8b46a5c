"""What a run tells its progress display; the CLI decides how (and whether) to show it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(slots=True)
class ProgressSnapshot:
    file: str
    file_bytes: int
    file_bytes_done: int
    bytes_total: int
    bytes_done: int
    records: int
    memories: int
    failed: int


class ProgressSink(Protocol):
    def start(self, bytes_total: int) -> None: ...

    def update(self, snapshot: ProgressSnapshot) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    def start(self, bytes_total: int) -> None:
        pass

    def update(self, snapshot: ProgressSnapshot) -> None:
        pass

    def finish(self) -> None:
        pass


class ProgressCounter:
    """Keeps the latest snapshot, for whoever asks (an import run by `memos serve`, polled by
    the `memos import` that handed it over)."""

    def __init__(self) -> None:
        self.bytes_total = 0
        self.latest: ProgressSnapshot | None = None

    def start(self, bytes_total: int) -> None:
        self.bytes_total = bytes_total

    def update(self, snapshot: ProgressSnapshot) -> None:
        self.latest = snapshot

    def finish(self) -> None:
        pass
