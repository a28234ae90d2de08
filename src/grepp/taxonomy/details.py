"""One concept of the current releases, with what surrounds it, for ``grepp taxonomy show``.

Accepts what a user types: a ROME code (``M1805``), an OGR code (``10200``: appellation, compétence,
savoir, contexte), an ESCO URI, or a grepp id (``rome:M1805``, ``rome-ogr:10200``, ``esco:<uri>``)::

    card = describe(con, "H2913")
    [s.title for s in card.sections]  # ['Appellations', 'Savoir-faire', …, 'Mobilités']
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import duckdb

from grepp.errors import NotFoundError
from grepp.models import Label
from grepp.store import concept_details as store
from grepp.taxonomy.releases import require_loaded

_RELATION_TITLES = {
    "contexte_travail": "Contextes de travail",
    "secteur_naf": "Secteurs NAF",
    "secteur_activite": "Secteurs d'activité",
    "theme": "Thèmes",
    "centre_interet": "Centres d'intérêt",
}
_ESCO_RELATION = {"essential": "Essential skills", "optional": "Optional skills"}


@dataclass(frozen=True)
class Item:
    """A related concept (or a text) in a card."""

    id: str
    label: str
    note: str | None = None


@dataclass(frozen=True)
class Section:
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class ConceptCard:
    """A concept with its labels, flags, parent and related concepts by section."""

    id: str
    taxonomy: str
    version: str
    kind: str
    code: str
    label: str
    description: str | None
    parent: Item | None
    flags: tuple[tuple[str, str | None], ...]
    labels: tuple[Label, ...]
    sections: tuple[Section, ...]


def resolve_id(code: str) -> str:
    """The grepp id of what a user typed (see the module docstring); NotFoundError if unrecognisable."""
    code = code.strip()
    if re.match(r"^(rome|rome-[a-z]+|esco):", code):
        return code
    if code.startswith(("http://", "https://")):
        return f"esco:{code}"
    if re.fullmatch(r"[A-Za-z]\d{4}", code):
        return f"rome:{code.upper()}"
    if code.isdigit():
        return f"rome-ogr:{code}"
    raise NotFoundError(
        f"{code!r} is not a ROME code, OGR code or ESCO URI",
        hint="give e.g. M1805, 10200 or http://data.europa.eu/esco/occupation/…; or use `grepp taxonomy search`",
    )


def describe(con: duckdb.DuckDBPyConnection, code: str) -> ConceptCard:
    """The card of one concept of the current releases."""
    require_loaded(con)
    cid = resolve_id(code)
    row = store.find_concept(con, cid)
    if row is None:
        raise NotFoundError(
            f"no concept {code!r} ({cid}) in the current taxonomy releases",
            hint="check the code, or find it with `grepp taxonomy search TEXT`",
        )
    table, cid, taxonomy, version, kind, code_, label, parent_id, description = row
    parent = None
    if parent_id:
        prow = store.find_concept(con, str(parent_id))
        parent = Item(str(parent_id), str(prow[6]) if prow else str(parent_id), str(prow[4]) if prow else None)
    labels = tuple(Label(t, lang, k, v) for lang, k, t, v in store.concept_labels(con, cid))
    sections: list[Section] = []
    if table == "taxonomy_occupations":
        sections += _occupation_sections(con, cid, kind)
    elif table == "taxonomy_skills":
        sections += _skill_sections(con, cid, taxonomy)
    sections += _alignment_sections(con, cid, table)
    narrower = [
        Item(c, lb, k) for c, k, lb in store.children(con, cid) if not (kind == "metier" and k == "appellation")
    ]
    if narrower:
        sections.append(Section("Narrower concepts" if taxonomy == "esco" else "Rattachés", tuple(narrower)))
    return ConceptCard(
        id=cid,
        taxonomy=taxonomy,
        version=version,
        kind=kind,
        code=code_,
        label=label,
        description=description,
        parent=parent,
        flags=tuple(store.concept_flags(con, cid)),
        labels=labels,
        sections=tuple(s for s in sections if s.items),
    )


def _occupation_sections(con: duckdb.DuckDBPyConnection, cid: str, kind: str) -> list[Section]:
    sections: list[Section] = []
    if kind == "metier":
        apps = [Item(c, lb) for c, k, lb in store.children(con, cid) if k == "appellation"]
        sections.append(Section("Appellations", tuple(apps)))
        access = [Item(cid, text) for t, text in store.texts_of(con, cid) if t != "definition"]
        sections.append(Section("Accès au métier", tuple(access)))
    by_rubrique: dict[str, list[Item]] = defaultdict(list)
    for sid, label, relation, _stype, rubrique, coeur in store.skills_of_occupation(con, cid):
        title = rubrique or _ESCO_RELATION.get(relation, relation)
        by_rubrique[title].append(Item(sid, label, f"cœur de métier: {coeur}" if coeur else None))
    sections += [Section(title, tuple(items)) for title, items in by_rubrique.items()]
    groups: dict[str, list[Item]] = defaultdict(list)
    for gid, label, relation, principal in store.memberships_of(con, cid):
        groups[_RELATION_TITLES.get(relation, relation)].append(Item(gid, label, "principal" if principal else None))
    sections += [Section(title, tuple(items)) for title, items in groups.items()]
    mobilities = [Item(t, lb, f"rang {r}" if r is not None else None) for t, lb, r in store.mobilities_of(con, cid)]
    sections.append(Section("Mobilités", tuple(mobilities)))
    return sections


def _skill_sections(con: duckdb.DuckDBPyConnection, cid: str, taxonomy: str) -> list[Section]:
    by_relation: dict[str, list[Item]] = defaultdict(list)
    for oid, label, relation in store.occupations_of_skill(con, cid):
        title = f"Occupations ({relation})" if taxonomy == "esco" else "Métiers"
        by_relation[title].append(Item(oid, label, relation if taxonomy == "rome" and relation != "linked" else None))
    sections = [Section(title, tuple(items)) for title, items in by_relation.items()]
    related = [Item(s, lb, rel) for s, lb, rel in store.related_skills(con, cid)]
    sections.append(Section("Related skills", tuple(related)))
    return sections


def _alignment_sections(con: duckdb.DuckDBPyConnection, cid: str, table: str) -> list[Section]:
    """The other taxonomy's concepts grepp aligned this one with (see ``grepp taxonomy align``)."""
    from grepp.store.alignments import aligned_occupations, metier_occupations, select_alignments

    other = "ROME" if cid.startswith("esco:") else "ESCO"
    title = f"Correspondances {other} (alignement calculé par grepp)"
    if table == "taxonomy_occupations" and cid.startswith("rome:"):  # a métier: through its appellations
        pairs = [
            (o, f"1re correspondance de {n} appellation(s), {m}, score {s:.2f}")
            for o, s, m, n in metier_occupations(con, cid)
        ]
    elif table == "taxonomy_occupations":
        pairs = [(o, f"rang {r}, {m}, score {s:.2f}") for o, s, m, r in aligned_occupations(con, cid)]
    else:
        pairs = [(o, f"{m}, score {s:.2f}") for o, s, m in select_alignments(con, cid)]
    items = []
    for other_id, note in pairs:
        row = store.find_concept(con, other_id)
        items.append(Item(other_id, str(row[6]) if row else other_id, note))
    return [Section(title, tuple(items))]
