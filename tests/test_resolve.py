"""Duplicates merged, contradictions superseded by chat_time (never import order), history kept."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import Cli, write_jsonl
from memos_cli.cli import app
from memos_cli.ingest.resolve import Decision, resolve


def memories(cli: Cli, user: str, *extra: str) -> list[dict[str, Any]]:
    return cli.json("memories", "list", "--user", user, "--limit", "1000", *extra)


def say(user: str, text: str, when: str, n: int, conversation: str = "c") -> dict[str, Any]:
    return {"user_id": user, "conversation_id": conversation, "role": "user", "content": text,
            "chat_time": when, "message_id": f"{conversation}-{n}"}


def test_resolve_is_pure_and_picks_the_latest_said() -> None:
    members = [("a", {"last_said_at": "2024-01-01", "value": "+"}),
               ("b", {"last_said_at": "2025-01-01", "value": "-"})]
    expected = [Decision("a", "superseded", "b"), Decision("b", "active", None)]
    assert resolve(members) == expected and resolve(reversed(members)) == expected


def test_a_refinement_keeps_both_preferences(cli: Cli, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "food.jsonl", [
        say("u", "I like spicy food", "2025-03-14 19:40:00", 1),
        say("u", "I don't really like heavy oil, such as spicy hot pot", "2025-03-14 19:42:00",
            2)])
    cli.json("import", str(path), "--embedder", "hash")
    prefs = memories(cli, "u", "--type", "preference")
    assert sorted(p["text"] for p in prefs) == [
        "I don't really like heavy oil, such as spicy hot pot", "I like spicy food"]
    assert {p["status"] for p in prefs} == {"active"}


def test_the_hotel_choice_keeps_its_options(cli: Cli, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "trip.jsonl", [{
        "user_id": "t", "conversation_id": "trip", "messages": [
            {"role": "user", "content": "I'm planning a trip to Guangzhou this summer, what "
             "chain hotels are available for accommodation?", "chat_time": "2025-06-03 09:12"},
            {"role": "assistant", "content": "You can consider 7 Days Inn, Ji Hotel, Hilton, "
             "etc.", "chat_time": "2025-06-03 09:13"},
            {"role": "user", "content": "I'll choose 7 Days Inn", "chat_time": "2025-06-03 09:14"},
        ]}])
    cli.json("import", str(path), "--embedder", "hash")
    [choice] = memories(cli, "t", "--type", "preference")
    assert choice["text"].startswith("I'll choose 7 Days Inn") and "Guangzhou" in choice["text"]
    assert len(choice["sources"]) == 3


def test_a_questionnaire_gives_one_preference_per_line(cli: Cli, tmp_path: Path) -> None:
    form = ("Here is my profile:\nFavourite food: sushi\nFavourite colour: blue\nLikes: jazz\n"
            "Dislikes: horror films\nAllergies: peanuts\nI love hiking")
    path = write_jsonl(tmp_path / "form.jsonl", [say("q", form, "2025-01-01 10:00:00", 1)])
    cli.json("import", str(path), "--embedder", "hash")
    prefs = memories(cli, "q", "--type", "preference")
    assert sorted(p["attributes"]["object"] for p in prefs) == [
        "blue", "hiking", "horror movie", "jazz", "peanut", "sushi"]


def test_contradiction_supersedes_by_chat_time_and_history_shows_both(cli: Cli,
                                                                      tmp_path: Path) -> None:
    newer = write_jsonl(tmp_path / "2025.jsonl", [
        say("s", "I can't stand spicy food any more", "2025-05-01 10:00:00", 1, "c2025")])
    older = write_jsonl(tmp_path / "2024.jsonl", [
        say("s", "I like spicy food", "2024-05-01 10:00:00", 1, "c2024")])
    cli.json("import", str(newer), "--embedder", "hash")
    summary = cli.json("import", str(older))  # the older statement arrives last
    assert summary["memories_superseded"] == 1
    active = memories(cli, "s", "--type", "preference")
    assert [p["text"] for p in active] == ["I can't stand spicy food any more"]
    everything = memories(cli, "s", "--type", "preference", "--include-superseded")
    [old] = [p for p in everything if p["status"] == "superseded"]
    assert old["text"] == "I like spicy food" and old["superseded_by"] == active[0]["id"]
    history = cli.json("memories", "history", old["id"])
    said = [(h["text"], h["chat_time"][:10], h["sources"]) for h in history]
    assert ("I like spicy food", "2024-05-01", ["c2024-1"]) in said
    assert ("I can't stand spicy food any more", "2025-05-01", ["c2025-1"]) in said
    hits = cli.json("search", "--user", "s", "spicy food", "--type", "preference")
    assert [h["text"] for h in hits] == ["I can't stand spicy food any more"]
    hits = cli.json("search", "--user", "s", "spicy food", "--type", "preference",
                    "--include-superseded")
    assert len(hits) == 2


def test_repeating_what_is_stored_merges_and_a_plain_reimport_changes_nothing(
        cli: Cli, tmp_path: Path) -> None:
    first = write_jsonl(tmp_path / "a.jsonl", [
        say("r", "I live in Lisbon.", "2025-01-01 10:00:00", 1, "a"),
        say("r", "I love green tea.", "2025-01-01 10:01:00", 2, "a")])
    again = write_jsonl(tmp_path / "b.jsonl", [
        say("r", "I live in Lisbon!", "2025-02-01 10:00:00", 1, "b"),
        say("r", "I really love green tea.", "2025-02-01 10:01:00", 2, "b")])
    cli.json("import", str(first), "--embedder", "hash")
    keyed = [m for m in memories(cli, "r") if m["memory_type"] in ("fact", "preference")]
    assert {m["mentions"] for m in keyed} == {1}
    nothing = cli.json("import", str(first), "--from-start")
    assert nothing["memories_written"] == 0 and nothing["records_already_imported"] == 2
    summary = cli.json("import", str(again))
    assert summary["memories_merged"] == 2 and summary["memories_superseded"] == 0
    after = [m for m in memories(cli, "r") if m["memory_type"] in ("fact", "preference")]
    assert len(after) == len(keyed) and {m["mentions"] for m in after} == {2}
    assert {m["text"] for m in after} == {"I live in Lisbon!", "I really love green tea."}


CITIES = ["Berlin", "Paris", "Lisbon"]
THINGS = ["tea", "jazz"]


def statement(kind: str, choice: int) -> str:
    if kind == "home":
        return f"I live in {CITIES[choice % 3]}."
    if kind == "work":
        return f"I work at {['Acme', 'Globex'][choice % 2]}."
    thing = THINGS[choice % 2]
    return f"I love {thing}." if choice % 4 < 2 else f"I hate {thing}."


def final_state(lines: list[dict[str, Any]], split: int,
                tmp: Path) -> set[tuple[str, str, str, str]]:
    """Import the lines as two files, in the given order; the (subject, value, status, value
    of what supersedes it) set."""
    tmp.mkdir()
    files = [write_jsonl(tmp / "one.jsonl", lines[:split]),
             write_jsonl(tmp / "two.jsonl", lines[split:])]
    runner = CliRunner()
    for path in files:
        if path.stat().st_size:
            result = runner.invoke(app, ["import", str(path), "--home", str(tmp / "home"),
                                         "--embedder", "hash", "--json"])
            assert result.exit_code == 0, result.output
    listed = runner.invoke(app, ["memories", "list", "--user", "p", "--home", str(tmp / "home"),
                                 "--include-superseded", "--limit", "1000", "--json"])
    found = [m for m in json.loads(listed.stdout) if m.get("subject")]
    values = {m["id"]: m["value"] for m in found}
    return {(m["subject"], m["value"], m["status"], values.get(m["superseded_by"] or "", ""))
            for m in found}


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["home", "work", "taste"]),
                          st.integers(min_value=0, max_value=7)), min_size=2, max_size=10),
       st.randoms(use_true_random=False), st.integers(min_value=0, max_value=10))
def test_any_import_order_gives_the_same_active_and_superseded_sets(
        tmp_path_factory: Any, spec: list[tuple[str, int]], shuffle: random.Random,
        split: int) -> None:
    lines = [say("p", statement(kind, choice), f"2025-01-{i + 1:02d} 10:00:00", i, f"c{i}")
             for i, (kind, choice) in enumerate(spec)]
    reference = final_state(lines, len(lines), tmp_path_factory.mktemp("ref") / "run")
    permuted = list(lines)
    shuffle.shuffle(permuted)
    cut = min(split, len(permuted))
    assert final_state(permuted, cut, tmp_path_factory.mktemp("perm") / "run") == reference
    subjects = {s for s, _, _, _ in reference}
    actives = [s for s, _, status, _ in reference if status == "active"]
    active_value = {s: v for s, v, status, _ in reference if status == "active"}
    assert all(by == active_value[s] for s, _, status, by in reference if status != "active")
    assert sorted(actives) == sorted(subjects)  # exactly one active value per subject


def test_superseded_by_names_the_active_value_after_a_later_run(cli: Cli, tmp_path: Path) -> None:
    first = write_jsonl(tmp_path / "one.jsonl", [
        say("u", "I live in Oslo.", "2023-01-01 10:00:00", 1, "a"),
        say("u", "I live in Bergen.", "2024-01-01 10:00:00", 2, "b")])
    second = write_jsonl(tmp_path / "two.jsonl", [
        say("u", "I moved to Valencia last week.", "2025-01-01 10:00:00", 3, "c")])
    for path in (first, second):
        assert cli("import", str(path), "--embedder", "hash").exit_code == 0
    homes = {m["value"]: m for m in memories(cli, "u", "--include-superseded")
             if m.get("subject") == "slot:home"}
    assert homes["valencia"]["status"] == "active"
    pointed = {homes[city]["superseded_by"] for city in ("oslo", "bergen")}
    assert pointed == {homes["valencia"]["id"]}


def test_where_do_i_live_ranks_the_current_home_first(cli: Cli, tmp_path: Path) -> None:
    oslo = ["I live in Oslo, it's cold but I love it.", "Living in Oslo means skiing all winter.",
            "I live in Oslo near the fjord."]
    path = write_jsonl(tmp_path / "home.jsonl", [
        *(say("u", text, f"2023-0{n}-01 10:00:00", n, f"oslo{n}") for n, text in
          enumerate(oslo, start=1)),
        say("u", "I moved to Valencia last week.", "2025-01-01 10:00:00", 9, "move")])
    cli.json("import", str(path), "--embedder", "hash")
    hits = cli.json("search", "--user", "u", "where do I live")
    assert hits[0]["memory_type"] == "fact" and "Valencia" in hits[0]["text"]
    assert "Oslo" in hits[1]["text"]  # the old episodes still come, after what holds now
    episodes = cli.json("search", "--user", "u", "where do I live", "--type", "episode")
    assert {h["memory_type"] for h in episodes} == {"episode"}  # the filter still holds
