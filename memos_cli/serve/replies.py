"""memos memories as the MemOS reply lists: facts, episodes and documents in
`memory_detail_list`, preferences in `preference_detail_list`, tool memories in
`tool_memory_detail_list`. Times are epoch milliseconds, as every real MemOS reply has them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

# memos type -> MemOS memory_type: what the user said of themself is UserMemory.
_MEMOS_TYPES = {"fact": "UserMemory", "preference": "UserMemory", "episode": "LongTermMemory",
                "document": "LongTermMemory", "tool": "LongTermMemory"}
MEMORY_TYPES = ("fact", "episode", "document")


def millis(value: Any) -> int | None:
    if not value:
        return None
    try:
        return int(datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def _common(memory_id: str, payload: dict[str, Any], score: float | None) -> dict[str, Any]:
    return {
        "id": memory_id,
        "create_time": millis(payload.get("created_at")),
        "update_time": millis(payload.get("updated_at")),
        "chat_time": millis(payload.get("chat_time")),
        "conversation_id": payload.get("conversation_id"),
        "status": "activated" if payload.get("status", "active") == "active" else "archived",
        "tags": payload.get("tags") or [],
        "agent_id": payload.get("agent_id"),
        "app_id": payload.get("app_id"),
        "relativity": round(score, 6) if score is not None else None,
        "memos_type": payload.get("memory_type"),
    }


def memory_item(memory_id: str, payload: dict[str, Any], score: float | None = None,
                detail: bool = False) -> dict[str, Any]:
    """One memory in the list its type belongs to; `detail` adds sources and info (get/memory
    and get/memory/{id})."""
    kind = payload.get("memory_type")
    text = str(payload.get("text", ""))
    item = _common(memory_id, payload, score)
    if kind == "preference":
        attributes = payload.get("attributes") or {}
        item.update(preference=text, preference_type="explicit_preference",
                    reasoning=f"said by the user ({attributes.get('kind', 'preference')})")
    elif kind == "tool":
        attributes = payload.get("attributes") or {}
        item.update(tool_type=attributes.get("tool", "tool"), tool_value=text,
                    tool_outcome=attributes.get("outcome"))
    else:
        item.update(memory_key=str(payload.get("subject") or text[:40]), memory_value=text,
                    memory_type=_MEMOS_TYPES.get(str(kind), "LongTermMemory"),
                    confidence=1.0)
    if detail:
        item.update(sources=payload.get("sources") or [], info=payload.get("info") or {},
                    user_id=payload.get("user_id"))
    return item


def list_name(memory_type: str) -> str:
    if memory_type == "preference":
        return "preference_detail_list"
    if memory_type == "tool":
        return "tool_memory_detail_list"
    return "memory_detail_list"
