"""Opening a store (embedded qdrant-edge, or a Qdrant server through qdrant-client), and the
record of which embedder filled it (a JSON file in MEMOS_HOME)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path

import orjson

from memos_cli.config import Settings
from memos_cli.errors import ConfigError
from memos_cli.store.base import MemoryFilter, MemoryStore, SearchHit, SearchQuery


@dataclass(frozen=True, slots=True)
class StoreMeta:
    embedder: str
    model_id: str
    dim: int


def _meta_path(settings: Settings) -> Path:
    if settings.qdrant_url is None:
        return settings.home / "store.json"
    target = f"{settings.qdrant_url}#{settings.qdrant_collection}"
    return settings.home / f"store-{hashlib.sha256(target.encode()).hexdigest()[:12]}.json"


def read_meta(settings: Settings) -> StoreMeta | None:
    """The embedder of the store these settings point at; None when it holds nothing yet."""
    path = _meta_path(settings)
    if not path.is_file():
        return None
    if settings.qdrant_url is None and not (settings.store_dir / "wal").exists():
        return None
    try:
        return StoreMeta(**orjson.loads(path.read_bytes()))
    except (orjson.JSONDecodeError, TypeError) as exc:
        raise ConfigError(f"{path} is damaged: {exc}",
                          "restore it, or move the store away and import again") from exc


def open_store(settings: Settings, meta: StoreMeta) -> MemoryStore:
    """Open (or create) the store for vectors described by `meta`."""
    settings.home.mkdir(parents=True, exist_ok=True)
    # The record of the embedder goes first: a store never exists without it.
    _meta_path(settings).write_bytes(orjson.dumps(asdict(meta)))
    if settings.qdrant_url is None:
        from memos_cli.store.edge import EdgeStore

        return EdgeStore(settings.store_dir, meta.dim)
    from memos_cli.store.server import ServerStore, connect

    client = connect(settings.qdrant_url, settings.qdrant_api_key_env, settings.qdrant_timeout_s,
                     settings.qdrant_prefer_grpc)
    return ServerStore(client, settings.qdrant_collection, meta.dim,
                       settings.qdrant_shard_number, settings.qdrant_replication_factor,
                       settings.qdrant_on_disk)


__all__ = ["MemoryFilter", "MemoryStore", "SearchHit", "SearchQuery", "StoreMeta", "open_store",
           "read_meta"]
