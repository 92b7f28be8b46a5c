"""Update decisions: the model says, per new memory, ADD, UPDATE, DELETE or NONE against the
user's nearest stored memories; this module asks the question and applies the answers.

Answers are applied through the same machinery as the rule extractor's resolution, so the
model decides *what* relates and chat_time still decides *which is newer*:
- UPDATE / NONE: the new memory takes the stored one's id, so the flush merges them (sources
  unioned, the wording of whichever was said last; NONE keeps the stored wording).
- DELETE: both get one subject, and resolution keeps the one said last active, the other
  superseded. A stored memory that had no subject is written back with it.
- ADD, no answer, or a target the question didn't show: the new memory stays as it is.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass

from memos_cli.ids import normalised
from memos_cli.llm.prompts import Decisions
from memos_cli.models import Memory
from memos_cli.store import MemoryFilter, MemoryStore, SearchQuery

DECIDABLE = ["fact", "preference", "tool"]
_NEIGHBOURS = 3  # stored memories looked at per new memory
_MIN_SIMILARITY = 0.5  # cosine; a stored memory less similar than this is unrelated
_CANDIDATES_PER_QUESTION = 10
_EXISTING_PER_QUESTION = 20


@dataclass(slots=True)
class Question:
    candidates: list[Memory]
    existing: list[Memory]


@dataclass(slots=True)
class DecisionStats:
    asked: int = 0
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    unanswered: int = 0  # the decision request failed: added as they are
    bad_targets: int = 0  # a target the question didn't show: added as they are

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def questions(store: MemoryStore, memories: list[Memory]) -> list[Question]:
    """One question per user and up to ten new memories that have stored neighbours."""
    flush_ids = {m.id for m in memories}
    by_user: dict[str, list[Memory]] = defaultdict(list)
    for memory in memories:
        if memory.payload["memory_type"] in DECIDABLE and memory.vector is not None:
            by_user[str(memory.payload["user_id"])].append(memory)
    asked: list[Question] = []
    for user, group in by_user.items():
        where = MemoryFilter(user_id=user, match_any={"memory_type": DECIDABLE})
        for start in range(0, len(group), _CANDIDATES_PER_QUESTION):
            chunk = group[start:start + _CANDIDATES_PER_QUESTION]
            existing: dict[str, Memory] = {}
            for memory in chunk:
                assert memory.vector is not None
                nearest = store.candidates(SearchQuery(
                    filter=where, text=memory.text, vector=memory.vector,
                    limit=_NEIGHBOURS)).dense
                for hit in nearest:
                    if hit.score >= _MIN_SIMILARITY and hit.id not in flush_ids:
                        existing.setdefault(hit.id, Memory(hit.id, hit.payload))
            if existing:
                asked.append(Question(chunk, list(existing.values())[:_EXISTING_PER_QUESTION]))
    return asked


def apply_decisions(store: MemoryStore, memories: list[Memory],
                    answered: list[tuple[Question, Decisions | None]],
                    stats: DecisionStats) -> list[Memory]:
    """The flush's memories with the answers applied, plus stored memories given a subject."""
    rewritten: list[Memory] = []
    for question, answer in answered:
        if answer is None:
            stats.unanswered += len(question.candidates)
            continue
        stats.asked += len(question.candidates)
        by_number = {d.candidate: d for d in answer.decisions}
        for number, memory in enumerate(question.candidates, start=1):
            decision = by_number.get(number)
            if decision is None or decision.action == "ADD":
                stats.added += 1
                continue
            target = decision.target
            if target is None or not 1 <= target <= len(question.existing):
                stats.bad_targets += 1
                stats.added += 1
                continue
            stored = question.existing[target - 1]
            if decision.action == "DELETE":
                stats.deleted += 1
                rewritten.extend(_share_subject(store, memory, stored))
                continue
            if decision.action == "NONE":
                stats.unchanged += 1
                memory.payload["text"] = stored.payload["text"]
            else:
                stats.updated += 1
            memory.id = stored.id
            memory.payload["memory_type"] = stored.payload["memory_type"]
    return [*memories, *rewritten]


def _share_subject(store: MemoryStore, memory: Memory, stored: Memory) -> list[Memory]:
    """Put the new memory in the stored one's subject (made up from its id if it had none);
    resolution then supersedes whichever was said first."""
    subject = stored.payload.get("subject") or f"llm:{stored.id}"
    memory.payload["subject"], memory.payload["value"] = subject, normalised(memory.text)
    if stored.payload.get("subject"):
        return []
    full = store.retrieve([stored.id], with_vectors=True)
    for copy in full:
        copy.payload["subject"], copy.payload["value"] = subject, normalised(copy.text)
    return full
