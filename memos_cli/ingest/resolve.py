"""Conflict resolution: pure functions, no I/O.

A fact or preference with a *subject* (a preference's object and kind, a favourite's
category, a single-valued fact's slot: name, home, employer, job, age, relationship status)
has one memory per value, whose id comes from (user, subject, value): saying the same thing
again merges into it. Among the values of one subject, the one said last (by chat_time, never
by import order) is active and the others are superseded by it. So the outcome depends only
on what was said and when, whatever order files and lines arrive in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Decision:
    id: str
    status: str  # active | superseded
    superseded_by: str | None


def subject_of(memory_type: str, attributes: dict[str, str]) -> tuple[str, str] | None:
    """(subject, value) of a candidate, or None when it has no single-valued subject. A named
    speaker (group chats, two-person transcripts) scopes the subject to that speaker."""
    speaker = f"{attributes['speaker'].lower()}/" if attributes.get("speaker") else ""
    if memory_type == "fact" and attributes.get("slot"):
        return f"{speaker}slot:{attributes['slot']}", attributes.get("value", "")
    if memory_type != "preference":
        return None
    kind = attributes.get("kind")
    if kind == "favourite" and attributes.get("category"):
        return f"{speaker}favourite:{attributes['category']}", attributes.get("object", "")
    if kind == "diet" and attributes.get("object"):  # one diet at a time
        return f"{speaker}diet", attributes["object"]
    if kind in ("likes", "allergy", "intolerance") and attributes.get("object"):
        return f"{speaker}{kind}:{attributes['object']}", attributes.get("polarity", "+")
    return None


def _said(payload: dict[str, Any]) -> str:
    return str(payload.get("last_said_at") or payload.get("chat_time") or "")


def resolve(members: Iterable[tuple[str, dict[str, Any]]]) -> list[Decision]:
    """Decisions for every memory (id, payload) of one user's subject: the latest said wins;
    ties go to the larger value, then id, so that any order gives the same answer."""
    ranked = sorted(members, key=lambda m: (_said(m[1]), str(m[1].get("value", "")), m[0]))
    if not ranked:
        return []
    winner = ranked[-1][0]
    return [Decision(memory_id, "active" if memory_id == winner else "superseded",
                     None if memory_id == winner else winner) for memory_id, _ in ranked]


def said_last(existing: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Whichever of two copies of a memory was said last (its wording and conversation are the
    ones shown); a tie goes to the larger conversation and text, so that any order of runs
    gives the same answer."""
    def key(payload: dict[str, Any]) -> tuple[str, str, str]:
        return _said(payload), str(payload.get("conversation_id") or ""), str(payload["text"])

    return existing if key(existing) > key(new) else new
