"""ROME compétences/savoirs ↔ ESCO skills, ranked by the engine behind ``grepp eval rank``.

Every ROME compétence and savoir is a query against the French labels of every ESCO skill and knowledge
concept, exactly as a VDAB Competent label is ranked in ``grepp eval rank`` (:mod:`.ranking`): character
and word TF-IDF on folded keys, plus the dense encoder's cosine when one is given (USE through its
``skills`` adapter by default; with e5-small's beside it, ×3, when asked), the labels of one ESCO concept
ranked together with its preferred label first, ESCO/ROME labels naming the item exactly as extra query
forms. Each item keeps its ``per_item`` best ESCO concepts whose score reaches the engine's threshold::

    >>> rows = align_rome_esco(concepts)
    >>> next(r for r in rows if r.rome_id == "rome-ogr:100007")   # Techniques de soudage
    Alignment(rome_id='rome-ogr:100007', esco_id='esco:…', score=…, method='exact')

``method`` is ``exact`` when the two labels have the same content words (accents, gender, plurals and
articles aside), else ``ranked``; ``score`` is the engine's fused score, on a scale of its own for each
encoder (see :data:`MIN_SCORES`).

Why the engine and not the extractor's gazetteer (grepp's aligner up to v3, which paired a ROME label with
the ESCO labels spelled inside it): checked against VDAB's human mapping of 1,402 Competent labels (ROME-v3
compétences) to ESCO skills (``bench/bench_ai_align.py``), the gazetteer's best pair was among VDAB's for
62 % of the 12.6 % of labels it aligned (91 % of the 6.6 % it aligned with a full match); the engine with USE
reaches 59 % on the best 20 % (81 % on the best 10 %), with e5-small beside USE 63 % on 20 % and 84 % on 10 %.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from grepp.enrich.embed import Encoder, FusedEncoder
from grepp.enrich.expansion import LabelBook
from grepp.enrich.occupation_alignment import esco_forms
from grepp.enrich.ranking import RANKER_VERSION, TITLE_CONFIG
from grepp.enrich.retrieval import RetrievalConfig, Retriever
from grepp.enrich.skill_gazetteer import content_tokens
from grepp.models import Concept

ALIGNER_NAME = "skills.alignment.rank"
#: Follows the ranking engine's version (the gazetteer aligner, ``skills.alignment.gazetteer``, ended at v3).
ALIGNER_VERSION = f"1-rank{RANKER_VERSION}"
#: ESCO concepts kept per ROME item at most.
PER_ITEM = 3
#: The score a pair must reach, by engine: where the best pair of a VDAB Competent label was among the ESCO
#: skills VDAB mapped it to about 60 % of the time (a lower bound: VDAB names one or two where several fit),
#: as often as the gazetteer's partial matches were; measured on the dev set, 1,402 labels, our own ESCO
#: French labels as the corpus (lexical engine: 20 % of the labels reach 0.573, 54 % right; USE: 20 % reach
#: 1.347, 59 %; USE + e5: 20 % reach 3.851, 63 %).
MIN_SCORES = {"lexical": 0.6, "dense": 1.35, "fused": 3.85}


@dataclass(frozen=True)
class Alignment:
    """One ROME item ↔ ESCO skill pair with the engine's score and ``exact`` (same content words) or ``ranked``."""

    rome_id: str
    esco_id: str
    score: float
    method: str


def engine_kind(encoder: Encoder | None) -> str:
    """``lexical``, ``dense`` (one encoder) or ``fused`` (two): which :data:`MIN_SCORES` applies."""
    if encoder is None:
        return "lexical"
    return "fused" if isinstance(encoder, FusedEncoder) else "dense"


def _content(text: str) -> tuple[str, ...]:
    return tuple(token.key for token in content_tokens(text))


def align_rome_esco(
    concepts: Sequence[Concept],
    *,
    book: LabelBook | None = None,
    encoder: Encoder | None = None,
    per_item: int = PER_ITEM,
    min_score: float | None = None,
    config: RetrievalConfig | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> list[Alignment]:
    """The best ESCO skills (at most ``per_item``, score ≥ ``min_score``) of every ROME compétence and savoir.

    ``book`` (label expansion) defaults to one built from ``concepts``; ``min_score`` to the engine's
    :data:`MIN_SCORES`.
    """
    config = config or TITLE_CONFIG
    floor = MIN_SCORES[engine_kind(encoder)] if min_score is None else min_score
    rome = [c for c in concepts if c.taxonomy == "rome" and c.kind in ("competence", "savoir")]
    items, groups = esco_forms(concepts, ("skill", "knowledge"))
    if not rome or not items:
        return []
    book = book if book is not None else LabelBook.from_concepts(concepts)
    retriever = Retriever(items, groups=groups, encoder=encoder, config=config)
    # an ESCO concept scores as its best form (its forms are contiguous in ``retriever.ids``)
    first: dict[str, int] = {}
    for i, doc_id in enumerate(retriever.ids):
        first.setdefault(groups[doc_id], i)
    esco_ids = list(first)
    starts = np.array(list(first.values()), dtype=np.int64)
    esco_content: dict[str, set[tuple[str, ...]]] = {cid: set() for cid in esco_ids}
    for doc_id, text in items:
        esco_content[groups[doc_id]].add(_content(text))
    keep = min(per_item, len(esco_ids))
    out: list[Alignment] = []
    for start in range(0, len(rome), config.query_chunk):
        batch = rome[start : start + config.query_chunk]
        texts = [c.label for c in batch]
        scores = np.maximum.reduceat(retriever.element_scores(texts, [book.expand(t) for t in texts]), starts, axis=1)
        for concept, row in zip(batch, scores, strict=True):
            best = np.argpartition(-row, keep - 1)[:keep]
            best = best[np.lexsort((best, -row[best]))]
            mine = _content(concept.label)
            for j in best:
                if row[j] < floor:
                    break
                esco_id = esco_ids[int(j)]
                method = "exact" if mine and mine in esco_content[esco_id] else "ranked"
                out.append(Alignment(concept.id, esco_id, round(float(row[j]), 4), method))
        if on_progress is not None:
            on_progress(len(batch))
    return out
