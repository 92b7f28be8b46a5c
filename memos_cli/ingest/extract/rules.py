"""The rule extractor: no model, no network. From each batch: the episode, the user's stated
preferences and facts, and one tool memory per tool call."""

from __future__ import annotations

from datetime import datetime

import orjson

from memos_cli.ids import stable_id
from memos_cli.ingest.documents import chunks
from memos_cli.ingest.extract.dates import day_text
from memos_cli.ingest.extract.statements import find_statements
from memos_cli.ingest.extract.statements_zh import find_statements_zh
from memos_cli.models import MemoryCandidate, Message, TurnBatch
from memos_cli.text.scripts import has_cjk

_TOOL_RESULT_CHARS = 300
# A message longer than this (a pasted document, a log) shows only its head in the episode;
# all of it is kept as document chunks, and statements are read from the head alone.
LONG_MESSAGE_CHARS = 8_000
_HEAD_CHARS = 2_000
_CHOICE_CONTEXT_CHARS = 200
_ERROR_MARKERS = ("error", "exception", "failed", "traceback", "not found", "denied")


class RuleExtractor:
    name = "rules"

    def __init__(self, part_turns: int = 0) -> None:
        self.part_turns = part_turns  # 0: each episode whole

    def extract(self, batch: TurnBatch) -> list[MemoryCandidate]:
        found: list[MemoryCandidate] = _episode_parts(batch, self.part_turns)
        found.extend(_statements(batch.messages))
        found.extend(_tool_memories(batch.messages))
        found.extend(_attachments(batch.messages))
        found.extend(_long_messages(batch.messages))
        return found


def _speaker(message: Message) -> str:
    return message.name or message.role


def _episode(messages: list[Message]) -> MemoryCandidate | None:
    lines: list[str] = []
    sources: list[str] = []
    for message in messages:
        if message.role == "system":
            continue
        sources.append(message.message_id)
        text = message.text.strip()
        if len(text) > LONG_MESSAGE_CHARS:
            text = (f"{text[:_HEAD_CHARS]} […{len(text) - _HEAD_CHARS:,} more characters, "
                    "kept as document parts]")
        for call in message.tool_calls:
            text += f" [calls {call.function.name}({call.function.arguments})]"
        if text:
            lines.append(f"{_speaker(message)}: {text}")
    if not lines:
        return None
    said = _first_time(messages)
    header = f"[{day_text(said)}] " if said else ""
    return MemoryCandidate("episode", header + "\n".join(lines), sources, said)


def _episode_parts(batch: TurnBatch, part_turns: int) -> list[MemoryCandidate]:
    """The batch's episode, as parts of `part_turns` turns when it has more.

    A part is what a search shows: a few turns rather than the whole batch, so that more
    evidence fits in a reader's context. It is ranked with its whole episode as context
    (MemoryCandidate.context), and search shows the episode whole again when its parts rank
    next to each other (search/searcher.py)."""
    whole = _episode(batch.messages)
    turns = _turns(batch.messages)
    if whole is None or part_turns <= 0 or len(turns) <= part_turns:
        return [whole] if whole is not None else []
    group = stable_id("episode", batch.user_id, batch.conversation_id, *whole.sources)
    pieces = [_episode([m for turn in turns[i:i + part_turns] for m in turn])
              for i in range(0, len(turns), part_turns)]
    parts = [p for p in pieces if p is not None]
    for number, part in enumerate(parts, start=1):
        part.context = whole.text
        part.attributes = {"episode": group, "part": str(number), "parts": str(len(parts))}
    return parts


def _turns(messages: list[Message]) -> list[list[Message]]:
    """A turn is a user message and what follows it up to the next one; what comes before
    the first user message joins the first turn (as in ingest/group.py)."""
    turns: list[list[Message]] = []
    has_user = False
    for message in messages:
        if not turns or (message.role == "user" and has_user):
            turns.append([])
            has_user = False
        has_user = has_user or message.role == "user"
        turns[-1].append(message)
    return turns


def _first_time(messages: list[Message]) -> datetime | None:
    for message in messages:
        if message.chat_time is not None:
            return message.chat_time
    return None


def _statements(messages: list[Message]) -> list[MemoryCandidate]:
    found: list[MemoryCandidate] = []
    for index, message in enumerate(messages):
        if message.role != "user" or not isinstance(message.text, str):
            continue
        said = message.text[:LONG_MESSAGE_CHARS]
        statements = find_statements(said, message.chat_time)
        if has_cjk(said):
            statements += find_statements_zh(said, message.chat_time)
        for statement in statements:
            text = f"{message.name}: {statement.text}" if message.name else statement.text
            sources = [message.message_id]
            if statement.attributes.get("kind") == "choice":
                text, sources = _with_choice_context(text, messages, index)
            attributes = dict(statement.attributes)
            if message.name:  # a named speaker of a shared chat: their facts are their own
                attributes["speaker"] = message.name
            found.append(MemoryCandidate(statement.kind, text, sources,  # type: ignore[arg-type]
                                         message.chat_time, attributes))
    return _without_subsumed(found)


def _without_subsumed(found: list[MemoryCandidate]) -> list[MemoryCandidate]:
    """Drop a statement a choice already carries as its context (one memory, not two)."""
    choices = [c for c in found if c.attributes.get("kind") == "choice"]
    if not choices:
        return found

    def subsumed(candidate: MemoryCandidate) -> bool:
        head = candidate.text.split(" (", 1)[0]
        return any(choice is not candidate and set(candidate.sources) <= set(choice.sources)
                   and head in choice.text for choice in choices)

    return [c for c in found if not subsumed(c)]


def _with_choice_context(text: str, messages: list[Message], index: int) -> tuple[str, list[str]]:
    """A choice means little alone ("I'll take the second one"): keep what was chosen from."""
    sources = [messages[index].message_id]
    context: list[str] = []
    for earlier in reversed(messages[:index]):
        if earlier.role == "system":
            continue
        sources.insert(0, earlier.message_id)
        context.insert(0, earlier.text.strip()[:_CHOICE_CONTEXT_CHARS])
        if earlier.role == "user":
            break
    if not context:
        return text, sources
    return f"{text} (context: {' / '.join(context)})", sources


def _attachments(messages: list[Message]) -> list[MemoryCandidate]:
    """Images keep their URL and caption; documents become chunks pointing back to the file."""
    found: list[MemoryCandidate] = []
    for message in messages:
        if isinstance(message.content, str):
            continue
        said = " ".join(p.text for p in message.content if p.type == "text" and p.text).strip()
        for part in message.content:
            if part.type == "image_url" and part.image_url:
                extra = part.image_url.model_extra or {}
                caption = str(extra.get("caption") or extra.get("alt") or said)
                text = f"Image {part.image_url.url}" + (f": {caption}" if caption else "")
                found.append(MemoryCandidate(
                    "document", text, [message.message_id], message.chat_time,
                    {"kind": "image", "url": part.image_url.url, "caption": caption}))
            elif part.type == "file" and part.file and part.text:
                name = part.file.filename or part.file.file_id or "attachment"
                pieces = chunks(part.text)
                for index, piece in enumerate(pieces, start=1):
                    found.append(MemoryCandidate(
                        "document", f"[{name}, part {index}/{len(pieces)}] {piece}",
                        [message.message_id], message.chat_time,
                        {"kind": "file", "filename": name, "chunk": str(index),
                         "chunks": str(len(pieces))}))
    return found


def _long_messages(messages: list[Message]) -> list[MemoryCandidate]:
    """Every word of a long message, as chunks that search finds on their own."""
    found: list[MemoryCandidate] = []
    for message in messages:
        text = message.text if isinstance(message.content, str) else ""
        if len(text) <= LONG_MESSAGE_CHARS or message.role == "system":
            continue
        pieces = chunks(text)
        for index, piece in enumerate(pieces, start=1):
            found.append(MemoryCandidate(
                "document", f"[message {message.message_id}, part {index}/{len(pieces)}] "
                f"{piece}", [message.message_id], message.chat_time,
                {"kind": "long_message", "chunk": str(index), "chunks": str(len(pieces))}))
    return found


def _tool_memories(messages: list[Message]) -> list[MemoryCandidate]:
    results = {m.tool_call_id: m for m in messages if m.role == "tool" and m.tool_call_id}
    answered: set[str] = set()
    found: list[MemoryCandidate] = []
    for message in messages:
        for call in message.tool_calls:
            result = results.get(call.id) if call.id else None
            if result is None:
                result = _next_tool_message(messages, message, answered)
            found.append(_tool_memory(call.function.name, call.function.arguments, message, result))
            if result is not None:
                answered.add(result.message_id)
    for message in messages:
        if message.role == "tool" and message.message_id not in answered:
            found.append(_tool_memory(message.name or "tool", "", None, message))
    return found


def _next_tool_message(messages: list[Message], caller: Message,
                       answered: set[str]) -> Message | None:
    after = False
    for message in messages:
        if message is caller:
            after = True
        elif after and message.role == "tool" and message.message_id not in answered:
            return message
    return None


def _tool_memory(tool: str, arguments: str, call: Message | None,
                 result: Message | None) -> MemoryCandidate:
    outcome = "unknown"
    result_text = ""
    if result is not None:
        result_text = result.text.strip()
        outcome = "error" if _looks_failed(result_text) else "success"
    args = _compact_json(arguments)
    text = f"Tool {tool}({args})"
    if result is not None:
        text += f" -> {outcome}: {result_text[:_TOOL_RESULT_CHARS]}"
    sources = [m.message_id for m in (call, result) if m is not None]
    anchor = call or result
    said = anchor.chat_time if anchor else None
    attributes = {"tool": tool, "arguments": args, "outcome": outcome}
    return MemoryCandidate("tool", text, sources, said, attributes)


def _compact_json(arguments: str) -> str:
    try:
        return orjson.dumps(orjson.loads(arguments)).decode() if arguments else ""
    except orjson.JSONDecodeError:
        return arguments


def _looks_failed(result: str) -> bool:
    head = result[:200].lower()
    try:
        parsed = orjson.loads(result)
    except orjson.JSONDecodeError:
        parsed = None
    if isinstance(parsed, dict) and ("error" in parsed or parsed.get("status") == "error"):
        return True
    return any(marker in head for marker in _ERROR_MARKERS)
