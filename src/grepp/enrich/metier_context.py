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
