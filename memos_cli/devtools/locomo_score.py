"""LoCoMo evidence recall: turning a conversation into memos JSONL, and scoring retrieval.

Kept apart from the runner so that tests can check the arithmetic on hand-made data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop"}
TOP_KS = (5, 10, 25)
CHAR_BUDGETS = {"r1_5kc": 1500, "r3kc": 3000}

_SESSION = re.compile(r"^session_(\d+)$")
_DIA_ID = re.compile(r"^D(\d+):(\d+)$")


def session_time(text: str) -> datetime:
    """'1:56 pm on 8 May, 2023' -> a datetime."""
    return datetime.strptime(text.strip(), "%I:%M %p on %d %B, %Y")


def conversation_records(sample: dict[str, Any], roles: str = "user"
                         ) -> Iterator[dict[str, Any]]:
    """One memos message per dialogue turn: the sample is one user, a session a conversation.

    roles="speakers": speaker_a is `user`, speaker_b `assistant`; roles="user": both `user`.
    The speaker is the message's `name`, so episodes and facts show it ("Caroline: ...").
    """
    conversation = sample["conversation"]
    user = str(sample["sample_id"])
    sessions = sorted((int(m.group(1)), key) for key in conversation
                      if (m := _SESSION.match(key)) and isinstance(conversation[key], list))
    for number, key in sessions:
        start = session_time(conversation[f"{key}_date_time"])
        for index, turn in enumerate(conversation[key]):
            text = str(turn["text"])
            if turn.get("blip_caption"):
                text += f" [shares a photo of {turn['blip_caption']}]"
            role = "user"
            if roles == "speakers" and turn["speaker"] == conversation.get("speaker_b"):
                role = "assistant"
            yield {"user_id": user, "conversation_id": f"{user}-session-{number}",
                   "role": role, "name": turn["speaker"], "content": text,
                   "message_id": turn["dia_id"],
                   "chat_time": (start + timedelta(seconds=30 * index)).isoformat()}


def dialogue_ids(sample: dict[str, Any]) -> set[str]:
    return {r["message_id"] for r in conversation_records(sample)}


def normalise_evidence(evidence: Iterable[str], known: set[str]) -> list[str]:
    """'D8:6; D9:17' is two ids, 'D:11:26' is D11:26; ids not in the conversation are dropped."""
    found: list[str] = []
    for item in evidence:
        for piece in re.split(r"[;,\s]+", str(item)):
            piece = piece.strip()
            if not piece:
                continue
            piece = re.sub(r"^D:(\d+)", r"D\1", piece)
            if _DIA_ID.match(piece) and piece in known and piece not in found:
                found.append(piece)
    return found


@dataclass(frozen=True, slots=True)
class Retrieved:
    text: str
    sources: Sequence[str]


def recall(evidence: Sequence[str], memories: Sequence[Retrieved]) -> float:
    covered = {source for memory in memories for source in memory.sources}
    return sum(1 for e in evidence if e in covered) / len(evidence)


def within_budget(memories: Sequence[Retrieved], budget: int) -> list[Retrieved]:
    """Memories in rank order while their texts total at most `budget` characters."""
    taken: list[Retrieved] = []
    used = 0
    for memory in memories:
        used += len(memory.text)
        if used > budget:
            break
        taken.append(memory)
    return taken


def score_question(evidence: Sequence[str], ranked: Sequence[Retrieved]) -> dict[str, float]:
    scores = {f"r{k}": recall(evidence, ranked[:k]) for k in TOP_KS}
    for name, budget in CHAR_BUDGETS.items():
        scores[name] = recall(evidence, within_budget(ranked, budget))
    scores["chars10"] = float(sum(len(m.text) for m in ranked[:10]))
    return scores


def aggregate(rows: Sequence[tuple[int, dict[str, float]]]) -> dict[str, Any]:
    """Means overall and per category name."""
    def mean(values: list[dict[str, float]]) -> dict[str, float]:
        keys = values[0].keys() if values else []
        return {k: round(sum(v[k] for v in values) / len(values), 4) for k in keys}

    overall = mean([scores for _, scores in rows])
    per_category = {}
    for number, name in CATEGORIES.items():
        chosen = [scores for category, scores in rows if category == number]
        if chosen:
            per_category[name] = {**mean(chosen), "questions": len(chosen)}
    return {"overall": overall, "per_category": per_category, "questions": len(rows)}
