"""Releasing a store's mapped pages: RSS drops, contents (unflushed writes too) stay."""

from __future__ import annotations

import mmap
import sys
from pathlib import Path

import pytest

from memos_cli.store.pages import MappedPages, file_backed_rss, release_mapped_pages

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc")

SIZE = 8 * 2**20


def resident(path: Path) -> int:
    """Bytes of `path` this process has resident, from /proc/self/smaps."""
    total, current = 0, False
    with open("/proc/self/smaps", encoding="utf-8") as smaps:
        for line in smaps:
            fields = line.split()
            if "-" in fields[0] and len(fields) >= 5 and ":" in fields[3]:
                current = len(fields) >= 6 and fields[5] == str(path)
            elif current and fields[0] == "Rss:":
                total += int(fields[1]) * 1024
    return total


def mapped(path: Path, access: int) -> mmap.mmap:
    path.write_bytes(bytes(range(256)) * (SIZE // 256))
    with path.open("r+b") as handle:
        return mmap.mmap(handle.fileno(), SIZE, access=access)


def test_shared_pages_are_released_and_read_back_with_unflushed_writes(tmp_path: Path) -> None:
    area = mapped(tmp_path / "shared.dat", mmap.ACCESS_WRITE)
    area[100:105] = b"hello"  # not flushed
    assert sum(area[i] for i in range(0, SIZE, 4096)) >= 0  # touch every page
    assert resident(tmp_path / "shared.dat") >= SIZE // 2
    assert release_mapped_pages(tmp_path) >= SIZE
    assert resident(tmp_path / "shared.dat") == 0
    assert area[100:105] == b"hello" and area[SIZE - 1] == 255
    area.close()


def test_private_writable_mappings_are_left_alone(tmp_path: Path) -> None:
    area = mapped(tmp_path / "private.dat", mmap.ACCESS_COPY)
    area[100:105] = b"mine!"  # a copy-on-write page: only this process has it
    assert release_mapped_pages(tmp_path) == 0
    assert area[100:105] == b"mine!"
    area.close()


def test_other_directories_are_not_touched(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    area = mapped(tmp_path / "elsewhere.dat", mmap.ACCESS_WRITE)
    assert sum(area[i] for i in range(0, SIZE, 4096)) >= 0
    assert release_mapped_pages(tmp_path / "store") == 0
    assert resident(tmp_path / "elsewhere.dat") >= SIZE // 2
    area.close()


def test_the_budget_releases_only_once_it_is_passed(tmp_path: Path) -> None:
    pages = MappedPages(tmp_path, budget=64 * 2**20)
    area = mapped(tmp_path / "store.dat", mmap.ACCESS_WRITE)
    assert sum(area[i] for i in range(0, SIZE, 4096)) >= 0
    pages.check()  # 8 MB over the floor: under the budget
    assert resident(tmp_path / "store.dat") >= SIZE // 2
    pages.budget = 2**20
    pages.check()
    assert resident(tmp_path / "store.dat") == 0
    assert file_backed_rss() > 0
    area.close()
