"""load_trainings on a real DuckDB file: every training file of the data dir, idempotent re-runs, updates,
rejections with file/record/field, text kept as text, and the ``grepp ingest trainings`` command."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from grepp.cli.main import main
from grepp.sources.training_files import load_trainings
from grepp.sources.training_record import RomeLink
from grepp.store.runs import RunReport
from grepp.store.trainings import TrainingText, pending_rome_trainings, save_coded_rome_links

TABLES = ("trainings", "training_sessions", "training_places", "training_rome", "training_codes", "rejected_records")


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {t: int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in TABLES}  # type: ignore[index]


def _by_source(reports: list[RunReport]) -> dict[str, RunReport]:
    return {r.source: r for r in reports}


def test_every_training_file_loads_then_a_rerun_stores_nothing_new(
    con: duckdb.DuckDBPyConnection, data_dir: Path
) -> None:
    ticks: list[int] = []
    first = _by_source(load_trainings(con, data_dir, on_progress=ticks.append))
    assert set(first) == {"lheo-reference", "lheo", "rco", "grand-est-formations", "grand-est-diplomas", "cpf"}
    assert sum(ticks) == 26  # one tick per training file
    assert first["rco"].stored == 231
    assert first["grand-est-formations"].read == 1207
    assert first["grand-est-diplomas"].stored == 59
    assert first["lheo"].rejected == 1  # the anotea sample fails the XSD
    for report in first.values():
        assert report.read == report.stored + report.updated + report.unchanged + report.duplicates + report.rejected
    before = _counts(con)
    again = _by_source(load_trainings(con, data_dir))
    assert _counts(con) == before
    for source, report in again.items():
        assert (report.stored, report.updated) == (0, 0), source
        assert report.unchanged == first[source].stored, source
    runs = con.execute("SELECT source, status FROM ingest_runs ORDER BY started_at").fetchall()
    assert len(runs) == 12 and {status for _s, status in runs} == {"ok"}


def test_rome_links_keep_their_origin_and_provenance(con: duckdb.DuckDBPyConnection, data_dir: Path) -> None:
    folder = data_dir / "trainings" / "lheo" / "trefle_test_samples"
    load_trainings(con, data_dir, [folder / "formation.xml"])
    rows = con.execute(
        "SELECT rome_code, origin, rome_version, detail FROM training_rome WHERE training_id = 'lheo:07_114782' "
        "ORDER BY origin DESC, rome_code"
    ).fetchall()
    assert rows[0][:3] == ("F1604", "source", "rome-v3")
    derived = [r for r in rows if r[1] == "formacode"]
    assert derived and all(
        r[2] == "rome-v2" and ("Formacode 22403" in r[3] or "Formacode 22402" in r[3]) for r in derived
    )
    row = con.execute(
        "SELECT source, source_version, extractor, extractor_version, input_file, rome_links_status, last_run_id "
        "FROM trainings WHERE training_id = 'lheo:07_114782'"
    ).fetchone()
    assert row is not None
    assert row[:4] == ("lheo", "lheo-2.2", "grepp.sources.trainings", "1")
    assert row[4].endswith("formation.xml") and row[5] == "source" and row[6]
    codes = con.execute("SELECT scheme, code FROM training_codes WHERE training_id = 'lheo:07_114782'").fetchall()
    assert ("rncp", "320") in codes and ("nsf", "233") in codes
    assert con.execute("SELECT count(*) FROM formacode_rome").fetchone() == (2762,)


def test_changed_content_updates_the_row_and_rewrites_its_children(
    con: duckdb.DuckDBPyConnection, data_dir: Path, tmp_path: Path
) -> None:
    source = (data_dir / "trainings" / "grand_est_formations_zsoow" / "formations.csv").read_text(encoding="utf-8")
    lines = source.splitlines()[:10]
    path = tmp_path / "formations.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    [_ref, first] = load_trainings(con, data_dir, [path])
    assert first.stored == 9
    stored = con.execute("SELECT training_id, first_run_id FROM trainings WHERE input_file LIKE '%formations.csv'")
    ids = dict(stored.fetchall())
    lines[1] = lines[1].replace(";3;", ";4;", 1)  # European level 3 → 4: same training, new content
    path.write_text("\n".join(lines), encoding="utf-8")
    [_ref, second] = load_trainings(con, data_dir, [path])
    assert (second.stored, second.updated, second.unchanged) == (0, 1, 8)
    rows = con.execute(
        "SELECT training_id, first_run_id, last_run_id, diploma_level FROM trainings WHERE diploma_level = '4'"
    ).fetchall()
    [(training_id, first_run, last_run, _level)] = rows
    assert first_run == ids[training_id] != last_run
    assert con.execute("SELECT count(*) FROM training_places WHERE training_id = ?", [training_id]).fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM trainings").fetchone() == (9,)


def test_bad_records_go_to_rejected_records_and_the_batch_goes_on(
    con: duckdb.DuckDBPyConnection, data_dir: Path, tmp_path: Path
) -> None:
    rco = (
        data_dir / "trainings" / "rco_catalogue_apprentissage" / "rco_catalogue_formations_apprentissage_samples.jsonl"
    )
    lines = [*rco.read_text(encoding="utf-8").splitlines()[:3], "not json at all", '{"id_action": ""}']
    path = tmp_path / "rco.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    truncated = tmp_path / "tronque.xml"
    xml = (data_dir / "trainings" / "lheo" / "trefle_test_samples" / "poec.xml").read_text(encoding="utf-8")
    truncated.write_text(xml[:2000], encoding="utf-8")
    for _ in range(2):
        reports = _by_source(load_trainings(con, data_dir, [path, truncated]))
        assert (reports["rco"].stored + reports["rco"].unchanged, reports["rco"].rejected) == (3, 2)
        assert reports["lheo"].rejected == 1 and reports["lheo"].errors[0].startswith("unreadable file: tronque.xml")
    rejected = con.execute("SELECT source, location, field, reason FROM rejected_records ORDER BY source, location")
    rows = rejected.fetchall()
    assert rows[:2] == [
        ("rco.jsonl", "line 4", "", "not JSON: Expecting value (column 1)"),
        ("rco.jsonl", "line 5", "id_action", "the record has no id"),
    ]
    [(file_name, location, _field, reason)] = rows[2:]
    assert (file_name, location) == ("tronque.xml", "file")
    assert reason.startswith("tronque.xml line ") and "malformed XML" in reason
    assert con.execute("SELECT count(*) FROM trainings").fetchone() == (3,)


def test_html_and_script_in_text_are_stored_as_text(
    con: duckdb.DuckDBPyConnection, data_dir: Path, tmp_path: Path
) -> None:
    header = "Nom_Complet_Diplome;Acronyme_Diplome;Niveau_Europeen;Grande_Categorie;Description_Diplome;"
    header += (
        "Nom_Etablissement;Ville;Code_Postal;Region;URL_Site_Etablissement;URL_Page_Formation;Dates_Portes_Ouvertes"
    )
    text = "<b>Soudeur</b> <script>alert('x')</script> & co"
    row = f"CAP Soudure;CAP;3;MÉTALLURGIE;{text};Lycée <i>Test</i>;Metz;57000;Lorraine;;;"
    path = tmp_path / "formations.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    load_trainings(con, data_dir, [path])
    stored = con.execute("SELECT t.objective, p.name FROM trainings t JOIN training_places p USING (training_id)")
    assert stored.fetchall() == [(text, "Lycée <i>Test</i>")]


def test_cli_ingest_trainings_prints_the_report_and_fails_on_unreadable_files(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "cli.duckdb"
    sample = data_dir / "trainings" / "cpf_catalogue_sample_bobemploi" / "cpf_trainings_2021.csv"
    main(["--data", str(data_dir), "--db", str(db), "ingest", "trainings", str(sample)])
    out = capsys.readouterr().out
    assert "cpf" in out and "lheo-reference" in out
    broken = tmp_path / "broken.xml"
    broken.write_text((data_dir / "trainings" / "lheo" / "trefle_test_samples" / "daeu.xml").read_text()[:900])
    with pytest.raises(SystemExit) as exit_info:
        main(["--data", str(data_dir), "--db", str(db), "ingest", "trainings", str(broken)])
    assert exit_info.value.code == 3
    assert "Error: 1 file(s) could not be read" in capsys.readouterr().err
    with duckdb.connect(str(db), read_only=True) as check:
        assert check.execute("SELECT count(*) FROM trainings WHERE source = 'cpf'").fetchone() == (8,)
        assert check.execute("SELECT count(*) FROM ingest_runs").fetchone() == (4,)


def test_pending_trainings_can_be_coded_later_and_a_stale_coding_is_refused(
    con: duckdb.DuckDBPyConnection, data_dir: Path
) -> None:
    load_trainings(con, data_dir, [data_dir / "trainings" / "grand_est_formations_zsoow" / "database_finale.json"])
    pending = pending_rome_trainings(con, limit=2)
    assert len(pending_rome_trainings(con)) == 59
    assert [t.training_id for t in pending] == sorted(t.training_id for t in pending) and all(t.title for t in pending)
    link = RomeLink("A1405", detail="score 0.81", rome_version="rome-v3")
    assert save_coded_rome_links(con, pending[0], [link], origin="occupations.test.v1")
    stale = TrainingText(pending[1].training_id, "0" * 64, pending[1].title, "", "")
    assert not save_coded_rome_links(con, stale, [link], origin="occupations.test.v1")
    rows = con.execute("SELECT training_id, rome_code, origin FROM training_rome").fetchall()
    assert rows == [(pending[0].training_id, "A1405", "occupations.test.v1")]
    assert pending[0].training_id not in {t.training_id for t in pending_rome_trainings(con)}
    assert len(pending_rome_trainings(con)) == 58
