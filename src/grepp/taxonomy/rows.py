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

    def _add(self, table: str, values: dict[str, Any]) -> None:
        """One row of ``table`` from column values; missing columns and empty strings are NULL."""
        columns = TABLES[table]
        unknown = set(values) - {name for name, _ in columns}
        if unknown:
            raise ValueError(f"{table} has no column(s) {sorted(unknown)}")
        self.tables[table].append(tuple(None if values.get(name) == "" else values.get(name) for name, _ in columns))

    def occupation(self, concept_id: str, kind: str, code: str, label: str, **columns: str | None) -> None:
        """A métier, appellation or occupation; ``columns``: parent_id, description, isco_code, … (TABLES)."""
        self._add(
            "taxonomy_occupations", {"concept_id": concept_id, "kind": kind, "code": code, "label": label, **columns}
        )

    def skill(self, concept_id: str, kind: str, code: str, label: str, **columns: str | None) -> None:
        """A compétence, savoir, skill or knowledge; ``columns``: parent_id, category, skill_type, … (TABLES)."""
        self._add("taxonomy_skills", {"concept_id": concept_id, "kind": kind, "code": code, "label": label, **columns})

    def group(self, concept_id: str, kind: str, code: str, label: str, **columns: str | None) -> None:
        """A domaine, sector, theme, ISCO group, skill group …; ``columns``: parent_id, description, source."""
        self._add("taxonomy_groups", {"concept_id": concept_id, "kind": kind, "code": code, "label": label, **columns})

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

    def occupation_skill(self, occupation_id: str, skill_id: str, relation: str, **columns: str | None) -> None:
        """A link; ``columns``: skill_type, bloc_code, bloc_label, rubrique_code, rubrique_label, coeur_metier."""
        values = {"occupation_id": occupation_id, "skill_id": skill_id, "relation": relation, **columns}
        self._add("taxonomy_occupation_skills", values)

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
