"""The official list of métiers en tension (March 2024) and national per-ROME market figures.

- ``stats/bmo-and-zones/metiers_en_tension_mars_2024.csv`` (UTF-8, `,`; commas inside labels were
  written as `;`): region name, FAP family label, FAP 2009 code. Region names are matched to INSEE
  codes through the COG 2024 region file; "France Entière" becomes ``FR``. Grand Est lists 25 métiers.
- ``stats/rome-market-national/occupations_fr_market_stats.csv``: per ROME code, national job seekers,
  offers, median wage and a 1–5 tension score derived from France Travail APIs (not an official
  statistic; kept as published)::

    load_tension(con, data_dir)
    # SELECT fap_code, fap_label FROM metiers_en_tension WHERE region = '44'
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb

from grepp.enrich.text import fold
from grepp.errors import RecordError
from grepp.sources.opendata import LoadBatch, TableWrite, parse_number, read_table, record_text
from grepp.store.runs import RunReport

LOADER = "grepp.sources.tension/1"
TENSION_FILE = "stats/bmo-and-zones/metiers_en_tension_mars_2024.csv"
REGION_FILE = "geo/cog-2024/v_region_2024.csv"
MARKET_FILE = "stats/rome-market-national/occupations_fr_market_stats.csv"
LIST_DATE = dt.date(2024, 3, 1)
NATIONAL = "FR"
ROME_CODE = re.compile(r"^[A-N]\d{4}$")

TENSION_COLUMNS = ("list_date", "region", "region_name", "fap_code", "fap_label", "source", "loader")
MARKET_COLUMNS = (
    "rome_code",
    "title",
    "salary_median_eur_year",
    "salary_median_eur_hour",
    "education_level",
    "job_seekers",
    "job_offers",
    "tension_score_1_5",
    "tension_label",
    "source",
    "loader",
)


def load_tension(con: duckdb.DuckDBPyConnection, data_dir: Path) -> list[RunReport]:
    """Load ``metiers_en_tension`` (March 2024 list)."""
    path = data_dir / TENSION_FILE
    with LoadBatch(con, "tension", {"metiers_en_tension": path.name}) as batch:
        regions = _region_codes(data_dir / REGION_FILE)
        table = read_table(path, required=("Region", "Famille Professionnelle", "Code FAP"))

        def parse(line: int, r: dict[str, str]) -> tuple[object, ...]:
            name = record_text(r, "Region", path=path, line=line)
            region = regions.get(_key(name))
            if region is None:
                raise RecordError(f"unknown région {name!r}", source=path.name, location=f"line {line}", field="Region")
            label = record_text(r, "Famille Professionnelle", path=path, line=line).replace(";", ",")
            code = record_text(r, "Code FAP", path=path, line=line)
            return (LIST_DATE, region, name, code, label, path.name, LOADER)

        rows = batch.each("metiers_en_tension", table, parse)
        key = ("list_date", "region", "fap_code")
        scope: tuple[str, list[object]] = ("list_date = ?", [LIST_DATE])
        return batch.write([TableWrite("metiers_en_tension", TENSION_COLUMNS, key, rows, scope)])


def load_market(con: duckdb.DuckDBPyConnection, data_dir: Path) -> list[RunReport]:
    """Load ``rome_market_national`` (one row per ROME code)."""
    path = data_dir / MARKET_FILE
    with LoadBatch(con, "rome-market", {"rome_market_national": path.name}) as batch:
        table = read_table(path, required=("code_rome", "title", "nombre_demandeurs", "nombre_offres", "tension_pct"))

        def parse(line: int, r: dict[str, str]) -> tuple[object, ...]:
            code = record_text(r, "code_rome", path=path, line=line).upper()
            if not ROME_CODE.match(code):
                raise RecordError(
                    f"not a ROME code: {code!r}", source=path.name, location=f"line {line}", field="code_rome"
                )

            def number(field: str) -> float | None:
                return parse_number(r.get(field, ""), path=path, line=line, field=field)

            seekers, offers, tension = number("nombre_demandeurs"), number("nombre_offres"), number("tension_pct")
            return (
                code,
                record_text(r, "title", path=path, line=line),
                number("salaire_median_annuel"),
                number("salaire_median_horaire"),
                r.get("niveau_education") or None,
                None if seekers is None else round(seekers),
                None if offers is None else round(offers),
                None if tension is None else round(tension),
                r.get("tension_desc") or None,
                path.name,
                LOADER,
            )

        rows = batch.each("rome_market_national", table, parse)
        return batch.write([TableWrite("rome_market_national", MARKET_COLUMNS, ("rome_code",), rows)])


def _key(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", " ", fold(name)).strip()


def _region_codes(path: Path) -> dict[str, str]:
    """Folded region name → INSEE code, from the COG region file, plus "France entière" → FR."""
    table = read_table(path, required=("REG", "LIBELLE"))
    codes = {_key("France Entière"): NATIONAL}

    def skip(error: RecordError, raw: str) -> None:
        """A broken COG line only means that region's name is not matched (its rows are then rejected)."""

    for _, r in table.records(skip):
        codes[_key(r["LIBELLE"])] = r["REG"]
    return codes
