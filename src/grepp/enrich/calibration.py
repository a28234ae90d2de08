"""Calibrated confidence for a coder's best answer: P(correct | top score, margin over the runner-up).

A logistic model on two features. It is fitted by ``scripts/fit_occupation_calibration.py`` on the
*calibration half* of real offers that carry the recruiter's own ROME code (a fixed hash split of the
offer ids; the other half and the benchmark sets are never used): the features come from the undated coding
the pipeline does, "right" from the coding on the offer's date, which is what its recruiter could choose. Its
coefficients are written below with their provenance, so coding needs no file and no fit at run time::

    >>> default_calibration().confidence(0.9, 0.3) > default_calibration().confidence(0.4, 0.01)
    True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Calibration:
    """confidence = sigmoid(bias + score_weight·score + margin_weight·margin)."""

    bias: float
    score_weight: float
    margin_weight: float
    provenance: str = ""

    def confidence(self, score: float, margin: float) -> float:
        """A probability in [0, 1] that the answer with this score and margin is right."""
        z = self.bias + self.score_weight * score + self.margin_weight * margin
        if z < -40:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))


#: Fitted by scripts/fit_occupation_calibration.py (see docs/benchmarks/ai-occupations.md, *Calibration*): on the
#: held-out half, ECE 0.098 → 0.057 and Brier 0.185 → 0.174 against v7's fit; on offers the fit never read (the
#: Ardèche export, the 2026 apprenticeship offers) ECE 0.180 → 0.092 and 0.112 → 0.066.
_DEFAULT = Calibration(
    bias=-2.4422,
    score_weight=1.6779,
    margin_weight=2.9065,
    provenance="occupations.hybrid.v16, sha1 half 0 of the 3,587 France Travail offers with a romeCode, right as "
    "coded on their date, 2026-12-06",
)


#: The dense coders' (``grepp enrich --dense``, ``grepp eval offers --encoder e5-small``), by their encoder's label:
#: their scores add the encoder's cosine, another scale, so they have fits of their own (same script, ``--encoder``).
#: e5-small through its adapter: held-out ECE 0.154 → 0.046 and Brier 0.195 → 0.170 against the lexical fit; the
#: 2026 apprenticeship offers (never read) 0.162 → 0.053 and 0.187 → 0.151.
_DENSE: dict[str, Calibration] = {
    "e5-small-occupations.v2": Calibration(
        bias=-3.2240,
        score_weight=1.6633,
        margin_weight=2.1289,
        provenance="occupations.hybrid.v17+e5-small-occupations.v2, sha1 half 0 of the 3,587 France Travail offers "
        "with a romeCode, right as coded on their date, 2026-12-06",
    )
}


def default_calibration(encoder: str | None = None) -> Calibration:
    """The calibration shipped with the current coder version: the lexical coder's, or the dense coder's reading the
    encoder of that label (:attr:`~grepp.enrich.embed.Encoder.label`) when one was fitted for it — otherwise the
    lexical one, whose scale a dense coder does not share (``grepp eval offers --encoder …`` prints its ECE)::

        >>> default_calibration("e5-small-occupations.v2") is not default_calibration()
        True
    """
    if encoder is not None and encoder in _DENSE:
        return _DENSE[encoder]
    return _DEFAULT


def fit_calibration(
    scores: Sequence[float], margins: Sequence[float], correct: Sequence[bool], provenance: str = ""
) -> Calibration:
    """Fit the logistic model (scikit-learn, L2-regularised) on labelled answers.

    >>> fit_calibration([0.9, 0.8, 0.3, 0.2], [0.3, 0.2, 0.0, 0.01], [True, True, False, False]).score_weight > 0
    True
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    features = np.column_stack([np.asarray(scores, dtype=float), np.asarray(margins, dtype=float)])
    labels = np.asarray(correct, dtype=int)
    if len(set(labels.tolist())) < 2:
        raise ValueError("calibration needs both right and wrong answers")
    model = LogisticRegression(C=10.0).fit(features, labels)
    return Calibration(
        bias=float(model.intercept_[0]),
        score_weight=float(model.coef_[0][0]),
        margin_weight=float(model.coef_[0][1]),
        provenance=provenance,
    )
