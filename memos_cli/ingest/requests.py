"""`memos add` and `memos process`: one add-message request at a time, or the queue drained.

A request is one more reader's record: it goes through the same engine as an imported file.
`async_mode` (or a store held by a running import) puts it in the queue in state.db instead;
`memos process` drains that queue.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from memos_cli.config import Settings
from memos_cli.errors import InputError, StoreBusyError
from memos_cli.ingest.run import run_requests
from memos_cli.models import RawRecord, RunReport
from memos_cli.state import State

_QUEUE_CHUNK = 200


@dataclass(slots=True)
class AddResult:
    queued: bool
    queue_id: int | None = None
    reason: str = ""
    report: RunReport | None = None


def default_conversation(user_id: str, moment: datetime) -> str:
    """One conversation per user and (UTC) day when none is given."""
    return f"{user_id}-{moment.astimezone(UTC).date().isoformat()}"


# An attachment larger than this is not read (`--file /dev/zero` would never end).
MAX_FILE_BYTES = 64 << 20


def file_part(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", "check the --file path") from exc
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{path} is larger than {MAX_FILE_BYTES >> 20} MB",
                         "attach a smaller file, or import its text as chat history")
    return {"type": "file", "file": {"filename": path.name,
                                     "file_data": base64.b64encode(data).decode()}}


def add(settings: Settings, request: dict[str, Any], wait_s: float,
        force_async: bool = False) -> AddResult:
    user_id = request.get("user_id")
    if not isinstance(user_id, str | int) or not str(user_id):
        raise InputError("the request has no user_id", "pass --user, or set user_id in it")
    from memos_cli.serve.client import running_server

    server = running_server(settings, writes=True)
    if server is not None:  # it holds the store: it stores the request, now
        return AddResult(False, report=server.add(request), reason=f"by {server.api_url}")
    if force_async or request.get("async_mode"):
        return AddResult(True, _enqueue(settings, str(user_id), request), "async mode")
    record = RawRecord("memos add", 1, orjson.dumps(request).decode(), request)
    try:
        return AddResult(False, report=run_requests(settings, [record], wait_s))
    except StoreBusyError as busy:
        return AddResult(True, _enqueue(settings, str(user_id), request), busy.message)


def _enqueue(settings: Settings, user_id: str, request: dict[str, Any]) -> int:
    state = State(settings.state_db)
    try:
        return state.enqueue(user_id, request)
    finally:
        state.close()


@dataclass(slots=True)
class Drained:
    requests: int = 0
    reports: list[RunReport] = field(default_factory=list)

    def total(self, key: str) -> int:
        return sum(int(getattr(report, key)) for report in self.reports)


def process_queue(settings: Settings, wait_s: float = 0.0, limit: int | None = None) -> Drained:
    """Store every queued request, oldest first; each leaves the queue once committed."""
    drained = Drained()
    state = State(settings.state_db)
    try:
        while limit is None or drained.requests < limit:
            take = _QUEUE_CHUNK if limit is None else min(_QUEUE_CHUNK, limit - drained.requests)
            rows = state.queued(take)
            if not rows:
                break
            ids = [row_id for row_id, _ in rows]
            records = [RawRecord(f"queue#{row_id}", 1, orjson.dumps(request).decode(), request)
                       for row_id, request in rows]
            drained.reports.append(run_requests(settings, records, wait_s,
                                                on_committed=partial(state.dequeue, ids)))
            drained.requests += len(rows)
    finally:
        state.close()
    return drained
