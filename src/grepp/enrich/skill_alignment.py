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

from grepp.enrich.skill_gazetteer import Gazetteer, content_tokens
from grepp.models import Concept

ALIGNER_NAME = "skills.alignment.gazetteer"
ALIGNER_VERSION = "1"


@dataclass(frozen=True)
class Alignment:
    """One ROME item ↔ ESCO skill pair with its score and how it was found (``exact`` or ``partial``)."""

    rome_id: str
    esco_id: str
    score: float
    method: str


def align_rome_esco(
    concepts: Iterable[Concept],
    *,
    min_score: float = 0.5,
    per_item: int = 3,
    on_progress: Callable[[int], None] | None = None,
) -> list[Alignment]:
    """Best ESCO skills (French labels) of every ROME compétence and savoir, ``per_item`` at most."""
    rome: list[Concept] = []
    esco_labels: list[tuple[str, str]] = []
    for concept in concepts:
        if concept.taxonomy == "rome" and concept.kind in ("competence", "savoir"):
            rome.append(concept)
        elif concept.taxonomy == "esco" and concept.kind in ("skill", "knowledge"):
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
    return out
