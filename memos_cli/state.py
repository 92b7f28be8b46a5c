"""state.db (SQLite, stdlib): runs and the ledger of imported messages; and the writer lock.

The ledger is written only after the memories of a batch are upserted, so a message in the
ledger is a message whose memories are in the store. Each conversation's batch that was still
open when a run's input ended (its tail) is kept with the messages in it, so that the next run
grows it into the batch a single run would have made.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson

from memos_cli.errors import DamagedError, StoreBusyError
from memos_cli.models import Message, Tail

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    command TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    exit_code INTEGER,
    summary TEXT
);
CREATE TABLE IF NOT EXISTS checkpoints (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    inode INTEGER NOT NULL,
    mtime REAL NOT NULL,
    head_length INTEGER NOT NULL,
    head_sha256 TEXT NOT NULL,
    offset INTEGER NOT NULL,
    line INTEGER NOT NULL,
    records INTEGER NOT NULL,
    complete INTEGER NOT NULL,
    run_id TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    memory_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    event TEXT NOT NULL,
    status TEXT NOT NULL,
    text TEXT NOT NULL,
    chat_time TEXT NOT NULL,
    last_said_at TEXT NOT NULL,
    sources TEXT NOT NULL,
    superseded_by TEXT NOT NULL,
    run_id TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS history_memory ON history (memory_id);
CREATE INDEX IF NOT EXISTS history_subject ON history (user_id, subject);
CREATE TABLE IF NOT EXISTS migrations (
    key TEXT PRIMARY KEY,
    next_offset TEXT,
    copied INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL,
    request TEXT NOT NULL,
    enqueued_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tails (
    user_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    messages TEXT NOT NULL,
    memory_ids TEXT NOT NULL,
    run_id TEXT NOT NULL,
    PRIMARY KEY (user_id, conversation_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS retractions (
    memory_id TEXT PRIMARY KEY,
    messages TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger (
    user_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (user_id, conversation_id, message_id)
) WITHOUT ROWID;
"""


_RUN_COUNTS = ("records_read", "records_stored", "records_already_imported", "records_failed",
               "memories_written", "failures_file")


@dataclass(slots=True)
class TailChanges:
    """What a flush does to the conversations' open tails: tails written (or replaced), and
    tails grown into a closed batch."""

    open: dict[tuple[str, str], Tail] = field(default_factory=dict)
    ended: list[tuple[str, str]] = field(default_factory=list)
    # memory id -> the tail messages it no longer comes from: applied to the store after the
    # commit, and again by the next run if this one dies in between
    retract: dict[str, set[str]] = field(default_factory=dict)


def _messages_json(messages: list[Message]) -> str:
    return "[" + ",".join(m.model_dump_json() for m in messages) + "]"


@dataclass(slots=True)
class Checkpoint:
    """How far a file is imported: everything before `offset` is stored or reported."""

    path: str
    size: int
    inode: int
    mtime: float
    head_length: int
    head_sha256: str
    offset: int
    line: int
    records: int
    complete: bool = False


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# state.db's schema version (PRAGMA user_version). Version 1 is every table up to the ledger;
# 2 added meta, tails and retractions. Tables are only ever added (CREATE TABLE IF NOT EXISTS
# brings an older file up); a change to an existing table goes into _MIGRATIONS under the
# version it makes.
SCHEMA_VERSION = 2
_MIGRATIONS: dict[int, str] = {}


def connect(path: Path, schema: str, version: int | None = None,
            migrations: dict[int, str] | None = None) -> sqlite3.Connection:
    """A SQLite file in WAL mode (readers never wait for the writer), its tables created and,
    with a `version`, brought up to it (the file's owner does that; other tables in the same
    file leave the version alone)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        db = sqlite3.connect(str(path), timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        found = int(db.execute("PRAGMA user_version").fetchone()[0])
        if version is None:
            db.executescript(schema)
            return db
        if found > version:
            db.close()
            raise DamagedError(f"{path} was written by a newer memos (schema {found}, this one "
                               f"knows {version})", "upgrade memos: pip install -U memos-cli")
        db.executescript(schema)
        for step in range(found + 1, version + 1):
            if step in (migrations or {}):
                db.executescript((migrations or {})[step])
        if found != version:
            db.execute(f"PRAGMA user_version = {version}")
    except sqlite3.DatabaseError as exc:
        raise damaged(path, exc) from exc
    return db


def damaged(path: Path, exc: Exception) -> DamagedError:
    return DamagedError(f"{path} is damaged ({exc})",
                        "run `memos doctor` to see what is wrong; `memos doctor --repair` "
                        "rebuilds state.db from the store")


class State:
    def __init__(self, path: Path) -> None:
        self.db = connect(path, _SCHEMA, SCHEMA_VERSION, _MIGRATIONS)
        self.store_changed = False  # set by bind_store

    def close(self) -> None:
        self.db.close()

    # runs
    def start_run(self, run_id: str, command: str) -> None:
        with self.db:
            self.db.execute("INSERT INTO runs (run_id, command, started_at) VALUES (?, ?, ?)",
                            (run_id, command, now_iso()))

    def end_run(self, run_id: str, exit_code: int, summary: dict[str, Any]) -> None:
        with self.db:
            self.db.execute(
                "UPDATE runs SET ended_at = ?, exit_code = ?, summary = ? WHERE run_id = ?",
                (now_iso(), exit_code, orjson.dumps(summary).decode(), run_id))

    # which store the ledger describes
    def bind_store(self, store_id: str, created: bool) -> bool:
        """Tie the ledger to the store `store_id`. When it described another store, or the
        store was just made (moved away, emptied, deleted), what it says was imported is not
        in this store: the ledger, checkpoints and tails are emptied so that every record is
        imported again. True when that happened."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()
        other = row is not None and row[0] != store_id
        stale = other or (created and self.db.execute(
            "SELECT 1 FROM ledger LIMIT 1").fetchone() is not None)
        with self.db:
            if stale:
                for table in ("ledger", "checkpoints", "tails", "retractions"):
                    self.db.execute(f"DELETE FROM {table}")
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('store_id', ?)",
                            (store_id,))
        self.store_changed = stale
        return stale

    # ledger
    def is_imported(self, user_id: str, conversation_id: str, message_id: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM ledger WHERE user_id = ? AND conversation_id = ? AND message_id = ?",
            (user_id, conversation_id, message_id)).fetchone()
        return row is not None

    def commit(self, run_id: str, messages: Iterable[tuple[str, str, str, str]],
               checkpoint: Checkpoint | None,
               history: Iterable[tuple[str, ...]] = (),
               tails: TailChanges | None = None) -> None:
        """Record imported (user, conversation, message, source file), the memories' history
        entries, the conversations' open tails, and move the file's checkpoint, in one
        transaction."""
        with self.db:
            stamp = now_iso()
            if tails is not None:
                self.db.executemany(
                    "DELETE FROM tails WHERE user_id = ? AND conversation_id = ?", tails.ended)
                self.db.executemany(
                    "INSERT OR REPLACE INTO tails (user_id, conversation_id, messages, "
                    "memory_ids, run_id) VALUES (?, ?, ?, ?, ?)",
                    ((user, conversation, _messages_json(tail.messages),
                      orjson.dumps(tail.memory_ids).decode(), run_id)
                     for (user, conversation), tail in tails.open.items()))
                self.db.executemany(
                    "INSERT OR REPLACE INTO retractions (memory_id, messages) VALUES (?, ?)",
                    ((memory_id, orjson.dumps(sorted(messages)).decode())
                     for memory_id, messages in tails.retract.items()))
            self.db.executemany(
                "INSERT INTO history (memory_id, user_id, subject, event, status, text, "
                "chat_time, last_said_at, sources, superseded_by, run_id, recorded_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ((*row, run_id, stamp) for row in history))
            self.db.executemany(
                "INSERT OR IGNORE INTO ledger (user_id, conversation_id, message_id, run_id, "
                "source) VALUES (?, ?, ?, ?, ?)",
                ((user, conversation, message, run_id, source)
                 for user, conversation, message, source in messages))
            if checkpoint is not None:
                self._save_checkpoint(run_id, checkpoint)

    def tail(self, user_id: str, conversation_id: str) -> Tail | None:
        row = self.db.execute(
            "SELECT messages, memory_ids FROM tails WHERE user_id = ? AND conversation_id = ?",
            (user_id, conversation_id)).fetchone()
        if row is None:
            return None
        messages = [Message.model_validate(m) for m in orjson.loads(row[0])]
        return Tail(messages, list(orjson.loads(row[1])))

    def retractions(self) -> dict[str, set[str]]:
        return {memory_id: set(orjson.loads(messages)) for memory_id, messages
                in self.db.execute("SELECT memory_id, messages FROM retractions")}

    def retracted(self, memory_ids: Iterable[str]) -> None:
        with self.db:
            self.db.executemany("DELETE FROM retractions WHERE memory_id = ?",
                                ((i,) for i in memory_ids))

    def save_checkpoint(self, run_id: str, checkpoint: Checkpoint) -> None:
        with self.db:
            self._save_checkpoint(run_id, checkpoint)

    def _save_checkpoint(self, run_id: str, c: Checkpoint) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO checkpoints (path, size, inode, mtime, head_length, "
            "head_sha256, offset, line, records, complete, run_id, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (c.path, c.size, c.inode, c.mtime, c.head_length, c.head_sha256, c.offset, c.line,
             c.records, int(c.complete), run_id, now_iso()))

    def checkpoint(self, path: str) -> Checkpoint | None:
        row = self.db.execute(
            "SELECT path, size, inode, mtime, head_length, head_sha256, offset, line, records, "
            "complete FROM checkpoints WHERE path = ?", (path,)).fetchone()
        if row is None:
            return None
        path_, size, inode, mtime, head_length, head, offset, line, records, complete = row
        return Checkpoint(path_, size, inode, mtime, head_length, head, offset, line, records,
                          bool(complete))

    def checkpoints(self) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT path, size, offset, records, complete, run_id, updated_at FROM checkpoints "
            "ORDER BY updated_at DESC").fetchall()
        keys = ("path", "size", "offset", "records", "complete", "run_id", "updated_at")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def last_runs(self, limit: int = 10) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT run_id, command, started_at, ended_at, exit_code, summary FROM runs "
            "ORDER BY started_at DESC, rowid DESC LIMIT ?", (limit,)).fetchall()
        runs = []
        for run_id, command, started, ended, code, summary in rows:
            counts = orjson.loads(summary) if summary else {}
            runs.append({"run_id": run_id, "command": command, "started_at": started,
                         "ended_at": ended, "exit_code": code,
                         **{k: counts.get(k) for k in _RUN_COUNTS}})
        return runs

    # migrations between stores
    def migration(self, key: str) -> tuple[Any, int, bool]:
        """(next offset, points copied, resumed?) of a migration; a new one starts at None."""
        row = self.db.execute("SELECT next_offset, copied FROM migrations WHERE key = ?",
                              (key,)).fetchone()
        if row is None:
            return None, 0, False
        return orjson.loads(row[0]), int(row[1]), True

    def save_migration(self, key: str, offset: Any, copied: int) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO migrations VALUES (?, ?, ?, ?)",
                            (key, orjson.dumps(offset).decode(), copied, now_iso()))

    def clear_migration(self, key: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM migrations WHERE key = ?", (key,))

    # the async queue
    def enqueue(self, user_id: str, request: dict[str, Any]) -> int:
        with self.db:
            cursor = self.db.execute(
                "INSERT INTO queue (user_id, request, enqueued_at) VALUES (?, ?, ?)",
                (user_id, orjson.dumps(request).decode(), now_iso()))
        return int(cursor.lastrowid or 0)

    def queued(self, limit: int) -> list[tuple[int, dict[str, Any]]]:
        rows = self.db.execute("SELECT id, request FROM queue ORDER BY id LIMIT ?",
                               (limit,)).fetchall()
        return [(int(row_id), orjson.loads(request)) for row_id, request in rows]

    def dequeue(self, ids: list[int]) -> None:
        with self.db:
            self.db.executemany("DELETE FROM queue WHERE id = ?", ((i,) for i in ids))

    def history(self, memory_id: str) -> list[dict[str, Any]]:
        """What a memory said over time, with every memory of the same subject (the values it
        superseded or was superseded by), oldest statement first."""
        row = self.db.execute("SELECT user_id, subject FROM history WHERE memory_id = ? "
                              "LIMIT 1", (memory_id,)).fetchone()
        if row is None:
            return []
        user_id, subject = row
        args: tuple[str, ...]
        if subject:
            query, args = "user_id = ? AND subject = ?", (user_id, subject)
        else:
            query, args = "memory_id = ?", (memory_id,)
        keys = ("memory_id", "event", "status", "text", "chat_time", "last_said_at", "sources",
                "superseded_by", "run_id", "recorded_at")
        rows = self.db.execute(
            f"SELECT {', '.join(keys)} FROM history WHERE {query} ORDER BY chat_time, seq",
            args).fetchall()
        entries = [dict(zip(keys, r, strict=True)) for r in rows]
        for entry in entries:
            entry["sources"] = orjson.loads(entry["sources"])
            entry["superseded_by"] = entry["superseded_by"] or None
        return entries

    def queue_depth(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM queue").fetchone()[0])

    def forget(self, user_id: str) -> dict[str, int]:
        """Every ledger row and queued request of a user, and the checkpoints of files that
        held the user's messages (so that a re-import reads them again)."""
        with self.db:
            sources = [row[0] for row in self.db.execute(
                "SELECT DISTINCT source FROM ledger WHERE user_id = ? AND source != ''",
                (user_id,))]
            ledger = self.db.execute("DELETE FROM ledger WHERE user_id = ?", (user_id,)).rowcount
            queued = self.db.execute("DELETE FROM queue WHERE user_id = ?", (user_id,)).rowcount
            self.db.execute("DELETE FROM history WHERE user_id = ?", (user_id,))
            self.db.execute("DELETE FROM tails WHERE user_id = ?", (user_id,))
            checkpoints = sum(
                self.db.execute("DELETE FROM checkpoints WHERE path = ?", (source,)).rowcount
                for source in sources)
        return {"ledger_rows": ledger, "queued_requests": queued, "checkpoints": checkpoints}

    def ledger_count(self, user_id: str | None = None) -> int:
        if user_id is None:
            return int(self.db.execute("SELECT COUNT(*) FROM ledger").fetchone()[0])
        return int(self.db.execute("SELECT COUNT(*) FROM ledger WHERE user_id = ?",
                                   (user_id,)).fetchone()[0])


@contextlib.contextmanager
def writer_lock(home: Path, command: str, wait_s: float = 0.0) -> Iterator[None]:
    """Hold the one-writer lock of a MEMOS_HOME; the kernel frees it if the process dies."""
    home.mkdir(parents=True, exist_ok=True)
    path = home / "lock"
    handle = path.open("a+")
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = _read_holder(handle)
                handle.close()
                raise StoreBusyError(
                    f"{home} is in use by another memos run ({holder})",
                    "try again later, or pass --wait SECONDS to wait for it",
                ) from None
            time.sleep(0.2)
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(orjson.dumps({"pid": os.getpid(), "started_at": now_iso(),
                                   "command": command}).decode())
        handle.flush()
        yield
    finally:
        with contextlib.suppress(OSError):
            handle.seek(0)
            handle.truncate()
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def held_elsewhere(home: Path) -> bool:
    """Whether another process holds this MEMOS_HOME's writer lock right now."""
    path = home / "lock"
    if not path.exists():
        return False
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            # this process's own lock (memos doctor holds it while it checks) is not elsewhere
            return _holder(handle).get("pid") != os.getpid()
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def _holder(handle: IO[str]) -> dict[str, Any]:
    """What the lock's holder wrote into it: pid, started_at, command ({} when unreadable)."""
    handle.seek(0)
    try:
        info = orjson.loads(handle.read() or "{}")
    except orjson.JSONDecodeError:
        return {}
    return info if isinstance(info, dict) else {}


def _read_holder(handle: IO[str]) -> str:
    info = _holder(handle)
    if not info:
        return "holder unknown"
    return f"pid {info.get('pid')}, started {info.get('started_at')}, `{info.get('command')}`"


def command_line() -> str:
    return " ".join(["memos", *sys.argv[1:]])[:300]
