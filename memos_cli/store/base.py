"""The store interface every backend implements, and the types that cross it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from memos_cli.models import Memory

DENSE = "dense"
SPARSE = "bm25"

# Payload fields with an index, and the Qdrant kind of each.
KEYWORD_INDEXES = ("conversation_id", "memory_type", "status", "subject", "tags", "agent_id",
                   "app_id",
                   "scope", "knowledgebase_ids", "info.business_type", "info.biz_id",
                   "info.scene", "info.custom_status")
TENANT_INDEX = "user_id"
# Payload keys a backend may leave out when they hold these values, and restores on reading.
PAYLOAD_DEFAULTS: dict[str, Any] = {
    "agent_id": None, "app_id": None, "superseded_by": None, "tags": [], "info": {},
    "knowledgebase_ids": [], "attributes": {}, "subject": None, "value": None}
DATETIME_INDEXES = ("chat_time",)


@dataclass(slots=True)
class MemoryFilter:
    """Which memories a search, a listing or a deletion sees.

    Scope: the user's own memories, plus every user's public ones with `include_public`, plus
    the memories written to the knowledge bases in `kb_ids`. With no user, no scope applies
    (a listing of the whole store). The other fields narrow that set down.
    """

    user_id: str | None = None
    include_public: bool = False
    kb_ids: list[str] = field(default_factory=list)
    # field -> allowed values (any of): memory_type, tags, agent_id, app_id, conversation_id.
    match_any: dict[str, list[str]] = field(default_factory=dict)
    # info key -> value, all of which must hold.
    info: dict[str, str] = field(default_factory=dict)
    since: str | None = None  # chat_time bounds, RFC 3339
    until: str | None = None
    include_superseded: bool = False
    ids: list[str] | None = None  # only these memories (None: any)


@dataclass(frozen=True, slots=True)
class Match:
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class MatchAny:
    key: str
    values: list[str]


@dataclass(frozen=True, slots=True)
class TimeRange:
    key: str
    since: str | None  # RFC 3339, inclusive
    until: str | None


@dataclass(frozen=True, slots=True)
class HasIds:
    ids: list[str]


@dataclass(frozen=True, slots=True)
class AnyOf:
    conditions: list[Match | MatchAny]


Condition = Match | MatchAny | TimeRange | HasIds | AnyOf


def conditions(where: MemoryFilter) -> list[Condition]:
    """What a filter asks of the payload, in terms every backend has; all must hold. Each
    backend only translates these into its own engine's classes, so the two cannot disagree
    on what a filter means."""
    found: list[Condition] = []
    if where.user_id is not None:
        scope: list[Match | MatchAny] = [Match(TENANT_INDEX, where.user_id)]
        if where.include_public:
            scope.append(Match("scope", "public"))
        if where.kb_ids:
            scope.append(MatchAny("knowledgebase_ids", list(where.kb_ids)))
        found.append(AnyOf(scope))
    if not where.include_superseded:
        found.append(Match("status", "active"))
    found.extend(MatchAny(key, list(values)) for key, values in where.match_any.items())
    found.extend(Match(info_path(key), value) for key, value in where.info.items())
    if where.since or where.until:
        found.append(TimeRange("chat_time", where.since, where.until))
    if where.ids is not None:
        found.append(HasIds(list(where.ids)))
    return found


def info_path(key: str) -> str:
    """The payload path of an info key, for both backends: a key with a dot, a space or a
    slash is quoted, so "src.app" is one key and not `src` then `app`."""
    return f"info.{key}" if key.replace("_", "").isalnum() else f'info."{key}"'


@dataclass(slots=True)
class SearchQuery:
    filter: MemoryFilter
    text: str
    vector: list[float]
    limit: int = 50  # candidates per list


# A point as stored, vectors included: (id, payload, dense, (sparse indices, sparse values)).
RawPoint = tuple[str, dict[str, Any], list[float], tuple[list[int], list[float]]]


@dataclass(slots=True)
class SearchHit:
    id: str
    score: float
    payload: dict[str, Any]


@dataclass(slots=True)
class Candidates:
    """Both ranked lists, best first, with the engine's raw scores. Fusion happens outside the
    store so that ties rank the same whatever engine or storage history is underneath."""

    dense: list[SearchHit]
    sparse: list[SearchHit]


class MemoryStore(Protocol):
    def upsert(self, memories: Sequence[Memory]) -> None:
        """Write points; the store derives each one's BM25 vector from its text."""
        ...

    def retrieve(self, ids: Sequence[str], with_vectors: bool = False) -> list[Memory]: ...

    def scroll(self, where: MemoryFilter | None = None, with_vectors: bool = False,
               page: int = 512) -> Iterator[Memory]:
        """Every point the filter lets through (all of them without one), in id order."""
        ...

    def export_page(self, offset: Any, page: int) -> tuple[list[RawPoint], Any]:
        """Up to `page` points from `offset` (None: the start) with both vectors, and the
        offset of the next page (None at the end): a migration copies without embedding."""
        ...

    def import_points(self, points: Sequence[RawPoint]) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def delete_matching(self, where: MemoryFilter) -> int:
        """Delete what the filter lets through; how many points that was."""
        ...

    def candidates(self, query: SearchQuery) -> Candidates:
        """The dense (cosine) and sparse (BM25) nearest points under the filter."""
        ...

    def count(self, user_id: str | None = None) -> int: ...

    def counts_by(self, field: str, limit: int = 1_000_000) -> dict[str, int]:
        """How many points hold each value of a keyword field (for status)."""
        ...

    def close(self) -> None: ...
