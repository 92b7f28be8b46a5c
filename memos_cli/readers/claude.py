"""The Claude.ai export: `conversations.json` (FORMATS.md §6).

Answers come from the `text` content blocks, never from `thinking` (with extended thinking
the flat `text` holds the thinking too). Attachments' extracted text becomes document parts.
The account's uuid is the user unless --user is given.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from memos_cli.readers.base import ReaderItem, ReaderOptions, ReadStats, StartAt
from memos_cli.readers.exports import (
    BadConversation,
    read_export,
    request_record,
    require_user,
)

_ROLES = {"human": "user", "user": "user", "assistant": "assistant"}


def read_claude(path: Path, options: ReaderOptions,
                start: StartAt = StartAt()) -> Iterator[ReaderItem]:
    def convert(index: int, conversation: Any) -> list[ReaderItem]:
        if not isinstance(conversation, dict) or not isinstance(
                conversation.get("chat_messages"), list):
            raise BadConversation("no `chat_messages` list")
        account = conversation.get("account") or {}
        user = require_user(options, "Claude export",
                            account.get("uuid") if isinstance(account, dict) else None)
        messages = [m for raw in conversation["chat_messages"]
                    for m in _messages(raw, options.stats)]
        conversation_id = str(conversation.get("uuid") or index)
        return [request_record(path, index, user, conversation_id, messages, conversation)]

    return read_export(path, options, convert)


def _messages(raw: Any, stats: ReadStats) -> list[dict[str, Any]]:
    if not isinstance(raw, dict):
        stats.skip("message that is not an object")
        return []
    role = _ROLES.get(str(raw.get("sender")))
    if role is None:
        stats.skip(f"sender {raw.get('sender')!r}")
        return []
    content = raw.get("content")
    blocks: list[Any] = [b for b in content if isinstance(b, dict)] if isinstance(
        content, list) else []
    texts = [b["text"] for b in blocks if b.get("type") == "text" and b.get("text")]
    if not blocks and raw.get("text"):
        texts = [raw["text"]]
    if any(b.get("type") == "thinking" for b in blocks):
        stats.skip("thinking block")
    parts: list[dict[str, Any]] = [{"type": "text", "text": t} for t in texts]
    for attachment in raw.get("attachments") or []:
        extracted = attachment.get("extracted_content") if isinstance(attachment, dict) else None
        if extracted:
            parts.append({"type": "file", "text": extracted,
                          "file": {"filename": attachment.get("file_name") or "attachment"}})
    base = {"chat_time": raw.get("created_at"), "message_id": str(raw.get("uuid"))}
    found: list[dict[str, Any]] = []
    calls = [b for b in blocks if b.get("type") == "tool_use"]
    if role == "assistant" and calls:
        found.append({**base, "message_id": f"{base['message_id']}:calls", "role": "assistant",
                      "content": "", "tool_calls": [{
                          "id": str(b.get("id")), "type": "function",
                          "function": {"name": str(b.get("name")),
                                       "arguments": orjson.dumps(b.get("input") or {}).decode()}}
                          for b in calls]})
    for block in blocks:
        if block.get("type") == "tool_result":
            found.append({**base, "message_id": f"{base['message_id']}:{block.get('tool_use_id')}",
                          "role": "tool", "tool_call_id": block.get("tool_use_id"),
                          "content": _block_text(block.get("content"))})
    if parts:
        only_text = len(parts) == 1 and parts[0]["type"] == "text"
        found.append({**base, "role": role, "content": parts[0]["text"] if only_text else parts})
    elif not found:
        stats.skip(f"empty {role} message")
    return found


def _block_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(c.get("text", "")) for c in content if isinstance(c, dict))
    return orjson.dumps(content).decode()
