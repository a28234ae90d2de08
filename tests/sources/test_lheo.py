"""LHEO XML: XSD validation, formations → actions → sessions, and bad files (real samples, edited in tmp_path)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from grepp.errors import SourceError
from grepp.sources.lheo import find_xsd, lheo_version, load_schema, read_lheo


@pytest.fixture(scope="module")
def lheo_dir(data_dir: Path) -> Path:
    return data_dir / "trainings" / "lheo"


@pytest.fixture(scope="module")
def xsd(data_dir: Path) -> Path:
    return find_xsd(data_dir)


@pytest.fixture(scope="module")
def formation_xml(lheo_dir: Path) -> str:
    return (lheo_dir / "trefle_test_samples" / "formation.xml").read_text(encoding="utf-8")


def test_the_xsd_found_is_the_lheo_2_3_schema_and_compiled_once(xsd: Path) -> None:
    assert xsd.name == "lheo.xsd"
    assert load_schema(str(xsd)) is load_schema(str(xsd))


def test_trefle_formation_gives_one_record_per_action_with_its_formation_data(lheo_dir: Path, xsd: Path) -> None:
    parsed = read_lheo(lheo_dir / "trefle_test_samples" / "formation.xml", xsd)
    assert parsed.rejections == []
    assert parsed.version == "lheo-2.2"
    assert [r.training_id for r in parsed.records] == ["lheo:07_114782", "lheo:07_123324"]
    first, second = parsed.records
    assert first.title == "Titre professionnel plaquiste"
    assert first.objective.startswith("L'objectif est d'obtenir la qualification de plaquiste")
    assert first.codes_of("rome") == ["F1604"]
    assert first.codes_of("formacode") == ["22403", "22402"]
    assert first.codes_of("nsf") == ["233"]
    assert first.codes_of("rncp") == ["320"]
    assert first.codes_of("certifinfo") == ["80735"]
    assert [(link.rome_code, link.origin) for link in first.rome_links] == [("F1604", "source")]
    assert first.provider is not None
    assert first.provider.siret == "82422814200660"
    assert first.provider.commune_insee == "45232"
    assert first.places[0].commune_insee == "37266"
    assert first.places[0].postal_code == "37250"
    assert first.places[0].departement == "37"
    assert first.sessions[0].start == date(2017, 12, 4)
    assert first.sessions[0].end == date(2018, 6, 1)
    assert first.sessions[0].mode == "presentiel"
    assert first.diploma_level == "3"  # code-niveau-sortie 4 = niveau V = European level 3
    assert first.certifiante is True
    assert second.duration_hours == 697
    assert ("eligibilite-cpf", "130805") in first.extras and ("modalites-entrees-sorties", "0") in first.extras
    assert first.duration_hours is None


def test_every_trefle_sample_validates_and_reads(lheo_dir: Path, xsd: Path) -> None:
    files = sorted((lheo_dir / "trefle_test_samples").glob("*.xml"))
    assert len(files) == 18
    for path in files:
        parsed = read_lheo(path, xsd)
        assert parsed.rejections == [], path.name
        assert parsed.records, path.name


def test_apprenticeship_sample_is_marked_apprentissage(lheo_dir: Path, xsd: Path) -> None:
    parsed = read_lheo(lheo_dir / "trefle_test_samples" / "contrat_apprentissage.xml", xsd)
    assert sorted(r.modality for r in parsed.records) == ["apprentissage", "continue"]


def test_a_file_missing_a_required_element_is_rejected_with_xsd_messages_and_lines(
    tmp_path: Path, xsd: Path, formation_xml: str
) -> None:
    broken = re.sub(r"<intitule-formation>.*?</intitule-formation>\s*", "", formation_xml, count=1)
    path = tmp_path / "sans_intitule.xml"
    path.write_text(broken, encoding="utf-8")
    parsed = read_lheo(path, xsd)
    assert parsed.records == []
    [rejection] = parsed.rejections
    error = rejection.error
    assert error.source == "sans_intitule.xml"
    assert error.field == "intitule-formation"
    assert "formation 07_10" in error.location
    assert "fails the LHEO 2.3 XSD" in error.reason
    assert re.search(r"line \d+: Element 'objectif-formation'", error.reason)
    assert "<formation" in rejection.raw


def test_the_real_anotea_sample_with_a_misspelt_element_is_rejected(lheo_dir: Path, xsd: Path) -> None:
    parsed = read_lheo(lheo_dir / "anotea_test_sample" / "intercarif-data-test.xml", xsd)
    assert parsed.records == []
    [rejection] = parsed.rejections
    assert rejection.error.field == "coordonneFs"
    assert "line 14" in rejection.error.reason
    assert "SIRET" in rejection.error.reason  # the 15-digit SIRET is reported too


def test_a_truncated_file_is_a_source_error_naming_file_and_line(tmp_path: Path, xsd: Path, formation_xml: str) -> None:
    path = tmp_path / "tronque.xml"
    path.write_text(formation_xml[:3000], encoding="utf-8")
    with pytest.raises(SourceError, match=r"tronque\.xml line \d+: malformed XML"):
        read_lheo(path, xsd)


def test_an_action_without_id_is_rejected_and_its_sibling_kept(tmp_path: Path, xsd: Path, formation_xml: str) -> None:
    edited = formation_xml.replace('<action numero="07_114782" ', "<action ", 1)
    assert edited != formation_xml
    path = tmp_path / "sans_id.xml"
    path.write_text(edited, encoding="utf-8")
    parsed = read_lheo(path, xsd)
    assert [r.source_id for r in parsed.records] == ["07_123324"]
    [rejection] = parsed.rejections
    assert rejection.error.field == "action/@numero"
    assert rejection.error.location.startswith("line ")


def test_an_external_entity_is_never_expanded(tmp_path: Path, xsd: Path, formation_xml: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    doctype = f'<!DOCTYPE lheo [<!ENTITY x SYSTEM "file://{secret}">]>\n'
    edited = formation_xml.replace("\n", "\n" + doctype, 1).replace("Titre professionnel plaquiste", "&x;", 1)
    path = tmp_path / "xxe.xml"
    path.write_text(edited, encoding="utf-8")
    parsed = read_lheo(path, xsd)
    assert parsed.records == []
    [rejection] = parsed.rejections
    assert "&x;" in rejection.error.reason
    assert "TOP-SECRET" not in rejection.raw


def test_older_lheo_versions_and_dictionaries_are_not_offer_files(lheo_dir: Path, xsd: Path) -> None:
    assert lheo_version(lheo_dir / "trefle_test_samples" / "poec.xml") == "2.2"
    assert lheo_version(lheo_dir / "lheo_schema_repo" / "lheo-dict-NSF.xml") is None
    with pytest.raises(SourceError, match=r"exemple-photographe\.xml .*not an LHEO 2\.2/2\.3 offer file"):
        read_lheo(lheo_dir / "lheo_schema_repo" / "exemple-photographe.xml", xsd)


def test_a_lheo_2_3_document_reads_like_its_2_2_twin(
    tmp_path: Path, xsd: Path, lheo_dir: Path, formation_xml: str
) -> None:
    path = tmp_path / "v23.xml"
    path.write_text(formation_xml.replace("http://www.lheo.org/2.2", "http://lheo.gouv.fr/2.3"), encoding="utf-8")
    parsed = read_lheo(path, xsd)
    twin = read_lheo(lheo_dir / "trefle_test_samples" / "formation.xml", xsd)
    assert parsed.version == "lheo-2.3"
    assert [r.content_hash for r in parsed.records] == [r.content_hash for r in twin.records]


def test_an_error_outside_any_formation_rejects_the_whole_file(tmp_path: Path, xsd: Path, formation_xml: str) -> None:
    start, end = formation_xml.index("<formation "), formation_xml.index("</formation>") + len("</formation>")
    path = tmp_path / "sans_formation.xml"
    path.write_text(formation_xml[:start] + formation_xml[end:], encoding="utf-8")
    parsed = read_lheo(path, xsd)
    assert parsed.records == []
    [rejection] = parsed.rejections
    assert (rejection.error.source, rejection.error.location) == ("sans_formation.xml", "file")
    assert "fails the LHEO 2.3 XSD: line 3" in rejection.error.reason


def test_in_a_one_line_file_only_the_broken_formation_is_rejected(
    tmp_path: Path, xsd: Path, formation_xml: str
) -> None:
    start, end = formation_xml.index("<formation "), formation_xml.index("</formation>") + len("</formation>")
    good = formation_xml[start:end]
    broken = re.sub(r"<intitule-formation>.*?</intitule-formation>", "", good.replace('numero="07_', 'numero="99_'))
    one_line = " ".join((formation_xml[:start] + good + broken + formation_xml[end:]).split("\n")[1:])
    path = tmp_path / "minifie.xml"
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n' + one_line, encoding="utf-8")
    parsed = read_lheo(path, xsd)
    assert [r.source_id for r in parsed.records] == ["07_114782", "07_123324"]
    [rejection] = parsed.rejections
    assert "formation 99_10" in rejection.error.location
    assert rejection.error.field == "intitule-formation"
