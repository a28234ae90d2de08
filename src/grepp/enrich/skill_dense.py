"""The dense step of skill extraction: offer sentences ↔ skill labels by embedding cosine.

Only the skills of the offer's métier are compared (a few dozen labels, not 47,000), which keeps the
step cheap on a laptop CPU and its errors plausible. Label vectors are computed once per process (and
on disk through the encoder's cache)::

    matcher = DenseMatcher(get_encoder("e5-small"), {"rome-ogr:1": "Lire un plan"})
    matcher.best(["Savez lire et interpréter un plan"], ["rome-ogr:1"], threshold=0.89, per_sentence=1)
    # [[('rome-ogr:1', 0.91)]]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from grepp.enrich.embed import Encoder


class DenseMatcher:
    """Sentences (queries) against skill labels (passages), L2-normalised vectors from ``encoder``."""

    def __init__(self, encoder: Encoder, labels: Mapping[str, str]) -> None:
        self.encoder = encoder
        self._labels = labels
        self._vectors: dict[str, np.ndarray] = {}

    def vectors(self, ids: Sequence[str]) -> np.ndarray:
        """Label vectors of ``ids`` (computed on first use)."""
        missing = [i for i in ids if i not in self._vectors]
        if missing:
            vecs = np.asarray(self.encoder.encode([self._labels[i] for i in missing], kind="passage"))
            for i, v in zip(missing, vecs, strict=True):
                self._vectors[i] = v
        return np.stack([self._vectors[i] for i in ids])

    def similarities(self, sentences: Sequence[str], ids: Sequence[str]) -> np.ndarray:
        """(sentences × ids) cosine matrix."""
        queries = np.asarray(self.encoder.encode(list(sentences), kind="query"))
        result: np.ndarray = queries @ self.vectors(ids).T
        return result

    def best(
        self, sentences: Sequence[str], ids: Sequence[str], *, threshold: float, per_sentence: int
    ) -> list[list[tuple[str, float]]]:
        """For each sentence, its closest labels at or above ``threshold``, best first."""
        if not sentences or not ids:
            return [[] for _ in sentences]
        sims = self.similarities(sentences, ids)
        out: list[list[tuple[str, float]]] = []
        for row in sims:
            order = np.argsort(-row)[:per_sentence]
            out.append([(ids[j], float(row[j])) for j in order if row[j] >= threshold])
        return out

    def max_similarity(self, sentences: Sequence[str], ids: Sequence[str]) -> dict[str, float]:
        """Best cosine of each label over all sentences."""
        if not sentences or not ids:
            return {}
        sims = self.similarities(sentences, ids).max(axis=0)
        return {cid: float(s) for cid, s in zip(ids, sims, strict=True)}
