"""`memos search`: hybrid retrieval that never crosses users."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SAMPLES, Cli
from memos_cli.search.searcher import join_parts
from memos_cli.store import SearchHit

USERS = ["alice", "bob", "chen", "dana", "eli", "gina"]
QUERIES = ["where am I staying in Guangzhou", "what food do I like", "my dog", "knees",
           "work", "travel plans", "allergy", "desk delivery", "sourdough"]


def test_no_memory_of_another_user_ever_appears(cli: Cli, home: Path) -> None:
    for name in ("history.jsonl", "history.csv", "broken.jsonl"):
        cli("import", str(SAMPLES / name), "--embedder", "hash")
    for user in USERS:
        for query in QUERIES:
            hits = cli.json("search", "--user", user, query, "--top-k", "100")
            assert hits, (user, query)
            assert {h["user_id"] for h in hits} == {user}
    assert cli.json("search", "--user", "nobody", "knees") == []


def test_json_results_carry_the_contract_fields(cli: Cli, home: Path) -> None:
    cli("import", str(SAMPLES / "history.jsonl"), "--embedder", "hash")
    hits = cli.json("search", "--user", "bob", "running knees", "--top-k", "3")
    assert len(hits) == 3
    for hit in hits:
        assert {"id", "user_id", "memory_type", "text", "score", "sources",
                "chat_time"} <= hit.keys()
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)
    only = cli.json("search", "--user", "bob", "running", "--type", "preference")
    assert only and {h["memory_type"] for h in only} == {"preference"}


def test_search_before_any_import_says_what_to_do(cli: Cli, home: Path) -> None:
    result = cli("search", "--user", "u", "anything")
    assert result.exit_code == 0 and "memos import" in result.stderr
    assert json.loads(cli("search", "--user", "u", "x", "--json").stdout) == []


def test_table_output(cli: Cli, home: Path) -> None:
    cli("import", str(SAMPLES / "history.jsonl"), "--embedder", "hash")
    result = cli("search", "--user", "alice", "spicy")
    assert result.exit_code == 0 and "preference" in result.stdout


@pytest.mark.model
def test_guangzhou_hotel_comes_first_with_the_default_embedder(cli: Cli,
                                                             default_home: Path) -> None:
    for user in ("alice", "bob", "chen"):
        hits = cli.json("search", "--user", user, "where am I staying in Guangzhou",
                        "--home", str(default_home))
        assert {h["user_id"] for h in hits} == {user}
    hits = cli.json("search", "--user", "alice", "where am I staying in Guangzhou",
                    "--home", str(default_home))
    assert "7 Days Inn" in hits[0]["text"]


def part(episode: str, number: int, text: str, sources: list[str], score: float) -> SearchHit:
    return SearchHit(f"{episode}-{number}", score, {
        "text": text, "sources": sources, "memory_type": "episode",
        "attributes": {"episode": episode, "part": str(number), "parts": "2"}})


def test_parts_ranked_close_together_are_shown_as_their_episode() -> None:
    fact = SearchHit("f", 0.9, {"text": "Bob: I run", "sources": ["b1"], "attributes": {}})
    hits = [part("e", 2, "[1 May 2023] Bob: second", ["m3", "m4"], 1.0), fact,
            part("e", 1, "[1 May 2023] Ann: first", ["m1", "m2"], 0.8),
            part("x", 1, "[2 May 2023] far", ["x1"], 0.7), fact, fact,
            part("x", 2, "[2 May 2023] away", ["x2"], 0.1)]
    shown = join_parts(hits, window=2)
    assert [h.id for h in shown] == ["e-2", "f", "x-1", "f", "f", "x-2"]
    assert shown[0].payload["text"] == "[1 May 2023] Ann: first\nBob: second"
    assert shown[0].payload["sources"] == ["m1", "m2", "m3", "m4"]
    assert shown[0].score == 1.0
    assert hits[0].payload["text"] == "[1 May 2023] Bob: second"  # the hits are not changed
    assert shown[2].payload["sources"] == ["x1"]  # its other part ranked too far below


def test_an_episode_is_stored_as_parts_embedded_once(cli: Cli, tmp_path: Path) -> None:
    said = [("user", "I adopted a puppy named Biscuit"), ("assistant", "Lovely!"),
            ("user", "How are you?"), ("assistant", "Fine."),
            ("user", "Where can I buy a kayak?"), ("assistant", "Try the harbour shop."),
            ("user", "Thanks"), ("assistant", "Any time.")]
    path = tmp_path / "chat.jsonl"
    path.write_text("".join(json.dumps({"user_id": "u", "conversation_id": "c", "role": role,
                                        "content": text, "message_id": f"m{n}"}) + "\n"
                            for n, (role, text) in enumerate(said)), encoding="utf-8")
    summary = json.loads(cli("import", str(path), "--embedder", "hash", "--json").stdout)
    assert summary["memories_by_type"]["episode"] == 2
    assert summary["texts_embedded"] == summary["memories_written"] - 1  # the parts share one
    # "kayak" is in the second part only, but the first is indexed with its episode too: both
    # rank, side by side, and come back as the one episode.
    hits = cli.json("search", "--user", "u", "kayak", "--top-k", "10")
    episodes = [h for h in hits if h["memory_type"] == "episode"]
    assert len(episodes) == 1 and episodes[0]["sources"] == [f"m{n}" for n in range(8)]
    assert episodes[0]["text"].count("kayak") == 1
