"""Load the geography of France: INSEE COG 2024, zones d'emploi 2020, bassins BMO, population, code changes.

Every current commune (COG 2024, 34,935 of them; 5,118 in Grand Est) gets its département, région,
zone d'emploi 2020, bassin BMO and population. Old codes (merges since 1943, the 2025 passage table),
communes déléguées/associées and the Paris/Lyon/Marseille arrondissements are kept in
``geo_commune_changes`` with the current commune they resolve to, chains of merges followed::

    reports = load_geography(con, settings.data_dir)
    load_commune_places(con)["08294"].commune_insee   # '08053'

The input files, under the data directory:

- ``geo/cog-2024/v_region_2024.csv``, ``v_departement_2024.csv``, ``v_commune_2024.csv``,
  ``v_mvt_commune_2024.csv`` (INSEE, UTF-8, `,`)
- ``stats/bmo-and-zones/Export_Communes_Zones_Emploi_2020.csv`` (commune → zone d'emploi 2020)
- ``stats/bmo-and-zones/bassin_emploi.csv`` (commune → bassin BMO; the same table as
  ``France_Travail_Bassin_Emploi_2021.csv``, which has lost leading zeros and a few département codes)
- ``stats/bmo-and-zones/insee-estimation-population-2024.csv`` (population 2021, older geography)
- ``stats/bmo-and-zones/geocodes_passage_annuel.csv`` (old code → code in force in 2025, `;`)
- ``geo/maps/*.geojson`` (only their paths and feature counts are recorded; the dashboard reads them)

Not read: ``v_commune_depuis_1943.csv`` (every code that disappeared has a movement row, which carries
its name), ``COM_DEP_REG_2023.csv`` (the COG 2024 commune file already gives département and région,
one year newer) and ``France_Travail_Bassin_Emploi_2021.csv`` (see above).

``geo_commune_changes.current_code`` is the COG 2024 commune a code belongs to: itself for a code
still current in 2024 even when the 2025 passage table merges it later.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import duckdb

from grepp.errors import RecordError, SourceError
from grepp.sources.opendata import LoadBatch, Table, TableWrite, parse_number, read_table, record_text
from grepp.store.geo import normalize_code
from grepp.store.runs import RunReport

LOADER = "grepp.sources.geo/1"
COG = "geo/cog-2024"
ZONES = "stats/bmo-and-zones"
MAPS = "geo/maps"
POPULATION_YEAR = 2021

#: COG movement codes that send an old code to another commune (creations and re-establishments do not).
MOVEMENT_KINDS: dict[str, str] = {
    "30": "suppression",
    "31": "fusion",
    "32": "commune-nouvelle",
    "33": "fusion-association",
    "34": "fusion",
    "35": "suppression-deleguee",
    "41": "changement-departement",
    "50": "transfert-chef-lieu",
}
#: Communes of the COG that are part of another commune, and the kind of link.
CHILD_KINDS = {"COMD": "deleguee", "COMA": "associee", "ARM": "arrondissement"}

Progress = Callable[[int], None]
#: How many times :func:`load_geography` calls ``on_progress(1)`` (for a progress bar's total).
GEOGRAPHY_STEPS = 5

COMMUNE_COLUMNS = (
    "commune_insee",
    "name",
    "departement",
    "region",
    "zone_emploi",
    "zone_emploi_name",
    "bassin_bmo",
    "bassin_name",
    "population",
    "population_year",
    "source",
    "version",
    "loader",
)
CHANGE_COLUMNS = (
    "old_code",
    "old_name",
    "new_code",
    "current_code",
    "effective_date",
    "kind",
    "source",
    "version",
    "loader",
)

Edge = tuple[str, str, str, dt.date | None, str, str, str]  # old, old_name, new, date, kind, source, version


def load_geography(
    con: duckdb.DuckDBPyConnection, data_dir: Path, on_progress: Progress | None = None
) -> list[RunReport]:
    """Load every geography table from ``data_dir`` in one transaction; one run report per table.

    Re-running replaces the tables with identical content (reports count rows as unchanged). A missing
    or malformed file raises :class:`SourceError` and leaves the stored geography as it was.
    """
    advance = on_progress or (lambda n: None)
    files = {
        "geo_regions": f"{COG}/v_region_2024.csv",
        "geo_departements": f"{COG}/v_departement_2024.csv",
        "geo_zones_emploi": f"{ZONES}/Export_Communes_Zones_Emploi_2020.csv",
        "geo_bassins_bmo": f"{ZONES}/bassin_emploi.csv",
        "geo_communes": f"{COG}/v_commune_2024.csv + zones, bassins, population",
        "geo_commune_changes": f"{COG}/v_mvt_commune_2024.csv + {ZONES}/geocodes_passage_annuel.csv",
        "geo_maps": f"{MAPS}/*.geojson",
    }
    with LoadBatch(con, "insee-geo", files) as batch:
        regions = _regions(batch, data_dir / COG / "v_region_2024.csv")
        departements = _departements(batch, data_dir / COG / "v_departement_2024.csv")
        advance(1)
        communes, edges = _communes(batch, data_dir / COG / "v_commune_2024.csv")
        edges += _movements(batch, data_dir / COG / "v_mvt_commune_2024.csv")
        edges += _passages(batch, data_dir / ZONES / "geocodes_passage_annuel.csv")
        resolved = _resolve(set(communes), edges)
        advance(1)
        zones, zone_of = _zones(batch, data_dir / ZONES / "Export_Communes_Zones_Emploi_2020.csv", resolved)
        bassins, bassin_of = _bassins(batch, data_dir / ZONES / "bassin_emploi.csv", resolved)
        population = _population(batch, data_dir / ZONES / "insee-estimation-population-2024.csv", resolved)
        advance(1)
        commune_rows = [
            (
                code,
                name,
                dep,
                reg,
                *(zone_of.get(code) or (None, None)),
                *(bassin_of.get(code) or (None, None)),
                population.get(code),
                POPULATION_YEAR if code in population else None,
                "insee-cog",
                "2024",
                LOADER,
            )
            for code, (name, dep, reg) in sorted(communes.items())
        ]
        change_rows = [
            (old, name or None, new, resolved.get(old), date, kind, source, version, LOADER)
            for old, name, new, date, kind, source, version in edges
        ]
        maps = _maps(data_dir)
        advance(1)
        reports = batch.write(
            [
                TableWrite("geo_regions", _REGION_COLUMNS, ["region"], regions),
                TableWrite("geo_departements", _DEPARTEMENT_COLUMNS, ["departement"], departements),
                TableWrite("geo_zones_emploi", _ZONE_COLUMNS, ["zone_emploi"], zones),
                TableWrite("geo_bassins_bmo", _BASSIN_COLUMNS, ["bassin_bmo"], bassins),
                TableWrite("geo_communes", COMMUNE_COLUMNS, ["commune_insee"], commune_rows),
                TableWrite("geo_commune_changes", CHANGE_COLUMNS, ["old_code", "new_code", "kind"], change_rows),
                TableWrite("geo_maps", _MAP_COLUMNS, ["name"], maps),
            ]
        )
        advance(1)
        return reports


_REGION_COLUMNS = ("region", "name", "cheflieu_insee", "source", "version", "loader")
_DEPARTEMENT_COLUMNS = ("departement", "region", "name", "cheflieu_insee", "source", "version", "loader")
_ZONE_COLUMNS = ("zone_emploi", "name", "source", "version", "loader")
_BASSIN_COLUMNS = ("bassin_bmo", "name", "region", "source", "version", "loader")
_MAP_COLUMNS = ("name", "path", "features", "size_bytes", "source", "loader")


def _regions(batch: LoadBatch, path: Path) -> list[tuple[object, ...]]:
    table = read_table(path, required=("REG", "LIBELLE"))

    def parse(line: int, r: dict[str, str]) -> tuple[object, ...]:
        code, name = (record_text(r, f, path=path, line=line) for f in ("REG", "LIBELLE"))
        return (code, name, r.get("CHEFLIEU") or None, "insee-cog", "2024", LOADER)

    return batch.each("geo_regions", table, parse)


def _departements(batch: LoadBatch, path: Path) -> list[tuple[object, ...]]:
    table = read_table(path, required=("DEP", "REG", "LIBELLE"))

    def parse(line: int, r: dict[str, str]) -> tuple[object, ...]:
        code, region, name = (record_text(r, f, path=path, line=line) for f in ("DEP", "REG", "LIBELLE"))
        return (code, region, name, r.get("CHEFLIEU") or None, "insee-cog", "2024", LOADER)

    return batch.each("geo_departements", table, parse)


def _communes(batch: LoadBatch, path: Path) -> tuple[dict[str, tuple[str, str, str]], list[Edge]]:
    """Current communes (code → name, département, région) and the links of their parts (délégué, ARM)."""
    table = read_table(path, required=("TYPECOM", "COM", "REG", "DEP", "LIBELLE", "COMPARENT"))
    communes: dict[str, tuple[str, str, str]] = {}
    edges: list[Edge] = []

    def parse(line: int, r: dict[str, str]) -> None:
        kind = r["TYPECOM"]
        code = record_text(r, "COM", path=path, line=line)
        if kind == "COM":
            name = record_text(r, "LIBELLE", path=path, line=line)
            dep = record_text(r, "DEP", path=path, line=line)
            communes[code] = (name, dep, record_text(r, "REG", path=path, line=line))
        elif kind in CHILD_KINDS:
            parent = record_text(r, "COMPARENT", path=path, line=line)
            if parent != code:
                edges.append((code, r["LIBELLE"], parent, None, CHILD_KINDS[kind], "insee-cog", "2024"))
        else:
            raise RecordError(f"unknown TYPECOM {kind!r}", source=path.name, location=f"line {line}", field="TYPECOM")

    batch.each("geo_communes", table, parse)
    return communes, edges


def _movements(batch: LoadBatch, path: Path) -> list[Edge]:
    """Old code → new code for every COG movement that moves a code into another commune."""
    table = read_table(path, required=("MOD", "DATE_EFF", "COM_AV", "LIBELLE_AV", "TYPECOM_AP", "COM_AP"))

    def parse(line: int, r: dict[str, str]) -> Edge | None:
        kind = MOVEMENT_KINDS.get(r["MOD"])
        if kind is None or r["TYPECOM_AP"] != "COM" or r["COM_AV"] == r["COM_AP"]:
            return None
        try:
            date = dt.date.fromisoformat(r["DATE_EFF"])
        except ValueError as exc:
            raise RecordError(
                f"not a date: {r['DATE_EFF']!r}", source=path.name, location=f"line {line}", field="DATE_EFF"
            ) from exc
        return (r["COM_AV"], r["LIBELLE_AV"], r["COM_AP"], date, kind, "insee-cog-mvt", "2024")

    return batch.each("geo_commune_changes", table, parse)


def _passages(batch: LoadBatch, path: Path) -> list[Edge]:
    """Old code → code in force on 1 January 2025 (communes and arrondissements; identities skipped)."""
    table = read_table(path, required=("Niveau", "Ancien Code Officiel", "Code Courant Officiel"))

    def parse(line: int, r: dict[str, str]) -> Edge | None:
        if r["Niveau"] not in ("COM", "ARM"):
            return None
        old = normalize_code(record_text(r, "Ancien Code Officiel", path=path, line=line))
        new = normalize_code(record_text(r, "Code Courant Officiel", path=path, line=line))
        if old == new:
            return None
        year = r.get("Année", "")
        if not year.isdigit():
            raise RecordError(f"not a year: {year!r}", source=path.name, location=f"line {line}", field="Année")
        return (old, "", new, dt.date(int(year), 1, 1), "passage", "insee-passage", year)

    return batch.each("geo_commune_changes", table, parse)


def _resolve(current: set[str], edges: list[Edge]) -> dict[str, str]:
    """Every code → current commune: itself if current, else following the chain of its latest changes.

    Today's délégué/associé/arrondissement links (undated) beat any dated movement; cycles and codes
    that lead nowhere current are left out.
    """
    latest: dict[str, tuple[dt.date, str]] = {}
    for old, _, new, date, *_ in edges:
        when = date or dt.date.max
        if old not in latest or when >= latest[old][0]:
            latest[old] = (when, new)
    resolved = {code: code for code in current}
    for start in latest:
        code, seen = start, set()
        while code not in current and code in latest and code not in seen:
            seen.add(code)
            code = latest[code][1]
        if code in current and start not in current:
            resolved[start] = code
    return resolved


def _zones(
    batch: LoadBatch, path: Path, resolved: dict[str, str]
) -> tuple[list[tuple[object, ...]], dict[str, tuple[str, str]]]:
    """Zones d'emploi 2020 and each current commune's zone (its own row first, else a merged part's)."""
    table = read_table(path, required=("codgeo", "codze2020", "libze2020"))
    return _membership(batch, "geo_zones_emploi", table, ("codgeo", "codze2020", "libze2020", ""), "2020", resolved)


def _bassins(
    batch: LoadBatch, path: Path, resolved: dict[str, str]
) -> tuple[list[tuple[object, ...]], dict[str, tuple[str, str]]]:
    """Bassins BMO (France Travail 2021) and each current commune's bassin."""
    table = read_table(path, required=("reg", "code_commune_insee", "code_bassin_BMO", "lib_bassin_BMO"))
    fields = ("code_commune_insee", "code_bassin_BMO", "lib_bassin_BMO", "reg")
    return _membership(batch, "geo_bassins_bmo", table, fields, "2021", resolved)


def _membership(
    batch: LoadBatch,
    table_name: str,
    table: Table,
    fields: tuple[str, str, str, str],
    version: str,
    resolved: dict[str, str],
) -> tuple[list[tuple[object, ...]], dict[str, tuple[str, str]]]:
    """The areas of a commune → area file, and each current commune's area (own row, else a merged part's)."""
    path = table.path
    commune_field, code_field, name_field, region_field = fields
    areas: dict[str, tuple[object, ...]] = {}
    own: dict[str, tuple[str, str]] = {}
    parts: dict[str, tuple[str, str]] = {}

    def parse(line: int, r: dict[str, str]) -> None:
        code = normalize_code(record_text(r, commune_field, path=path, line=line))
        area = record_text(r, code_field, path=path, line=line)
        name = record_text(r, name_field, path=path, line=line)
        target = resolved.get(code)
        if target is None:
            raise RecordError(
                f"commune {code} is not in COG 2024 nor in its history",
                source=path.name,
                location=f"line {line}",
                field=commune_field,
            )
        extra: tuple[object, ...] = (r.get(region_field) or None,) if region_field else ()
        areas.setdefault(area, (area, name, *extra, path.name, version, LOADER))
        (own if target == code else parts).setdefault(target, (area, name))

    batch.each(table_name, table, parse)
    return list(areas.values()), {**parts, **own}


def _population(batch: LoadBatch, path: Path, resolved: dict[str, str]) -> dict[str, int]:
    """Population 2021 of each current commune, summing the old communes merged into it since."""
    table = read_table(path, required=("codgeo", "p21_pop"))
    totals: dict[str, int] = {}

    def parse(line: int, r: dict[str, str]) -> None:
        code = normalize_code(record_text(r, "codgeo", path=path, line=line))
        if len(code) == 6 and code.startswith("97"):  # this file writes overseas codes as 973353 for 97353
            code = code[:2] + code[3:]
        raw = record_text(r, "p21_pop", path=path, line=line, required=False)
        value = parse_number(raw, path=path, line=line, field="p21_pop")
        target = resolved.get(code)
        if target is None:
            raise RecordError(
                f"commune {code} is not in COG 2024 nor in its history",
                source=path.name,
                location=f"line {line}",
                field="codgeo",
            )
        if value is not None:
            totals[target] = totals.get(target, 0) + round(value)

    batch.each("geo_communes", table, parse)
    return totals


def _maps(data_dir: Path) -> list[tuple[object, ...]]:
    """Each GeoJSON map's path (relative to the data directory) and feature count; geometries stay on disk."""
    folder = data_dir / MAPS
    rows: list[tuple[object, ...]] = []
    for path in sorted(folder.glob("*.geojson")):
        try:
            features = len(json.loads(path.read_text(encoding="utf-8")).get("features", []))
        except (OSError, ValueError) as exc:
            raise SourceError(f"{path}: not a readable GeoJSON file: {exc}") from exc
        rows.append((path.stem, str(path.relative_to(data_dir)), features, path.stat().st_size, "geo/maps", LOADER))
    return rows
