"""`memos search` as a function: hybrid dense + BM25 with RRF, always scoped to one user."""

from __future__ import annotations

from dataclasses import dataclass, field

from memos_cli.config import Settings
from memos_cli.pipeline.setup import open_for_reading
from memos_cli.store import SearchHit, SearchQuery


@dataclass(slots=True)
class SearchOptions:
    user_id: str
    query: str
    top_k: int = 10
    match_any: dict[str, list[str]] = field(default_factory=dict)
    include_superseded: bool = False


def search(settings: Settings, options: SearchOptions) -> list[SearchHit] | None:
    """The hits, best first; None when this MEMOS_HOME has no store yet."""
    opened = open_for_reading(settings)
    if opened is None:
        return None
    embedder, store = opened
    try:
        vectors, _ = embedder.embed([options.query])
        return store.search(SearchQuery(
            user_id=options.user_id, text=options.query, vector=vectors[0].tolist(),
            top_k=options.top_k, match_any=options.match_any,
            include_superseded=options.include_superseded))
    finally:
        store.close()
