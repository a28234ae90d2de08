"""Tables for trainings and their reference tables; the only SQL for trainings lives here.

``trainings`` holds one row per training action (``training_id = f"{source}:{source_id}"``) with its
``content_hash``; its children (``training_sessions``, ``training_places``, ``training_rome``,
``training_codes``) are rewritten only when that hash changes, so loading a file twice stores nothing
new and a changed record replaces its rows. ``formacode``, ``formacode_rome`` and
``training_dictionaries`` keep the LHEO reference files. Callers run each batch in one transaction::

    with transaction(con):
        counts = save_trainings(con, records, run_id=run, source_version="lheo-2.2", input_file="a.xml")
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import duckdb
import pyarrow as pa

from grepp.sources.training_formacode import DictionaryEntry, FormacodeEntry, FormacodeRome
from grepp.sources.training_record import EXTRACTOR, EXTRACTOR_VERSION, RomeLink, TrainingRecord

SCHEMA: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS trainings (
        training_id VARCHAR PRIMARY KEY,
        source VARCHAR NOT NULL,
        source_id VARCHAR NOT NULL,
        content_hash VARCHAR NOT NULL,
        title VARCHAR,
        objective VARCHAR,
        content VARCHAR,
        provider_name VARCHAR,
        provider_siret VARCHAR,
        provider_address VARCHAR,
        provider_postal_code VARCHAR,
        provider_city VARCHAR,
        provider_commune_insee VARCHAR,
        duration_hours DOUBLE,
        diploma_level VARCHAR,
        certifiante BOOLEAN,
        modality VARCHAR,
        cost_eur DOUBLE,
        url VARCHAR,
        rome_links_status VARCHAR NOT NULL,
        raw_ids VARCHAR,
        extras VARCHAR,
        input_file VARCHAR,
        location VARCHAR,
        source_version VARCHAR,
        extractor VARCHAR NOT NULL,
        extractor_version VARCHAR NOT NULL,
        first_run_id VARCHAR,
        last_run_id VARCHAR,
        created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
        updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS training_sessions (
        training_id VARCHAR NOT NULL,
        session_seq INTEGER NOT NULL,
        session_id VARCHAR,
        start_date DATE,
        end_date DATE,
        mode VARCHAR
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS training_places (
        training_id VARCHAR NOT NULL,
        place_seq INTEGER NOT NULL,
        role VARCHAR,
        name VARCHAR,
        address VARCHAR,
        commune_insee VARCHAR,
        postal_code VARCHAR,
        city VARCHAR,
        departement VARCHAR,
        region VARCHAR,
        latitude DOUBLE,
        longitude DOUBLE
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS training_rome (
        training_id VARCHAR NOT NULL,
        rome_code VARCHAR NOT NULL,
        origin VARCHAR NOT NULL,
        detail VARCHAR,
        rome_version VARCHAR NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS training_codes (
        training_id VARCHAR NOT NULL,
        scheme VARCHAR NOT NULL,
        code VARCHAR NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS formacode (
        code VARCHAR PRIMARY KEY,
        label VARCHAR NOT NULL,
        kind VARCHAR,
        field VARCHAR,
        parent VARCHAR,
        nsf VARCHAR,
        definition VARCHAR,
        synonyms VARCHAR,
        origin_file VARCHAR NOT NULL,
        row_hash VARCHAR NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS formacode_rome (
        formacode VARCHAR NOT NULL,
        rome_code VARCHAR NOT NULL,
        rome_version VARCHAR NOT NULL DEFAULT 'rome-v2',
        rome_label VARCHAR,
        formacode_label VARCHAR,
        origin_file VARCHAR NOT NULL,
        row_hash VARCHAR NOT NULL,
        PRIMARY KEY (formacode, rome_code, origin_file)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS training_dictionaries (
        dictionary VARCHAR NOT NULL,
        code VARCHAR NOT NULL,
        label VARCHAR,
        origin_file VARCHAR NOT NULL,
        row_hash VARCHAR NOT NULL,
        PRIMARY KEY (dictionary, code, origin_file)
    )
    """,
    "CREATE INDEX IF NOT EXISTS training_rome_code_idx ON training_rome (rome_code)",
    "CREATE INDEX IF NOT EXISTS training_rome_id_idx ON training_rome (training_id)",
    "CREATE INDEX IF NOT EXISTS training_codes_id_idx ON training_codes (training_id)",
    "CREATE INDEX IF NOT EXISTS training_places_id_idx ON training_places (training_id)",
    "CREATE INDEX IF NOT EXISTS training_sessions_id_idx ON training_sessions (training_id)",
)

#: Child tables rewritten with their training.
CHILD_TABLES: tuple[str, ...] = ("training_sessions", "training_places", "training_rome", "training_codes")
_STAGED = "grepp_staged_rows"


@dataclass
class SaveCounts:
    """What a save did: new rows, changed rows, rows already there as they are."""

    stored: int = 0
    updated: int = 0
    unchanged: int = 0


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows (dicts keyed by column) in one statement through an Arrow table (fast, typed by name)."""
    if not rows:
        return
    con.register(_STAGED, pa.Table.from_pylist(list(rows)))
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {_STAGED}")
    finally:
        con.unregister(_STAGED)


def _delete_ids(con: duckdb.DuckDBPyConnection, table: str, column: str, ids: Sequence[str]) -> None:
    if ids:
        con.execute(f"DELETE FROM {table} WHERE {column} IN (SELECT unnest(?::VARCHAR[]))", [list(ids)])


def existing_hashes(con: duckdb.DuckDBPyConnection, training_ids: Sequence[str]) -> dict[str, str]:
    """``training_id → content_hash`` of the given trainings already stored."""
    if not training_ids:
        return {}
    rows = con.execute(
        "SELECT training_id, content_hash FROM trainings WHERE training_id IN (SELECT unnest(?::VARCHAR[]))",
        [list(training_ids)],
    ).fetchall()
    return {str(tid): str(digest) for tid, digest in rows}


def _training_row(record: TrainingRecord, run_id: str, input_file: str, source_version: str) -> dict[str, Any]:
    provider = record.provider
    return {
        "training_id": record.training_id,
        "source": record.source,
        "source_id": record.source_id,
        "content_hash": record.content_hash,
        "title": record.title,
        "objective": record.objective,
        "content": record.content,
        "provider_name": provider.name if provider else None,
        "provider_siret": provider.siret if provider else None,
        "provider_address": provider.address if provider else None,
        "provider_postal_code": provider.postal_code if provider else None,
        "provider_city": provider.city if provider else None,
        "provider_commune_insee": provider.commune_insee if provider else None,
        "duration_hours": record.duration_hours,
        "diploma_level": record.diploma_level,
        "certifiante": record.certifiante,
        "modality": record.modality,
        "cost_eur": record.cost_eur,
        "url": record.url,
        "rome_links_status": record.rome_links_status,
        "raw_ids": json.dumps([list(p) for p in record.raw_ids], ensure_ascii=False),
        "extras": json.dumps([list(p) for p in record.extras], ensure_ascii=False),
        "input_file": input_file,
        "location": record.location,
        "source_version": source_version,
        "extractor": EXTRACTOR,
        "extractor_version": EXTRACTOR_VERSION,
        "first_run_id": run_id,
        "last_run_id": run_id,
    }


def _child_rows(records: Iterable[TrainingRecord]) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {table: [] for table in CHILD_TABLES}
    for record in records:
        tid = record.training_id
        for seq, session in enumerate(record.sessions):
            row = {"training_id": tid, "session_seq": seq, **asdict(session)}
            row["start_date"], row["end_date"] = row.pop("start"), row.pop("end")
            rows["training_sessions"].append(row)
        for seq, place in enumerate(record.places):
            rows["training_places"].append({"training_id": tid, "place_seq": seq, **asdict(place)})
        seen: set[tuple[str, str]] = set()
        for link in record.rome_links:
            if (link.rome_code, link.origin) not in seen:
                seen.add((link.rome_code, link.origin))
                rows["training_rome"].append({"training_id": tid, **asdict(link)})
        for scheme, code in dict.fromkeys(record.codes):
            rows["training_codes"].append({"training_id": tid, "scheme": scheme, "code": code})
    return rows


def save_trainings(
    con: duckdb.DuckDBPyConnection,
    records: Sequence[TrainingRecord],
    *,
    run_id: str,
    input_file: str = "",
    source_version: str = "",
) -> SaveCounts:
    """Upsert trainings by id and content hash: new → stored, changed → updated (children rewritten)."""
    counts = SaveCounts()
    known = existing_hashes(con, [r.training_id for r in records])
    new = [r for r in records if r.training_id not in known]
    changed = [r for r in records if r.training_id in known and known[r.training_id] != r.content_hash]
    counts.stored, counts.updated = len(new), len(changed)
    counts.unchanged = len(records) - len(new) - len(changed)
    if changed:
        changed_ids = [r.training_id for r in changed]
        for table in CHILD_TABLES:
            _delete_ids(con, table, "training_id", changed_ids)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE grepp_training_created AS SELECT training_id, first_run_id, created_at "
            "FROM trainings WHERE training_id IN (SELECT unnest(?::VARCHAR[]))",
            [changed_ids],
        )
        _delete_ids(con, "trainings", "training_id", changed_ids)
    _insert(con, "trainings", [_training_row(r, run_id, input_file, source_version) for r in (*new, *changed)])
    if changed:
        # An update keeps when and by which run the training was first stored.
        con.execute(
            "UPDATE trainings SET first_run_id = c.first_run_id, created_at = c.created_at, updated_at = now() "
            "FROM grepp_training_created c WHERE trainings.training_id = c.training_id"
        )
        con.execute("DROP TABLE grepp_training_created")
    for table, rows in _child_rows((*new, *changed)).items():
        _insert(con, table, rows)
    return counts


def touch_unchanged(con: duckdb.DuckDBPyConnection, training_ids: Sequence[str], run_id: str) -> None:
    """Record that a run saw these trainings again, unchanged (``last_run_id``)."""
    if training_ids:
        con.execute(
            "UPDATE trainings SET last_run_id = ? WHERE training_id IN (SELECT unnest(?::VARCHAR[]))",
            [run_id, list(training_ids)],
        )


def _row_hash(row: dict[str, Any]) -> str:
    return hashlib.sha1(json.dumps(row, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _save_reference(
    con: duckdb.DuckDBPyConnection, table: str, keys: tuple[str, ...], rows: Sequence[dict[str, Any]]
) -> SaveCounts:
    """Upsert reference rows by key, comparing a hash of each row; the last duplicate of a key wins."""
    by_key: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        by_key[tuple(row[k] for k in keys)] = {**row, "row_hash": _row_hash(row)}
    key_sql = ", ".join(keys)
    stored = {tuple(r[:-1]): r[-1] for r in con.execute(f"SELECT {key_sql}, row_hash FROM {table}").fetchall()}
    new = [row for key, row in by_key.items() if key not in stored]
    changed = [row for key, row in by_key.items() if key in stored and stored[key] != row["row_hash"]]
    if changed:
        con.register(_STAGED, pa.Table.from_pylist(changed))
        try:
            match = " AND ".join(f"{table}.{k} = s.{k}" for k in keys)
            con.execute(f"DELETE FROM {table} USING {_STAGED} s WHERE {match}")
        finally:
            con.unregister(_STAGED)
    _insert(con, table, [*new, *changed])
    return SaveCounts(stored=len(new), updated=len(changed), unchanged=len(by_key) - len(new) - len(changed))


def save_formacode(con: duckdb.DuckDBPyConnection, entries: Sequence[FormacodeEntry], origin_file: str) -> SaveCounts:
    """Upsert the Formacode thesaurus (one row per code)."""
    return _save_reference(con, "formacode", ("code",), [{**asdict(e), "origin_file": origin_file} for e in entries])


def save_formacode_rome(con: duckdb.DuckDBPyConnection, links: Sequence[FormacodeRome]) -> SaveCounts:
    """Upsert Formacode ↔ ROME v2 links (one row per Formacode, ROME code and file)."""
    rows = [{**asdict(link), "rome_version": "rome-v2"} for link in links]
    return _save_reference(con, "formacode_rome", ("formacode", "rome_code", "origin_file"), rows)


def save_dictionaries(con: duckdb.DuckDBPyConnection, entries: Sequence[DictionaryEntry]) -> SaveCounts:
    """Upsert LHEO GML dictionary entries (NSF, ROME v2, Formacode, niveaux …)."""
    rows = [asdict(e) for e in entries]
    return _save_reference(con, "training_dictionaries", ("dictionary", "code", "origin_file"), rows)


def formacode_rome_links(con: duckdb.DuckDBPyConnection) -> list[FormacodeRome]:
    """Every stored Formacode ↔ ROME link, the LHEO ROME table first (it is the curated one)."""
    rows = con.execute(
        "SELECT formacode, rome_code, rome_label, formacode_label, origin_file FROM formacode_rome "
        "ORDER BY origin_file LIKE 'Rome%' DESC, origin_file, formacode, rome_code"
    ).fetchall()
    return [FormacodeRome(*(str(v or "") for v in row)) for row in rows]


@dataclass(frozen=True)
class TrainingText:
    """What an occupation coder reads of a training whose ROME links are still pending."""

    training_id: str
    content_hash: str
    title: str
    objective: str
    content: str


def pending_rome_trainings(con: duckdb.DuckDBPyConnection, limit: int | None = None) -> list[TrainingText]:
    """Trainings with no ROME link yet (``rome_links_status = 'pending'``) and a title, oldest first.

    >>> [t.training_id for t in pending_rome_trainings(con, limit=2)]   # doctest: +SKIP
    ['grand-est-formations:4606969175ab1759', ...]
    """
    sql = (
        "SELECT training_id, content_hash, title, coalesce(objective, ''), coalesce(content, '') FROM trainings "
        "WHERE rome_links_status = 'pending' AND coalesce(title, '') <> '' ORDER BY created_at, training_id"
    )
    params: list[object] = []
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [TrainingText(*(str(v) for v in row)) for row in con.execute(sql, params).fetchall()]


def recodable_trainings(con: duckdb.DuckDBPyConnection, coder: str, current: str) -> list[TrainingText]:
    """Trainings coded only by other versions of a coder (``coder`` is its name, ``current`` its versioned
    name, e.g. ``occupations.hybrid`` and ``occupations.hybrid.v7``): a newer model codes them again."""
    rows = con.execute(
        """
        SELECT t.training_id, t.content_hash, t.title, coalesce(t.objective, ''), coalesce(t.content, '')
        FROM trainings t
        WHERE t.rome_links_status = 'coded' AND coalesce(t.title, '') <> ''
          AND EXISTS (SELECT 1 FROM training_rome r WHERE r.training_id = t.training_id AND r.origin LIKE ? || '.v%')
          AND NOT EXISTS (SELECT 1 FROM training_rome r WHERE r.training_id = t.training_id AND r.origin = ?)
        ORDER BY t.created_at, t.training_id
        """,
        [coder, current],
    ).fetchall()
    return [TrainingText(*(str(v) for v in row)) for row in rows]


def save_coded_rome_links(
    con: duckdb.DuckDBPyConnection,
    training: TrainingText,
    links: Sequence[RomeLink],
    *,
    origin: str,
    replaces: str | None = None,
) -> bool:
    """Store ROME links found by a coder (``origin`` names it, e.g. ``occupations.hybrid.v1``).

    Nothing is stored, and ``False`` returned, when the training changed since it was read (its content
    hash differs): its text must be coded again. Links of the same origin are replaced, and those of the
    other versions of the coder named ``replaces`` (``occupations.hybrid``); the status becomes ``coded``.
    A later ingest that changes the training rewrites its links (status ``pending``).
    """
    current = existing_hashes(con, [training.training_id]).get(training.training_id)
    if current != training.content_hash:
        return False
    con.execute("DELETE FROM training_rome WHERE training_id = ? AND origin = ?", [training.training_id, origin])
    if replaces is not None and links:
        con.execute(
            "DELETE FROM training_rome WHERE training_id = ? AND origin LIKE ? || '.v%'",
            [training.training_id, replaces],
        )
    _insert(
        con,
        "training_rome",
        [
            {**asdict(link), "training_id": training.training_id, "origin": origin}
            for link in {link.rome_code: link for link in links}.values()
        ],
    )
    if links:
        con.execute(
            "UPDATE trainings SET rome_links_status = 'coded' WHERE training_id = ? AND rome_links_status = 'pending'",
            [training.training_id],
        )
    return True


def training_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per source in ``trainings`` (for reports and benchmarks)."""
    rows = con.execute("SELECT source, count(*) FROM trainings GROUP BY source ORDER BY source").fetchall()
    return {str(source): int(n) for source, n in rows}
