"""Broken taxonomy files: a TaxonomyError naming file, line and column, and the database left as it was.

Each test copies the real file, breaks it the way real files break (missing, truncated, cp1252 bytes,
renamed column, duplicated code), and loads into a copy of the loaded database.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from grepp.errors import TaxonomyError
from grepp.taxonomy.releases import load_all

APPELLATIONS = "rome/v460/unix_referentiel_appellation_v460_utf8.csv"
CODES = "rome/v460/unix_referentiel_code_rome_v460_utf8.csv"
ESCO_OCCUPATIONS = "esco/v1.1.1-en/occupations_en.csv"


def _records(data: bytes) -> list[tuple[int, int]]:
    """(first line, byte offset) of each CSV record after the header."""
    text = data.decode("utf-8")
    starts, offset, line = [], 0, 1
    for raw in io.StringIO(text, newline="").readlines():
        starts.append((line, offset))
        offset += len(raw.encode("utf-8"))
        line += 1
    # keep only lines that start a record (records may span several physical lines)
    reader = csv.reader(io.StringIO(text, newline=""))
    first_lines, previous = [], 0
    for _ in reader:
        first_lines.append(previous + 1)
        previous = reader.line_num
    by_line = dict(starts)
    return [(n, by_line[n]) for n in first_lines[1:]]


def _load_fails(
    con: duckdb.DuckDBPyConnection, data: Path, snapshot: Callable[[duckdb.DuckDBPyConnection], object]
) -> str:
    before = snapshot(con)
    with pytest.raises(TaxonomyError) as info:
        load_all(con, data)
    assert snapshot(con) == before
    return str(info.value)


def test_missing_file(taxonomy_con: duckdb.DuckDBPyConnection, make_data_dir, db_snapshot) -> None:  # type: ignore[no-untyped-def]
    data = make_data_dir({APPELLATIONS: None})
    message = _load_fails(taxonomy_con, data, db_snapshot)
    assert "taxonomy file missing" in message and "unix_referentiel_appellation_v460_utf8.csv" in message


def test_truncated_file(taxonomy_con: duckdb.DuckDBPyConnection, make_data_dir, db_snapshot, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    real = (data_dir / APPELLATIONS).read_bytes()
    line, offset = _records(real)[5000]
    cut = offset + 14  # in the middle of record 5000, inside its quoted long label

    message = _load_fails(taxonomy_con, make_data_dir({APPELLATIONS: lambda b: b[:cut]}), db_snapshot)
    assert f"unix_referentiel_appellation_v460_utf8.csv line {line}, column libelle_appellation_long" in message
    assert "truncated" in message


def test_cp1252_bytes_in_a_utf8_file(
    taxonomy_con: duckdb.DuckDBPyConnection, make_data_dir, db_snapshot, data_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    real = (data_dir / APPELLATIONS).read_bytes()
    line, offset = _records(real)[100]
    end = real.index(b"\n", offset)
    record = real[offset:end]
    bad = record.decode("utf-8").encode("cp1252")
    assert bad != record, "the chosen record must have accented letters"
    altered = real[:offset] + bad + real[end:]
    column = "libelle_appellation_long"

    message = _load_fails(taxonomy_con, make_data_dir({APPELLATIONS: lambda b: altered}), db_snapshot)
    assert f"unix_referentiel_appellation_v460_utf8.csv line {line}, column {column}" in message
    assert "not valid utf-8" in message


def test_renamed_column(taxonomy_con: duckdb.DuckDBPyConnection, make_data_dir, db_snapshot) -> None:  # type: ignore[no-untyped-def]
    def rename(b: bytes) -> bytes:
        header, rest = b.split(b"\n", 1)
        return header.replace(b'"code_rome",', b'"rome_code",', 1) + b"\n" + rest

    message = _load_fails(taxonomy_con, make_data_dir({APPELLATIONS: rename}), db_snapshot)
    assert "unix_referentiel_appellation_v460_utf8.csv line 1, column code_rome" in message
    assert "missing or renamed" in message


def test_missing_column(taxonomy_con: duckdb.DuckDBPyConnection, make_data_dir, db_snapshot, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.reader(io.StringIO((data_dir / CODES).read_text(encoding="utf-8"), newline="")))
    drop = rows[0].index("libelle_rome")
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows([r[:drop] + r[drop + 1 :] for r in rows])
    data = make_data_dir({CODES: lambda b: out.getvalue().encode("utf-8")})

    message = _load_fails(taxonomy_con, data, db_snapshot)
    assert "unix_referentiel_code_rome_v460_utf8.csv line 1, column libelle_rome" in message


def test_duplicated_code(taxonomy_con: duckdb.DuckDBPyConnection, make_data_dir, db_snapshot, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    real = (data_dir / CODES).read_bytes()
    first = real.split(b"\n")[1]  # A1101
    lines = real.count(b"\n") + (0 if real.endswith(b"\n") else 1)
    altered = real.rstrip(b"\n") + b"\n" + first + b"\n"

    message = _load_fails(taxonomy_con, make_data_dir({CODES: lambda b: altered}), db_snapshot)
    assert f"unix_referentiel_code_rome_v460_utf8.csv line {lines + 1}, column code_rome" in message
    assert "duplicated code 'A1101' (first at line 2)" in message


def test_esco_duplicated_uri(
    taxonomy_con: duckdb.DuckDBPyConnection, make_data_dir, db_snapshot, data_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    real = (data_dir / ESCO_OCCUPATIONS).read_bytes()
    records = _records(real)
    uri = b"http://data.europa.eu/esco/occupation/00030d09-2b3a-4efd-87cc-c4ea39d27c34"
    second_line, second = records[1]
    end = real.index(b",", real.index(b",", second) + 1)  # conceptType,conceptUri,
    start = real.index(b",", second) + 1
    altered = real[:start] + uri + real[end:]

    message = _load_fails(taxonomy_con, make_data_dir({ESCO_OCCUPATIONS: lambda b: altered}), db_snapshot)
    assert f"occupations_en.csv line {second_line}, column conceptUri: duplicated code" in message


def test_esco_truncated_in_a_multiline_field(
    taxonomy_con: duckdb.DuckDBPyConnection, make_data_dir, db_snapshot
) -> None:  # type: ignore[no-untyped-def]
    def cut(b: bytes) -> bytes:
        return b[: b.index(b"technical and operations director") + 10]  # inside the altLabels of record 1

    message = _load_fails(taxonomy_con, make_data_dir({ESCO_OCCUPATIONS: cut}), db_snapshot)
    assert "occupations_en.csv line 2, column altLabels" in message and "truncated" in message


def test_a_fresh_database_stays_empty(tmp_path: Path, make_data_dir) -> None:  # type: ignore[no-untyped-def]
    from grepp.store import taxonomy as store
    from grepp.store.db import connect

    with connect(tmp_path / "fresh.duckdb") as con:
        with pytest.raises(TaxonomyError, match="duplicated code"):
            load_all(con, make_data_dir({CODES: lambda b: b + b.split(b"\n")[1] + b"\n"}))
        assert store.releases(con) == []
        assert store.table_counts(con, "rome", "v460")["taxonomy_occupations"] == 0
