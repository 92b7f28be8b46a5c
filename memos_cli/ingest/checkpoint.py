"""Per-file checkpoints: where a re-run of a file may start, and how many records lie before it.

A checkpoint moves only with a commit (ledger and checkpoint in one transaction), and only up
to the first record still waiting in an open batch, so everything before it is stored or
reported. A file that grew is read from its old end; a file whose head changed (replaced,
rewritten) is read from the start, the ledger skipping what is stored already.
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from memos_cli.readers import StartAt
from memos_cli.state import Checkpoint

HEAD_BYTES = 64 * 1024


def head_sha256(path: Path, length: int) -> str:
    with path.open("rb") as handle:
        return hashlib.sha256(handle.read(length)).hexdigest()


@dataclass(frozen=True, slots=True)
class Resume:
    """Where to start reading a file, and what the checkpoint lets this run skip."""

    start: StartAt
    skipped_records: int
    skipped_bytes: int


def plan_resume(path: Path, checkpoint: Checkpoint | None, seekable: bool) -> Resume:
    nothing = Resume(StartAt(), 0, 0)
    if checkpoint is None:
        return nothing
    size = path.stat().st_size
    if size < checkpoint.offset or head_sha256(path, checkpoint.head_length) != \
            checkpoint.head_sha256:
        return nothing  # replaced or truncated: from the start, the ledger skips what is stored
    if seekable:
        return Resume(StartAt(checkpoint.offset, checkpoint.line), checkpoint.records,
                      checkpoint.offset)
    if checkpoint.complete and size == checkpoint.size:
        return Resume(StartAt(size, checkpoint.line), checkpoint.records, size)
    return nothing


class FileProgress:
    """Tracks one file's records between the checkpoint and the read position."""

    def __init__(self, path: Path, resume: Resume) -> None:
        stat = path.stat()
        self.path = path
        self.key = str(path.resolve())
        self.size = stat.st_size
        self.inode = stat.st_ino
        self.mtime = stat.st_mtime
        self.head_length = min(self.size, HEAD_BYTES)
        self.head = head_sha256(path, self.head_length)
        self.offset = resume.start.offset
        self.line = resume.start.line
        self.records = resume.skipped_records
        self.read_to = resume.start.offset
        self.last_line = resume.start.line
        # (start offset, physical line, records) of each line read past the checkpoint.
        self._lines: deque[tuple[int, int, int]] = deque()

    def saw(self, offset: int, end: int, line: int, records: int) -> None:
        self._lines.append((offset, line, records))
        self.read_to = max(self.read_to, end)
        self.last_line = line

    def advance(self, waiting_from: int | None) -> Checkpoint:
        """Move up to the first record still waiting (or everything read) and describe it."""
        mark = self.read_to if waiting_from is None else waiting_from
        while self._lines and self._lines[0][0] < mark:
            self.records += self._lines.popleft()[2]
        self.offset = mark
        self.line = self._lines[0][1] - 1 if self._lines else self.last_line
        return self.checkpoint(complete=False)

    def finish(self) -> Checkpoint:
        while self._lines:
            self.records += self._lines.popleft()[2]
        self.offset, self.line = self.size, self.last_line
        return self.checkpoint(complete=True)

    def checkpoint(self, complete: bool) -> Checkpoint:
        return Checkpoint(self.key, self.size, self.inode, self.mtime, self.head_length,
                          self.head, self.offset, self.line, self.records, complete)
