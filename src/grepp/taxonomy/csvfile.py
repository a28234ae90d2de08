"""Strict reading of the taxonomy CSV files: every defect is a TaxonomyError naming file, line and column.

The taxonomy files are reference data: a missing file, a truncated one, bytes in the wrong encoding, a
renamed column or a duplicated code means the release is broken, so the whole load stops (nothing is
stored) and the error says exactly where to look::

    table = read_csv(path, required=("code_rome", "libelle_rome"), unique=("code_rome",))
    table.value(0, "code_rome")    # 'A1101'
    table.where(0, "code_rome")    # '…/unix_referentiel_code_rome_v460_utf8.csv line 2, column code_rome'

Parsing is Python's ``csv`` module (strict mode): it gives each record's first physical line, which
DuckDB's ``read_csv`` errors do not name reliably; the whole of ROME and ESCO parses in a few seconds.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from grepp.errors import TaxonomyError

csv.field_size_limit(16 * 1024 * 1024)


@dataclass(frozen=True)
class CsvTable:
    """The records of one CSV file with the first physical line of each (for error messages)."""

    path: Path
    header: tuple[str, ...]
    rows: list[list[str]]
    lines: list[int]

    def index(self, column: str) -> int:
        """Position of ``column`` in the header."""
        return self.header.index(column)

    def column(self, name: str) -> list[str]:
        """Every value of one column, in file order."""
        i = self.header.index(name)
        return [row[i] for row in self.rows]

    def value(self, row: int, column: str) -> str:
        return self.rows[row][self.header.index(column)]

    def where(self, row: int, column: str) -> str:
        """``<file> line N, column C`` for the record at ``row``."""
        return f"{self.path} line {self.lines[row]}, column {column}"

    def error(self, row: int, column: str, message: str) -> TaxonomyError:
        return TaxonomyError(f"{self.where(row, column)}: {message}", hint=_HINT)

    def __len__(self) -> int:
        return len(self.rows)


_HINT = "the taxonomy release is damaged: restore the original file; nothing was loaded"


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """The whole file decoded; a missing file or a bad byte is a TaxonomyError with line and column."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise TaxonomyError(f"taxonomy file missing: {path}", hint=_HINT) from exc
    except OSError as exc:
        raise TaxonomyError(f"cannot read taxonomy file {path}: {exc}", hint=_HINT) from exc
    if data.startswith(b"\xef\xbb\xbf") and encoding == "utf-8":
        data = data[3:]
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _encoding_error(path, data, exc) from exc


def _encoding_error(path: Path, data: bytes, exc: UnicodeDecodeError) -> TaxonomyError:
    """Locate the first undecodable byte: its line, and the CSV column it falls in."""
    line_start = data.rfind(b"\n", 0, exc.start) + 1
    line = data.count(b"\n", 0, exc.start) + 1
    header = data[: data.find(b"\n")].decode(exc.encoding, "replace").strip()
    prefix = data[line_start : exc.start].decode(exc.encoding, "replace")
    fields = next(csv.reader([prefix + "x"]), [""])
    names = next(csv.reader([header]), [])
    position = len(fields) - 1
    column = names[position] if 0 <= position < len(names) else f"#{position + 1}"
    bad = data[exc.start : exc.start + 4]
    return TaxonomyError(
        f"{path} line {line}, column {column}: byte(s) {bad!r} are not valid {exc.encoding} "
        f"(file in the wrong encoding, e.g. cp1252?)",
        hint=_HINT,
    )


def read_csv(
    path: Path,
    *,
    required: Sequence[str],
    unique: Sequence[str] = (),
    nonempty: Iterable[str] = (),
    encoding: str = "utf-8",
    delimiter: str = ",",
    allow_empty: bool = False,
    pad_short_rows: bool = False,
) -> CsvTable:
    """Parse one CSV file strictly.

    ``required`` columns must be in the header (others are allowed and kept); ``unique`` columns
    together form a key that must not repeat; ``nonempty`` columns must have a value on every record.
    A record with the wrong number of fields (a truncated file) or an unterminated quote is an error,
    except that ``pad_short_rows`` accepts records missing trailing fields (ESCO's skillsHierarchy).
    """
    text = read_text(path, encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = tuple(h.strip() for h in next(reader))
    except StopIteration:
        raise TaxonomyError(f"{path} line 1: empty file, no header (truncated?)", hint=_HINT) from None
    except csv.Error as exc:
        raise TaxonomyError(f"{path} line 1: unreadable header: {exc}", hint=_HINT) from exc
    missing = [c for c in required if c not in header]
    if missing:
        raise TaxonomyError(
            f"{path} line 1, column {missing[0]}: column missing or renamed (header has: {', '.join(header)})",
            hint=_HINT,
        )
    width = len(header)
    rows: list[list[str]] = []
    lines: list[int] = []
    previous = reader.line_num
    try:
        for row in reader:
            start = previous + 1
            previous = reader.line_num
            if len(row) != width:
                if not row or row == [""]:
                    continue  # a blank line (e.g. a trailing newline pair)
                if pad_short_rows and len(row) < width:
                    rows.append(row + [""] * (width - len(row)))
                    lines.append(start)
                    continue
                column = header[len(row)] if len(row) < width else f"#{len(row)}"
                raise TaxonomyError(
                    f"{path} line {start}, column {column}: {len(row)} fields instead of {width} "
                    f"(truncated or malformed record)",
                    hint=_HINT,
                )
            rows.append(row)
            lines.append(start)
    except csv.Error as exc:
        column = _last_column(text, previous + 1, header, delimiter)
        raise TaxonomyError(
            f"{path} line {previous + 1}, column {column}: {exc} (truncated file or unbalanced quotes)", hint=_HINT
        ) from exc
    table = CsvTable(path, header, rows, lines)
    if not rows and not allow_empty:
        raise TaxonomyError(f"{path} line 2: no records after the header (truncated?)", hint=_HINT)
    for name in nonempty:
        i = table.index(name)
        for n, row in enumerate(rows):
            if not row[i].strip():
                raise table.error(n, name, "empty value")
    if unique:
        _check_unique(table, unique)
    return table


def _last_column(text: str, line: int, header: tuple[str, ...], delimiter: str) -> str:
    """The column in which the unfinished record starting at ``line`` stops (closing its open quote)."""
    rest = "".join(text.splitlines(keepends=True)[line - 1 :])
    try:
        fields = next(csv.reader(io.StringIO(rest + '"', newline=""), delimiter=delimiter), [])
    except csv.Error:
        return "?"
    position = max(len(fields) - 1, 0)
    return header[position] if position < len(header) else f"#{position + 1}"


def _check_unique(table: CsvTable, key: Sequence[str]) -> None:
    positions = [table.index(c) for c in key]
    seen: dict[tuple[str, ...], int] = {}
    for n, row in enumerate(table.rows):
        value = tuple(row[i] for i in positions)
        first = seen.setdefault(value, n)
        if first != n:
            shown = "/".join(value)
            raise table.error(
                n, key[-1], f"duplicated code {shown!r} (first at line {table.lines[first]}); codes must be unique"
            )


def check_known(table: CsvTable, column: str, known: Collection[str], what: str) -> None:
    """Every value of ``column`` must be one of ``known`` (a code defined in another file)."""
    i = table.index(column)
    for n, row in enumerate(table.rows):
        if row[i] not in known:
            raise table.error(n, column, f"unknown {what} {row[i]!r} (its defining file is truncated or damaged?)")


#: ``read(name, required, unique=(), ...)`` of a parser: reads one file of the release being parsed.
Reader = Callable[..., CsvTable]


def columns(table: CsvTable, *names: str) -> list[tuple[str, ...]]:
    """The values of some columns, record by record."""
    idx = [table.index(n) for n in names]
    return [tuple(row[i] for i in idx) for row in table.rows]


def to_int(table: CsvTable, n: int, column: str, value: str) -> int | None:
    """An integer field of record ``n`` (empty → None); a non-number is an error naming its place."""
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise table.error(n, column, f"not a number: {value!r}") from None
