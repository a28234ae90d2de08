"""What the AI said about each offer: coded occupations and extracted skills, per enricher version.

Results are keyed by (offer, enricher name, enricher version), so a better model can run beside an older
one and both stay comparable; the views ``offer_occupations_current`` and ``offer_skills_current`` show
only each offer's latest version. ``offer_enrichment_state`` remembers which content hash each enricher has
seen, which makes enrichment incremental: only new or changed offers are coded again::

    todo = offers_to_enrich(con, "occupations.hybrid.v1", "1")
    save_occupations(con, rows)  # one transaction per batch, old rows of those offers replaced
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

#: The enricher that codes stored offers (``grepp enrich``); exports and summaries read its latest version.
OFFER_ENRICHER = "offers.enrich"

SCHEMA: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS offer_enrichment_state (
        offer_id VARCHAR NOT NULL,
        enricher VARCHAR NOT NULL,
        enricher_version VARCHAR NOT NULL,
        content_hash VARCHAR NOT NULL,
        status VARCHAR NOT NULL,            -- 'coded' | 'unknown'
        reason VARCHAR,
        enriched_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
        PRIMARY KEY (offer_id, enricher, enricher_version)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS offer_occupations (
        offer_id VARCHAR NOT NULL,
        enricher VARCHAR NOT NULL,
        enricher_version VARCHAR NOT NULL,
        taxonomy VARCHAR NOT NULL,          -- 'rome' (appellations) | 'esco' | 'rome_metier' (métiers)
        rank INTEGER NOT NULL,
        concept_id VARCHAR NOT NULL,        -- rome-ogr:<appellation>, esco:<uri>, rome:<métier>
        code VARCHAR NOT NULL,              -- appellation OGR code, ESCO URI or ROME code
        rome_code VARCHAR,                  -- the métier (ROME code) of a ROME appellation or métier
        label VARCHAR,
        score DOUBLE,
        confidence DOUBLE,
        PRIMARY KEY (offer_id, enricher, enricher_version, taxonomy, rank)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS offer_skills (
        offer_id VARCHAR NOT NULL,
        enricher VARCHAR NOT NULL,
        enricher_version VARCHAR NOT NULL,
        position INTEGER NOT NULL,          -- order of the mention in the offer
        span_start INTEGER,
        span_end INTEGER,
        span_text VARCHAR,
        concept_id VARCHAR NOT NULL,
        taxonomy VARCHAR NOT NULL,
        kind VARCHAR,                       -- competence | savoir | skill | knowledge
        code VARCHAR NOT NULL,              -- OGR code or ESCO URI
        label VARCHAR,
        confidence DOUBLE,
        requirement VARCHAR,                -- required | wished | unknown
        flags VARCHAR[],
        section VARCHAR,
        method VARCHAR,
        PRIMARY KEY (offer_id, enricher, enricher_version, position)
    )
    """,
    # The version each enricher last ran on each offer; older versions' rows stay stored beside it
    # (comparable), and the *_current views show only the latest, which is what users read.
    """
    CREATE VIEW IF NOT EXISTS offer_enrichment_latest AS
    SELECT offer_id, enricher, max_by(enricher_version, enriched_at) AS enricher_version
    FROM offer_enrichment_state GROUP BY offer_id, enricher
    """,
    """
    CREATE VIEW IF NOT EXISTS offer_occupations_current AS
    SELECT t.* FROM offer_occupations t JOIN offer_enrichment_latest l USING (offer_id, enricher, enricher_version)
    """,
    """
    CREATE VIEW IF NOT EXISTS offer_skills_current AS
    SELECT t.* FROM offer_skills t JOIN offer_enrichment_latest l USING (offer_id, enricher, enricher_version)
    """,
)


@dataclass(frozen=True)
class OfferText:
    """What an enricher reads of an offer."""

    offer_id: str
    content_hash: str
    title: str
    description: str
    language: str
    naf_code: str | None
    employer: str = ""


def offers_to_enrich(
    con: duckdb.DuckDBPyConnection, enricher: str, version: str, *, limit: int | None = None
) -> list[OfferText]:
    """Offers never seen by this enricher version, or changed since (content hash differs)."""
    sql = """
        SELECT o.id, o.content_hash, coalesce(o.title, ''), coalesce(o.description_text, o.description, ''),
               coalesce(o.language, 'fr'), o.naf_code, coalesce(o.employer_name, '')
        FROM offers o
        LEFT JOIN offer_enrichment_state s
          ON s.offer_id = o.id AND s.enricher = ? AND s.enricher_version = ?
        WHERE s.offer_id IS NULL OR s.content_hash <> o.content_hash
        ORDER BY o.id
    """
    params: list[object] = [enricher, version]
    result = con.execute(sql, params)
    # No SQL LIMIT: DuckDB 2.0.1 returns every row for LEFT JOIN + OR filter + ORDER BY + LIMIT (measured);
    # fetching the first rows of the ordered result gives the same answer on any version.
    rows = result.fetchall() if limit is None else result.fetchmany(limit)
    return [OfferText(*row) for row in rows]


def _replace(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    keys: set[tuple[str, str, str]],
) -> None:
    """Delete the rows of the given offers for this enricher version, then insert the new ones."""
    for offer_id, enricher, version in sorted(keys):
        con.execute(
            f"DELETE FROM {table} WHERE offer_id = ? AND enricher = ? AND enricher_version = ?",
            [offer_id, enricher, version],
        )
    if rows:
        placeholders = ", ".join("?" for _ in columns)
        con.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", list(rows))


OCCUPATION_COLUMNS = (
    "offer_id",
    "enricher",
    "enricher_version",
    "taxonomy",
    "rank",
    "concept_id",
    "code",
    "rome_code",
    "label",
    "score",
    "confidence",
)
SKILL_COLUMNS = (
    "offer_id",
    "enricher",
    "enricher_version",
    "position",
    "span_start",
    "span_end",
    "span_text",
    "concept_id",
    "taxonomy",
    "kind",
    "code",
    "label",
    "confidence",
    "requirement",
    "flags",
    "section",
    "method",
)


def save_results(
    con: duckdb.DuckDBPyConnection,
    *,
    enricher: str,
    version: str,
    states: Sequence[tuple[str, str, str, str | None]],
    occupations: Sequence[Sequence[object]] = (),
    skills: Sequence[Sequence[object]] = (),
) -> None:
    """Store one batch of results (call inside a transaction).

    ``states`` are (offer_id, content_hash, status, reason); previous rows of these offers for this
    enricher version are replaced, so a re-run never duplicates.
    """
    keys = {(offer_id, enricher, version) for offer_id, _, _, _ in states}
    _replace(con, "offer_occupations", OCCUPATION_COLUMNS, occupations, keys)
    _replace(con, "offer_skills", SKILL_COLUMNS, skills, keys)
    con.executemany(
        """
        INSERT INTO offer_enrichment_state (offer_id, enricher, enricher_version, content_hash, status, reason)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (offer_id, enricher, enricher_version) DO UPDATE SET
            content_hash = excluded.content_hash, status = excluded.status, reason = excluded.reason,
            enriched_at = now()
        """,
        [
            (offer_id, enricher, version, content_hash, status, reason)
            for offer_id, content_hash, status, reason in states
        ],
    )
