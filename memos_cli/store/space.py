"""Free space before writing. The embedded store maps its files into memory, and a write into
a mapped page the filesystem cannot back kills the process with SIGBUS: no message, no
summary, exit 135. So a write goes ahead only while the disk has room for it and for the
write-ahead log's next segment; otherwise the run stops with 74 and says how much is needed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from memos_cli.errors import DiskFullError

MB = 1 << 20
# A write-ahead log segment is 32 MB and a new one can start at any write.
MARGIN_BYTES = 64 * MB


def ensure_free(path: Path, need_bytes: int) -> None:
    """Raise DiskFullError when the filesystem holding `path` has less than `need_bytes`."""
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    free = shutil.disk_usage(existing).free
    if free < need_bytes:
        raise DiskFullError(
            f"not enough free space on the disk holding {path}: {free / MB:,.0f} MB free, "
            f"{need_bytes / MB:,.0f} MB needed to write safely",
            "free some space (or set MEMOS_HOME on a larger disk), then run the same command "
            "again: nothing stored is lost, and it resumes")
