"""Stored ROME ↔ ESCO alignments (skills, occupations), per aligner version and taxonomy versions.

Rows are keyed by (rome_id, esco_id, aligner, aligner_version): a rerun replaces that aligner version's
rows in one transaction, so a failed run loses nothing and a repeated one duplicates nothing::

    save_alignments(con, rows, aligner="skills.alignment.rank", aligner_version="1-rank11",
                    rome_version="rome-v460", esco_version="esco-v1.1.1")
    select_alignments(con, "rome-ogr:100007")  # [(esco_id, score, method), …] of the latest run
    save_alignments(con, rows, table="occupation_alignments", …)  # appellation ↔ occupation, with rank
    aligned_occupations(con, "rome-ogr:38738")  # [(esco_id, score, method, rank), …] of the latest run
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import duckdb

from grepp.store.db import transaction

SCHEMA: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS skill_alignments (
        rome_id VARCHAR NOT NULL,           -- rome-ogr:<compétence or savoir OGR code>
        esco_id VARCHAR NOT NULL,           -- esco:<skill URI>
        score DOUBLE NOT NULL,              -- gazetteer: share of the ROME label words covered; dense: cosine
        method VARCHAR NOT NULL,            -- exact | partial | dense
        aligner VARCHAR NOT NULL,
        aligner_version VARCHAR NOT NULL,
        rome_version VARCHAR NOT NULL,
        esco_version VARCHAR NOT NULL,
        aligned_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
        PRIMARY KEY (rome_id, esco_id, aligner, aligner_version)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS occupation_alignments (
        rome_id VARCHAR NOT NULL,           -- rome-ogr:<appellation OGR code>
        esco_id VARCHAR NOT NULL,           -- esco:<occupation URI>
        score DOUBLE NOT NULL,              -- the ranking engine's fused score (comparable within a version)
        method VARCHAR NOT NULL,            -- exact (same name, gender folded) | ranked
        rank INTEGER NOT NULL,              -- 1 = the appellation's best ESCO occupation
        aligner VARCHAR NOT NULL,
        aligner_version VARCHAR NOT NULL,
        rome_version VARCHAR NOT NULL,
        esco_version VARCHAR NOT NULL,
        aligned_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
        PRIMARY KEY (rome_id, esco_id, aligner, aligner_version)
    )
    """,
)

#: The tables :func:`save_alignments` writes (never built from user input).
TABLES = ("skill_alignments", "occupation_alignments")


class AlignmentRow(Protocol):
    """What is stored of an alignment (``grepp.enrich.skill_alignment.Alignment`` fits)."""

    @property
    def rome_id(self) -> str: ...
    @property
    def esco_id(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def method(self) -> str: ...


def _table(table: str) -> str:
    if table not in TABLES:
        raise ValueError(f"unknown alignment table {table!r}")
    return table


def save_alignments(
    con: duckdb.DuckDBPyConnection,
    rows: Iterable[AlignmentRow],
    *,
    aligner: str,
    aligner_version: str,
    rome_version: str,
    esco_version: str,
    table: str = "skill_alignments",
) -> int:
    """Replace this aligner version's rows by ``rows`` in one transaction; the number stored.

    ``occupation_alignments`` rows also carry their ``rank`` (1 = best).
    """
    table = _table(table)
    ranked = table == "occupation_alignments"
    values: list[tuple[object, ...]] = []
    for r in rows:
        rank = getattr(r, "rank", None)  # occupation rows carry one (OccupationAlignment)
        if ranked and rank is None:
            raise ValueError(f"an occupation alignment needs a rank: {r!r}")
        head = (r.rome_id, r.esco_id, r.score, r.method)
        extra = (int(rank),) if ranked and rank is not None else ()
        values.append((*head, *extra, aligner, aligner_version, rome_version, esco_version))
    columns = "rome_id, esco_id, score, method, " + ("rank, " if ranked else "")
    columns += "aligner, aligner_version, rome_version, esco_version"
    marks = ", ".join("?" * (9 if ranked else 8))
    with transaction(con):
        con.execute(f"DELETE FROM {table} WHERE aligner = ? AND aligner_version = ?", [aligner, aligner_version])
        if values:
            con.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)
    return len(values)


def has_alignments(
    con: duckdb.DuckDBPyConnection,
    *,
    aligner: str,
    aligner_version: str,
    rome_version: str,
    esco_version: str,
    table: str = "skill_alignments",
) -> bool:
    """True when this aligner version already aligned these taxonomy releases (the step can be skipped)."""
    row = con.execute(
        f"SELECT count(*) FROM {_table(table)} WHERE aligner = ? AND aligner_version = ? "
        "AND rome_version = ? AND esco_version = ?",
        [aligner, aligner_version, rome_version, esco_version],
    ).fetchone()
    return bool(row and row[0])


def select_alignments(
    con: duckdb.DuckDBPyConnection, concept_id: str, *, min_score: float = 0.0
) -> list[tuple[str, float, str]]:
    """The other side of a ROME item (``rome-ogr:…``) or an ESCO skill (``esco:…``) in the skill alignments.

    ``(other_id, score, method)``, best first, from the latest skill alignment run (aligners score on scales
    of their own, so runs are not mixed).
    """
    latest = _latest_run(con, "skill_alignments")
    if latest is None:
        return []
    mine, other = ("esco_id", "rome_id") if concept_id.startswith("esco:") else ("rome_id", "esco_id")
    rows = con.execute(
        f"SELECT {other}, score, method FROM skill_alignments WHERE {mine} = ? AND score >= ? "
        f"AND aligner = ? AND aligner_version = ? ORDER BY score DESC, {other}",
        [concept_id, min_score, *latest],
    ).fetchall()
    return [(str(e), float(s), str(m)) for e, s, m in rows]


def _latest_run(con: duckdb.DuckDBPyConnection, table: str) -> tuple[str, str] | None:
    row = con.execute(
        f"SELECT aligner, aligner_version FROM {_table(table)} ORDER BY aligned_at DESC, aligner_version DESC LIMIT 1"
    ).fetchone()
    return (str(row[0]), str(row[1])) if row else None


def _latest_occupation_run(con: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    return _latest_run(con, "occupation_alignments")


def aligned_occupations(
    con: duckdb.DuckDBPyConnection, concept_id: str, *, max_rank: int = 3
) -> list[tuple[str, float, str, int]]:
    """The other side of a ROME appellation or an ESCO occupation in the latest occupation alignment.

    For ``rome-ogr:…`` the ESCO occupations ``(esco_id, score, method, rank)``; for ``esco:…`` the ROME
    appellations that rank it within ``max_rank`` ``(rome_id, score, method, rank)``; best first.
    """
    latest = _latest_occupation_run(con)
    if latest is None:
        return []
    mine, other = ("esco_id", "rome_id") if concept_id.startswith("esco:") else ("rome_id", "esco_id")
    rows = con.execute(
        f"SELECT {other}, score, method, rank FROM occupation_alignments WHERE {mine} = ? AND rank <= ? "
        "AND aligner = ? AND aligner_version = ? ORDER BY rank, score DESC, " + other,
        [concept_id, max_rank, *latest],
    ).fetchall()
    return [(str(o), float(s), str(m), int(r)) for o, s, m, r in rows]


def metier_occupations(con: duckdb.DuckDBPyConnection, metier_id: str) -> list[tuple[str, float, str, int]]:
    """ESCO occupations that a ROME métier's appellations rank first, in the latest occupation alignment.

    ``(esco_id, best score, method of that pair, number of the métier's appellations ranking it first)``,
    most appellations first.
    """
    latest = _latest_occupation_run(con)
    if latest is None:
        return []
    rows = con.execute(
        "SELECT a.esco_id, max(a.score) AS s, min(a.method), count(*) AS n FROM occupation_alignments a "
        "JOIN taxonomy_occupations_current o ON o.concept_id = a.rome_id "
        "WHERE o.parent_id = ? AND a.rank = 1 AND a.aligner = ? AND a.aligner_version = ? "
        "GROUP BY a.esco_id ORDER BY n DESC, s DESC, a.esco_id",
        [metier_id, *latest],
    ).fetchall()
    return [(str(e), float(s), str(m), int(n)) for e, s, m, n in rows]
