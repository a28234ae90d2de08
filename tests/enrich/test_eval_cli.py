"""`grepp eval rank` and `grepp eval offers` end to end on extracts of the real benchmark and offer files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from grepp.cli.main import cli, main
from grepp.errors import RecordError


def _melo_extract(
    data_dir: Path, target: Path, queries: int = 25, others: int = 400, name: str = "occupations-melo-bel-fr-dev"
) -> tuple[Path, Path, Path]:
    """The first queries of a MELO set, their relevant elements and some others (header added to the queries)."""
    source = data_dir / "eval" / name
    q_lines = (source / "queries.tsv").read_text(encoding="utf-8").splitlines()[:queries]
    kept_q = {line.split("\t")[0] for line in q_lines}
    qrels = [line for line in (source / "annotations.tsv").read_text().splitlines() if line.split()[0] in kept_q]
    relevant = {line.split()[2] for line in qrels}
    corpus = [
        line
        for i, line in enumerate((source / "corpus_elements.tsv").read_text(encoding="utf-8").splitlines())
        if line.split("\t")[0] in relevant or i % 37 == 0
    ][: len(relevant) + others]
    target.mkdir(parents=True, exist_ok=True)
    (target / "q.tsv").write_text("id\ttext\n" + "\n".join(q_lines) + "\n", encoding="utf-8")
    (target / "c.tsv").write_text("\n".join(corpus) + "\n", encoding="utf-8")
    (target / "a.tsv").write_text("\n".join(qrels) + "\n", encoding="utf-8")
    return target / "q.tsv", target / "c.tsv", target / "a.tsv"


def test_eval_rank_writes_a_trec_run_of_corpus_ids_only(data_dir: Path, tmp_path: Path) -> None:
    queries, corpus, qrels = _melo_extract(data_dir, tmp_path)
    out = tmp_path / "run.trec"
    args = ["--db", str(tmp_path / "g.duckdb"), "eval", "rank", "--queries", str(queries), "--corpus", str(corpus)]
    result = CliRunner().invoke(
        cli, [*args, "--out", str(out), "--qrels", str(qrels), "--top", "7", "--encoder", "none", "--no-taxonomy"]
    )
    assert result.exit_code == 0, result.output
    corpus_ids = {line.split("\t")[0] for line in corpus.read_text(encoding="utf-8").splitlines()}
    rows = [line.split(" ") for line in out.read_text(encoding="utf-8").splitlines()]
    assert {row[0] for row in rows} == {f"Q{i:06d}" for i in range(1, 26)}  # every query, header skipped
    assert all(len(row) == 6 and row[1] == "Q0" and row[5] == "grepp" for row in rows)
    assert {row[2] for row in rows} <= corpus_ids
    per_query: dict[str, list[tuple[int, float]]] = {}
    for row in rows:
        per_query.setdefault(row[0], []).append((int(row[3]), float(row[4])))
    for ranks in per_query.values():
        assert [r for r, _ in ranks] == list(range(1, 8))
        assert [s for _, s in ranks] == sorted((s for _, s in ranks), reverse=True)
    metrics = dict(line.split("\t") for line in result.stdout.splitlines() if "\t" in line)
    assert {"MAP", "R-prec", "MRR", "P@5", "RP@5", "RP@10"} <= metrics.keys()
    assert float(metrics["MAP"]) > 0.3  # a real engine on an easy extract, not a random order


@pytest.mark.slow
def test_eval_rank_reads_german_titles_with_a_second_encoder(data_dir: Path, taxonomy_db: Path, tmp_path: Path) -> None:
    queries, corpus, qrels = _melo_extract(data_dir, tmp_path, 20, 300, "occupations-melo-aut-de-dev")
    db = tmp_path / "g.duckdb"
    shutil.copyfile(taxonomy_db, db)
    args = ["--data", str(data_dir), "--db", str(db), "eval", "rank", "--queries", str(queries)]
    args += ["--corpus", str(corpus), "--out", str(tmp_path / "run.trec"), "--qrels", str(qrels)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    # German titles against German occupation labels: USE + three times e5-small's cosine, each through its adapter
    assert "encoders use-m3-occupations.v2+e5-small-occupations.v2×3" in result.output
    metrics = dict(line.split("\t") for line in result.stdout.splitlines() if "\t" in line)
    assert float(metrics["MAP"]) > 0.3


def test_eval_rank_bad_input_is_one_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "q.tsv"
    bad.write_text("Q1\tSoudeur\nno tab on this line\n", encoding="utf-8")
    corpus = tmp_path / "c.tsv"
    corpus.write_text("C1\tsoudeur\n", encoding="utf-8")
    args = ["eval", "rank", "--queries", str(bad), "--corpus", str(corpus), "--out", str(tmp_path / "r")]
    with pytest.raises(SystemExit) as exit_info:
        main([*args, "--encoder", "none", "--no-taxonomy"])
    assert exit_info.value.code == RecordError.exit_code
    error = capsys.readouterr().err
    assert error.startswith("Error:") and "q.tsv, line 2" in error and "Traceback" not in error


@pytest.mark.slow
def test_eval_offers_predicts_without_reading_the_coding(data_dir: Path, taxonomy_db: Path, tmp_path: Path) -> None:
    source = data_dir / "offers" / "france-travail" / "all-sectors-2025.jsonl"
    offers = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()[:30]]
    path = tmp_path / "offers.jsonl"
    path.write_text("\n".join(json.dumps(o, ensure_ascii=False) for o in offers) + "\nnot json\n", encoding="utf-8")
    db = tmp_path / "g.duckdb"
    shutil.copyfile(taxonomy_db, db)
    out = tmp_path / "pred.tsv"
    result = CliRunner().invoke(
        cli, ["--data", str(data_dir), "--db", str(db), "eval", "offers", str(path), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r[0] for r in rows] == [str(o["id"]) for o in offers]
    assert all(len(r) == 4 and len(r[1]) == 5 for r in rows)
    metrics = dict(line.split("\t") for line in result.stdout.splitlines() if "\t" in line)
    assert float(metrics["top3"]) >= float(metrics["top1"]) > 0.4
    assert "line 31" in result.output  # the bad line is reported, the rest coded


@pytest.mark.slow
def test_eval_offers_reads_api_responses_and_german_ads_without_their_coding(
    data_dir: Path, taxonomy_db: Path, tmp_path: Path
) -> None:
    """A saved France Travail response ({"resultats": [...]}) and Jobsuche ads: ids are the offers' own
    (``refnr`` for the BA), German titles are read, the BA's own occupation (``hauptberuf``) is not."""
    source = data_dir / "offers" / "france-travail" / "all-sectors-2025.jsonl"
    offers = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()[:10]]
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"resultats": offers, "filtresPossibles": []}, ensure_ascii=False), encoding="utf-8")
    db = tmp_path / "g.duckdb"
    shutil.copyfile(taxonomy_db, db)
    base = ["--data", str(data_dir), "--db", str(db), "eval", "offers"]
    out = tmp_path / "pred.tsv"
    result = CliRunner().invoke(cli, [*base, str(page), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r[0] for r in rows] == [str(o["id"]) for o in offers]
    assert dict(line.split("\t") for line in result.stdout.splitlines() if "\t" in line)["offers"] == "10"
    ba = data_dir / "offers" / "germany-ba" / "ba_jobsuche_data_keyword_2025.jsonl"
    ads = [json.loads(line) for line in ba.read_text(encoding="utf-8").splitlines()[:40]]
    ad = {"refnr": "T-1", "stellenangebotsTitel": "Staplerfahrer (m/w/d)", "hauptberuf": "Koch/Köchin"}
    ad["stellenangebotsBeschreibung"] = "Wir suchen einen Staplerfahrer für unser Lager in Kehl. Staplerschein."
    path = tmp_path / "ads.jsonl"
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in [*ads, ad]), encoding="utf-8")
    result = CliRunner().invoke(cli, [*base, str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r[0] for r in rows] == [a["refnr"] for a in [*ads, ad]]
    assert rows[-1][1] == "N1101"  # a forklift driver (cariste), not the cook its hauptberuf names
    assert sum(1 for r in rows if r[1]) >= 30  # the ads' titles and texts are read: most are coded


@pytest.mark.slow
def test_eval_offers_reads_a_flat_psv_export_like_the_ingestion(
    data_dir: Path, taxonomy_db: Path, tmp_path: Path
) -> None:
    """The real Ardèche export (150 offers flattened to `|`-separated dotted columns) is scored as JSON is."""
    source = data_dir / "offers" / "france-travail" / "ardeche-cdi-2025-flattened.psv"
    db = tmp_path / "g.duckdb"
    shutil.copyfile(taxonomy_db, db)
    out, skills = tmp_path / "pred.tsv", tmp_path / "skills.tsv"
    args = ["--data", str(data_dir), "--db", str(db), "eval", "offers", str(source), "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "--skills-out", str(skills)])
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    header = source.read_text(encoding="utf-8").splitlines()[0].split("|")
    assert header[:2] == ["id", "intitule"] and len(rows) == 150
    assert all(len(r) == 4 and len(r[1]) == 5 for r in rows)
    metrics = dict(line.split("\t") for line in result.stdout.splitlines() if "\t" in line)
    assert metrics["offers"] == "150"  # every offer carries its romeCode: all of them are scored
    assert float(metrics["top3"]) >= float(metrics["top1"]) > 0.4
    assert 0.1 < float(metrics["skill_recall@10"]) <= 1.0  # the competences cells (Python literals) are read
    # the first métier's confidence says how often it is right, on offers the calibration never read (fitted on
    # the undated answers as judged undated, it said 0.59 where 0.77 were right: ECE 0.18)
    assert abs(float(metrics["confidence"]) - float(metrics["top1"])) < 0.12
    assert float(metrics["ece"]) < 0.15 and 0 < float(metrics["brier"]) < 0.2
    skill_rows = [line.split("\t") for line in skills.read_text(encoding="utf-8").splitlines()]
    assert {r[0] for r in skill_rows} <= {r[0] for r in rows} and all(r[1].isdigit() for r in skill_rows)
