"""What one `memos import` is asked to do, as the CLI and a running server both pass it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from memos_cli.readers import ReaderOptions


@dataclass(slots=True)
class ImportOptions:
    paths: list[Path]
    fmt: str = "auto"
    reader: ReaderOptions = field(default_factory=ReaderOptions)
    failures_file: Path | None = None
    dry_run: bool = False
    wait_s: float = 0.0
    # Ignore checkpoints and read every file from its start (the ledger still skips).
    from_start: bool = False
    # Copies of inputs that can be read only once (stdin): read without a checkpoint.
    transient: list[Path] = field(default_factory=list)
