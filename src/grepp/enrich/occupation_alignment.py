"""ROME appellations ↔ ESCO occupations, ranked by the engine behind ``grepp eval rank``.

No official ROME ↔ ESCO crosswalk is in the data, so grepp computes one: every ROME appellation is a
title query against the French surface forms of every ESCO occupation, exactly as a MELO query is
ranked (:mod:`.ranking`): character and word TF-IDF on gender/accent-folded keys (plus the dense
encoder when one is given), the forms of one ESCO occupation ranked together with its preferred label
first, ESCO/ROME labels naming the appellation exactly as extra query forms, ISCO-group labels weighed
down, and the other appellations of the appellation's ROME métier as context. Each appellation keeps
its ``per_item`` best ESCO occupations::

    >>> rows = align_appellations(concepts, book=book, metiers=metiers)
    >>> next(r for r in rows if r.rome_id == "rome-ogr:404475" and r.rank == 1)   # Soudeur / Soudeuse
    OccupationAlignment(rome_id='rome-ogr:404475', esco_id='esco:…', score=…, method='exact', rank=1)

``method`` is ``exact`` when a French label of the ESCO occupation and the appellation share their
gender-folded key (same name), else ``ranked``; ``score`` is the engine's fused score (about 0–2.5,
comparable within one aligner version) and ``rank`` its place among the appellation's candidates.

The context of one métier is the same for all its appellations, so it is scored once per métier and
shared: the scores are those of :meth:`~grepp.enrich.retrieval.Retriever.element_scores` given each
title's context texts (a test checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from grepp.enrich.embed import Encoder
from grepp.enrich.expansion import LabelBook
from grepp.enrich.lexical import gender_keys
from grepp.enrich.metier_context import MetierContext, MetierRows
from grepp.enrich.ranking import FRENCH_TITLE_CONFIG, RANKER_VERSION, broad_weights
from grepp.enrich.retrieval import RetrievalConfig, Retriever
from grepp.models import Concept

ALIGNER_NAME = "occupations.alignment.rank"
#: Follows the ranking engine's version: a better engine re-aligns, and both results stay comparable.
ALIGNER_VERSION = f"1-rank{RANKER_VERSION}"
#: ESCO occupations kept per ROME appellation.
PER_ITEM = 3


@dataclass(frozen=True)
class OccupationAlignment:
    """One ROME appellation ↔ ESCO occupation pair: engine score, rank (1 = best), ``exact``/``ranked``."""

    rome_id: str
    esco_id: str
    score: float
    method: str
    rank: int


def esco_occupation_forms(concepts: Iterable[Concept]) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """French surface forms of every ESCO occupation (preferred label first) and form id → concept id."""
    return esco_forms(concepts, ("occupation",))


def esco_forms(concepts: Iterable[Concept], kinds: Sequence[str]) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """French surface forms of every ESCO concept of these kinds (preferred label first), form id → concept id."""
    items: list[tuple[str, str]] = []
    groups: dict[str, str] = {}
    for concept in concepts:
        if concept.taxonomy != "esco" or concept.kind not in kinds:
            continue
        for i, text in enumerate(concept.texts("fr")):
            form_id = f"{concept.id}#{i}"
            items.append((form_id, text))
            groups[form_id] = concept.id
    return items, groups


def align_appellations(
    concepts: Sequence[Concept],
    *,
    book: LabelBook | None = None,
    metiers: MetierContext | None = None,
    broad_labels: Iterable[str] = (),
    encoder: Encoder | None = None,
    per_item: int = PER_ITEM,
    config: RetrievalConfig | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> list[OccupationAlignment]:
    """The ``per_item`` best ESCO occupations of every ROME appellation among ``concepts``.

    ``book`` (label expansion), ``metiers`` (métier context) and ``broad_labels`` (ISCO group labels)
    are those of ``grepp eval rank``; without them the engine ranks on the labels alone.
    """
    config = config or FRENCH_TITLE_CONFIG
    appellations = [c for c in concepts if c.taxonomy == "rome" and c.kind == "appellation"]
    items, groups = esco_occupation_forms(concepts)
    if not appellations or not items:
        return []
    weights = broad_weights(items, broad_labels, book) if book is not None else {}
    retriever = Retriever(items, groups=groups, encoder=encoder, config=config, element_weights=weights)
    # an ESCO occupation scores as its best element (its forms are contiguous in ``items``): the place
    # its first form would take in a ``grepp eval rank`` run
    first: dict[str, int] = {}
    for i, doc_id in enumerate(retriever.ids):
        first.setdefault(groups[doc_id], i)
    esco_ids = list(first)
    starts = np.array(list(first.values()), dtype=np.int64)
    esco_keys: dict[str, set[str]] = {cid: set() for cid in esco_ids}
    for doc_id, text in items:
        esco_keys[groups[doc_id]].update(gender_keys(text))

    titles = [c.label for c in appellations]
    chosen = metiers.metiers_of(titles) if metiers is not None and config.context_weight > 0 else None
    context_rows = None
    if chosen is not None and metiers is not None:
        context_rows = MetierRows(retriever, metiers)
        context_rows.prepare(code for metier_weights in chosen for code, _ in metier_weights)
    out: list[OccupationAlignment] = []
    chunk = config.query_chunk
    for start in range(0, len(titles), chunk):
        batch = titles[start : start + chunk]
        expansions = [book.expand(t) for t in batch] if book is not None else None
        extra = None
        if context_rows is not None and chosen is not None:
            # as Retriever.element_scores with texts: the best weighted score over the métiers' texts
            extra = context_rows.forms(chosen[start : start + chunk])
        scores = np.maximum.reduceat(retriever.element_scores(batch, expansions, context_forms=extra), starts, axis=1)
        keep = min(per_item, len(esco_ids))
        for offset, row in enumerate(scores):
            appellation = appellations[start + offset]
            keys = set(gender_keys(appellation.label))
            best = np.argpartition(-row, keep - 1)[:keep]
            best = best[np.lexsort((best, -row[best]))]
            for rank, j in enumerate(best, start=1):
                esco_id = esco_ids[int(j)]
                method = "exact" if keys & esco_keys[esco_id] else "ranked"
                out.append(OccupationAlignment(appellation.id, esco_id, float(row[j]), method, rank))
        if on_progress is not None:
            on_progress(len(batch))
    return out
