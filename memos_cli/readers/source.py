"""Opening an input: compressed files read through their decompressor, and what cannot be
read twice (stdin, a pipe, a FIFO) copied to a private spool file first, since format
detection reads a file's head before its reader reads it all."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, cast

import zstandard

from memos_cli.errors import InputError

# Magic bytes, not the name, decide: a renamed or misnamed file still reads.
_MAGIC = ((b"\x1f\x8b", "gzip"), (b"BZh", "bz2"), (b"\xfd7zXZ\x00", "xz"),
          (b"\x28\xb5\x2f\xfd", "zstd"))
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz", ".zst")
# A stream is copied up to this size: past it, it is not chat history (`/dev/zero`).
SPOOL_LIMIT_BYTES = 16 << 30
# What a damaged or truncated compressed file raises while it is read.
DECOMPRESSION_ERRORS = (OSError, EOFError, lzma.LZMAError, zstandard.ZstdError)


def compression(path: Path) -> str | None:
    with path.open("rb") as handle:
        head = handle.read(6)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return None


def open_input(path: Path) -> BinaryIO:
    """The file's bytes, decompressed when it is compressed."""
    kind = compression(path)
    opened = _OPENERS[kind](path) if kind else path.open("rb")
    return cast(BinaryIO, opened)  # each is a buffered binary file


def _zstd(path: Path) -> io.BufferedReader:
    reader = zstandard.ZstdDecompressor().stream_reader(path.open("rb"), closefd=True)
    return io.BufferedReader(reader)


# The caller closes what these open (open_input is used as a context manager).
_OPENERS: dict[str, Callable[[Path], object]] = {
    "gzip": gzip.GzipFile,
    "bz2": bz2.BZ2File,
    "xz": lzma.LZMAFile,
    "zstd": _zstd,
}


def logical_suffix(path: Path) -> str:
    """The suffix that names the format: `.jsonl` for `history.jsonl.gz`."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in COMPRESSED_SUFFIXES:
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def is_stream(path: Path) -> bool:
    """stdin (`-`), a pipe or a FIFO: readable once."""
    if str(path) == "-":
        return True
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def spool(path: Path, directory: Path) -> Path:
    """Copy a stream to a file of its own (owner-only) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("wb", dir=directory, prefix="stdin-", delete=False) as out:
        source = sys.stdin.buffer if str(path) == "-" else path.open("rb")
        try:
            copied = 0
            while chunk := source.read(1 << 20):
                copied += len(chunk)
                if copied > SPOOL_LIMIT_BYTES:
                    out.close()
                    Path(out.name).unlink()
                    raise InputError(f"{path} goes on past {SPOOL_LIMIT_BYTES >> 30} GiB",
                                     "write it to a file and import the file")
                out.write(chunk)
        finally:
            if source is not sys.stdin.buffer:
                source.close()
    return Path(out.name)
