"""Export the canonical offers (one row per offer that is not a duplicate) to Parquet, CSV or Excel, with
what the AI said of each (``ai_*`` columns: coded métier, appellation, ESCO occupation, skills).

Parquet and CSV are written by DuckDB's ``COPY`` (streamed, any size); Excel by openpyxl in write-only
mode (cells capped at Excel's 32,767 characters, control characters dropped, at most 1,048,575 rows)::

    n = export_offers(con, Path("offres.parquet"), fmt="parquet", region="44", since=date(2025, 1, 1))
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb

from grepp.errors import ConfigError, StoreError
from grepp.store.enrichment import OFFER_ENRICHER

EXPORT_FORMATS: tuple[str, ...] = ("parquet", "csv", "xlsx")
XLSX_MAX_ROWS = 1_048_575
XLSX_MAX_CELL = 32_767


def export_query(
    *,
    region: str | None = None,
    departement: str | None = None,
    since: date | None = None,
    until: date | None = None,
    source: str | None = None,
    enricher: str = OFFER_ENRICHER,
) -> tuple[str, list[object]]:
    """The SELECT of canonical offers with the filters and ``enricher``'s latest results, as ``(sql, params)``;
    ``until`` is inclusive."""
    where: list[str] = ["o.id NOT IN (SELECT offer_id FROM offer_duplicates)"]
    params: list[object] = []
    for column, value in (("o.region", region), ("o.departement", departement), ("o.source", source)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if since:
        where.append("o.created_at >= ?")
        params.append(since)
    if until:
        where.append("o.created_at < ?")
        params.append(until + timedelta(days=1))
    sql = f"""
        SELECT o.* EXCLUDE (raw_hash),
               coalesce(d.n, 0) AS duplicate_count,
               c.labels AS source_competence_labels,
               {AI_COLUMNS}
        FROM offers o
        LEFT JOIN (SELECT canonical_offer_id, count(*) AS n FROM offer_duplicates GROUP BY 1) d
               ON d.canonical_offer_id = o.id
        LEFT JOIN (SELECT offer_id, list(label ORDER BY position) AS labels
                   FROM offer_source_competences WHERE kind = 'competence' GROUP BY 1) c
               ON c.offer_id = o.id
        {AI_JOINS}
        WHERE {" AND ".join(where)}
        ORDER BY o.created_at, o.id
    """
    return sql, [enricher, *params]


#: What the AI said of each offer (its enricher's latest version): the coded métier and appellation, each with
#: its calibrated confidence — ``ai_rome_confidence`` that the ROME code is the offer's, ``ai_confidence`` that the
#: appellation is — (empty when the coder abstained: ``ai_status`` 'unknown', ``ai_reason`` says why), the
#: best ESCO occupation, and the distinct skills found, in order of first mention, with the green and
#: digital ones apart (ESCO collections and ROME's transition flags). Offers not enriched yet have
#: ``ai_status`` NULL.
AI_COLUMNS = """
               st.status AS ai_status,
               st.reason AS ai_reason,
               st.enricher_version AS ai_enricher_version,
               ro.rome_code AS ai_rome_code,
               me.label AS ai_rome_label,
               mo.confidence AS ai_rome_confidence,
               ro.code AS ai_appellation_code,
               ro.label AS ai_appellation_label,
               ro.confidence AS ai_confidence,
               eo.code AS ai_esco_code,
               eo.label AS ai_esco_label,
               sk.labels AS ai_skill_labels,
               sk.codes AS ai_skill_codes,
               sk.green AS ai_green_skills,
               sk.digital AS ai_digital_skills"""

AI_JOINS = """
        LEFT JOIN (SELECT s.offer_id, s.enricher, s.enricher_version, s.status, s.reason
                   FROM offer_enrichment_state s JOIN offer_enrichment_latest l
                   USING (offer_id, enricher, enricher_version) WHERE s.enricher = ?) st
               ON st.offer_id = o.id
        LEFT JOIN offer_occupations ro
               ON ro.offer_id = o.id AND ro.enricher = st.enricher AND ro.enricher_version = st.enricher_version
              AND ro.taxonomy = 'rome' AND ro.rank = 1 AND st.status = 'coded'
        LEFT JOIN taxonomy_occupations_current me ON me.concept_id = 'rome:' || ro.rome_code
        LEFT JOIN offer_occupations mo
               ON mo.offer_id = o.id AND mo.enricher = st.enricher AND mo.enricher_version = st.enricher_version
              AND mo.taxonomy = 'rome_metier' AND mo.rank = 1 AND st.status = 'coded'
        LEFT JOIN offer_occupations eo
               ON eo.offer_id = o.id AND eo.enricher = st.enricher AND eo.enricher_version = st.enricher_version
              AND eo.taxonomy = 'esco' AND eo.rank = 1 AND st.status = 'coded'
        LEFT JOIN (
            SELECT offer_id, enricher, enricher_version,
                   list(label ORDER BY first) AS labels,
                   list(code ORDER BY first) AS codes,
                   coalesce(list(label ORDER BY first) FILTER (WHERE green), []) AS green,
                   coalesce(list(label ORDER BY first) FILTER (WHERE digital), []) AS digital
            FROM (SELECT offer_id, enricher, enricher_version, code, min(position) AS first,
                         arg_min(label, position) AS label,
                         bool_or(list_has_any(flags, ['green', 'transition_eco'])) AS green,
                         bool_or(list_has_any(flags, ['digital', 'transition_num'])) AS digital
                  FROM offer_skills GROUP BY ALL)
            GROUP BY ALL) sk
               ON sk.offer_id = o.id AND sk.enricher = st.enricher AND sk.enricher_version = st.enricher_version"""


def export_offers(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    *,
    fmt: str = "parquet",
    region: str | None = None,
    departement: str | None = None,
    since: date | None = None,
    until: date | None = None,
    source: str | None = None,
) -> int:
    """Write the canonical offers matching the filters to ``out``; return the number of rows written."""
    if fmt not in EXPORT_FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}", hint=f"one of {', '.join(EXPORT_FORMATS)}")
    sql, params = export_query(region=region, departement=departement, since=since, until=until, source=source)
    counted = con.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()
    count = int(counted[0]) if counted else 0
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        if fmt == "xlsx":
            _write_xlsx(con, sql, params, out, count)
        else:
            options = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER"
            con.execute(f"COPY ({sql}) TO ? ({options})", [*params, str(out)])
    except (duckdb.Error, OSError) as exc:
        raise StoreError(f"cannot write {out}: {exc}") from exc
    return count


def _cell(value: object) -> object:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)[:XLSX_MAX_CELL]
    return value


def _write_xlsx(con: duckdb.DuckDBPyConnection, sql: str, params: list[object], out: Path, count: int) -> None:
    from openpyxl import Workbook

    if count > XLSX_MAX_ROWS:
        raise ConfigError(
            f"{count:,} offers do not fit in one Excel sheet ({XLSX_MAX_ROWS:,} rows at most)",
            hint="narrow with --region/--departement/--since, or export to parquet or csv",
        )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("offres")
    cursor = con.execute(sql, params)
    sheet.append([d[0] for d in cursor.description or []])
    while rows := cursor.fetchmany(2000):
        for row in rows:
            sheet.append([_cell(v) for v in row])
    workbook.save(out)
