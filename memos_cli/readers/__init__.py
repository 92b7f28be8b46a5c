"""Input formats: a registry name -> reader, and `--format auto` sniffing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from memos_cli.errors import InputError
from memos_cli.readers.base import Reader, ReaderItem, ReaderOptions, StartAt
from memos_cli.readers.csv_ import read_csv
from memos_cli.readers.memos_jsonl import read_memos_jsonl

READERS: dict[str, Reader] = {
    "memos-jsonl": read_memos_jsonl,
    "csv": read_csv,
}

# Formats whose readers can resume at a byte offset (a line boundary).
SEEKABLE = frozenset({"memos-jsonl"})

_SUFFIXES = {".jsonl": "memos-jsonl", ".ndjson": "memos-jsonl", ".csv": "csv", ".tsv": "csv"}


def detect_format(path: Path) -> str:
    """The reader for a file, from its extension, else from its first bytes."""
    by_suffix = _SUFFIXES.get(path.suffix.lower())
    if by_suffix:
        return by_suffix
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"{"):
        return "memos-jsonl"
    first_line = head.split(b"\n", 1)[0]
    if b"user_id" in first_line and (b"," in first_line or b"\t" in first_line):
        return "csv"
    raise InputError(f"{path}: cannot tell the format from its name or first bytes",
                     f"pass --format, one of: {', '.join(sorted(READERS))}")


def read(path: Path, fmt: str, options: ReaderOptions,
         start: StartAt = StartAt()) -> Iterator[ReaderItem]:
    check_format(fmt)
    return READERS[fmt](path, options, start)


def check_format(fmt: str) -> None:
    if fmt not in READERS:
        raise InputError(f"unknown format {fmt!r}",
                         f"use --format auto or one of: {', '.join(sorted(READERS))}")


__all__ = ["READERS", "SEEKABLE", "ReaderItem", "ReaderOptions", "StartAt", "check_format",
           "detect_format", "read"]
