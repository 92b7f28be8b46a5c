"""Telegram Desktop's "Export chat history" JSON: one chat (`{name, type, id, messages}`) or a
whole account (`{..., "chats": {"list": [chat, ...]}}`).

Both sides of a chat are people, so every sender is a `user` message under the sender's name
(their facts stay their own), and `--user` names whose store the chat goes into. The export
is one JSON document over many lines; it is streamed, a message at a time for one chat and a
chat at a time for an account. Service messages (joins, pins, calls) and media without text
are skipped and counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ijson
import orjson

from memos_cli.models import Failure, RawRecord
from memos_cli.readers.base import ReaderItem, ReaderOptions, ReadStats, StartAt, clip
from memos_cli.readers.exports import require_user
from memos_cli.readers.source import open_input


def read_telegram(path: Path, options: ReaderOptions,
                  start: StartAt = StartAt()) -> Iterator[ReaderItem]:
    user = require_user(options, "Telegram export")
    index = 0
    try:
        for chat_id, chat_name, message in _messages(path, options.stats):
            index += 1
            item = _record(path, index, user, chat_id, chat_name, message, options.stats)
            if item is not None:
                yield item
    except (ijson.JSONError, ValueError) as exc:
        yield Failure(str(path), index + 1, "read", f"the export breaks off after message "
                      f"{index} (truncated or invalid JSON: {exc}); every message before it "
                      "was read", "")


def _messages(path: Path, stats: ReadStats) -> Iterator[tuple[str, str, Any]]:
    """(chat id, chat name, message) in file order: a single chat's messages streamed, an
    account's chats one at a time."""
    kind, head = _layout(path)
    with open_input(path) as handle:
        if kind == "account":
            for chat in ijson.items(handle, "chats.list.item", use_float=True):
                if not isinstance(chat, dict):
                    continue
                stats.conversations += 1
                for message in chat.get("messages") or []:
                    yield str(chat.get("id", "")), str(chat.get("name") or ""), message
            return
        stats.conversations += 1
        for message in ijson.items(handle, "messages.item", use_float=True):
            yield str(head.get("id", "")), str(head.get("name") or ""), message


def _layout(path: Path) -> tuple[str, dict[str, Any]]:
    """'account' or 'chat', with the chat's own id and name (they come before its messages)."""
    head: dict[str, Any] = {}
    with open_input(path) as handle:
        key = ""
        for prefix, event, value in ijson.parse(handle, use_float=True):
            if prefix == "" and event == "map_key":
                key = str(value)
                if key in ("chats", "messages"):
                    return ("account" if key == "chats" else "chat"), head
            elif prefix == key and event in ("string", "number") and key in ("id", "name"):
                head[key] = value
    return "chat", head


def _record(path: Path, index: int, user: str, chat_id: str, chat_name: str, message: Any,
            stats: ReadStats) -> ReaderItem | None:
    raw = orjson.dumps(message, default=str).decode()
    if not isinstance(message, dict):
        return Failure(str(path), index, "read", f"message {index} is not an object", clip(raw))
    if message.get("type") != "message":
        stats.skip(f"{message.get('type') or 'untyped'} message")
        return None
    text = flatten_text(message.get("text"))
    if not text.strip():
        stats.skip("media or sticker without text")
        return None
    unixtime = str(message.get("date_unixtime", ""))
    record = {
        "user_id": user,
        "conversation_id": f"telegram-{chat_id or chat_name}",
        "message_id": str(message.get("id", index)),
        "role": "user",
        "name": str(message.get("from") or message.get("from_id") or "unknown"),
        "content": text,
        "chat_time": int(unixtime) if unixtime.isdigit() else message.get("date"),
        "info": {"source": "telegram", **({"chat": chat_name} if chat_name else {})},
    }
    return RawRecord(str(path), index, clip(raw), record, start_offset=index, end_offset=index)


def flatten_text(text: Any) -> str:
    """Telegram's `text`: a string, or a list of strings and `{type, text}` pieces."""
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        return "".join(p if isinstance(p, str) else str(p.get("text", ""))
                       for p in text if isinstance(p, (str, dict)))
    return ""
