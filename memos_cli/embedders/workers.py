"""Embedding in several processes (`--workers N`): one reader feeds them, one writer drains.

Each worker loads its own copy of the embedder with cores/N threads; a flush's texts are
split into N length-balanced shares and embedded at once. Nothing else leaves the main
process, so the store still has one writer.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

import numpy as np

_embedder: Any = None


def _start(name: str, max_tokens: int, batch_size: int, threads: int) -> None:
    global _embedder
    from memos_cli.embedders import EMBEDDERS

    _embedder = EMBEDDERS[name](max_tokens, batch_size, threads)


def _embed(texts: list[str]) -> tuple[np.ndarray, int]:
    result: tuple[np.ndarray, int] = _embedder.embed(texts)
    return result


class EmbedderPool:
    """An embedder with the same `embed` as the others, spread over worker processes."""

    def __init__(self, name: str, model_id: str, dim: int, workers: int, max_tokens: int,
                 batch_size: int) -> None:
        self.name, self.model_id, self.dim = name, model_id, dim
        self.workers = workers
        threads = max(1, (os.cpu_count() or 1) // workers)
        context = multiprocessing.get_context("spawn")  # no forked copy of onnxruntime state
        self._pool = context.Pool(workers, initializer=_start,
                                  initargs=(name, max_tokens, batch_size, threads))

    def embed(self, texts: list[str]) -> tuple[np.ndarray, int]:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32), 0
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        shares = [order[k::self.workers] for k in range(self.workers)]
        shares = [share for share in shares if share]
        results = self._pool.map(_embed, [[texts[i] for i in share] for share in shares])
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        tokens = 0
        for share, (share_vectors, share_tokens) in zip(shares, results, strict=True):
            vectors[share] = share_vectors
            tokens += share_tokens
        return vectors, tokens

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0][0]

    def close(self) -> None:
        self._pool.close()
        self._pool.join()
