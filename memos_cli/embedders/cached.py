"""Embedding for a run: each distinct text once, counted (the import's bottleneck)."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from memos_cli.embedders import Embedder

# Only short texts repeat (the same preference said twice); episodes never do.
_CACHEABLE_CHARS = 300


class RunEmbedder:
    """Wraps an embedder with a bounded cache so identical texts are embedded once per run."""

    def __init__(self, embedder: Embedder, capacity: int = 4_096) -> None:
        self.embedder = embedder
        self.capacity = capacity
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.texts_embedded = 0
        self.tokens_embedded = 0

    def embed(self, texts: list[str]) -> list[np.ndarray]:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        fresh: dict[str, np.ndarray] = {}
        if missing:
            vectors, tokens = self.embedder.embed(missing)
            self.texts_embedded += len(missing)
            self.tokens_embedded += tokens
            fresh = dict(zip(missing, vectors, strict=True))
        found = []
        for text in texts:
            vector = fresh.get(text)
            if vector is None:
                vector = self._cache[text]
                self._cache.move_to_end(text)
            elif len(text) <= _CACHEABLE_CHARS:
                # A copy: a row is a view that would keep its whole batch's matrix alive (the
                # cache pinned about 70 MB of them on a 300k-message import).
                self._cache[text] = vector.copy()
            found.append(vector)
        while len(self._cache) > self.capacity:
            self._cache.popitem(last=False)
        return found

    def close(self) -> None:
        """Stop worker processes, if the embedder has any."""
        close = getattr(self.embedder, "close", None)
        if close is not None:
            close()
