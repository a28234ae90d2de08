from __future__ import annotations

import duckdb

from grepp.errors import RecordError
from grepp.store.runs import RunReport, finish_run, reject, start_run


def test_run_report_is_stored(con: duckdb.DuckDBPyConnection) -> None:
    run = start_run(con, "test-source", "file.jsonl")
    finish_run(con, run, RunReport(read=3, stored=2, rejected=1))
    row = con.execute("SELECT status, n_read, n_stored, n_rejected FROM ingest_runs WHERE run_id = ?", [run]).fetchone()
    assert row == ("ok", 3, 2, 1)


def test_rejecting_the_same_record_twice_keeps_one_row(con: duckdb.DuckDBPyConnection) -> None:
    error = RecordError("missing", source="file.jsonl", location="line 3", field="id")
    for _ in range(2):
        reject(con, start_run(con, "test-source", "file.jsonl"), error, '{"x": 1}')
    rows = con.execute("SELECT source, location, field, reason FROM rejected_records").fetchall()
    assert rows == [("file.jsonl", "line 3", "id", "missing")]
    assert str(error) == "file.jsonl, line 3, field 'id': missing"
