"""`memos serve` as apps call it: a real uvicorn server on 127.0.0.1 and a real HTTP client."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from conftest import write_jsonl
from memos_cli.serve.app import BASE
from memos_cli.state import State
from serving import Server, free_port

GUANGZHOU = [
    {"role": "user", "content": "I'm planning a trip to Guangzhou this summer, what chain "
     "hotels are available for accommodation?", "chat_time": "2025-06-03 09:12:00"},
    {"role": "assistant", "content": "You can consider 7 Days Inn, Ji Hotel, Hilton, etc.",
     "chat_time": "2025-06-03 09:13:00"},
    {"role": "user", "content": "I'll choose 7 Days Inn", "chat_time": "2025-06-03 09:14:00"},
    {"role": "assistant", "content": "Okay, if you have any other questions, feel free to ask "
     "me.", "chat_time": "2025-06-03 09:15:00"},
]


@pytest.fixture
def server(home: Path) -> Iterator[Server]:
    running = Server(home)
    yield running
    running.stop()


def add(server: Server, user: str, conversation: str, messages: list[dict[str, Any]],
        **extra: Any) -> dict[str, Any]:
    return server.post("add/message", {"user_id": user, "conversation_id": conversation,
                                       "messages": messages, **extra})


def test_a_plain_client_adds_the_guangzhou_trip_and_finds_the_hotel(server: Server) -> None:
    added = add(server, "alice", "trip", GUANGZHOU, async_mode=False)
    assert added["code"] == 0 and added["data"]["status"] == "completed"
    found = server.post("search/memory", {"user_id": "alice", "query": "which hotel in "
                                          "Guangzhou", "source": None, "filter": None})
    assert found["code"] == 0
    data = found["data"]
    texts = [m["memory_value"] for m in data["memory_detail_list"]] + [
        p["preference"] for p in data["preference_detail_list"]]
    assert any("7 Days Inn" in text for text in texts)
    [choice] = data["preference_detail_list"]
    assert choice["preference"].startswith("I'll choose 7 Days Inn")
    assert isinstance(choice["create_time"], int) and choice["status"] == "activated"
    messages = server.post("get/message", {"user_id": "alice", "conversation_id": "trip",
                                           "message_limit_number": 10})
    assert [m["role"] for m in messages["data"]["message_detail_list"]] == [
        "user", "assistant", "user", "assistant"]


def test_async_adds_answer_running_and_complete(server: Server) -> None:
    added = add(server, "bob", "c1", [{"role": "user", "content": "I live in Oslo"}])
    assert added["data"]["status"] == "running"
    task = added["data"]["task_id"]
    for _ in range(200):
        status = server.post("get/status", {"task_id": task})["data"]["status"]
        if status != "running":
            break
        time.sleep(0.05)
    assert status == "completed"
    assert server.post("get/status", {"task_id": "nope"})["code"] == 50131


def test_feedback_supersedes_what_it_corrects(server: Server) -> None:
    add(server, "f", "c", [{"role": "user", "content": "I live in Oslo",
                            "chat_time": "2025-01-01 10:00:00"}], async_mode=False)
    task = server.post("add/feedback", {"user_id": "f", "feedback_content": "I moved to "
                       "Valencia", "feedback_time": "2025-06-01T10:00:00"})["data"]["task_id"]
    wait_for(server, task)
    facts = server.post("get/memory", {"user_id": "f", "size": 50})["data"]
    homes = {m["memory_value"]: m["status"] for m in facts["memory_detail_list"]
             if m["memos_type"] == "fact"}
    assert homes == {"I moved to Valencia": "activated"}  # superseded ones are hidden


def wait_for(server: Server, task: str) -> None:
    for _ in range(400):
        if server.post("get/status", {"task_id": task})["data"]["status"] != "running":
            return
        time.sleep(0.05)
    raise AssertionError(f"task {task} still running")


def test_filters_pages_single_memories_and_deletes(server: Server) -> None:
    for n, (agent, scene) in enumerate([("web", "travel"), ("app", "food"), ("web", "food")]):
        add(server, "g", f"c{n}", [{"role": "user", "content": f"I like dish number {n}"}],
            agent_id=agent, info={"scene": scene}, tags=[scene], async_mode=False)
    found = server.post("search/memory", {"user_id": "g", "query": "dish", "filter": {
        "and": [{"agent_id": "web"}, {"scene": "food"}]}})["data"]
    assert [p["preference"] for p in found["preference_detail_list"]] == ["I like dish number 2"]
    either = server.post("search/memory", {"user_id": "g", "query": "dish", "filter": {
        "or": [{"tags": {"contains": "travel"}}, {"app_id": "none"}]}})["data"]
    assert [p["preference"] for p in either["preference_detail_list"]] == ["I like dish number 0"]
    bad = server.post("search/memory", {"user_id": "g", "query": "dish",
                                        "filter": {"and": [{"user_id": "x"}]}})
    assert bad["code"] == 40000 and "user_id" in bad["message"]
    page = server.post("get/memory", {"user_id": "g", "page": 1, "size": 2})["data"]
    assert page["total"] == 6 and page["pages"] == 3 and page["current"] == 1
    listed = page["memory_detail_list"] + page["preference_detail_list"]
    assert len(listed) == 2 and all("sources" in m and "info" in m for m in listed)
    one = requests.get(f"{server.base}/get/memory/{listed[0]['id']}", timeout=10).json()
    assert one["code"] == 0 and one["data"]["id"] == listed[0]["id"]
    missing = requests.get(f"{server.base}/get/memory/nothing-here", timeout=10).json()
    assert missing["code"] == 40307
    deleted = server.post("delete/memory", {"memory_ids": [listed[0]["id"]]})
    assert deleted["data"]["success"] and deleted["data"]["deleted"] == 1
    assert server.post("delete/memory", {"user_id": "g", "memory_ids": ["x"]})["code"] == 40000
    server.post("delete/memory", {"user_id": "g"})
    assert server.post("get/memory", {"user_id": "g"})["data"]["total"] == 0


def test_knowledge_base_files_are_searchable(server: Server) -> None:
    kb = server.post("create/knowledgebase", {"knowledgebase_name": "handbook"})["data"]["id"]
    text = base64.b64encode(b"Refunds are paid within 14 days of the return.").decode()
    files = server.post("add/knowledgebase-file", {"knowledgebase_id": kb, "file": [
        {"name": "refunds.txt", "content": f"data:text/plain;base64,{text}"}]})
    assert files["code"] == 0 and files["data"][0]["status"] == "completed"
    found = server.post("search/memory", {"user_id": "someone", "query": "refund days",
                                          "knowledgebase_ids": [kb]})["data"]
    assert any("14 days" in m["memory_value"] for m in found["memory_detail_list"])
    listed = server.post("get/knowledgebase-file", {"knowledgebase_id": kb})["data"]
    assert listed["total"] == 1 and listed["file_detail_list"][0]["name"] == "refunds.txt"
    url = server.post("add/knowledgebase-file", {"knowledgebase_id": kb, "file": [
        {"content": "https://example.com/a.pdf"}]})
    assert url["code"] == 40000 and "offline" in url["message"]
    exe = server.post("add/knowledgebase-file", {"knowledgebase_id": kb, "file": [
        {"name": "x.exe", "content": text}]})
    assert exe["code"] == 40007
    assert server.post("delete/knowledgebase-file", {"file_ids": [files["data"][0]["id"]]})[
        "data"]["success"]
    assert server.post("delete/knowledgebase", {"knowledgebase_id": kb})["data"]["success"]


@pytest.mark.parametrize(("body", "code"), [
    ("not json at all", 40000),
    ("[1, 2]", 40000),
    ({"user_id": "u", "messages": [{"role": "user", "content": "hi"}]}, 40002),
    ({"user_id": "u", "conversation_id": "c", "messages": []}, 40002),
    ({"user_id": "u", "conversation_id": "c", "messages": "hi"}, 40006),
    ({"user_id": "u", "conversation_id": "c", "messages": [{"role": "boss", "content": "x"}]},
     40000),
    ({"user_id": "u" * 101, "conversation_id": "c", "messages": [{"role": "user",
                                                                  "content": "x"}]}, 40010),
    ({"user_id": "u", "conversation_id": "c" * 101, "messages": [{"role": "user",
                                                                  "content": "x"}]}, 40011),
])
def test_bad_bodies_get_a_code_and_one_line(server: Server, body: Any, code: int) -> None:
    if isinstance(body, str):
        reply = requests.post(f"{server.base}/add/message", data=body, timeout=10,
                              headers={"Content-Type": "application/json"})
    else:
        reply = requests.post(f"{server.base}/add/message", json=body, timeout=10)
    assert reply.status_code == 200
    found = reply.json()
    assert found["code"] == code, found
    assert found["message"] and "\n" not in found["message"] and "Traceback" not in found[
        "message"]


def test_oversize_bodies_are_refused_with_a_code(server: Server) -> None:
    huge = {"user_id": "u", "conversation_id": "c",
            "messages": [{"role": "user", "content": "x" * (21 * 2**20)}]}
    found = server.post("add/message", huge)
    assert found["code"] == 40000 and "larger than" in found["message"]


def test_keys_are_checked_when_the_server_has_one(home: Path) -> None:
    keyed = Server(home, api_key="s3cret")
    try:
        body = {"user_id": "k", "query": "x"}
        assert keyed.post("search/memory", body)["code"] == 40100
        assert keyed.post("search/memory", body,
                          headers={"Authorization": "Token wrong"})["code"] == 40132
        for scheme in ("Token", "Bearer"):
            assert keyed.post("search/memory", body,
                              headers={"Authorization": f"{scheme} s3cret"})["code"] == 0
        health = requests.get(f"{keyed.base}/health", timeout=10).json()
        assert health["code"] == 0
    finally:
        keyed.stop()


def test_eight_clients_adding_at_once_store_every_message_once(server: Server) -> None:
    def client(number: int) -> list[int]:
        codes = []
        with requests.Session() as session:
            for n in range(50):
                reply = session.post(f"{server.base}/add/message", timeout=30, json={
                    "user_id": f"client{number}", "conversation_id": f"c{number}",
                    "async_mode": False, "messages": [
                        {"role": "user", "content": f"I like thing {number}-{n}",
                         "chat_time": f"2025-01-01 10:{n:02d}:00"}]})
                codes.append(reply.json()["code"])
        return codes

    with ThreadPoolExecutor(8) as pool:
        codes = [code for result in pool.map(client, range(8)) for code in result]
    assert codes == [0] * 400
    state = State(server.home / "state.db")
    try:
        assert state.ledger_count() == 400
    finally:
        state.close()
    for number in range(8):
        page = server.post("get/memory", {"user_id": f"client{number}", "size": 50,
                                          "include_tool_memory": False})["data"]
        liked = [p["preference"] for p in page["preference_detail_list"]]
        assert page["total"] >= 50 and len(liked) == len(set(liked))


def test_a_server_killed_with_tasks_queued_finishes_them_after_a_restart(home: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}{BASE}"

    def start() -> subprocess.Popen[bytes]:
        return start_serve(home, port)

    first = start()
    tasks = []
    with requests.Session() as session:
        for n in range(60):
            reply = session.post(f"{base}/add/message", timeout=30, json={
                "user_id": "q", "conversation_id": f"c{n % 3}", "messages": [
                    {"role": "user", "content": f"I adopted pet number {n}",
                     "chat_time": f"2025-01-01 10:{n:02d}:00"}]}).json()
            assert reply["code"] == 0
            tasks.append(reply["data"]["task_id"])
    first.send_signal(signal.SIGKILL)
    first.wait()
    second = start()  # over the stale serve.json and the lock the kernel freed
    try:
        with requests.Session() as session:
            for task in tasks:
                for _ in range(600):
                    status = session.post(f"{base}/get/status", json={"task_id": task},
                                          timeout=10).json()["data"]["status"]
                    if status != "running":
                        break
                    time.sleep(0.05)
                assert status == "completed", task
            facts = session.post(f"{base}/get/memory", json={"user_id": "q", "size": 50,
                                                              "page": 1}, timeout=10).json()
    finally:
        second.send_signal(signal.SIGTERM)  # drains, then exits as SIGTERM's (143)
        assert second.wait(timeout=30) in (0, -signal.SIGTERM)
    state = State(home / "state.db")
    try:
        assert state.ledger_count("q") == 60
    finally:
        state.close()
    listed = [m["memory_value"] for m in facts["data"]["memory_detail_list"]
              if m["memos_type"] == "fact"]
    assert len(listed) == len(set(listed))


def test_serving_beyond_loopback_needs_a_key(home: Path) -> None:
    env = {**os.environ, "MEMOS_HOME": str(home)}
    env.pop("MEMOS_API_KEY", None)
    done = subprocess.run([sys.executable, "-m", "memos_cli", "serve", "--host", "0.0.0.0"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "MEMOS_API_KEY" in done.stderr


def start_serve(home: Path, port: int) -> subprocess.Popen[bytes]:
    """`memos serve` in its own process, once it answers."""
    env = {**os.environ, "MEMOS_HOME": str(home), "MEMOS_EMBEDDER": "hash"}
    env.pop("MEMOS_API_KEY", None)
    process = subprocess.Popen([sys.executable, "-m", "memos_cli", "serve", "--port",
                                str(port), "--no-access-log"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"http://127.0.0.1:{port}{BASE}/health", timeout=1)
            return process
        except requests.ConnectionError:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline
            time.sleep(0.1)


def test_the_cli_hands_its_work_to_a_running_server(home: Path, tmp_path: Path,
                                                    cli: Any) -> None:
    corpus = write_jsonl(tmp_path / "corpus.jsonl", [
        {"user_id": f"user{n % 50:04d}", "conversation_id": f"c{n % 400}", "role": "user",
         "content": f"I like spicy food and item {n}; the weather was fine on day {n}",
         "chat_time": f"2025-01-01 10:{n % 60:02d}:00", "message_id": f"m{n}"}
        for n in range(6_000)])
    server = start_serve(home, free_port())
    try:
        env = {**os.environ, "MEMOS_HOME": str(home)}
        importing = subprocess.Popen([sys.executable, "-m", "memos_cli", "import",
                                      str(corpus), "--json", "--quiet"], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        searches = 0
        while importing.poll() is None:  # reads are answered during the import
            found = cli("search", "--user", "user0001", "spicy food", "--json")
            assert found.exit_code == 0, found.output
            searches += 1
        out, err = importing.communicate()
        assert importing.returncode == 0, err
        summary = json.loads(out)
        assert summary["records_stored"] == 6_000 and searches >= 1
        again = cli.json("import", str(corpus))
        assert again["records_already_imported"] == 6_000 and again["records_stored"] == 0
        added = cli.json("add", "--user", "h", "--msg", "I love green tea")
        assert added["records_stored"] == 1 and added["stored"]
        [listed] = [m for m in cli.json("memories", "list", "--user", "h")
                    if m["memory_type"] == "preference"]
        shown = cli.json("memories", "show", listed["id"])
        assert shown["text"] == "I love green tea"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def test_a_running_import_answers_searches(home: Path, tmp_path: Path, cli: Any) -> None:
    corpus = write_jsonl(tmp_path / "corpus.jsonl", [
        {"user_id": f"user{n % 20:04d}", "conversation_id": f"c{n % 200}", "role": "user",
         "content": f"I like spicy food and item {n}; the weather was fine on day {n}",
         "chat_time": f"2025-01-01 10:{n % 60:02d}:00", "message_id": f"m{n}"}
        for n in range(20_000)])
    env = {**os.environ, "MEMOS_HOME": str(home), "MEMOS_FLUSH_MEMORIES": "64"}
    importing = subprocess.Popen([sys.executable, "-m", "memos_cli", "import", str(corpus),
                                  "--embedder", "hash", "--quiet", "--json"], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    answered = 0
    while importing.poll() is None:
        if not (home / "serve.json").exists():
            time.sleep(0.05)
            continue
        found = cli("search", "--user", "user0001", "spicy food", "--json")
        if found.exit_code == 75 and not (home / "serve.json").exists():
            break  # the import stopped answering as it closed the store
        assert found.exit_code == 0, found.output  # not 75: the import answers
        listed = cli("memories", "list", "--user", "user0001", "--limit", "3", "--json")
        assert listed.exit_code in (0, 75), listed.output
        answered += 1
    assert importing.wait() == 0, importing.stderr.read() if importing.stderr else ""
    assert answered >= 1 and not (home / "serve.json").exists()
    adding = cli("add", "--user", "x", "--msg", "I like tea", "--json")
    assert adding.exit_code == 0
