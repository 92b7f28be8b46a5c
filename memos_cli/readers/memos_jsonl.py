"""memos JSONL: one add-message request or one message per line (FORMATS.md §1).

Also reads a failures file, whose lines wrap the original record text in `raw`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import orjson

from memos_cli.models import Failure, RawRecord
from memos_cli.readers.base import (
    MAX_RAW_CHARS,
    UTF8_BOM,
    ReaderItem,
    ReaderOptions,
    StartAt,
    clip,
    is_failure_record,
)
from memos_cli.readers.source import open_input

# One line (one request, or one message) may be this long; longer lines fail with a reason.
MAX_LINE_BYTES = 32 << 20


def read_memos_jsonl(path: Path, options: ReaderOptions,
                     start: StartAt = StartAt()) -> Iterator[ReaderItem]:
    name = str(path)
    offset = start.offset
    with open_input(path) as handle:
        if start.offset:  # a decompressing stream may not seek, and is never resumed
            handle.seek(start.offset)
        for line_no, (line, length) in enumerate(_bounded_lines(handle), start=start.line + 1):
            begin, offset = offset, offset + length
            if length > MAX_LINE_BYTES:
                yield Failure(name, line_no, "read", f"the line is {length >> 20:,} MB, over "
                              f"the {MAX_LINE_BYTES >> 20} MB a record may be (split its "
                              "messages, or attach long texts as file parts)",
                              clip(line[:MAX_RAW_CHARS].decode("utf-8", "replace")), begin)
                continue
            if begin == 0 and line.startswith(UTF8_BOM):
                line = line[len(UTF8_BOM):]
            body = line.strip()
            if not body:
                continue
            yield _parse_line(name, line_no, body, begin, offset)


def _bounded_lines(handle: BinaryIO) -> Iterator[tuple[bytes, int]]:
    """(line, its length in bytes), no line held whole past MAX_LINE_BYTES: a longer one is
    read on to its end in pieces and only its head kept."""
    while True:
        line = handle.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        length = len(line)
        if length > MAX_LINE_BYTES and not line.endswith(b"\n"):
            line = line[:MAX_RAW_CHARS]
            while piece := handle.readline(1 << 20):
                length += len(piece)
                if piece.endswith(b"\n"):
                    break
        yield line, length


def _parse_line(name: str, line_no: int, body: bytes, begin: int, end: int) -> ReaderItem:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Failure(name, line_no, "read", f"invalid UTF-8 at byte {exc.start} of the line",
                       clip(body.decode("utf-8", "replace")), begin)
    obj = _loads_object(text)
    if isinstance(obj, str):
        return Failure(name, line_no, "read", obj, clip(text), begin)
    if is_failure_record(obj):
        text = str(obj["raw"])
        obj = _loads_object(text)
        if isinstance(obj, str):
            return Failure(name, line_no, "read", f"raw of a failure record: {obj}", clip(text),
                           begin)
    return RawRecord(name, line_no, text, obj, start_offset=begin, end_offset=end)


def _loads_object(text: str) -> dict[str, object] | str:
    """The parsed object, or the reason it isn't one."""
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        return f"invalid JSON: {exc}"
    if not isinstance(obj, dict):
        return f"expected a JSON object, found {type(obj).__name__}"
    return obj
