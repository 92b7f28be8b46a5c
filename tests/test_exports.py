"""The chat apps' exports: ChatGPT (also zipped), Claude, ShareGPT, OpenAI chat JSONL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, SAMPLES, Cli
from memos_cli.readers import detect_format

EXPORTS = ROOT / "tests" / "data" / "exports"
CHATGPT = EXPORTS / "chatgpt_branch_fixture_synthetic.json"


def sharegpt_turns(path: Path) -> int:
    data = json.loads(path.read_text())
    return sum(len(c.get("conversations") or c.get("messages")) for c in data)


@pytest.mark.parametrize("name, fmt, conversations, messages", [
    ("chatgpt_branch_fixture_synthetic.json", "chatgpt", 1, 4),
    ("openai_finetune_toy_chat.jsonl", "openai-chat", 4,
     sum(len(json.loads(line)["messages"])
         for line in (EXPORTS / "openai_finetune_toy_chat.jsonl").read_text().splitlines())),
    ("sharegpt_toolcall_sample.json", "sharegpt", 40,
     sharegpt_turns(EXPORTS / "sharegpt_toolcall_sample.json")),
    ("sharegpt_openai_style_mllm_demo.json", "sharegpt", 6,
     sharegpt_turns(EXPORTS / "sharegpt_openai_style_mllm_demo.json")),
])
def test_each_sample_imports_with_its_counts_and_once(cli: Cli, name: str, fmt: str,
                                                      conversations: int, messages: int) -> None:
    first = cli.json("import", str(EXPORTS / name), "--user", "me", "--embedder", "hash")
    [report] = first["files"]
    assert (report["format"], report["conversations"]) == (fmt, conversations)
    assert first["records_read"] == first["records_stored"] == messages
    assert first["records_failed"] == 0 and first["memories_written"] > 0
    again = cli.json("import", str(EXPORTS / name), "--user", "me")
    assert again["records_already_imported"] == messages and again["memories_written"] == 0


def test_format_auto_picks_every_reader() -> None:
    assert detect_format(CHATGPT) == "chatgpt"
    assert detect_format(EXPORTS / "openai_finetune_toy_chat.jsonl") == "openai-chat"
    assert detect_format(EXPORTS / "sharegpt_toolcall_sample.json") == "sharegpt"
    assert detect_format(EXPORTS / "sharegpt_openai_style_mllm_demo.json") == "sharegpt"
    assert detect_format(SAMPLES / "history.jsonl") == "memos-jsonl"
    assert detect_format(SAMPLES / "broken.jsonl") == "memos-jsonl"
    assert detect_format(SAMPLES / "history.csv") == "csv"


def test_chatgpt_visible_branch_by_default_and_all_branches_on_request(cli: Cli,
                                                                       tmp_path: Path) -> None:
    visible = cli.json("import", str(CHATGPT), "--user", "me", "--embedder", "hash")
    assert visible["records_stored"] == 4
    hits = cli.json("search", "--user", "me", "Python instead", "--top-k", "50")
    assert not any("Python instead" in h["text"] for h in hits)
    everything = cli.json("import", str(CHATGPT), "--user", "me", "--all-branches",
                          "--from-start")
    assert everything["records_stored"] == 1 and everything["records_already_imported"] == 4
    hits = cli.json("search", "--user", "me", "Python instead", "--top-k", "50")
    branch = [h for h in hits if "Python instead" in h["text"]]
    assert branch and all("abandoned-branch" in h["tags"] for h in branch)


def test_a_zipped_chatgpt_export_reads_like_the_json(cli: Cli, tmp_path: Path) -> None:
    archive = tmp_path / "chatgpt-export.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(CHATGPT, "conversations.json")
        handle.writestr("chat.html", "<html></html>")
    summary = cli.json("import", str(archive), "--user", "me", "--embedder", "hash")
    assert summary["files"][0]["format"] == "chatgpt" and summary["records_stored"] == 4


def node(node_id: str, parent: str | None, children: list[str], role: str | None,
         content: dict[str, Any] | None, when: float = 1.7e9) -> dict[str, Any]:
    message = None if role is None else {
        "id": node_id, "author": {"role": role}, "create_time": when, "content": content,
        "recipient": "all", "metadata": {}}
    return {"id": node_id, "parent": parent, "children": children, "message": message}


def chatgpt_conversation(cid: str, text: str) -> dict[str, Any]:
    return {"id": cid, "title": cid, "create_time": None, "current_node": "b", "mapping": {
        "root": node("root", None, ["a"], None, None),
        "a": node("a", "root", ["b"], "user", {"content_type": "text", "parts": [text]}),
        "b": node("b", "a", [], "assistant", {"content_type": "text", "parts": ["Noted."]}),
    }}


def test_a_corrupt_export_keeps_every_readable_conversation(cli: Cli, tmp_path: Path) -> None:
    cycle = chatgpt_conversation("cycle", "x")
    cycle["mapping"]["a"]["parent"] = "b"
    orphan = chatgpt_conversation("orphan", "x")
    orphan["mapping"]["a"]["parent"] = "gone"
    odd = chatgpt_conversation("odd", "I like odd formats")
    odd["mapping"]["b"]["message"]["content"] = {"content_type": "tether_quote", "title": "t"}
    code = chatgpt_conversation("code", "run it")
    code["mapping"]["b"]["message"]["content"] = {"content_type": "code", "text": "print(1)"}
    items = [chatgpt_conversation("ok-1", "I live in Porto."), cycle, orphan, odd, code,
             chatgpt_conversation("ok-2", "I like green tea.")]
    text = json.dumps(items)
    export = tmp_path / "conversations.json"
    export.write_text(text[:-1] + ', {"id": "cut", "mapping": {"x": ')  # truncated at the end
    result = cli("import", str(export), "--user", "me", "--embedder", "hash", "--json")
    assert result.exit_code == 3
    summary = json.loads(result.stdout)
    failures = [json.loads(line) for line in Path(summary["failures_file"]).read_text()
                .splitlines()]
    reasons = {f["line"]: f["reason"] for f in failures}
    assert "cycle" in reasons[2] and "missing" in reasons[3]
    assert "breaks off after conversation 6" in reasons[7]
    assert summary["records_stored"] == 2 + 1 + 2 + 2  # ok-1, odd (user only), code, ok-2
    assert summary["files"][0]["skipped"] == {"content type tether_quote without text": 1}


def claude_export() -> list[dict[str, Any]]:
    return [{
        "uuid": "conv-1", "name": "Trip", "created_at": "2025-05-01T10:00:00Z",
        "account": {"uuid": "acct-42"},
        "chat_messages": [
            {"uuid": "m1", "sender": "human", "created_at": "2025-05-01T10:00:00Z",
             "text": "I'm allergic to peanuts.", "content": [
                 {"type": "text", "text": "I'm allergic to peanuts."}],
             "attachments": [{"file_name": "menu.txt",
                              "extracted_content": "Satay with peanut sauce"}], "files": []},
            {"uuid": "m2", "sender": "assistant", "created_at": "2025-05-01T10:00:05Z",
             "text": "SECRET THINKING Then avoid satay.", "content": [
                 {"type": "thinking", "thinking": "SECRET THINKING"},
                 {"type": "tool_use", "id": "t1", "name": "menu_lookup",
                  "input": {"dish": "satay"}},
                 {"type": "tool_result", "tool_use_id": "t1", "content": [
                     {"type": "text", "text": "contains peanuts"}]},
                 {"type": "text", "text": "Then avoid satay."}],
             "attachments": [], "files": []},
        ]}]


def test_claude_answers_without_thinking_attachments_and_account_user(cli: Cli, home: Path,
                                                                      tmp_path: Path) -> None:
    export = tmp_path / "conversations.json"
    export.write_text(json.dumps(claude_export()))
    summary = cli.json("import", str(export), "--embedder", "hash")
    assert summary["files"][0]["format"] == "claude"
    assert summary["records_stored"] == 4  # human, tool call, tool result, answer
    memories = cli.json("memories", "list", "--user", "acct-42", "--limit", "100")
    texts = " ".join(m["text"] for m in memories)
    assert "SECRET THINKING" not in texts and "Then avoid satay." in texts
    assert any(m["memory_type"] == "document" and "peanut sauce" in m["text"] for m in memories)
    assert any(m["memory_type"] == "tool" and "menu_lookup" in m["text"] for m in memories)
    assert any(m["memory_type"] == "preference" for m in memories)


def test_formats_without_users_need_one(cli: Cli) -> None:
    result = cli("import", str(CHATGPT), "--embedder", "hash")
    assert result.exit_code == 2 and "--user" in result.stderr


GENERATE = r"""
import json, sys
target = int(sys.argv[2])
with open(sys.argv[1], "w") as out:
    out.write("[")
    written, i = 0, 0
    body = "word " * 400
    while written < target:
        mapping = {"root": {"id": "root", "parent": None, "children": ["n0"], "message": None}}
        prev = "root"
        for k in range(20):
            nid = f"n{k}"
            mapping[nid] = {"id": nid, "parent": prev, "children": [f"n{k+1}"] if k < 19 else [],
                            "message": {"id": f"c{i}-{k}", "author": {"role": "user" if k % 2 == 0
                            else "assistant"}, "create_time": 1.7e9 + k, "recipient": "all",
                            "content": {"content_type": "text", "parts": [f"{k} {body}"]}}}
            prev = nid
        chunk = ("," if i else "") + json.dumps({"id": f"c{i}", "current_node": "n19",
                                                  "mapping": mapping})
        out.write(chunk)
        written += len(chunk)
        i += 1
    out.write("]")
"""


def test_a_200mb_chatgpt_export_streams_in_bounded_memory(tmp_path: Path) -> None:
    export = tmp_path / "conversations.json"
    subprocess.run([sys.executable, "-c", GENERATE, str(export), str(200 * 2**20)], check=True)
    assert export.stat().st_size >= 200 * 2**20
    env = {**os.environ, "MEMOS_HOME": str(tmp_path / "home")}
    process = subprocess.Popen(
        [sys.executable, "-m", "memos_cli", "import", str(export), "--user", "me", "--embedder",
         "hash", "--dry-run", "--json", "--quiet"], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    _, status, _ = os.wait4(process.pid, 0)
    out = process.stdout.read() if process.stdout else b""
    assert os.waitstatus_to_exitcode(status) == 0
    summary = json.loads(out)
    assert summary["records_read"] == summary["records_stored"] > 90_000
    peak_mb = summary["peak_rss_mb"]  # the child's own peak: wait4's carries pytest's over
    print(f"200 MB ChatGPT export, dry run: peak RSS {peak_mb:.0f} MB")
    assert peak_mb < 300


def test_readme_lists_the_export_formats() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in ("ChatGPT", "Claude", "ShareGPT", "OpenAI chat"):
        assert name in readme


EXPORT_FIXTURES = ROOT / "tests" / "data" / "exports"


def _messages(cli: Cli, user: str) -> list[dict[str, Any]]:
    return [m for m in cli.json("memories", "list", "--user", user, "--limit", "500")
            if m["memory_type"] != "episode"]


def test_a_telegram_chat_is_told_apart_and_read_with_its_speakers(cli: Cli) -> None:
    path = EXPORT_FIXTURES / "telegram_chat.json"
    summary = cli.json("import", str(path), "--user", "sam", "--embedder", "hash")
    [report] = summary["files"]
    assert report["format"] == "telegram" and summary["records_failed"] == 0
    assert summary["records_stored"] == 4
    assert report["skipped"] == {"service message": 1, "media or sticker without text": 1}
    facts = {m["text"] for m in _messages(cli, "sam")}
    assert any(t.startswith("Sam: I moved to Lisbon") for t in facts)
    assert any(t.startswith("Sam: I'm allergic to peanuts") for t in facts)  # bold piece joined
    episodes = [m for m in cli.json("memories", "list", "--user", "sam")
                if m["memory_type"] == "episode"]
    assert any("Send me the https://example.org/lisbon guide" in e["text"] for e in episodes)
    assert min(e["chat_time"] for e in episodes).startswith("2024-03-01T09:01:00")  # unixtime
    assert cli.json("import", str(path), "--user", "sam")["records_stored"] == 0


def test_a_whole_telegram_account_gives_one_conversation_per_chat(cli: Cli) -> None:
    path = EXPORT_FIXTURES / "telegram_account.json"
    summary = cli.json("import", str(path), "--user", "sam", "--embedder", "hash")
    assert summary["files"][0]["conversations"] == 2 and summary["records_stored"] == 6
    conversations = {m["conversation_id"] for m in cli.json("memories", "list", "--user", "sam")}
    assert conversations == {"telegram-4477001", "telegram-9988"}
    assert cli.json("import", str(path), "--user", "sam")["records_stored"] == 0


def test_a_json_document_is_never_read_as_json_lines(cli: Cli, tmp_path: Path) -> None:
    document = tmp_path / "settings.json"
    document.write_text(json.dumps({"theme": "dark", "items": [1, 2]}, indent=2))
    result = cli("import", str(document), "--user", "u", "--embedder", "hash")
    assert result.exit_code == 2 and "one JSON document, not JSON lines" in result.output


@pytest.mark.parametrize(("name", "stored", "first_time", "speakers"), [
    ("WhatsApp Chat with Lee.txt", 5, "2023-12-31T21:41:00", {"Sam", "+1 555 0100"}),
    ("whatsapp_android_eu.txt", 3, "2023-12-31T21:41:00", {"Sam", "Lee"}),
    ("WhatsApp Chat - Jo.zip", 3, "2023-12-31T21:41:07", {"Mia", "Jo"}),
])
def test_whatsapp_exports_of_each_phone_import_once(cli: Cli, name: str, stored: int,
                                                   first_time: str, speakers: set[str]) -> None:
    path = EXPORT_FIXTURES / name
    summary = cli.json("import", str(path), "--user", "sam", "--embedder", "hash")
    assert summary["files"][0]["format"] == "whatsapp"
    assert summary["records_stored"] == stored and summary["records_failed"] == 0
    episodes = sorted((m for m in cli.json("memories", "list", "--user", "sam")
                       if m["memory_type"] == "episode"), key=lambda m: m["chat_time"])
    assert episodes[0]["chat_time"].startswith(first_time)
    text = "\n".join(e["text"] for e in episodes)
    assert all(f"{speaker}:" in text for speaker in speakers)
    assert cli.json("import", str(path), "--user", "sam")["records_stored"] == 0


def test_a_longer_whatsapp_export_adds_only_the_new_messages(cli: Cli, tmp_path: Path) -> None:
    lines = (EXPORT_FIXTURES / "WhatsApp Chat with Lee.txt").read_text().splitlines(True)
    chat = tmp_path / "WhatsApp Chat with Lee.txt"
    chat.write_text("".join(lines[:4]))
    first = cli.json("import", str(chat), "--user", "sam", "--embedder", "hash")
    chat.write_text("".join(lines))  # exported again a week later
    again = cli.json("import", str(chat), "--user", "sam")
    assert again["records_already_imported"] == first["records_stored"]
    assert again["records_stored"] == 3
    # the multi-line message is one message, and month/day come from the file's own dates
    episodes = [m for m in cli.json("memories", "list", "--user", "sam")
                if m["memory_type"] == "episode"]
    assert any("Happy new year!\nHope 2024 is great" in e["text"] for e in episodes)
    assert any(m["chat_time"].startswith("2024-01-13T10:05") for m in _messages(cli, "sam"))


def _hint(output: str) -> str:
    [line] = [line for line in output.splitlines() if line.startswith("hint:")]
    return line.removeprefix("hint:").strip()


def test_the_hints_for_a_missing_user_and_an_unknown_format_work_when_followed(
        cli: Cli, tmp_path: Path) -> None:
    chat = EXPORT_FIXTURES / "telegram_chat.json"
    missing = cli("import", str(chat), "--embedder", "hash")
    assert missing.exit_code == 2 and _hint(missing.output) == "pass --user USER_ID"
    assert cli.json("import", str(chat), "--user", "u1")["records_stored"] == 4
    plain = tmp_path / "notes.dat"
    plain.write_text("user_id\tconversation_id\trole\tcontent\nu2\tc\tuser\tI like tea\n"
                     .replace("user_id", "USER"))
    unknown = cli("import", str(plain))
    assert unknown.exit_code == 2 and _hint(unknown.output).startswith("pass --format, one of:")
    mapped = cli.json("import", str(plain), "--format", "csv", "--map", "user_id=USER")
    assert mapped["records_stored"] == 1


def test_an_export_forced_into_the_wrong_reader_says_so(cli: Cli) -> None:
    result = cli("import", str(EXPORT_FIXTURES / "telegram_chat.json"), "--format", "chatgpt",
                 "--user", "u", "--embedder", "hash")
    assert result.exit_code == 2 and "not a JSON array of conversations" in result.output
