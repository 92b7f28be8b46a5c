"""Input formats: a registry name -> reader, and `--format auto` sniffing."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import orjson

from memos_cli.errors import InputError
from memos_cli.models import Failure
from memos_cli.readers.base import Reader, ReaderItem, ReaderOptions, ReadStats, StartAt
from memos_cli.readers.chatgpt import read_chatgpt
from memos_cli.readers.claude import read_claude
from memos_cli.readers.csv_ import read_csv
from memos_cli.readers.memos_jsonl import read_memos_jsonl
from memos_cli.readers.openai_chat import read_openai_chat
from memos_cli.readers.sharegpt import read_sharegpt
from memos_cli.readers.source import DECOMPRESSION_ERRORS, logical_suffix, open_input
from memos_cli.readers.telegram import read_telegram
from memos_cli.readers.whatsapp import looks_like_whatsapp, read_whatsapp

READERS: dict[str, Reader] = {
    "memos-jsonl": read_memos_jsonl,
    "csv": read_csv,
    "openai-chat": read_openai_chat,
    "sharegpt": read_sharegpt,
    "chatgpt": read_chatgpt,
    "claude": read_claude,
    "telegram": read_telegram,
    "whatsapp": read_whatsapp,
}

# Formats whose readers can resume at a byte offset (a line boundary).
SEEKABLE = frozenset({"memos-jsonl", "openai-chat"})

_HEAD_BYTES = 65_536
# The first key that tells a JSON-array export apart, in the order they are tried.
_ARRAY_KEYS = ((b'"mapping"', "chatgpt"), (b'"chat_messages"', "claude"),
               (b'"conversations"', "sharegpt"), (b'"messages"', "sharegpt"))


def detect_format(path: Path) -> str:
    """The reader for a file, from its extension and its first bytes."""
    suffix = logical_suffix(path)
    if suffix == ".zip":
        return _zip_kind(path)
    if suffix in (".csv", ".tsv"):
        return "csv"
    head = _head(path).lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"["):
        for key, fmt in _ARRAY_KEYS:
            if key in head:
                return fmt
    if head.startswith(b"{") and head.split(b"\n", 1)[0].strip() == b"{":
        # One JSON document over many lines, never JSON lines (a JSONL line is not just "{").
        if all(key in head for key in _TELEGRAM_CHAT) or b'"personal_information"' in head \
                or all(key in head for key in _TELEGRAM_ALL):
            return "telegram"
        raise InputError(f"{path} is one JSON document, not JSON lines, and not an export "
                         "memos knows", f"pass --format, one of: {', '.join(sorted(READERS))}")
    if head.startswith(b"{") or suffix in (".jsonl", ".ndjson"):
        return _jsonl_kind(head)
    if looks_like_whatsapp(head.decode("utf-8", "replace")):
        return "whatsapp"
    first_line = head.split(b"\n", 1)[0]
    if b"user_id" in first_line and any(d in first_line for d in (b",", b"\t", b";", b"|")):
        return "csv"
    raise InputError(f"{path}: cannot tell the format from its name or first bytes",
                     f"pass --format, one of: {', '.join(sorted(READERS))}")


_TELEGRAM_CHAT = (b'"messages"', b'"date_unixtime"')
_TELEGRAM_ALL = (b'"chats"', b'"list"')


def _zip_kind(path: Path) -> str:
    """A ChatGPT export .zip holds conversations.json; a WhatsApp one, the chat's .txt."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n.rsplit("/", 1)[-1] for n in archive.namelist()]
    except zipfile.BadZipFile as exc:
        raise InputError(f"{path} is not a readable zip: {exc}", "re-download the export") from exc
    if "conversations.json" not in names and any(n.lower().endswith(".txt") for n in names):
        return "whatsapp"
    return "chatgpt"


def _head(path: Path) -> bytes:
    """The first bytes, as many as can be read: a cut-off compressed file still shows its
    format, and its reader stores the records before the cut."""
    chunks: list[bytes] = []
    with open_input(path) as handle:
        try:
            while sum(map(len, chunks)) < _HEAD_BYTES and (chunk := handle.read(4096)):
                chunks.append(chunk)
        except DECOMPRESSION_ERRORS as exc:
            if not chunks:
                raise InputError(f"{path}: cannot be read: {exc}", "check that the file is "
                                 "whole (a damaged or cut-off download?)") from exc
    return b"".join(chunks)


def _jsonl_kind(head: bytes) -> str:
    """OpenAI chat lines have `messages` and no user_id; memos lines carry user_id."""
    for line in head.splitlines():
        if not line.strip():
            continue
        try:
            first = orjson.loads(line)
        except orjson.JSONDecodeError:
            return "memos-jsonl"  # its reader reports the bad line
        if isinstance(first, dict) and "messages" in first and "user_id" not in first:
            return "openai-chat"
        return "memos-jsonl"
    return "memos-jsonl"


def read(path: Path, fmt: str, options: ReaderOptions,
         start: StartAt = StartAt()) -> Iterator[ReaderItem]:
    check_format(fmt)
    return _reading(path, READERS[fmt](path, options, start))


def _reading(path: Path, items: Iterator[ReaderItem]) -> Iterator[ReaderItem]:
    """A file that cannot be read on (a cut-off or damaged compressed file) ends in one
    failure that says where: the records before it are imported, and the run goes on."""
    line = offset = 0
    try:
        for item in items:
            line = item.line
            offset = item.offset if isinstance(item, Failure) else item.end_offset
            yield item
    except DECOMPRESSION_ERRORS as exc:
        yield Failure(str(path), line + 1, "read",
                      f"the file cannot be read past line {line}: {exc} (damaged or cut off?); "
                      "the records before it are imported", "", offset)


def check_format(fmt: str) -> None:
    if fmt not in READERS:
        raise InputError(f"unknown format {fmt!r}",
                         f"use --format auto or one of: {', '.join(sorted(READERS))}")


__all__ = ["READERS", "SEEKABLE", "ReadStats", "ReaderItem", "ReaderOptions", "StartAt",
           "check_format", "detect_format", "read"]
