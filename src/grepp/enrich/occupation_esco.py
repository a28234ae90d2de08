"""The ESCO side of the occupation coder: English titles read through ESCO, and ESCO's twins of ROME's names.

ROME is French and ESCO carries English labels too, so an English title is read through the French label of its
best ESCO occupation (:func:`esco_pivots`: "Forklift driver" → *cariste*), an occupation bearing the title as one of
its labels first (:func:`named_labels`). And where a ROME appellation and exactly one ESCO occupation share a French
name (:func:`esco_twins`: "Commis / Commise de cuisine" and *commis de cuisine*), the coder puts that occupation
first in its ESCO list.

Pure: concepts and an index in, labels and ids out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from grepp.enrich.lexical import gender_keys, gender_pair
from grepp.enrich.retrieval import Retriever
from grepp.models import Concept

#: An English title read through ESCO (:func:`esco_pivots`): the occupations bearing it as a label
#: (same gender/accent-folded key) get this, + :data:`PIVOT_PREFERRED_WEIGHT` when it is their preferred label.
#: Measured on ``bench/bench_ai_languages.py``'s English titles, top-1 métier: the 40 of earlier sessions 0.80 →
#: 0.875; 35 written before coding them (fifteenth session) 0.657 → 0.714 (top-3 0.771 → 0.829). Without the
#: preferred-label step 0.85 on the 40 ("Accountant" stays *contrôleur financier*, where it is an alternative label).
PIVOT_NAMED_WEIGHT = 1.0
PIVOT_PREFERRED_WEIGHT = 0.5
#: The ESCO labels read for it: English, and French ones that an English title may share ("data scientist").
PIVOT_LANGUAGES = frozenset({"en", "fr"})


def named_labels(occupations: Sequence[Concept]) -> dict[str, tuple[tuple[int, float], ...]]:
    """Label key → ``((position, bonus), …)`` of the occupations (by position in ``occupations``) bearing that label
    in a :data:`PIVOT_LANGUAGES` language: :data:`PIVOT_NAMED_WEIGHT`, + :data:`PIVOT_PREFERRED_WEIGHT` for a
    preferred label."""
    named_by_key: dict[str, dict[int, float]] = {}
    for i, concept in enumerate(occupations):
        for lb in concept.labels:
            if lb.lang not in PIVOT_LANGUAGES:
                continue
            bonus = PIVOT_NAMED_WEIGHT + (PIVOT_PREFERRED_WEIGHT if lb.kind == "preferred" else 0.0)
            for key in gender_keys(lb.text):
                named = named_by_key.setdefault(key, {})
                named[i] = max(named.get(i, 0.0), bonus)
    return {key: tuple(named.items()) for key, named in named_by_key.items()}


def esco_pivots(
    esco: Retriever,
    named: Mapping[str, tuple[tuple[int, float], ...]],
    concepts: Mapping[str, Concept],
    titles: Sequence[str],
) -> list[str]:
    """The French label of each English title's best ESCO occupation ("" without one).

    ``esco`` ranks the occupations, ``named`` is :func:`named_labels` of its elements, ``concepts`` holds them by id.
    ESCO carries English labels and ROME does not: "Forklift driver" finds ESCO's *cariste* through its English
    forms, and *cariste* finds the ROME métier (the best occupation only: adding the second or third cost more than
    it gave on the titles of ``bench/bench_ai_languages.py``). An occupation bearing the title as one of its labels
    gets :data:`PIVOT_NAMED_WEIGHT`, more when it is its preferred label (``accountant`` is ESCO's *comptable* and an
    alternative label of *contrôleur financier*).
    """
    if not titles:
        return []
    scores = esco.element_scores(list(titles))
    for row, title in zip(scores, titles, strict=True):  # the occupations the title names exactly come first
        found: dict[int, float] = {}
        for key in gender_keys(title):
            for i, bonus in named.get(key, ()):
                found[i] = max(found.get(i, 0.0), bonus)
        for i, bonus in found.items():
            row[i] += bonus
    pivots: list[str] = []
    for row in scores:
        french = concepts[esco.ids[int(np.argmax(row))]].texts("fr")
        pivots.append(gender_pair(french[0])[0] if french else "")
    return pivots


def esco_twins(concepts: Iterable[Concept]) -> dict[str, str]:
    """ROME appellation id → the ESCO occupation sharing one of its French names (label keys: case,
    accents and gender folded), where exactly one does ("Commis / Commise de cuisine" → *commis de cuisine*).
    """
    concepts = list(concepts)
    by_key: dict[str, set[str]] = {}
    for c in concepts:
        if c.kind == "occupation":
            for text in c.texts("fr"):
                for key in gender_keys(text):
                    by_key.setdefault(key, set()).add(c.id)
    twins: dict[str, str] = {}
    for c in concepts:
        if c.kind == "appellation":
            found = {e for text in c.texts("fr") for key in gender_keys(text) for e in by_key.get(key, ())}
            if len(found) == 1:
                twins[c.id] = next(iter(found))
    return twins
