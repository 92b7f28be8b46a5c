"""Rank fusion: tied scores share a position, so results don't depend on engine tie order."""

from __future__ import annotations

import random

from memos_cli.search.fusion import fuse, positions, rank_score
from memos_cli.store import Candidates, SearchHit


def hits(*scored: tuple[str, float]) -> list[SearchHit]:
    return [SearchHit(pid, score, {}) for pid, score in scored]


def test_tied_scores_share_the_better_position() -> None:
    assert positions(hits(("a", 9.0), ("b", 7.0), ("c", 7.0), ("d", 5.0))) == [0, 1, 1, 3]
    assert positions(hits(("a", 0.3), ("b", 0.3000001))) == [0, 0]
    assert positions([]) == []


def test_rank_score_matches_qdrants_weighted_rrf() -> None:
    assert rank_score(0, 5, 1.0) == 1 / 5
    assert rank_score(1, 5, 0.5) == 1 / (2 / 0.5 + 4)


def test_fusion_is_independent_of_the_order_of_ties() -> None:
    dense = hits(("a", 0.9), ("b", 0.8), ("c", 0.8), ("d", 0.7))
    sparse = hits(("c", 4.0), ("d", 3.5), ("a", 3.5), ("e", 3.5), ("b", 1.0))
    expected = [(h.id, h.score) for h in fuse(Candidates(dense, sparse), 5, 0.5)]
    rng = random.Random(1)
    for _ in range(20):
        shuffled_dense = dense[:1] + rng.sample(dense[1:3], 2) + dense[3:]
        shuffled_sparse = sparse[:1] + rng.sample(sparse[1:4], 3) + sparse[4:]
        fused = fuse(Candidates(shuffled_dense, shuffled_sparse), 5, 0.5)
        assert [(h.id, h.score) for h in fused] == expected


def test_fusion_sums_both_lists_and_skips_a_zero_weight() -> None:
    fused = fuse(Candidates(hits(("a", 0.9), ("b", 0.5)), hits(("b", 2.0))), 5, 0.5)
    assert [h.id for h in fused] == ["b", "a"]
    assert fused[0].score == rank_score(1, 5, 0.5) + rank_score(0, 5, 1.0)
    assert [h.id for h in fuse(Candidates(hits(("a", 0.9)), hits(("b", 2.0))), 5, 0.0)] == ["b"]
