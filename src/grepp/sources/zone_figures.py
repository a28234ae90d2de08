"""Figures by zone d'emploi 2020 from INSEE's publication tables (``FET2021-18.xlsx``).

``stats/bmo-and-zones/FET2021-18.xlsx`` holds the tables of an INSEE *France, portrait social* 2021
article on zones d'emploi. Two of its sheets are per zone d'emploi and worth keeping:

- ``figure 2``: jobs per employed resident, 2017 (census) → ``jobs_per_employed_resident``, period 2017;
- ``figure 4``: localised unemployment rate, Q4 2019 → ``unemployment_rate_pct``, period 2019-Q4.

Figures 1 and 3 are national aggregates by zone size (not per zone) and are not loaded.
``FET2021-17.xlsx`` (same publication, aires d'attraction des villes 2020: one commune → aire table
and national aggregates) is not loaded: nothing in grepp uses aires d'attraction, and the commune
codes are the 2020 geography already covered by the COG history::

    load_zone_figures(con, data_dir)
    # SELECT value FROM zone_emploi_indicators WHERE zone_emploi = '4423'
    #   AND indicator = 'unemployment_rate_pct'    -> Strasbourg, Q4 2019
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb

from grepp.errors import RecordError, SourceError
from grepp.sources.opendata import LoadBatch, TableWrite
from grepp.store.runs import RunReport

LOADER = "grepp.sources.zone_figures/1"
FET_FILE = "stats/bmo-and-zones/FET2021-18.xlsx"

#: sheet → (words its value column header must contain, indicator, period)
SHEETS: dict[str, tuple[str, str, str]] = {
    "figure 2": ("emplois", "jobs_per_employed_resident", "2017"),
    "figure 4": ("chômage", "unemployment_rate_pct", "2019-Q4"),
}
ZONE_CODE = re.compile(r"^\d{1,4}$")
COLUMNS = ("zone_emploi", "zone_emploi_name", "indicator", "period", "value", "source", "loader")


def load_zone_figures(con: duckdb.DuckDBPyConnection, data_dir: Path, path: Path | None = None) -> list[RunReport]:
    """Load the per-zone figures into ``zone_emploi_indicators`` (this file's rows replaced)."""
    path = path or data_dir / FET_FILE
    with LoadBatch(con, "insee-zones", {"zone_emploi_indicators": path.name}) as batch:
        rows: list[tuple[object, ...]] = []
        for raw, parsed in _rows(path):
            if isinstance(parsed, RecordError):
                batch.reject("zone_emploi_indicators", parsed, raw)
            else:
                rows.append(parsed)
        key = ("zone_emploi", "indicator", "period")
        scope: tuple[str, list[object]] = ("source = ?", [path.name])
        return batch.write([TableWrite("zone_emploi_indicators", COLUMNS, key, rows, scope)])


def _rows(path: Path) -> Iterator[tuple[str, tuple[object, ...] | RecordError]]:
    from openpyxl import load_workbook  # only when loading: the CLI starts without it

    if not path.is_file():
        raise SourceError(f"{path}: file not found", hint="check the data directory (GREPP_DATA)")
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # damaged zip, not a workbook
        raise SourceError(f"{path.name}: not a readable Excel workbook: {exc}") from exc
    try:
        for sheet_name, (header_word, indicator, period) in SHEETS.items():
            if sheet_name not in workbook.sheetnames:
                raise SourceError(f"{path.name}: sheet {sheet_name!r} not found (sheets: {workbook.sheetnames})")
            found_header = False
            for number, cells in enumerate(workbook[sheet_name].iter_rows(values_only=True, max_col=3), start=1):
                first, name, value = [*cells, None, None, None][:3]
                if not found_header:
                    found_header = isinstance(value, str) and header_word in value.lower()
                    continue
                code = str(first).strip() if first is not None else ""
                if not ZONE_CODE.match(code):
                    continue  # notes under the table ("Lecture : …", "Source : …")
                raw = f"{code};{name};{value}"
                location = f"sheet {sheet_name} row {number}"
                if not isinstance(value, int | float):
                    error = RecordError(f"not a number: {value!r}", source=path.name, location=location, field="C")
                    yield raw, error
                    continue
                zone_name = str(name).strip() if name else None
                yield raw, (code.zfill(4), zone_name, indicator, period, float(value), path.name, LOADER)
            if not found_header:
                raise SourceError(f"{path.name}, sheet {sheet_name}: no column headed '…{header_word}…' found")
    finally:
        workbook.close()
