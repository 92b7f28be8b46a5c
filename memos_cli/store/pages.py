"""Handing back the pages of a store's memory-mapped files that this process has touched.

qdrant-edge maps its WAL and its segments' files into memory. Every page the store reads or
writes stays mapped into this process, and counts in its RSS, until the mapping goes. A long
import appends to the WAL and checks what already exists in every segment, so its RSS grows
with the store, although these pages are file contents the kernel could drop at any time.

`madvise(MADV_DONTNEED)` on a shared file mapping removes the process's hold on its pages.
The next access maps the page again from the page cache or the file, contents unchanged:
writes to a shared mapping go to the page cache, so unflushed writes are kept too. Private
writable mappings are left alone, because there the call would discard the process's own
copy-on-write changes. This needs Linux (/proc/self/maps); elsewhere it does nothing.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable
from pathlib import Path

_MADV_DONTNEED = 4
_MAPS = Path("/proc/self/maps")
_STATUS = Path("/proc/self/status")


def _libc_madvise() -> Callable[[int, int, int], int] | None:
    if not _MAPS.exists():
        return None
    try:
        madvise = ctypes.CDLL(None, use_errno=True).madvise
    except (OSError, AttributeError):
        return None
    madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    madvise.restype = ctypes.c_int
    return madvise


_madvise = _libc_madvise()


def release_mapped_pages(root: Path) -> int:
    """Drop this process's hold on the pages of files under `root` that it has mapped;
    the number of bytes of mappings advised (0 where this is not supported)."""
    if _madvise is None:
        return 0
    prefix = str(root.resolve()) + os.sep
    released = 0
    with _MAPS.open(encoding="utf-8", errors="replace") as maps:
        for line in maps:
            fields = line.split(maxsplit=5)
            if len(fields) < 6 or not fields[5].startswith(prefix):
                continue
            permissions = fields[1]
            if "p" in permissions and "w" in permissions:
                continue  # private and writable: its pages may be this process's own changes
            start, end = (int(address, 16) for address in fields[0].split("-"))
            if _madvise(start, end - start, _MADV_DONTNEED) == 0:
                released += end - start
    return released


def process_status_kb(field: str) -> int | None:
    """A kB figure of this process from /proc/self/status (VmHWM, RssFile, ...); None where
    it can't be read."""
    try:
        with _STATUS.open(encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def file_backed_rss() -> int:
    """Bytes of file-backed pages this process has resident (0 where unknown)."""
    return (process_status_kb("RssFile") or 0) * 1024


class MappedPages:
    """Keeps the pages a store holds mapped within a budget: released whenever the process's
    file-backed RSS has grown by more than `budget` bytes since the last release, so a small
    import never releases at all and a large one only now and then (releasing after every
    write measured the same peak)."""

    def __init__(self, root: Path, budget: int) -> None:
        self.root = root
        self.budget = budget
        self._floor = file_backed_rss()

    def check(self) -> None:
        if file_backed_rss() - self._floor > self.budget:
            self.release()

    def release(self) -> None:
        release_mapped_pages(self.root)
        self._floor = file_backed_rss()
