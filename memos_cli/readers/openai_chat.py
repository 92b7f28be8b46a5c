"""OpenAI chat JSONL (fine-tuning and eval files): `{"messages": [...], "tools"?}` per line
(FORMATS.md §3). No user or conversation ids: --user gives the user, and each line's
conversation id comes from its line number and content, stable across runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from memos_cli.ids import stable_id
from memos_cli.models import Failure, RawRecord
from memos_cli.readers.base import ReaderItem, ReaderOptions, StartAt, clip
from memos_cli.readers.exports import content_key, require_user
from memos_cli.readers.memos_jsonl import read_memos_jsonl

_FIELDS = ("role", "content", "name", "tool_calls", "tool_call_id")


def read_openai_chat(path: Path, options: ReaderOptions,
                     start: StartAt = StartAt()) -> Iterator[ReaderItem]:
    user = require_user(options, "OpenAI chat JSONL")
    for item in read_memos_jsonl(path, options, start):
        if isinstance(item, Failure):
            yield item
            continue
        messages = item.data.get("messages")
        if not isinstance(messages, list) or not messages:
            yield Failure(item.file, item.line, "read", "a line needs a non-empty `messages` list",
                          item.raw, item.start_offset)
            continue
        options.stats.conversations += 1
        conversation_id = stable_id("openai-chat", item.line, content_key(messages))
        converted: list[Any] = []
        for position, message in enumerate(messages):
            if isinstance(message, dict):
                message = {k: message[k] for k in _FIELDS if k in message}
                message["message_id"] = f"{conversation_id}:{position}"
            converted.append(message)
        request = {"user_id": user, "conversation_id": conversation_id, "messages": converted}
        yield RawRecord(item.file, item.line, clip(orjson.dumps(request).decode()), request,
                        start_offset=item.start_offset, end_offset=item.end_offset)
