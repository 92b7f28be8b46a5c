"""The failures file: JSONL, one object per failed record, opened only when needed."""

from __future__ import annotations

from pathlib import Path
from typing import IO

import orjson

from memos_cli.models import Failure


class FailureWriter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[bytes] | None = None
        self.count = 0

    def write(self, failure: Failure) -> None:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("ab")
        self._handle.write(orjson.dumps(failure.to_json()) + b"\n")
        self.count += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
