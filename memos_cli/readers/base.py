"""What every reader shares: its options, its signature, and how raw text is kept for failures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from memos_cli.models import Failure, RawRecord

# A failure keeps this much of the record's text: enough to fix and re-import almost any record.
MAX_RAW_CHARS = 65_536
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(slots=True)
class ReadStats:
    """What a reader saw besides records: conversations, and what it skipped and why."""

    conversations: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str, count: int = 1) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + count


@dataclass(frozen=True, slots=True)
class ReaderOptions:
    user: str | None = None
    # CSV column renames: memos field -> column name in the file.
    column_map: dict[str, str] = field(default_factory=dict)
    # ChatGPT: also keep abandoned branches (regenerations, edits), tagged.
    all_branches: bool = False
    # CSV: the cell delimiter (None: told from the header).
    delimiter: str | None = None
    # Filled by the reader, one per file.
    stats: ReadStats = field(default_factory=ReadStats)


@dataclass(frozen=True, slots=True)
class StartAt:
    """Where a seekable reader resumes: a line boundary and the physical line number before it."""

    offset: int = 0
    line: int = 0


ReaderItem = RawRecord | Failure
Reader = Callable[[Path, ReaderOptions, StartAt], Iterator[ReaderItem]]


def clip(text: str) -> str:
    return text if len(text) <= MAX_RAW_CHARS else text[:MAX_RAW_CHARS] + "…[truncated]"


FAILURE_KEYS = frozenset({"file", "line", "stage", "reason", "raw"})


def is_failure_record(obj: dict[str, object]) -> bool:
    """A line of a failures file: re-importing that file imports each fixed `raw` again."""
    return obj.keys() >= FAILURE_KEYS and isinstance(obj.get("raw"), str)
