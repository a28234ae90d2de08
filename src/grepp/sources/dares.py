"""DARES tension indicators by FAP métier (2009 nomenclature), national, by région and by département.

``stats/dares-portrait-metiers/tensions/tensions.csv`` (2019; one row per FAP × territory, nine
indicators) and ``evol_tensions.csv`` (national tension index 2011–2019) are stored long in
``dares_tension(year, fap_code, fap_level, geo_level, geo_code, indicator, value)``. Indicator names
say their unit: ``tension_index`` (standardised, 0 = average), ``*_1_5`` (DARES quintile scores, 5 = most
tense), ``employment_avg_persons``. National rows have ``geo_code = 'FR'``::

    load_dares_tension(con, data_dir)
    # SELECT value FROM dares_tension WHERE fap_code = 'A0Z40' AND geo_level = 'departement'
    #   AND geo_code = '67' AND indicator = 'tension_index'
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from grepp.errors import RecordError
from grepp.sources.opendata import LoadBatch, TableWrite, parse_number, read_table, record_text
from grepp.store.runs import RunReport

LOADER = "grepp.sources.dares/1"
TENSION_DIR = "stats/dares-portrait-metiers/tensions"

#: DARES column → our indicator name (unit in the name).
INDICATORS: dict[str, str] = {
    "Emploi moyen": "employment_avg_persons",
    "Tension": "tension_index",
    "Catégorie Tension": "tension_level_1_5",
    "Intensité d'embauches": "hiring_intensity_1_5",
    "Lien formation-emploi": "training_job_link_1_5",
    "Manque de main-d'œuvre disponible": "labour_shortage_1_5",
    "Non-durabilité de l'emploi": "job_non_durability_1_5",
    "Conditions de travail contraignantes": "working_conditions_1_5",
    "Inadéquation géographique": "geographic_mismatch_1_5",
}
GEO_LEVELS = {"nat": "national", "reg": "region", "dep": "departement"}
TABLE_COLUMNS = ("year", "fap_code", "fap_level", "geo_level", "geo_code", "indicator", "value", "source", "loader")
KEY = ("year", "fap_code", "fap_level", "geo_level", "geo_code", "indicator")
NATIONAL = "FR"


def fap_level(code: str) -> str:
    """``fap225`` for a detailed FAP 2009 code (``A0Z40``), ``fap87`` for a family (``A0Z``)."""
    return "fap87" if len(code) == 3 else "fap225"


def _territory(code: str) -> str:
    """ "44.0" → "44", "2A" → "2A", "1" → "01"."""
    code = code.strip()
    if code.endswith(".0"):
        code = code[:-2]
    return code.zfill(2) if code.isdigit() else code.upper()


def load_dares_tension(con: duckdb.DuckDBPyConnection, data_dir: Path) -> list[RunReport]:
    """Load the 2019 tension indicators and the 2011–2019 national series into ``dares_tension``."""
    folder = data_dir / TENSION_DIR
    inputs = {"dares_tension": "tensions.csv + evol_tensions.csv"}
    with LoadBatch(con, "dares", inputs) as batch:
        path = folder / "tensions.csv"
        table = read_table(path, required=("fap", "Année", "niveau_geo", "reg", "dep", *INDICATORS))
        rows: list[tuple[object, ...]] = []

        def parse(line: int, r: dict[str, str]) -> None:
            where = f"line {line}"
            code = record_text(r, "fap", path=path, line=line)
            year = record_text(r, "Année", path=path, line=line)
            level = GEO_LEVELS.get(r["niveau_geo"])
            if level is None or not year.isdigit():
                field = "niveau_geo" if level is None else "Année"
                raise RecordError(f"unexpected value {r[field]!r}", source=path.name, location=where, field=field)
            geo = NATIONAL if level == "national" else _territory(r["reg" if level == "region" else "dep"])
            if not geo:
                raise RecordError("empty territory", source=path.name, location=where, field=r["niveau_geo"])
            values = {
                name: parse_number(r[column], path=path, line=line, field=column) for column, name in INDICATORS.items()
            }
            for name, value in values.items():
                if value is not None:
                    rows.append((int(year), code, fap_level(code), level, geo, name, value, path.name, LOADER))

        batch.each("dares_tension", table, parse)
        rows.extend(_series(batch, folder / "evol_tensions.csv"))
        return batch.write([TableWrite("dares_tension", TABLE_COLUMNS, KEY, rows)])


def _series(batch: LoadBatch, path: Path) -> list[tuple[object, ...]]:
    """The national tension index by year; 2019 repeats tensions.csv and counts as duplicates."""
    table = read_table(path, required=("fap", "Tension", "Année"))

    def parse(line: int, r: dict[str, str]) -> tuple[object, ...] | None:
        code = record_text(r, "fap", path=path, line=line)
        year = record_text(r, "Année", path=path, line=line)
        if not year.isdigit():
            raise RecordError(f"not a year: {year!r}", source=path.name, location=f"line {line}", field="Année")
        value = parse_number(r["Tension"], path=path, line=line, field="Tension")
        if value is None:
            return None
        return (int(year), code, fap_level(code), "national", NATIONAL, "tension_index", value, path.name, LOADER)

    return batch.each("dares_tension", table, parse)
