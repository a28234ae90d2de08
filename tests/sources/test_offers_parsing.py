"""Offer parsers and files on the real offers of ../shared/data, and on the bad inputs they must survive."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from grepp.errors import RecordError, SourceError
from grepp.sources.offer_files import data_offer_files, open_offer_file
from grepp.sources.offer_record import MAX_DESCRIPTION_CHARS
from grepp.sources.offers_ba import parse_ba_offer
from grepp.sources.offers_json import parse_api_offer
from grepp.sources.salary import parse_salary

FT = "offers/france-travail"


def _first(path: Path, n: int = 1) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(next(handle)) for _ in range(n)]


def test_a_real_api_offer_becomes_an_offer_with_every_field(data_dir: Path) -> None:
    raw = _first(data_dir / FT / "all-sectors-2025.jsonl")[0]
    offer = parse_api_offer(raw, source="france-travail", location="all-sectors-2025.jsonl line 1")
    assert offer.id == "france-travail:183DSHH"
    assert offer.title == "Conducteur SPL Location H/F (H/F)"
    assert offer.created_at == datetime(2024, 10, 23, 14, 38, 0, 983000)
    assert offer.place.source_commune == "01322" and offer.place.departement == "01"
    assert offer.place.latitude == pytest.approx(45.935093)
    assert offer.contract_type == "CDI" and offer.work_hours_weekly == 35
    assert offer.salary.raw.startswith("Horaire de 12.14 Euros")
    # 12.14 €/h × 35 h × 52 / 12
    assert offer.salary.min_eur_month == pytest.approx(12.14 * 35 * 52 / 12, abs=0.01)
    assert offer.employer_name == "ASTR'IN" and offer.naf_code == "52.29B"
    assert offer.source_rome_code == "N4101"
    assert offer.language == "fr" and len(offer.content_hash) == 32


def test_source_competences_keep_code_label_and_exigence(data_dir: Path) -> None:
    with (data_dir / FT / "all-sectors-2025.jsonl").open(encoding="utf-8") as handle:
        raw = next(r for r in map(json.loads, handle) if r.get("competences"))
    offer = parse_api_offer(raw, location="x")
    competences = [c for c in offer.competences if c.kind == "competence"]
    assert len(competences) == len(raw["competences"])
    assert {c.exigence for c in competences} <= {"E", "S", ""}
    assert competences[0].label == raw["competences"][0]["libelle"]


@pytest.mark.parametrize(
    ("text", "low", "high", "period"),
    [
        ("Mensuel de 2000.0 Euros à 2500.0 Euros sur 12 mois", 2000.0, 2500.0, "month"),
        ("Annuel de 30000 Euros", 2500.0, 2500.0, "year"),
        ("Annuel de 25000,00 Euros à 30000,00 Euros", 25000 / 12, 2500.0, "year"),
        ("Horaire de 11.88 Euros", 11.88 * 151.67, 11.88 * 151.67, "hour"),
        ("3.000 – 4.000 € brutto monatlich", 3000.0, 4000.0, "month"),
        ("45.000 EUR jährlich", 3750.0, 3750.0, "year"),
    ],
)
def test_salary_texts_become_eur_per_month(text: str, low: float, high: float, period: str) -> None:
    salary = parse_salary(text, language="de" if "€" in text or "EUR" in text else "fr")
    assert (salary.min_eur_month, salary.max_eur_month, salary.period) == (
        pytest.approx(low, abs=0.01),
        pytest.approx(high, abs=0.01),
        period,
    )
    assert salary.raw == text and salary.warning == ""


@pytest.mark.parametrize("text", ["Mensuel de 0 Euros", "Mensuel de 10000000 Euros", "Annuel de 12,00 Euros"])
def test_nonsense_salary_is_left_unknown_with_a_warning_and_the_offer_is_kept(text: str) -> None:
    raw = {"id": "X1", "intitule": "Soudeur", "dateCreation": "2025-01-02T00:00:00Z", "salaire": {"libelle": text}}
    offer = parse_api_offer(raw, location="t line 1")
    assert offer.salary.min_eur_month is None and offer.salary.raw == text
    assert any("out of range" in w for w in offer.warnings)


def _bad(raw: dict[str, Any]) -> RecordError:
    with pytest.raises(RecordError) as caught:
        parse_api_offer(raw, source="france-travail", location="bad.jsonl line 7")
    return caught.value


def test_missing_id_names_file_line_and_field() -> None:
    error = _bad({"intitule": "Soudeur", "dateCreation": "2025-01-02T00:00:00Z"})
    assert (error.field, error.location) == ("id", "bad.jsonl line 7")
    assert "bad.jsonl line 7" in str(error) and "'id'" in str(error)


def test_unparseable_and_future_creation_dates_are_rejected_naming_the_field() -> None:
    assert _bad({"id": "1", "intitule": "T", "dateCreation": "le 3 mars"}).field == "dateCreation"
    future = _bad({"id": "1", "intitule": "T", "dateCreation": "2999-01-01T00:00:00Z"})
    assert future.field == "dateCreation" and "future" in future.reason


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-10-23T14:38:00.983Z", datetime(2024, 10, 23, 14, 38, 0, 983000)),
        ("2024-10-23T14:38:00Z", datetime(2024, 10, 23, 14, 38)),
        (" 2024-10-23T14:38:00Z ", datetime(2024, 10, 23, 14, 38)),
        ("2024-10-23T14:38:00+02:00", datetime(2024, 10, 23, 12, 38)),
        ("2024-10-23T14:38:00", datetime(2024, 10, 23, 14, 38)),
        ("2024-10-23", datetime(2024, 10, 23)),
    ],
)
def test_api_dates_in_every_iso_form_become_naive_utc(value: str, expected: datetime) -> None:
    assert parse_api_offer({"id": "1", "intitule": "T", "dateCreation": value}).created_at == expected


@pytest.mark.parametrize("value", ["2024-10-23T14:38:00+01:00Z", "2024-13-23T14:38:00Z", "2024-10-23T25:00:00.1Z"])
def test_malformed_z_dates_are_rejected_not_guessed(value: str) -> None:
    assert _bad({"id": "1", "intitule": "T", "dateCreation": value}).field == "dateCreation"


def test_a_bad_update_date_keeps_the_offer_with_a_warning() -> None:
    offer = parse_api_offer(
        {"id": "1", "intitule": "T", "dateCreation": "2025-01-02T00:00:00Z", "dateActualisation": "hier"}
    )
    assert offer.updated_at is None and any("dateActualisation" in w for w in offer.warnings)


def test_html_and_script_tags_are_stored_as_text_with_a_plain_copy() -> None:
    description = "<p>Soudeur <b>TIG</b></p><script>alert('x')</script><img src=x onerror=alert(1)>"
    offer = parse_api_offer(
        {"id": "1", "intitule": "<i>T</i>", "dateCreation": "2025-01-02T00:00:00Z", "description": description}
    )
    assert offer.description == description  # raw, never interpreted
    assert offer.description_text == "Soudeur TIG"
    assert offer.title == "<i>T</i>"


def test_a_5_mb_description_is_capped_and_flagged() -> None:
    offer = parse_api_offer(
        {"id": "1", "intitule": "T", "dateCreation": "2025-01-02T00:00:00Z", "description": "é" * 5_000_000}
    )
    assert len(offer.description) == MAX_DESCRIPTION_CHARS
    assert any("truncated from 5000000" in w for w in offer.warnings)


def test_offer_without_commune_keeps_its_label_and_departement() -> None:
    offer = parse_api_offer(
        {"id": "1", "intitule": "T", "dateCreation": "2025-01-02T00:00:00Z", "lieuTravail": {"libelle": "67 - Rhin"}}
    )
    assert offer.place.commune_insee is None and offer.place.departement == "67" and offer.place.region == "44"
    assert offer.place.status == "no_geography"
    nowhere = parse_api_offer({"id": "2", "intitule": "T", "dateCreation": "2025-01-02T00:00:00Z"})
    assert nowhere.place.status == "no_commune" and nowhere.place.departement is None


def test_german_ad_keeps_place_employer_and_source_occupation(data_dir: Path) -> None:
    path = data_dir / "offers/germany-ba/ba_jobsuche_data_keyword_2025.jsonl"
    with path.open(encoding="utf-8") as handle:
        raw = next(r for r in map(json.loads, handle) if "SAARLAND" in r["stellenlokationen"])
    offer = parse_ba_offer(raw, location="ba line 1")
    assert offer.language == "de" and offer.place.country == "DE" and offer.place.status == "abroad"
    assert offer.place.latitude is not None and "Saarland" in offer.place.label
    assert offer.employer_name == raw["firma"]
    assert offer.source_occupation_labels[0] == raw["hauptberuf"]
    assert offer.updated_at is not None and offer.created_at is not None


def test_every_offer_file_of_the_data_dir_is_recognised(data_dir: Path) -> None:
    found = {f.path.name: (f.format, f.layout) for f in data_offer_files(data_dir)}
    assert found == {
        "all-sectors-2025.jsonl": ("ft-json", "jsonl"),
        "grand-est-it-data-2024.jsonl": ("ft-json", "jsonl"),
        "national-it-data-2022-2025.jsonl": ("ft-json", "jsonl"),
        "ardeche-cdi-2025-flattened.psv": ("ft-flat", "csv"),
        "riadh_dept07_offres.csv": ("ft-flat", "csv"),
        "ba_jobsuche_data_keyword_2025.jsonl": ("ba-json", "jsonl"),
    }


def test_the_flat_psv_is_rebuilt_into_api_offers(data_dir: Path) -> None:
    source = open_offer_file(data_dir / FT / "ardeche-cdi-2025-flattened.psv")
    assert source.delimiter == "|"
    record = next(iter(source.records()))
    offer = parse_api_offer(record.value, location=record.location)
    assert record.location == "ardeche-cdi-2025-flattened.psv line 2"
    assert offer.place.label == "07 - ST DIDIER SOUS AUBENAS" and offer.place.source_commune == "07229"
    assert offer.employer_name == "WAS" and offer.alternance is False
    assert [c.code for c in offer.competences if c.kind == "competence"][:2] == ["100341", "102405"]


def test_the_riadh_csv_gets_its_competences_from_the_companion_file(data_dir: Path) -> None:
    source = open_offer_file(data_dir / "offers/france-travail-flat/riadh_dept07_offres.csv")
    record = next(iter(source.records()))
    offer = parse_api_offer(record.value, location=record.location)
    assert offer.source_id == "192WXGD" and offer.place.label == "07 - AUBENAS" and offer.place.departement == "07"
    assert offer.salary.min_eur_month == 2100.0 and offer.salary.max_eur_month == 2300.0
    assert offer.competences[0].code == "100259"


def test_a_json_array_file_is_streamed_item_by_item(data_dir: Path, tmp_path: Path) -> None:
    offers = _first(data_dir / FT / "grand-est-it-data-2024.jsonl", 3)
    path = tmp_path / "offers.json"
    path.write_text(json.dumps(offers, indent=2), encoding="utf-8")
    source = open_offer_file(path)
    assert (source.format, source.layout) == ("ft-json", "array")
    assert [r.value["id"] for r in source.records()] == [o["id"] for o in offers]


def test_a_saved_api_response_and_a_pretty_printed_offer_are_read_as_their_offers(
    data_dir: Path, tmp_path: Path
) -> None:
    """What the APIs return, saved as is: France Travail's {"resultats": [...]}, the Jobsuche's
    {"stellenangebote": [...]}, and one offer written over several lines — not one record per line."""
    offers = _first(data_dir / FT / "all-sectors-2025.jsonl", 3)
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"resultats": offers, "filtresPossibles": []}), encoding="utf-8")
    source = open_offer_file(page)
    assert (source.format, source.layout) == ("ft-json", "document")
    records = list(source.records())
    assert [r.value["id"] for r in records] == [o["id"] for o in offers]
    assert records[1].location == "page.json item 2"
    ads = _first(data_dir / "offers/germany-ba/ba_jobsuche_data_keyword_2025.jsonl", 2)
    jobsuche = tmp_path / "jobsuche.json"
    jobsuche.write_text(json.dumps({"stellenangebote": ads, "maxErgebnisse": 2}, indent=2), encoding="utf-8")
    source = open_offer_file(jobsuche)
    assert (source.format, source.layout) == ("ba-json", "document")
    assert [r.value["refnr"] for r in source.records()] == [a["refnr"] for a in ads]
    single = tmp_path / "offer.json"
    single.write_text(json.dumps(offers[0], indent=2, ensure_ascii=False), encoding="utf-8")
    assert [r.value["id"] for r in open_offer_file(single).records()] == [offers[0]["id"]]
    empty = tmp_path / "empty-page.json"  # a search with no result: no offer, no error
    empty.write_text(json.dumps({"resultats": [], "filtresPossibles": []}), encoding="utf-8")
    assert list(open_offer_file(empty).records()) == []
    jsonl = tmp_path / "offers.jsonl"  # a JSONL file stays a stream of lines
    jsonl.write_text("".join(json.dumps(o) + "\n" for o in offers), encoding="utf-8")
    assert open_offer_file(jsonl).layout == "jsonl"


def test_a_cp1252_csv_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "offres.csv"
    path.write_bytes(
        "id;intitule;dateCreation;lieuTravail\n1;Électricien qualifié;2025-01-02;67 - SÉLESTAT\n".encode("cp1252")
    )
    source = open_offer_file(path)
    assert (source.encoding, source.delimiter) == ("cp1252", ";")
    record = next(iter(source.records()))
    assert record.value["intitule"] == "Électricien qualifié"


def test_unknown_csv_columns_are_reported_and_ignored(tmp_path: Path) -> None:
    path = tmp_path / "offres.csv"
    path.write_text("id,intitule,dateCreation,couleurPrefere\n1,Soudeur,2025-01-02,bleu\n", encoding="utf-8")
    source = open_offer_file(path)
    assert next(iter(source.records())).value["couleurPrefere"] == "bleu"
    assert source.warnings == ["offres.csv: unknown columns ignored: couleurPrefere"]


def test_empty_and_unrecognised_files_are_source_errors_naming_the_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"\n\n")
    with pytest.raises(SourceError, match=r"empty\.jsonl: the file is empty"):
        open_offer_file(empty)
    other = tmp_path / "notes.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"notes\.csv: not a recognised offer file"):
        open_offer_file(other)
    with pytest.raises(SourceError, match="no such file"):
        open_offer_file(tmp_path / "missing.jsonl")
