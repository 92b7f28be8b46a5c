"""The two questions put to the model, and the JSON schemas of their answers.

Messages and memories are shown under small integers ([1], [2], ...) rather than their ids:
cheaper in tokens, and a model copies "3" more reliably than a UUID. The caller maps them back.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from memos_cli.models import Message, TurnBatch
from memos_cli.timeparse import iso

EXTRACTION_SYSTEM = """\
You turn a piece of a conversation into long-term memories about the user.
Return JSON: {"memories": [{"type": "fact" | "preference" | "tool", "text": "...",
"sources": [message numbers], "confidence": 0.0-1.0}]}.
- fact: something true about the user or their life (people, places, work, plans, events).
- preference: a like, dislike, habit, wish or choice of the user.
- tool: what a tool call did for the user (tool name, arguments, outcome).
Write each text as one self-contained sentence in the third person, naming the speaker
when a name is given, with relative dates ("yesterday", "next week") resolved to absolute
dates from the message times. Sources are the numbers of the messages it rests on.
Keep only what is worth remembering months later; return {"memories": []} when nothing is."""

DECISION_SYSTEM = """\
You keep a user's memory store consistent. For each new memory, compare it with the user's
existing memories and choose one action:
- ADD: new information; keep it as a new memory.
- UPDATE: it refines or restates existing memory `target` (same subject, more or newer detail).
- DELETE: it contradicts existing memory `target`, which it replaces.
- NONE: existing memory `target` already says the same; nothing to add.
Return JSON: {"decisions": [{"candidate": n, "action": "ADD" | "UPDATE" | "DELETE" | "NONE",
"target": m or null}]}, one decision per new memory."""

# A rough count for budgets and estimates: about four characters per token in English.
CHARS_PER_TOKEN = 4
# What an answer of either kind usually costs, for the estimate of a dry run.
EXPECTED_COMPLETION_TOKENS = 150
# A message longer than this (a pasted document) is cut in the prompt, so that one batch fits
# a small model's context; the episode and documents keep the whole text.
MAX_MESSAGE_CHARS = 4000


class ExtractedMemory(BaseModel):
    type: Literal["fact", "preference", "tool"]
    text: str = Field(min_length=1)
    sources: list[int] = Field(default_factory=list)
    confidence: float = Field(default=1.0, ge=0, le=1)


class Extraction(BaseModel):
    memories: list[ExtractedMemory]


class UpdateDecision(BaseModel):
    candidate: int
    action: Literal["ADD", "UPDATE", "DELETE", "NONE"]
    target: int | None = None


class Decisions(BaseModel):
    decisions: list[UpdateDecision]


def render_batch(batch: TurnBatch) -> str:
    lines = []
    for number, message in enumerate(batch.messages, start=1):
        text = message.text
        if len(text) > MAX_MESSAGE_CHARS:
            text = text[:MAX_MESSAGE_CHARS] + " [...]"
        lines.append(f"[{number}] {_when(message)}{_speaker(message)}: {text}")
        for call in message.tool_calls:
            lines.append(f"    tool call {call.function.name}({call.function.arguments})")
    return "\n".join(lines)


def extraction_messages(batch: TurnBatch) -> list[dict[str, str]]:
    return [{"role": "system", "content": EXTRACTION_SYSTEM},
            {"role": "user", "content": render_batch(batch)}]


def decision_messages(candidates: list[str], existing: list[str]) -> list[dict[str, str]]:
    shown = "\n".join(f"[{n}] {text}" for n, text in enumerate(existing, start=1))
    new = "\n".join(f"[{n}] {text}" for n, text in enumerate(candidates, start=1))
    return [{"role": "system", "content": DECISION_SYSTEM},
            {"role": "user", "content": f"Existing memories:\n{shown}\n\nNew memories:\n{new}"}]


def estimate_tokens(messages: list[dict[str, str]]) -> int:
    return sum(len(m["content"]) for m in messages) // CHARS_PER_TOKEN + 4 * len(messages)


def _when(message: Message) -> str:
    return f"({iso(message.chat_time)}) " if message.chat_time is not None else ""


def _speaker(message: Message) -> str:
    return f"{message.role} {message.name}" if message.name else message.role
