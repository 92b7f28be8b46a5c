"""`memos doctor`: check the home, the store and state.db, and repair what can be repaired.

Each check says what it found and, when something is wrong, the one thing to do about it.
With `repair`: a damaged state.db is moved aside and rebuilt from the store (the ledger from
the messages the store's episodes came from, so a re-import adds nothing twice; checkpoints
are gone, so files are read again and the ledger skips), retractions a killed run left are
applied, and the home is made owner-only. A damaged store cannot be repaired here: the
check says what to move aside so that an import starts it again.
"""

from __future__ import annotations

import sqlite3
import stat
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from memos_cli.config import Settings
from memos_cli.errors import DamagedError, MemosError, StoreBusyError
from memos_cli.ingest.settle import finish_retractions
from memos_cli.state import SCHEMA_VERSION, State, writer_lock
from memos_cli.store import MemoryFilter, MemoryStore, StoreMeta, open_store, read_meta


@dataclass(slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    repaired: bool = False


@dataclass(slots=True)
class DoctorReport:
    home: str
    checks: list[Check] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return all(c.ok or c.repaired for c in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {"home": self.home, "healthy": self.healthy,
                "checks": [asdict(c) for c in self.checks]}


def doctor(settings: Settings, repair: bool = False, wait_s: float = 0.0) -> DoctorReport:
    report = DoctorReport(str(settings.home))
    if not settings.home.exists():
        report.checks.append(Check("home", True, "nothing imported yet"))
        return report
    with writer_lock(settings.home, "memos doctor", wait_s):
        report.checks.append(_permissions(settings.home, repair))
        meta, store = _open_store(settings, report)
        try:
            state_check, state = _open_state(settings, store, meta, repair)
            report.checks.append(state_check)
            if state is not None:
                try:
                    report.checks += _ledger_checks(state, store, meta, repair)
                finally:
                    state.close()
        finally:
            if store is not None:
                store.close()
    return report


def _permissions(home: Path, repair: bool) -> Check:
    loose = [p for p in [home, *home.rglob("*")] if p.stat().st_mode & 0o077]
    if not loose:
        return Check("permissions", True, "readable by its owner only")
    fix = f"chmod -R go-rwx {home}"
    if repair:
        for path in loose:
            path.chmod(stat.S_IMODE(path.stat().st_mode) & 0o700)
    return Check("permissions", False, f"{len(loose)} paths are readable by others "
                 f"(e.g. {loose[0]})", fix, repaired=repair)


def _open_store(settings: Settings, report: DoctorReport
                ) -> tuple[StoreMeta | None, MemoryStore | None]:
    try:
        meta = read_meta(settings)
    except MemosError as exc:
        report.checks.append(Check("store record", False, exc.message, exc.hint))
        return None, None
    if meta is None:
        report.checks.append(Check("store", True, "empty: nothing imported into it yet"))
        return None, None
    try:
        store = open_store(settings, meta)
    except (DamagedError, StoreBusyError) as exc:
        report.checks.append(Check("store", False, exc.message, exc.hint))
        return meta, None
    report.checks.append(Check("store", True, f"{store.count():,} memories, embedder "
                               f"{meta.embedder}"))
    return meta, store


def _open_state(settings: Settings, store: MemoryStore | None, meta: StoreMeta | None,
                repair: bool) -> tuple[Check, State | None]:
    path = settings.state_db
    problem = ""
    try:
        state = State(path)
        result = state.db.execute("PRAGMA quick_check").fetchone()[0]
        if result == "ok":
            return Check("state.db", True, f"schema {SCHEMA_VERSION}, intact"), state
        state.close()
        problem = f"quick_check: {result}"
    except (DamagedError, sqlite3.DatabaseError) as exc:
        problem = exc.message if isinstance(exc, DamagedError) else str(exc)
    fix = "memos doctor --repair (moves it aside and rebuilds it from the store)"
    if not repair:
        return Check("state.db", False, problem, fix), None
    aside = _move_aside(path)
    state = State(path)
    rebuilt = rebuild_ledger(state, store, meta) if store is not None else 0
    return Check("state.db", False, f"{problem}; moved to {aside}, rebuilt with {rebuilt:,} "
                 "ledger rows from the store", fix, repaired=True), state


def _move_aside(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    path.rename(aside)
    for suffix in ("-wal", "-shm"):  # SQLite's side files belong to the old file
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(aside.with_name(aside.name + suffix))
    return aside


def rebuild_ledger(state: State, store: MemoryStore, meta: StoreMeta | None = None) -> int:
    """Every message an episode came from is imported: the ledger says so again."""
    rows: set[tuple[str, str, str, str]] = set()
    for memory in store.scroll(MemoryFilter(include_superseded=True)):
        payload = memory.payload
        if payload.get("memory_type") != "episode":
            continue
        for source in payload.get("sources") or []:
            rows.add((str(payload["user_id"]), str(payload["conversation_id"]), str(source), ""))
    state.commit("doctor", sorted(rows), None)
    if meta is not None:
        state.bind_store(meta.store_id, created=False)
    return len(rows)


def _ledger_checks(state: State, store: MemoryStore | None, meta: StoreMeta | None,
                   repair: bool) -> list[Check]:
    checks: list[Check] = []
    bound = state.db.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()
    if meta is not None and bound is not None and meta.store_id and bound[0] != meta.store_id:
        checks.append(Check("ledger", False, "the ledger describes another store: the next "
                            "import empties it and reads every record again",
                            "memos import FILE (nothing else to do)"))
    else:
        checks.append(Check("ledger", True, f"{state.ledger_count():,} messages imported"))
    pending = state.retractions()
    if pending:
        fix = "memos doctor --repair, or any import"
        if repair and store is not None:
            finish_retractions(store, state, pending)
        checks.append(Check("retractions", False, f"{len(pending):,} left by a killed run",
                            fix, repaired=repair and store is not None))
    return checks
