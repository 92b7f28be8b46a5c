"""Opening a store (embedded qdrant-edge, or a Qdrant server through qdrant-client), and the
record of which embedder filled it (a JSON file in MEMOS_HOME)."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson

from memos_cli.config import Settings
from memos_cli.errors import ConfigError, DamagedError, MemosError, StoreBusyError
from memos_cli.store.base import Candidates, MemoryFilter, MemoryStore, SearchHit, SearchQuery


@dataclass(frozen=True, slots=True)
class StoreMeta:
    embedder: str
    model_id: str
    dim: int
    # How CJK text was cut into words for BM25 (text/segment.py); stores made before that
    # have no such key and keep whole runs as tokens.
    segmenter: str = "none"
    # Made once with the store: state.db's ledger names the store it describes, so that a
    # new, moved or emptied store is noticed and its records imported again.
    store_id: str = ""


def _meta_path(settings: Settings) -> Path:
    return settings.home / "store.json"


def _connect(settings: Settings) -> Any:
    from memos_cli.store.server import connect

    assert settings.qdrant_url is not None
    return connect(settings.qdrant_url, settings.qdrant_api_key_env, settings.qdrant_timeout_s,
                   settings.qdrant_prefer_grpc)


def read_meta(settings: Settings) -> StoreMeta | None:
    """The embedder of the store these settings point at; None when it holds nothing yet.
    The embedded store keeps it in MEMOS_HOME/store.json, a server collection in its own
    metadata (so every machine that uses the collection sees it)."""
    if settings.qdrant_url is not None:
        from memos_cli.store.server import collection_meta

        client = _connect(settings)
        try:
            found = collection_meta(client, settings.qdrant_collection)
        finally:
            client.close()
        return StoreMeta(**found) if found else None
    path = _meta_path(settings)
    if not path.is_file() or not (settings.store_dir / "wal").exists():
        return None
    try:
        return StoreMeta(**orjson.loads(path.read_bytes()))
    except (orjson.JSONDecodeError, TypeError) as exc:
        raise ConfigError(f"{path} is damaged: {exc}",
                          f"restore it from a backup, or move {path} and {settings.store_dir} "
                          "aside and run the import again (every record is read again)"
                          ) from exc


def _write_atomically(path: Path, data: bytes) -> None:
    """Replace the file whole or not at all: a run killed mid-write must not leave it empty
    (the kill test found that). Unchanged content is not rewritten."""
    if path.is_file() and path.read_bytes() == data:
        return
    partial = path.with_name(path.name + ".tmp")
    with partial.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)


def open_store(settings: Settings, meta: StoreMeta) -> MemoryStore:
    """Open (or create) the store for vectors described by `meta`."""
    settings.home.mkdir(parents=True, exist_ok=True)
    if settings.qdrant_url is None:
        from memos_cli.store.edge import EdgeStore

        # The record of the embedder goes first: a store never exists without it.
        _write_atomically(_meta_path(settings), orjson.dumps(asdict(meta)))
        try:
            return EdgeStore(settings.store_dir, meta.dim, settings.compact_every,
                             meta.segmenter)
        except MemosError:  # busy, or too little free space: it says so itself
            raise
        except Exception as exc:
            from memos_cli.state import held_elsewhere

            if held_elsewhere(settings.home):
                # A writer in another process is between segments: what is on disk is not
                # a store to open yet, nor a damaged one.
                raise StoreBusyError(f"the store at {settings.store_dir} is being written by "
                                     "another memos run", "try again in a moment") from exc
            raise DamagedError(
                f"the store at {settings.store_dir} cannot be opened: {exc}",
                f"move {settings.store_dir} and {_meta_path(settings)} aside, then run the "
                "import again (every record is read again)") from exc
    from memos_cli.store.server import ServerStore

    return ServerStore(_connect(settings), settings.qdrant_collection, meta.dim,
                       settings.qdrant_shard_number, settings.qdrant_replication_factor,
                       settings.qdrant_on_disk, meta=asdict(meta),
                       segmenter=meta.segmenter)


__all__ = ["Candidates", "MemoryFilter", "MemoryStore", "SearchHit", "SearchQuery", "StoreMeta",
           "open_store", "read_meta"]
