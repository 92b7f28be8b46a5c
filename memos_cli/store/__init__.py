"""Opening a store, and the record of which embedder filled it (store.json beside it)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import orjson

from memos_cli.errors import ConfigError
from memos_cli.store.base import MemoryFilter, MemoryStore, SearchHit, SearchQuery


@dataclass(frozen=True, slots=True)
class StoreMeta:
    embedder: str
    model_id: str
    dim: int


def _meta_path(store_dir: Path) -> Path:
    return store_dir.parent / "store.json"


def read_meta(store_dir: Path) -> StoreMeta | None:
    path = _meta_path(store_dir)
    if not path.is_file() or not (store_dir / "wal").exists():
        return None
    try:
        return StoreMeta(**orjson.loads(path.read_bytes()))
    except (orjson.JSONDecodeError, TypeError) as exc:
        raise ConfigError(f"{path} is damaged: {exc}",
                          "restore it, or move the store away and import again") from exc


def open_store(store_dir: Path, meta: StoreMeta) -> MemoryStore:
    """Open (or create) the embedded store for vectors described by `meta`."""
    from memos_cli.store.edge import EdgeStore

    store_dir.parent.mkdir(parents=True, exist_ok=True)
    # The record of the embedder goes first: a store never exists without it.
    _meta_path(store_dir).write_bytes(orjson.dumps(asdict(meta)))
    return EdgeStore(store_dir, meta.dim)


__all__ = ["MemoryFilter", "MemoryStore", "SearchHit", "SearchQuery", "StoreMeta", "open_store",
           "read_meta"]
