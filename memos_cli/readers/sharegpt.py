"""ShareGPT: a JSON array of `{"conversations": [{"from", "value"}], "system"?, "tools"?}`, or
the openai-style variant `{"messages": [{"role", "content"}], "images"?}` (FORMATS.md §4).

No ids and no times: the conversation id comes from its content and position, so importing
the same file again adds nothing. `<image>` placeholders take the next entry of `images`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from memos_cli.ids import stable_id
from memos_cli.readers.base import ReaderItem, ReaderOptions, ReadStats, StartAt
from memos_cli.readers.exports import (
    BadConversation,
    content_key,
    read_export,
    request_record,
    require_user,
)

_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant",
          "system": "system", "function_call": "tool_call", "observation": "tool",
          "tool": "tool", "function": "tool"}
_IMAGE = "<image>"


def read_sharegpt(path: Path, options: ReaderOptions,
                  start: StartAt = StartAt()) -> Iterator[ReaderItem]:
    user = require_user(options, "ShareGPT")

    def convert(index: int, conversation: Any) -> list[ReaderItem]:
        turns = _turns(conversation)
        if turns is None:
            raise BadConversation("no `conversations` or `messages` list")
        conversation_id = stable_id("sharegpt", index, content_key(conversation))
        images = list(conversation.get("images") or [])
        messages: list[dict[str, Any]] = []
        if isinstance(conversation.get("system"), str) and conversation["system"].strip():
            messages.append({"role": "system", "content": conversation["system"]})
        last_call = None
        for position, (speaker, text) in enumerate(turns):
            message = _message(speaker, text, images, options.stats,
                               f"{conversation_id}:{position}")
            if message is None:
                continue
            if message["role"] == "assistant" and message.get("tool_calls"):
                last_call = message["tool_calls"][0]["id"]
            elif message["role"] == "tool":
                message["tool_call_id"] = last_call
            messages.append(message)
        for position, message in enumerate(messages):
            message.setdefault("message_id", f"{conversation_id}:{position}")
        return [request_record(path, index, user, conversation_id, messages, conversation)]

    return read_export(path, options, convert)


def _turns(conversation: Any) -> list[tuple[str, Any]] | None:
    if not isinstance(conversation, dict):
        return None
    if isinstance(conversation.get("conversations"), list):
        return [(str(t.get("from")), t.get("value")) for t in conversation["conversations"]
                if isinstance(t, dict)]
    if isinstance(conversation.get("messages"), list):
        return [(str(t.get("role")), t.get("content")) for t in conversation["messages"]
                if isinstance(t, dict)]
    return None


def _message(speaker: str, text: Any, images: list[Any], stats: ReadStats,
             message_id: str) -> dict[str, Any] | None:
    role = _ROLES.get(speaker)
    if role is None:
        stats.skip(f"speaker {speaker!r}")
        return None
    if not isinstance(text, str) or not text.strip():
        stats.skip(f"empty {speaker} turn")
        return None
    if role == "tool_call":
        try:
            call = orjson.loads(text)
        except orjson.JSONDecodeError:
            call = {"name": "function", "arguments": text}
        arguments = call.get("arguments", {}) if isinstance(call, dict) else text
        return {"role": "assistant", "content": "", "message_id": message_id, "tool_calls": [{
            "id": message_id, "type": "function",
            "function": {"name": str(call.get("name") if isinstance(call, dict) else "function"),
                         "arguments": arguments if isinstance(arguments, str)
                         else orjson.dumps(arguments).decode()}}]}
    if _IMAGE not in text:
        return {"role": role, "content": text}
    parts: list[dict[str, Any]] = []
    pieces = text.split(_IMAGE)
    for i, piece in enumerate(pieces):
        if piece.strip():
            parts.append({"type": "text", "text": piece.strip()})
        if i < len(pieces) - 1:
            url = str(images.pop(0)) if images else "image"
            parts.append({"type": "image_url", "image_url": {"url": url}})
    return {"role": role, "content": parts}
