"""Applying resolution to a flush: merge with what the store holds, settle each subject's
active value, and describe every change for the history and the run summary."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import orjson

from memos_cli.ingest.build import merge_into
from memos_cli.ingest.resolve import resolve
from memos_cli.models import Memory
from memos_cli.state import State
from memos_cli.store import MemoryFilter, MemoryStore

HistoryRow = tuple[str, str, str, str, str, str, str, str, str, str]


@dataclass(slots=True)
class Settled:
    added: int = 0
    merged: int = 0
    superseded: int = 0
    history: list[HistoryRow] = field(default_factory=list)
    # Stored memories whose status the flush changed, vectors included: upserted with it.
    flipped: list[Memory] = field(default_factory=list)


def settle(store: MemoryStore, memories: list[Memory]) -> Settled:
    """Merge `memories` into the stored copies of the same ids and decide every touched
    subject. Returns what changed, with the stored memories whose status flips (for the
    caller to upsert together with `memories`, in one write)."""
    result = Settled()
    mergeable = [m.id for m in memories if m.payload["memory_type"] != "episode"]
    existing = {m.id: m.payload for m in store.retrieve(mergeable)}
    for memory in memories:
        before = existing.get(memory.id)
        if before is None:
            result.added += 1
            result.history.append(_row(memory.id, memory.payload, "added"))
            continue
        grew = set(memory.payload["sources"]) - set(before.get("sources", []))
        merge_into(before, memory)
        if grew:
            result.merged += 1
            result.history.append(_row(memory.id, memory.payload, "merged"))
    _settle_subjects(store, memories, existing, result)
    return result


def _settle_subjects(store: MemoryStore, memories: list[Memory],
                     existing: dict[str, dict[str, Any]], result: Settled) -> None:
    groups: dict[tuple[str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    for memory in memories:
        subject = memory.payload.get("subject")
        if subject:
            groups[(memory.payload["user_id"], subject)][memory.id] = memory.payload
    by_user: dict[str, list[str]] = defaultdict(list)
    for user, subject in groups:
        by_user[user].append(subject)
    stored: dict[str, Memory] = {}
    for user, subjects in by_user.items():
        where = MemoryFilter(user_id=user, match_any={"subject": subjects},
                             include_superseded=True)
        for other in store.scroll(where, with_vectors=True):
            if other.id not in groups[(user, str(other.payload["subject"]))]:
                groups[(user, str(other.payload["subject"]))][other.id] = other.payload
                stored[other.id] = other
    for members in groups.values():
        for decision in resolve(members.items()):
            payload = members[decision.id]
            before = (existing[decision.id] if decision.id in existing else
                      stored[decision.id].payload if decision.id in stored else {})
            was = before.get("status")
            pointed_at = before.get("superseded_by")
            payload["status"], payload["superseded_by"] = decision.status, decision.superseded_by
            if was == decision.status and decision.id in stored \
                    and pointed_at != decision.superseded_by:
                # Still superseded, now by a newer value: superseded_by must name the active
                # one whatever order the values arrived in.
                result.flipped.append(stored[decision.id])
                continue
            if was == decision.status or (was is None and decision.status == "active"):
                continue
            if decision.status == "superseded":
                result.superseded += 1
            event = "superseded" if decision.status == "superseded" else "reactivated"
            result.history.append(_row(decision.id, payload, event))
            if decision.id in stored:
                result.flipped.append(stored[decision.id])


def _row(memory_id: str, payload: dict[str, Any], event: str) -> HistoryRow:
    return (memory_id, str(payload["user_id"]), str(payload.get("subject") or ""), event,
            str(payload.get("status")), str(payload["text"]), str(payload.get("chat_time") or ""),
            str(payload.get("last_said_at") or ""),
            orjson.dumps(payload.get("sources", [])).decode(),
            str(payload.get("superseded_by") or ""))


def finish_retractions(store: MemoryStore, state: State,
                       retractions: dict[str, set[str]] | None = None) -> int:
    """Apply recorded retractions (by default every one state.db holds, such as those a run
    killed after its commit left) and mark them done. Returns how many there were."""
    pending = state.retractions() if retractions is None else retractions
    if pending:
        retract(store, pending)
        state.retracted(pending)
    return len(pending)


def retract(store: MemoryStore, retractions: dict[str, set[str]]) -> None:
    """Take messages out of the sources of memories that no longer come from them (an earlier
    run's tail episode, now part of a longer one); a memory left with no source is deleted."""
    if not retractions:
        return
    kept: list[Memory] = []
    gone: list[str] = []
    for memory in store.retrieve(sorted(retractions), with_vectors=True):
        sources = [s for s in memory.payload.get("sources") or []
                   if s not in retractions[memory.id]]
        if not sources:
            gone.append(memory.id)
            continue
        memory.payload["sources"] = sources
        if memory.payload["memory_type"] != "episode":
            memory.payload["mentions"] = len(sources)
        kept.append(memory)
    if kept:
        store.upsert(kept)
    store.delete(gone)
