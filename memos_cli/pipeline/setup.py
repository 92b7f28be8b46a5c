"""Choosing the embedder a store needs and opening both, for writing or for searching."""

from __future__ import annotations

from memos_cli.config import Settings
from memos_cli.errors import EmbedderMismatchError
from memos_cli.pipeline.embed import RunEmbedder
from memos_cli.pipeline.embedders import EMBEDDERS, Embedder
from memos_cli.store import MemoryStore, StoreMeta, open_store, read_meta


def choose_embedder(settings: Settings) -> Embedder:
    """The configured embedder, or the store's own when the user did not choose one."""
    meta = read_meta(settings)
    name: str = settings.embedder
    if meta is not None and meta.embedder != name:
        if "embedder" in settings.explicit:
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
        from memos_cli.llm.embedder import OpenAIEmbedder

        return OpenAIEmbedder(settings)
    return EMBEDDERS[name](settings.embed_max_tokens, settings.embed_batch_size)


def open_for_writing(settings: Settings,
                     dry_run: bool = False) -> tuple[RunEmbedder | None, MemoryStore | None]:
    if dry_run:
        return None, None
    embedder = choose_embedder(settings)
    store = open_store(settings, StoreMeta(embedder.name, embedder.model_id,
                                                     embedder.dim))
    if settings.workers > 1 and embedder.name in EMBEDDERS:  # an endpoint needs no processes
        from memos_cli.pipeline.workers import EmbedderPool

        pool = EmbedderPool(embedder.name, embedder.model_id, embedder.dim, settings.workers,
                            settings.embed_max_tokens, settings.embed_batch_size)
        return RunEmbedder(pool), store
    return RunEmbedder(embedder), store


def open_for_reading(settings: Settings) -> tuple[Embedder, MemoryStore] | None:
    """None when nothing was imported into this MEMOS_HOME yet."""
    if read_meta(settings) is None:
        return None
    embedder = choose_embedder(settings)
    store = open_store(settings, StoreMeta(embedder.name, embedder.model_id,
                                                     embedder.dim))
    return embedder, store
