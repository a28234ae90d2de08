"""The ESCO skills around a ROME compétence or savoir: those its métiers' ESCO occupations ask for.

A ROME item's words alone often leave its field open: "Techniques de cubage" (measuring timber volumes) reads
like *techniques de soudage* or *techniques de sablage*; the fiches that list it say which trade it belongs to
(sawmill workers, H2205 and H2211). The ESCO occupations named exactly like one of those métiers' appellations
(*classeur de bois*, *opérateur de scie à ruban*, *scieur bois*…) ask for ESCO skills and knowledge: those are
the item's *neighbourhood*, weighted by the share of the occupations asking for each (square root: a skill
every one of them asks for weighs 1, one asked by a quarter 0.5). The ranking engine lifts a skill label's
neighbours a little (:data:`grepp.enrich.ranking.NEIGHBOURHOOD_WEIGHT`), so among look-alike skills the one of
the right trade comes first. Exact names only: no model decides which ESCO occupation a métier is, so the
neighbourhood is the same whatever the encoder, and is known before any alignment has run::

    >>> hood = SkillNeighbourhood(
    ...     item_metiers={"rome-ogr:1": ("rome:N3101",)},
    ...     metier_occupations={"rome:N3101": ("esco:o1", "esco:o2")},
    ...     occupation_skills={"esco:o1": ("esco:s1", "esco:s2"), "esco:o2": ("esco:s1",)},
    ... )
    >>> hood.weights(["rome-ogr:1"])
    {'esco:s1': 1.0, 'esco:s2': 0.7071067811865476}
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from grepp.enrich.expansion import LabelBook
from grepp.enrich.retrieval import RetrievalConfig, Retriever
from grepp.models import Concept

#: Kinds of ROME items that fiches list, and of the ESCO concepts occupations ask for.
ROME_ITEM_KINDS = frozenset({"competence", "savoir"})
ESCO_SKILL_KINDS = frozenset({"skill", "knowledge"})
#: A label naming no ROME item exactly stands for the item whose French label is nearest in character n-grams
#: (cosine, gender/accent-folded keys) when at least this near: ROME v4 rephrased many v3 items.
NEAR_SIMILARITY = 0.6
#: Character n-grams only, for :meth:`SkillNeighbourhood.items_for`.
_NEAR_CONFIG = RetrievalConfig(char_weight=1.0, word_weight=0.0, dense_weight=0.0)


@dataclass(frozen=True)
class SkillNeighbourhood:
    """ROME item → its métiers → their ESCO occupations (exact names) → the ESCO skills these ask for."""

    item_metiers: Mapping[str, tuple[str, ...]]
    metier_occupations: Mapping[str, tuple[str, ...]]
    occupation_skills: Mapping[str, tuple[str, ...]]

    @classmethod
    def build(
        cls,
        concepts: Iterable[Concept],
        book: LabelBook,
        rome_links: Iterable[tuple[str, str, str]],
        esco_links: Iterable[tuple[str, str, str]],
    ) -> SkillNeighbourhood:
        """From the taxonomies: ``occupation_skill_links(con, "rome")`` and ``(con, "esco")`` rows, and the
        appellations' labels read through the label book (an appellation and an ESCO occupation sharing a
        gender/accent-folded label key name the same job)."""
        item_metiers: dict[str, list[str]] = defaultdict(list)
        for metier_id, item_id, _relation in rome_links:
            if metier_id not in item_metiers[item_id]:
                item_metiers[item_id].append(metier_id)
        metier_occupations: dict[str, dict[str, None]] = defaultdict(dict)
        for concept in concepts:
            if concept.taxonomy != "rome" or concept.kind not in {"appellation", "metier"}:
                continue
            metier = concept.parent_id if concept.kind == "appellation" else concept.id
            if not metier:
                continue
            for text in concept.texts("fr"):
                for cid in book.concepts_of(text):
                    if book.kinds.get(cid) == "occupation":
                        metier_occupations[metier][cid] = None
        occupation_skills: dict[str, list[str]] = defaultdict(list)
        for occupation_id, skill_id, _relation in esco_links:
            occupation_skills[occupation_id].append(skill_id)
        return cls(
            item_metiers={k: tuple(v) for k, v in item_metiers.items()},
            metier_occupations={k: tuple(v) for k, v in metier_occupations.items() if v},
            occupation_skills={k: tuple(dict.fromkeys(v)) for k, v in occupation_skills.items()},
        )

    def occupations(self, item_ids: Iterable[str]) -> list[str]:
        """The ESCO occupations named like the appellations of the métiers listing these items."""
        found: dict[str, None] = {}
        for item in item_ids:
            for metier in self.item_metiers.get(item, ()):
                found.update(dict.fromkeys(self.metier_occupations.get(metier, ())))
        return list(found)

    def weights(self, item_ids: Iterable[str]) -> dict[str, float]:
        """ESCO skill id → √(share of the items' ESCO occupations asking for it); empty when none is known."""
        occupations = self.occupations(item_ids)
        if not occupations:
            return {}
        counts = Counter(skill for occ in occupations for skill in self.occupation_skills.get(occ, ()))
        return {skill: math.sqrt(n / len(occupations)) for skill, n in counts.items()}

    def items_named(self, text: str, book: LabelBook) -> list[str]:
        """The ROME compétences and savoirs this text names exactly (that some fiche lists)."""
        return [
            cid for cid in book.concepts_of(text) if book.kinds.get(cid) in ROME_ITEM_KINDS and cid in self.item_metiers
        ]

    def items_for(
        self, texts: Sequence[str], book: LabelBook, min_similarity: float = NEAR_SIMILARITY
    ) -> list[list[str]]:
        """For each text, the ROME items it names exactly, else the nearest item's when near enough, else none."""
        out = [self.items_named(text, book) for text in texts]
        todo = [i for i, items in enumerate(out) if not items]
        if not todo or min_similarity > 1:
            return out
        forms = [(cid, text) for cid in self.item_metiers for text in book.texts.get(cid, ())]
        if not forms:
            return out
        retriever = Retriever([(str(n), text) for n, (_, text) in enumerate(forms)], config=_NEAR_CONFIG)
        for i, ranking in zip(todo, retriever.rank([texts[i] for i in todo], top=1), strict=True):
            if ranking and ranking[0][1] >= min_similarity:
                out[i] = [forms[int(ranking[0][0])][0]]
        return out

    def __len__(self) -> int:
        return len(self.item_metiers)
