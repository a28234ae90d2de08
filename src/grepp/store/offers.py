"""Offers in the store: one row per canonical offer, its history, its source competences, its duplicates.

Tables (all SQL for offers lives here and in :mod:`grepp.store.offer_duplicates`):

- ``offers``: one row per offer id ``f"{source}:{source_id}"`` with every field of :class:`Offer`, its
  ``content_hash``, ``text_hash`` (exact-duplicate key, see :func:`grepp.sources.offer_record.text_hash`) and
  ``raw_hash`` (the source record's bytes + extractor version), provenance
  (``source``, ``input``, ``extractor``, ``extractor_version``), ``first_seen_run``, ``last_seen_run``,
  ``ingested_at``. Dates are UTC.
- ``offer_versions``: the previous row of an offer whose content or update date changed (same columns, plus
  ``superseded_run``, ``superseded_at``).
- ``offer_source_competences``: what the source lists (competences, qualities, languages, licences …).
- ``offer_duplicates`` / ``offer_minhashes``: see :mod:`grepp.store.offer_duplicates`.

A batch is written with :func:`write_offer_batch` inside one transaction: all of it or none of it::

    with transaction(con):
        counts = write_offer_batch(con, rows, run_id=run)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from grepp.sources.offer_record import EXTRACTOR, EXTRACTOR_VERSION, Offer

#: (column, DuckDB type, Arrow type) of the ``offers`` table, in order.
OFFER_COLUMNS: tuple[tuple[str, str, Any], ...] = (
    ("id", "VARCHAR", pa.string()),
    ("source", "VARCHAR", pa.string()),
    ("source_id", "VARCHAR", pa.string()),
    ("content_hash", "VARCHAR", pa.string()),
    ("text_hash", "VARCHAR", pa.string()),
    ("raw_hash", "VARCHAR", pa.string()),
    ("title", "VARCHAR", pa.string()),
    ("description", "VARCHAR", pa.string()),
    ("description_text", "VARCHAR", pa.string()),
    ("language", "VARCHAR", pa.string()),
    ("created_at", "TIMESTAMP", pa.timestamp("us")),
    ("updated_at", "TIMESTAMP", pa.timestamp("us")),
    ("place_label", "VARCHAR", pa.string()),
    ("source_commune", "VARCHAR", pa.string()),
    ("postal_code", "VARCHAR", pa.string()),
    ("commune_insee", "VARCHAR", pa.string()),
    ("commune_name", "VARCHAR", pa.string()),
    ("departement", "VARCHAR", pa.string()),
    ("region", "VARCHAR", pa.string()),
    ("zone_emploi", "VARCHAR", pa.string()),
    ("bassin_bmo", "VARCHAR", pa.string()),
    ("country", "VARCHAR", pa.string()),
    ("latitude", "DOUBLE", pa.float64()),
    ("longitude", "DOUBLE", pa.float64()),
    ("place_status", "VARCHAR", pa.string()),
    ("contract_type", "VARCHAR", pa.string()),
    ("contract_label", "VARCHAR", pa.string()),
    ("contract_duration_months", "DOUBLE", pa.float64()),
    ("work_hours_weekly", "DOUBLE", pa.float64()),
    ("work_time", "VARCHAR", pa.string()),
    ("alternance", "BOOLEAN", pa.bool_()),
    ("salary_raw", "VARCHAR", pa.string()),
    ("salary_min_eur_month", "DOUBLE", pa.float64()),
    ("salary_max_eur_month", "DOUBLE", pa.float64()),
    ("salary_period", "VARCHAR", pa.string()),
    ("experience_code", "VARCHAR", pa.string()),
    ("experience_label", "VARCHAR", pa.string()),
    ("qualification_code", "VARCHAR", pa.string()),
    ("qualification_label", "VARCHAR", pa.string()),
    ("employer_name", "VARCHAR", pa.string()),
    ("employer_siret", "VARCHAR", pa.string()),
    ("naf_code", "VARCHAR", pa.string()),
    ("sector_label", "VARCHAR", pa.string()),
    ("positions", "INTEGER", pa.int32()),
    ("url", "VARCHAR", pa.string()),
    ("source_rome_code", "VARCHAR", pa.string()),
    ("source_rome_label", "VARCHAR", pa.string()),
    ("source_appellation_label", "VARCHAR", pa.string()),
    ("source_occupation_labels", "VARCHAR[]", pa.list_(pa.string())),
    ("warnings", "VARCHAR[]", pa.list_(pa.string())),
    ("input", "VARCHAR", pa.string()),
    ("extractor", "VARCHAR", pa.string()),
    ("extractor_version", "VARCHAR", pa.string()),
    ("first_seen_run", "VARCHAR", pa.string()),
    ("last_seen_run", "VARCHAR", pa.string()),
    ("ingested_at", "TIMESTAMP", pa.timestamp("us")),
)
COLUMN_NAMES = tuple(name for name, _, _ in OFFER_COLUMNS)

_ARROW_SCHEMA = pa.schema([(name, arrow) for name, _, arrow in OFFER_COLUMNS])
_COLUMNS_DDL = ",\n        ".join(f"{name} {sql}" for name, sql, _ in OFFER_COLUMNS)

SCHEMA: tuple[str, ...] = (
    f"CREATE TABLE IF NOT EXISTS offers (\n        {_COLUMNS_DDL},\n        PRIMARY KEY (id)\n    )",
    f"""CREATE TABLE IF NOT EXISTS offer_versions (
        {_COLUMNS_DDL},
        superseded_run VARCHAR,
        superseded_at TIMESTAMP DEFAULT current_timestamp
    )""",
    """
    CREATE TABLE IF NOT EXISTS offer_source_competences (
        offer_id VARCHAR NOT NULL,
        position INTEGER NOT NULL,
        kind VARCHAR NOT NULL,
        code VARCHAR,
        label VARCHAR NOT NULL,
        exigence VARCHAR,
        source VARCHAR NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS offer_duplicates (
        offer_id VARCHAR PRIMARY KEY,
        canonical_offer_id VARCHAR NOT NULL,
        method VARCHAR NOT NULL,
        similarity DOUBLE,
        detector VARCHAR NOT NULL,
        detected_at TIMESTAMP NOT NULL DEFAULT current_timestamp
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS offer_minhashes (
        offer_id VARCHAR PRIMARY KEY,
        text_hash VARCHAR NOT NULL,
        num_perm INTEGER NOT NULL,
        signature BLOB NOT NULL
    )
    """,
)

_COMPETENCE_SCHEMA = pa.schema(
    [
        ("offer_id", pa.string()),
        ("position", pa.int32()),
        ("kind", pa.string()),
        ("code", pa.string()),
        ("label", pa.string()),
        ("exigence", pa.string()),
        ("source", pa.string()),
    ]
)


@dataclass(frozen=True, slots=True)
class OfferRow:
    """An offer ready to store: the record, the hash of its raw source bytes and the input it came from."""

    offer: Offer
    raw_hash: str
    input: str


@dataclass
class BatchCounts:
    """What one batch did to the store."""

    stored: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0


def _row_values(row: OfferRow, run_id: str, now: datetime) -> tuple[object, ...]:
    o, p, s = row.offer, row.offer.place, row.offer.salary
    return (
        o.id, o.source, o.source_id, o.content_hash, o.text_hash, row.raw_hash,
        o.title, o.description, o.description_text, o.language, o.created_at, o.updated_at,
        p.label, p.source_commune, p.postal_code, p.commune_insee, p.commune_name, p.departement, p.region,
        p.zone_emploi, p.bassin_bmo, p.country, p.latitude, p.longitude, p.status,
        o.contract_type, o.contract_label, o.contract_duration_months, o.work_hours_weekly, o.work_time, o.alternance,
        s.raw, s.min_eur_month, s.max_eur_month, s.period,
        o.experience_code, o.experience_label, o.qualification_code, o.qualification_label,
        o.employer_name, o.employer_siret, o.naf_code, o.sector_label, o.positions, o.url,
        o.source_rome_code, o.source_rome_label, o.source_appellation_label, list(o.source_occupation_labels),
        list(o.warnings), row.input, EXTRACTOR, EXTRACTOR_VERSION, run_id, run_id, now,
    )  # fmt: skip


def offers_table(rows: Sequence[OfferRow], run_id: str, now: datetime) -> pa.Table:
    """The rows as an Arrow table shaped like ``offers`` (column-wise, no pandas)."""
    values = [_row_values(row, run_id, now) for row in rows]
    columns = list(zip(*values, strict=True)) if values else [() for _ in OFFER_COLUMNS]
    return pa.Table.from_arrays(
        [pa.array(list(col), type=arrow) for col, (_, _, arrow) in zip(columns, OFFER_COLUMNS, strict=True)],
        schema=_ARROW_SCHEMA,
    )


def _competences_table(rows: Sequence[OfferRow]) -> pa.Table:
    data: dict[str, list[object]] = {name: [] for name in _COMPETENCE_SCHEMA.names}
    for row in rows:
        for position, c in enumerate(row.offer.competences):
            for name, value in zip(
                _COMPETENCE_SCHEMA.names,
                (row.offer.id, position, c.kind, c.code, c.label, c.exigence, row.offer.source),
                strict=True,
            ):
                data[name].append(value)
    return pa.Table.from_pydict(data, schema=_COMPETENCE_SCHEMA)


def _ids_table(ids: Iterable[str], name: str = "id") -> pa.Table:
    return pa.table({name: pa.array(list(ids), type=pa.string())})


def _is_newer(new: Offer, stored: tuple[str, datetime | None, datetime | None]) -> bool | None:
    """True: replace the stored row; False: same offer (unchanged); None: the incoming row is older (stale).

    Records are ordered by their update date, else their creation date. At equal dates a record without an
    update date does not replace one with it (a thin CSV export does not overwrite the full API record).
    """
    stored_hash, stored_updated, stored_created = stored
    incoming = new.updated_at or new.created_at
    current = stored_updated or stored_created
    if incoming is not None and current is not None and incoming < current:
        return None
    if new.content_hash != stored_hash:
        if incoming == current and new.updated_at is None and stored_updated is not None:
            return None
        return True
    return new.updated_at is not None and (stored_updated is None or new.updated_at > stored_updated)


def write_offer_batch(
    con: duckdb.DuckDBPyConnection, rows: Sequence[OfferRow], *, run_id: str, now: datetime
) -> BatchCounts:
    """Store new offers, update changed ones (keeping their previous version), touch unchanged ones.

    Call inside :func:`grepp.store.db.transaction`. ``rows`` hold distinct offer ids. An incoming record older
    than the stored one (an earlier file re-read) is counted unchanged and does not overwrite it; a record whose
    id this run already stored is counted as a duplicate (the newer of the two is kept).
    """
    counts = BatchCounts()
    if not rows:
        return counts
    con.register("_batch_ids", _ids_table(row.offer.id for row in rows))
    try:
        stored = {
            offer_id: (content_hash, updated, created, last_run)
            for offer_id, content_hash, updated, created, last_run in con.execute(
                "SELECT o.id, o.content_hash, o.updated_at, o.created_at, o.last_seen_run "
                "FROM offers o JOIN _batch_ids b ON o.id = b.id"
            ).fetchall()
        }
    finally:
        con.unregister("_batch_ids")
    new_rows: list[OfferRow] = []
    changed_rows: list[OfferRow] = []
    unchanged_ids: list[str] = []
    for row in rows:
        previous = stored.get(row.offer.id)
        if previous is None:
            new_rows.append(row)
            counts.stored += 1
            continue
        verdict = _is_newer(row.offer, previous[:3])
        if verdict:
            changed_rows.append(row)
        else:
            unchanged_ids.append(row.offer.id)
        if previous[3] == run_id:  # already read earlier in this run: a repeated record
            counts.duplicates += 1
        elif verdict:
            counts.updated += 1
        else:
            counts.unchanged += 1
    if changed_rows:
        _replace_changed(con, changed_rows, run_id=run_id, now=now)
    if new_rows:
        con.register("_new_offers", offers_table(new_rows, run_id, now))
        con.register("_new_competences", _competences_table(new_rows))
        try:
            con.execute(f"INSERT INTO offers ({', '.join(COLUMN_NAMES)}) SELECT * FROM _new_offers")
            con.execute("INSERT INTO offer_source_competences SELECT * FROM _new_competences")
        finally:
            con.unregister("_new_offers")
            con.unregister("_new_competences")
    if unchanged_ids:
        touch_offers(con, unchanged_ids, run_id=run_id)
    return counts


def _replace_changed(con: duckdb.DuckDBPyConnection, rows: Sequence[OfferRow], *, run_id: str, now: datetime) -> None:
    keep = [name for name in COLUMN_NAMES if name not in ("id", "first_seen_run")]
    assignments = ", ".join(f"{name} = excluded.{name}" for name in keep)
    con.register("_changed_ids", _ids_table(row.offer.id for row in rows))
    con.register("_changed_offers", offers_table(rows, run_id, now))
    con.register("_changed_competences", _competences_table(rows))
    try:
        con.execute(
            f"INSERT INTO offer_versions ({', '.join(COLUMN_NAMES)}, superseded_run, superseded_at) "
            f"SELECT {', '.join('o.' + n for n in COLUMN_NAMES)}, ?, ? "
            "FROM offers o JOIN _changed_ids c ON o.id = c.id",
            [run_id, now],
        )
        con.execute(
            f"INSERT INTO offers ({', '.join(COLUMN_NAMES)}) SELECT * FROM _changed_offers "
            f"ON CONFLICT (id) DO UPDATE SET {assignments}"
        )
        con.execute("DELETE FROM offer_source_competences WHERE offer_id IN (SELECT id FROM _changed_ids)")
        con.execute("INSERT INTO offer_source_competences SELECT * FROM _changed_competences")
    finally:
        for name in ("_changed_ids", "_changed_offers", "_changed_competences"):
            con.unregister(name)


def touch_offers(con: duckdb.DuckDBPyConnection, ids: Sequence[str], *, run_id: str) -> None:
    """Mark offers as seen again by this run (``last_seen_run``)."""
    con.register("_seen_ids", _ids_table(ids))
    try:
        con.execute("UPDATE offers SET last_seen_run = ? WHERE id IN (SELECT id FROM _seen_ids)", [run_id])
    finally:
        con.unregister("_seen_ids")


def touch_raw_hashes(con: duckdb.DuckDBPyConnection, raw_hashes: Sequence[str], *, run_id: str) -> int:
    """Mark the offers whose raw source record is byte-identical to one of ``raw_hashes`` as seen; their count."""
    if not raw_hashes:
        return 0
    con.register("_seen_raw", _ids_table(raw_hashes, "raw_hash"))
    try:
        con.execute("UPDATE offers SET last_seen_run = ? WHERE raw_hash IN (SELECT raw_hash FROM _seen_raw)", [run_id])
    finally:
        con.unregister("_seen_raw")
    return len(raw_hashes)


def stored_raw_hashes(con: duckdb.DuckDBPyConnection, source: str) -> set[str]:
    """Raw hashes of a source's records already processed (current rows and superseded versions).

    A re-read record with one of them is skipped unparsed: re-ingesting a file stores nothing new, and two
    files holding different versions of one offer do not overwrite each other on every run.
    """
    rows = con.execute(
        "SELECT raw_hash FROM offers WHERE source = ? UNION SELECT raw_hash FROM offer_versions WHERE source = ?",
        [source, source],
    ).fetchall()
    return {h for (h,) in rows if h}


def count_offers(con: duckdb.DuckDBPyConnection, source: str | None = None) -> int:
    sql, params = "SELECT count(*) FROM offers", []
    if source:
        sql, params = sql + " WHERE source = ?", [source]
    row = con.execute(sql, params).fetchone()
    return int(row[0]) if row else 0


def set_run_message(con: duckdb.DuckDBPyConnection, run_id: str, message: str) -> None:
    """Replace a run's message (file-level warnings such as unknown CSV columns)."""
    con.execute("UPDATE ingest_runs SET message = ? WHERE run_id = ?", [message, run_id])


def mark_interrupted_runs(con: duckdb.DuckDBPyConnection, sources: Sequence[str]) -> int:
    """Runs of these sources still ``running`` were killed (DuckDB admits one writer): mark them ``failed``."""
    if not sources:
        return 0
    marks = ", ".join("?" for _ in sources)
    row = con.execute(
        f"UPDATE ingest_runs SET status = 'failed', finished_at = now(), "
        f"message = coalesce(message, '') || 'interrupted (process stopped before the end)' "
        f"WHERE status = 'running' AND source IN ({marks}) RETURNING run_id",
        list(sources),
    ).fetchall()
    return len(row)


#: WAL size that triggers a checkpoint while offers are ingested. DuckDB's default (16 MiB) checkpoints after
#: nearly every batch, and a checkpoint rewrites the primary-key index: quadratic on large files. Far above it
#: (1 GB) the data not yet checkpointed stays in memory and the process grew with the file (1.3 GB at 200,000
#: offers whatever the memory limit); at 256 MB a checkpoint comes every ~60,000 offers and memory is bounded.
#: Commits still go to the write-ahead log, so a killed ingest loses nothing that was committed.
INGEST_CHECKPOINT_THRESHOLD = "256MB"
#: DuckDB's memory limit while offers are ingested. By default (80 % of RAM) its buffer pool keeps every block
#: the ingest wrote (+19 MB per 5,000 offers); bounded, DuckDB evicts them once they are in the database file.
INGEST_MEMORY_LIMIT = "256MB"
_BULK_SETTINGS = {"checkpoint_threshold": INGEST_CHECKPOINT_THRESHOLD, "memory_limit": INGEST_MEMORY_LIMIT}
_SIZE = re.compile(r"^\d+(\.\d+)? ?[KMGT]?i?B$")


def defer_checkpoints(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Set DuckDB up for a bulk ingest (checkpoint threshold, memory limit); returns the previous values::

    previous = defer_checkpoints(con)
    ...  # write the batches
    restore_checkpoints(con, previous)
    """
    previous: dict[str, str] = {}
    for name, value in _BULK_SETTINGS.items():
        row = con.execute("SELECT current_setting(?)", [name]).fetchone()
        previous[name] = str(row[0]) if row else ""
        con.execute(f"SET {name} = '{value}'")  # names and values are the constants above
    return previous


def restore_checkpoints(con: duckdb.DuckDBPyConnection, previous: dict[str, str]) -> None:
    """Put the settings back: DuckDB's default when that is what they were, else the value DuckDB reported.

    (DuckDB shows sizes rounded down — ``2.7 GiB`` — so setting the shown value back would shrink it a little
    on every ingest; a default is restored exactly by ``RESET``.)
    """
    for name in _BULK_SETTINGS:
        value = previous.get(name, "")
        con.execute(f"RESET {name}")
        row = con.execute("SELECT current_setting(?)", [name]).fetchone()
        if _SIZE.match(value) and (str(row[0]) if row else "") != value:
            con.execute(f"SET {name} = '{value}'")
