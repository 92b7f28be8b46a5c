"""The pipeline's types, in the order data flows through them.

RawRecord (reader) -> Message (validated) -> TurnBatch (grouped) -> MemoryCandidate (extracted)
-> Memory (embedded, ready for the store). A `Failure` can leave any stage; `RunReport` sums a run.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from memos_cli.errors import ExitCode

Role = Literal["user", "assistant", "system", "tool"]
ROLES: tuple[str, ...] = get_args(Role)
MemoryType = Literal["fact", "preference", "tool", "episode", "document"]
MEMORY_TYPES: tuple[str, ...] = get_args(MemoryType)
Stage = Literal["read", "validate", "extract", "embed", "store"]


@dataclass(slots=True)
class RawRecord:
    """One record as a reader found it: where it came from and its parsed JSON-like object."""

    file: str
    line: int
    raw: str
    data: dict[str, Any]
    # Fields a format supplies that the record itself lacks (derived ids, --user).
    defaults: dict[str, Any] = field(default_factory=dict)
    # Byte offsets of the record's line in its file (where a checkpoint may resume).
    start_offset: int = 0
    end_offset: int = 0


@dataclass(slots=True)
class Failure:
    """A record that could not be used; written to the failures file, counted in the report."""

    file: str
    line: int
    stage: Stage
    reason: str
    raw: str
    # Where the record's line starts in its file (for checkpoints; not written out).
    offset: int = 0
    # The LLM's last answer, when extraction failed on an answer that didn't validate.
    model_answer: str | None = None

    def to_json(self) -> dict[str, Any]:
        found = {
            "file": self.file,
            "line": self.line,
            "stage": self.stage,
            "reason": self.reason,
            "raw": self.raw,
        }
        if self.model_answer is not None:
            found["model_answer"] = self.model_answer
        return found


class FunctionCall(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    arguments: str = ""


class ToolCall(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str | None = None
    type: str = "function"
    function: FunctionCall


class ImageUrl(BaseModel):
    model_config = ConfigDict(extra="allow")
    url: str
    detail: str | None = None


class FileRef(BaseModel):
    model_config = ConfigDict(extra="allow")
    file_data: str | None = None
    file_id: str | None = None
    url: str | None = None
    filename: str | None = None


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: Literal["text", "image_url", "file"]
    text: str | None = None
    image_url: ImageUrl | None = None
    file: FileRef | None = None


class Message(BaseModel):
    """One validated message with the request context it arrived in (the MemOS field set)."""

    model_config = ConfigDict(frozen=True)

    user_id: str = Field(min_length=1)
    conversation_id: str = Field(min_length=1)
    role: Role
    content: str | list[ContentPart]
    message_id: str
    chat_time: datetime | None = None
    name: str | None = None
    tool_calls: list[ToolCall] = Field(default_factory=list)
    tool_call_id: str | None = None
    info: dict[str, str] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    agent_id: str | None = None
    app_id: str | None = None
    async_mode: bool = False
    allow_public: bool = False
    allow_knowledgebase_ids: list[str] = Field(default_factory=list)
    # Where it came from, for failures that happen after validation.
    source_file: str = ""
    source_line: int = 0
    source_offset: int = 0
    raw: str = ""

    @property
    def text(self) -> str:
        """The message as plain text: text parts verbatim, other parts as short markers."""
        if isinstance(self.content, str):
            return self.content
        pieces: list[str] = []
        for part in self.content:
            if part.type == "text" and part.text:
                pieces.append(part.text)
            elif part.type == "image_url" and part.image_url:
                pieces.append(f"[image: {part.image_url.url}]")
            elif part.type == "file" and part.file:
                pieces.append(f"[file: {part.file.filename or part.file.file_id or 'attachment'}]")
        return "\n".join(pieces)


@dataclass(slots=True)
class TurnBatch:
    """Consecutive turns of one conversation: the unit of extraction and of one episode."""

    user_id: str
    conversation_id: str
    messages: list[Message]
    # The first `seeded` messages are an earlier run's tail of this conversation, stored
    # already as the memories `replaces`; this batch is what one run would have made of them.
    seeded: int = 0
    replaces: list[str] = field(default_factory=list)
    # Still open when the input ended: stored now, and grown by the conversation's next run.
    tail: bool = False

    @property
    def new_messages(self) -> list[Message]:
        return self.messages[self.seeded:]


@dataclass(slots=True)
class Tail:
    """A conversation's open batch at the end of a run, kept in state.db."""

    messages: list[Message]
    memory_ids: list[str]


@dataclass(slots=True)
class MemoryCandidate:
    """What an extractor found in a batch, before ids, vectors and resolution."""

    memory_type: MemoryType
    text: str
    sources: list[str]
    chat_time: datetime | None
    # Structured keys for later resolution, e.g. {"object": "spicy food", "polarity": "+"}.
    attributes: dict[str, str] = field(default_factory=dict)
    # Text around this one (a part's whole episode): indexed and embedded, never shown.
    context: str | None = None


@dataclass(slots=True)
class Memory:
    """One Qdrant point: id, payload and the dense vector (the store derives the sparse one)."""

    id: str
    payload: dict[str, Any]
    vector: list[float] | None = None
    # Only while a memory is being written (MemoryCandidate.context); not stored.
    context: str | None = None

    @property
    def text(self) -> str:
        return str(self.payload["text"])

    @property
    def embed_text(self) -> str:
        """What the dense vector is made from: the whole episode for each of its parts, so
        they share one vector (embedded once per run) that knows the part's surroundings."""
        return self.context or self.text

    @property
    def index_text(self) -> str:
        """What BM25 indexes: the text, plus its context when it has one (the part's own
        words then count twice, its neighbours' once)."""
        return f"{self.text}\n{self.context}" if self.context else self.text


@dataclass(slots=True)
class StageTimes:
    read: float = 0.0
    validate: float = 0.0
    ledger: float = 0.0
    group: float = 0.0
    extract: float = 0.0
    embed: float = 0.0
    store: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return {name: round(getattr(self, name), 4) for name in self.__slots__}

    @contextlib.contextmanager
    def timing(self, stage: str) -> Iterator[None]:
        """Adds the time the block takes to `stage`, however the block ends."""
        started = time.perf_counter()
        try:
            yield
        finally:
            setattr(self, stage, getattr(self, stage) + time.perf_counter() - started)


@dataclass(slots=True)
class LLMUsage:
    """What a run asked of the model: requests, tokens, and how often it had to ask again."""

    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    retries: int = 0
    rate_limited: int = 0  # 429 answers
    server_errors: int = 0  # 5xx answers
    timeouts: int = 0
    connection_errors: int = 0
    invalid_answers: int = 0
    failed_requests: int = 0
    throttled_s: float = 0.0  # waiting for the client-side rate limiter
    by_status: dict[str, int] = field(default_factory=dict)  # not in the summary


@dataclass(slots=True)
class LLMSummary:
    """The LLM extractor's part of a run summary: its usage and what that cost; for a dry
    run (`estimated`), the requests and tokens it would take."""

    model: str | None
    estimated: bool
    usage: LLMUsage
    unknown_source_ids: int = 0  # message numbers the model cited that the batch did not have
    response_mode: str | None = None  # json_schema, json_object or text: what the server took
    decisions: dict[str, int] = field(default_factory=dict)
    cost: float | None = None  # from the configured prices; None without them

    _ESTIMATE_NOTE = "extraction requests only; update decisions depend on the store"

    def as_json(self) -> dict[str, Any]:
        usage = asdict(self.usage)
        del usage["by_status"]
        usage["throttled_s"] = round(self.usage.throttled_s, 3)
        counts = {key: usage[key] for key in ("requests", "prompt_tokens", "completion_tokens")}
        if self.estimated:
            return {"model": self.model, "estimated": True, **counts,
                    "estimated_cost": self.cost, "note": self._ESTIMATE_NOTE}
        return {"model": self.model, "estimated": False, **usage,
                "unknown_source_ids": self.unknown_source_ids,
                "response_mode": self.response_mode, "decisions": self.decisions,
                "cost": self.cost}

    @classmethod
    def from_json(cls, found: dict[str, Any]) -> LLMSummary:
        usage = LLMUsage(**{name: found[name] for name in LLMUsage.__dataclass_fields__
                            if name in found})
        return cls(found.get("model"), bool(found.get("estimated")), usage,
                   int(found.get("unknown_source_ids", 0)), found.get("response_mode"),
                   dict(found.get("decisions") or {}),
                   found.get("estimated_cost" if found.get("estimated") else "cost"))


@dataclass(slots=True)
class FileReport:
    path: str
    format: str
    bytes_read: int = 0
    records_read: int = 0
    records_failed: int = 0
    checkpoint_skipped_records: int = 0
    checkpoint_skipped_bytes: int = 0
    conversations: int = 0
    skipped: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class RunReport:
    """What a run did. records_read == stored + already_imported + failed, always."""

    run_id: str
    records_read: int = 0
    records_stored: int = 0
    records_already_imported: int = 0
    records_failed: int = 0
    memories_written: int = 0
    memories_by_type: dict[str, int] = field(default_factory=dict)
    # Resolution: new memories, statements folded into a memory, memories superseded.
    memories_added: int = 0
    memories_merged: int = 0
    memories_superseded: int = 0
    batches: int = 0
    texts_embedded: int = 0
    tokens_embedded: int = 0
    bytes_read: int = 0
    checkpoint_skipped_records: int = 0
    checkpoint_skipped_bytes: int = 0
    failures_file: str | None = None
    failures: list[Failure] = field(default_factory=list)
    # The memories written, when the caller asked for them (`memos add`).
    written: list[dict[str, str]] = field(default_factory=list)
    files: list[FileReport] = field(default_factory=list)
    embedder: str = ""
    elapsed_s: float = 0.0
    # This process's own peak resident memory, store closed (None where it can't be read).
    peak_rss_mb: float | None = None
    stage_seconds: StageTimes = field(default_factory=StageTimes)
    dry_run: bool = False
    # The LLM extractor's requests, tokens, retries and decisions (or a dry run's estimate).
    llm: LLMSummary | None = None
    # Set when an error stopped the run (a store that could not be reopened, a refused key).
    error_exit_code: int | None = None
    interrupted: bool = False  # by SIGINT or SIGTERM (error_exit_code 130 or 143)
    # The ledger described another store (moved away, emptied): it was emptied, and every
    # record is imported again.
    ledger_reset: bool = False

    @property
    def exit_code(self) -> int:
        if self.error_exit_code is not None:
            return self.error_exit_code
        return ExitCode.RECORDS_FAILED if self.records_failed else ExitCode.OK

    def summary(self, max_failures_shown: int = 0) -> dict[str, Any]:
        """The `--json` summary; its key names are a contract with scripts and cron wrappers."""
        return {
            "run_id": self.run_id,
            "records_read": self.records_read,
            "records_stored": self.records_stored,
            "records_already_imported": self.records_already_imported,
            "records_failed": self.records_failed,
            "memories_written": self.memories_written,
            "memories_by_type": dict(sorted(self.memories_by_type.items())),
            "memories_added": self.memories_added,
            "memories_merged": self.memories_merged,
            "memories_superseded": self.memories_superseded,
            "batches": self.batches,
            "texts_embedded": self.texts_embedded,
            "tokens_embedded": self.tokens_embedded,
            "bytes_read": self.bytes_read,
            "checkpoint_skipped_records": self.checkpoint_skipped_records,
            "checkpoint_skipped_bytes": self.checkpoint_skipped_bytes,
            "failures_file": self.failures_file,
            "files": [asdict(f) for f in self.files],
            "embedder": self.embedder,
            "elapsed_s": round(self.elapsed_s, 3),
            "peak_rss_mb": self.peak_rss_mb,
            "stage_seconds": self.stage_seconds.as_dict(),
            "dry_run": self.dry_run,
            **({"llm": self.llm.as_json()} if self.llm is not None else {}),
            "interrupted": self.interrupted,
            "ledger_reset": self.ledger_reset,
            "exit_code": self.exit_code,
        }
