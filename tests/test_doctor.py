"""Damaged state.db and store: a specific exit code, a hint that works when followed, and
`memos doctor` repairing what can be repaired; state.db's schema upgrades in place."""

from __future__ import annotations

import json
import shlex
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import SAMPLES
from memos_cli.cli import app
from memos_cli.errors import DamagedError
from memos_cli.state import SCHEMA_VERSION, State

HISTORY = str(SAMPLES / "history.jsonl")


def run(home: Path, *args: str) -> Any:
    return CliRunner().invoke(app, [*args, "--home", str(home)], catch_exceptions=False)


def hint(result: Any) -> str:
    [line] = [line for line in result.output.splitlines() if line.startswith("hint:")]
    return line


def imported(home: Path) -> dict[str, Any]:
    result = run(home, "import", HISTORY, "--embedder", "hash", "--json")
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def test_a_healthy_home_passes(tmp_path: Path) -> None:
    imported(tmp_path)
    report = json.loads(run(tmp_path, "doctor", "--json").stdout)
    assert report["healthy"] and {c["name"] for c in report["checks"]} >= {
        "permissions", "store", "state.db", "ledger"}


def test_a_truncated_state_db_is_repaired_from_the_store(tmp_path: Path) -> None:
    first = imported(tmp_path)
    state_db = tmp_path / "state.db"
    state_db.write_bytes(state_db.read_bytes()[:5000])
    for path in (tmp_path / "state.db-wal", tmp_path / "state.db-shm"):
        path.unlink(missing_ok=True)
    broken = run(tmp_path, "import", HISTORY)
    assert broken.exit_code == 65 and "state.db is damaged" in broken.output
    assert "memos doctor --repair" in hint(broken)
    assert run(tmp_path, "doctor").exit_code == 65
    repaired = run(tmp_path, "doctor", "--repair")  # what the hint says
    assert repaired.exit_code == 0, repaired.output
    assert list(tmp_path.glob("state.db.damaged-*"))  # the old file is kept
    again = imported(tmp_path)
    assert again["records_already_imported"] == first["records_stored"]
    assert again["records_stored"] == 0


def test_a_damaged_store_says_what_to_move_and_that_works(tmp_path: Path) -> None:
    first = imported(tmp_path)
    segment = tmp_path / "store" / "wal" / "open-1"
    data = bytearray(segment.read_bytes())
    data[:4096] = bytes(b ^ 0xFF for b in data[:4096])
    segment.write_bytes(bytes(data))
    broken = run(tmp_path, "search", "--user", "alice", "tea")
    assert broken.exit_code == 65 and "cannot be opened" in broken.output
    advice = hint(broken)
    assert run(tmp_path, "doctor").exit_code == 65
    for name in ("store", "store.json"):  # what the hint names
        assert shlex.quote(str(tmp_path / name)) in advice
        (tmp_path / name).rename(tmp_path / f"aside-{name}")
    again = imported(tmp_path)
    assert again["ledger_reset"] and again["records_stored"] == first["records_stored"]
    assert again["memories_written"] == first["memories_written"]


def test_a_state_db_of_the_first_schema_opens_after_the_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    old = sqlite3.connect(path)
    old.executescript("""
        CREATE TABLE ledger (user_id TEXT NOT NULL, conversation_id TEXT NOT NULL,
            message_id TEXT NOT NULL, run_id TEXT NOT NULL, source TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (user_id, conversation_id, message_id)) WITHOUT ROWID;
        INSERT INTO ledger VALUES ('u', 'c', 'm1', 'r', '');
    """)
    old.commit()
    old.close()
    state = State(path)
    try:
        assert state.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert state.is_imported("u", "c", "m1") and state.tail("u", "c") is None
    finally:
        state.close()
    newer = sqlite3.connect(path)
    newer.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    newer.close()
    with pytest.raises(DamagedError, match="newer memos"):
        State(path)


def _points(home: Path) -> dict[str, tuple[dict[str, Any], list[float]]]:
    from memos_cli.config import load_settings
    from memos_cli.opening import open_for_reading
    from memos_cli.store import MemoryFilter

    opened = open_for_reading(load_settings({"home": home}))
    assert opened is not None
    store = opened[1]
    try:
        return {m.id: (m.payload, [round(v, 5) for v in m.vector or []])
                for m in store.scroll(MemoryFilter(include_superseded=True), with_vectors=True)}
    finally:
        store.close()


@pytest.mark.parametrize("vectors", ["--vectors", "--no-vectors"])
def test_an_export_read_into_a_fresh_home_gives_the_same_memories(tmp_path: Path,
                                                                  vectors: str) -> None:
    source, target = tmp_path / "source", tmp_path / "target"
    imported(source)
    backup = tmp_path / "backup.jsonl"
    assert run(source, "export", "--out", str(backup), vectors).exit_code == 0
    restored = run(target, "import", str(backup), "--json")
    assert restored.exit_code == 0, restored.output
    [done] = json.loads(restored.stdout)["restored"]
    theirs, ours = _points(source), _points(target)
    assert done["memories"] == len(theirs) > 100
    assert {i: p for i, (p, _) in ours.items()} == {i: p for i, (p, _) in theirs.items()}
    if vectors == "--vectors":
        assert ours == theirs  # point for point, vectors too
    again = imported(target)  # the ledger came back with the memories
    assert again["records_stored"] == 0 and again["records_already_imported"] == 318
