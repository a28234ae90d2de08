"""Stored ROME ↔ ESCO skill alignments, per aligner version and taxonomy versions.

Rows are keyed by (rome_id, esco_id, aligner, aligner_version): a rerun replaces that aligner version's
rows in one transaction, so a failed run loses nothing and a repeated one duplicates nothing::

    save_alignments(con, rows, aligner="skills.alignment.gazetteer", aligner_version="1",
                    rome_version="rome-v460", esco_version="esco-v1.1.1")
    select_alignments(con, "rome-ogr:100007")  # [(esco_id, score, method), …]
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
)


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


def save_alignments(
    con: duckdb.DuckDBPyConnection,
    rows: Iterable[AlignmentRow],
    *,
    aligner: str,
    aligner_version: str,
    rome_version: str,
    esco_version: str,
) -> int:
    """Replace this aligner version's rows by ``rows`` in one transaction; the number stored."""
    values = [
        (r.rome_id, r.esco_id, r.score, r.method, aligner, aligner_version, rome_version, esco_version) for r in rows
    ]
    with transaction(con):
        con.execute(
            "DELETE FROM skill_alignments WHERE aligner = ? AND aligner_version = ?", [aligner, aligner_version]
        )
        if values:
            con.executemany(
                "INSERT INTO skill_alignments (rome_id, esco_id, score, method, aligner, aligner_version, "
                "rome_version, esco_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
    return len(values)


def select_alignments(
    con: duckdb.DuckDBPyConnection, rome_id: str, *, min_score: float = 0.0
) -> list[tuple[str, float, str]]:
    """(esco_id, score, method) of one ROME item, best first, every aligner version."""
    rows = con.execute(
        "SELECT esco_id, max(score) AS s, min(method) FROM skill_alignments WHERE rome_id = ? AND score >= ? "
        "GROUP BY esco_id ORDER BY s DESC, esco_id",
        [rome_id, min_score],
    ).fetchall()
    return [(str(e), float(s), str(m)) for e, s, m in rows]
