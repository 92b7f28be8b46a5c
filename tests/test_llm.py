"""The LLM extractor and the openai embedder, through the real `openai` client and the real CLI,
against a scripted OpenAI-protocol server on 127.0.0.1 (memos_cli/devtools/fake_openai.py)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import Cli, write_jsonl
from memos_cli.config import load_settings
from memos_cli.devtools.fake_openai import (
    FakeOpenAI,
    Reply,
    chat_reply,
    embeddings_reply,
    error_reply,
)
from memos_cli.llm.client import InvalidAnswer, parse_answer, retry_after
from memos_cli.llm.limiter import RateLimiter
from memos_cli.llm.prompts import Extraction
from memos_cli.store import open_store, read_meta

SECRET = "sk-test-Zq81xK3secretVALUE9"
_LINE = re.compile(r"^\[(\d+)\] (?:\([^)]*\) )?(\w+)(?: [^:]*)?: (.*)$")


def batch_lines(body: dict[str, Any]) -> list[tuple[int, str, str]]:
    """(number, role, text) of each message an extraction request shows."""
    found = []
    for line in body["messages"][-1]["content"].splitlines():
        match = _LINE.match(line)
        if match:
            found.append((int(match.group(1)), match.group(2), match.group(3)))
    return found


def is_decision(body: dict[str, Any]) -> bool:
    return "consistent" in body["messages"][0]["content"]


def extraction(body: dict[str, Any]) -> dict[str, Any]:
    """What a well-behaved model answers: one fact per user message, citing it."""
    return {"memories": [
        {"type": "fact", "text": f"The user said {text}", "sources": [number], "confidence": 0.9}
        for number, role, text in batch_lines(body) if role == "user"]}


def answer(decide: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
           ) -> Callable[[str, dict[str, Any], int], Reply]:
    """A healthy server: extraction as above, every decision ADD unless `decide` says."""
    def script(endpoint: str, body: dict[str, Any], number: int) -> Reply:
        if endpoint == "embeddings":
            return embeddings_reply(body)
        if is_decision(body):
            new = body["messages"][-1]["content"].split("New memories:")[1]
            count = len(re.findall(r"^\[\d+\]", new, re.MULTILINE))
            return chat_reply(json.dumps(decide(body) if decide else {"decisions": [
                {"candidate": n, "action": "ADD"} for n in range(1, count + 1)]}))
        return chat_reply(json.dumps(extraction(body)))
    return script


def flaky(server_error: int, failing: Callable[[dict[str, Any]], bool],
          ) -> Callable[[str, dict[str, Any], int], Reply]:
    """A healthy server that, while `failing(request)` holds, answers a third of chat requests
    429 (Retry-After: 1) and a tenth `server_error`."""
    healthy = answer()

    def script(endpoint: str, body: dict[str, Any], number: int) -> Reply:
        if endpoint == "chat" and (number % 3 == 0 or number % 10 == 1) and failing(body):
            if number % 3 == 0:
                return error_reply(429, "slow down", retry_after=1)
            return error_reply(server_error)
        return healthy(endpoint, body, number)
    return script


@pytest.fixture
def llm_env(monkeypatch: pytest.MonkeyPatch) -> Callable[[FakeOpenAI], None]:
    def point_at(server: FakeOpenAI) -> None:
        monkeypatch.setenv("MEMOS_EXTRACTOR", "llm")
        monkeypatch.setenv("MEMOS_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("MEMOS_LLM_MODEL", "test-model")
        monkeypatch.setenv("MEMOS_LLM_API_KEY_ENV", "MEMOS_TEST_LLM_KEY")
        monkeypatch.setenv("MEMOS_TEST_LLM_KEY", SECRET)
        monkeypatch.setenv("MEMOS_EMBEDDER", "hash")
        monkeypatch.setenv("MEMOS_LLM_MAX_CONCURRENCY", "16")
    return point_at


@pytest.fixture
def server_for(llm_env: Callable[[FakeOpenAI], None]) -> Iterator[Callable[..., FakeOpenAI]]:
    started: list[FakeOpenAI] = []

    def start(script: Callable[[str, dict[str, Any], int], Reply]) -> FakeOpenAI:
        server = FakeOpenAI(script).__enter__()
        started.append(server)
        llm_env(server)
        return server
    yield start
    for server in started:
        server.__exit__(None, None, None)


def conversations(path: Path, count: int, turns: int = 1, user: str = "u1") -> Path:
    records = []
    for c in range(count):
        for t in range(turns):
            for role, text in (("user", f"fact {c}-{t} about my life"),
                               ("assistant", f"noted {c}-{t}")):
                records.append({"user_id": user, "conversation_id": f"c{c}", "role": role,
                                "content": text, "message_id": f"m{c}-{t}-{role[0]}",
                                "chat_time": f"2025-03-{1 + c % 28:02d}T10:{t:02d}:00Z"})
    return write_jsonl(path, records)


def stored(home: Path) -> dict[str, dict[str, Any]]:
    settings = load_settings({"home": home})
    meta = read_meta(settings)
    assert meta is not None
    store = open_store(settings, meta)
    try:
        return {m.id: m.payload for m in store.scroll(None)}
    finally:
        store.close()


def test_an_import_stores_exactly_what_the_model_returned(cli: Cli, tmp_path: Path, home: Path,
                                                          server_for: Callable[..., FakeOpenAI]
                                                          ) -> None:
    server = server_for(answer())
    path = conversations(tmp_path / "chat.jsonl", 5, turns=2)
    summary = cli.json("import", str(path))
    assert summary["records_stored"] == 20 and summary["records_failed"] == 0
    memories = stored(home)
    expected = {f"The user said fact {c}-{t} about my life": [f"m{c}-{t}-u"]
                for c in range(5) for t in range(2)}
    assert {p["text"]: p["sources"] for p in memories.values()} == expected
    assert {p["memory_type"] for p in memories.values()} == {"fact"}
    assert {p["extractor"] for p in memories.values()} == {"llm"}
    llm = summary["llm"]
    assert llm["requests"] == server.count("chat") >= 5
    assert llm["prompt_tokens"] == 100 * llm["requests"] and llm["retries"] == 0
    first = server.calls[0].body
    assert first["model"] == "test-model"
    assert first["response_format"]["type"] == "json_schema"
    assert server.calls[0].headers["authorization"] == f"Bearer {SECRET}"
    # Importing again asks the model nothing: the ledger skips every record.
    again = cli.json("import", str(path), "--from-start")
    assert again["records_already_imported"] == 20 and server.count("chat") == llm["requests"]


def test_rate_limits_and_server_errors_are_retried(cli: Cli, tmp_path: Path, home: Path,
                                                   server_for: Callable[..., FakeOpenAI],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: dict[str, int] = {}

    def at_most_three_times(body: dict[str, Any]) -> bool:
        # No batch fails more than 3 times in a row, so the default 5 retries always suffice.
        content = body["messages"][-1]["content"]
        attempts[content] = attempts.get(content, 0) + 1
        return attempts[content] <= 3

    server_for(flaky(500, at_most_three_times))
    monkeypatch.setenv("MEMOS_LLM_DECISIONS", "false")
    monkeypatch.setenv("MEMOS_LLM_MAX_CONCURRENCY", "64")
    path = conversations(tmp_path / "chat.jsonl", 200)
    summary = cli.json("import", str(path))
    assert summary["batches"] == 200 and summary["records_stored"] == 400
    assert summary["records_failed"] == 0
    llm = summary["llm"]
    assert llm["rate_limited"] > 0 and llm["server_errors"] > 0
    assert llm["retries"] == llm["rate_limited"] + llm["server_errors"]
    texts = [p["text"] for p in stored(home).values()]
    assert len(texts) == len(set(texts)) == 200


def test_without_retries_failed_batches_replay_from_the_failures_file(
        cli: Cli, tmp_path: Path, home: Path, server_for: Callable[..., FakeOpenAI],
        monkeypatch: pytest.MonkeyPatch) -> None:
    broken = {"on": True}
    server_for(flaky(503, lambda body: broken["on"]))
    monkeypatch.setenv("MEMOS_LLM_MAX_RETRIES", "0")
    monkeypatch.setenv("MEMOS_LLM_DECISIONS", "false")
    path = conversations(tmp_path / "chat.jsonl", 60)
    failures = tmp_path / "failures.jsonl"
    first = cli.json("import", str(path), "--failures", str(failures))
    failed = first["records_failed"]
    assert failed > 0 and first["llm"]["retries"] == 0
    assert first["records_stored"] + failed == 120
    lines = [json.loads(line) for line in failures.read_text().splitlines()]
    assert len(lines) == failed and {f["stage"] for f in lines} == {"extract"}
    assert all(re.search(r"answered (429|503)", f["reason"]) for f in lines)
    broken["on"] = False
    replay = cli.json("import", str(failures), "--failures", str(tmp_path / "again.jsonl"))
    assert (replay["records_stored"], replay["records_failed"]) == (failed, 0), \
        (tmp_path / "again.jsonl").read_text()[:3000]
    assert len(stored(home)) == 60


def test_concurrency_is_real(cli: Cli, tmp_path: Path, server_for: Callable[..., FakeOpenAI],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    healthy = answer()
    server = server_for(lambda e, b, n: Reply(**{**vars(healthy(e, b, n)), "delay_s": 0.05}))
    monkeypatch.setenv("MEMOS_LLM_DECISIONS", "false")
    summary = cli.json("import", str(conversations(tmp_path / "chat.jsonl", 64)))
    assert summary["records_stored"] == 128
    assert server.max_in_flight >= 8  # up to max_concurrency=16 requests at once


def test_an_answer_that_never_validates_fails_the_batch_with_the_answer_kept(
        cli: Cli, tmp_path: Path, server_for: Callable[..., FakeOpenAI]) -> None:
    def garbled(endpoint: str, body: dict[str, Any], number: int) -> Reply:
        if "fact 1-" in body["messages"][-1]["content"]:
            return chat_reply("Sure! Here are the memories: {not json")
        return answer()(endpoint, body, number)

    server_for(garbled)
    failures = tmp_path / "failures.jsonl"
    summary = cli.json("import", str(conversations(tmp_path / "chat.jsonl", 3)),
                       "--failures", str(failures))
    assert summary["records_failed"] == 2 and summary["records_stored"] == 4
    assert summary["llm"]["invalid_answers"] == 2  # asked again once, then given up
    failure = json.loads(failures.read_text().splitlines()[0])
    assert "not valid" in failure["reason"]
    assert failure["model_answer"] == "Sure! Here are the memories: {not json"


def test_json_found_in_prose_and_a_second_chance_after_a_bad_answer(
        cli: Cli, tmp_path: Path, home: Path, server_for: Callable[..., FakeOpenAI]) -> None:
    seen: dict[str, int] = {}

    def sloppy(endpoint: str, body: dict[str, Any], number: int) -> Reply:
        content = body["messages"][-1]["content"]
        seen[content] = seen.get(content, 0) + 1
        if "fact 0-" in content and seen[content] == 1:
            return chat_reply('{"memories": [{"type": "opinion", "text": "x"}]}')
        fenced = json.dumps(extraction(body))
        return chat_reply(f"Here you go:\n```json\n{fenced}\n```")

    server_for(sloppy)
    summary = cli.json("import", str(conversations(tmp_path / "chat.jsonl", 3)))
    assert summary["records_stored"] == 6 and summary["llm"]["invalid_answers"] == 1
    assert len(stored(home)) == 3


def test_unknown_message_numbers_are_dropped_and_counted(
        cli: Cli, tmp_path: Path, home: Path, server_for: Callable[..., FakeOpenAI]) -> None:
    def confused(endpoint: str, body: dict[str, Any], number: int) -> Reply:
        lines = batch_lines(body)
        return chat_reply(json.dumps({"memories": [
            {"type": "preference", "text": f"Likes {lines[0][2]}", "sources": [1, 7, 99]},
            {"type": "fact", "text": f"Knows {lines[0][2]}", "sources": [42]}]}))

    server_for(confused)
    summary = cli.json("import", str(conversations(tmp_path / "chat.jsonl", 2)))
    assert summary["llm"]["unknown_source_ids"] == 2 * 3
    by_text = {p["text"]: p["sources"] for p in stored(home).values()}
    assert by_text["Likes fact 0-0 about my life"] == ["m0-0-u"]
    assert by_text["Knows fact 0-0 about my life"] == ["m0-0-u", "m0-0-a"]  # the whole batch


def test_slow_answers_time_out_and_are_retried(cli: Cli, tmp_path: Path,
                                               server_for: Callable[..., FakeOpenAI],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    healthy = answer()

    def slow_first(endpoint: str, body: dict[str, Any], number: int) -> Reply:
        reply = healthy(endpoint, body, number)
        if number == 0:
            reply.delay_s = 3.0
        return reply

    server_for(slow_first)
    monkeypatch.setenv("MEMOS_LLM_TIMEOUT_S", "0.5")
    summary = cli.json("import", str(conversations(tmp_path / "chat.jsonl", 2)))
    assert summary["records_stored"] == 4 and summary["llm"]["timeouts"] == 1


def test_a_server_without_structured_outputs_gets_json_mode(
        cli: Cli, tmp_path: Path, server_for: Callable[..., FakeOpenAI]) -> None:
    healthy = answer()

    def old_server(endpoint: str, body: dict[str, Any], number: int) -> Reply:
        if body.get("response_format", {}).get("type") == "json_schema":
            return error_reply(400, "response_format json_schema is not supported")
        return healthy(endpoint, body, number)

    server_for(old_server)
    summary = cli.json("import", str(conversations(tmp_path / "chat.jsonl", 3)))
    assert summary["records_stored"] == 6 and summary["llm"]["response_mode"] == "json_object"


def test_update_decisions_merge_and_supersede_by_chat_time(
        cli: Cli, tmp_path: Path, home: Path, server_for: Callable[..., FakeOpenAI]) -> None:
    plan: dict[str, Any] = {"decision": None}

    def script(endpoint: str, body: dict[str, Any], number: int) -> Reply:
        if endpoint == "chat" and is_decision(body):
            return chat_reply(json.dumps({"decisions": [plan["decision"]]}))
        lines = batch_lines(body)
        return chat_reply(json.dumps({"memories": [
            {"type": "fact", "text": lines[0][2], "sources": [1]}]}))

    server_for(script)

    def say(text: str, when: str, message_id: str) -> dict[str, Any]:
        return {"user_id": "u1", "conversation_id": message_id, "role": "user",
                "content": text, "message_id": message_id, "chat_time": when}

    write_jsonl(tmp_path / "a.jsonl", [say("Alice lives in Paris now", "2025-01-01T00:00:00Z",
                                           "a")])
    cli.json("import", str(tmp_path / "a.jsonl"))
    plan["decision"] = {"candidate": 1, "action": "DELETE", "target": 1}
    write_jsonl(tmp_path / "b.jsonl", [say("Alice lives in Berlin now", "2025-06-01T00:00:00Z",
                                           "b")])
    summary = cli.json("import", str(tmp_path / "b.jsonl"))
    assert summary["llm"]["decisions"]["deleted"] == 1 and summary["memories_superseded"] == 1
    status = {p["text"]: p["status"] for p in stored(home).values()}
    assert status == {"Alice lives in Paris now": "superseded",
                      "Alice lives in Berlin now": "active"}
    plan["decision"] = {"candidate": 1, "action": "UPDATE", "target": 1}
    write_jsonl(tmp_path / "c.jsonl", [say("Alice lives in Berlin now, Mitte",
                                           "2025-07-01T00:00:00Z", "c")])
    summary = cli.json("import", str(tmp_path / "c.jsonl"))
    assert summary["llm"]["decisions"]["updated"] == 1
    active = [p for p in stored(home).values() if p["status"] == "active"]
    assert len(active) == 1 and active[0]["sources"] == ["b", "c"]
    assert active[0]["text"] == "Alice lives in Berlin now, Mitte"  # said last


def test_dry_run_estimates_and_makes_no_request(cli: Cli, tmp_path: Path,
                                                server_for: Callable[..., FakeOpenAI],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    server = server_for(answer())
    monkeypatch.setenv("MEMOS_LLM_PRICE_PER_1K_INPUT", "0.5")
    monkeypatch.setenv("MEMOS_LLM_PRICE_PER_1K_OUTPUT", "1.5")
    summary = cli.json("import", str(conversations(tmp_path / "chat.jsonl", 12)), "--dry-run")
    llm = summary["llm"]
    assert llm["estimated"] and llm["requests"] == summary["batches"] == 12
    assert llm["prompt_tokens"] > 12 * 100 and llm["completion_tokens"] > 0
    assert llm["estimated_cost"] == pytest.approx(
        llm["prompt_tokens"] / 1000 * 0.5 + llm["completion_tokens"] / 1000 * 1.5)
    assert server.calls == []
    result = cli("import", str(tmp_path / "chat.jsonl"), "--dry-run")
    assert result.exit_code == 0 and "requests" in result.output


def test_the_api_key_never_shows(cli: Cli, tmp_path: Path, home: Path,
                                 server_for: Callable[..., FakeOpenAI],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def hostile(endpoint: str, body: dict[str, Any], number: int) -> Reply:
        if number % 3 == 0:
            return error_reply(500, f"internal error for key {SECRET}")
        if number % 3 == 1:
            return chat_reply(f"not json, and your key is {SECRET}")
        return error_reply(400, f"bad request from {SECRET}")

    server_for(hostile)
    monkeypatch.setenv("MEMOS_LLM_MAX_RETRIES", "1")
    log = tmp_path / "run.log"
    failures = tmp_path / "failures.jsonl"
    result = cli("import", str(conversations(tmp_path / "chat.jsonl", 6)), "--json",
                 "--log-file", str(log), "--failures", str(failures))
    assert result.exit_code == 3
    texts = [result.stdout, result.stderr, log.read_text(), failures.read_text()]
    texts += [p.read_bytes().decode("utf-8", "replace") for p in home.rglob("*") if p.is_file()]
    assert all(SECRET not in text for text in texts)
    # An endpoint that refuses the key ends the run with a hint, the key not in it either.
    server_for(lambda e, b, n: error_reply(401, f"invalid api key {SECRET}"))
    refused = cli("import", str(conversations(tmp_path / "more.jsonl", 2, user="u2")))
    assert refused.exit_code == 2 and "api_key_env" not in refused.output
    assert SECRET not in refused.output and "refused" in refused.output


def test_the_openai_embedder(cli: Cli, tmp_path: Path, home: Path,
                             server_for: Callable[..., FakeOpenAI],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    server = server_for(answer())
    monkeypatch.setenv("MEMOS_EXTRACTOR", "rules")
    monkeypatch.setenv("MEMOS_EMBEDDER", "openai")
    monkeypatch.setenv("MEMOS_EMBEDDING_BASE_URL", server.base_url)
    monkeypatch.setenv("MEMOS_EMBEDDING_API_KEY_ENV", "MEMOS_TEST_LLM_KEY")
    monkeypatch.setenv("MEMOS_EMBEDDING_DIMENSIONS", "48")
    summary = cli.json("import", str(conversations(tmp_path / "chat.jsonl", 3)))
    assert summary["records_stored"] == 6 and summary["embedder"] == "openai"
    assert server.count("embeddings") >= 1 and server.count("chat") == 0
    assert server.calls[0].body["dimensions"] == 48
    hits = cli.json("search", "--user", "u1", "fact 1-0 about my life")
    assert hits and "fact 1-0" in hits[0]["text"]


def test_the_rate_limiter_spaces_requests_past_its_burst() -> None:
    async def take(limiter: RateLimiter, count: int, tokens: int) -> None:
        for _ in range(count):
            await limiter.acquire(tokens)

    quick = RateLimiter(requests_per_minute=6000)  # 100/s, a burst of 500
    asyncio.run(take(quick, 100, 10))
    assert quick.waited_s == 0
    tight = RateLimiter(requests_per_minute=0, tokens_per_minute=60_000)  # 1000 tokens/s
    asyncio.run(take(tight, 12, 500))  # 6,000 tokens: the 5,000-token burst, then waits
    assert tight.waited_s > 0.5


def test_answers_are_found_in_prose_and_fences() -> None:
    fenced = 'Sure:\n```json\n{"memories": []}\n```'
    assert parse_answer(fenced, Extraction).memories == []
    assert parse_answer('ok {"memories": []} done', Extraction).memories == []
    with pytest.raises(InvalidAnswer):
        parse_answer('{"memories": [{"type": "opinion", "text": "x"}]}', Extraction)
    assert retry_after({"retry-after": "2"}) == 2.0
    assert retry_after({"retry-after-ms": "1500"}) == 1.5
    assert retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) is None


def test_memos_add_goes_through_the_llm_too(cli: Cli, server_for: Callable[..., FakeOpenAI]
                                            ) -> None:
    server = server_for(answer())
    result = cli("add", "--user", "u7", "--msg", "I have two cats", "--json")
    assert result.exit_code == 0, result.output
    written = json.loads(result.stdout)["stored"]
    assert [m["text"] for m in written] == ["The user said I have two cats"]
    assert server.count("chat") == 1


def test_a_huge_message_is_cut_in_the_prompt() -> None:
    from datetime import UTC, datetime

    from memos_cli.llm.prompts import MAX_MESSAGE_CHARS, render_batch
    from memos_cli.models import Message, TurnBatch

    huge = Message(user_id="u", conversation_id="c", role="user", content="x" * 50_000,
                   message_id="m1", chat_time=datetime(2025, 1, 2, tzinfo=UTC))
    shown = render_batch(TurnBatch("u", "c", [huge]))
    assert len(shown) < MAX_MESSAGE_CHARS + 100 and shown.endswith("[...]")
    assert shown.startswith("[1] (2025-01-02T00:00:00+00:00) user: x")
