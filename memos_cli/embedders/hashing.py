"""The `hash` embedder: lexical feature hashing, no model. For tests and `--embedder hash`."""

from __future__ import annotations

import re
import zlib

import numpy as np

_WORD = re.compile(r"\w+")


class HashEmbedder:
    name = "hash"
    model_id = "feature-hash-v1"
    dim = 256

    def embed(self, texts: list[str]) -> tuple[np.ndarray, int]:
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        tokens = 0
        for row, text in enumerate(texts):
            words = _WORD.findall(text.lower())
            tokens += len(words)
            for word in words:
                code = zlib.crc32(word.encode())
                vectors[row, code % self.dim] += 1.0 if code & 0x80000000 else -1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return vectors / norms, tokens

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0][0]
