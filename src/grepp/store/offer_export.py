"""Export the canonical offers (one row per offer that is not a duplicate) to Parquet, CSV or Excel.

Parquet and CSV are written by DuckDB's ``COPY`` (streamed, any size); Excel by openpyxl in write-only
mode (cells capped at Excel's 32,767 characters, control characters dropped, at most 1,048,575 rows)::

    n = export_offers(con, Path("offres.parquet"), fmt="parquet", region="44", since=date(2025, 1, 1))
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb

from grepp.errors import ConfigError, StoreError

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
) -> tuple[str, list[object]]:
    """The SELECT of canonical offers with the filters, as ``(sql, params)``; ``until`` is inclusive."""
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
               c.labels AS source_competence_labels
        FROM offers o
        LEFT JOIN (SELECT canonical_offer_id, count(*) AS n FROM offer_duplicates GROUP BY 1) d
               ON d.canonical_offer_id = o.id
        LEFT JOIN (SELECT offer_id, list(label ORDER BY position) AS labels
                   FROM offer_source_competences WHERE kind = 'competence' GROUP BY 1) c
               ON c.offer_id = o.id
        WHERE {" AND ".join(where)}
        ORDER BY o.created_at, o.id
    """
    return sql, params


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
