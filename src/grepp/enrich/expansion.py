"""Taxonomy knowledge for retrieval: which concept a surface form names, and that concept's other labels.

A corpus element or a query whose normalised key equals a label key of a ROME or ESCO concept is
taken to name that concept (keys naming too many concepts are ambiguous and ignored); the concept's
other labels (every language, gender form, alternative label) then become extra forms of the element's
group or of the query, so "plafonneur" meets "plâtrier" through ESCO's own alternative labels::

    >>> book = LabelBook.from_concepts(concepts)
    >>> book.expand("Plafonneur (h/f/x)")[:3]
    ['plâtrier/plâtrière', 'plâtrier', 'plafonneur']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from grepp.enrich.lexical import gender_keys, label_key
from grepp.models import Concept

#: A key shared by more concepts than this says nothing precise.
MAX_CONCEPTS_PER_KEY = 2


@dataclass
class LabelBook:
    """Label key → concept ids, and concept id → its label texts."""

    by_key: dict[str, list[str]]
    texts: dict[str, list[str]]
    parents: dict[str, str]

    @classmethod
    def from_concepts(cls, concepts: Iterable[Concept], langs: Sequence[str] | None = None) -> LabelBook:
        """Index every label of the concepts (of the given languages, when set)."""
        by_key: dict[str, list[str]] = defaultdict(list)
        texts: dict[str, list[str]] = {}
        parents: dict[str, str] = {}
        for concept in concepts:
            own = [lb.text for lb in concept.labels if lb.text and (langs is None or lb.lang in langs)]
            if not own:
                continue
            texts[concept.id] = list(dict.fromkeys(own))
            if concept.parent_id:
                parents[concept.id] = concept.parent_id
            for text in texts[concept.id]:
                for key in gender_keys(text):
                    if concept.id not in by_key[key]:
                        by_key[key].append(concept.id)
        return cls(dict(by_key), texts, parents)

    def concepts_of(self, text: str) -> list[str]:
        """The concepts whose label key equals this text's key (empty when none or ambiguous)."""
        found: dict[str, None] = {}
        for key in {label_key(text), *gender_keys(text)}:
            ids = self.by_key.get(key, [])
            if 0 < len(ids) <= MAX_CONCEPTS_PER_KEY:
                found.update(dict.fromkeys(ids))
        return list(found)

    def expand(self, text: str) -> list[str]:
        """The labels of the concepts this text names (without the text itself)."""
        out: dict[str, None] = {}
        for cid in self.concepts_of(text):
            out.update(dict.fromkeys(self.texts[cid]))
        out.pop(text, None)
        return list(out)


def group_expansions(
    items: Sequence[tuple[str, str]], groups: Mapping[str, str], book: LabelBook
) -> dict[str, list[str]]:
    """For each group of corpus elements, the labels of the concepts its members name."""
    out: dict[str, dict[str, None]] = defaultdict(dict)
    for doc_id, text in items:
        group = groups.get(doc_id, f"\x00{doc_id}")
        out[group].update(dict.fromkeys(book.expand(text)))
    return {group: list(texts) for group, texts in out.items() if texts}
