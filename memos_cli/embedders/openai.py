"""The `openai` embedder: an OpenAI-compatible /embeddings endpoint ([embedding] in config).

The client's own retries (with backoff and Retry-After) cover 429s and 5xx; an embedding
that still fails raises, and the importer fails that flush's records as it would for any
embedder. Without `dimensions` configured, one probe request learns the model's size, which
the store records like any embedder's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import openai

from memos_cli.config import Settings
from memos_cli.errors import ConfigError
from memos_cli.llm.client import api_key


class OpenAIEmbedder:
    name = "openai"

    def __init__(self, settings: Settings) -> None:
        self.model = settings.embedding_model
        self.model_id = f"openai:{self.model}"
        self.dimensions = settings.embedding_dimensions
        self.batch_size = settings.embedding_batch_size
        self._key = api_key(settings.embedding_api_key_env)
        self._client = openai.OpenAI(base_url=settings.embedding_base_url or settings.llm_base_url,
                                     api_key=self._key or "no-key",
                                     timeout=settings.llm_timeout_s,
                                     max_retries=settings.llm_max_retries)
        self.dim = self.dimensions or len(self._request(["dimension probe"])[0][0])

    def embed(self, texts: list[str]) -> tuple[np.ndarray, int]:
        rows: list[np.ndarray] = []
        tokens = 0
        for start in range(0, len(texts), self.batch_size):
            vectors, used = self._request(texts[start:start + self.batch_size])
            rows.append(vectors)
            tokens += used
        if not rows:
            return np.zeros((0, self.dim), dtype=np.float32), 0
        matrix = np.vstack(rows)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return matrix / norms, tokens

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0][0]

    def _request(self, texts: list[str]) -> tuple[np.ndarray, int]:
        extra: dict[str, Any] = {"dimensions": self.dimensions} if self.dimensions else {}
        try:
            response = self._client.embeddings.create(model=self.model, input=texts, **extra)
        except (openai.AuthenticationError, openai.PermissionDeniedError,
                openai.NotFoundError) as exc:
            raise ConfigError(self._redact(f"the embeddings endpoint refused the request "
                                           f"({exc.status_code})"),
                              "check [embedding] base_url and model, and the key") from None
        except openai.OpenAIError as exc:
            raise RuntimeError(self._redact(f"embeddings request failed: {exc}")) from None
        ordered = sorted(response.data, key=lambda item: item.index)
        vectors = np.asarray([item.embedding for item in ordered], dtype=np.float32)
        used = response.usage.prompt_tokens if response.usage is not None else 0
        return vectors, used

    def _redact(self, text: str) -> str:
        return text.replace(self._key, "***") if self._key else text
