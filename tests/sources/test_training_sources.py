"""RCO catalogue, Grand Est formations, CPF sample and Formacode tables, read from the real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grepp.sources.training_cpf import read_cpf
from grepp.sources.training_files import classify, sniff
from grepp.sources.training_formacode import (
    formacode_rome_mapping,
    read_dictionaries,
    read_formacode,
    read_rome_formacode,
    with_formacode_links,
)
from grepp.sources.training_grand_est import read_grand_est_csv, read_grand_est_json
from grepp.sources.training_rco import read_rco
from grepp.sources.training_record import TrainingRecord, departement_of, postal_code


@pytest.fixture(scope="module")
def trainings_dir(data_dir: Path) -> Path:
    return data_dir / "trainings"


@pytest.fixture(scope="module")
def rco_file(trainings_dir: Path) -> Path:
    return trainings_dir / "rco_catalogue_apprentissage" / "rco_catalogue_formations_apprentissage_samples.jsonl"


@pytest.fixture(scope="module")
def grand_est_csv(trainings_dir: Path) -> Path:
    return trainings_dir / "grand_est_formations_zsoow" / "formations.csv"


def test_rco_catalogue_gives_231_apprenticeship_actions_pending_rome(rco_file: Path) -> None:
    parsed = read_rco(rco_file)
    assert (parsed.read, len(parsed.records), parsed.rejections) == (231, 231, [])
    first = parsed.records[0]
    assert first.training_id == "rco:24_1408562"
    assert first.modality == "apprentissage"
    assert first.codes_of("rncp") == ["4911"]
    assert first.codes_of("certifinfo") == ["56927"]
    assert first.places[0].commune_insee == "13001"
    assert first.places[0].latitude == pytest.approx(43.5614)
    assert first.sessions[0].start is not None and first.sessions[0].start.month == 9
    assert first.rome_links_status == "pending"


def test_an_rco_line_that_is_not_json_is_rejected_and_the_rest_read(rco_file: Path, tmp_path: Path) -> None:
    lines = rco_file.read_text(encoding="utf-8").splitlines()[:4]
    lines.insert(2, '{"id_action": "24_1", "periode": [')
    path = tmp_path / "rco.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    parsed = read_rco(path)
    assert len(parsed.records) == 4
    [rejection] = parsed.rejections
    assert rejection.error.source == "rco.jsonl"
    assert rejection.error.location == "line 3"
    assert "not JSON" in rejection.error.reason
    assert rejection.raw == lines[2]


@pytest.mark.parametrize("layout", ["jsonl", "json"])
def test_an_escaped_lone_surrogate_in_an_rco_record_is_mended(rco_file: Path, tmp_path: Path, layout: str) -> None:
    """JSON may escape a lone surrogate ("\\ud800"); UTF-8 cannot hold it, so hashing and storing the record
    failed the whole trainings run. It is read as U+FFFD."""
    items = [json.loads(line) for line in rco_file.read_text(encoding="utf-8").splitlines()[:2]]
    items[1]["intitule_formation"] = "SOUDEUR \ud800 TIG"
    lines = [json.dumps(item) for item in items]  # ASCII: the surrogate written as a \u escape
    path = tmp_path / f"rco.{layout}"
    path.write_text("\n".join(lines) if layout == "jsonl" else f"[{','.join(lines)}]", encoding="ascii")
    parsed = read_rco(path)
    assert (len(parsed.records), parsed.rejections) == (2, [])
    assert parsed.records[1].title == "SOUDEUR \ufffd TIG"
    assert all(len(record.content_hash) == 64 for record in parsed.records)


def test_an_rco_record_without_id_action_is_rejected_naming_the_field(rco_file: Path, tmp_path: Path) -> None:
    lines = rco_file.read_text(encoding="utf-8").splitlines()[:2]
    lines[1] = lines[1].replace('"id_action": "24_1439149"', '"id_action": null')
    path = tmp_path / "rco.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    parsed = read_rco(path)
    assert [r.source_id for r in parsed.records] == ["24_1408562"]
    [rejection] = parsed.rejections
    assert (rejection.error.location, rejection.error.field) == ("line 2", "id_action")


def test_grand_est_csv_merges_repeated_rows_and_repairs_postal_codes(grand_est_csv: Path) -> None:
    parsed = read_grand_est_csv(grand_est_csv)
    assert parsed.read == 1207
    assert len(parsed.records) + parsed.merged == 1207
    assert parsed.merged > 0
    assert len({r.training_id for r in parsed.records}) == len(parsed.records)
    by_place = {(r.title, r.places[0].name): r for r in parsed.records}
    magri = by_place[("Certificat d'Aptitude Professionnelle Métiers de l'agriculture", "Campus Terres de l'Aube")]
    assert magri.places[0].region == "44"
    assert magri.diploma_level == "3"
    assert all(r.rome_links_status == "pending" for r in parsed.records)
    saint_laurent = [r for r in parsed.records if r.places[0].city == "Saint-Laurent"]
    assert saint_laurent and {r.places[0].postal_code for r in saint_laurent} == {"08090"}
    merged = [r for r in parsed.records if len(r.extras) and sum(k == "categorie" for k, _v in r.extras) > 1]
    assert merged  # a training listed under two categories keeps both


def test_a_cp1252_csv_reads_the_same_as_utf8(grand_est_csv: Path, tmp_path: Path) -> None:
    head = "\n".join(grand_est_csv.read_text(encoding="utf-8").splitlines()[:60]) + "\n"
    utf8, cp1252 = tmp_path / "utf8.csv", tmp_path / "cp1252.csv"
    utf8.write_text(head, encoding="utf-8")
    cp1252.write_bytes(head.encode("cp1252"))
    a, b = read_grand_est_csv(utf8), read_grand_est_csv(cp1252)
    assert "cp1252" in b.version
    assert [r.content_hash for r in a.records] == [r.content_hash for r in b.records]
    assert any("é" in r.title for r in b.records)


def test_a_csv_row_without_diploma_is_rejected_with_its_line_and_field(grand_est_csv: Path, tmp_path: Path) -> None:
    lines = grand_est_csv.read_text(encoding="utf-8").splitlines()[:5]
    lines[3] = ";" + lines[3].split(";", 1)[1]
    path = tmp_path / "formations.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    parsed = read_grand_est_csv(path)
    assert len(parsed.records) == 3
    [rejection] = parsed.rejections
    assert (rejection.error.location, rejection.error.field) == ("line 4", "Nom_Complet_Diplome")


def test_grand_est_diplomas_json_has_59_diplomas_with_their_establishments(trainings_dir: Path) -> None:
    parsed = read_grand_est_json(trainings_dir / "grand_est_formations_zsoow" / "database_finale.json")
    assert len(parsed.records) == 59
    assert parsed.rejections == []
    ruminants = next(r for r in parsed.records if r.source_id.startswith("BPA_OUVRIER_D_ELEVAGE"))
    assert [p.city for p in ruminants.places] == ["Saint-Laurent", "Ramonchamp", "Haroué"]


def test_cpf_rows_group_back_into_trainings_with_source_rome_links(trainings_dir: Path) -> None:
    parsed = read_cpf(trainings_dir / "cpf_catalogue_sample_bobemploi" / "cpf_trainings_2022.csv")
    assert parsed.read == 22
    forest = next(r for r in parsed.records if r.title == "Gestion d'une entreprise forestière")
    assert [(link.rome_code, link.origin) for link in forest.rome_links] == [
        ("A1101", "source"),
        ("A1201", "source"),
        ("A1205", "source"),
    ]
    assert forest.duration_hours == 150
    assert forest.cost_eur == 1428.0
    assert forest.places[0].postal_code == "65500"


def test_formacode_tables_and_derived_rome_links(trainings_dir: Path) -> None:
    folder = trainings_dir / "lheo" / "lheo_schema_repo"
    links = read_rome_formacode(folder / "RomeFCod-utf-8.csv")
    assert any(link.formacode == "42050" and link.rome_code == "11132" for link in links)  # coiffure → Coiffeur
    entries, fcod_links = read_formacode(folder / "FCod-utf-8.csv")
    assert len(entries) > 3000
    assert next(e for e in entries if e.code == "11036").label == "statistique"
    mapping = formacode_rome_mapping(links + fcod_links)
    record = TrainingRecord(source="t", source_id="1", codes=(("formacode", "42050"), ("formacode", "99999")))
    derived = with_formacode_links(record, mapping)
    assert derived.rome_links_status == "formacode"
    [link] = [link for link in derived.rome_links if link.rome_code == "11132"]
    assert (link.origin, link.rome_version) == ("formacode", "rome-v2")
    assert "Formacode 42050" in link.detail and "Coiffeur" in link.detail
    assert with_formacode_links(derived, mapping) == derived  # deriving twice adds nothing
    nsf = read_dictionaries(folder / "lheo-dict-NSF.xml")
    assert ("dict-NSF", "233") in {(e.dictionary, e.code) for e in nsf}


def test_files_are_sniffed_by_content(trainings_dir: Path, tmp_path: Path) -> None:
    assert sniff(trainings_dir / "grand_est_formations_zsoow" / "formations.csv") == "grand-est-csv"
    assert sniff(trainings_dir / "cpf_catalogue_sample_bobemploi" / "cpf_trainings_2021.csv") == "cpf-csv"
    assert sniff(trainings_dir / "rco_catalogue_apprentissage" / "rco_converter_sample.json") == "rco"
    assert sniff(trainings_dir / "lheo" / "trefle_test_samples" / "daeu.xml") == "lheo"
    assert sniff(trainings_dir / "lheo" / "lheo_schema_repo" / "RomeFCod-utf-8.csv") is None
    assert [fmt for fmt, _p in classify([trainings_dir / "grand_est_formations_zsoow"])] == [
        "grand-est-json",
        "grand-est-csv",
    ]


def test_postal_and_departement_helpers() -> None:
    assert (postal_code("8090"), postal_code("570"), postal_code("67000.0")) == ("08090", "", "67000")
    assert (departement_of("97411"), departement_of("", "2B033"), departement_of("")) == ("974", "2B", "")
