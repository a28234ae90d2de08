"""The ROME métier a job title belongs to, as context for ranking: its other appellations.

ROME groups 13,000 appellations into métiers: "Plafonneur / Plafonneuse" sits with "Plâtrier /
Plâtrière" and "Plaquiste"; "Conducteur de chariot élévateur" with "Cariste". A title that matches
an appellation, even loosely, thereby brings the names of its trade, which a taxonomy such as ESCO may
use for the same occupation. :meth:`MetierContext.context` returns, per title, the texts of the
best-matching métiers' appellations (and the métier's name) weighted by how well the title matched
the métier — the ``context`` argument of :meth:`grepp.enrich.retrieval.Retriever.rank`::

    >>> ctx = MetierContext.from_concepts(concepts)  # the ROME appellations and métiers
    >>> "Cariste" in [text for text, _ in ctx.context(["Conducteur de chariots élévateurs"])[0]]
    True

Pure: concepts in, weighted texts out; the encoder (and its cache) is injected.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grepp.enrich.embed import Encoder
from grepp.enrich.retrieval import RetrievalConfig, Retriever
from grepp.models import Concept

#: How many métiers (best first) lend their appellations to a title.
TOP_METIERS = 2
#: Appellations read per title to find its métiers.
TOP_APPELLATIONS = 30


@dataclass
class MetierContext:
    """An index of ROME appellations with their métier, and each métier's texts."""

    retriever: Retriever
    metier_of: list[str]
    texts: dict[str, list[str]]

    @classmethod
    def from_concepts(
        cls, concepts: Iterable[Concept], *, encoder: Encoder | None = None, config: RetrievalConfig | None = None
    ) -> MetierContext | None:
        """Index the French appellation labels (``None`` when the concepts hold no ROME appellation)."""
        items: list[tuple[str, str]] = []
        metier_of: dict[str, str] = {}
        texts: dict[str, list[str]] = defaultdict(list)
        names: dict[str, str] = {}
        for concept in concepts:
            if concept.kind == "appellation" and concept.parent_id:
                code = concept.parent_id.removeprefix("rome:")
                items.append((concept.id, concept.label))
                metier_of[concept.id] = code
                texts[code].append(concept.label)
            elif concept.kind == "metier" and concept.taxonomy == "rome":
                names[concept.code] = concept.label
        if not items:
            return None
        for code, name in names.items():
            if code in texts and name not in texts[code]:
                texts[code].append(name)
        retriever = Retriever(items, encoder=encoder, config=config)
        return cls(retriever, [metier_of[doc_id] for doc_id in retriever.ids], dict(texts))

    def metiers_of(self, titles: Sequence[str], top: int = TOP_METIERS) -> list[list[tuple[str, float]]]:
        """Per title, its ``top`` best métiers ``(code, weight)``: the best appellation match in each (≥ 0)."""
        out: list[list[tuple[str, float]]] = []
        chunk = self.retriever.config.query_chunk  # bounded (titles × forms) matrices, as Retriever.rank
        keep = min(TOP_APPELLATIONS, len(self.metier_of))
        for start in range(0, len(titles), chunk):
            for row in self.retriever.element_scores(titles[start : start + chunk]):
                best: dict[str, float] = {}
                for i in np.argpartition(-row, keep - 1)[:keep]:
                    code = self.metier_of[int(i)]
                    best[code] = max(best.get(code, float("-inf")), float(row[i]))
                chosen = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:top]
                out.append([(code, max(0.0, weight)) for code, weight in chosen])
        return out

    def context(self, titles: Sequence[str], top: int = TOP_METIERS) -> list[list[tuple[str, float]]]:
        """Per title, ``(text, weight)`` of its best métiers' appellations; weight = the métier's match."""
        return [
            [(text, weight) for code, weight in chosen for text in self.texts[code]]
            for chosen in self.metiers_of(titles, top)
        ]


class MetierRows:
    """Each métier's context row over a corpus's forms (the best score of its texts), computed once per métier.

    A title's context is its best métiers' texts weighted by the métier's match (:meth:`MetierContext.context`),
    and every title of a métier brings the same texts: scoring them once per métier rather than once per title
    gives the same scores (the weights are ≥ 0, so the best weighted text is the weight × the best text) and
    makes a run over thousands of titles several times faster (``grepp eval rank`` with 13,120 ROME
    appellations against a MELO corpus: 7 min before). The rows cost one float per corpus form and métier.
    """

    def __init__(self, retriever: Retriever, metiers: MetierContext) -> None:
        self.retriever = retriever
        self.texts = metiers.texts
        self.rows: dict[str, np.ndarray[Any, Any]] = {}

    def prepare(self, codes: Iterable[str]) -> None:
        """Score the texts of these métiers, many métiers per batch (one batch costs one corpus pass)."""
        todo = [code for code in dict.fromkeys(codes) if code not in self.rows]
        batch: list[str] = []
        for i, code in enumerate(todo):
            batch.append(code)
            size = sum(len(self.texts[c]) for c in batch)
            if size >= self.retriever.config.query_chunk or i == len(todo) - 1:
                texts = [text for c in batch for text in self.texts[c]]
                starts = np.cumsum([0] + [len(self.texts[c]) for c in batch[:-1]])
                best = np.maximum.reduceat(self.retriever.form_scores(texts), starts, axis=0)
                self.rows.update(zip(batch, best, strict=True))
                batch = []

    def row(self, code: str) -> np.ndarray[Any, Any]:
        """The métier's row: per corpus form, the best score of the métier's texts."""
        if code not in self.rows:
            self.prepare([code])
        return self.rows[code]

    def forms(self, chosen: Sequence[Sequence[tuple[str, float]]]) -> np.ndarray[Any, Any]:
        """(titles, forms): per title the best weighted row of its métiers (:meth:`MetierContext.metiers_of`)."""
        out = np.zeros((len(chosen), len(self.retriever.form_texts)), dtype=np.float32)
        for i, metier_weights in enumerate(chosen):
            if metier_weights:
                out[i] = np.max([weight * self.row(code) for code, weight in metier_weights], axis=0)
        return out
