"""Official statistics from the real files: BMO, DEFM, DARES tensions, FAP tables, métiers en tension."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from grepp.cli.main import cli
from grepp.errors import SourceError
from grepp.sources.bmo import BMO_FILE, load_bmo
from grepp.sources.defm import DEFM_FILE, load_defm, parse_month
from grepp.sources.fap import FAP_ROME_FILE
from grepp.sources.geo import load_geography
from grepp.sources.opendata import read_table
from grepp.sources.statistics import load_statistics
from grepp.store.db import connect
from grepp.store.geo import table_counts
from grepp.store.stats import STATS_TABLES, bmo_region


@pytest.fixture(scope="module")
def stats_db(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """One real database with every statistics part loaded once for this module."""
    path = tmp_path_factory.mktemp("stats") / "stats.duckdb"
    with connect(path) as con:
        load_statistics(con, data_dir)
        yield con


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> object:
    row = con.execute(sql, params or []).fetchone()
    assert row is not None
    return row[0]


def test_bmo_grand_est_has_5159_rows_in_43_bassins(stats_db: duckdb.DuckDBPyConnection) -> None:
    rows = bmo_region(stats_db, "44")
    assert len(rows) == 5159
    assert len({row[0] for row in rows}) == 43
    assert _scalar(stats_db, "SELECT count(*) FROM bmo_projects") == 53443
    # The biggest Grand Est line: wine-growers around Épernay (harvest), as published.
    assert rows[0][:6] == ("4417", "EPERNAY", "51", "A1X42", "Viticulteurs, arboriculteurs", 4903)


def test_bmo_bassins_of_grand_est_are_the_geography_s_bassins(
    stats_db: duckdb.DuckDBPyConnection, data_dir: Path
) -> None:
    load_geography(stats_db, data_dir)
    bmo = {row[0] for row in stats_db.execute("SELECT DISTINCT bassin_bmo FROM bmo_projects_grand_est").fetchall()}
    geo = {row[0] for row in stats_db.execute("SELECT DISTINCT bassin_bmo FROM geo_communes_grand_est").fetchall()}
    assert len(bmo) == 43 and bmo == geo


def test_bmo_secrets_are_null_with_a_flag_never_zero(stats_db: duckdb.DuckDBPyConnection) -> None:
    secret = _scalar(stats_db, "SELECT count(*) FROM bmo_projects WHERE secret_difficult")
    assert isinstance(secret, int) and secret > 1000
    assert (
        _scalar(stats_db, "SELECT count(*) FROM bmo_projects WHERE secret_difficult <> (projects_difficult IS NULL)")
        == 0
    )
    # Marie-Galante agriculteurs: met 17, xmet and smet secret in the published file.
    row = stats_db.execute(
        "SELECT projects, projects_difficult, secret_difficult FROM bmo_projects WHERE bassin_bmo = '103' "
        "AND fap_code = 'A0X40'"
    ).fetchone()
    assert row == (17, None, True)


def _bmo_extract(data_dir: Path, target: Path, rows: int = 40) -> None:
    """A small BMO workbook with the real header and first rows, as France Travail lays it out."""
    source = load_workbook(data_dir / BMO_FILE, read_only=True)
    sheet = source["BMO_2024_open_data"]
    book = Workbook()
    book.active.title = "Description des variables"
    copy = book.create_sheet("BMO_2024_open_data")
    for i, cells in enumerate(sheet.iter_rows(values_only=True)):
        if i > rows:
            break
        copy.append(list(cells))
    source.close()
    book.save(target)


def test_bmo_sheet_with_a_renamed_column_names_file_sheet_and_column(
    data_dir: Path, tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    path = tmp_path / "bmo.xlsx"
    _bmo_extract(data_dir, path)
    book = load_workbook(path)
    sheet = book["BMO_2024_open_data"]
    for cell in sheet[1]:
        if cell.value == "xmet":
            cell.value = "xmet_difficiles"
    book.save(path)
    with pytest.raises(SourceError, match=r"bmo\.xlsx, sheet BMO_2024_open_data: column 'xmet' not found"):
        load_bmo(con, data_dir, path=path)
    assert _scalar(con, "SELECT count(*) FROM bmo_projects") == 0
    assert _scalar(con, "SELECT status FROM ingest_runs WHERE source = 'bmo:bmo_projects'") == "failed"


def test_bmo_bad_count_is_rejected_with_its_row_and_the_rest_loads(
    data_dir: Path, tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    path = tmp_path / "bmo.xlsx"
    _bmo_extract(data_dir, path, rows=40)
    book = load_workbook(path)
    book["BMO_2024_open_data"]["L5"] = "douze"  # column L is 'met'
    book.save(path)
    [report] = load_bmo(con, data_dir, path=path)
    assert (report.read, report.stored, report.rejected) == (40, 39, 1)
    row = con.execute("SELECT location, field, reason FROM rejected_records WHERE source = 'bmo.xlsx'").fetchone()
    assert row == ("sheet BMO_2024_open_data row 5", "met", "not a count nor '*': 'douze'")
    [again] = load_bmo(con, data_dir, path=path)
    assert (again.stored, again.unchanged, again.rejected) == (0, 39, 1)
    assert _scalar(con, "SELECT count(*) FROM rejected_records") == 1


def test_defm_monthly_series(stats_db: duckdb.DuckDBPyConnection) -> None:
    region = stats_db.execute(
        "SELECT count(*), min(month), max(month) FROM defm_monthly WHERE geo_level = 'region' AND geo_code = '44'"
    ).fetchone()
    assert region is not None and region[0] == 60 and str(region[1]) == "2020-01-01" and str(region[2]) == "2024-12-01"
    december = "SELECT job_seekers FROM defm_monthly WHERE geo_level = ? AND geo_code = ? AND month = '2024-12-01'"
    assert _scalar(stats_db, december, ["region", "44"]) == 475510
    assert _scalar(stats_db, december, ["commune", "67482"]) > 25_000
    assert parse_month("aout_2023").isoformat() == "2023-08-01"


def test_defm_truncated_file_rejects_the_cut_line(
    data_dir: Path, tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    lines = (data_dir / DEFM_FILE).read_text(encoding="utf-8").splitlines()
    path = tmp_path / "emploi_demandeur.csv"
    path.write_text("\n".join(lines[:101]) + "\n" + lines[101].split(",")[0] + ",janv", encoding="utf-8")
    [report] = load_defm(con, data_dir, path=path)
    assert (report.read, report.rejected) == (101, 1)
    assert report.errors == [
        "emploi_demandeur.csv, line 102, field 'Demandeurs_Emploi': only 2 of 3 columns (truncated line?)"
    ]
    # The 100 good lines, less the pairs the published file repeats with the same figure.
    assert report.stored + report.duplicates == 100
    assert _scalar(con, "SELECT count(*) FROM defm_monthly") == report.stored


def test_a_missing_statistics_file_is_a_source_error(
    data_dir: Path, tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    with pytest.raises(SourceError, match=r"nothing\.csv: file not found"):
        load_defm(con, data_dir, path=tmp_path / "nothing.csv")
    with pytest.raises(SourceError, match=r"Base_open_data_BMO_2024\.xlsx: file not found"):
        load_bmo(con, tmp_path)


def test_cp1252_fap_rome_table_is_read_with_its_accents(data_dir: Path, stats_db: duckdb.DuckDBPyConnection) -> None:
    assert read_table(data_dir / FAP_ROME_FILE).encoding == "cp1252"
    label = _scalar(stats_db, "SELECT rome_label FROM fap_rome WHERE fap_code = 'A0Z41' AND rome_code = 'A1407'")
    assert label == "Élevage bovin ou équin"
    assert _scalar(stats_db, "SELECT count(*) FROM fap_rome WHERE rome_code = 'NA'") == 0


def test_dares_tension_by_departement(stats_db: duckdb.DuckDBPyConnection) -> None:
    sql = (
        "SELECT value FROM dares_tension WHERE year = 2019 AND fap_code = 'A0Z40' AND geo_level = ? "
        "AND geo_code = ? AND indicator = ?"
    )
    assert _scalar(stats_db, sql, ["departement", "67", "tension_index"]) == pytest.approx(0.2894015367)
    assert _scalar(stats_db, sql, ["departement", "67", "tension_level_1_5"]) == 4.0
    assert _scalar(stats_db, sql, ["region", "44", "employment_avg_persons"]) > 0
    series = "SELECT count(DISTINCT year) FROM dares_tension WHERE geo_level = 'national' AND fap_code = 'A0Z40'"
    assert _scalar(stats_db, series) == 9  # 2011–2019


def test_fap_nomenclature_and_metiers_en_tension(stats_db: duckdb.DuckDBPyConnection) -> None:
    levels = dict(stats_db.execute("SELECT level, count(*) FROM fap_nomenclature GROUP BY level").fetchall())
    assert levels == {"fap341": 341, "fap228": 228, "fap86": 86, "fap22": 22}
    parent = "SELECT parent_code FROM fap_nomenclature WHERE fap_code = 'A0X40' AND level = 'fap228'"
    assert _scalar(stats_db, parent) == "A0X"
    assert _scalar(stats_db, "SELECT count(*) FROM metiers_en_tension WHERE region = '44'") == 25
    label = "SELECT fap_label FROM metiers_en_tension WHERE region = '44' AND fap_code = 'A1Z40'"
    assert _scalar(stats_db, label) == "Maraîchers, horticulteurs salariés"
    assert _scalar(stats_db, "SELECT count(*) FROM rome_market_national") == 1584


def test_zone_emploi_figures_from_the_insee_tables(stats_db: duckdb.DuckDBPyConnection) -> None:
    sql = "SELECT value FROM zone_emploi_indicators WHERE zone_emploi = ? AND indicator = ?"
    assert _scalar(stats_db, sql, ["4423", "unemployment_rate_pct"]) == 7.5  # Strasbourg, Q4 2019
    assert _scalar(stats_db, sql, ["0051", "jobs_per_employed_resident"]) == 0.98  # a code with leading zeros
    grand_est = "SELECT count(DISTINCT zone_emploi) FROM zone_emploi_indicators WHERE zone_emploi LIKE '44%'"
    assert _scalar(stats_db, grand_est) == 27


@pytest.mark.slow
def test_reloading_statistics_duplicates_nothing(stats_db: duckdb.DuckDBPyConnection, data_dir: Path) -> None:
    before = table_counts(stats_db, STATS_TABLES)
    reports = load_statistics(stats_db, data_dir)
    assert table_counts(stats_db, STATS_TABLES) == before
    assert all(r.stored == 0 and r.updated == 0 for r in reports)


def test_cli_ingest_stats_only_some_parts(data_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    base = ["--data", str(data_dir), "--db", str(db), "ingest", "stats"]
    result = CliRunner().invoke(cli, [*base, "--only", "fap,tension"])
    assert result.exit_code == 0, result.output
    assert "Statistics" in result.output and "749" in result.output
    with connect(db) as con:
        assert _scalar(con, "SELECT count(*) FROM fap_rome") == 749
        assert _scalar(con, "SELECT count(*) FROM bmo_projects") == 0
    bad = CliRunner().invoke(cli, [*base, "--only", "bmo,nope"])
    assert bad.exit_code == 2 and "unknown part 'nope'" in bad.output
