"""RawRecord -> Messages: both memos shapes, the MemOS field set, normalised and validated.

A request line with four messages is four records; each one that fails becomes its own Failure
whose `raw` is that message in the one-message-per-line shape, so a fixed failures file
re-imports message by message.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
from pydantic import ValidationError

from memos_cli.ids import stable_id
from memos_cli.ingest.documents import file_text
from memos_cli.models import Failure, Message, RawRecord
from memos_cli.readers.base import clip
from memos_cli.timeparse import iso, parse_chat_time

# Request-level fields every message of the request inherits.
CONTEXT_FIELDS = ("user_id", "conversation_id", "info", "tags", "agent_id", "app_id",
                  "async_mode", "allow_public", "allow_knowledgebase_ids", "chat_time")
_ID_FIELDS = ("user_id", "conversation_id", "agent_id", "app_id", "message_id", "tool_call_id")


def record_count(record: RawRecord) -> int:
    """How many input records a line holds: its messages, or one."""
    messages = record.data.get("messages")
    return len(messages) if isinstance(messages, list) and messages else 1


def validate(record: RawRecord) -> Iterator[Message | Failure]:
    data = record.data
    messages = data.get("messages")
    if messages is None:
        if "role" not in data and "content" not in data:
            yield _failure(record, record.raw, "a record needs `messages` (an add-message request) "
                           "or `role` and `content` (one message)")
            return
        yield _validate_one(record, {**record.defaults, **data}, record.raw)
        return
    if not isinstance(messages, list) or not messages:
        yield _failure(record, record.raw, "`messages` must be a non-empty list")
        return
    context = {**record.defaults, **{k: data[k] for k in CONTEXT_FIELDS if k in data}}
    for message in messages:
        if not isinstance(message, dict):
            raw = clip(orjson.dumps({**context, "message": message}).decode())
            kind = type(message).__name__
            yield _failure(record, raw, f"a message must be an object, found {kind}")
            continue
        merged = {**context, **message}
        raw = record.raw if len(messages) == 1 else clip(orjson.dumps(merged).decode())
        yield _validate_one(record, merged, raw)


def _validate_one(record: RawRecord, fields: dict[str, Any], raw: str) -> Message | Failure:
    try:
        normalised = _normalise(fields)
        normalised["source_file"] = record.file
        normalised["source_line"] = record.line
        normalised["source_offset"] = record.start_offset
        normalised["raw"] = raw
        return Message.model_validate(normalised)
    except ValueError as exc:
        return _failure(record, raw, _reason(exc))


def _normalise(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    for key in _ID_FIELDS:
        value = out.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = str(value)
        elif value == "":
            out.pop(key)
    out["chat_time"] = parse_chat_time(out.get("chat_time"))
    out["info"] = normalise_info(out.get("info"))
    out["tags"] = _normalise_tags(out.get("tags"))
    if isinstance(out.get("allow_knowledgebase_ids"), str):
        out["allow_knowledgebase_ids"] = [out["allow_knowledgebase_ids"]]
    if out.get("allow_knowledgebase_ids") is None:
        out.pop("allow_knowledgebase_ids", None)
    content = out.get("content")
    if content is None:
        content = ""
    if content == "" and not out.get("tool_calls"):
        raise ValueError("the message has no content")
    out["content"] = _read_attachments(content)
    if out.get("tool_calls") is None:
        out.pop("tool_calls", None)
    if not out.get("message_id"):
        out["message_id"] = _derived_message_id(out)
    return out


def _read_attachments(content: Any) -> Any:
    """File parts with data get their text now: an unreadable one fails this message."""
    if not isinstance(content, list):
        return content
    parts = []
    for part in content:
        if isinstance(part, dict) and part.get("type") == "file" and isinstance(
                part.get("file"), dict) and part["file"].get("file_data"):
            ref = part["file"]
            text = file_text(str(ref["file_data"]), ref.get("filename"))
            part = {**part, "text": text, "file": {**ref, "file_data": None}}
        parts.append(part)
    return parts


def normalise_info(info: Any) -> dict[str, str]:
    """info is a flat key -> string map: numbers and lists of strings are normalised."""
    if info is None:
        return {}
    if not isinstance(info, dict):
        raise ValueError(f"info must be an object of key -> string, found {type(info).__name__}")
    flat: dict[str, str] = {}
    for key, value in info.items():
        if value is None:
            continue
        if isinstance(value, str):
            flat[key] = value
        elif isinstance(value, bool):
            flat[key] = "true" if value else "false"
        elif isinstance(value, int | float):
            flat[key] = str(value)
        elif isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
            flat[key] = ",".join(str(v) for v in value)
        else:
            raise ValueError(f"info.{key} must be a string, number or list of strings, "
                             f"not a nested {type(value).__name__}")
    return flat


def _normalise_tags(tags: Any) -> list[str]:
    if tags is None:
        return []
    if isinstance(tags, str):
        return [t.strip() for t in tags.replace(";", ",").split(",") if t.strip()]
    if isinstance(tags, list) and all(isinstance(t, str) for t in tags):
        return [t for t in tags if t]
    raise ValueError("tags must be a list of strings")


def _derived_message_id(fields: dict[str, Any]) -> str:
    """Identical messages (conversation, role, time and text) are one message by design."""
    content = fields.get("content")
    text = content if isinstance(content, str) else orjson.dumps(content).decode()
    if fields.get("tool_calls"):
        text += orjson.dumps(fields["tool_calls"]).decode()
    return stable_id("msg", fields.get("user_id"), fields.get("conversation_id"),
                     fields.get("role"), iso(fields.get("chat_time")), text)


def _reason(exc: ValueError) -> str:
    if isinstance(exc, ValidationError):
        parts = []
        for err in exc.errors()[:3]:
            where = ".".join(str(p) for p in err["loc"]) or "record"
            message = err["msg"]
            if err["type"] == "missing":
                message = "is required"
            parts.append(f"{where}: {message}")
        return "; ".join(parts)
    return str(exc)


def _failure(record: RawRecord, raw: str, reason: str) -> Failure:
    return Failure(record.file, record.line, "validate", reason, raw, record.start_offset)
