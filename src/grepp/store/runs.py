"""Ingest runs and rejected records: every loader reports through here.

A run is one pass of one source over one input (a file, an API query). Its report counts what was read,
stored, updated, unchanged, duplicated and rejected; a rejected record keeps its location, field, reason
and raw payload. Rejections are keyed by (source, location, payload hash), so re-running the same bad
file does not pile up copies::

    run = start_run(con, "france-travail-file", "offers.jsonl")
    reject(con, run, RecordError("missing", source="offers.jsonl", location="line 3", field="id"), raw)
    finish_run(con, run, RunReport(read=10, stored=9, rejected=1))
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import asdict, dataclass, field

import duckdb

from grepp.errors import RecordError

SCHEMA: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS ingest_runs (
        run_id VARCHAR PRIMARY KEY,
        source VARCHAR NOT NULL,
        input VARCHAR NOT NULL,
        started_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
        finished_at TIMESTAMP,
        status VARCHAR NOT NULL DEFAULT 'running',
        n_read BIGINT DEFAULT 0,
        n_stored BIGINT DEFAULT 0,
        n_updated BIGINT DEFAULT 0,
        n_unchanged BIGINT DEFAULT 0,
        n_duplicates BIGINT DEFAULT 0,
        n_rejected BIGINT DEFAULT 0,
        message VARCHAR
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS rejected_records (
        source VARCHAR NOT NULL,
        location VARCHAR NOT NULL,
        payload_sha1 VARCHAR NOT NULL,
        field VARCHAR,
        reason VARCHAR NOT NULL,
        raw VARCHAR,
        run_id VARCHAR,
        rejected_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
        PRIMARY KEY (source, location, payload_sha1)
    )
    """,
)

#: Raw payloads are kept up to this many characters (a 5 MB bad record is not copied whole).
MAX_RAW_CHARS = 100_000


@dataclass
class RunReport:
    """What one run did. ``read`` = stored + updated + unchanged + duplicates + rejected."""

    source: str = ""
    input: str = ""
    read: int = 0
    stored: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)

    def merge(self, other: RunReport) -> None:
        """Add another report's counts to this one (for per-batch reports)."""
        for name in ("read", "stored", "updated", "unchanged", "duplicates", "rejected"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def start_run(con: duckdb.DuckDBPyConnection, source: str, input_name: str) -> str:
    """Record the start of a run and return its id."""
    run_id = uuid.uuid4().hex
    con.execute("INSERT INTO ingest_runs (run_id, source, input) VALUES (?, ?, ?)", [run_id, source, input_name])
    return run_id


def finish_run(
    con: duckdb.DuckDBPyConnection, run_id: str, report: RunReport, *, status: str = "ok", message: str = ""
) -> None:
    """Store the final counts of a run (status ``ok`` or ``failed``)."""
    con.execute(
        """
        UPDATE ingest_runs SET finished_at = now(), status = ?, n_read = ?, n_stored = ?,
            n_updated = ?, n_unchanged = ?, n_duplicates = ?, n_rejected = ?, message = ?
        WHERE run_id = ?
        """,
        [
            status,
            report.read,
            report.stored,
            report.updated,
            report.unchanged,
            report.duplicates,
            report.rejected,
            message or "; ".join(report.errors[:5]),
            run_id,
        ],
    )


def reject(con: duckdb.DuckDBPyConnection, run_id: str, error: RecordError, raw: str) -> None:
    """Keep a rejected record with its location, field, reason and (truncated) raw payload."""
    digest = hashlib.sha1(raw.encode("utf-8", "replace")).hexdigest()
    con.execute(
        """
        INSERT INTO rejected_records (source, location, payload_sha1, field, reason, raw, run_id)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (source, location, payload_sha1) DO UPDATE SET
            reason = excluded.reason, field = excluded.field, run_id = excluded.run_id,
            rejected_at = now()
        """,
        [error.source, error.location, digest, error.field, error.reason, raw[:MAX_RAW_CHARS], run_id],
    )
