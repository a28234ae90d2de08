"""Geography from the real INSEE/France Travail files: counts, Strasbourg, merges, arrondissements, bad input."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from grepp.cli.main import cli
from grepp.errors import SourceError
from grepp.sources.geo import load_geography
from grepp.store.db import connect
from grepp.store.geo import GEO_TABLES, CommunePlaces, load_commune_places, place_commune, table_counts


@pytest.fixture(scope="module")
def geo_db(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """One real database with the geography loaded once for this module."""
    path = tmp_path_factory.mktemp("geo") / "geo.duckdb"
    with connect(path) as con:
        load_geography(con, data_dir)
        yield con


@pytest.fixture(scope="module")
def places(geo_db: duckdb.DuckDBPyConnection) -> CommunePlaces:
    return load_commune_places(geo_db)


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def test_grand_est_has_5118_communes_10_departements_27_zones_43_bassins(geo_db: duckdb.DuckDBPyConnection) -> None:
    row = geo_db.execute(
        """
        SELECT count(*), count(DISTINCT departement), count(DISTINCT zone_emploi), count(DISTINCT bassin_bmo),
               count(population)
        FROM geo_communes WHERE region = '44'
        """
    ).fetchone()
    assert row == (5118, 10, 27, 43, 5118)
    assert _scalar(geo_db, "SELECT count(*) FROM geo_communes") == 34935
    assert _scalar(geo_db, "SELECT name FROM geo_regions WHERE region = '44'") == "Grand Est"
    assert _scalar(geo_db, "SELECT count(*) FROM geo_departements WHERE region = '44'") == 10
    assert _scalar(geo_db, "SELECT count(*) FROM geo_communes_grand_est") == 5118


def test_strasbourg_is_in_its_zone_d_emploi_and_bassin(places: CommunePlaces) -> None:
    strasbourg = places["67482"]
    assert (strasbourg.name, strasbourg.departement, strasbourg.region) == ("Strasbourg", "67", "44")
    assert (strasbourg.zone_emploi, strasbourg.zone_emploi_name) == ("4423", "Strasbourg")
    assert (strasbourg.bassin_bmo, strasbourg.bassin_name) == ("4441", "STRASBOURG")


def test_population_of_grand_est_is_about_five_and_a_half_million(geo_db: duckdb.DuckDBPyConnection) -> None:
    total = _scalar(geo_db, "SELECT sum(population) FROM geo_communes WHERE region = '44'")
    assert isinstance(total, int) and 5_400_000 < total < 5_700_000
    assert _scalar(geo_db, "SELECT population FROM geo_communes WHERE commune_insee = '67482'") > 280_000


def test_old_merged_code_lands_in_todays_commune(places: CommunePlaces) -> None:
    # La Moncelle (08294) became part of Bazeilles (08053) on 1 January 2024.
    assert places["08294"].commune_insee == "08053"
    # A chain: Augeville (52026) → Pautaines-Augeville (52379) in 1973 → Épizon (52187) in 2013.
    assert places["52026"].commune_insee == "52187"
    assert places["52026"].zone_emploi == places["52187"].zone_emploi


def test_arrondissements_map_to_their_commune(places: CommunePlaces) -> None:
    assert places["75115"].commune_insee == "75056"
    assert places["69381"].commune_insee == "69123"
    assert places["13201"].commune_insee == "13055"


def test_place_commune_by_code_or_label(places: CommunePlaces) -> None:
    assert place_commune(places, "1053") == places["01053"]  # leading zero lost in a spreadsheet
    assert place_commune(places, "67 - STRASBOURG") == places["67482"]
    assert place_commune(places, "Strasbourg (67)") == places["67482"]
    assert place_commune(places, "STRASBOURG CEDEX 2") == places["67482"]
    assert place_commune(places, "ST DIE DES VOSGES") == places["88413"]
    assert place_commune(places, "AUBENAS") == places["07019"]
    assert place_commune(places, "Paris 15e Arrondissement") == places["75056"]
    assert place_commune(places, "75 - PARIS 09") == places["75056"]
    assert place_commune(places, "69 - LYON 05") == places["69123"]
    assert place_commune(places, "Marseille 1er") == places["13055"]
    assert place_commune(places, "76 - Havre") == places["76351"]  # the article dropped, as job boards do
    assert place_commune(places, "01 - Boisse") == places["01049"]  # La Boisse (01), not Boisse (24)
    assert place_commune(places, "La Moncelle") == places["08053"]  # a former name
    assert place_commune(places, "Saint-Martin") is None  # shared by several communes: no guess
    assert place_commune(places, "nowhere-sur-rien") is None
    assert place_commune(places, "") is None


def test_place_commune_uses_the_departement_to_disambiguate(places: CommunePlaces) -> None:
    # "Sainte-Marie" exists in several départements; the label's prefix picks one.
    found = place_commune(places, "68 - Sainte-Marie-aux-Mines")
    assert found is not None and found.departement == "68"
    assert place_commune(places, "Saint-Martin", departement="67") is not None


def test_no_geography_gives_an_empty_lookup(con: duckdb.DuckDBPyConnection) -> None:
    assert load_commune_places(con) == {}


def test_reloading_duplicates_nothing(geo_db: duckdb.DuckDBPyConnection, data_dir: Path) -> None:
    before = table_counts(geo_db)
    reports = load_geography(geo_db, data_dir)
    assert table_counts(geo_db) == before
    assert all(r.stored == 0 and r.updated == 0 for r in reports)
    assert sum(r.unchanged for r in reports) == sum(before[t] for t in GEO_TABLES)


def _data_copy(data_dir: Path, tmp_path: Path) -> Path:
    """A data directory of symlinks to the real files, whose single files a test can replace."""
    root = tmp_path / "data"
    for folder in ("geo/cog-2024", "geo/maps", "stats/bmo-and-zones"):
        (root / folder).mkdir(parents=True)
        for path in (data_dir / folder).iterdir():
            (root / folder / path.name).symlink_to(path)
    return root


def test_a_missing_file_is_a_source_error_and_keeps_the_stored_geography(
    data_dir: Path, tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    root = _data_copy(data_dir, tmp_path)
    load_geography(con, root)
    (root / "stats/bmo-and-zones/bassin_emploi.csv").unlink()
    with pytest.raises(SourceError, match=r"bassin_emploi\.csv: file not found"):
        load_geography(con, root)
    assert _scalar(con, "SELECT count(*) FROM geo_communes") == 34935
    assert _scalar(con, "SELECT count(*) FROM ingest_runs WHERE status = 'failed'") == len(GEO_TABLES)


def test_a_truncated_csv_rejects_the_broken_line_and_loads_the_rest(
    data_dir: Path, tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    root = _data_copy(data_dir, tmp_path)
    target = root / "geo/cog-2024/v_departement_2024.csv"
    text = (data_dir / "geo/cog-2024/v_departement_2024.csv").read_text(encoding="utf-8")
    target.unlink()
    target.write_text(text[: text.index('"67","44"') + 20], encoding="utf-8")  # cut inside Bas-Rhin's line
    reports = {r.source: r for r in load_geography(con, root)}
    departements = reports["insee-geo:geo_departements"]
    assert departements.rejected == 1
    assert "v_departement_2024.csv, line 69, field" in departements.errors[0]
    assert _scalar(con, "SELECT count(*) FROM geo_departements") == 67  # the 67 lines before Bas-Rhin
    row = con.execute("SELECT location, field FROM rejected_records WHERE source = 'v_departement_2024.csv'")
    assert row.fetchone() == ("line 69", "NCC")


def test_a_renamed_column_names_the_file_and_the_column(
    data_dir: Path, tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    root = _data_copy(data_dir, tmp_path)
    target = root / "stats/bmo-and-zones/Export_Communes_Zones_Emploi_2020.csv"
    text = target.read_text(encoding="utf-8-sig").replace("codze2020", "code_ze", 1)
    target.unlink()
    target.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError, match=r"Export_Communes_Zones_Emploi_2020\.csv: column 'codze2020' not found"):
        load_geography(con, root)


def test_cli_ingest_geo_prints_a_run_report(data_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "g.duckdb"
    result = CliRunner().invoke(cli, ["--data", str(data_dir), "--db", str(db), "ingest", "geo"])
    assert result.exit_code == 0, result.output
    assert "Geography" in result.output and "34,935" in result.output  # the communes row of the report
    with connect(db) as con:
        assert _scalar(con, "SELECT count(*) FROM ingest_runs WHERE status = 'ok'") == len(GEO_TABLES)
