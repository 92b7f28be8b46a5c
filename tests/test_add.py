"""`memos add`, scopes, the async queue, memory management and forget, through the real CLI."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, Cli
from memos_cli.config import load_settings
from memos_cli.opening import open_for_reading
from memos_cli.state import State
from memos_cli.store import MemoryFilter

FULL_REQUEST: dict[str, Any] = {
    "user_id": "u-full", "conversation_id": "conv-full",
    "info": {"business_type": "travel", "biz_id": 42, "scene": "chat", "custom_status": "open",
             "ids": ["a", "b"]},
    "tags": ["trip", "hotel"], "agent_id": "agent-7", "app_id": "app-9", "allow_public": True,
    "allow_knowledgebase_ids": ["kb-travel"], "async_mode": False,
    "messages": [
        {"role": "system", "content": "You are a travel assistant."},
        {"role": "user", "chat_time": "2025-06-03 09:12:00", "content": [
            {"type": "text", "text": "I'm planning a trip to Guangzhou, which hotels?"},
            {"type": "image_url", "image_url": {"url": "https://example.com/map.png",
                                                "caption": "a map of Guangzhou"}}]},
        {"role": "assistant", "chat_time": "2025-06-03 09:13:00", "content": None,
         "tool_calls": [{"id": "c1", "type": "function", "function": {
             "name": "hotel_search", "arguments": "{\"city\": \"Guangzhou\"}"}}]},
        {"role": "tool", "tool_call_id": "c1", "chat_time": "2025-06-03 09:13:01",
         "content": "7 Days Inn, Ji Hotel, Hilton"},
        {"role": "assistant", "chat_time": "2025-06-03 09:14:00",
         "content": "You can consider 7 Days Inn, Ji Hotel or Hilton."},
        {"role": "user", "chat_time": "2025-06-03 09:15:00", "content": "I'll choose 7 Days Inn"},
    ],
}


def points(home: Path, user: str | None = None) -> list[dict[str, Any]]:
    opened = open_for_reading(load_settings({"home": home}))
    if opened is None:
        return []
    _, store = opened
    try:
        where = MemoryFilter(user_id=user, include_superseded=True) if user else None
        return [{"id": m.id, **m.payload} for m in store.scroll(where)]
    finally:
        store.close()


def add_request(cli: Cli, tmp_path: Path, body: dict[str, Any], *extra: str) -> Any:
    path = tmp_path / f"req-{body['user_id']}-{len(list(tmp_path.iterdir()))}.json"
    path.write_text(json.dumps(body))
    return cli("add", "--request", str(path), "--embedder", "hash", "--json", *extra)


def test_every_add_message_field_round_trips(cli: Cli, home: Path, tmp_path: Path) -> None:
    result = add_request(cli, tmp_path, FULL_REQUEST)
    assert result.exit_code == 0, result.output
    stored = json.loads(result.stdout)["stored"]
    assert {m["memory_type"] for m in stored} >= {"episode", "preference", "tool", "document"}

    hits = cli.json("search", "--user", "u-full", "hotel in Guangzhou", "--top-k", "20")
    assert hits
    for payload in [*points(home, "u-full"), *hits]:
        assert payload["user_id"] == "u-full" and payload["conversation_id"] == "conv-full"
        assert payload["agent_id"] == "agent-7" and payload["app_id"] == "app-9"
        assert payload["info"] == {"business_type": "travel", "biz_id": "42", "scene": "chat",
                                   "custom_status": "open", "ids": "a,b"}
        assert payload["tags"] == ["trip", "hotel"]
        assert payload["scope"] == "public" and payload["knowledgebase_ids"] == ["kb-travel"]
        assert payload["chat_time"].startswith("2025-06-03T09:1")
        assert payload["status"] == "active" and payload["sources"]
    by_type = {p["memory_type"]: p for p in points(home, "u-full")}
    assert by_type["document"]["attributes"] == {
        "kind": "image", "url": "https://example.com/map.png", "caption": "a map of Guangzhou"}
    assert by_type["tool"]["attributes"]["tool"] == "hotel_search"
    assert "7 Days Inn" in by_type["tool"]["text"]
    assert "You are a travel assistant" not in by_type["episode"]["text"]
    for key, value in (("business_type", "travel"), ("biz_id", "42"), ("scene", "chat")):
        assert cli.json("search", "--user", "u-full", "hotel", "--info", f"{key}={value}")
    assert cli.json("search", "--user", "u-full", "hotel", "--info", "scene=work") == []


def test_nested_info_is_a_clear_failure(cli: Cli, tmp_path: Path) -> None:
    body = {**FULL_REQUEST, "user_id": "u-bad", "info": {"deep": {"x": 1}}}
    result = add_request(cli, tmp_path, body)
    assert result.exit_code == 3
    failures = json.loads(result.stdout)["failures"]
    assert failures and all("info.deep" in f["reason"] for f in failures)


def test_add_from_flags_with_roles_time_and_document(cli: Cli, home: Path,
                                                     tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Packing list\n\nUmbrella, sunscreen, light shirts.\n")
    result = cli("add", "--user", "u1", "--role", "user", "--msg", "Any hotels near the tower?",
                 "--role", "assistant", "--msg", "The Hilton is close.", "--time",
                 "2025-07-01 10:00:00", "--info", "scene=trip", "--tag", "t1", "--agent", "ag",
                 "--app", "ap", "--kb", "kb1", "--public", "--file", str(notes),
                 "--embedder", "hash", "--json")
    assert result.exit_code == 0, result.output
    stored = json.loads(result.stdout)["stored"]
    documents = [m for m in stored if m["memory_type"] == "document"]
    assert documents and "Umbrella" in documents[0]["text"]
    payload = points(home, "u1")[0]
    assert payload["conversation_id"] == "u1-2025-07-01"  # one per user and day by default
    assert payload["chat_time"] == "2025-07-01T10:00:00+00:00"
    bad = tmp_path / "blob.bin"
    bad.write_bytes(bytes(range(256)))
    result = cli("add", "--user", "u1", "--msg", "see attached", "--file", str(bad), "--json")
    assert result.exit_code == 3
    assert "not supported" in json.loads(result.stdout)["failures"][0]["reason"]


SCOPE_DATA = [
    # user, text, public, knowledge bases
    ("ann", "Ann private note about gardening tulips", False, []),
    ("ann", "Ann public tip about gardening roses", True, []),
    ("bob", "Bob private note about gardening cactus", False, []),
    ("bob", "Bob gardening guide in the garden base", False, ["kb-garden"]),
    ("cat", "Cat public gardening fact about ferns", True, []),
    ("cat", "Cat gardening entry in the plants base", False, ["kb-plants"]),
]

SCOPE_CASES = [
    # searching user, flags, texts that must be seen (and nothing else)
    ("ann", [], {"Ann private note about gardening tulips",
                 "Ann public tip about gardening roses"}),
    ("bob", [], {"Bob private note about gardening cactus",
                 "Bob gardening guide in the garden base"}),
    ("dan", [], set()),
    ("dan", ["--include-public"], {"Ann public tip about gardening roses",
                                   "Cat public gardening fact about ferns"}),
    ("ann", ["--include-public"], {"Ann private note about gardening tulips",
                                   "Ann public tip about gardening roses",
                                   "Cat public gardening fact about ferns"}),
    ("dan", ["--kb", "kb-garden"], {"Bob gardening guide in the garden base"}),
    ("dan", ["--kb", "kb-plants"], {"Cat gardening entry in the plants base"}),
    ("ann", ["--kb", "kb-garden", "--kb", "kb-plants"], {
        "Ann private note about gardening tulips", "Ann public tip about gardening roses",
        "Bob gardening guide in the garden base", "Cat gardening entry in the plants base"}),
]


@pytest.fixture
def scoped_store(cli: Cli, tmp_path: Path) -> None:
    for user, text, public, kbs in SCOPE_DATA:
        args = ["add", "--user", user, "--msg", text, "--embedder", "hash",
                "--time", "2025-01-01 10:00:00", "--conversation", f"{user}-{text[:12]}"]
        args += ["--public"] if public else []
        for kb in kbs:
            args += ["--kb", kb]
        assert cli(*args).exit_code == 0


@pytest.mark.parametrize("user, flags, expected", SCOPE_CASES)
def test_a_search_sees_exactly_its_scope(cli: Cli, scoped_store: None, user: str,
                                         flags: list[str], expected: set[str]) -> None:
    hits = cli.json("search", "--user", user, "gardening", "--top-k", "100", *flags)
    seen = {h["text"].split("] user: ", 1)[-1] for h in hits}
    assert seen == expected


def test_async_add_loads_no_model_and_process_stores_once(home: Path) -> None:
    env = {**os.environ, "MEMOS_HOME": str(home), "MEMOS_EMBEDDER": "default"}
    probe = ("import sys; from memos_cli.cli import main; sys.argv = ['memos', 'add', "
             "'--user', 'q1', '--msg', 'I like green tea', '--async', '--json']\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print('MODEL' if 'onnxruntime' in sys.modules else 'NO-MODEL')")
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.strip().endswith("NO-MODEL"), done.stderr
    assert json.loads(done.stdout.splitlines()[0])["queued"] is True
    cli = Cli()
    first = cli.json("process", "--embedder", "hash")
    assert first["requests"] == 1 and first["records_stored"] == 1
    assert {m["memory_type"] for m in first["stored"]} == {"episode", "preference"}
    second = cli.json("process", "--embedder", "hash")
    assert second["requests"] == 0 and second["memories_written"] == 0


def test_add_while_an_import_holds_the_store_queues_then_process_stores(home: Path) -> None:
    hold = ("import sys, time\nfrom pathlib import Path\nfrom memos_cli.state import writer_lock\n"
            "with writer_lock(Path(sys.argv[1]), 'memos import big.jsonl'):\n"
            "    print('locked', flush=True)\n    time.sleep(20)\n")
    holder = subprocess.Popen([sys.executable, "-c", hold, str(home)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"locked"
        env = {**os.environ, "MEMOS_HOME": str(home)}
        done = subprocess.run([sys.executable, "-m", "memos_cli", "add", "--user", "w1", "--msg",
                               "I live in Lisbon", "--wait", "0.5", "--embedder", "hash"],
                              env=env, capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)
        assert done.returncode == 0
        assert "queued as request" in done.stderr and "memos import big.jsonl" in done.stderr
    finally:
        holder.kill()
        holder.wait()
    drained = Cli().json("process", "--embedder", "hash")
    assert drained["requests"] == 1 and drained["records_stored"] == 1
    assert any("Lisbon" in p["text"] for p in points(home, "w1"))


def test_forget_leaves_nothing_of_the_user_and_spares_others(cli: Cli, home: Path,
                                                           tmp_path: Path) -> None:
    cli("import", str(ROOT / "sample_data" / "history.jsonl"), "--embedder", "hash")
    cli("add", "--user", "alice", "--msg", "queued for alice", "--async")
    cli("add", "--user", "bob", "--msg", "queued for bob", "--async")
    before_bob = points(home, "bob")
    assert points(home, "alice") and before_bob
    result = cli("forget", "--user", "alice")  # no stdin: not confirmed
    assert result.exit_code == 2 and points(home, "alice")
    summary = cli.json("forget", "--user", "alice", "--yes")
    assert summary["memories"] > 0 and summary["ledger_rows"] > 0
    assert summary["queued_requests"] == 1 and summary["checkpoints"] == 1
    assert points(home, "alice") == []
    state = State(home / "state.db")
    try:
        assert state.ledger_count("alice") == 0
        assert state.db.execute("SELECT COUNT(*) FROM queue WHERE user_id = 'alice'"
                                ).fetchone()[0] == 0
        assert state.db.execute("SELECT COUNT(*) FROM queue WHERE user_id = 'bob'"
                                ).fetchone()[0] == 1
        assert state.ledger_count("bob") > 0
        tails = dict(state.db.execute(
            "SELECT user_id, COUNT(*) FROM tails GROUP BY user_id").fetchall())
        assert "alice" not in tails and tails["bob"] > 0  # her last messages are not kept
    finally:
        state.close()
    assert points(home, "bob") == before_bob
    # alice's history can come back: her records are read again, the others are skipped
    again = cli.json("import", str(ROOT / "sample_data" / "history.jsonl"))
    assert again["records_stored"] > 0 and points(home, "alice")


def test_memories_list_show_delete(cli: Cli, home: Path) -> None:
    cli("import", str(ROOT / "sample_data" / "history.jsonl"), "--embedder", "hash")
    page = cli.json("memories", "list", "--user", "bob", "--limit", "5")
    assert len(page) == 5 and {m["user_id"] for m in page} == {"bob"}
    assert {"id", "status", "text", "sources", "memory_type"} <= page[0].keys()
    nxt = cli.json("memories", "list", "--user", "bob", "--limit", "5", "--offset", "5")
    assert not {m["id"] for m in page} & {m["id"] for m in nxt}
    prefs = cli.json("memories", "list", "--user", "bob", "--type", "preference")
    assert prefs and {m["memory_type"] for m in prefs} == {"preference"}
    shown = cli.json("memories", "show", page[0]["id"])
    assert shown == page[0]
    assert cli("memories", "delete", page[0]["id"]).exit_code == 0
    assert cli("memories", "show", page[0]["id"]).exit_code == 4


def test_file_part_in_a_request_becomes_document_chunks(cli: Cli, home: Path,
                                                        tmp_path: Path) -> None:
    text = "\n\n".join(f"Paragraph {i}: " + "words " * 60 for i in range(6))
    body = {"user_id": "doc", "conversation_id": "d1", "messages": [{
        "role": "user", "content": [{"type": "file", "file": {
            "filename": "guide.txt", "file_data": base64.b64encode(text.encode()).decode()}}]}]}
    result = add_request(cli, tmp_path, body)
    assert result.exit_code == 0
    chunks = [p for p in points(home, "doc") if p["memory_type"] == "document"]
    assert len(chunks) >= 3
    assert {p["attributes"]["filename"] for p in chunks} == {"guide.txt"}
    assert sorted(int(p["attributes"]["chunk"]) for p in chunks) == list(
        range(1, len(chunks) + 1))


def test_markup_and_emoji_codes_in_stored_text_are_shown_verbatim(cli: Cli) -> None:
    said = "I like [link=http://x.y]x[/link] :x: [b]"
    shown = [cli("add", "--user", "m", "--msg", said, "--embedder", "hash").stdout]
    [memory] = [m for m in cli.json("memories", "list", "--user", "m")
                if m["memory_type"] == "episode"]
    shown += [cli("search", "--user", "m", "like").stdout,
              cli("memories", "list", "--user", "m").stdout,
              cli("memories", "show", memory["id"]).stdout,
              cli("memories", "history", memory["id"]).stdout]
    for output in shown:
        cells = " ".join(output.replace("│", " ").replace("┃", " ").split())  # unwrapped
        assert "[link=" in cells and ":x: [b]" in cells, output  # narrow columns cut
        assert "\x1b" not in output and "❌" not in output


def test_wrong_flags_are_usage_errors_that_say_what_to_use(cli: Cli, tmp_path: Path) -> None:
    cli("add", "--user", "w", "--msg", "I like tea", "--embedder", "hash")
    bogus = cli("search", "--user", "w", "tea", "--type", "bogus")
    assert bogus.exit_code == 2 and "use one of: fact, preference" in bogus.output
    robot = cli("add", "--user", "w", "--role", "robot", "--msg", "beep")
    assert robot.exit_code == 2 and "use one of: user, assistant" in robot.output
    far = cli("add", "--user", "w", "--msg", "x", "--time", "1e20")
    assert far.exit_code == 2 and "'1e20' is out of range" in far.output


def test_info_keys_with_dots_and_spaces_are_stored_and_found(cli: Cli) -> None:
    cli("add", "--user", "k", "--msg", "I like tea", "--info", "src.app=web",
        "--info", "my key=v 1", "--embedder", "hash")
    for pair in ("src.app=web", "my key=v 1"):
        hits = cli.json("search", "--user", "k", "tea", "--info", pair)
        assert hits and all(h["info"] == {"src.app": "web", "my key": "v 1"} for h in hits)
    assert cli.json("search", "--user", "k", "tea", "--info", "src=web") == []


def test_a_listing_says_how_many_match_and_how_to_page(cli: Cli) -> None:
    cli("import", str(ROOT / "sample_data" / "history.jsonl"), "--embedder", "hash")
    page = cli("memories", "list", "--user", "bob", "--limit", "5")
    total = len(cli.json("memories", "list", "--user", "bob", "--limit", "1000"))
    assert f"1-5 of {total}" in page.stdout and "next page: --offset 5" in page.stdout
    assert "next page" not in cli("memories", "list", "--user", "bob", "--limit", "1000").stdout


def test_an_empty_file_is_named_as_empty(cli: Cli, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    result = cli("import", str(empty), "--embedder", "hash")
    assert result.exit_code == 0 and "holds no records" in result.output
