"""Open-data CSV files as published: UTF-8 or cp1252, with or without BOM, `,` or `;`, CRLF or LF.

The statistics and geography loaders read INSEE, DARES and France Travail files through
:func:`read_table`, which checks the header once (a missing column is a :class:`SourceError` naming the
file and the column) and yields each record with its line number, so a bad record can be rejected with
its location while the batch goes on. :class:`LoadBatch` writes a load's tables in one transaction with
one run report per table::

    with LoadBatch(con, "insee-geo", {"geo_zones_emploi": "Export_Communes_Zones_Emploi_2020.csv"}) as batch:
        table = read_table(path, required=("codgeo", "codze2020"))
        rows = batch.each("geo_zones_emploi", table, lambda line, r: (r["codze2020"], r["libze2020"], ...))
        reports = batch.write([TableWrite("geo_zones_emploi", columns, ["zone_emploi"], rows)])
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import duckdb

from grepp.errors import GreppError, RecordError, SourceError, StoreError
from grepp.store.db import transaction
from grepp.store.geo import replace_rows
from grepp.store.runs import RunReport, finish_run, reject, start_run

T = TypeVar("T")


def read_text(path: Path) -> tuple[str, str]:
    """The file's text and its encoding: ``utf-8``, ``cp1252``, or ``utf-8+cp1252`` for a mixed file.

    Decoding falls back line by line, so a UTF-8 file with a few Windows-1252 lines (or cut in the middle
    of a character) keeps its other accents right instead of turning every "é" into "Ã©".
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise SourceError(f"{path}: file not found", hint="check the data directory (GREPP_DATA)") from exc
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc}") from exc
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    lines: list[str] = []
    utf8_accents = False
    for i, chunk in enumerate(raw.split(b"\n")):
        try:
            line = chunk.decode("utf-8-sig" if i == 0 else "utf-8")
            utf8_accents = utf8_accents or not chunk.isascii()
        except UnicodeDecodeError:
            line = chunk.decode("cp1252", errors="replace")
        lines.append(line)
    return "\n".join(lines), "utf-8+cp1252" if utf8_accents else "cp1252"


@dataclass
class Table:
    """A decoded CSV file: its header and a way to iterate its records with line numbers."""

    path: Path
    text: str
    encoding: str
    delimiter: str
    header: list[str]

    def records(self, on_reject: Callable[[RecordError, str], None]) -> Iterator[tuple[int, dict[str, str]]]:
        """(line number, record) for each data row; a short row goes to ``on_reject`` (error, raw line).

        Surrounding spaces are stripped from values; extra trailing cells are ignored; blank lines skipped.
        """
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)
        width = len(self.header)
        try:
            next(reader)
            for cells in reader:
                line = reader.line_num
                if not cells or all(not c.strip() for c in cells):
                    continue
                if len(cells) < width:
                    on_reject(short_row_error(self.path, line, self.header, cells), self.delimiter.join(cells))
                    continue
                yield line, {name: cells[i].strip() for i, name in enumerate(self.header)}
        except csv.Error as exc:
            raise SourceError(f"{self.path.name} line {reader.line_num}: malformed CSV: {exc}") from exc

    def raw_line(self, record: dict[str, str]) -> str:
        """A record written back as one delimited line (the payload kept with a rejection)."""
        return self.delimiter.join(record.get(name, "") for name in self.header)


def short_row_error(path: Path, line: int, header: Sequence[str], cells: Sequence[str]) -> RecordError:
    """The error for a row with fewer cells than the header (a truncated file or a broken line)."""
    missing = header[len(cells)]
    return RecordError(
        f"only {len(cells)} of {len(header)} columns (truncated line?)",
        source=path.name,
        location=f"line {line}",
        field=missing,
    )


def read_table(path: Path, *, required: Sequence[str] = (), delimiter: str | None = None) -> Table:
    """Open a CSV file, detect encoding and delimiter, and check the required columns are in its header."""
    text, encoding = read_text(path)
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise SourceError(f"{path.name}: empty file (no header line)")
    if delimiter is None:
        delimiter = max((";", ",", "\t", "|"), key=first.count)
    header = [h.strip().strip('"').strip() for h in next(csv.reader([first.rstrip("\r")], delimiter=delimiter))]
    missing = [name for name in required if name not in header]
    if missing:
        raise SourceError(
            f"{path.name}: column {missing[0]!r} not found in header ({', '.join(header[:12])})",
            hint="the file's layout changed; check the source's documentation",
        )
    return Table(path=path, text=text, encoding=encoding, delimiter=delimiter, header=header)


def record_text(record: dict[str, str], name: str, *, path: Path, line: int, required: bool = True) -> str:
    """A field's value; an empty required field raises RecordError naming the file, line and field."""
    value = record.get(name, "").strip()
    if required and not value:
        raise RecordError("empty value", source=path.name, location=f"line {line}", field=name)
    return value


def parse_number(value: str, *, path: Path, line: int, field: str) -> float | None:
    """A French or English number ("1 234,5", "1234.5"); "" → None; anything else raises RecordError."""
    cleaned = value.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
    if cleaned in ("", "-", "NA", "nan", "NaN", "n.d."):
        return None
    try:
        return float(cleaned)
    except ValueError as exc:
        raise RecordError(f"not a number: {value!r}", source=path.name, location=f"line {line}", field=field) from exc


@dataclass
class TableWrite:
    """The full new content of one table (or of its ``scope``), keyed by ``key`` for duplicate checks."""

    table: str
    columns: Sequence[str]
    key: Sequence[str]
    rows: Sequence[tuple[object, ...]]
    scope: tuple[str, list[object]] | None = None


@dataclass
class LoadBatch:
    """One load of reference tables: a run report per table, rejects kept, all tables written in one transaction.

    A :class:`GreppError` while parsing marks every run ``failed`` and stores nothing, so a broken file
    never leaves half a table::

        with LoadBatch(con, "insee-geo", {"geo_regions": "v_region_2024.csv"}) as batch:
            ...  # parse, batch.reject("geo_regions", error, raw_line)
            reports = batch.write([TableWrite("geo_regions", columns, ["region"], rows)])
    """

    con: duckdb.DuckDBPyConnection
    source: str
    inputs: dict[str, str]
    runs: dict[str, str] = field(default_factory=dict)
    rejects: dict[str, list[tuple[RecordError, str]]] = field(default_factory=dict)

    def __enter__(self) -> LoadBatch:
        for table, input_name in self.inputs.items():
            self.runs[table] = start_run(self.con, f"{self.source}:{table}", input_name)
            self.rejects[table] = []
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if exc is not None and self.runs:
            for table, run_id in self.runs.items():
                report = RunReport(rejected=len(self.rejects.get(table, [])))
                finish_run(self.con, run_id, report, status="failed", message=str(exc)[:500])
            self.runs = {}

    def reject(self, table: str, error: RecordError, raw: str) -> None:
        """Keep a bad record for ``table``'s report; it is written to rejected_records with the batch."""
        self.rejects[table].append((error, raw))

    def each(self, table: str, source: Table, parse: Callable[[int, dict[str, str]], T | None]) -> list[T]:
        """``parse(line, record)`` for each record of ``source``; a RecordError rejects that record for ``table``.

        None results are dropped (records deliberately skipped, such as identity rows).
        """
        results: list[T] = []

        def keep(error: RecordError, raw: str) -> None:
            self.reject(table, error, raw)

        for line, record in source.records(keep):
            try:
                result = parse(line, record)
            except RecordError as error:
                keep(error, source.raw_line(record))
                continue
            if result is not None:
                results.append(result)
        return results

    def write(self, writes: Sequence[TableWrite]) -> list[RunReport]:
        """Replace each table's rows in one transaction, store the rejects, finish the runs; one report each."""
        reports: list[RunReport] = []
        try:
            with transaction(self.con):
                for item in writes:
                    rows, duplicates = _unique(item)
                    stored, updated, unchanged = replace_rows(
                        self.con, item.table, item.columns, item.key, rows, scope=item.scope
                    )
                    rejects = self.rejects.get(item.table, [])
                    report = RunReport(
                        source=f"{self.source}:{item.table}",
                        input=self.inputs.get(item.table, ""),
                        read=len(item.rows) + len(rejects),
                        stored=stored,
                        updated=updated,
                        unchanged=unchanged,
                        duplicates=duplicates,
                        rejected=len(rejects),
                        errors=[str(error) for error, _ in rejects[:20]],
                    )
                    for error, raw in rejects:
                        reject(self.con, self.runs[item.table], error, raw)
                    finish_run(self.con, self.runs[item.table], report)
                    reports.append(report)
        except GreppError:
            raise
        except duckdb.Error as exc:
            raise StoreError(f"cannot store {self.source} tables: {exc}") from exc
        self.runs = {}
        return reports


def _unique(item: TableWrite) -> tuple[list[tuple[object, ...]], int]:
    """Rows with the first of each key kept, and how many repeated a key (counted as duplicates)."""
    positions = [item.columns.index(k) for k in item.key]
    seen: set[tuple[object, ...]] = set()
    rows: list[tuple[object, ...]] = []
    for row in item.rows:
        key = tuple(row[i] for i in positions)
        if key not in seen:
            seen.add(key)
            rows.append(row)
    return rows, len(item.rows) - len(rows)
