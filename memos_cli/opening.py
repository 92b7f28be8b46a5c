"""Choosing the embedder a store needs and opening both, for writing or for searching."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from memos_cli.config import Settings
from memos_cli.embedders import EMBEDDERS, Embedder
from memos_cli.errors import EmbedderMismatchError
from memos_cli.state import State
from memos_cli.store import MemoryStore, StoreMeta, open_store, read_meta
from memos_cli.text.language import is_english
from memos_cli.text.segment import DEFAULT_SEGMENTER

if TYPE_CHECKING:
    from memos_cli.embedders.cached import RunEmbedder

Sample = Callable[[], Iterable[str]]


def embedder_for(texts: Iterable[str]) -> str:
    """The embedder `auto` picks for a new store from a sample of its texts: MiniLM ranks
    English best, and reads nothing else."""
    return "default" if is_english(list(texts)) else "multilingual"


def choose_embedder(settings: Settings, sample: Sample | None = None) -> Embedder:
    """The store's own embedder; for a new store the configured one, and with `auto` (the
    default) the one that reads the language of `sample`, the first texts it will hold."""
    meta = read_meta(settings)
    name: str = settings.embedder
    if meta is None and name == "auto":
        name = embedder_for(sample() if sample is not None else [])
    elif meta is not None and meta.embedder != name:
        if "embedder" in settings.explicit and name != "auto":
            raise EmbedderMismatchError(
                f"the store in {settings.home} was filled by the '{meta.embedder}' embedder, "
                f"not '{name}'; vectors of two embedders cannot be searched together",
                f"pass --embedder {meta.embedder}, or set MEMOS_HOME to a new directory "
                f"for a store made with '{name}'",
            )
        name = meta.embedder
    embedder = _open_embedder(name, settings)
    if meta is not None and (meta.model_id, meta.dim) != (embedder.model_id, embedder.dim):
        raise EmbedderMismatchError(
            f"the store in {settings.home} holds {meta.model_id} vectors ({meta.dim} dims); "
            f"the '{name}' embedder now makes {embedder.model_id} ({embedder.dim} dims)",
            "import into a new MEMOS_HOME, or reinstall the embedder the store was made with",
        )
    return embedder


def _open_embedder(name: str, settings: Settings) -> Embedder:
    if name == "openai":  # an endpoint, configured by [embedding]; not a local model
        from memos_cli.embedders.openai import OpenAIEmbedder

        return OpenAIEmbedder(settings)
    return EMBEDDERS[name](settings.embed_max_tokens, settings.embed_batch_size)


def _meta(settings: Settings, embedder: Embedder, writing: bool = False) -> StoreMeta:
    """What the store records: a new store uses today's segmenter and a new id, an old one
    keeps its own. An embedded store made before ids gets one now (store.json is rewritten on
    every open); a server collection keeps its metadata from creation, so an old one is
    named by where it is."""
    meta = read_meta(settings)
    segmenter = meta.segmenter if meta is not None else DEFAULT_SEGMENTER
    store_id = meta.store_id if meta is not None else ""
    if not store_id and writing:
        store_id = (f"{settings.qdrant_url}#{settings.qdrant_collection}"
                    if meta is not None and settings.qdrant_url else uuid.uuid4().hex)
    return StoreMeta(embedder.name, embedder.model_id, embedder.dim, segmenter, store_id)


def open_for_writing(settings: Settings, dry_run: bool = False, sample: Sample | None = None,
                     state: State | None = None
                     ) -> tuple[RunEmbedder | None, MemoryStore | None]:
    """The run's embedder and store; with `state`, its ledger is bound to this store (and
    emptied when it described another one)."""
    from memos_cli.embedders.cached import RunEmbedder  # numpy: only for a run that embeds

    if dry_run:
        return None, None
    embedder = choose_embedder(settings, sample)
    created = read_meta(settings) is None
    meta = _meta(settings, embedder, writing=True)
    store = open_store(settings, meta)
    if state is not None:
        state.bind_store(meta.store_id, created)
    if settings.workers > 1 and embedder.name in EMBEDDERS:  # an endpoint needs no processes
        from memos_cli.embedders.workers import EmbedderPool

        pool = EmbedderPool(embedder.name, embedder.model_id, embedder.dim, settings.workers,
                            settings.embed_max_tokens, settings.embed_batch_size)
        return RunEmbedder(pool), store
    return RunEmbedder(embedder), store


def open_store_for_reading(settings: Settings) -> MemoryStore | None:
    """The store alone, as it was filled, for what needs no query vector (listing, showing,
    status): no model is loaded. None when nothing was imported here yet."""
    meta = read_meta(settings)
    return open_store(settings, meta) if meta is not None else None


def open_for_reading(settings: Settings) -> tuple[Embedder, MemoryStore] | None:
    """None when nothing was imported into this MEMOS_HOME yet."""
    if read_meta(settings) is None:
        return None
    embedder = choose_embedder(settings)
    return embedder, open_store(settings, _meta(settings, embedder))
