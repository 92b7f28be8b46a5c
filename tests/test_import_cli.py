"""`memos import` through the real CLI and a real qdrant-edge store in a temp dir."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from conftest import SAMPLES, Cli, write_jsonl
from memos_cli.config import load_settings
from memos_cli.opening import open_for_reading
from memos_cli.state import State

SUMMARY_KEYS = {"records_read", "records_stored", "records_already_imported", "records_failed",
                "memories_written", "failures_file"}


def count_points(home: Path) -> int:
    opened = open_for_reading(load_settings({"home": home}))
    assert opened is not None
    _, store = opened
    try:
        return store.count()
    finally:
        store.close()


def adds_up(summary: dict[str, int]) -> bool:
    return summary["records_read"] == (summary["records_stored"]
                                       + summary["records_already_imported"]
                                       + summary["records_failed"])


def test_sample_history_imports_and_reimport_adds_nothing(cli: Cli, home: Path) -> None:
    first = cli.json("import", str(SAMPLES / "history.jsonl"), "--embedder", "hash")
    assert first.keys() >= SUMMARY_KEYS
    assert first["records_read"] == first["records_stored"] >= 300
    assert first["records_failed"] == 0 and first["failures_file"] is None and adds_up(first)
    assert set(first["memories_by_type"]) == {"episode", "fact", "preference", "tool", "document"}
    points = count_points(home)
    assert points == first["memories_written"]

    again = cli.json("import", str(SAMPLES / "history.jsonl"), "--embedder", "hash")
    assert again["records_already_imported"] == first["records_read"]
    assert again["records_stored"] == again["memories_written"] == 0 and adds_up(again)
    assert count_points(home) == points
    state = State(home / "state.db")
    assert state.ledger_count() == first["records_read"]
    state.close()


def test_csv_sample_imports(cli: Cli, home: Path) -> None:
    summary = cli.json("import", str(SAMPLES / "history.csv"), "--embedder", "hash")
    assert summary["records_read"] == summary["records_stored"] == 20
    assert summary["files"][0]["format"] == "csv"


def test_broken_lines_each_reported_with_line_and_reason(cli: Cli, home: Path) -> None:
    result = cli("import", str(SAMPLES / "broken.jsonl"), "--embedder", "hash", "--json")
    assert result.exit_code == 3
    summary = json.loads(result.stdout)
    assert adds_up(summary)
    lines = Path(summary["failures_file"]).read_text().splitlines()
    failures = [json.loads(line) for line in lines]
    assert [f["line"] for f in failures] == [2, 3, 4, 5, 6, 8, 9, 10]
    for failure in failures:
        assert {"file", "line", "stage", "reason", "raw"} <= failure.keys() and failure["reason"]
    shown = [line for line in result.stderr.splitlines() if line.startswith("failed:")]
    assert len(shown) == len(failures)
    for failure, line in zip(failures, shown, strict=True):
        assert f"broken.jsonl:{failure['line']} " in line
    assert "Traceback" not in result.output
    assert summary["records_stored"] == 3  # every good line


def test_a_fixed_failures_file_imports_again(cli: Cli, home: Path, tmp_path: Path) -> None:
    bad = write_jsonl(tmp_path / "in.jsonl", [
        {"user_id": "u", "conversation_id": "c", "role": "user", "content": "I like tea"},
        {"user_id": "u", "conversation_id": "c", "role": "usr", "content": "I live in Oslo"},
    ])
    first = cli.json("import", str(bad), "--embedder", "hash")
    assert first["records_failed"] == 1
    failures_file = Path(first["failures_file"])
    fixed = [json.loads(line) for line in failures_file.read_text().splitlines()]
    for failure in fixed:
        failure["raw"] = failure["raw"].replace('"usr"', '"user"')
    failures_file.write_text("".join(json.dumps(f) + "\n" for f in fixed))
    second = cli.json("import", str(failures_file))
    assert second["records_stored"] == 1 and second["records_failed"] == 0


def test_records_in_a_request_line_count_one_each(cli: Cli, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "req.jsonl", [{
        "user_id": "u", "conversation_id": "c",
        "messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"},
                     {"role": "user", "content": "c"}, {"role": "wizard", "content": "d"}]}])
    summary = cli.json("import", str(path), "--embedder", "hash")
    assert (summary["records_read"], summary["records_stored"], summary["records_failed"]) == (
        4, 3, 1)


def test_duplicate_messages_in_one_file_are_imported_once(cli: Cli, tmp_path: Path) -> None:
    line = {"user_id": "u", "conversation_id": "c", "role": "user", "content": "hi",
            "message_id": "m1"}
    summary = cli.json("import", str(write_jsonl(tmp_path / "d.jsonl", [line, line])),
                       "--embedder", "hash")
    assert (summary["records_stored"], summary["records_already_imported"]) == (1, 1)


def test_memory_payload_follows_the_design(cli: Cli, home: Path) -> None:
    cli.json("import", str(SAMPLES / "history.jsonl"), "--embedder", "hash")
    hits = cli.json("search", "--user", "alice", "spicy food", "--top-k", "50")
    payload = next(h for h in hits if h["memory_type"] == "preference"
                   and h["text"] == "I like spicy food")
    for key in ("id", "user_id", "conversation_id", "agent_id", "app_id", "memory_type", "text",
                "sources", "chat_time", "created_at", "updated_at", "status", "superseded_by",
                "tags", "info", "scope", "knowledgebase_ids", "extractor"):
        assert key in payload, key
    assert payload["chat_time"].startswith("2025-03-14T19:40")
    assert payload["info"]["business_type"] == "food" and payload["tags"] == ["food"]
    assert payload["status"] == "active" and payload["scope"] == "private"


def test_another_embedder_on_the_same_store_is_a_clear_error(cli: Cli, home: Path) -> None:
    cli.json("import", str(SAMPLES / "history.csv"), "--embedder", "hash")
    result = cli("search", "--user", "dana", "desk", "--embedder", "default")
    assert result.exit_code == 2
    assert "filled by the 'hash' embedder" in result.stderr and "--embedder hash" in result.stderr
    # with no embedder chosen, the store's own is used
    assert cli("search", "--user", "dana", "desk").exit_code == 0


def test_bad_input_is_one_line_and_exit_2(cli: Cli, tmp_path: Path) -> None:
    result = cli("import", str(tmp_path / "missing.jsonl"))
    assert result.exit_code == 2 and result.stderr.startswith("error: no such file")
    odd = tmp_path / "notes.bin"
    odd.write_bytes(b"\x00\x01")
    result = cli("import", str(odd))
    assert result.exit_code == 2 and "--format" in result.stderr
    result = cli("import", str(SAMPLES / "history.csv"), "--map", "oops")
    assert result.exit_code == 2 and "field=column" in result.stderr


def test_a_busy_store_exits_75_naming_the_holder(cli: Cli, home: Path) -> None:
    from memos_cli.state import writer_lock

    with writer_lock(home, "memos import other.jsonl"):
        result = cli("import", str(SAMPLES / "history.csv"), "--embedder", "hash")
    assert result.exit_code == 75
    assert "memos import other.jsonl" in result.stderr and "--wait" in result.stderr


def test_failures_file_flag_puts_it_elsewhere(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "out" / "fails.jsonl"
    result = cli("import", str(SAMPLES / "broken.jsonl"), "--embedder", "hash",
                 "--failures", str(target), "--json")
    assert result.exit_code == 3 and json.loads(result.stdout)["failures_file"] == str(target)
    assert len(target.read_text().splitlines()) == 8
    assert all(orjson.loads(line)["file"].endswith("broken.jsonl")
               for line in target.read_text().splitlines())


def test_a_new_home_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    home = tmp_path / "home"
    done = subprocess.run([sys.executable, "-m", "memos_cli", "import",
                           str(SAMPLES / "history.jsonl"), "--embedder", "hash",
                           "--quiet"], env={**os.environ, "MEMOS_HOME": str(home)},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    paths = [home, *home.rglob("*")]
    assert len(paths) > 5
    for path in paths:
        assert path.stat().st_mode & 0o077 == 0, f"{path} is {oct(path.stat().st_mode)}"


def _compressed(source: Path, kind: str, target: Path) -> Path:
    import bz2
    import gzip
    import lzma

    import zstandard

    data = source.read_bytes()
    packed = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress,
              "zst": zstandard.ZstdCompressor().compress}[kind](data)
    target.write_bytes(packed)
    return target


@pytest.mark.parametrize("kind", ["gz", "bz2", "xz", "zst"])
def test_a_compressed_file_imports_and_a_second_import_stores_nothing(
        cli: Cli, tmp_path: Path, kind: str) -> None:
    packed = _compressed(SAMPLES / "history.jsonl", kind, tmp_path / f"history.jsonl.{kind}")
    first = cli.json("import", str(packed), "--embedder", "hash")
    assert first["records_stored"] == 318 and first["exit_code"] == 0
    again = cli.json("import", str(packed))
    assert again["records_stored"] == 0 and again["records_already_imported"] == 318


def test_a_cut_off_compressed_file_keeps_what_came_before_the_cut(cli: Cli,
                                                                  tmp_path: Path) -> None:
    packed = _compressed(SAMPLES / "history.jsonl", "gz", tmp_path / "whole.jsonl.gz")
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(packed.read_bytes()[:3000])
    summary = cli.json("import", str(cut), "--embedder", "hash")
    assert summary["exit_code"] == 3 and summary["records_stored"] > 20
    assert summary["records_read"] == summary["records_stored"] + summary["records_failed"]


def test_stdin_and_a_directory_import(tmp_path: Path) -> None:
    env = {**os.environ, "MEMOS_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-m", "memos_cli", "import", "-", "--embedder", "hash", "--json"]
    history = (SAMPLES / "history.jsonl").read_bytes()
    for expected_stored in (318, 0):
        done = subprocess.run(command, input=history, env=env, capture_output=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["records_stored"] == expected_stored
    assert not list((tmp_path / "home" / "spool").iterdir())  # the copy of stdin is gone
    folder = tmp_path / "exports"
    (folder / "nested").mkdir(parents=True)
    (folder / "nested" / "more.csv").write_bytes((SAMPLES / "history.csv").read_bytes())
    (folder / ".hidden.jsonl").write_text("not read\n")
    done = subprocess.run([sys.executable, "-m", "memos_cli", "import", str(folder), "--json"],
                          env=env, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert [f["path"] for f in summary["files"]] == [str(folder / "nested" / "more.csv")]


def test_an_unreadable_file_stops_the_run_before_anything_is_imported(
        cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readable = tmp_path / "a.jsonl"
    readable.write_bytes((SAMPLES / "history.jsonl").read_bytes())
    locked = tmp_path / "b.jsonl"
    locked.write_text("{}\n")
    locked.chmod(0)
    opened = Path.open

    def denied(self: Path, *args: Any, **kwargs: Any) -> Any:  # root reads mode 000 files too
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return opened(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", denied)
    result = cli("import", "--glob", str(tmp_path / "*.jsonl"), "--format", "memos-jsonl",
                 "--embedder", "hash")
    assert result.exit_code == 2 and "cannot read" in result.output
    assert not (tmp_path / "memos-home" / "store").exists()  # a.jsonl was not imported either


def test_a_semicolon_csv_is_sniffed_and_a_ragged_row_keeps_its_cells(cli: Cli,
                                                                     tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text("user_id;conversation_id;role;content;chat_time\n"
                    "u1;c1;user;I like jazz, a lot;2024-01-01 10:00\n"
                    "u1;c1;assistant;Nice;2024-01-01 10:01\n"
                    "u1;c1;user;I live in Porto;2024-01-01 10:02;oops\n", encoding="utf-8")
    summary = cli.json("import", str(path), "--embedder", "hash")
    assert summary["records_stored"] == 2 and summary["records_failed"] == 1
    failures = Path(summary["failures_file"])
    [failure] = [json.loads(line) for line in failures.read_text().splitlines()]
    raw = json.loads(failure["raw"])
    assert raw["info"] == {"extra_cell_1": "oops"} and raw["content"] == "I live in Porto"
    again = cli.json("import", str(failures))  # as the hint says: it imports as it is
    assert again["records_stored"] == 1 and again["records_failed"] == 0


def test_delimiter_names_the_cell_separator(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "pipes.txt"
    path.write_text("user_id|conversation_id|role|content\nu1|c1|user|I like tea, really\n")
    summary = cli.json("import", str(path), "--format", "csv", "--delimiter", "|",
                       "--embedder", "hash")
    assert summary["records_stored"] == 1
    bad = cli("import", str(path), "--format", "csv", "--delimiter", "||")
    assert bad.exit_code == 2 and "one character" in bad.output


def test_a_long_message_is_kept_whole_as_chunks_and_its_episode_shows_the_head(
        cli: Cli, tmp_path: Path) -> None:
    pasted = "The quarterly report says revenue grew in every region. " * 2000
    path = write_jsonl(tmp_path / "paste.jsonl", [
        {"user_id": "p", "conversation_id": "c", "role": "user", "content": pasted}])
    cli.json("import", str(path), "--embedder", "hash")
    memories = cli.json("memories", "list", "--user", "p", "--limit", "1000")
    [episode] = [m for m in memories if m["memory_type"] == "episode"]
    assert len(episode["text"]) < 3000 and "more characters, kept as document parts" in \
        episode["text"]
    parts = [m for m in memories if m["attributes"].get("kind") == "long_message"]
    kept = sum(len(m["text"].split("] ", 1)[1]) for m in parts)
    assert kept >= len(pasted.strip()) * 0.99


def test_an_oversized_line_fails_with_its_size_and_the_run_goes_on(
        cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from memos_cli.readers import memos_jsonl

    monkeypatch.setattr(memos_jsonl, "MAX_LINE_BYTES", 100_000)
    huge = {"user_id": "u", "conversation_id": "c", "role": "user", "content": "x" * 300_000}
    small = {"user_id": "u", "conversation_id": "c", "role": "user", "content": "I like tea"}
    path = write_jsonl(tmp_path / "big.jsonl", [small, huge, {**small, "content": "hi"}])
    summary = cli.json("import", str(path), "--embedder", "hash")
    assert summary["records_stored"] == 2 and summary["records_failed"] == 1
    [failure] = summary_failures(summary)
    assert failure["line"] == 2 and "MB a record may be" in failure["reason"]


def summary_failures(summary: dict[str, object]) -> list[dict[str, object]]:
    path = Path(str(summary["failures_file"]))
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_an_endless_attachment_is_refused(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from memos_cli.ingest import requests

    monkeypatch.setattr(requests, "MAX_FILE_BYTES", 1 << 20)
    result = cli("add", "--user", "z", "--file", "/dev/zero", "--embedder", "hash")
    assert result.exit_code == 2 and "larger than" in result.output
