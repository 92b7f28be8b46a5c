"""The store interface every backend implements, and the types that cross it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from memos_cli.models import Memory

DENSE = "dense"
SPARSE = "bm25"

# Payload fields with an index, and the Qdrant kind of each.
KEYWORD_INDEXES = ("conversation_id", "memory_type", "status", "tags", "agent_id", "app_id",
                   "scope", "knowledgebase_ids", "info.business_type", "info.biz_id",
                   "info.scene", "info.custom_status")
TENANT_INDEX = "user_id"
DATETIME_INDEXES = ("chat_time",)


@dataclass(slots=True)
class SearchQuery:
    user_id: str
    text: str
    vector: list[float]
    top_k: int = 10
    # Exact-match payload filters: field -> allowed values (any of).
    match_any: dict[str, list[str]] = field(default_factory=dict)
    include_superseded: bool = False
    # Rank fusion: a small k lets each list's top hits lead; dense counts this much of BM25.
    rrf_k: int = 5
    dense_weight: float = 0.5


@dataclass(slots=True)
class SearchHit:
    id: str
    score: float
    payload: dict[str, Any]


class MemoryStore(Protocol):
    def upsert(self, memories: Sequence[Memory]) -> None:
        """Write points; the store derives each one's BM25 vector from its text."""
        ...

    def retrieve(self, ids: Sequence[str]) -> list[Memory]: ...

    def scroll(self, match: dict[str, str] | None = None, with_vectors: bool = False,
               page: int = 512) -> Iterator[Memory]:
        """Every point whose payload matches (field -> exact value), in id order."""
        ...

    def search(self, query: SearchQuery) -> list[SearchHit]: ...

    def count(self, user_id: str | None = None) -> int: ...

    def counts_by(self, field: str, limit: int = 1_000_000) -> dict[str, int]:
        """How many points hold each value of a keyword field (for status)."""
        ...

    def close(self) -> None: ...
