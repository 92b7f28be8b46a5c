"""Readers: every record found with its line, every bad one a failure, nothing dropped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from memos_cli.errors import InputError
from memos_cli.models import Failure, RawRecord
from memos_cli.readers import ReaderOptions, detect_format, read

OPTIONS = ReaderOptions()


def items(path: Path, fmt: str, options: ReaderOptions = OPTIONS) -> list[RawRecord | Failure]:
    return list(read(path, fmt, options))


def test_jsonl_skips_blank_lines_and_keeps_physical_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"a": 1}\n\n   \n{"b": 2}\r\n{broken\n[1, 2]\n')
    found = items(path, "memos-jsonl")
    assert [(type(i).__name__, i.line) for i in found] == [
        ("RawRecord", 1), ("RawRecord", 4), ("Failure", 5), ("Failure", 6)]
    assert isinstance(found[2], Failure) and "invalid JSON" in found[2].reason
    assert found[2].raw == "{broken"
    assert isinstance(found[3], Failure) and "expected a JSON object" in found[3].reason


def test_jsonl_invalid_utf8_fails_only_that_line(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"a": "ok"}\n{"a": "bad \xff"}\n{"a": "ok again"}\n')
    found = items(path, "memos-jsonl")
    assert [isinstance(i, RawRecord) for i in found] == [True, False, True]
    assert isinstance(found[1], Failure) and "UTF-8" in found[1].reason


def test_a_failures_file_reads_back_its_raw_records(tmp_path: Path) -> None:
    fixed = {"user_id": "u", "conversation_id": "c", "role": "user", "content": "hi"}
    failure = {"file": "x.jsonl", "line": 3, "stage": "read", "reason": "bad",
               "raw": json.dumps(fixed)}
    path = tmp_path / "failures.jsonl"
    path.write_text(json.dumps(failure) + "\n")
    [record] = items(path, "memos-jsonl")
    assert isinstance(record, RawRecord) and record.data == fixed


CSV_TEXT = (
    "\ufeffuser_id,conversation_id,role,text,chat_time,tags,channel\r\n"
    "u1,c1,user,\"hello,\r\nsecond line\",2025-01-01 10:00:00,a;b,web\r\n"
    "\r\n"
    "u1,c1,assistant,hi there,2025-01-01 10:01:00,,app\r\n"
    "u1,c1,user,too,many,cells,here,x,y\r\n"
)


def test_csv_bom_crlf_multiline_map_tags_and_info(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(CSV_TEXT, encoding="utf-8", newline="")
    found = items(path, "csv", ReaderOptions(column_map={"content": "text"}))
    assert [i.line for i in found] == [2, 5, 6]
    first = found[0]
    assert isinstance(first, RawRecord)
    assert first.data["content"] == "hello,\r\nsecond line"
    assert first.data["tags"] == ["a", "b"]
    assert first.data["info"] == {"channel": "web"}
    assert isinstance(found[2], Failure) and "columns" in found[2].reason


def test_csv_without_required_columns_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("user,text\nu1,hello\n")
    with pytest.raises(InputError, match="conversation_id"):
        items(path, "csv")


def test_tsv_is_read_with_tabs(tmp_path: Path) -> None:
    path = tmp_path / "a.tsv"
    path.write_text("user_id\tconversation_id\trole\tcontent\nu1\tc1\tuser\thi, you\n")
    [record] = items(path, detect_format(path))
    assert isinstance(record, RawRecord) and record.data["content"] == "hi, you"


def test_format_detection(tmp_path: Path) -> None:
    jsonl = tmp_path / "export.txt"
    jsonl.write_text('{"user_id": "u"}\n')
    assert detect_format(jsonl) == "memos-jsonl"
    csv_file = tmp_path / "export.dat"
    csv_file.write_text("user_id,conversation_id,role,content\n")
    assert detect_format(csv_file) == "csv"
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with pytest.raises(InputError):
        detect_format(other)
