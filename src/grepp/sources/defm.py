"""DEFM: job seekers registered at France Travail, by commune, département and région, monthly 2020–2024.

``stats/bmo-and-zones/emploi_demandeur.csv`` (UTF-8, `,`): ``codgeo`` is a commune (``67482``), a
département (``67``, ``971``) or a région (``reg44``); ``YEAR`` is a French month (``janvier_2020``);
``Demandeurs_Emploi`` is rounded to tens. Categories are not named in the file: the regional totals
(Grand Est ≈ 520,000) match categories A, B, C, so rows are stored with ``category = 'ABC'``. The file
repeats some (code, month) pairs with the same figure: those count as duplicates, not errors. A pair
repeated with another figure keeps the first and rejects the later one (where checked, e.g. Nancy
54395, the later line copies the figure of the line before it: an error of the published file)::

    load_defm(con, data_dir)   # defm_monthly: geo_level, geo_code, month, category, job_seekers
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from grepp.errors import RecordError
from grepp.sources.opendata import LoadBatch, TableWrite, read_table, record_text
from grepp.store.runs import RunReport

LOADER = "grepp.sources.defm/1"
DEFM_FILE = "stats/bmo-and-zones/emploi_demandeur.csv"
CATEGORY = "ABC"

MONTHS: dict[str, int] = {
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
}
TABLE_COLUMNS = ("geo_level", "geo_code", "month", "category", "job_seekers", "source", "loader")
KEY = ("geo_level", "geo_code", "month", "category")


def parse_month(text: str) -> dt.date:
    """ "janvier_2020" (accents and case tolerated) → 2020-01-01; ValueError otherwise.

    >>> parse_month("février_2024")
    datetime.date(2024, 2, 1)
    """
    name, _, year = text.strip().lower().replace("é", "e").replace("û", "u").rpartition("_")
    if name not in MONTHS or not year.isdigit():
        raise ValueError(text)
    return dt.date(int(year), MONTHS[name], 1)


def geo_level(code: str) -> tuple[str, str]:
    """The level and code of a ``codgeo``: ("region", "44"), ("departement", "67"), ("commune", "67482")."""
    if code.lower().startswith("reg"):
        return "region", code[3:]
    if len(code) in (2, 3):
        return "departement", code.upper()
    if len(code) == 5:
        return "commune", code.upper()
    raise ValueError(code)


def load_defm(con: duckdb.DuckDBPyConnection, data_dir: Path, path: Path | None = None) -> list[RunReport]:
    """Load the monthly job-seeker counts into ``defm_monthly``, replacing this source's rows."""
    path = path or data_dir / DEFM_FILE
    with LoadBatch(con, "defm", {"defm_monthly": path.name}) as batch:
        table = read_table(path, required=("codgeo", "YEAR", "Demandeurs_Emploi"))
        seen: dict[tuple[str, str, dt.date], int] = {}

        def parse(line: int, r: dict[str, str]) -> tuple[object, ...]:
            where = f"line {line}"
            code = record_text(r, "codgeo", path=path, line=line)
            try:
                level, geo_code = geo_level(code)
            except ValueError:
                raise RecordError(
                    f"not a commune, département or région code: {code!r}",
                    source=path.name,
                    location=where,
                    field="codgeo",
                ) from None
            try:
                month = parse_month(record_text(r, "YEAR", path=path, line=line))
            except ValueError:
                raise RecordError(
                    f"not a month_year: {r['YEAR']!r}", source=path.name, location=where, field="YEAR"
                ) from None
            count = record_text(r, "Demandeurs_Emploi", path=path, line=line)
            if not count.isdigit():
                raise RecordError(
                    f"not a count: {count!r}", source=path.name, location=where, field="Demandeurs_Emploi"
                )
            previous = seen.setdefault((level, geo_code, month), int(count))
            if previous != int(count):
                raise RecordError(
                    f"{geo_code} {month:%Y-%m} given twice: {previous} and {count}",
                    source=path.name,
                    location=where,
                    field="Demandeurs_Emploi",
                )
            return (level, geo_code, month, CATEGORY, int(count), path.name, LOADER)

        rows = batch.each("defm_monthly", table, parse)
        return batch.write([TableWrite("defm_monthly", TABLE_COLUMNS, KEY, rows, ("source = ?", [path.name]))])
