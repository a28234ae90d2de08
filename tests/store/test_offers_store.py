"""The offers store on the real files: idempotent runs, versions, placement, rejections, duplicates, export."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest

from grepp.config import Settings
from grepp.errors import SourceError
from grepp.sources.geo import load_geography
from grepp.sources.offer_files import data_offer_files
from grepp.sources.offer_ingest import ingest_paths
from grepp.store.db import connect
from grepp.store.offer_export import export_offers
from grepp.store.runs import RunReport

FT = "offers/france-travail"
TABLES = ("offers", "offer_versions", "offer_source_competences", "offer_duplicates", "rejected_records")


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> Any:
    row = con.execute(sql, params or []).fetchone()
    assert row is not None
    return row[0]


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {t: _scalar(con, f"SELECT count(*) FROM {t}") for t in TABLES}


def _lines(path: Path, n: int | None = None) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return rows[:n] if n else rows


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def geo_template(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    """A database file with the real geography loaded once; tests copy it."""
    path = tmp_path_factory.mktemp("offers-geo") / "geo.duckdb"
    with connect(path) as con:
        load_geography(con, data_dir)
    return path


@pytest.fixture(scope="module")
def loaded(
    geo_template: Path, data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[duckdb.DuckDBPyConnection, list[RunReport]]]:
    """Every real offer file ingested (with duplicate detection) into a database with the geography."""
    path = tmp_path_factory.mktemp("offers-all") / "all.duckdb"
    shutil.copy(geo_template, path)
    with connect(path) as con:
        reports = ingest_paths(con, [f.path for f in data_offer_files(data_dir)])
        yield con, reports


@pytest.mark.slow  # shares a ~20 s fixture: every real file ingested and deduplicated
def test_every_real_file_is_ingested_and_every_record_accounted_for(
    loaded: tuple[duckdb.DuckDBPyConnection, list[RunReport]],
) -> None:
    con, reports = loaded
    by_name = {Path(r.input).name: r for r in reports}
    for r in reports:
        assert r.read == r.stored + r.updated + r.unchanged + r.duplicates + r.rejected
    assert by_name["all-sectors-2025.jsonl"].stored == 815
    # The 218 Grand Est offers are also in the national file: same ids, one row each.
    assert by_name["national-it-data-2022-2025.jsonl"].stored == 2554 - 218
    assert by_name["riadh_dept07_offres.csv"].duplicates == 2  # two ids repeated in the file
    assert by_name["ba_jobsuche_data_keyword_2025.jsonl"].stored == 1401
    assert _scalar(con, "SELECT count(*) FROM offers") == sum(r.stored for r in reports)
    assert _scalar(con, "SELECT count(*) FROM ingest_runs WHERE status <> 'ok'") == 0
    assert _scalar(con, "SELECT count(DISTINCT extractor_version) FROM offers") == 1


@pytest.mark.slow  # shares a ~20 s fixture: every real file ingested and deduplicated
def test_a_second_run_of_the_same_files_stores_nothing_new(
    loaded: tuple[duckdb.DuckDBPyConnection, list[RunReport]], data_dir: Path
) -> None:
    con, _ = loaded
    before = _counts(con)
    again = ingest_paths(con, [f.path for f in data_offer_files(data_dir)])
    assert all(r.stored == 0 and r.updated == 0 for r in again)
    assert sum(r.unchanged for r in again) == sum(r.read - r.rejected for r in again)
    assert _counts(con) == before


@pytest.mark.slow  # shares a ~20 s fixture: every real file ingested and deduplicated
def test_grand_est_offers_land_in_their_zone_d_emploi_and_bassin(
    loaded: tuple[duckdb.DuckDBPyConnection, list[RunReport]],
) -> None:
    con, _ = loaded
    rows = con.execute(
        "SELECT place_status, zone_emploi, bassin_bmo FROM offers WHERE input LIKE '%grand-est-it-data-2024.jsonl' "
        "AND source_commune <> ''"
    ).fetchall()
    assert len(rows) > 150
    assert all(status == "ok" and ze and bassin for status, ze, bassin in rows)
    strasbourg = con.execute(
        "SELECT DISTINCT zone_emploi, bassin_bmo, region FROM offers WHERE commune_insee = '67482'"
    ).fetchall()
    assert strasbourg == [("4423", "4441", "44")]


@pytest.mark.slow  # shares a ~20 s fixture: every real file ingested and deduplicated
def test_flat_offers_without_a_code_are_placed_by_their_label(
    loaded: tuple[duckdb.DuckDBPyConnection, list[RunReport]],
) -> None:
    con, _ = loaded
    statuses = dict(
        con.execute(
            "SELECT place_status, count(*) FROM offers WHERE input LIKE '%riadh_dept07_offres.csv' GROUP BY 1"
        ).fetchall()
    )
    assert statuses.get("ok", 0) > 0.95 * sum(statuses.values())
    assert _scalar(con, "SELECT commune_insee FROM offers WHERE id = 'france-travail:192WXGD'") == "07019"  # Aubenas


@pytest.mark.slow  # shares a ~20 s fixture: every real file ingested and deduplicated
def test_source_competences_are_stored_apart_from_inferred_ones(
    loaded: tuple[duckdb.DuckDBPyConnection, list[RunReport]],
) -> None:
    con, _ = loaded
    kinds = dict(con.execute("SELECT kind, count(*) FROM offer_source_competences GROUP BY 1").fetchall())
    assert kinds["competence"] > 5000 and "qualite" in kinds
    exigences = {e for (e,) in con.execute("SELECT DISTINCT exigence FROM offer_source_competences").fetchall()}
    assert {"E", "S"} <= exigences


@pytest.mark.slow  # shares a ~20 s fixture: every real file ingested and deduplicated
def test_duplicates_are_linked_to_the_earliest_offer_and_never_deleted(
    loaded: tuple[duckdb.DuckDBPyConnection, list[RunReport]],
) -> None:
    con, reports = loaded
    assert _scalar(con, "SELECT count(*) FROM offers") == sum(r.stored for r in reports)
    methods = dict(con.execute("SELECT method, count(*) FROM offer_duplicates GROUP BY 1").fetchall())
    assert methods["exact"] > 0 and methods["near"] > 0
    later = _scalar(
        con,
        "SELECT count(*) FROM offer_duplicates d JOIN offers o ON o.id = d.offer_id "
        "JOIN offers c ON c.id = d.canonical_offer_id WHERE c.created_at > o.created_at",
    )
    assert later == 0
    chained = _scalar(
        con, "SELECT count(*) FROM offer_duplicates WHERE canonical_offer_id IN (SELECT offer_id FROM offer_duplicates)"
    )
    assert chained == 0
    exact_differ = _scalar(
        con,
        "SELECT count(*) FROM offer_duplicates d JOIN offers o ON o.id = d.offer_id "
        "JOIN offers c ON c.id = d.canonical_offer_id WHERE d.method = 'exact' AND o.text_hash <> c.text_hash",
    )
    assert exact_differ == 0


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["parquet", "csv", "xlsx"])
def test_export_writes_one_row_per_canonical_offer_of_the_region(
    loaded: tuple[duckdb.DuckDBPyConnection, list[RunReport]], tmp_path: Path, fmt: str
) -> None:
    con, _ = loaded
    out = tmp_path / f"offres.{fmt}"
    n = export_offers(con, out, fmt=fmt, region="44", since=date(2024, 1, 1))
    expected = _scalar(
        con,
        "SELECT count(*) FROM offers WHERE region = '44' AND created_at >= DATE '2024-01-01' "
        "AND id NOT IN (SELECT offer_id FROM offer_duplicates)",
    )
    assert n == expected > 50
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(out, read_only=True)["offres"]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0] == "id" and len(rows) == n + 1
    else:
        reader = "read_parquet" if fmt == "parquet" else "read_csv_auto"
        assert _scalar(con, f"SELECT count(*) FROM {reader}(?)", [str(out)]) == n
        assert _scalar(con, f"SELECT count(DISTINCT region) FROM {reader}(?)", [str(out)]) == 1


def test_an_updated_offer_keeps_its_previous_version(settings: Settings, data_dir: Path, tmp_path: Path) -> None:
    rows = _lines(data_dir / FT / "grand-est-it-data-2024.jsonl", 3)
    first = _write_jsonl(tmp_path / "v1.jsonl", rows)
    changed = [dict(r) for r in rows]
    changed[0]["description"] = rows[0]["description"] + "\nPoste à pourvoir immédiatement."
    changed[0]["dateActualisation"] = "2025-06-01T08:00:00.000Z"
    second = _write_jsonl(tmp_path / "v2.jsonl", changed)
    with connect(settings.db_path) as con:
        (r1,) = ingest_paths(con, [first], dedupe=False)
        (r2,) = ingest_paths(con, [second], dedupe=False)
        (r3,) = ingest_paths(con, [first], dedupe=False)  # the older file again
        offer_id = f"france-travail:{rows[0]['id']}"
        assert (r1.stored, r2.updated, r2.unchanged, r3.updated, r3.unchanged) == (3, 1, 2, 0, 3)
        assert _scalar(con, "SELECT description FROM offers WHERE id = ?", [offer_id]).endswith("immédiatement.")
        assert _scalar(con, "SELECT description FROM offer_versions WHERE id = ?", [offer_id]) == rows[0]["description"]
        assert _scalar(con, "SELECT count(*) FROM offer_versions") == 1
        seen = con.execute("SELECT first_seen_run, last_seen_run FROM offers WHERE id = ?", [offer_id]).fetchone()
        assert seen is not None and seen[0] != seen[1]


def test_bad_lines_are_rejected_with_file_line_and_field_and_the_rest_is_stored(
    settings: Settings, data_dir: Path, tmp_path: Path
) -> None:
    rows = _lines(data_dir / FT / "all-sectors-2025.jsonl", 6)
    del rows[1]["id"]
    rows[2]["dateCreation"] = "2999-12-31T00:00:00Z"
    rows[3]["salaire"] = {"libelle": "Mensuel de 0.0 Euros"}
    rows[4]["lieuTravail"] = {"libelle": "99 - NULLEPART", "commune": "99999"}
    lines = [json.dumps(r, ensure_ascii=False).encode() for r in rows]
    lines.insert(3, b'{"id": "BROKEN", "intitule": ')  # malformed JSON
    cp1252 = '{"id": "CP1252", "intitule": "Électricien", "dateCreation": "2025-01-02T00:00:00Z"}'
    lines.insert(4, cp1252.encode("cp1252"))  # one line in another encoding
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n" + lines[-1][:40])  # last line cut: a truncated file
    with connect(settings.db_path) as con:
        (report,) = ingest_paths(con, [path], dedupe=False)
        assert (report.read, report.stored, report.rejected) == (9, 5, 4)
        rejected = {
            location: (field, reason)
            for location, field, reason in con.execute(
                "SELECT location, field, reason FROM rejected_records ORDER BY location"
            ).fetchall()
        }
        assert rejected["bad.jsonl line 2"][0] == "id"
        assert rejected["bad.jsonl line 3"][0] == "dateCreation" and "future" in rejected["bad.jsonl line 3"][1]
        assert "malformed JSON" in rejected["bad.jsonl line 4"][1]
        assert "bad.jsonl line 5" not in rejected
        title, warnings = con.execute(
            "SELECT title, warnings FROM offers WHERE id = 'france-travail:CP1252'"
        ).fetchone()
        assert title == "Électricien" and warnings == ["bad.jsonl line 5: not UTF-8, decoded as cp1252"]
        # The UTF-8 lines around it are not turned into mojibake.
        assert _scalar(con, "SELECT count(*) FROM offers WHERE title LIKE '%Ã%' OR description LIKE '%Ã©%'") == 0
        assert "truncated" in rejected["bad.jsonl line 9"][1]
        salary = con.execute(
            "SELECT salary_min_eur_month, warnings FROM offers WHERE id = ?", [f"france-travail:{rows[3]['id']}"]
        ).fetchone()
        assert salary is not None and salary[0] is None and any("out of range" in w for w in salary[1])
        place = con.execute(
            "SELECT commune_insee, place_status FROM offers WHERE id = ?", [f"france-travail:{rows[4]['id']}"]
        ).fetchone()
        assert place == ("99999", "no_geography")
        assert _scalar(con, "SELECT status FROM ingest_runs WHERE run_id IS NOT NULL") == "ok"
        # The same bad file again: no new rows anywhere.
        before = _counts(con)
        ingest_paths(con, [path], dedupe=False)
        assert _counts(con) == before


@pytest.mark.parametrize("layout", ["jsonl", "array", "document"])
def test_an_escaped_lone_surrogate_is_mended_not_fatal(
    layout: str, settings: Settings, data_dir: Path, tmp_path: Path
) -> None:
    """JSON may escape a lone surrogate ("\\ud800"), which UTF-8 and DuckDB cannot hold: it used to stop the
    whole run (a document) or lose the offer (JSONL). It becomes U+FFFD, with a warning; the rest is stored."""
    rows = _lines(data_dir / FT / "all-sectors-2025.jsonl", 2)
    rows[1].update(id="SURROGATE", intitule="Soudeur \ud800 H/F", description="Soudure TIG \udcff, CACES 3.")
    items = [json.dumps(r, ensure_ascii=True) for r in rows]  # ASCII: the surrogates written as \u escapes
    text = {"jsonl": "\n".join(items) + "\n", "array": f"[{','.join(items)}]", "document": items[1]}[layout]
    path = tmp_path / f"surrogate-{layout}.json"
    path.write_text(text, encoding="ascii")
    with connect(settings.db_path) as con:
        (report,) = ingest_paths(con, [path], dedupe=False)
        assert report.rejected == 0 and report.stored == (1 if layout == "document" else 2)
        title, description, warnings = con.execute(
            "SELECT title, description, warnings FROM offers WHERE id = 'france-travail:SURROGATE'"
        ).fetchone()
        assert (title, description) == ("Soudeur \ufffd H/F", "Soudure TIG \ufffd, CACES 3.")
        assert any("lone surrogate" in w for w in warnings)


def test_an_unknown_or_old_commune_is_kept_and_flagged(geo_template: Path, data_dir: Path, tmp_path: Path) -> None:
    shutil.copy(geo_template, tmp_path / "g.duckdb")
    base = _lines(data_dir / FT / "grand-est-it-data-2024.jsonl", 3)
    base[0]["lieuTravail"] = {"libelle": "08 - LA MONCELLE", "commune": "08294"}  # merged into Bazeilles in 2024
    base[1]["lieuTravail"] = {"libelle": "67 - NULLEPART", "commune": "67999"}
    base[2]["lieuTravail"] = {"libelle": "75 - PARIS 15", "commune": "75115"}  # an arrondissement
    path = _write_jsonl(tmp_path / "places.jsonl", base)
    with connect(tmp_path / "g.duckdb") as con:
        ingest_paths(con, [path], dedupe=False)
        old = con.execute(
            "SELECT commune_insee, source_commune, place_status, zone_emploi FROM offers WHERE id = ?",
            [f"france-travail:{base[0]['id']}"],
        ).fetchone()
        assert old is not None and old[:3] == ("08053", "08294", "ok") and old[3]
        unknown = con.execute(
            "SELECT commune_insee, departement, region, place_status FROM offers WHERE id = ?",
            [f"france-travail:{base[1]['id']}"],
        ).fetchone()
        assert unknown == ("67999", "67", "44", "unknown_commune")
        paris = con.execute(
            "SELECT commune_insee, region, place_status FROM offers WHERE id = ?", [f"france-travail:{base[2]['id']}"]
        ).fetchone()
        assert paris == ("75056", "11", "ok")


def test_an_interrupted_run_is_marked_failed_by_the_next_one(settings: Settings, data_dir: Path) -> None:
    with connect(settings.db_path) as con:
        con.execute("INSERT INTO ingest_runs (run_id, source, input) VALUES ('dead', 'france-travail', 'x.jsonl')")
        ingest_paths(con, [data_dir / FT / "grand-est-it-data-2024.jsonl"], dedupe=False)
        assert _scalar(con, "SELECT status FROM ingest_runs WHERE run_id = 'dead'") == "failed"


def test_the_ingest_bounds_duckdb_memory_and_puts_the_settings_back(settings: Settings, data_dir: Path) -> None:
    with connect(settings.db_path) as con:
        settings_sql = "SELECT current_setting('memory_limit'), current_setting('checkpoint_threshold')"
        before = con.execute(settings_sql).fetchone()
        seen: list[str] = []
        ingest_paths(
            con,
            [data_dir / FT / "grand-est-it-data-2024.jsonl"],
            dedupe=False,
            on_progress=lambda _: seen.append(_scalar(con, "SELECT current_setting('memory_limit')")),
        )
        after = con.execute(settings_sql).fetchone()
    assert before is not None and before[0] != "244.1 MiB"
    assert seen and all(limit == "244.1 MiB" for limit in seen)  # 256 MB while the batches are written
    assert after == before


def test_a_missing_file_stops_before_anything_is_stored(settings: Settings, data_dir: Path, tmp_path: Path) -> None:
    with connect(settings.db_path) as con, pytest.raises(SourceError, match=r"missing\.jsonl"):
        ingest_paths(con, [data_dir / FT / "grand-est-it-data-2024.jsonl", tmp_path / "missing.jsonl"])
    with connect(settings.db_path) as con:
        assert _scalar(con, "SELECT count(*) FROM offers") == 0


def test_unknown_csv_columns_are_named_in_the_run_message(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "offres.csv"
    path.write_text(
        "id;intitule;dateCreation;lieuTravail;couleurPrefere\n"
        "A1;Soudeur TIG;2025-03-01T08:00:00Z;67 - STRASBOURG;bleu\n",
        encoding="utf-8",
    )
    with connect(settings.db_path) as con:
        (report,) = ingest_paths(con, [path], dedupe=False)
        assert report.stored == 1 and report.errors == ["offres.csv: unknown columns ignored: couleurPrefere"]
        assert _scalar(con, "SELECT message FROM ingest_runs") == "offres.csv: unknown columns ignored: couleurPrefere"
        assert _scalar(con, "SELECT departement FROM offers") == "67"
