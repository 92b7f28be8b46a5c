"""Embedders: a registry name -> factory. The store records the name and refuses another."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np


class Embedder(Protocol):
    name: str
    model_id: str
    dim: int

    def embed(self, texts: list[str]) -> tuple[np.ndarray, int]:
        """Unit-length vectors for the texts, and how many tokens were embedded."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """The vector of a search query (models trained with query and passage prefixes
        embed the two differently)."""
        ...


def _default(max_tokens: int, batch_size: int, threads: int = 0) -> Embedder:
    from memos_cli.embedders.minilm import MiniLMEmbedder  # loads onnxruntime: only here

    return MiniLMEmbedder(max_tokens=max_tokens, batch_size=batch_size, threads=threads)


def _hash(max_tokens: int, batch_size: int, threads: int = 0) -> Embedder:
    from memos_cli.embedders.hashing import HashEmbedder

    return HashEmbedder()


def _multilingual(max_tokens: int, batch_size: int, threads: int = 0) -> Embedder:
    from memos_cli.embedders.multilingual import MultilingualEmbedder

    return MultilingualEmbedder(max_tokens=max_tokens, batch_size=batch_size, threads=threads)


def _e5(max_tokens: int, batch_size: int, threads: int = 0) -> Embedder:
    from memos_cli.embedders.e5 import E5Embedder

    return E5Embedder(max_tokens=max_tokens, batch_size=batch_size, threads=threads)


EMBEDDERS: dict[str, Callable[..., Embedder]] = {
    "default": _default, "multilingual": _multilingual, "e5": _e5, "hash": _hash}
