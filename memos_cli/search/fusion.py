"""Weighted reciprocal rank fusion of the dense and BM25 lists, with ties ranked alike.

Done here rather than in Qdrant because equal scores are common (BM25 gives every memory
with the same matched terms and length the same score) and each engine orders such ties by
its own internal offsets: the same points would then fuse differently in a store that was
filled in another order, or after `memos migrate`. Tied scores share the better position.
"""

from __future__ import annotations

from memos_cli.store import Candidates, SearchHit

# Scores equal to this many decimals are a tie (engines differ in the last float bits).
_TIE_DECIMALS = 5


def positions(hits: list[SearchHit]) -> list[int]:
    """0-based competition ranks of a best-first list: 0, 1, 1, 3 for scores 9, 7, 7, 5."""
    ranks: list[int] = []
    for index, hit in enumerate(hits):
        tied = index and round(hit.score, _TIE_DECIMALS) == round(hits[index - 1].score,
                                                                  _TIE_DECIMALS)
        ranks.append(ranks[-1] if tied else index)
    return ranks


def rank_score(position: int, k: int, weight: float) -> float:
    """Qdrant's weighted RRF term, so scores read the same as its own fusion's."""
    return 1.0 / ((position + 1) / weight + k - 1)


def fuse(candidates: Candidates, k: int, dense_weight: float) -> list[SearchHit]:
    """One list, best first; equal fused scores ordered by id."""
    fused: dict[str, SearchHit] = {}
    for hits, weight in ((candidates.dense, dense_weight), (candidates.sparse, 1.0)):
        if weight <= 0:
            continue
        for hit, position in zip(hits, positions(hits), strict=True):
            entry = fused.setdefault(hit.id, SearchHit(hit.id, 0.0, hit.payload))
            entry.score += rank_score(position, k, weight)
    return sorted(fused.values(), key=lambda hit: (-round(hit.score, 7), hit.id))
