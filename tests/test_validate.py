"""Validation: the MemOS field set normalised, per-message failures, stable derived ids."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from memos_cli.ingest.validate import normalise_info, validate
from memos_cli.models import Failure, Message, RawRecord
from memos_cli.timeparse import parse_chat_time


def run(data: dict[str, Any]) -> list[Message | Failure]:
    return list(validate(RawRecord("f.jsonl", 7, "raw", data)))


BASE = {"user_id": "u1", "conversation_id": "c1"}


def test_request_with_every_field() -> None:
    request = {
        **BASE, "info": {"scene": "chat", "biz_id": 42, "ids": ["a", "b"]}, "tags": ["t"],
        "agent_id": "ag", "app_id": "ap", "allow_public": True, "async_mode": True,
        "allow_knowledgebase_ids": ["kb1"],
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "look"},
                                         {"type": "image_url", "image_url": {"url": "http://x/i.png"}}],
             "chat_time": 1757664000},
            {"role": "assistant", "content": None, "tool_calls": [
                {"id": "call1", "type": "function",
                 "function": {"name": "get_weather", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "call1", "content": "sunny"},
        ],
    }
    messages = run(request)
    assert all(isinstance(m, Message) for m in messages)
    first = messages[0]
    assert isinstance(first, Message)
    assert first.info == {"scene": "chat", "biz_id": "42", "ids": "a,b"}
    assert (first.agent_id, first.app_id, first.allow_public, first.async_mode) == (
        "ag", "ap", True, True)
    assert first.allow_knowledgebase_ids == ["kb1"]
    assert first.chat_time == datetime(2025, 9, 12, 8, 0, tzinfo=UTC)
    assert "[image: http://x/i.png]" in first.text
    second = messages[1]
    assert isinstance(second, Message) and second.tool_calls[0].function.name == "get_weather"


def test_one_bad_message_of_a_request_fails_alone() -> None:
    results = run({**BASE, "messages": [{"role": "user", "content": "ok"},
                                         {"role": "robot", "content": "no"}]})
    assert isinstance(results[0], Message)
    failure = results[1]
    assert isinstance(failure, Failure) and failure.line == 7 and "role" in failure.reason
    assert '"robot"' in failure.raw and '"user_id"' in failure.raw  # re-importable alone


@pytest.mark.parametrize("data, reason", [
    ({"role": "user", "content": "x"}, "user_id"),
    ({**BASE, "role": "user", "content": "x", "info": {"a": {"b": 1}}}, "info.a"),
    ({**BASE, "role": "user", "content": "x", "chat_time": "soon"}, "chat_time"),
    ({**BASE, "role": "user", "content": ""}, "no content"),
    ({**BASE, "messages": []}, "non-empty"),
    ({**BASE, "hello": 1}, "needs `messages`"),
])
def test_bad_records_say_why(data: dict[str, Any], reason: str) -> None:
    [failure] = run(data)
    assert isinstance(failure, Failure) and reason in failure.reason


def test_derived_message_ids_are_stable_and_content_bound() -> None:
    one = {**BASE, "role": "user", "content": "hi", "chat_time": "2025-01-01 10:00:00"}
    a, b = run(one)[0], run(dict(one))[0]
    c = run({**one, "content": "hi!"})[0]
    assert isinstance(a, Message) and isinstance(b, Message) and isinstance(c, Message)
    assert a.message_id == b.message_id != c.message_id
    given = run({**one, "message_id": "m-1", "user_id": 12})[0]
    assert isinstance(given, Message) and given.message_id == "m-1" and given.user_id == "12"


@pytest.mark.parametrize("value, expected", [
    ("2025-09-12 08:00:00", datetime(2025, 9, 12, 8, tzinfo=UTC)),
    ("2025-09-12T10:00:00+02:00", datetime(2025, 9, 12, 8, tzinfo=UTC)),
    ("2025-09-12T08:00:00Z", datetime(2025, 9, 12, 8, tzinfo=UTC)),
    (1757664000, datetime(2025, 9, 12, 8, tzinfo=UTC)),
    ("1757664000.5", datetime(2025, 9, 12, 8, 0, 0, 500000, tzinfo=UTC)),
    (1757664000000, datetime(2025, 9, 12, 8, tzinfo=UTC)),
    (None, None),
])
def test_chat_time_forms(value: object, expected: datetime | None) -> None:
    assert parse_chat_time(value) == expected


def test_info_normalisation() -> None:
    assert normalise_info({"n": 1.5, "b": True, "l": [1, "x"], "none": None}) == {
        "n": "1.5", "b": "true", "l": "1,x"}
    with pytest.raises(ValueError, match="nested"):
        normalise_info({"x": [{"y": 1}]})
