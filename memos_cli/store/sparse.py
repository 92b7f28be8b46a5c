"""The sparse (BM25) vectors of both backends: one encoder, so the embedded store and a server
collection give the same vectors for the same text, in every script."""

from __future__ import annotations

import qdrant_edge as qe

from memos_cli.text.segment import SEGMENTERS

# BM25 length normalisation: memories are sentences to a few turns, far shorter than the
# 256-token default, which would favour long episodes over precise facts.
BM25_AVG_TOKENS = 128.0


class SparseEncoder:
    def __init__(self, segmenter: str) -> None:
        self._bm25 = qe.Bm25(qe.Bm25Config(avg_len=BM25_AVG_TOKENS))
        self._segment = SEGMENTERS[segmenter]

    def document(self, text: str) -> qe.SparseVector:
        return self._bm25.embed_document(self._segment(text))

    def query(self, text: str) -> qe.SparseVector:
        return self._bm25.embed_query(self._segment(text))
