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
from dataclasses import dataclass, field

from grepp.enrich.lexical import gender_keys, label_key
from grepp.models import Concept

#: Kinds of occupation concepts (the others are skills and knowledge).
OCCUPATION_KINDS = frozenset({"metier", "appellation", "occupation"})
#: A key shared by more concepts than this says nothing precise.
MAX_CONCEPTS_PER_KEY = 2


@dataclass
class LabelBook:
    """Label key → concept ids, and concept id → its label texts."""

    by_key: dict[str, list[str]]
    texts: dict[str, list[str]]
    parents: dict[str, str]
    #: concept id → kind (``appellation``, ``occupation``, ``skill``…)
    kinds: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_concepts(cls, concepts: Iterable[Concept], langs: Sequence[str] | None = None) -> LabelBook:
        """Index every label of the concepts (of the given languages, when set)."""
        by_key: dict[str, list[str]] = defaultdict(list)
        texts: dict[str, list[str]] = {}
        parents: dict[str, str] = {}
        kinds: dict[str, str] = {}
        for concept in concepts:
            own = [lb.text for lb in concept.labels if lb.text and (langs is None or lb.lang in langs)]
            if not own:
                continue
            texts[concept.id] = list(dict.fromkeys(own))
            kinds[concept.id] = concept.kind
            if concept.parent_id:
                parents[concept.id] = concept.parent_id
            for text in texts[concept.id]:
                for key in gender_keys(text):
                    if concept.id not in by_key[key]:
                        by_key[key].append(concept.id)
        return cls(dict(by_key), texts, parents, kinds)

    def concepts_of(self, text: str) -> list[str]:
        """The concepts whose label key equals this text's key (empty when none or ambiguous)."""
        found: dict[str, None] = {}
        for key in {label_key(text), *gender_keys(text)}:
            ids = self.by_key.get(key, [])
            if 0 < len(ids) <= MAX_CONCEPTS_PER_KEY:
                found.update(dict.fromkeys(ids))
        return list(found)

    def names_occupations(self, texts: Sequence[str], sample: int = 2_000) -> bool:
        """True when more of the texts (an even sample of them) name occupations than skills."""
        step = max(1, len(texts) // sample)
        occupations = skills = 0
        for text in texts[::step]:
            kinds = {self.kinds.get(cid, "") for cid in self.concepts_of(text)}
            occupations += bool(kinds & OCCUPATION_KINDS)
            skills += bool(kinds - OCCUPATION_KINDS - {""})
        return occupations > skills

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
