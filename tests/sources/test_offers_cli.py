"""`grepp ingest` (files by default, france-travail through a replay of the API) and `grepp export offers`."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from grepp.cli.main import cli, main
from servers.france_travail import FranceTravailReplay, departement_regions, load_offers

FT = "offers/france-travail"


def _run(tmp_path: Path, data_dir: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["--db", str(tmp_path / "cli.duckdb"), "--data", str(data_dir), *args], env=env, catch_exceptions=False
    )
    return result.exit_code, result.output


def _count(tmp_path: Path, sql: str) -> int:
    with duckdb.connect(str(tmp_path / "cli.duckdb"), read_only=True) as con:
        row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def test_grepp_ingest_paths_is_the_default_files_command(data_dir: Path, tmp_path: Path) -> None:
    path = data_dir / FT / "grand-est-it-data-2024.jsonl"
    code, output = _run(tmp_path, data_dir, "ingest", str(path), "--no-dedupe")
    assert code == 0, output
    assert "offers ingested" in output and "218" in output
    assert _count(tmp_path, "SELECT count(*) FROM offers") == 218
    code, output = _run(tmp_path, data_dir, "ingest", "files", str(path), "--format", "ft-json")
    assert code == 0 and "duplicates:" in output
    assert _count(tmp_path, "SELECT sum(n_unchanged) FROM ingest_runs") == 218


def test_sub_commands_of_other_modules_sit_beside_the_default(data_dir: Path, tmp_path: Path) -> None:
    code, output = _run(tmp_path, data_dir, "ingest", "--help")
    assert code == 0
    for name in ("files", "france-travail"):
        assert name in output


def test_a_file_in_the_wrong_format_is_one_error_line(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = data_dir / FT / "ardeche-cdi-2025-flattened.psv"
    with pytest.raises(SystemExit) as stopped:
        main(["--db", str(tmp_path / "x.duckdb"), "--data", str(data_dir), "ingest", "--format", "ba-json", str(path)])
    assert stopped.value.code == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("Error: ") and "ardeche-cdi-2025-flattened.psv" in err[-1]


def test_a_refused_file_prints_no_empty_progress_bar_before_the_error(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-offers.jsonl"
    with pytest.raises(SystemExit) as stopped:
        main(["--db", str(tmp_path / "x.duckdb"), "--data", str(data_dir), "ingest", str(missing)])
    assert stopped.value.code != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Error: ") and "no-such-offers.jsonl" in err[0], err


def test_grepp_ingest_france_travail_reads_the_api(data_dir: Path, tmp_path: Path) -> None:
    offers = load_offers(data_dir)
    with FranceTravailReplay(offers, regions=departement_regions(data_dir)) as api:
        env = {
            "FT_CLIENT_ID": api.client_id,
            "FT_CLIENT_SECRET": api.client_secret,
            "FT_API_URL": api.api_url,
            "FT_TOKEN_URL": api.token_url,
            "FT_REQUESTS_PER_SECOND": "1000",
        }
        code, output = _run(tmp_path, data_dir, "ingest", "france-travail", "--region", "44", "--no-dedupe", env=env)
        assert code == 0, output
        again_code, _ = _run(tmp_path, data_dir, "ingest", "france-travail", "--region", "44", "--no-dedupe", env=env)
    expected = {str(o["id"]) for o in offers if str((o.get("lieuTravail") or {}).get("commune", ""))[:2] in (
        "08", "10", "51", "52", "54", "55", "57", "67", "68", "88")}  # fmt: skip
    stored = _count(tmp_path, "SELECT count(*) FROM offers WHERE region = '44'")
    assert stored >= len(expected) > 100
    assert again_code == 0
    assert _count(tmp_path, "SELECT n_stored FROM ingest_runs ORDER BY started_at DESC LIMIT 1") == 0
    assert _count(tmp_path, "SELECT count(*) FROM ingest_runs WHERE input LIKE 'api region=44%'") == 2


def test_grepp_ingest_france_travail_without_credentials_says_what_to_set(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FT_CLIENT_ID", raising=False)
    monkeypatch.delenv("FT_CLIENT_SECRET", raising=False)
    with pytest.raises(SystemExit) as stopped:
        main(
            ["--db", str(tmp_path / "x.duckdb"), "--data", str(data_dir), "ingest", "france-travail", "--region", "44"]
        )
    assert stopped.value.code == 2
    assert "FT_CLIENT_ID" in capsys.readouterr().err


def test_grepp_export_offers_writes_the_filtered_offers(data_dir: Path, tmp_path: Path) -> None:
    path = data_dir / FT / "grand-est-it-data-2024.jsonl"
    assert _run(tmp_path, data_dir, "ingest", str(path))[0] == 0
    out = tmp_path / "bas-rhin.csv"
    code, output = _run(
        tmp_path, data_dir, "export", "offers", "--format", "csv", "--out", str(out), "--departement", "67"
    )
    assert code == 0, output
    expected = _count(
        tmp_path,
        "SELECT count(*) FROM offers WHERE departement = '67' AND id NOT IN (SELECT offer_id FROM offer_duplicates)",
    )
    assert f"{expected:,} offers written" in output and expected > 20
    with duckdb.connect() as con:
        rows = con.execute(
            "SELECT departement, count(*) FROM read_csv_auto(?, all_varchar=true) GROUP BY 1", [str(out)]
        )
        assert rows.fetchall() == [("67", expected)]
    code, output = _run(
        tmp_path, data_dir, "export", "offers", "--out", str(out), "--since", "2025-02-01", "--until", "2025-01-01"
    )
    assert code == 2 and "--since" in output


def test_ingest_reads_a_json_array_file_too(data_dir: Path, tmp_path: Path) -> None:
    with (data_dir / FT / "all-sectors-2025.jsonl").open(encoding="utf-8") as handle:
        offers = [json.loads(next(handle)) for _ in range(5)]
    path = tmp_path / "array.json"
    path.write_text(json.dumps(offers), encoding="utf-8")
    code, output = _run(tmp_path, data_dir, "ingest", str(path), "--no-dedupe")
    assert code == 0, output
    assert _count(tmp_path, "SELECT count(*) FROM offers") == 5
