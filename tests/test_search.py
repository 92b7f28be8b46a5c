"""`memos search`: hybrid retrieval that never crosses users."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SAMPLES, Cli

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
