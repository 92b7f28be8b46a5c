"""The same operations on the embedded store (qdrant-edge) and the server store (qdrant-client's
:memory: mode) give the same ids, payloads and results; every store method is exercised."""

from __future__ import annotations

import hashlib
import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import HISTORY_ZH, SAMPLES
from memos_cli.cli import app
from memos_cli.config import load_settings
from memos_cli.embedders.hashing import HashEmbedder
from memos_cli.models import Memory
from memos_cli.opening import open_for_reading
from memos_cli.search.fusion import fuse
from memos_cli.store.base import MemoryFilter, MemoryStore, SearchQuery
from memos_cli.store.edge import EdgeStore
from memos_cli.store.server import ServerStore, connect

STORE_METHODS = {name for name, _ in inspect.getmembers(MemoryStore, inspect.isfunction)
                 if not name.startswith("_")}


@pytest.fixture(scope="module")
def sample_memories(tmp_path_factory: pytest.TempPathFactory) -> list[Memory]:
    home = tmp_path_factory.mktemp("source")
    # Chinese too: both backends must cut it into the same words (store/sparse.py).
    result = CliRunner().invoke(app, ["import", str(SAMPLES / "history.jsonl"),
                                      str(HISTORY_ZH), "--home", str(home), "--embedder", "hash",
                                      "--json"])
    assert result.exit_code == 0, result.output
    opened = open_for_reading(load_settings({"home": home}))
    assert opened is not None
    _, store = opened
    try:
        found = list(store.scroll(with_vectors=True))
    finally:
        store.close()
    # Vectors without ties (the hash embedder's have many, which engines may order either way).
    for memory in found:
        memory.vector = unit_vector(memory.id)
    return found


def unit_vector(seed: str) -> list[float]:
    rng = np.random.default_rng(int(hashlib.sha256(seed.encode()).hexdigest()[:8], 16))
    vector = rng.normal(size=HashEmbedder.dim)
    return (vector / np.linalg.norm(vector)).tolist()


# Compaction every 40 points into segments of about 40: the embedded store answers the same
# from immutable on-disk segments as from its appendable one.
@pytest.fixture(params=[1_000_000, 40], ids=["appendable", "compacted"])
def stores(request: pytest.FixtureRequest, tmp_path: Path,
           sample_memories: list[Memory]) -> Iterator[tuple[Any, Any]]:
    edge = EdgeStore(tmp_path / "edge", HashEmbedder.dim, request.param)
    server = ServerStore(connect(":memory:"), "memos", HashEmbedder.dim)
    for store in (edge, server):
        for start in range(0, len(sample_memories), 16):  # the importer writes in pieces too
            store.upsert(sample_memories[start:start + 16])
    if request.param == 40:
        assert edge._shard.info().segments_count > 2  # really compacted
    yield edge, server
    edge.close()
    server.close()


def payloads(memories: list[Any]) -> dict[str, dict[str, Any]]:
    return {m.id: m.payload for m in memories}



FILTERS = [
    MemoryFilter(user_id="alice"),
    MemoryFilter(user_id="bob", match_any={"memory_type": ["preference", "fact"]}),
    MemoryFilter(user_id="alice", match_any={"tags": ["food"]}),
    MemoryFilter(user_id="alice", info={"scene": "travel"}),
    MemoryFilter(user_id="chen", since="2025-04-01T00:00:00+00:00",
                 until="2025-06-30T00:00:00+00:00"),
    MemoryFilter(user_id="bob", match_any={"agent_id": ["assistant-web"],
                                           "conversation_id": ["bob-running"]}),
    MemoryFilter(user_id="nobody", include_public=True),
    MemoryFilter(user_id="alice", include_superseded=True),
    MemoryFilter(user_id="zh"),
    MemoryFilter(),
]


@pytest.mark.parametrize("where", FILTERS)
def test_scroll_and_search_agree(stores: tuple[Any, Any], where: MemoryFilter) -> None:
    edge, server = stores
    assert payloads(list(edge.scroll(where))) == payloads(list(server.scroll(where)))
    if where.user_id is None:
        return
    for text in ("spicy food", "knees after running", "hotel in Guangzhou", "thesis", "辣",
                 "在 Google 工作", "我养了一只猫"):
        query = SearchQuery(filter=where, text=text, vector=unit_vector(text), limit=1000)
        edge_lists, server_lists = edge.candidates(query), server.candidates(query)
        for mine, theirs in ((edge_lists.dense, server_lists.dense),
                             (edge_lists.sparse, server_lists.sparse)):
            assert payloads(mine) == payloads(theirs), text
        # Fused, tied scores rank alike, so the result lists agree in order too.
        assert ([h.id for h in fuse(edge_lists, 5, 0.5)]
                == [h.id for h in fuse(server_lists, 5, 0.5)]), text


def test_a_filter_by_ids_agrees(stores: tuple[Any, Any], sample_memories: list[Memory]) -> None:
    edge, server = stores
    ids = [m.id for m in sample_memories[:6]]
    for where in (MemoryFilter(ids=ids), MemoryFilter(user_id="alice", ids=ids),
                  MemoryFilter(ids=[])):
        assert payloads(list(edge.scroll(where))) == payloads(list(server.scroll(where)))
    assert len(list(edge.scroll(MemoryFilter(ids=ids, include_superseded=True)))) == 6


def test_writes_agree(stores: tuple[Any, Any], sample_memories: list[Memory]) -> None:
    edge, server = stores
    ids = [m.id for m in sample_memories[:5]]
    assert payloads(edge.retrieve(ids)) == payloads(server.retrieve(ids))
    assert edge.count() == server.count() == len(sample_memories)
    assert edge.count("bob") == server.count("bob")
    assert edge.counts_by("memory_type") == server.counts_by("memory_type")
    for store in (edge, server):
        store.delete(ids[3:4])
        assert store.delete_matching(MemoryFilter(user_id="chen", include_superseded=True)) > 0
    assert payloads(list(edge.scroll())) == payloads(list(server.scroll()))
    assert edge.counts_by("user_id") == server.counts_by("user_id")


def test_export_and_import_carry_points_whole(stores: tuple[Any, Any]) -> None:
    edge, server = stores
    edge_points, _ = edge.export_page(None, 10_000)
    server_points, _ = server.export_page(None, 10_000)
    same_points(edge_points, server_points)
    copy = ServerStore(connect(":memory:"), "copy", HashEmbedder.dim)
    copy.import_points(edge_points)
    first, offset = copy.export_page(None, 7)
    rest, _ = copy.export_page(offset, 10_000)
    same_points(first + rest, edge_points)
    copy.close()


def same_points(left: list[Any], right: list[Any]) -> None:
    """Ids and payloads exactly; vectors to float32 precision (engines store them each their
    own way)."""
    a, b = {p[0]: p for p in left}, {p[0]: p for p in right}
    assert a.keys() == b.keys()
    for point_id, (_, payload, dense, (indices, values)) in a.items():
        _, other_payload, other_dense, (other_indices, other_values) = b[point_id]
        assert payload == other_payload
        assert np.allclose(dense, other_dense, atol=1e-6)
        assert dict(zip(indices, values, strict=True)) == pytest.approx(
            dict(zip(other_indices, other_values, strict=True)))


def test_every_store_method_is_exercised() -> None:
    """Every method of the store protocol is called somewhere in this module (read from its
    source, so that the answer does not depend on which tests ran before)."""
    called = set(re.findall(r"\.(\w+)\(", Path(__file__).read_text()))
    assert STORE_METHODS - called == set()


def test_info_keys_with_dots_and_spaces_filter_alike(stores: tuple[Any, Any],
                                                     sample_memories: list[Memory]) -> None:
    edge, server = stores
    odd = Memory("00000000-0000-5000-8000-00000000abcd",
                 {**sample_memories[0].payload, "info": {"src.app": "web", "my key": "v 1",
                                                         "a/b": "c"}},
                 vector=unit_vector("odd"))
    for store in (edge, server):
        store.upsert([odd])
    user = str(odd.payload["user_id"])
    for info in ({"src.app": "web"}, {"my key": "v 1"}, {"a/b": "c"}, {"src": "web"}):
        where = MemoryFilter(user_id=user, info=info, include_superseded=True)
        found = payloads(list(edge.scroll(where)))
        assert found == payloads(list(server.scroll(where)))
        assert (odd.id in found) == ("src" not in info), info
