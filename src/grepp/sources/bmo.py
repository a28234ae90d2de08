"""BMO (Besoins en Main-d'Œuvre, France Travail): hiring projects by bassin d'emploi × FAP métier.

Reads ``stats/bmo-and-zones/Base_open_data_BMO_2024.xlsx`` with openpyxl in read-only (streaming) mode,
sheet ``BMO_2024_open_data``: ``met`` (hiring projects), ``xmet`` (of which judged difficult), ``smet``
(of which seasonal). ``*`` marks a figure kept secret (too few answers): it is stored as NULL with its
``secret_*`` flag, never as zero. All regions are kept; Grand Est is ``region = '44'`` (5,159 rows,
43 bassins in 2024)::

    load_bmo(con, data_dir)          # -> [RunReport(read=53443, stored=53443, ...)]
    bmo_region(con, "44")            # Grand Est rows
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb

from grepp.errors import RecordError, SourceError
from grepp.sources.opendata import LoadBatch, TableWrite
from grepp.store.runs import RunReport

LOADER = "grepp.sources.bmo/1"
BMO_FILE = "stats/bmo-and-zones/Base_open_data_BMO_2024.xlsx"

#: The columns of the open-data sheet, as France Travail names them, and ours.
COLUMNS: dict[str, str] = {
    "annee": "year",
    "Code métier BMO": "fap_code",
    "Nom métier BMO": "fap_label",
    "Famille_met": "family_code",
    "Lbl_fam_met": "family_label",
    "REG": "region",
    "Dept": "departement",
    "met": "projects",
    "xmet": "projects_difficult",
    "smet": "projects_seasonal",
}
#: The bassin columns carry the survey year ("BE24", "NOMBE24").
BASSIN_CODE = re.compile(r"^BE\d{2}$")
BASSIN_NAME = re.compile(r"^NOMBE\d{2}$")
SECRET = "*"

TABLE_COLUMNS = (
    "year",
    "region",
    "departement",
    "bassin_bmo",
    "bassin_name",
    "fap_code",
    "fap_label",
    "family_code",
    "family_label",
    "projects",
    "projects_difficult",
    "projects_seasonal",
    "secret_projects",
    "secret_difficult",
    "secret_seasonal",
    "source",
    "loader",
)


def load_bmo(con: duckdb.DuckDBPyConnection, data_dir: Path, path: Path | None = None) -> list[RunReport]:
    """Load the BMO survey into ``bmo_projects``, replacing the rows of the same year(s)."""
    path = path or data_dir / BMO_FILE
    with LoadBatch(con, "bmo", {"bmo_projects": path.name}) as batch:
        rows: list[tuple[object, ...]] = []
        for raw, parsed in _sheet_rows(path):
            if isinstance(parsed, RecordError):
                batch.reject("bmo_projects", parsed, raw)
            else:
                rows.append(parsed)
        if not rows:
            raise SourceError(f"{path.name}: no BMO rows found")
        years = sorted({int(str(row[0])) for row in rows})
        marks = ", ".join("?" for _ in years)
        params: list[object] = [*years]
        return batch.write([TableWrite("bmo_projects", TABLE_COLUMNS, KEY, rows, (f"year IN ({marks})", params))])


KEY = ("year", "bassin_bmo", "departement", "fap_code")


def _sheet_rows(path: Path) -> Iterator[tuple[str, tuple[object, ...] | RecordError]]:
    """(raw row, parsed row or the error that rejects it) for each data row of the BMO sheet."""
    from openpyxl import load_workbook  # imported here: opening the CLI must not pay for openpyxl

    if not path.is_file():
        raise SourceError(f"{path}: file not found", hint="check the data directory (GREPP_DATA)")
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/ValueError on damaged files
        raise SourceError(f"{path.name}: not a readable Excel workbook: {exc}") from exc
    try:
        sheets = [ws for ws in workbook.worksheets if ws.title.upper().startswith("BMO")]
        if not sheets:
            names = ", ".join(ws.title for ws in workbook.worksheets)
            raise SourceError(f"{path.name}: no sheet named BMO_… (sheets: {names})")
        sheet = sheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [str(cell).strip() if cell is not None else "" for cell in next(rows, ())]
        index = _header_index(path, sheet.title, header)
        for number, cells in enumerate(rows, start=2):
            if cells is None or all(cell is None or str(cell).strip() == "" for cell in cells):
                continue
            location = f"sheet {sheet.title} row {number}"
            raw = ";".join("" if cell is None else str(cell) for cell in cells)
            try:
                yield raw, _parse(path, location, cells, index)
            except RecordError as error:
                yield raw, error
    finally:
        workbook.close()


def _header_index(path: Path, sheet: str, header: list[str]) -> dict[str, int]:
    """Our column name → cell index; a missing column is a SourceError naming file, sheet and column."""
    index: dict[str, int] = {}
    for theirs, ours in COLUMNS.items():
        if theirs not in header:
            raise SourceError(
                f"{path.name}, sheet {sheet}: column {theirs!r} not found (header: {', '.join(header)})",
                hint="the BMO file layout changed; update grepp.sources.bmo.COLUMNS",
            )
        index[ours] = header.index(theirs)
    for pattern, ours, example in ((BASSIN_CODE, "bassin_bmo", "BE24"), (BASSIN_NAME, "bassin_name", "NOMBE24")):
        found = [i for i, name in enumerate(header) if pattern.match(name)]
        if not found:
            raise SourceError(f"{path.name}, sheet {sheet}: column {example!r} not found (header: {', '.join(header)})")
        index[ours] = found[0]
    return index


def _text(cells: tuple[object, ...], i: int) -> str:
    cell = cells[i] if i < len(cells) else None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return "" if cell is None else str(cell).strip()


def _count(path: Path, location: str, cells: tuple[object, ...], i: int, field: str) -> tuple[int | None, bool]:
    """A head count and its secret flag: "*" → (None, True); "" or a non-count → RecordError."""
    value = _text(cells, i)
    if value == SECRET:
        return None, True
    if value.isdigit():
        return int(value), False
    raise RecordError(f"not a count nor '*': {value!r}", source=path.name, location=location, field=field)


def _parse(path: Path, location: str, cells: tuple[object, ...], index: dict[str, int]) -> tuple[object, ...]:
    values = {name: _text(cells, i) for name, i in index.items()}
    for field in ("year", "region", "bassin_bmo", "fap_code"):
        if not values[field]:
            raise RecordError("empty value", source=path.name, location=location, field=_their_name(field))
    if not values["year"].isdigit():
        raise RecordError(f"not a year: {values['year']!r}", source=path.name, location=location, field="annee")
    projects, secret_projects = _count(path, location, cells, index["projects"], "met")
    difficult, secret_difficult = _count(path, location, cells, index["projects_difficult"], "xmet")
    seasonal, secret_seasonal = _count(path, location, cells, index["projects_seasonal"], "smet")
    return (
        int(values["year"]),
        values["region"].zfill(2),
        values["departement"].zfill(2),
        values["bassin_bmo"],
        values["bassin_name"] or None,
        values["fap_code"],
        values["fap_label"] or None,
        values["family_code"] or None,
        values["family_label"] or None,
        projects,
        difficult,
        seasonal,
        secret_projects,
        secret_difficult,
        secret_seasonal,
        path.name,
        LOADER,
    )


def _their_name(ours: str) -> str:
    for theirs, name in COLUMNS.items():
        if name == ours:
            return theirs
    return {"bassin_bmo": "BE24", "bassin_name": "NOMBE24"}.get(ours, ours)
