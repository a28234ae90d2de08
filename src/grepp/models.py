"""The domain records shared across grepp (frozen, typed).

Ids say where a concept comes from: ``rome:M1805`` (a ROME métier), ``rome-ogr:12345`` (a ROME
appellation, compétence or savoir, by its OGR code), ``esco:http://data.europa.eu/esco/...`` (an ESCO
concept). Source-specific records (offers, trainings, statistics) live beside their loaders and are
added here once two packages share them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Label:
    """One surface form of a concept.

    ``kind`` is ``preferred``, ``alternative``, ``hidden``, ``long``, ``short``, ``masculine`` or
    ``feminine``; ``version`` says which release gave it (``esco-v1.2-api``, ``rome-v460`` …).
    """

    text: str
    lang: str
    kind: str = "preferred"
    version: str = ""


@dataclass(frozen=True)
class Concept:
    """An occupation or a skill, whatever the taxonomy, in one shape.

    ``kind`` is one of ``metier``, ``appellation`` (ROME), ``occupation`` (ESCO) for occupations and
    ``competence``, ``savoir`` (ROME), ``skill``, ``knowledge`` (ESCO) for skills. ``flags`` carry the
    taxonomies' markers: ``green``, ``digital``, ``transversal``, ``language``, ``research`` (ESCO
    collections), ``transition_eco``, ``transition_num``, ``transition_demo`` (ROME), ``savoir_etre``.
    """

    id: str
    taxonomy: str
    kind: str
    code: str
    label: str
    labels: tuple[Label, ...] = ()
    parent_id: str | None = None
    flags: frozenset[str] = field(default_factory=frozenset)

    def texts(self, lang: str | None = None) -> list[str]:
        """Every distinct label text, optionally in one language only."""
        seen: dict[str, None] = {}
        for label in (Label(self.label, ""), *self.labels):
            if label.text and (lang is None or label.lang in ("", lang)):
                seen.setdefault(label.text, None)
        return list(seen)


@dataclass(frozen=True)
class CommunePlace:
    """Where a commune (INSEE COG 2024) sits: département, région, zone d'emploi 2020, bassin BMO.

    Old codes (merged communes), communes déléguées/associées and the arrondissements of Paris, Lyon
    and Marseille all resolve to the current commune's place, so ``places["75115"].commune_insee`` is
    ``"75056"``. Built by ``grepp.store.geo.load_commune_places``.
    """

    commune_insee: str
    name: str
    departement: str
    region: str
    zone_emploi: str | None = None
    zone_emploi_name: str | None = None
    bassin_bmo: str | None = None
    bassin_name: str | None = None
