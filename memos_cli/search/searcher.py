"""`memos search` as a function: hybrid dense + BM25 with RRF, always scoped to one user."""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from memos_cli.config import Settings
from memos_cli.embedders import Embedder
from memos_cli.opening import open_for_reading
from memos_cli.search.current_state import current_first
from memos_cli.search.fusion import fuse
from memos_cli.store import MemoryFilter, MemoryStore, SearchHit, SearchQuery


@dataclass(slots=True)
class SearchOptions:
    user_id: str
    query: str
    top_k: int = 10
    where: MemoryFilter | None = None  # scope and filters; the user's own memories by default
    vector: list[float] | None = None  # the query's, when the caller embedded it already


# Candidates fetched from each list per result wanted: enough for fusion to find hits that
# rank well in both lists, and for collapsing to still fill the page.
_PREFETCH_FACTOR = 15
_MIN_PREFETCH = 50


class Searcher:
    """The embedder and the store opened once, for any number of queries."""

    def __init__(self, embedder: Embedder, store: MemoryStore, settings: Settings) -> None:
        self.embedder = embedder
        self.store = store
        self.settings = settings

    def search(self, options: SearchOptions) -> list[SearchHit]:
        vector = options.vector or self.embedder.embed_query(options.query).tolist()
        where = options.where or MemoryFilter()
        where.user_id = options.user_id or None  # none: an agent_id filter scopes it
        candidates = self.store.candidates(SearchQuery(
            filter=where, text=options.query, vector=vector,
            limit=max(options.top_k * _PREFETCH_FACTOR, _MIN_PREFETCH)))
        hits = collapse(join_parts(fuse(candidates, self.settings.rrf_k,
                                        self.settings.dense_weight)))
        return current_first(self.store, hits, where, options.query,
                             options.top_k)[:options.top_k]

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


# Parts of one episode ranked at most this many places after its best part are shown with it.
PART_JOIN_WINDOW = 2
_HEADER = re.compile(r"^\[[^\]\n]*\] ")


def join_parts(hits: list[SearchHit], window: int = PART_JOIN_WINDOW) -> list[SearchHit]:
    """Show an episode whole when its parts rank close together: they are one stretch of
    conversation that matches as a whole, and one hit instead of two leaves room for another
    (the auto-merging of small retrieval units into their parent)."""
    joined: list[SearchHit] = []
    first_seen: dict[str, tuple[int, SearchHit, dict[int, SearchHit]]] = {}
    for position, hit in enumerate(hits):
        attributes = hit.payload.get("attributes") or {}
        episode = attributes.get("episode")
        if episode is None or "part" not in attributes:
            joined.append(hit)
            continue
        seen = first_seen.get(episode)
        if seen is None or position - seen[0] > window:
            shown = SearchHit(hit.id, hit.score, hit.payload)
            first_seen[episode] = (position, shown, {int(attributes["part"]): hit})
            joined.append(shown)
            continue
        _, shown, parts = seen
        parts[int(attributes["part"])] = hit
        shown.payload = _joined_payload([parts[n] for n in sorted(parts)])
    return joined


def _joined_payload(parts: list[SearchHit]) -> dict[str, Any]:
    """The first part's payload with the text and sources of all of them, in episode order."""
    payload = dict(parts[0].payload)
    texts = [str(p.payload["text"]) for p in parts]
    header = _HEADER.match(texts[0])
    if header:  # one date line for the whole stretch
        texts = texts[:1] + [t.removeprefix(header.group(0)) for t in texts[1:]]
    payload["text"] = "\n".join(texts)
    payload["sources"] = [s for p in parts for s in p.payload.get("sources") or []]
    carried = [c for p in parts for c in p.payload.get("carries") or []]
    if carried:
        payload["carries"] = carried
    payload["attributes"] = {**payload.get("attributes", {}),
                             "part": ",".join(str(p.payload["attributes"]["part"]) for p in parts)}
    return payload


def collapse(hits: list[SearchHit]) -> list[SearchHit]:
    """Drop a hit whose source messages all came with better-ranked hits: it adds no new
    information, only length (a fact already shown inside its episode)."""
    kept: list[SearchHit] = []
    seen: set[str] = set()
    for hit in hits:
        sources = set(hit.payload.get("sources") or [])
        if sources and sources <= seen:
            continue
        seen |= sources
        kept.append(hit)
    return kept


def open_searcher(settings: Settings) -> Searcher | None:
    """None when this MEMOS_HOME has no store yet."""
    opened = open_for_reading(settings)
    return Searcher(*opened, settings) if opened is not None else None


def search(settings: Settings, options: SearchOptions) -> list[SearchHit] | None:
    """The hits, best first; None when this MEMOS_HOME has no store yet. While `memos serve`
    holds the store, it answers."""
    from memos_cli.serve.client import running_server

    server = running_server(settings)
    if server is not None:
        return server.search(options.user_id, options.query, options.top_k,
                             options.where or MemoryFilter())
    searcher = open_searcher(settings)
    if searcher is None:
        return None
    with searcher:
        return searcher.search(options)
