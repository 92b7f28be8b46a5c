"""The ChatGPT data export: `conversations.json`, or the export .zip (FORMATS.md §5).

`mapping` is a tree of nodes; the thread the user saw runs from `current_node` up through
`parent` to the root. Other branches are abandoned regenerations or edits: skipped, or kept
with `--all-branches` as conversations of their own tagged `abandoned-branch`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from memos_cli.readers.base import ReaderItem, ReaderOptions, ReadStats, StartAt
from memos_cli.readers.exports import (
    BadConversation,
    read_export,
    request_record,
    require_user,
)

_TEXT_FIELDS = ("text", "result", "summary", "content")


def read_chatgpt(path: Path, options: ReaderOptions,
                 start: StartAt = StartAt()) -> Iterator[ReaderItem]:
    user = require_user(options, "ChatGPT export")

    def convert(index: int, conversation: Any) -> list[ReaderItem]:
        records: list[ReaderItem] = []
        base_id = str(conversation.get("conversation_id") or conversation.get("id") or index)
        for leaf, nodes, abandoned in _threads(conversation, options.all_branches):
            messages = _messages(conversation, nodes, options.stats, abandoned)
            if abandoned and not messages:
                continue
            conversation_id = f"{base_id}:branch:{leaf}" if abandoned else base_id
            records.append(request_record(path, index, user, conversation_id, messages,
                                          conversation))
        return records

    return read_export(path, options, convert)


def _threads(conversation: Any, all_branches: bool) -> list[tuple[str, list[Any], bool]]:
    """(leaf id, nodes root-first, abandoned?) for the visible thread and, if asked, others."""
    if not isinstance(conversation, dict) or not isinstance(conversation.get("mapping"), dict):
        raise BadConversation("no `mapping` object")
    mapping: dict[str, Any] = conversation["mapping"]
    if not mapping:
        raise BadConversation("`mapping` is empty")
    current = conversation.get("current_node")
    if current not in mapping:
        current = _latest_leaf(mapping)
    visible = _path_to_root(mapping, str(current))
    threads = [(str(current), visible, False)]
    if all_branches:
        seen = {id(node) for node in visible}
        for node_id, node in mapping.items():
            if node.get("children"):
                continue
            if id(node) in seen:
                continue
            branch = [n for n in _path_to_root(mapping, node_id) if id(n) not in seen]
            seen.update(id(n) for n in branch)
            threads.append((node_id, branch, True))
    return threads


def _latest_leaf(mapping: dict[str, Any]) -> str:
    leaves = [(k, v) for k, v in mapping.items() if isinstance(v, dict) and not v.get("children")]
    if not leaves:
        raise BadConversation("no `current_node` and no leaf to start from (a cycle?)")
    return max(leaves, key=lambda kv: _time_of(kv[1]) or 0.0)[0]


def _path_to_root(mapping: dict[str, Any], node_id: str) -> list[Any]:
    path: list[Any] = []
    visited: set[str] = set()
    current: str | None = node_id
    while current is not None:
        if current in visited:
            raise BadConversation(f"`mapping` has a cycle through node {current}")
        visited.add(current)
        node = mapping.get(current)
        if not isinstance(node, dict):
            raise BadConversation(f"node {current} is missing from `mapping` (a broken parent "
                                  "link)")
        path.append(node)
        parent = node.get("parent")
        current = str(parent) if parent is not None else None
    path.reverse()
    return path


def _time_of(node: Any) -> float | None:
    message = node.get("message") if isinstance(node, dict) else None
    value = message.get("create_time") if isinstance(message, dict) else None
    return float(value) if isinstance(value, int | float) else None


def _messages(conversation: Any, nodes: list[Any], stats: ReadStats,
              abandoned: bool) -> list[dict[str, Any]]:
    fallback_time = conversation.get("create_time")
    messages: list[dict[str, Any]] = []
    calls: dict[str, str] = {}  # tool name -> id of the assistant message that called it
    for node in nodes:
        message = node.get("message")
        if not isinstance(message, dict):
            continue  # the root
        converted = _message(message, stats, calls)
        if converted is None:
            continue
        converted["chat_time"] = message.get("create_time") or fallback_time
        converted["message_id"] = str(message.get("id") or node.get("id"))
        if abandoned:
            converted["tags"] = ["abandoned-branch"]
        messages.append(converted)
    return messages


def _message(message: dict[str, Any], stats: ReadStats,
             calls: dict[str, str]) -> dict[str, Any] | None:
    metadata = message.get("metadata") or {}
    if metadata.get("is_visually_hidden_from_conversation"):
        stats.skip("hidden message")
        return None
    author = message.get("author") or {}
    role = author.get("role")
    content = message.get("content") or {}
    parts = _parts(content, stats)
    if parts is None:
        return None
    if not parts:
        stats.skip(f"empty {role or 'unknown'} message")
        return None
    text = "\n".join(p["text"] for p in parts if p["type"] == "text")
    recipient = message.get("recipient") or "all"
    message_id = str(message.get("id"))
    if role == "assistant" and recipient != "all":
        calls[recipient] = message_id
        return {"role": "assistant", "content": "", "tool_calls": [{
            "id": message_id, "type": "function",
            "function": {"name": recipient, "arguments": text}}]}
    if role == "tool":
        name = str(author.get("name") or "tool")
        return {"role": "tool", "name": name, "tool_call_id": calls.get(name),
                "content": text or parts}
    if role not in ("user", "assistant", "system"):
        stats.skip(f"author role {role!r}")
        return None
    only_text = all(p["type"] == "text" for p in parts)
    return {"role": role, "content": text if only_text else parts}


def _parts(content: dict[str, Any], stats: ReadStats) -> list[dict[str, Any]] | None:
    """The content as memos parts; None when it has nothing usable (counted as skipped)."""
    kind = content.get("content_type")
    found: list[dict[str, Any]] = []
    for part in content.get("parts") or []:
        if isinstance(part, str):
            if part.strip():
                found.append({"type": "text", "text": part})
        elif isinstance(part, dict) and part.get("content_type") == "image_asset_pointer":
            url = str(part.get("asset_pointer"))
            found.append({"type": "image_url", "image_url": {"url": url}})
        elif isinstance(part, dict) and isinstance(part.get("text"), str) and part["text"].strip():
            found.append({"type": "text", "text": part["text"]})
    if not found:
        for field in _TEXT_FIELDS:
            value = content.get(field)
            if isinstance(value, str) and value.strip():
                found.append({"type": "text", "text": value})
                break
    if not found and kind not in (None, "text", "multimodal_text"):
        stats.skip(f"content type {kind} without text")
        return None
    return found
