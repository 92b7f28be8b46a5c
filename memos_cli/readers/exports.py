"""What the export readers share: streaming a top-level JSON array (also inside a .zip), and
turning one conversation into one add-message request record.

A 1 GB export never becomes 1 GB of objects: ijson yields one conversation at a time. A
conversation that can't be used fails alone, named by its 1-based index in the array; a file
that breaks off mid-way keeps every conversation before the break.
"""

from __future__ import annotations

import contextlib
import hashlib
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import ijson
import orjson

from memos_cli.errors import InputError
from memos_cli.models import Failure, RawRecord
from memos_cli.readers.base import ReaderItem, ReaderOptions, clip
from memos_cli.readers.source import open_input


class BadConversation(ValueError):
    """This conversation can't be read (a cycle, a missing parent, no messages, ...)."""


@contextlib.contextmanager
def open_export(path: Path, member: str = "conversations.json") -> Iterator[IO[bytes]]:
    """The JSON document of an export: the file itself, or `member` of an export .zip."""
    if path.suffix.lower() != ".zip":
        with open_input(path) as handle:
            yield handle
        return
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise InputError(f"{path} is not a readable zip: {exc}", "re-download the export") from exc
    with archive:
        names = [n for n in archive.namelist() if n.rsplit("/", 1)[-1] == member]
        if not names:
            raise InputError(f"{path} has no {member}",
                             "pass the export .zip as downloaded, or the JSON file itself")
        with archive.open(names[0]) as handle:
            yield handle


def conversations(path: Path) -> Iterator[tuple[int, Any] | Failure]:
    """(1-based index, conversation) for each item of the top-level array, streaming."""
    index = 0
    with open_export(path) as handle:
        head = handle.read(4096)
        first = head.lstrip(b"\xef\xbb\xbf").lstrip()[:1]
        if first and first != b"[":
            raise InputError(f"{path} is not a JSON array of conversations, as this export "
                             "format is", "drop --format to let memos tell the format, or "
                             "pass the right one")
        stream = _Prefixed(head, handle)  # a decompressing stream may not seek back
        try:
            for index, item in enumerate(ijson.items(stream, "item", use_float=True), start=1):
                yield index, item
        except (ijson.JSONError, ValueError) as exc:
            where = f"after conversation {index}" if index else "before the first conversation"
            yield Failure(str(path), index + 1, "read",
                          f"the export breaks off {where} (truncated or invalid JSON: {exc}); "
                          "every conversation before it was read", "")


class _Prefixed:
    """A binary stream whose first bytes were read already."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head, self._rest = head, rest

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size < 0:
                data, self._head = self._head + self._rest.read(), b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            return data
        return self._rest.read(size)


def read_export(path: Path, options: ReaderOptions,
                convert: Callable[[int, Any], list[ReaderItem]]) -> Iterator[ReaderItem]:
    """Each conversation of the array through `convert`; what breaks the file passes on as a
    failure, and a BadConversation that `convert` raises fails that conversation alone."""
    for item in conversations(path):
        if isinstance(item, Failure):
            yield item
            continue
        index, conversation = item
        options.stats.conversations += 1
        try:
            yield from convert(index, conversation)
        except BadConversation as exc:
            yield failure(path, index, str(exc), conversation)


def require_user(options: ReaderOptions, fmt: str, fallback: str | None = None) -> str:
    user = options.user or fallback
    if not user:
        raise InputError(f"{fmt} files carry no user id", "pass --user USER_ID")
    return user


def content_key(value: Any) -> str:
    """A short hash of a conversation's content: ids that survive re-export and re-reading."""
    return hashlib.sha256(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def request_record(path: Path, index: int, user: str, conversation_id: str,
                   messages: list[dict[str, Any]], raw: Any) -> RawRecord | Failure:
    if not messages:
        return Failure(str(path), index, "read", f"conversation {index} has no usable messages",
                       clip(orjson.dumps(raw).decode()))
    request = {"user_id": user, "conversation_id": conversation_id, "messages": messages}
    return RawRecord(str(path), index, clip(orjson.dumps(request).decode()), request,
                     start_offset=index, end_offset=index)


def failure(path: Path, index: int, reason: str, raw: Any) -> Failure:
    return Failure(str(path), index, "read", f"conversation {index}: {reason}",
                   clip(orjson.dumps(raw, default=str).decode()))
