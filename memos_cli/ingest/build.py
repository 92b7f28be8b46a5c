"""MemoryCandidate -> Memory: the content-derived id and the payload of DESIGN.md.

An episode's id comes from its messages; a fact's, preference's or tool memory's from the user
and its normalised text, so the same statement made twice is one memory whose sources are
merged rather than two points.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from memos_cli.ids import normalised, stable_id
from memos_cli.ingest.resolve import said_last, subject_of
from memos_cli.models import Memory, MemoryCandidate, Message, TurnBatch
from memos_cli.timeparse import iso


def memory_id(user_id: str, candidate: MemoryCandidate, conversation_id: str,
              resolution: bool = True) -> str:
    if candidate.memory_type == "episode":
        return stable_id("episode", user_id, conversation_id, *candidate.sources)
    keyed = subject_of(candidate.memory_type, candidate.attributes) if resolution else None
    if keyed is not None:  # one memory per value of a subject, however it was worded
        return stable_id(candidate.memory_type, user_id, *keyed)
    return stable_id(candidate.memory_type, user_id, normalised(candidate.text))


def build_memory(candidate: MemoryCandidate, batch: TurnBatch, extractor: str,
                 now: str, resolution: bool = True) -> Memory:
    wanted = set(candidate.sources)
    messages = [m for m in batch.messages if m.message_id in wanted] or batch.messages
    payload: dict[str, Any] = {
        "user_id": batch.user_id,
        "conversation_id": batch.conversation_id,
        "agent_id": _first(m.agent_id for m in messages),
        "app_id": _first(m.app_id for m in messages),
        "memory_type": candidate.memory_type,
        "text": candidate.text,
        "sources": list(candidate.sources),
        "chat_time": iso(candidate.chat_time),
        "last_said_at": iso(_last_time(messages) or candidate.chat_time),
        "created_at": now,
        "updated_at": now,
        "status": "active",
        "superseded_by": None,
        "mentions": len(wanted),
        "tags": _union(m.tags for m in messages),
        "info": _merged_info(messages),
        "scope": "public" if any(m.allow_public for m in messages) else "private",
        "knowledgebase_ids": _union(m.allow_knowledgebase_ids for m in messages),
        "extractor": extractor,
        "attributes": dict(candidate.attributes),
    }
    keyed = subject_of(candidate.memory_type, candidate.attributes) if resolution else None
    if keyed is not None:
        payload["subject"], payload["value"] = keyed
    return Memory(memory_id(batch.user_id, candidate, batch.conversation_id, resolution),
                  payload, context=candidate.context)


def link_carried(memories: list[Memory]) -> None:
    """Note on each episode the subject-bearing memories said inside it, so that a search
    which finds the episode can tell when what it says was superseded since."""
    keyed = [(m.id, set(m.payload["sources"])) for m in memories if m.payload.get("subject")]
    if not keyed:
        return
    for memory in memories:
        if memory.payload["memory_type"] == "episode":
            sources = set(memory.payload["sources"])
            carried = [memory_id for memory_id, said in keyed if said <= sources]
            if carried:
                memory.payload["carries"] = carried


def merge_into(existing: dict[str, Any], new: Memory) -> None:
    """Fold an earlier copy of the same memory into `new`: sources unioned, first time kept,
    the wording and conversation of the copy said last."""
    payload = new.payload
    latest = said_last(existing, payload)
    for key in ("text", "conversation_id", "agent_id", "app_id"):
        payload[key] = latest.get(key)
    sources = list(dict.fromkeys([*existing.get("sources", []), *payload["sources"]]))
    payload["sources"] = sources
    if payload["memory_type"] != "episode":
        payload["mentions"] = len(sources)
    payload["created_at"] = existing.get("created_at") or payload["created_at"]
    times = [t for t in (existing.get("chat_time"), payload["chat_time"]) if t]
    payload["chat_time"] = min(times) if times else None
    lasts = [t for t in (existing.get("last_said_at"), payload["last_said_at"]) if t]
    payload["last_said_at"] = max(lasts) if lasts else None
    payload["tags"] = list(dict.fromkeys([*existing.get("tags", []), *payload["tags"]]))
    payload["knowledgebase_ids"] = list(dict.fromkeys(
        [*existing.get("knowledgebase_ids", []), *payload["knowledgebase_ids"]]))
    payload["info"] = {**existing.get("info", {}), **payload["info"]}
    if existing.get("scope") == "public":
        payload["scope"] = "public"
    for key in ("status", "superseded_by"):
        if key in existing:
            payload[key] = existing[key]
    # A subject an update decision gave the stored memory outlives a restatement without one.
    if existing.get("subject") and not payload.get("subject"):
        payload["subject"], payload["value"] = existing["subject"], existing.get("value")


def _first(values: Any) -> str | None:
    for value in values:
        if value:
            return str(value)
    return None


def _union(lists: Any) -> list[str]:
    seen: dict[str, None] = {}
    for values in lists:
        for value in values:
            seen[value] = None
    return list(seen)


def _merged_info(messages: list[Message]) -> dict[str, str]:
    info: dict[str, str] = {}
    for message in messages:
        info.update(message.info)
    return info


def _last_time(messages: list[Message]) -> datetime | None:
    times = [m.chat_time for m in messages if m.chat_time is not None]
    return max(times) if times else None
