"""CSV and TSV with a header row (FORMATS.md §2).

Required columns: user_id, conversation_id, role, content (renamable with --map). Known optional
columns map to message fields; every other column goes into `info`. Quoted multi-line cells,
a UTF-8 BOM and CRLF line ends work; a row with bytes that are not UTF-8 fails alone.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import orjson

from memos_cli.errors import InputError
from memos_cli.models import Failure, RawRecord
from memos_cli.readers.base import ReaderItem, ReaderOptions, StartAt, clip
from memos_cli.readers.source import logical_suffix, open_input

REQUIRED = ("user_id", "conversation_id", "role", "content")
KNOWN = frozenset({*REQUIRED, "chat_time", "message_id", "agent_id", "app_id", "tags", "name",
                   "tool_call_id"})
_MAX_FIELD = 64 * 1024 * 1024


def read_csv(path: Path, options: ReaderOptions,
             start: StartAt = StartAt()) -> Iterator[ReaderItem]:
    """Not seekable: `start` is ignored and the file is read from its header."""
    csv.field_size_limit(_MAX_FIELD)
    name = str(path)
    with open_input(path) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
        rows = csv.reader(text, dialect=_dialect(path, text, options))
        try:
            header = next(rows)
        except StopIteration:
            return
        columns = _columns(name, [cell.strip() for cell in header], options.column_map)
        last_line = rows.line_num
        for row in rows:
            first_line, last_line = last_line + 1, rows.line_num
            if not any(cell.strip() for cell in row):
                continue
            yield _record(name, first_line, columns, row, raw.tell())


_DELIMITERS = ",;\t|"


def _dialect(path: Path, text: io.TextIOWrapper, options: ReaderOptions) -> type[csv.Dialect]:
    """The file's delimiter: --delimiter, or the one that splits the header into the most
    columns, the required ones first (Excel in many locales writes `;`)."""
    delimiter = options.delimiter
    if delimiter is None:
        first = text.buffer.peek(65536)[:65536] if hasattr(text.buffer, "peek") else b""
        header = first.split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff")
        renamed = set(options.column_map.values())

        def fit(candidate: str) -> tuple[int, int]:
            cells = {c.strip() for c in next(csv.reader([header], delimiter=candidate), [])}
            required = sum(1 for f in REQUIRED if f in cells or options.column_map.get(f) in cells)
            return required + len(cells & renamed), len(cells)

        delimiter = max(_DELIMITERS, key=fit) if header else ","
        if logical_suffix(path) == ".tsv" and fit("\t") >= fit(delimiter):
            delimiter = "\t"
    base = csv.excel_tab if delimiter == "\t" else csv.excel
    return type("Sniffed", (base,), {"delimiter": delimiter})


def _columns(name: str, header: list[str], column_map: dict[str, str]) -> list[str]:
    """Header cells renamed to memos field names; missing required columns are an input error."""
    renamed = {column: field for field, column in column_map.items()}
    columns = [renamed.get(cell, cell) for cell in header]
    missing = [field for field in REQUIRED if field not in columns]
    if missing:
        raise InputError(
            f"{name}: the header lacks column(s) {', '.join(missing)} (found: {', '.join(header)})",
            "rename columns with --map, e.g. --map content=text,user_id=customer",
        )
    return columns


def _record(name: str, line: int, columns: list[str], row: list[str], offset: int) -> ReaderItem:
    message = _as_message(dict(zip(columns, row, strict=False)))
    if len(row) > len(columns):  # the cells past the header stay in the failure, in `info`
        extra = {f"extra_cell_{n}": cell for n, cell in enumerate(row[len(columns):], 1)}
        message["info"] = {**message.get("info", {}), **extra}  # type: ignore[dict-item]
    raw = clip(orjson.dumps(message).decode("utf-8", "replace"))
    if len(row) != len(columns):
        kept = "; the extra cells are in raw's info" if len(row) > len(columns) else ""
        return Failure(name, line, "read", f"expected {len(columns)} columns, found {len(row)} "
                       f"(a delimiter or a quote inside a cell?){kept}", raw, offset)
    if any(_has_bad_bytes(cell) for cell in row):
        return Failure(name, line, "read", "invalid UTF-8 in the row", raw, offset)
    # Offsets are those of the buffered reader: good for progress, not for seeking.
    return RawRecord(name, line, raw, message, start_offset=offset, end_offset=offset)


def _as_message(cells: dict[str, str]) -> dict[str, object]:
    """A row as a one-message record: known columns as fields, the rest as `info`."""
    message: dict[str, object] = {}
    info: dict[str, str] = {}
    for column, value in cells.items():
        value = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        if column in KNOWN:
            if value != "" or column in REQUIRED:
                message[column] = value
        elif value != "":
            info[column] = value
    tags = message.get("tags")
    if isinstance(tags, str):
        message["tags"] = [t.strip() for t in tags.replace(";", ",").split(",") if t.strip()]
    if info:
        message["info"] = info
    return message


def _has_bad_bytes(cell: str) -> bool:
    try:
        cell.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
