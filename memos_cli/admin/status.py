"""`memos status` as a function: runs, checkpoints, queue, and what the store holds."""

from __future__ import annotations

from typing import Any

from memos_cli.config import Settings
from memos_cli.errors import StoreBusyError
from memos_cli.state import State
from memos_cli.store import open_store, read_meta


def status(settings: Settings, runs: int = 10) -> dict[str, Any]:
    found: dict[str, Any] = {"home": str(settings.home)}
    state = State(settings.state_db)
    try:
        found["runs"] = state.last_runs(runs)
        found["checkpoints"] = state.checkpoints()
        found["queue_depth"] = state.queue_depth()
        found["ledger_messages"] = state.ledger_count()
    finally:
        state.close()
    found["store"] = _store_status(settings)
    return found


def _store_status(settings: Settings) -> dict[str, Any]:
    meta = read_meta(settings)
    if meta is None:
        return {"exists": False}
    described: dict[str, Any] = {"exists": True, "embedder": meta.embedder,
                                 "model_id": meta.model_id, "dim": meta.dim}
    try:
        store = open_store(settings, meta)
    except StoreBusyError:
        described["busy"] = True  # an import holds it; state.db still answers
        return described
    try:
        by_type = store.counts_by("memory_type")
        described.update(busy=False, memories=sum(by_type.values()), memories_by_type=by_type,
                         users=len(store.counts_by("user_id")),
                         by_status=store.counts_by("status"))
    finally:
        store.close()
    return described
