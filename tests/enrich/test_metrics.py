"""Ranking metrics against cases computed by hand (trec_eval conventions)."""

from __future__ import annotations

import pytest

from grepp.enrich.metrics import (
    average_precision,
    evaluate,
    precision_at,
    r_precision,
    r_precision_at,
    reciprocal_rank,
)


def test_average_precision_by_hand() -> None:
    # relevant a, b, c; hits at ranks 1 and 3, c never ranked: (1/1 + 2/3 + 0) / 3
    assert average_precision(["a", "x", "b", "y"], {"a", "b", "c"}) == pytest.approx((1 + 2 / 3) / 3)
    assert average_precision([], {"a"}) == 0.0
    assert average_precision(["a"], set()) == 0.0


def test_r_precision_and_rp_at_k() -> None:
    assert r_precision(["a", "x", "b"], {"a", "b"}) == 0.5  # R = 2: one hit in the top 2
    # RP@5 with 8 relevant: hits in the top 5 over 5
    relevant = {f"d{i}" for i in range(8)}
    assert r_precision_at(["d0", "x", "d1", "d2", "y", "d3"], relevant, 5) == pytest.approx(3 / 5)
    # RP@10 with 2 relevant: hits in the top 10 over min(10, 2) (as WorkRB computes it, not the top 2)
    assert r_precision_at(["x", "a", "b"], {"a", "b"}, 10) == 1.0
    assert r_precision_at(["x", "y", "a"], {"a", "b"}, 2) == 0.0


def test_reciprocal_rank_and_precision() -> None:
    assert reciprocal_rank(["x", "y", "a"], {"a"}) == pytest.approx(1 / 3)
    assert reciprocal_rank(["x"], {"a"}) == 0.0
    assert precision_at(["a", "b"], {"a", "b"}, 5) == pytest.approx(2 / 5)  # shorter list still divides by k


def test_evaluate_skips_queries_without_relevant_and_counts_missing_runs_as_zero() -> None:
    run = {"q1": ["a", "b"], "q3": ["z"]}
    qrels = {"q1": ["b"], "q2": ["c"], "q3": []}
    scores = evaluate(run, qrels)
    assert scores["queries"] == 2  # q3 has nothing relevant: skipped
    assert scores["MAP"] == pytest.approx((0.5 + 0.0) / 2)  # q2 has no ranking: 0
    assert scores["MRR"] == pytest.approx(0.25)
