"""The embedded store: qdrant-edge on disk, in-process. One process per store directory."""

from __future__ import annotations

import contextlib
import copy
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import qdrant_edge as qe

from memos_cli.errors import StoreBusyError, StoreUnavailableError
from memos_cli.models import Memory
from memos_cli.store.base import (
    DENSE,
    PAYLOAD_DEFAULTS,
    SPARSE,
    TENANT_INDEX,
    AnyOf,
    Candidates,
    Condition,
    HasIds,
    Match,
    MatchAny,
    MemoryFilter,
    RawPoint,
    SearchHit,
    SearchQuery,
    TimeRange,
    conditions,
)
from memos_cli.store.pages import MappedPages
from memos_cli.store.space import MARGIN_BYTES, MB, ensure_free
from memos_cli.store.sparse import SparseEncoder
from memos_cli.text.segment import DEFAULT_SEGMENTER

# Fewer payload indexes than a server collection (KEYWORD_INDEXES): each one costs every
# on-disk segment about 0.4 MB of pages read on load. Kept: what narrows a search across users
# (scope, knowledge bases; the tenant index) and what `memos status` counts (facets need an
# index). The other filters apply within one user's memories, where checking payloads is
# cheap; results are the same with or without an index.
EDGE_INDEXES = ("memory_type", "status", "scope", "knowledgebase_ids")


# Bounded memory. qdrant-edge keeps its appendable segment's id tracker, payload and
# sparse indexes in anonymous memory (about 2 KB a point), and every page of a mapped segment
# that was touched stays resident while the shard is open. So every `compact_every` points
# written (a config key) the appendable segment becomes immutable on-disk segments (no HNSW
# graph: m=0, exact search as before) and the shard is reopened, which unmaps what was
# touched. Segments hold about what one compaction wrote: merging bigger ones spikes higher
# (benchmarks/README.md). Pages of mapped files touched in between (the WAL, lookups in older
# segments) are handed back whenever they pass MAPPED_PAGES_BUDGET (store/pages.py). What
# is left grows with the segment count (each write looks its ids up in every segment), so
# compactions are not too frequent: every 25,000 points the peak is flat from 100k to 1M
# messages; every 10,000 it is lower at first and then grows by 43%.
COMPACT_EVERY_POINTS = 25_000
MAPPED_PAGES_BUDGET = 64 * 2**20


class _Gate:
    """Many threads use the shard at once (`memos serve` searches while it imports); only a
    compaction, which closes and reopens it, waits for them and keeps them out."""

    def __init__(self) -> None:
        self._users = 0
        self._swapping = False
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def use(self) -> Iterator[None]:
        with self._changed:
            while self._swapping:
                self._changed.wait()
            self._users += 1
        try:
            yield
        finally:
            with self._changed:
                self._users -= 1
                self._changed.notify_all()

    @contextlib.contextmanager
    def swap(self) -> Iterator[None]:
        with self._changed:
            while self._swapping or self._users:
                self._changed.wait()
            self._swapping = True
        try:
            yield
        finally:
            with self._changed:
                self._swapping = False
                self._changed.notify_all()


class EdgeStore:
    def __init__(self, path: Path, dim: int, compact_every: int = COMPACT_EVERY_POINTS,
                 segmenter: str = DEFAULT_SEGMENTER) -> None:
        self.path = path
        self._sparse = SparseEncoder(segmenter)
        self._compact_every = compact_every
        # On disk per point, generously: the vector, its index share, payload and sparse.
        self._point_bytes = dim * 4 * 2 + 4096
        self._config = _config(dim, compact_every)
        self._written_since_compaction = 0
        self._pages = MappedPages(path, MAPPED_PAGES_BUDGET)
        self._closed: StoreUnavailableError | None = None
        self._gate = _Gate()
        self._write_lock = threading.Lock()  # one writing thread at a time (compaction counts)
        # Opening writes too (a new store's log segments, a replayed log): not onto a full disk.
        ensure_free(path, 8 * MB if (path / "wal").exists() else MARGIN_BYTES)
        try:
            if (path / "wal").exists():
                # With the config: a run killed while creating the shard leaves a WAL and no
                # segment, which only a load that is told the config can open.
                self._open_shard = qe.EdgeShard.load(str(path), self._config)
            else:
                self._open_shard = qe.EdgeShard.create(str(path), self._config)
            self._create_indexes()
        except Exception as exc:
            if "WouldBlock" in str(exc):
                raise StoreBusyError(f"the store at {path} is open in another memos process",
                                     "wait for that run to finish, then try again") from exc
            raise

    def _create_indexes(self) -> None:
        """Create whichever payload indexes are missing (all of them on a new store; a run
        killed while creating them leaves the rest to the next open)."""
        present = set(self._shard.info().payload_schema)
        wanted: list[tuple[str, object]] = [
            (TENANT_INDEX, qe.KeywordIndexParams(is_tenant=True, memory=qe.Memory.Cold)),
            *((name, qe.KeywordIndexParams(memory=qe.Memory.Cold)) for name in EDGE_INDEXES),
        ]
        for name, schema in wanted:
            if name not in present:
                self._shard.update(qe.UpdateOperation.create_field_index(
                    name, schema))  # type: ignore[arg-type]

    @property
    def _shard(self) -> qe.EdgeShard:
        if self._closed is not None:
            raise self._closed
        return self._open_shard

    def upsert(self, memories: Sequence[Memory]) -> None:
        points = [
            qe.Point(m.id, {DENSE: m.vector or [], SPARSE: self._sparse.document(m.index_text)},
                     compact(m.payload))
            for m in memories
        ]
        self._write(points)

    def _write(self, points: list[qe.Point]) -> None:
        if not points:
            return
        with self._write_lock:
            ensure_free(self.path, self._space_needed(len(points)))
            with self._gate.use():
                self._shard.update(qe.UpdateOperation.upsert_points(points))
            self._written_since_compaction += len(points)
            if self._written_since_compaction >= self._compact_every:
                self.compact_segments()
            else:
                self._pages.check()

    def _space_needed(self, points: int) -> int:
        """Room for these points, and when they trigger a compaction, for the segments it
        writes while the old ones still exist."""
        written = self._written_since_compaction + points
        compacting = written if written >= self._compact_every else points
        return MARGIN_BYTES + 2 * compacting * self._point_bytes

    def compact_segments(self) -> None:
        """Move what was written into immutable on-disk segments and reopen the shard, which
        releases the appendable segment's memory and the pages the run touched. A run killed
        meanwhile loses nothing: qdrant's optimizer swaps segments only once they are whole."""
        self._pages.release()  # before the optimizer's own reads pile on top
        with self._gate.use():
            self._shard.optimize()  # searches go on meanwhile
        with self._gate.swap():
            self._reopen()
        self._written_since_compaction = 0
        self._pages.release()  # loading reads every segment's trackers and the WAL

    def _reopen(self) -> None:
        self._shard.flush()
        self._shard.close()
        try:
            self._open_shard = qe.EdgeShard.load(str(self.path), self._config)
        except Exception as exc:
            # Everything written is on disk (flushed above), so the run stops here and the
            # next one resumes from its checkpoint; writing on would fail every record.
            self._closed = StoreUnavailableError(
                f"could not reopen the store at {self.path} after compacting it: {exc}",
                "nothing written is lost: fix the cause (disk space, permissions) and run the "
                "import again; it resumes from its last checkpoint")
            raise self._closed from exc

    def retrieve(self, ids: Sequence[str], with_vectors: bool = False) -> list[Memory]:
        if not ids:
            return []
        with self._gate.use():
            records = self._shard.retrieve(list(ids), with_payload=True,
                                           with_vector=with_vectors)
        return [Memory(str(r.id), complete(r.payload),
                       dense_of(r.vector) if with_vectors else None) for r in records]

    def scroll(self, where: MemoryFilter | None = None, with_vectors: bool = False,
               page: int = 512) -> Iterator[Memory]:
        condition = _filter(where) if where is not None else None
        offset = None
        while True:
            with self._gate.use():
                records, offset = self._shard.scroll(qe.ScrollRequest(
                    offset=offset, limit=page, filter=condition, with_payload=True,
                    with_vector=with_vectors))
            for r in records:
                yield Memory(str(r.id), complete(r.payload),
                             dense_of(r.vector) if with_vectors else None)
            if offset is None:
                return

    def candidates(self, query: SearchQuery) -> Candidates:
        condition = _filter(query.filter)
        sparse_query = self._sparse.query(query.text)
        with self._gate.use():
            dense, sparse = (
                [SearchHit(str(p.id), float(p.score), complete(p.payload))
                 for p in self._shard.query(qe.QueryRequest(
                     limit=query.limit, query=qe.Query.Nearest(vector, using=name),
                     filter=condition, with_payload=True))]
                for name, vector in ((DENSE, query.vector), (SPARSE, sparse_query)))
        return Candidates(dense, sparse)

    def count(self, user_id: str | None = None) -> int:
        condition = None
        if user_id is not None:
            condition = qe.Filter(must=[qe.FieldCondition(TENANT_INDEX,
                                                          match=qe.MatchValue(user_id))])
        with self._gate.use():
            return int(self._shard.count(qe.CountRequest(filter=condition, exact=True)))

    def export_page(self, offset: Any, page: int) -> tuple[list[RawPoint], Any]:
        with self._gate.use():
            records, next_offset = self._shard.scroll(qe.ScrollRequest(
                offset=offset, limit=page, with_payload=True, with_vector=True))
        return [raw_point(r.id, r.payload, r.vector) for r in records], next_offset

    def import_points(self, points: Sequence[RawPoint]) -> None:
        self._write([
            qe.Point(pid, {DENSE: dense, SPARSE: qe.SparseVector(*sparse)}, compact(payload))
            for pid, payload, dense, sparse in points])

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            with self._write_lock, self._gate.use():
                self._shard.update(qe.UpdateOperation.delete_points(list(ids)))

    def delete_matching(self, where: MemoryFilter) -> int:
        condition = _filter(where)
        with self._write_lock, self._gate.use():
            doomed = int(self._shard.count(qe.CountRequest(filter=condition, exact=True)))
            if doomed:
                self._shard.update(qe.UpdateOperation.delete_points_by_filter(condition))
        return doomed

    def counts_by(self, field: str, limit: int = 1_000_000) -> dict[str, int]:
        with self._gate.use():
            response = self._shard.facet(qe.FacetRequest(field, limit=limit, exact=True))
        # qdrant-edge keeps a value whose points were all deleted, with a count of 0.
        return {str(hit.value): int(hit.count) for hit in response.hits if hit.count}

    def close(self) -> None:
        if self._closed is not None:
            return  # closed when reopening failed
        self._shard.flush()
        self._shard.close()


def compact(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload without keys at their default (None, [], {}): each key costs the conversion
    into a Qdrant point about 2.5 µs, the largest cost of an import after embedding."""
    return {k: v for k, v in payload.items()
            if not (k in PAYLOAD_DEFAULTS and v == PAYLOAD_DEFAULTS[k])}


def complete(payload: dict[str, Any] | None) -> dict[str, Any]:
    """A stored payload with every DESIGN.md key back in place."""
    full = {k: copy.copy(v) for k, v in PAYLOAD_DEFAULTS.items()}
    full.update(payload or {})
    return full


def raw_point(point_id: Any, payload: dict[str, Any] | None, vectors: Any) -> RawPoint:
    """A stored point, from either engine's record, as the (id, payload, dense, sparse) tuple
    a migration carries."""
    sparse = vectors[SPARSE]
    return (str(point_id), complete(payload), [float(x) for x in vectors[DENSE]],
            (list(sparse.indices), list(sparse.values)))


def dense_of(vectors: Any) -> list[float] | None:
    dense = vectors.get(DENSE) if isinstance(vectors, dict) else None
    return [float(x) for x in dense] if isinstance(dense, list) else None


def _config(dim: int, compact_every: int) -> qe.EdgeConfig:
    cold = qe.Memory.Cold  # mapped from disk, read on demand: nothing is loaded up front
    # The optimizer's thresholds count vector kilobytes: a compaction's worth of points makes
    # one segment, and half of that is enough to leave the appendable segment.
    written_kb = max(2, compact_every * dim * 4 // 1024)
    return qe.EdgeConfig(
        vectors={DENSE: qe.EdgeVectorParams(size=dim, distance=qe.Distance.Cosine, memory=cold)},
        sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf,
                                                          memory=cold)},
        # m=0: no graph. Searches are filtered to one user, so they scan few points exactly
        # (the same results as before compaction existed), and building a segment stays cheap.
        hnsw_config=qe.HnswIndexConfig(m=0, ef_construct=100, full_scan_threshold=10_000,
                                       payload_m=0),
        optimizers=qe.EdgeOptimizersConfig(indexing_threshold=written_kb // 2,
                                           max_segment_size=written_kb,
                                           default_segment_number=2),
        payload_memory=cold,
        id_tracker_memory=cold,
    )


def _filter(where: MemoryFilter) -> qe.Filter:
    return qe.Filter(must=[_condition(c) for c in conditions(where)])  # type: ignore[misc]


def _condition(condition: Condition) -> object:
    match condition:
        case Match(key, value):
            return qe.FieldCondition(key, match=qe.MatchValue(value))
        case MatchAny(key, values):
            return qe.FieldCondition(key, match=qe.MatchAny(values))
        case TimeRange(key, since, until):
            return qe.FieldCondition(key, range=qe.RangeDateTime(gte=since, lte=until))
        case HasIds(ids):
            return qe.HasIdCondition(set(ids))
        case AnyOf(alternatives):
            return qe.Filter(should=[_condition(c) for c in alternatives])  # type: ignore[misc]
    raise AssertionError(f"no translation for {condition!r}")
