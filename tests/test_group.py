"""Grouping: turns and batches per conversation, streaming, losing and duplicating nothing."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from memos_cli.ingest.group import TurnGrouper
from memos_cli.models import Message, TurnBatch


def message(user: str, conversation: str, role: str, n: int) -> Message:
    return Message(user_id=user, conversation_id=conversation, role=role,  # type: ignore[arg-type]
                   content=f"m{n}", message_id=f"{user}-{conversation}-{n}")


def run(grouper: TurnGrouper, messages: list[Message]) -> list[TurnBatch]:
    batches = [b for m in messages for b in grouper.add(m)]
    return batches + list(grouper.flush())


def test_batches_hold_n_turns_and_leading_replies_join_the_first() -> None:
    roles = ["assistant", "user", "assistant", "user", "assistant", "tool", "user", "assistant"]
    batches = run(TurnGrouper(batch_turns=2),
                  [message("u", "c", r, i) for i, r in enumerate(roles)])
    assert [[m.content for m in b.messages] for b in batches] == [
        ["m0", "m1", "m2", "m3", "m4", "m5"], ["m6", "m7"]]


def test_interleaved_conversations_are_kept_apart() -> None:
    stream = [message("u1", "a", "user", 0), message("u2", "b", "user", 1),
              message("u1", "a", "assistant", 2), message("u2", "b", "assistant", 3),
              message("u1", "a", "user", 4)]
    batches = run(TurnGrouper(batch_turns=1), stream)
    assert sorted((b.user_id, [m.content for m in b.messages]) for b in batches) == [
        ("u1", ["m0", "m2"]), ("u1", ["m4"]), ("u2", ["m1", "m3"])]


def test_open_conversations_are_bounded() -> None:
    grouper = TurnGrouper(batch_turns=4, max_open=3)
    stream = [message("u", f"c{i}", "user", i) for i in range(10)]
    early = [b for m in stream for b in grouper.add(m)]
    assert grouper.open_conversations == 3 and len(early) == 7


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["u1", "u2"]), st.sampled_from(["a", "b", "c"]),
                          st.sampled_from(["user", "assistant", "tool", "system"])),
                max_size=80),
       st.integers(min_value=1, max_value=5), st.integers(min_value=1, max_value=4))
def test_grouping_loses_and_duplicates_nothing(spec: list[tuple[str, str, str]], turns: int,
                                               max_open: int) -> None:
    stream = [message(u, c, r, i) for i, (u, c, r) in enumerate(spec)]
    batches = run(TurnGrouper(batch_turns=turns, max_open=max_open), stream)
    out = [m.message_id for b in batches for m in b.messages]
    assert sorted(out) == sorted(m.message_id for m in stream)
    for batch in batches:
        assert {(m.user_id, m.conversation_id) for m in batch.messages} == {
            (batch.user_id, batch.conversation_id)}
        assert sum(m.role == "user" for m in batch.messages) <= turns
        # order within a conversation is kept
        numbers = [int(m.content[1:]) for m in batch.messages]  # type: ignore[index]
        assert numbers == sorted(numbers)
