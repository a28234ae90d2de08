"""The rows of one taxonomy release, built in memory by a parser and written by the store in one go.

Parsers (``rome.py``, ``esco.py``) call one method per kind of row; each method fixes the column order
of :data:`grepp.store.taxonomy.TABLES`, so parsers never build tuples by hand::

    rows = ReleaseRows("rome", "v460")
    rows.occupation("rome:M1805", "metier", "M1805", "Études et développement informatique")
    rows.label("rome:M1805", "fr", "Études et développement informatique", "preferred", "rome-v460")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grepp.enrich.text import title_key
from grepp.store.taxonomy import TABLES


def _empty_tables() -> dict[str, list[tuple[Any, ...]]]:
    return {name: [] for name in TABLES}


@dataclass
class ReleaseRows:
    """Every row of one (taxonomy, version) release, table by table, plus the input files it read."""

    taxonomy: str
    version: str
    tables: dict[str, list[tuple[Any, ...]]] = field(default_factory=_empty_tables)
    files: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    _keys: dict[str, str] = field(default_factory=dict)
    _labels_seen: set[tuple[str, str, str, str]] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.tables.items()}

    def occupation(
        self,
        concept_id: str,
        kind: str,
        code: str,
        label: str,
        *,
        parent_id: str | None = None,
        description: str | None = None,
        isco_code: str | None = None,
        domain_code: str | None = None,
        ogr_code: str | None = None,
        riasec_major: str | None = None,
        riasec_minor: str | None = None,
        source: str | None = None,
    ) -> None:
        self.tables["taxonomy_occupations"].append(
            (
                concept_id,
                kind,
                code,
                label,
                parent_id,
                description or None,
                isco_code or None,
                domain_code or None,
                ogr_code or None,
                riasec_major or None,
                riasec_minor or None,
                source,
            )
        )

    def skill(
        self,
        concept_id: str,
        kind: str,
        code: str,
        label: str,
        *,
        parent_id: str | None = None,
        description: str | None = None,
        category: str | None = None,
        subcategory: str | None = None,
        skill_type: str | None = None,
        reuse_level: str | None = None,
        riasec_major: str | None = None,
        riasec_minor: str | None = None,
        source: str | None = None,
    ) -> None:
        self.tables["taxonomy_skills"].append(
            (
                concept_id,
                kind,
                code,
                label,
                parent_id,
                description or None,
                category or None,
                subcategory or None,
                skill_type or None,
                reuse_level or None,
                riasec_major or None,
                riasec_minor or None,
                source,
            )
        )

    def group(
        self,
        concept_id: str,
        kind: str,
        code: str,
        label: str,
        *,
        parent_id: str | None = None,
        description: str | None = None,
        source: str | None = None,
    ) -> None:
        self.tables["taxonomy_groups"].append((concept_id, kind, code, label, parent_id, description or None, source))

    def label(self, concept_id: str, lang: str, text: str, kind: str, label_version: str) -> None:
        """One surface form; blank texts and exact repeats (same concept, lang, kind, text) are skipped."""
        text = " ".join(text.split())
        if not text:
            return
        seen = (concept_id, lang, kind, text)
        if seen in self._labels_seen:
            return
        self._labels_seen.add(seen)
        key = self._keys.get(text)
        if key is None:
            key = self._keys[text] = title_key(text)
        self.tables["taxonomy_labels"].append((concept_id, lang, text, kind, label_version, key))

    def broader(self, concept_id: str, broader_id: str, source: str) -> None:
        self.tables["taxonomy_broader"].append((concept_id, broader_id, source))

    def occupation_skill(
        self,
        occupation_id: str,
        skill_id: str,
        relation: str,
        *,
        skill_type: str | None = None,
        bloc_code: str | None = None,
        bloc_label: str | None = None,
        rubrique_code: str | None = None,
        rubrique_label: str | None = None,
        coeur_metier: str | None = None,
    ) -> None:
        self.tables["taxonomy_occupation_skills"].append(
            (
                occupation_id,
                skill_id,
                relation,
                skill_type or None,
                bloc_code or None,
                bloc_label or None,
                rubrique_code or None,
                rubrique_label or None,
                coeur_metier or None,
            )
        )

    def skill_relation(self, skill_id: str, related_id: str, relation: str, skill_type: str, related_type: str) -> None:
        self.tables["taxonomy_skill_relations"].append(
            (skill_id, related_id, relation, skill_type or None, related_type or None)
        )

    def flag(self, concept_id: str, flag: str, detail: str | None = None) -> None:
        self.tables["taxonomy_flags"].append((concept_id, flag, detail or None))

    def membership(
        self, concept_id: str, group_id: str, relation: str, *, principal: bool | None = None, rank: int | None = None
    ) -> None:
        self.tables["taxonomy_memberships"].append((concept_id, group_id, relation, principal, rank))

    def mobility(self, source_id: str, target_id: str, rank: int | None) -> None:
        self.tables["taxonomy_mobilities"].append((source_id, target_id, rank))

    def text(self, concept_id: str, bloc_code: str, text_type: str, position: int | None, text: str) -> None:
        self.tables["taxonomy_texts"].append((concept_id, bloc_code, text_type, position, text))
