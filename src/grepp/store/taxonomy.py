"""Tables of the taxonomy store (ROME 4.0 and ESCO in one shape, versioned); the only taxonomy SQL.

Every data table starts with ``(taxonomy, version)``: the release that gave the row. A release is
written in one transaction and recorded in ``taxonomy_releases`` (content hash of its input files,
row counts, ``is_current``); each data table has a ``<table>_current`` view restricted to the current
release of each taxonomy, and older releases stay queryable with ``WHERE version = ?``.

Ids: ``rome:M1805`` (métier), ``rome-ogr:<code>`` (appellation, compétence, savoir, contexte de
travail), ``esco:<uri>`` (every ESCO concept); ROME groups ``rome-gd:A`` (grand domaine), ``rome-dp:A11``
(domaine professionnel), ``rome-naf:<code>``, ``rome-sa:`` / ``rome-ssa:`` (secteur / sous-secteur
d'activité), ``rome-theme:``, ``rome-ci:`` (centre d'intérêt).

Tables (columns after ``taxonomy, version``):

- ``taxonomy_occupations``: concept_id, kind (metier | appellation | occupation), code, label,
  parent_id, description, isco_code, domain_code, ogr_code, riasec_major, riasec_minor, source
- ``taxonomy_skills``: concept_id, kind (competence | savoir | skill | knowledge), code, label, parent_id,
  description, category, subcategory, skill_type, reuse_level, riasec_major, riasec_minor, source
- ``taxonomy_groups``: concept_id, kind (grand_domaine, domaine_professionnel, contexte_travail,
  secteur_naf, secteur_activite, theme, centre_interet, isco_group, skill_group), code, label,
  parent_id, description, source
- ``taxonomy_labels``: concept_id, lang, text, kind (preferred | alternative | hidden | short |
  masculine | feminine), label_version, key (``normalize_title`` of text, for search)
- ``taxonomy_broader``: concept_id, broader_id, source (every broader link; ``parent_id`` is the first)
- ``taxonomy_occupation_skills``: occupation_id, skill_id, relation, skill_type, bloc_code, bloc_label,
  rubrique_code, rubrique_label, coeur_metier
- ``taxonomy_skill_relations``: skill_id, related_skill_id, relation, skill_type, related_skill_type
- ``taxonomy_flags``: concept_id, flag, detail
- ``taxonomy_memberships``: concept_id, group_id, relation, principal, rank
- ``taxonomy_mobilities``: source_id, target_id, rank
- ``taxonomy_texts``: concept_id, bloc_code, text_type, position, text
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

#: Columns of each data table after (taxonomy, version), with their DuckDB types.
TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "taxonomy_occupations": (
        ("concept_id", "VARCHAR"),
        ("kind", "VARCHAR"),
        ("code", "VARCHAR"),
        ("label", "VARCHAR"),
        ("parent_id", "VARCHAR"),
        ("description", "VARCHAR"),
        ("isco_code", "VARCHAR"),
        ("domain_code", "VARCHAR"),
        ("ogr_code", "VARCHAR"),
        ("riasec_major", "VARCHAR"),
        ("riasec_minor", "VARCHAR"),
        ("source", "VARCHAR"),
    ),
    "taxonomy_skills": (
        ("concept_id", "VARCHAR"),
        ("kind", "VARCHAR"),
        ("code", "VARCHAR"),
        ("label", "VARCHAR"),
        ("parent_id", "VARCHAR"),
        ("description", "VARCHAR"),
        ("category", "VARCHAR"),
        ("subcategory", "VARCHAR"),
        ("skill_type", "VARCHAR"),
        ("reuse_level", "VARCHAR"),
        ("riasec_major", "VARCHAR"),
        ("riasec_minor", "VARCHAR"),
        ("source", "VARCHAR"),
    ),
    "taxonomy_groups": (
        ("concept_id", "VARCHAR"),
        ("kind", "VARCHAR"),
        ("code", "VARCHAR"),
        ("label", "VARCHAR"),
        ("parent_id", "VARCHAR"),
        ("description", "VARCHAR"),
        ("source", "VARCHAR"),
    ),
    "taxonomy_labels": (
        ("concept_id", "VARCHAR"),
        ("lang", "VARCHAR"),
        ("text", "VARCHAR"),
        ("kind", "VARCHAR"),
        ("label_version", "VARCHAR"),
        ("key", "VARCHAR"),
    ),
    "taxonomy_broader": (("concept_id", "VARCHAR"), ("broader_id", "VARCHAR"), ("source", "VARCHAR")),
    "taxonomy_occupation_skills": (
        ("occupation_id", "VARCHAR"),
        ("skill_id", "VARCHAR"),
        ("relation", "VARCHAR"),
        ("skill_type", "VARCHAR"),
        ("bloc_code", "VARCHAR"),
        ("bloc_label", "VARCHAR"),
        ("rubrique_code", "VARCHAR"),
        ("rubrique_label", "VARCHAR"),
        ("coeur_metier", "VARCHAR"),
    ),
    "taxonomy_skill_relations": (
        ("skill_id", "VARCHAR"),
        ("related_skill_id", "VARCHAR"),
        ("relation", "VARCHAR"),
        ("skill_type", "VARCHAR"),
        ("related_skill_type", "VARCHAR"),
    ),
    "taxonomy_flags": (("concept_id", "VARCHAR"), ("flag", "VARCHAR"), ("detail", "VARCHAR")),
    "taxonomy_memberships": (
        ("concept_id", "VARCHAR"),
        ("group_id", "VARCHAR"),
        ("relation", "VARCHAR"),
        ("principal", "BOOLEAN"),
        ("rank", "INTEGER"),
    ),
    "taxonomy_mobilities": (("source_id", "VARCHAR"), ("target_id", "VARCHAR"), ("rank", "INTEGER")),
    "taxonomy_texts": (
        ("concept_id", "VARCHAR"),
        ("bloc_code", "VARCHAR"),
        ("text_type", "VARCHAR"),
        ("position", "INTEGER"),
        ("text", "VARCHAR"),
    ),
}

_ARROW_TYPES = {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "BOOLEAN": pa.bool_()}


def _table_ddl(name: str, columns: Sequence[tuple[str, str]]) -> str:
    cols = ",\n        ".join(f"{c} {t}" for c, t in columns)
    return (
        f"CREATE TABLE IF NOT EXISTS {name} (\n        taxonomy VARCHAR NOT NULL,\n"
        f"        version VARCHAR NOT NULL,\n        {cols}\n    )"
    )


def _current_view(name: str) -> str:
    return (
        f"CREATE VIEW IF NOT EXISTS {name}_current AS SELECT t.* FROM {name} t "
        "JOIN taxonomy_releases r ON r.taxonomy = t.taxonomy AND r.version = t.version WHERE r.is_current"
    )


SCHEMA: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS taxonomy_releases (
        taxonomy VARCHAR NOT NULL,
        version VARCHAR NOT NULL,
        content_sha256 VARCHAR NOT NULL,
        loaded_at TIMESTAMP NOT NULL,
        is_current BOOLEAN NOT NULL DEFAULT false,
        row_counts VARCHAR NOT NULL,
        loader_version VARCHAR NOT NULL,
        files VARCHAR NOT NULL,
        PRIMARY KEY (taxonomy, version)
    )
    """,
    *(_table_ddl(name, cols) for name, cols in TABLES.items()),
    *(_current_view(name) for name in TABLES),
    # The label to show for a concept: French preferred when there is one (v1.2 API before v1.0).
    "CREATE VIEW IF NOT EXISTS taxonomy_display_labels_current AS SELECT concept_id, "
    "arg_max(text, label_version) AS label FROM taxonomy_labels_current WHERE lang = 'fr' AND kind = 'preferred' "
    "GROUP BY concept_id",
)


@dataclass(frozen=True)
class ReleaseRow:
    """One row of ``taxonomy_releases``."""

    taxonomy: str
    version: str
    content_sha256: str
    loaded_at: datetime
    is_current: bool
    row_counts: dict[str, int]
    loader_version: str
    files: list[str]


def releases(con: duckdb.DuckDBPyConnection, taxonomy: str | None = None) -> list[ReleaseRow]:
    """Every recorded release (optionally of one taxonomy), oldest load first."""
    sql = (
        "SELECT taxonomy, version, content_sha256, loaded_at, is_current, row_counts, loader_version, files "
        "FROM taxonomy_releases WHERE (? IS NULL OR taxonomy = ?) ORDER BY taxonomy, loaded_at"
    )
    out = []
    for t, v, h, at, cur, counts, lv, files in con.execute(sql, [taxonomy, taxonomy]).fetchall():
        out.append(ReleaseRow(t, v, h, at, bool(cur), json.loads(counts), lv, json.loads(files)))
    return out


def current_releases(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(taxonomy, version, content_sha256) of each current release."""
    rows = con.execute(
        "SELECT taxonomy, version, content_sha256 FROM taxonomy_releases WHERE is_current ORDER BY taxonomy"
    ).fetchall()
    return [(str(t), str(v), str(h)) for t, v, h in rows]


def delete_release(con: duckdb.DuckDBPyConnection, taxonomy: str, version: str) -> None:
    """Remove every row of one release (used before reloading a release whose files changed)."""
    for name in TABLES:
        con.execute(f"DELETE FROM {name} WHERE taxonomy = ? AND version = ?", [taxonomy, version])
    con.execute("DELETE FROM taxonomy_releases WHERE taxonomy = ? AND version = ?", [taxonomy, version])


def insert_rows(
    con: duckdb.DuckDBPyConnection, table: str, taxonomy: str, version: str, rows: Sequence[Sequence[Any]]
) -> int:
    """Bulk-insert rows (tuples in the order of ``TABLES[table]``) through an Arrow table."""
    columns = TABLES[table]
    if not rows:
        return 0
    arrays = [
        pa.array(list(values), type=_ARROW_TYPES[ctype])
        for (_, ctype), values in zip(columns, zip(*rows, strict=True), strict=True)
    ]
    staging = pa.Table.from_arrays(arrays, names=[c for c, _ in columns])
    names = ", ".join(c for c, _ in columns)
    con.register("taxonomy_staging", staging)
    try:
        con.execute(
            f"INSERT INTO {table} (taxonomy, version, {names}) SELECT ?, ?, {names} FROM taxonomy_staging",
            [taxonomy, version],
        )
    finally:
        con.unregister("taxonomy_staging")
    return len(rows)


def record_release(con: duckdb.DuckDBPyConnection, release: ReleaseRow) -> None:
    """Add the release row (not current yet; see :func:`make_current`)."""
    con.execute(
        "INSERT INTO taxonomy_releases (taxonomy, version, content_sha256, loaded_at, is_current, row_counts, "
        "loader_version, files) VALUES (?, ?, ?, ?, false, ?, ?, ?)",
        [
            release.taxonomy,
            release.version,
            release.content_sha256,
            release.loaded_at,
            json.dumps(release.row_counts, sort_keys=True),
            release.loader_version,
            json.dumps(release.files),
        ],
    )


def make_current(con: duckdb.DuckDBPyConnection, taxonomy: str, version: str) -> None:
    """Mark one release current and every other release of that taxonomy not current."""
    con.execute("UPDATE taxonomy_releases SET is_current = (version = ?) WHERE taxonomy = ?", [version, taxonomy])


def table_counts(con: duckdb.DuckDBPyConnection, taxonomy: str, version: str) -> dict[str, int]:
    """Rows per data table for one release."""
    counts: dict[str, int] = {}
    for name in TABLES:
        row = con.execute(
            f"SELECT count(*) FROM {name} WHERE taxonomy = ? AND version = ?", [taxonomy, version]
        ).fetchone()
        counts[name] = int(row[0]) if row else 0
    return counts


CONCEPT_KINDS: dict[str, str] = {
    "metier": "taxonomy_occupations",
    "appellation": "taxonomy_occupations",
    "occupation": "taxonomy_occupations",
    "competence": "taxonomy_skills",
    "savoir": "taxonomy_skills",
    "skill": "taxonomy_skills",
    "knowledge": "taxonomy_skills",
}


def _concept_filter(taxonomy: str | None, kinds: Sequence[str] | None) -> tuple[str, list[Any]]:
    return (
        "(? IS NULL OR taxonomy = ?) AND (? IS NULL OR list_contains(?, kind))",
        [taxonomy, taxonomy, kinds, kinds],
    )


def select_concepts(
    con: duckdb.DuckDBPyConnection, taxonomy: str | None, kinds: Sequence[str] | None
) -> list[tuple[str, str, str, str, str, str | None]]:
    """(concept_id, taxonomy, kind, code, display label, parent_id) of current occupations and skills, by id
    (a join's order varies from run to run; what is built from the list must not).

    The display label is the French preferred label when there is one (ESCO v1.2 API before v1.0)."""
    where, params = _concept_filter(taxonomy, kinds)
    sql = (
        "WITH c AS (SELECT concept_id, taxonomy, kind, code, label, parent_id FROM taxonomy_occupations_current "
        f"WHERE {where} UNION ALL SELECT concept_id, taxonomy, kind, code, label, parent_id "
        f"FROM taxonomy_skills_current WHERE {where}) "
        "SELECT c.concept_id, c.taxonomy, c.kind, c.code, coalesce(d.label, c.label), c.parent_id FROM c "
        "LEFT JOIN taxonomy_display_labels_current d ON d.concept_id = c.concept_id ORDER BY c.concept_id"
    )
    return con.execute(sql, params + params).fetchall()


def select_concept_labels(
    con: duckdb.DuckDBPyConnection, taxonomy: str | None, kinds: Sequence[str] | None
) -> list[tuple[str, str, str, str, str]]:
    """(concept_id, text, lang, kind, label_version) of current occupations and skills, by concept, French
    first, then English and German, preferred first within a language."""
    where, params = _concept_filter(taxonomy, kinds)
    sql = (
        "WITH c AS (SELECT concept_id FROM taxonomy_occupations_current WHERE " + where + " UNION ALL "
        "SELECT concept_id FROM taxonomy_skills_current WHERE " + where + ") "
        "SELECT l.concept_id, l.text, l.lang, l.kind, l.label_version FROM taxonomy_labels_current l "
        "SEMI JOIN c ON c.concept_id = l.concept_id ORDER BY l.concept_id, "
        f"{_LANG_RANK.format('l.lang')}, {_KIND_RANK.format('l.kind')}, l.text"
    )
    return con.execute(sql, params + params).fetchall()


def select_flags(con: duckdb.DuckDBPyConnection, taxonomy: str | None) -> list[tuple[str, str]]:
    """(concept_id, flag) of the current releases."""
    return con.execute(
        "SELECT concept_id, flag FROM taxonomy_flags_current WHERE (? IS NULL OR taxonomy = ?)", [taxonomy, taxonomy]
    ).fetchall()


def select_occupation_skills(con: duckdb.DuckDBPyConnection, taxonomy: str | None) -> list[tuple[str, str, str]]:
    """(occupation_id, skill_id, relation) of the current releases, in file order."""
    rows = con.execute(
        "SELECT occupation_id, skill_id, relation FROM taxonomy_occupation_skills_current "
        "WHERE (? IS NULL OR taxonomy = ?)",
        [taxonomy, taxonomy],
    ).fetchall()
    return [(str(o), str(s), str(r)) for o, s, r in rows]


def select_appellation_rome_codes(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(appellation OGR code, ROME code) of the current ROME release."""
    rows = con.execute(
        "SELECT code, substr(parent_id, 6) FROM taxonomy_occupations_current "
        "WHERE taxonomy = 'rome' AND kind = 'appellation'"
    ).fetchall()
    return [(str(a), str(r)) for a, r in rows]


#: SQL ranks of a label's language and kind (French first; preferred, masculine, short, feminine, alternative).
_LANG_RANK = "CASE {0} WHEN 'fr' THEN 0 WHEN 'en' THEN 1 ELSE 2 END"
_KIND_RANK = (
    "CASE {0} WHEN 'preferred' THEN 0 WHEN 'masculine' THEN 1 WHEN 'short' THEN 2 WHEN 'feminine' THEN 3 "
    "WHEN 'alternative' THEN 4 ELSE 5 END"
)

#: Current occupations and skills, numbered by concept_id (``ci``), with their display label.
_SEARCH_CONCEPTS = (
    "SELECT (row_number() OVER (ORDER BY c.concept_id) - 1)::INTEGER AS ci, c.concept_id, c.taxonomy, c.kind, "
    "c.code, coalesce(d.label, c.label) AS label FROM (SELECT concept_id, taxonomy, kind, code, label "
    "FROM taxonomy_occupations_current UNION ALL SELECT concept_id, taxonomy, kind, code, label "
    "FROM taxonomy_skills_current) c LEFT JOIN taxonomy_display_labels_current d ON d.concept_id = c.concept_id"
)
#: Their labels numbered (``li``) by concept, French first, preferred first: the first of equal matches wins.
_SEARCH_LABELS = (
    f"SELECT (row_number() OVER (ORDER BY c.ci, {_LANG_RANK.format('l.lang')}, {_KIND_RANK.format('l.kind')}, "
    "l.lang, l.kind, l.text) - 1)::INTEGER AS li, c.ci, l.text, l.lang, "
    f"l.kind, l.key FROM taxonomy_labels_current l JOIN ({_SEARCH_CONCEPTS}) c ON c.concept_id = l.concept_id"
)


def select_broader(con: duckdb.DuckDBPyConnection, taxonomy: str) -> list[tuple[str, str]]:
    """(concept_id, broader_id) of every broader link of the current release of a taxonomy, sorted."""
    rows = con.execute(
        "SELECT concept_id, broader_id FROM taxonomy_broader_current WHERE taxonomy = ? "
        "AND concept_id IS NOT NULL AND broader_id IS NOT NULL ORDER BY concept_id, broader_id",
        [taxonomy],
    ).fetchall()
    return [(str(c), str(b)) for c, b in rows]


def select_groups(con: duckdb.DuckDBPyConnection, taxonomy: str, kind: str) -> list[tuple[str, str]]:
    """(concept_id, label) of the current groups of one kind (``skill_group``, ``isco_group``…), sorted."""
    rows = con.execute(
        "SELECT concept_id, label FROM taxonomy_groups_current WHERE taxonomy = ? AND kind = ? "
        "AND label IS NOT NULL ORDER BY concept_id",
        [taxonomy, kind],
    ).fetchall()
    return [(str(c), str(label)) for c, label in rows]


def select_group_labels(con: duckdb.DuckDBPyConnection, kind: str) -> list[str]:
    """Every label text (all languages) of the current groups of one kind (``isco_group``…)."""
    rows = con.execute(
        """
        SELECT DISTINCT l.text FROM taxonomy_labels_current l
        JOIN taxonomy_groups_current g ON g.concept_id = l.concept_id AND g.taxonomy = l.taxonomy
        WHERE g.kind = ? AND l.text IS NOT NULL
        UNION SELECT label FROM taxonomy_groups_current WHERE kind = ? AND label IS NOT NULL
        """,
        [kind, kind],
    ).fetchall()
    return sorted(str(text) for (text,) in rows)


def select_search_concepts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str, str]]:
    """(concept_id, taxonomy, kind, code, display label) of current occupations and skills; row i = concept i."""
    rows = con.execute(f"SELECT concept_id, taxonomy, kind, code, label FROM ({_SEARCH_CONCEPTS}) ORDER BY ci")
    return rows.fetchall()


def select_search_labels(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Arrow table (ci, text, lang, kind, key) of their labels; row i = label number i."""
    return con.sql(f"SELECT ci, text, lang, kind, key FROM ({_SEARCH_LABELS}) ORDER BY li").to_arrow_table()


def select_search_postings(con: duckdb.DuckDBPyConnection, stopwords: Sequence[str]) -> pa.Table:
    """Arrow table (word, labels): the numbers of the labels whose key has each word (elisions split, a
    final s/x dropped from words over 3 letters, stopwords left out)."""
    sql = (
        f"WITH l AS ({_SEARCH_LABELS}), "
        "t AS (SELECT li, unnest(string_split(replace(key, chr(39), ' '), ' ')) AS token FROM l), "
        # Plural-insensitive words, the same rule as grepp.taxonomy.search.search_words.
        "w AS (SELECT DISTINCT li, CASE WHEN length(token) > 3 AND (suffix(token, 's') OR suffix(token, 'x')) "
        "THEN token[:-2] ELSE token END AS word FROM t "
        "WHERE token <> '' AND NOT list_contains($stopwords, token)) "
        "SELECT word, list(li ORDER BY li) AS labels FROM w GROUP BY word"
    )
    return con.sql(sql, params={"stopwords": list(stopwords)}).to_arrow_table()
