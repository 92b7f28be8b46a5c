"""`memos status` as a function: runs, checkpoints, queue, and what the store holds."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from memos_cli.config import Settings
from memos_cli.errors import StoreBusyError
from memos_cli.state import State
from memos_cli.store import open_store, read_meta


@dataclass(slots=True)
class StoreStatus:
    """What the store holds; only `exists` for a home with no store yet, and no counts while
    an import holds it (`busy`)."""

    exists: bool
    embedder: str | None = None
    model_id: str | None = None
    dim: int | None = None
    busy: bool | None = None
    memories: int | None = None
    memories_by_type: dict[str, int] | None = None
    users: int | None = None
    by_status: dict[str, int] | None = None


@dataclass(slots=True)
class StatusReport:
    home: str
    runs: list[dict[str, Any]]  # state.db's rows of the most recent runs, newest first
    checkpoints: list[dict[str, Any]]
    queue_depth: int
    ledger_messages: int
    store: StoreStatus

    def as_json(self) -> dict[str, Any]:
        """The `--json` form: the store's block without the fields that do not apply."""
        found = asdict(self)
        found["store"] = {key: value for key, value in found["store"].items()
                          if value is not None}
        return found


def status(settings: Settings, runs: int = 10) -> StatusReport:
    state = State(settings.state_db)
    try:
        recent, checkpoints = state.last_runs(runs), state.checkpoints()
        queue_depth, ledger_messages = state.queue_depth(), state.ledger_count()
    finally:
        state.close()
    return StatusReport(str(settings.home), recent, checkpoints, queue_depth, ledger_messages,
                        _store_status(settings))


def _store_status(settings: Settings) -> StoreStatus:
    meta = read_meta(settings)
    if meta is None:
        return StoreStatus(exists=False)
    described = StoreStatus(exists=True, embedder=meta.embedder, model_id=meta.model_id,
                            dim=meta.dim)
    try:
        store = open_store(settings, meta)
    except StoreBusyError:
        described.busy = True  # an import holds it; state.db still answers
        return described
    try:
        by_type = store.counts_by("memory_type")
        described.busy = False
        described.memories = sum(by_type.values())
        described.memories_by_type = by_type
        described.users = len(store.counts_by("user_id"))
        described.by_status = store.counts_by("status")
    finally:
        store.close()
    return described
