"""What the server keeps besides memories, in state.db next to the CLI's tables: add tasks and
their status, the raw messages of each conversation (get/message), and knowledge bases."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import orjson

from memos_cli.state import connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS serve_tasks (
    task_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    request TEXT,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS serve_tasks_pending ON serve_tasks (status, created_ms);
CREATE TABLE IF NOT EXISTS serve_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    message_key TEXT NOT NULL,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    chat_ms INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    UNIQUE (user_id, conversation_id, message_key)
);
CREATE TABLE IF NOT EXISTS serve_knowledgebases (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS serve_kb_files (
    id TEXT PRIMARY KEY,
    knowledgebase_id TEXT NOT NULL,
    name TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
"""

# A task is one add request: queued (running), then completed or failed.
RUNNING, COMPLETED, FAILED = "running", "completed", "failed"


def now_ms() -> int:
    return int(time.time() * 1000)


class Records:
    """One connection per thread: sqlite3 connections stay in the thread that made them."""

    def __init__(self, path: Path) -> None:
        self.db = connect(path, _SCHEMA)

    def close(self) -> None:
        self.db.close()

    # tasks
    def queue_task(self, task_id: str, request: dict[str, Any] | None) -> None:
        """A task, persisted before the client hears of it: a restart finishes it."""
        stamp = now_ms()
        with self.db:
            self.db.execute(
                "INSERT OR IGNORE INTO serve_tasks VALUES (?, ?, '', ?, ?, ?)",
                (task_id, RUNNING, orjson.dumps(request).decode() if request else None,
                 stamp, stamp))

    def finish_task(self, task_id: str, status: str, message: str = "") -> None:
        with self.db:
            self.db.execute("UPDATE serve_tasks SET status = ?, message = ?, request = NULL, "
                            "updated_ms = ? WHERE task_id = ?",
                            (status, message, now_ms(), task_id))

    def task(self, task_id: str) -> tuple[str, str] | None:
        row = self.db.execute("SELECT status, message FROM serve_tasks WHERE task_id = ?",
                              (task_id,)).fetchone()
        return (str(row[0]), str(row[1])) if row else None

    def pending(self, limit: int) -> list[tuple[str, dict[str, Any]]]:
        """Queued tasks with their requests, oldest first."""
        rows = self.db.execute(
            "SELECT task_id, request FROM serve_tasks WHERE status = ? AND request IS NOT NULL "
            "ORDER BY created_ms, rowid LIMIT ?", (RUNNING, limit)).fetchall()
        return [(str(task_id), orjson.loads(request)) for task_id, request in rows]

    # raw messages
    def keep_messages(self, rows: list[tuple[str, str, str, str, str, int]]) -> None:
        """(user, conversation, message key, role, content, chat ms); a message seen again
        is kept once."""
        stamp = now_ms()
        with self.db:
            self.db.executemany(
                "INSERT OR IGNORE INTO serve_messages (user_id, conversation_id, message_key, "
                "role, content, chat_ms, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                ((*row, stamp) for row in rows))

    def messages(self, user_id: str, conversation_id: str, limit: int) -> list[dict[str, Any]]:
        """The latest `limit` messages of a conversation, oldest first."""
        rows = self.db.execute(
            "SELECT role, content, chat_ms, created_ms FROM serve_messages WHERE user_id = ? "
            "AND conversation_id = ? ORDER BY chat_ms DESC, id DESC LIMIT ?",
            (user_id, conversation_id, limit)).fetchall()
        return [{"role": role, "content": content, "chat_time": chat, "create_time": created,
                 "update_time": created} for role, content, chat, created in reversed(rows)]

    def forget_messages(self, user_id: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM serve_messages WHERE user_id = ?", (user_id,))

    # knowledge bases
    def create_knowledgebase(self, kb_id: str, name: str, description: str) -> None:
        with self.db:
            self.db.execute("INSERT INTO serve_knowledgebases VALUES (?, ?, ?, ?)",
                            (kb_id, name, description, now_ms()))

    def knowledgebase_exists(self, kb_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM serve_knowledgebases WHERE id = ?",
                               (kb_id,)).fetchone() is not None

    def delete_knowledgebase(self, kb_id: str) -> bool:
        with self.db:
            self.db.execute("DELETE FROM serve_kb_files WHERE knowledgebase_id = ?", (kb_id,))
            return self.db.execute("DELETE FROM serve_knowledgebases WHERE id = ?",
                                   (kb_id,)).rowcount > 0

    def add_kb_file(self, file_id: str, kb_id: str, name: str, size: int, status: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO serve_kb_files VALUES (?, ?, ?, ?, ?, ?)",
                            (file_id, kb_id, name, size, status, now_ms()))

    def kb_files(self, kb_id: str | None, file_ids: list[str] | None, offset: int,
                 limit: int) -> tuple[list[dict[str, Any]], int]:
        where, args = ("knowledgebase_id = ?", [kb_id]) if kb_id else (
            f"id IN ({','.join('?' * len(file_ids or []))})", list(file_ids or []))
        total = int(self.db.execute(f"SELECT COUNT(*) FROM serve_kb_files WHERE {where}",
                                    args).fetchone()[0])
        rows = self.db.execute(
            f"SELECT id, name, size_bytes, status, knowledgebase_id FROM serve_kb_files "
            f"WHERE {where} ORDER BY created_ms LIMIT ? OFFSET ?", [*args, limit, offset])
        return [{"id": i, "name": n, "size": s, "status": st, "knowledgebase_id": k}
                for i, n, s, st, k in rows], total

    def delete_kb_files(self, file_ids: list[str]) -> list[tuple[str, str]]:
        """The (file id, knowledge base) of each deleted file."""
        marks = ",".join("?" * len(file_ids))
        with self.db:
            found = [(str(i), str(k)) for i, k in self.db.execute(
                f"SELECT id, knowledgebase_id FROM serve_kb_files WHERE id IN ({marks})",
                file_ids)]
            self.db.execute(f"DELETE FROM serve_kb_files WHERE id IN ({marks})", file_ids)
        return found
