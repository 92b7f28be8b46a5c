"""The rule extractor: episodes, preferences, facts with resolved dates, tool memories."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from memos_cli.ingest.extract.dates import annotate_dates
from memos_cli.ingest.extract.rules import RuleExtractor
from memos_cli.ingest.extract.statements import find_statements
from memos_cli.models import MemoryCandidate, Message, TurnBatch

SAID = datetime(2023, 5, 8, 13, 56, tzinfo=UTC)  # a Monday


def msg(role: str, content: str, n: int, **extra: Any) -> Message:
    return Message(user_id="u", conversation_id="c", role=role,  # type: ignore[arg-type]
                   content=content, message_id=f"m{n}", chat_time=SAID, **extra)


def extract(*messages: Message) -> list[MemoryCandidate]:
    return RuleExtractor().extract(TurnBatch("u", "c", list(messages)))


@pytest.mark.parametrize("text, polarity, obj", [
    ("I like spicy food", "+", "spicy food"),
    ("I really love hiking in the mountains!", "+", "hiking"),
    ("But I don't really like heavy oil, such as spicy hot pot", "-", "heavy oil"),
    ("I can't stand cold weather.", "-", "cold weather"),
    ("I'm allergic to peanuts, so be careful.", "-", "peanut"),
    ("My favourite vegetable is eggplant.", "+", "eggplant"),
    ("I'll choose 7 Days Inn", "+", "7 days inn"),
    ("I prefer tea over coffee", "+", "tea over coffee"),
])
def test_preferences(text: str, polarity: str, obj: str) -> None:
    [statement] = find_statements(text, SAID)
    assert statement.kind == "preference"
    assert (statement.attributes["polarity"], statement.attributes["object"]) == (polarity, obj)


@pytest.mark.parametrize("text, slot, value", [
    ("I live in Berlin.", "home", "berlin"),
    ("I work at a design studio in Shenzhen.", "employer", "design studio in shenzhen"),
    ("I'm 34 years old, is it too late?", "age", "34"),
])
def test_single_valued_facts(text: str, slot: str, value: str) -> None:
    [statement] = find_statements(text, SAID)
    assert statement.kind == "fact" and statement.attributes == {"slot": slot, "value": value}


def test_a_sentence_with_two_keyed_statements_gives_both() -> None:
    found = find_statements("My name is Bob and I live in Berlin.", SAID)
    assert [s.attributes for s in found] == [{"slot": "name", "value": "bob"},
                                             {"slot": "home", "value": "berlin"}]
    [one] = find_statements("I ran 5 km this morning and my knees are sore", SAID)
    assert one.kind == "fact" and "knees" in one.text


@pytest.mark.parametrize("text", [
    "What do you like?", "How are you today?", "Can you help me?", "The weather is nice.",
    "Thanks, that helps a lot.",
])
def test_questions_and_non_statements_give_nothing(text: str) -> None:
    assert find_statements(text, SAID) == []


def test_statement_before_a_question_is_kept() -> None:
    [statement] = find_statements("I'm planning a trip to Guangzhou this summer, what chain "
                                  "hotels are available?", SAID)
    assert statement.text.startswith("I'm planning a trip to Guangzhou this summer")


@pytest.mark.parametrize("text, expected", [
    ("I went to a support group yesterday", "yesterday (7 May 2023)"),
    ("I ran 5 km this morning", "this morning (8 May 2023)"),
    ("we met last week", "last week (the week of 1 May 2023)"),
    ("I moved 3 days ago", "3 days ago (5 May 2023)"),
    ("I started a class last month", "last month (April 2023)"),
    ("see you next Friday", "next Friday (12 May 2023)"),
    ("it was last year", "last year (2022)"),
])
def test_relative_dates_resolve_against_chat_time(text: str, expected: str) -> None:
    assert expected in annotate_dates(text, SAID)


def test_batch_gives_episode_statements_and_tool_memories() -> None:
    call = {"id": "call1", "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city": "Guangzhou"}'}}
    found = extract(
        msg("system", "You are helpful.", 0),
        msg("user", "I ran 5 km this morning and my knees are sore", 1),
        msg("assistant", "", 2, tool_calls=[call]),
        msg("tool", '{"error": "timeout"}', 3, tool_call_id="call1"),
        msg("assistant", "Rest today.", 4),
    )
    kinds = [c.memory_type for c in found]
    assert kinds == ["episode", "fact", "tool"]
    episode, fact, tool = found
    assert "You are helpful" not in episode.text and "[8 May 2023]" in episode.text
    assert episode.sources == ["m1", "m2", "m3", "m4"]
    assert fact.sources == ["m1"] and "this morning (8 May 2023)" in fact.text
    assert tool.sources == ["m2", "m3"] and tool.attributes["outcome"] == "error"
    assert tool.attributes["tool"] == "get_weather"


def test_a_choice_keeps_what_it_was_chosen_from() -> None:
    found = extract(
        msg("user", "I'm planning a trip to Guangzhou, what hotels are there?", 1),
        msg("assistant", "You can consider 7 Days Inn, Ji Hotel, Hilton.", 2),
        msg("user", "I'll choose 7 Days Inn", 3),
    )
    preferences = [c for c in found if c.memory_type == "preference"]
    assert len(preferences) == 1
    assert "Guangzhou" in preferences[0].text and preferences[0].sources == ["m1", "m2", "m3"]
    # the trip statement is carried by the choice, not stored twice
    assert not [c for c in found if c.memory_type == "fact"]


def parts_of(*messages: Message, part_turns: int = 2) -> list[MemoryCandidate]:
    found = RuleExtractor(part_turns).extract(TurnBatch("u", "c", list(messages)))
    return [c for c in found if c.memory_type == "episode"]


def test_an_episode_of_four_turns_is_two_parts_with_the_whole_as_context() -> None:
    parts = parts_of(
        msg("system", "You are helpful.", 0),
        msg("assistant", "Hi, how can I help?", 1),  # before the first user message: turn 1
        msg("user", "Where should I stay in Guangzhou?", 2),
        msg("assistant", "Try the 7 Days Inn.", 3),
        msg("user", "Is it near the station?", 4),
        msg("assistant", "Yes, a short walk.", 5),
        msg("user", "Book it.", 6),
        msg("user", "Thanks!", 7),
    )
    assert [p.sources for p in parts] == [["m1", "m2", "m3", "m4", "m5"], ["m6", "m7"]]
    whole = "\n".join(["[8 May 2023] assistant: Hi, how can I help?",
                       "user: Where should I stay in Guangzhou?", "assistant: Try the 7 Days Inn.",
                       "user: Is it near the station?", "assistant: Yes, a short walk.",
                       "user: Book it.", "user: Thanks!"])
    assert {p.context for p in parts} == {whole}
    assert parts[1].text == "[8 May 2023] user: Book it.\nuser: Thanks!"
    assert "You are helpful" not in whole
    assert [p.attributes["part"] for p in parts] == ["1", "2"]
    assert {p.attributes["parts"] for p in parts} == {"2"}
    assert len({p.attributes["episode"] for p in parts}) == 1


def test_a_short_episode_or_part_turns_zero_stays_whole() -> None:
    messages = [msg("user", "Hello", 1), msg("assistant", "Hi!", 2), msg("user", "Bye", 3)]
    [short] = parts_of(*messages)
    [whole] = parts_of(*messages, msg("user", "Again", 4), msg("user", "More", 5), part_turns=0)
    for episode in (short, whole):
        assert episode.context is None and "episode" not in episode.attributes
    assert whole.sources == ["m1", "m2", "m3", "m4", "m5"]


def test_a_reversal_in_other_words_names_the_same_subject() -> None:
    [loved] = find_statements("I love sushi, it's my favourite food", SAID)
    [gone] = find_statements("I can't stand sushi anymore, raw fish makes me sick", SAID)
    assert loved.attributes["object"] == gone.attributes["object"] == "sushi"
    assert (loved.attributes["polarity"], gone.attributes["polarity"]) == ("+", "-")


def test_a_request_or_a_greeting_is_not_a_fact() -> None:
    assert find_statements("Hi, I need a new password.", SAID) == []
    assert find_statements("Hello! Can you help me reset my account?", SAID) == []


def test_a_pet_is_a_fact_of_its_own() -> None:
    [pet] = find_statements("I just adopted a puppy named Waffles", SAID)
    assert pet.kind == "fact" and pet.attributes == {"kind": "pet", "animal": "puppy",
                                                     "name": "Waffles"}


def test_a_reminder_dates_its_weekday_forward() -> None:
    tuesday = datetime(2025, 5, 13, 9, 0)
    [reminder] = find_statements("Remind me to call mom on Friday", tuesday)
    assert "16 May 2025" in reminder.text
    [past] = find_statements("I called mom on Friday", tuesday)
    assert "9 May 2025" in past.text


@pytest.mark.parametrize("old, new", [
    ("Tea is my thing, I have like five cups a day.", "I've quit tea completely."),
    ("I enjoy board games with friends.", "Board games aren't really my thing anymore."),
    ("I'm obsessed with pickleball lately!", "Pickleball got old for me, I don't play anymore."),
    ("I really like cycling to work.", "I don't enjoy cycling anymore since the accident."),
    ("I'm a huge football fan.", "I don't really follow football anymore."),
    ("I never liked yoga.", "Yoga has really grown on me."),
    ("I can't get enough of reality TV.", "I'm so done with reality TV."),
    ("I don't care for olives.", "I've developed a taste for olives."),
    ("I'm really enjoying my pottery class.", "I dropped out of pottery, it wasn't fun."),
    ("I love thrillers.", "Thrillers stress me out now."),
    ("I play the guitar every day.", "I haven't touched my guitar in months."),
])
def test_everyday_reversals_name_one_subject_with_opposite_polarity(old: str, new: str) -> None:
    [before] = [s for s in find_statements(old, SAID) if s.kind == "preference"]
    [after] = [s for s in find_statements(new, SAID) if s.kind == "preference"]
    assert before.attributes["object"] == after.attributes["object"]
    assert before.attributes["polarity"] != after.attributes["polarity"]


@pytest.mark.parametrize("text, expected", [
    ("I'm an engineer at Shopify.", [("job", "engineer"), ("employer", "shopify")]),
    ("I quit Deloitte, I'm unemployed for now.", [("job", "unemployed"), ("employer", "none")]),
    ("Home for me is Chicago.", [("home", "chicago")]),
    ("I celebrated my 47th birthday on Sunday.", [("age", "47")]),
    ("Turned 61 yesterday!", [("age", "61")]),
    ("I switched to studying computer science.", [("studies", "computer science")]),
    ("My girlfriend and I have been together for two years.",
     [("relationship_status", "in a relationship")]),
    ("I left Shopify and now work for Airbnb.", [("employer", "airbnb")]),
    ("I live with my parents in Ohio.", [("home", "ohio")]),
    ("I've been single for a while.", [("relationship_status", "single")]),
    ("I dropped medicine and now study nursing.", [("studies", "nursing")]),
])
def test_facts_in_everyday_words(text: str, expected: list[tuple[str, str]]) -> None:
    found = find_statements(text, SAID)
    assert [(s.attributes["slot"], s.attributes["value"]) for s in found] == expected


def test_a_dropped_i_is_read_but_the_text_is_kept_as_written() -> None:
    [age] = find_statements("Turned 61 yesterday!", SAID)
    assert age.text.startswith("Turned 61 yesterday")


def test_becoming_vegan_is_a_diet_not_a_job() -> None:
    [diet] = find_statements("I became fully vegan this year.", SAID)
    assert diet.kind == "preference" and diet.attributes["kind"] == "diet"


@pytest.mark.parametrize("text", [
    "I'm over the moon about it!", "I'd love to help in any way I can.",
    "I love how art lets us get our emotions out.", "I dropped off the cakes at the shelter.",
    "I'm off to go do some research.", "Doing something I love is awesome.",
])
def test_idioms_wishes_and_appreciations_are_no_preference(text: str) -> None:
    assert [s for s in find_statements(text, SAID) if s.kind == "preference"] == []
