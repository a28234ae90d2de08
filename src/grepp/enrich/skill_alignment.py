"""ROME compétences/savoirs ↔ ESCO skills, aligned with the extractor's own gazetteer.

Each ROME label is read as if it were an offer sentence: the French ESCO labels found in it (same content
keys: accents, gender, plurals and articles ignored) are its candidate ESCO skills. The score is the share
of the ROME label's content words the ESCO label covers (1.0 = same label up to inflection)::

    >>> rows = align_rome_esco(concepts)
    >>> next(r for r in rows if r.rome_id == "rome-ogr:100007")
    Alignment(rome_id='rome-ogr:100007', esco_id='esco:…', score=1.0, method='exact')

Precise rather than complete: a ROME item whose words no ESCO label spells stays unaligned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from grepp.enrich.skill_gazetteer import Gazetteer, content_tokens
from grepp.models import Concept

if TYPE_CHECKING:
    from grepp.enrich.embed import Encoder

ALIGNER_NAME = "skills.alignment.gazetteer"
ALIGNER_VERSION = "3"  # v2: C#, F# are gazetteer labels; v3: "par" is a content word, one-word keys kept whole


@dataclass(frozen=True)
class Alignment:
    """One ROME item ↔ ESCO skill pair with its score and how it was found (``exact``, ``partial``, ``dense``)."""

    rome_id: str
    esco_id: str
    score: float
    method: str


def align_rome_esco(
    concepts: Iterable[Concept],
    *,
    min_score: float = 0.5,
    per_item: int = 3,
    encoder: Encoder | None = None,
    dense_threshold: float = 0.8,
    on_progress: Callable[[int], None] | None = None,
) -> list[Alignment]:
    """Best ESCO skills (French labels) of every ROME compétence and savoir, ``per_item`` at most.

    With an ``encoder``, ROME items the gazetteer left unaligned get their nearest ESCO skill when the
    cosine of the two preferred labels reaches ``dense_threshold`` (method ``dense``, score = cosine).
    """
    rome: list[Concept] = []
    esco: list[Concept] = []
    esco_labels: list[tuple[str, str]] = []
    for concept in concepts:
        if concept.taxonomy == "rome" and concept.kind in ("competence", "savoir"):
            rome.append(concept)
        elif concept.taxonomy == "esco" and concept.kind in ("skill", "knowledge"):
            esco.append(concept)
            esco_labels.extend((text, concept.id) for text in concept.texts("fr"))
    gazetteer = Gazetteer.build(esco_labels)
    out: list[Alignment] = []
    for concept in rome:
        best: dict[str, float] = {}
        for text in concept.texts("fr"):
            n_words = len(content_tokens(text))
            if not n_words:
                continue
            for match in gazetteer.find(text):
                score = match.n_words / n_words
                for esco_id in match.concept_ids:
                    best[esco_id] = max(best.get(esco_id, 0.0), score)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:per_item]
        out.extend(
            Alignment(concept.id, esco_id, round(score, 4), "exact" if score >= 1.0 else "partial")
            for esco_id, score in ranked
            if score >= min_score
        )
        if on_progress is not None:
            on_progress(1)
    if encoder is not None and esco:
        aligned = {a.rome_id for a in out}
        todo = [c for c in rome if c.id not in aligned]
        out.extend(_dense(todo, esco, encoder, dense_threshold))
    return out


def _dense(rome: list[Concept], esco: list[Concept], encoder: Encoder, threshold: float) -> list[Alignment]:
    """Nearest ESCO skill of each ROME item by label cosine, in blocks (33k × 14k floats would be 1.9 GB)."""
    if not rome:
        return []
    esco_vecs = np.asarray(encoder.encode([c.label for c in esco], kind="passage"))
    rome_vecs = np.asarray(encoder.encode([c.label for c in rome], kind="query"))
    out: list[Alignment] = []
    for start in range(0, len(rome), 1024):
        sims = rome_vecs[start : start + 1024] @ esco_vecs.T
        best = sims.argmax(axis=1)
        for row, j in enumerate(best):
            score = float(sims[row, j])
            if score >= threshold:
                out.append(Alignment(rome[start + row].id, esco[int(j)].id, round(score, 4), "dense"))
    return out
