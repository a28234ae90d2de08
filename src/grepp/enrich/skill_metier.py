"""The métier prior of skill extraction: which ROME métier an offer is about, and that métier's items.

France Travail recruiters pick an offer's ``competences`` from the ROME fiche of its métier, so the
fiche's compétences and savoirs (in the fiche's order) are the prior of :meth:`SkillExtractor.rank_rome`.
When no occupation coder gave the métier, :class:`TitleIndex` guesses it from the title::

    index = TitleIndex([("Soudeur / Soudeuse", "rome:H2913")])
    index.best("Soudeur TIG H/F", 1)  # ['rome:H2913']
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

import numpy as np

from grepp.enrich.skill_gazetteer import content_tokens
from grepp.models import Concept


def metier_links(links: Iterable[tuple[str, str, str]]) -> dict[str, list[str]]:
    """Group ``occupation_skill_links(con, "rome")`` rows by métier, keeping the fiche's order.

    >>> metier_links([("rome:N4101", "rome-ogr:110024", "linked")])
    {'rome:N4101': ['rome-ogr:110024']}
    """
    grouped: dict[str, list[str]] = {}
    for occupation_id, skill_id, _relation in links:
        grouped.setdefault(occupation_id, []).append(skill_id)
    return grouped


def metier_core(links: Iterable[tuple[str, str, str]]) -> dict[str, frozenset[str]]:
    """Each métier's *cœur de métier* items (relation ``core`` in ``occupation_skill_links(con, "rome")``).

    >>> metier_core([("rome:N4101", "rome-ogr:1", "core"), ("rome:N4101", "rome-ogr:2", "linked")])
    {'rome:N4101': frozenset({'rome-ogr:1'})}
    """
    core: dict[str, set[str]] = {}
    for occupation_id, skill_id, relation in links:
        if relation == "core":
            core.setdefault(occupation_id, set()).add(skill_id)
    return {metier: frozenset(items) for metier, items in core.items()}


def fiche_prior(
    fiches: Sequence[Sequence[str]],
    skills: Mapping[str, Concept],
    *,
    weights: tuple[float, float, float],
    decay: float,
    core: Sequence[Collection[str]] = (),
    core_weight: float = 1.0,
) -> dict[str, float]:
    """Prior score of every ROME item of the given fiches (best métier first).

    ``weights`` are those of savoir-faire, savoirs and savoir-être; the n-th item of a rubrique scores
    ``weight / (1 + n) ** decay`` and the k-th fiche counts ``1 / (1 + k)``; the items of ``core[k]`` (the
    k-th fiche's *cœur de métier*) count ``core_weight`` times more. Measured on the tuning half: recruiters
    pick the first savoir-faire of the fiche far more than its savoirs, almost never savoir-être, and a core
    savoir-faire two to three times as often as another at the same place in the fiche.
    """
    savoir_faire, savoir, savoir_etre = weights
    scores: dict[str, float] = {}
    for rank, items in enumerate(fiches):
        fiche_weight = 1.0 / (1 + rank)
        mine = core[rank] if rank < len(core) else ()
        seen: dict[str, int] = {}
        for cid in items:
            concept = skills.get(cid)
            if concept is None or concept.taxonomy != "rome":
                continue
            etre = "savoir_etre" in concept.flags
            base = savoir_etre if etre else savoir if concept.kind == "savoir" else savoir_faire
            group = concept.kind + ("-etre" if etre else "")
            position = seen.get(group, 0)
            seen[group] = position + 1
            score = fiche_weight * base / (1 + position) ** decay
            if cid in mine:
                score *= core_weight
            scores[cid] = max(scores.get(cid, 0.0), score)
    return scores


class TitleIndex:
    """Appellation labels by content word, scored by IDF-weighted overlap with a title."""

    def __init__(self, labels: Sequence[tuple[str, str]]) -> None:
        self._keys: list[tuple[frozenset[str], str]] = []
        postings: dict[str, list[int]] = {}
        for text, rome in labels:
            keys = frozenset(t.key for t in content_tokens(text))
            if keys:
                for key in keys:
                    postings.setdefault(key, []).append(len(self._keys))
                self._keys.append((keys, rome))
        n = max(len(self._keys), 1)
        self._idf = {k: float(np.log(n / len(v))) for k, v in postings.items()}
        self._postings = postings

    def best(self, title: str, limit: int) -> list[str]:
        keys = {t.key for t in content_tokens(title)} & self._idf.keys()
        if not keys:
            return []
        title_weight = sum(self._idf[k] for k in keys)
        scores: dict[str, float] = {}
        for key in keys:
            for i in self._postings[key]:
                label_keys, rome = self._keys[i]
                shared = sum(self._idf[k] for k in label_keys & keys)
                label_weight = sum(self._idf.get(k, 0.0) for k in label_keys)
                score = shared / title_weight + shared / label_weight  # both sides covered is best
                if score > scores.get(rome, 0.0):
                    scores[rome] = score
        return [r for r, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]
