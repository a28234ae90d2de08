"""Ranking metrics with trec_eval's conventions: MAP, R-precision, MRR, P@k, RP@k.

A run maps each query id to its ranked document ids (best first); qrels map each query id to its
relevant document ids (relevance > 0). Queries without any relevant document are skipped (as
trec_eval does); a query that has relevant documents but no ranking scores 0.

    >>> round(average_precision(["a", "x", "b"], {"a", "b"}), 4)   # (1/1 + 2/3) / 2
    0.8333
    >>> r_precision_at(["x", "a"], {"a", "b", "c"}, 5)  # RP@5 = hits in the top 5 / min(5, R)
    0.3333333333333333
    >>> r_precision_at(["x", "a"], {"a"}, 5)  # one relevant label found within the top 5
    1.0
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def average_precision(ranking: Sequence[str], relevant: set[str]) -> float:
    """Sum of the precision at each relevant hit, divided by the number of relevant documents."""
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for rank, doc in enumerate(ranking, start=1):
        if doc in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant)


def r_precision(ranking: Sequence[str], relevant: set[str]) -> float:
    """Precision at rank R, R being the number of relevant documents."""
    if not relevant:
        return 0.0
    return sum(1 for doc in ranking[: len(relevant)] if doc in relevant) / len(relevant)


def r_precision_at(ranking: Sequence[str], relevant: set[str], k: int) -> float:
    """RP@k (Decorte et al. 2023, as TechWolf's WorkRB computes it): hits in the top k over min(k, R)."""
    if not relevant:
        return 0.0
    return sum(1 for doc in ranking[:k] if doc in relevant) / min(k, len(relevant))


def reciprocal_rank(ranking: Sequence[str], relevant: set[str]) -> float:
    """1 / rank of the first relevant document (0 when none is ranked)."""
    for rank, doc in enumerate(ranking, start=1):
        if doc in relevant:
            return 1.0 / rank
    return 0.0


def precision_at(ranking: Sequence[str], relevant: set[str], k: int) -> float:
    """Relevant documents in the top k, over k (trec_eval: a shorter ranking still divides by k)."""
    return sum(1 for doc in ranking[:k] if doc in relevant) / k


def evaluate(run: Mapping[str, Sequence[str]], qrels: Mapping[str, Iterable[str]]) -> dict[str, float]:
    """Mean of each metric over the queries that have relevant documents.

    >>> evaluate({"q1": ["a", "b"]}, {"q1": ["b"], "q2": []})["MRR"]
    0.5
    """
    scores: dict[str, list[float]] = {"MAP": [], "R-prec": [], "MRR": [], "P@5": [], "RP@5": [], "RP@10": []}
    for qid, docs in qrels.items():
        relevant = set(docs)
        if not relevant:
            continue
        ranking = list(run.get(qid, ()))
        scores["MAP"].append(average_precision(ranking, relevant))
        scores["R-prec"].append(r_precision(ranking, relevant))
        scores["MRR"].append(reciprocal_rank(ranking, relevant))
        scores["P@5"].append(precision_at(ranking, relevant, 5))
        scores["RP@5"].append(r_precision_at(ranking, relevant, 5))
        scores["RP@10"].append(r_precision_at(ranking, relevant, 10))
    count = len(scores["MAP"])
    result = {name: (sum(values) / count if count else 0.0) for name, values in scores.items()}
    result["queries"] = float(count)
    return result


def calibration_errors(confidences: Sequence[float], right: Sequence[bool], bins: int = 10) -> dict[str, float]:
    """How well confidences predict being right: the mean confidence, the accuracy, ECE and the Brier score.

    ECE (expected calibration error) over ``bins`` equal-width bins of confidence: the gap between each bin's mean
    confidence and its accuracy, weighted by the bin's share of the answers (Guo et al., 2017). Brier: the mean
    squared gap between a confidence and its outcome (1 right, 0 wrong)::

        >>> errors = calibration_errors([0.9, 0.9, 0.2, 0.2], [True, False, False, False])
        >>> errors["ece"], errors["brier"]  # 0.9 → right half the time, 0.2 → never: (0.4 + 0.2) / 2
        (0.3, 0.225)
    """
    if len(confidences) != len(right):
        raise ValueError("one outcome per confidence")
    n = len(confidences)
    if not n:
        return {"confidence": 0.0, "accuracy": 0.0, "ece": 0.0, "brier": 0.0}
    members: dict[int, list[int]] = {}
    for i, c in enumerate(confidences):
        members.setdefault(min(int(c * bins), bins - 1), []).append(i)
    ece = sum(abs(sum(confidences[i] for i in index) - sum(right[i] for i in index)) / n for index in members.values())
    brier = sum((c - float(r)) ** 2 for c, r in zip(confidences, right, strict=True)) / n
    return {
        "confidence": sum(confidences) / n,
        "accuracy": sum(right) / n,
        "ece": round(ece, 12),
        "brier": round(brier, 12),
    }


def offer_competence_codes(offer: Mapping[str, Any]) -> set[str]:
    """The recruiter's ROME codes of an offer (``competences[].code``): ground truth for evaluation only.

    >>> offer_competence_codes({"competences": [{"code": "101506", "exigence": "S"}, {"libelle": "x"}]})
    {'101506'}
    """
    items = offer.get("competences") or []
    return {str(c["code"]) for c in items if isinstance(c, Mapping) and c.get("code")}


def recall_at(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """Share of ``relevant`` codes in the first ``k`` of ``ranked`` (0.0 when nothing is relevant)."""
    return len(set(ranked[:k]) & relevant) / len(relevant) if relevant else 0.0
