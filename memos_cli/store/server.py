"""The server / cluster store: qdrant-client against `qdrant_url`, the same interface as edge.

`qdrant_url` is an http(s) URL of a Qdrant server or cluster; `:memory:` and `path:DIR` use
qdrant-client's local mode (tests, and a congruence check of the server API). Multitenancy by
the `user_id` tenant index. Upserts go in batches with retries and backoff on transient
errors; a batch that still fails raises, and the importer turns its records into failures.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from qdrant_client import QdrantClient
from qdrant_client import models as qm
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from memos_cli.models import Memory
from memos_cli.retry import Backoff, transient
from memos_cli.store.base import (
    DATETIME_INDEXES,
    DENSE,
    KEYWORD_INDEXES,
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
from memos_cli.store.edge import compact, complete, dense_of, raw_point
from memos_cli.store.sparse import SparseEncoder
from memos_cli.text.segment import DEFAULT_SEGMENTER

T = TypeVar("T")
_UPSERT_BATCH = 256
_META_KEY = "memos"


def collection_meta(client: QdrantClient, collection: str) -> dict[str, Any] | None:
    """The embedder record kept in the collection's metadata; None without the collection."""
    if not client.collection_exists(collection):
        return None
    metadata = client.get_collection(collection).config.metadata or {}
    found = metadata.get(_META_KEY)
    return dict(found) if isinstance(found, dict) else None
_RETRIES = 5
_BACKOFF = Backoff(base_s=0.25, cap_s=8.0)


def connect(url: str, api_key_env: str = "QDRANT_API_KEY", timeout_s: float = 30.0,
            prefer_grpc: bool = False) -> QdrantClient:
    if url == ":memory:":
        return QdrantClient(location=":memory:")
    if url.startswith("path:"):
        return QdrantClient(path=url[len("path:"):])
    return QdrantClient(url=url, api_key=os.environ.get(api_key_env) or None,
                        timeout=int(timeout_s), prefer_grpc=prefer_grpc)


class ServerStore:
    def __init__(self, client: QdrantClient, collection: str, dim: int, shard_number: int = 1,
                 replication_factor: int = 1, on_disk: bool = False,
                 meta: dict[str, Any] | None = None,
                 segmenter: str = DEFAULT_SEGMENTER) -> None:
        self.client = client
        self.collection = collection
        self._encoder = SparseEncoder(segmenter)
        if not client.collection_exists(collection):
            client.create_collection(
                collection,
                metadata={_META_KEY: meta} if meta else None,
                vectors_config={DENSE: qm.VectorParams(size=dim, distance=qm.Distance.COSINE,
                                                       on_disk=on_disk)},
                sparse_vectors_config={SPARSE: qm.SparseVectorParams(modifier=qm.Modifier.IDF)},
                shard_number=shard_number, replication_factor=replication_factor,
                on_disk_payload=on_disk)
            with warnings.catch_warnings():  # local mode warns that indexes do nothing there
                warnings.simplefilter("ignore")
                client.create_payload_index(collection, TENANT_INDEX, qm.KeywordIndexParams(
                    type=qm.KeywordIndexType.KEYWORD, is_tenant=True))
                for name in KEYWORD_INDEXES:
                    client.create_payload_index(collection, name, qm.PayloadSchemaType.KEYWORD)
                for name in DATETIME_INDEXES:
                    client.create_payload_index(collection, name, qm.PayloadSchemaType.DATETIME)

    def _retry(self, call: Callable[[], T]) -> T:
        for attempt in range(_RETRIES):
            try:
                return call()
            except (ResponseHandlingException, UnexpectedResponse, ConnectionError) as exc:
                if not transient(getattr(exc, "status_code", None)) or attempt == _RETRIES - 1:
                    raise
                time.sleep(_BACKOFF.delay(attempt))
        raise AssertionError("unreachable")

    def _sparse(self, text: str, query: bool = False) -> qm.SparseVector:
        vector = self._encoder.query(text) if query else self._encoder.document(text)
        return qm.SparseVector(indices=list(vector.indices), values=list(vector.values))

    def upsert(self, memories: Sequence[Memory]) -> None:
        points = [qm.PointStruct(id=m.id, vector={DENSE: m.vector or [],
                                                  SPARSE: self._sparse(m.index_text)},
                                 payload=compact(m.payload)) for m in memories]
        self._upsert_batches(points)

    def _upsert_batches(self, points: list[qm.PointStruct]) -> None:
        for start in range(0, len(points), _UPSERT_BATCH):
            self._retry(partial(self.client.upsert, self.collection,
                                points[start:start + _UPSERT_BATCH], wait=True))

    def import_points(self, points: Sequence[RawPoint]) -> None:
        structs = [qm.PointStruct(id=pid, payload=compact(payload), vector={
            DENSE: dense, SPARSE: qm.SparseVector(indices=sparse[0], values=sparse[1])})
            for pid, payload, dense, sparse in points]
        self._upsert_batches(structs)

    def retrieve(self, ids: Sequence[str], with_vectors: bool = False) -> list[Memory]:
        if not ids:
            return []
        records = self._retry(partial(self.client.retrieve, self.collection, list(ids),
                                      with_payload=True, with_vectors=with_vectors))
        return [Memory(str(r.id), complete(r.payload), dense_of(r.vector) if with_vectors else None)
                for r in records]

    def scroll(self, where: MemoryFilter | None = None, with_vectors: bool = False,
               page: int = 512) -> Iterator[Memory]:
        for record in self.scroll_raw(where, with_vectors, page):
            yield Memory(str(record.id), complete(record.payload),
                         dense_of(record.vector) if with_vectors else None)

    def export_page(self, offset: Any, page: int) -> tuple[list[RawPoint], Any]:
        records, next_offset = self._retry(partial(
            self.client.scroll, self.collection, limit=page, offset=offset, with_payload=True,
            with_vectors=True))
        return [raw_point(r.id, r.payload, r.vector) for r in records], next_offset

    def scroll_raw(self, where: MemoryFilter | None = None, with_vectors: bool = False,
                   page: int = 512, offset: Any = None) -> Iterator[Any]:
        condition = _filter(where) if where is not None else None
        while True:
            records, offset = self._retry(partial(
                self.client.scroll, self.collection, scroll_filter=condition, limit=page,
                offset=offset, with_payload=True, with_vectors=with_vectors))
            yield from records
            if offset is None:
                return

    def candidates(self, query: SearchQuery) -> Candidates:
        condition = _filter(query.filter)
        requests = [qm.QueryRequest(query=vector, using=name, filter=condition,
                                    limit=query.limit, with_payload=True)
                    for name, vector in ((DENSE, query.vector),
                                         (SPARSE, self._sparse(query.text, query=True)))]
        dense, sparse = self._retry(lambda: self.client.query_batch_points(
            self.collection, requests=requests))
        return Candidates(*([SearchHit(str(p.id), float(p.score), complete(p.payload))
                             for p in response.points] for response in (dense, sparse)))

    def count(self, user_id: str | None = None) -> int:
        condition = None
        if user_id is not None:
            condition = qm.Filter(must=[qm.FieldCondition(key=TENANT_INDEX,
                                                          match=qm.MatchValue(value=user_id))])
        return int(self._retry(lambda: self.client.count(
            self.collection, count_filter=condition, exact=True)).count)

    def counts_by(self, field: str, limit: int = 1_000_000) -> dict[str, int]:
        response = self._retry(lambda: self.client.facet(self.collection, field, limit=limit,
                                                         exact=True))
        return {str(hit.value): int(hit.count) for hit in response.hits}

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            self._retry(lambda: self.client.delete(
                self.collection, points_selector=qm.PointIdsList(points=list(ids)), wait=True))

    def delete_matching(self, where: MemoryFilter) -> int:
        condition = _filter(where)
        doomed = int(self.client.count(self.collection, count_filter=condition, exact=True).count)
        if doomed:
            self._retry(lambda: self.client.delete(
                self.collection, points_selector=qm.FilterSelector(filter=condition), wait=True))
        return doomed

    def close(self) -> None:
        self.client.close()


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _filter(where: MemoryFilter) -> qm.Filter:
    return qm.Filter(must=[_condition(c) for c in conditions(where)])


def _condition(condition: Condition) -> Any:
    match condition:
        case Match(key, value):
            return qm.FieldCondition(key=key, match=qm.MatchValue(value=value))
        case MatchAny(key, values):
            return qm.FieldCondition(key=key, match=qm.MatchAny(any=values))
        case TimeRange(key, since, until):
            return qm.FieldCondition(key=key, range=qm.DatetimeRange(gte=_moment(since),
                                                                     lte=_moment(until)))
        case HasIds(ids):
            return qm.HasIdCondition(has_id=list(ids))
        case AnyOf(alternatives):
            return qm.Filter(should=[_condition(c) for c in alternatives])
    raise AssertionError(f"no translation for {condition!r}")
