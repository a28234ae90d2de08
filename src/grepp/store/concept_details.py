"""One taxonomy concept and its neighbours, as a concept card shows them (``grepp taxonomy show``): the only SQL of
:mod:`grepp.taxonomy.details`.

Each function reads the current release (the ``<table>_current`` views of :mod:`grepp.store.taxonomy`) for one
concept id: the concept itself, its labels and flags, its children, the skills of an occupation and the occupations
of a skill, a métier's mobilités and texts, a concept's groups, an ESCO skill's related skills. Linked concepts come
with their display label, the French preferred label where there is one.
"""

from __future__ import annotations

import duckdb


def find_concept(con: duckdb.DuckDBPyConnection, concept_id: str) -> tuple[str, ...] | None:
    """(table, concept_id, taxonomy, version, kind, code, label, parent_id, description) of a current concept."""
    for table in ("taxonomy_occupations", "taxonomy_skills", "taxonomy_groups"):
        row = con.execute(
            f"SELECT '{table}', t.concept_id, t.taxonomy, t.version, t.kind, t.code, coalesce(d.label, t.label), "
            f"t.parent_id, t.description FROM {table}_current t "
            "LEFT JOIN taxonomy_display_labels_current d USING (concept_id) WHERE t.concept_id = ?",
            [concept_id],
        ).fetchone()
        if row is not None:
            return tuple(row)
    return None


def concept_labels(con: duckdb.DuckDBPyConnection, concept_id: str) -> list[tuple[str, str, str, str]]:
    """(lang, kind, text, label_version) of one current concept."""
    return con.execute(
        "SELECT lang, kind, text, label_version FROM taxonomy_labels_current WHERE concept_id = ? "
        "ORDER BY CASE lang WHEN 'fr' THEN 0 WHEN 'en' THEN 1 ELSE 2 END, kind, text",
        [concept_id],
    ).fetchall()


def concept_flags(con: duckdb.DuckDBPyConnection, concept_id: str) -> list[tuple[str, str | None]]:
    return con.execute(
        "SELECT flag, detail FROM taxonomy_flags_current WHERE concept_id = ? ORDER BY flag", [concept_id]
    ).fetchall()


_LABELLED = (
    "(SELECT concept_id, label FROM taxonomy_occupations_current UNION ALL "
    "SELECT concept_id, label FROM taxonomy_skills_current UNION ALL "
    "SELECT concept_id, label FROM taxonomy_groups_current)"
)


def _with_display(inner: str, id_column: str, order: str) -> str:
    """Wrap ``inner`` (a SELECT whose second column is a placeholder ``NULL AS display``) so that column
    holds the display label of ``id_column``: French preferred, else the concept's label, else its id.
    Labels are looked up only for the ids ``inner`` returns, which keeps a card's queries fast."""
    return (
        f"WITH r AS ({inner}), "
        "d AS (SELECT concept_id, arg_max(text, label_version) AS label FROM taxonomy_labels_current "
        f"WHERE lang = 'fr' AND kind = 'preferred' AND concept_id IN (SELECT {id_column} FROM r) GROUP BY concept_id), "
        f"c AS (SELECT concept_id, label FROM {_LABELLED} WHERE concept_id IN (SELECT {id_column} FROM r)) "
        f"SELECT r.* REPLACE (coalesce(d.label, c.label, r.{id_column}) AS display) FROM r "
        f"LEFT JOIN d ON d.concept_id = r.{id_column} LEFT JOIN c ON c.concept_id = r.{id_column} ORDER BY {order}"
    )


def children(con: duckdb.DuckDBPyConnection, concept_id: str) -> list[tuple[str, str, str]]:
    """(concept_id, kind, label) of the current concepts whose parent is ``concept_id``."""
    sql = (
        "SELECT concept_id, kind, label FROM taxonomy_occupations_current WHERE parent_id = ? UNION ALL "
        "SELECT concept_id, kind, label FROM taxonomy_skills_current WHERE parent_id = ? ORDER BY kind, label"
    )
    return con.execute(sql, [concept_id, concept_id]).fetchall()


def skills_of_occupation(
    con: duckdb.DuckDBPyConnection, occupation_id: str
) -> list[tuple[str, str, str, str | None, str | None, str | None]]:
    """(skill_id, label, relation, skill_type, rubrique_label, coeur_metier) of one current occupation."""
    sql = (
        "SELECT skill_id, NULL AS display, relation, skill_type, rubrique_label, coeur_metier, rubrique_code "
        "FROM taxonomy_occupation_skills_current WHERE occupation_id = ?"
    )
    sql = f"SELECT * EXCLUDE (rubrique_code) FROM ({_with_display(sql, 'skill_id', 'rubrique_code, relation, 2')})"
    return con.execute(sql, [occupation_id]).fetchall()


def occupations_of_skill(con: duckdb.DuckDBPyConnection, skill_id: str) -> list[tuple[str, str, str]]:
    """(occupation_id, label, relation) of the current occupations linked to one skill."""
    sql = "SELECT occupation_id, NULL AS display, relation FROM taxonomy_occupation_skills_current WHERE skill_id = ?"
    sql = _with_display(sql, "occupation_id", "relation, 2")
    return con.execute(sql, [skill_id]).fetchall()


def mobilities_of(con: duckdb.DuckDBPyConnection, concept_id: str) -> list[tuple[str, str, int | None]]:
    """(target_id, label, rank) of the mobilités from one métier."""
    sql = "SELECT target_id, NULL AS display, rank FROM taxonomy_mobilities_current WHERE source_id = ?"
    sql = _with_display(sql, "target_id", "rank NULLS LAST, target_id")
    return con.execute(sql, [concept_id]).fetchall()


def memberships_of(con: duckdb.DuckDBPyConnection, concept_id: str) -> list[tuple[str, str, str, bool | None]]:
    """(group_id, label, relation, principal) of the groups one concept belongs to."""
    sql = "SELECT group_id, NULL AS display, relation, principal FROM taxonomy_memberships_current WHERE concept_id = ?"
    sql = _with_display(sql, "group_id", "relation, 2")
    return con.execute(sql, [concept_id]).fetchall()


def texts_of(con: duckdb.DuckDBPyConnection, concept_id: str) -> list[tuple[str, str]]:
    """(text_type, text) of one métier, sentences in order."""
    return con.execute(
        "SELECT text_type, text FROM taxonomy_texts_current WHERE concept_id = ? ORDER BY bloc_code, position",
        [concept_id],
    ).fetchall()


def related_skills(con: duckdb.DuckDBPyConnection, skill_id: str) -> list[tuple[str, str, str]]:
    """(related_skill_id, label, relation) of one ESCO skill."""
    sql = "SELECT related_skill_id, NULL AS display, relation FROM taxonomy_skill_relations_current WHERE skill_id = ?"
    sql = _with_display(sql, "related_skill_id", "relation, 2")
    return con.execute(sql, [skill_id]).fetchall()
