"""The current taxonomy releases as :class:`grepp.models.Concept` records, for the coders and pathways.

Reads only the *current* release of each taxonomy. A concept's ``label`` is French when there is one
(ROME, or ESCO's French preferred label: v1.2 API first, then v1.0), else English; ``labels`` holds
every label of every language, kind and version; ``parent_id`` is the appellation's métier
(``rome:F1402``), the fiche's parent fiche or domaine, the ESCO occupation's ISCO group or broader
occupation, the skill's first broader concept::

    concepts = load_concepts(con, taxonomy="rome", kinds=["appellation"])
    links = occupation_skill_links(con, "esco")        # [(occupation_id, skill_id, "essential"), …]
    rome_code_of_appellation(con)["10200"]             # 'F1402'
    broader_links(con, "esco")                         # [(skill_id, broader skill or skill group id), …]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import duckdb

from grepp.errors import TaxonomyError
from grepp.models import Concept, Label
from grepp.store import taxonomy as store
from grepp.taxonomy.releases import require_loaded

#: Concept kinds of occupations and skills, by taxonomy.
KINDS: dict[str, tuple[str, ...]] = {
    "rome": ("metier", "appellation", "competence", "savoir"),
    "esco": ("occupation", "skill", "knowledge"),
}
OCCUPATION_KINDS = frozenset({"metier", "appellation", "occupation"})
SKILL_KINDS = frozenset({"competence", "savoir", "skill", "knowledge"})


def check_filters(taxonomy: str | None, kinds: Iterable[str] | None) -> list[str] | None:
    """The kinds asked for, deduplicated; TaxonomyError on an unknown taxonomy or kind."""
    if taxonomy is not None and taxonomy not in KINDS:
        raise TaxonomyError(f"unknown taxonomy {taxonomy!r}", hint="use 'rome' or 'esco'")
    if kinds is None:
        return None
    chosen = list(dict.fromkeys(kinds))
    unknown = [k for k in chosen if k not in store.CONCEPT_KINDS]
    if unknown:
        raise TaxonomyError(
            f"unknown concept kind(s): {', '.join(unknown)}", hint=f"use {', '.join(store.CONCEPT_KINDS)}"
        )
    return chosen


def load_concepts(
    con: duckdb.DuckDBPyConnection, *, taxonomy: str | None = None, kinds: Iterable[str] | None = None
) -> list[Concept]:
    """Every current occupation and skill (optionally of one taxonomy / some kinds) with labels and flags."""
    chosen = check_filters(taxonomy, kinds)
    require_loaded(con, taxonomy)
    labels: dict[str, list[Label]] = defaultdict(list)
    for cid, text, lang, kind, version in store.select_concept_labels(con, taxonomy, chosen):
        labels[cid].append(Label(text, lang, kind, version))
    flags: dict[str, set[str]] = defaultdict(set)
    for cid, flag in store.select_flags(con, taxonomy):
        flags[cid].add(flag)
    return [
        Concept(
            id=cid,
            taxonomy=tax,
            kind=kind,
            code=code,
            label=label,
            labels=tuple(labels.get(cid, ())),
            parent_id=parent,
            flags=frozenset(flags.get(cid, ())),
        )
        for cid, tax, kind, code, label, parent in store.select_concepts(con, taxonomy, chosen)
    ]


def occupation_skill_links(con: duckdb.DuckDBPyConnection, taxonomy: str | None = None) -> list[tuple[str, str, str]]:
    """(occupation_id, skill_id, relation) of the current release(s).

    ESCO relations are ``essential`` / ``optional``; ROME ones ``core`` (cœur de métier "Principale"),
    ``emerging`` ("Émergente") or ``linked`` (the other compétences and savoirs of the fiche).
    """
    check_filters(taxonomy, None)
    require_loaded(con, taxonomy)
    return store.select_occupation_skills(con, taxonomy)


def isco_group_labels(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The labels of ESCO's ISCO groups ("Conducteurs de chariots élévateurs", "Assemblers"…), every language."""
    require_loaded(con, "esco")
    return store.select_group_labels(con, "isco_group")


def broader_links(con: duckdb.DuckDBPyConnection, taxonomy: str) -> list[tuple[str, str]]:
    """(concept_id, broader_id) of every broader link of the current release: ESCO's skill → broader skill
    or skill group, occupation → ISCO group or broader occupation; ROME's fiche → domaine → grand domaine."""
    check_filters(taxonomy, None)
    require_loaded(con, taxonomy)
    return store.select_broader(con, taxonomy)


def group_labels(con: duckdb.DuckDBPyConnection, taxonomy: str, kind: str) -> dict[str, str]:
    """Group concept id → its label (ESCO ``skill_group`` and ``isco_group`` labels are English)."""
    check_filters(taxonomy, None)
    require_loaded(con, taxonomy)
    return dict(store.select_groups(con, taxonomy, kind))


def rome_code_of_appellation(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Appellation OGR code → ROME code of its métier (``"10200"`` → ``"F1402"``), current ROME release."""
    require_loaded(con, "rome")
    return dict(store.select_appellation_rome_codes(con))
