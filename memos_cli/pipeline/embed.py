"""Embedding for a run: each distinct text once, timed and counted (the import's bottleneck)."""

from __future__ import annotations

import time
from collections import OrderedDict

import numpy as np

from memos_cli.pipeline.embedders import Embedder


class RunEmbedder:
    """Wraps an embedder with a bounded cache so identical texts are embedded once per run."""

    def __init__(self, embedder: Embedder, capacity: int = 50_000) -> None:
        self.embedder = embedder
        self.capacity = capacity
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.texts_embedded = 0
        self.tokens_embedded = 0
        self.seconds = 0.0

    def embed(self, texts: list[str]) -> list[np.ndarray]:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            started = time.perf_counter()
            vectors, tokens = self.embedder.embed(missing)
            self.seconds += time.perf_counter() - started
            self.texts_embedded += len(missing)
            self.tokens_embedded += tokens
            for text, vector in zip(missing, vectors, strict=True):
                self._cache[text] = vector
        found = []
        for text in texts:
            self._cache.move_to_end(text)
            found.append(self._cache[text])
        while len(self._cache) > self.capacity:
            self._cache.popitem(last=False)
        return found
