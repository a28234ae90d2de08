"""Occupation coding on real taxonomy and real offers: welding, nursing, stripped coding fields, bad input."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import pytest

from grepp.enrich.lexical import title_head
from grepp.enrich.occupation_input import OccupationInput, clean_title, offer_input, strip_coding
from grepp.enrich.occupations import CODER_NAME, OccupationCoder
from grepp.enrich.priors import OccupationPriors
from grepp.taxonomy import load_concepts

pytestmark = pytest.mark.slow  # the coder indexes ~90,000 ROME/ESCO labels once per session (~1 min)


@pytest.fixture(scope="session")
def coder(taxonomy_db: Path) -> OccupationCoder:
    with duckdb.connect(str(taxonomy_db), read_only=True) as con:
        concepts = load_concepts(con, kinds=["metier", "appellation", "occupation"])
    return OccupationCoder(concepts)


@pytest.fixture(scope="session")
def real_offers(data_dir: Path) -> list[dict[str, object]]:
    path = data_dir / "offers" / "france-travail" / "all-sectors-2025.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[:120]]


def test_a_welder_gets_a_welding_metier(coder: OccupationCoder) -> None:
    result = coder.code(OccupationInput(title="Soudeuse TIG (H/F)", description="Soudure TIG sur acier inox."))
    assert result.metiers[0].code.startswith("H29")  # H2913 Soudeur / Soudeuse and its family
    assert coder.code(OccupationInput(title="SOUDEUR")).status == "coded"
    assert any(c.rome_code == "H2913" for c in result.appellations[:5])
    assert result.coder.startswith(CODER_NAME)


def test_a_nurse_gets_a_nursing_metier(coder: OccupationCoder) -> None:
    result = coder.code(OccupationInput(title="Infirmière (H/F)"))
    assert result.metiers[0].code.startswith("J15")  # the nursing family (J1506 soins généraux, J1512 …)
    assert "J1506" in result.rome_codes[:5]
    assert 0.0 <= result.metiers[0].confidence <= 1.0
    assert result.esco and "infirm" in result.esco[0].label.lower()


def test_offer_coding_never_reads_the_offers_own_coding(
    coder: OccupationCoder, real_offers: list[dict[str, object]]
) -> None:
    fields = {"romeCode", "romeLibelle", "appellationlibelle", "competences"}
    assert any(fields & offer.keys() for offer in real_offers)
    for offer in real_offers[:20]:
        stripped = strip_coding(offer)
        assert not fields & stripped.keys()
        # lying coding fields change nothing: the input is the same once stripped
        liar = {
            **offer,
            "romeCode": "A1101",
            "romeLibelle": "Conducteur d'engins agricoles",
            "appellationlibelle": "Tractoriste",
            "competences": [{"code": "1", "libelle": "x"}],
        }
        assert offer_input(liar) == offer_input(stripped)
        assert coder.code(offer_input(liar)).rome_codes == coder.code(offer_input(stripped)).rome_codes


def test_most_real_offers_get_their_recruiters_metier_in_the_top_three(
    coder: OccupationCoder, real_offers: list[dict[str, object]]
) -> None:
    results = coder.code_many([offer_input(o) for o in real_offers])
    hits = sum(str(o["romeCode"]) in r.rome_codes[:3] for o, r in zip(real_offers, results, strict=True))
    assert hits / len(real_offers) > 0.6


@pytest.mark.parametrize(
    "item",
    [
        OccupationInput(title=""),
        OccupationInput(title="   ", description=""),
        OccupationInput(title="😀🚀"),
        OccupationInput(title="<b></b>&nbsp;"),
    ],
)
def test_nothing_readable_is_unknown_with_a_reason(coder: OccupationCoder, item: OccupationInput) -> None:
    result = coder.code(item)
    assert result.status == "unknown" and "empty" in result.reason


@pytest.mark.parametrize(
    "item",
    [
        OccupationInput(title="SOUDEUR"),
        OccupationInput(title="<p>Soudeur</p> &amp; chaudronnier"),
        OccupationInput(title="SoudeurÂ H/F â€“ CDI"),
        OccupationInput(title="Schweißer (m/w/d)", description="Wir suchen einen Schweißer für MAG-Schweißen."),
        OccupationInput(title="Soudeur", description="soudure " * 700_000),  # ~5.6 MB
        OccupationInput(title="x"),
        OccupationInput(title="Schweißer*in " * 400_000, language="de"),  # a 5 MB German title
        OccupationInput(title="<b>Staplerfahrer</b> 🚜 (m/w/d)", language="de"),
        OccupationInput(title="😀 welder &amp; fitter", language="en"),
        OccupationInput(title="x", description="only a description " * 1000, language="en"),
        OccupationInput(title="Soudeur \ud800 H/F", description="Soudure TIG \udcff", employer="\udce9"),
    ],
)
def test_odd_inputs_never_crash(coder: OccupationCoder, item: OccupationInput) -> None:
    result = coder.code(item)
    assert result.status in {"coded", "unknown"}
    if result.status == "unknown":
        assert result.reason


def test_the_titles_head_word_names_the_job_not_its_field(coder: OccupationCoder, data_dir: Path) -> None:
    """A real Ardèche offer, "Formateur Section Infirmier": a trainer (K2111) of nurses, not a nurse."""
    from grepp.sources.offer_files import open_offer_file

    source = open_offer_file(data_dir / "offers" / "france-travail" / "ardeche-cdi-2025-flattened.psv")
    offer = next(r.value for r in source.records() if r.value["id"] == "191YXMX")
    assert title_head(clean_title(str(offer["intitule"]))) == "formateur"
    result = coder.code(offer_input(strip_coding(offer)))
    assert result.metiers[0].code == "K2111" == offer["romeCode"]
    assert result.appellations[0].label.startswith("Formateur")
    assert title_head("2 Agents de production") == "agent" and title_head(" (H/F) ") == ""


def test_the_employers_name_in_a_title_is_not_read_as_the_job(coder: OccupationCoder, data_dir: Path) -> None:
    """A real offer, "Technicien IT, Technicienne IT F/H - Superprod (H/F)": "prod" is the company's, not the job's."""
    path = data_dir / "offers" / "france-travail" / "national-it-data-2022-2025.jsonl"
    line = next(line for line in path.open(encoding="utf-8") if '"Superprod"' in line)
    item = offer_input(strip_coding(json.loads(line)))
    assert item.employer == "Superprod" and "Superprod" in item.title
    coded = coder.code(item)
    plain = coder.code(replace(item, title="Technicien IT, Technicienne IT F/H (H/F)", employer=""))
    assert coded.rome_codes[:5] == plain.rome_codes[:5]
    misread = coder.code(replace(item, employer=""))  # v10 read the name as words of the job
    assert misread.rome_codes[:5] != coded.rome_codes[:5]


def test_offers_are_coded_with_the_fiches_in_use_on_their_date(
    coder: OccupationCoder, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real national offer of November 2024, "DATA ANALYST RÉFÉRENT": M1419 Data analyst since July 2025.

    Its recruiter coded M1403, the fiche M1419 was split from: France Travail published M1419 later.
    """
    path = data_dir / "offers" / "france-travail" / "national-it-data-2022-2025.jsonl"
    line = next(line for line in path.open(encoding="utf-8") if '"9411460"' in line)
    offer = json.loads(line)
    assert offer["romeCode"] == "M1403" and offer["dateCreation"] < "2025-07"
    item = offer_input(strip_coding(offer))
    assert item.date == offer["dateCreation"]
    current = coder.code(replace(item, date=""))
    assert current.rome_codes[0] == "M1419"
    monkeypatch.setattr(coder, "priors", OccupationPriors(releases={"M1419": "2025-07-01"}))
    dated = coder.code(item)
    assert dated.rome_codes[:2] == ["M1403", "M1419"]  # the code then in use, the current fiche next
    assert dated.metiers[0].confidence == current.metiers[0].confidence and dated.status == current.status
    assert dated.appellations == current.appellations  # "Data analyst" stays under its current fiche
    assert coder.code(replace(item, date="2025-08-01")).rome_codes == current.rome_codes
    assert coder.code(replace(item, date="")).rome_codes == current.rome_codes


def test_a_title_headed_by_the_person_is_read_by_its_trade(coder: OccupationCoder, data_dir: Path) -> None:
    """A real Ardèche offer, "Femme/Homme de ménage à Saint Péray…": a cleaner (K1304), not a lumberjack.

    ROME has no "femme de ménage" but an "Homme / Femme de pied" (A1201): v13 coded every "Femme de …" or
    "Homme de …" title it could not read otherwise as that.
    """
    from grepp.sources.offer_files import open_offer_file

    source = open_offer_file(data_dir / "offers" / "france-travail" / "ardeche-cdi-2025-flattened.psv")
    offer = next(r.value for r in source.records() if r.value["id"] == "192RRDC")
    assert str(offer["intitule"]).startswith("Femme/Homme de ménage") and offer["romeCode"] == "K1304"
    assert coder.code(offer_input(strip_coding(offer))).rome_codes[0] == "K1304"
    assert coder.code(OccupationInput(title="Femme de ménage (H/F)")).rome_codes[0] == "K1304"
    chambre = coder.code(OccupationInput(title="FEMME/VALET DE CHAMBRE (HÔTEL ANNECY) - URGENT (H/F)"))
    assert chambre.appellations[0].label == "Valet / Femme de chambre"  # ROME's own wording still matches
    assert title_head("Femme de ménage") == title_head("Homme d'entretien") == ""


def test_a_shops_conseiller_de_vente_is_a_vendeur(coder: OccupationCoder, data_dir: Path) -> None:
    """ROME's only "Conseiller / Conseillère de vente …" appellations sell houses (C1504) and car parts (D1223)."""
    path = data_dir / "offers" / "france-travail" / "all-sectors-2025.jsonl"
    offers = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    offer = next(o for o in offers if o["id"] == "196DTST")
    assert offer["intitule"] == "Conseiller(ère) de vente bricolage F/H (H/F)" and offer["romeCode"] == "D1212"
    assert coder.code(offer_input(strip_coding(offer))).rome_codes[0] == "D1212"  # was an estate agent or car dealer
    prêt = coder.code(OccupationInput(title="Conseillère de vente en prêt-à-porter (H/F)"))
    assert prêt.rome_codes[0] == "D1214"
    assert coder.code(OccupationInput(title="Conseiller de vente en immobilier")).rome_codes[0] == "C1504"


def test_titles_lose_contract_and_gender_noise() -> None:
    assert clean_title("CDI - Soudeur H/F") == "Soudeur"
    assert clean_title("<b>Infirmier</b> (H/F) 😀") == "Infirmier"
    assert clean_title("Comptable (H/F) en alternance") == "Comptable"
    assert clean_title("Secrétaire comptable - CONTRAT D'APPRENTISSAGE (H/F)") == "Secrétaire comptable"
    assert (
        clean_title("Alternant(e)s - Conseiller Clientèle des Agriculteurs  H/F")
        == "Conseiller Clientèle des Agriculteurs"
    )
    assert clean_title("Apprenti Data Analyst F/H/N") == "Data Analyst"
    assert clean_title("Junior SOC Analyst - Apprenticeship (f/m/d) H/F") == "Junior SOC Analyst"
    assert clean_title("Apprentie coiffeuse", keep_status=True) == "Apprentie coiffeuse"


def _apprenticeship_offers(data_dir: Path, *ids: str) -> dict[str, dict[str, Any]]:
    """The 2026 apprenticeship offers of ``offers/llm-labelled-fr`` by ``posting_id``."""
    path = data_dir / "offers" / "llm-labelled-fr" / "all_labelled.jsonl"
    rows = map(json.loads, path.read_text(encoding="utf-8").splitlines())
    return {row["posting_id"]: row for row in rows if row["posting_id"] in ids}


def test_an_apprentices_status_is_not_read_as_the_job(coder: OccupationCoder, data_dir: Path) -> None:
    record = _apprenticeship_offers(data_dir, "france_travail:211SVQR")["france_travail:211SVQR"]
    assert (
        record["title"].startswith("Apprenti(e) Data")
        and record["reference_metadata"]["romeLibelle"] == "Data engineer"
    )
    result = coder.code(OccupationInput(title=record["title"], description=record["raw_text"]))
    assert result.rome_codes[0] == "M1811"  # was A1208, through ROME's "Apprenti / Apprentie paysagiste"
    assert coder.code(OccupationInput(title="Apprenti de direction H/F")).rome_codes[0] == "M1604"
    assert coder.code(OccupationInput(title="Apprentie coiffeuse en alternance")).rome_codes[0] == "D1202"
    # where the status is part of ROME's own name of the job, it stays
    assert coder.code(OccupationInput(title="Apprenti paysagiste")).rome_codes[0] == "A1208"


def test_an_apprentice_is_not_hired_as_the_director(coder: OccupationCoder, data_dir: Path) -> None:
    records = _apprenticeship_offers(
        data_dir, "france_travail:210RHPX", "france_travail:211SJWF", "france_travail:211QRHJ"
    )
    assert records["france_travail:210RHPX"]["title"].startswith("ALTERNANCE : INGENIEUR PROCESS JUNIOR")
    coded = {
        pid: coder.code(OccupationInput(title=row["title"], description=row["raw_text"])).metiers[0]
        for pid, row in records.items()
    }
    # its recruiter's ingénieur méthodes; without the rule, H2502 (responsable d'unité de production)
    assert coded["france_travail:210RHPX"].code == "H1402"
    for pid in ("france_travail:211SJWF", "france_travail:211QRHJ"):  # communication apprentices
        assert not coded[pid].label.startswith(("Directeur", "Responsable", "Chef")), (pid, coded[pid].label)
    # a title naming the level keeps it
    assert coder.code(OccupationInput(title="ALTERNANT RESPONSABLE EN LOGISTIQUE (H/F)")).rome_codes[0] == "N1301"


def test_title_scores_are_cached_and_bounded(coder: OccupationCoder, monkeypatch: pytest.MonkeyPatch) -> None:
    import grepp.enrich.occupations as occupations

    items = [
        OccupationInput(title="Aide-soignant (H/F)", description="Soins d'hygiène et de confort en EHPAD."),
        OccupationInput(title="Aide-soignant (H/F)", description="Accompagnement des résidents, nuit."),
    ]
    first = coder.code_many(items)
    assert first[0].metiers[0].code == first[1].metiers[0].code
    again = coder.code_many(items)  # from the cache: the same answer
    assert [r.rome_codes for r in again] == [r.rome_codes for r in first]
    assert [c.score for c in again[0].metiers] == pytest.approx([c.score for c in first[0].metiers])
    monkeypatch.setattr(occupations, "TITLE_CACHE", 3)
    coder.code_many([OccupationInput(title=t) for t in ["Soudeur", "Boulanger", "Cariste", "Infirmier", "Maçon"]])
    assert len(coder._titles) <= 3


@pytest.fixture(scope="session")
def german_ads(data_dir: Path) -> dict[str, dict[str, object]]:
    path = data_dir / "offers" / "germany-ba" / "ba_jobsuche_data_keyword_2025.jsonl"
    ads = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return {str(ad["refnr"]): ad for ad in ads}


@pytest.mark.parametrize(
    ("refnr", "family"),
    [
        ("10001-1000782588-S", {"M1203", "M1213"}),  # Steuerfachangestellte/r: accounting
        ("10000-1202415646-S", {"M1805", "M1861", "M1855"}),  # Softwareentwickler (m|w|d): development
        ("10001-1001372020-S", {"M1204", "M1208"}),  # Controller (m/w/d): management control
    ],
)
def test_real_german_ads_are_coded_through_the_glossary(
    coder: OccupationCoder, german_ads: dict[str, dict[str, object]], refnr: str, family: set[str]
) -> None:
    ad = german_ads[refnr]
    title, text = str(ad["stellenangebotsTitel"]), str(ad["stellenangebotsBeschreibung"])
    german = coder.code(OccupationInput(title=title, description=text, language="de"))
    assert german.status == "coded" and german.rome_codes[0] in family, (title, german.rome_codes[:3])
    # the language is read from the description when the offer does not say it
    assert offer_input({"intitule": title, "description": text}).language == "de"


def test_common_german_titles_find_their_french_metier(coder: OccupationCoder) -> None:
    as_french = coder.code(OccupationInput(title="Staplerfahrer (m/w/d)"))
    as_german = coder.code(OccupationInput(title="Staplerfahrer (m/w/d)", language="de"))
    assert as_french.rome_codes[0] != "N1101"  # character n-grams alone do not read German
    assert as_german.rome_codes[0] == "N1101" and as_german.status == "coded"  # Cariste
    assert coder.code(OccupationInput(title="Altenpfleger (m/w/d)", language="de")).rome_codes[0] == "J1501"
    # French offers are read as before: the glossary is only for German text
    assert offer_input({"intitule": "Cariste (H/F)", "description": "Vous conduisez un chariot."}).language == "fr"


def test_english_titles_go_through_their_esco_occupation(coder: OccupationCoder) -> None:
    assert coder.code(OccupationInput(title="Forklift driver")).rome_codes[0] != "N1101"  # read as French
    forklift = coder.code(OccupationInput(title="Forklift driver", language="en"))
    assert forklift.rome_codes[0] == "N1101" and forklift.esco[0].label == "cariste"
    assert coder.code(OccupationInput(title="Bricklayer", language="en")).rome_codes[0] == "F1703"  # Maçon
    # an ESCO occupation's own English name wins over look-alikes: "bus driver" is *conducteur d'autobus*, not the
    # bus driving instructor; "accountant" is ESCO's *comptable* (preferred label) before *contrôleur financier*
    # (which carries it as an alternative label)
    assert coder.code(OccupationInput(title="Bus driver", language="en")).rome_codes[0] == "N4103"
    assert coder.code(OccupationInput(title="Accountant", language="en")).rome_codes[0] == "M1203"
    text = "We are looking for a forklift driver for our warehouse. You will load and unload the trucks."
    assert offer_input({"intitule": "Forklift driver", "description": text}).language == "en"
    # an English offer without a title: nothing is borrowed from ESCO for an empty title
    untitled = coder.code(OccupationInput(title="", description=text, language="en"))
    assert untitled.status in {"coded", "unknown"} and untitled.metiers


def test_the_esco_occupation_named_like_the_coded_appellation_comes_first(coder: OccupationCoder) -> None:
    """The ESCO list reads the title alone; the appellation reads the description too. Where ESCO has an
    occupation of the appellation's name, it comes first and shares the appellation's confidence."""
    offer = OccupationInput(
        "Opérateur logistique (H/F)",
        "Au sein de notre entrepôt, vous préparez les commandes, chargez et déchargez les camions.",
    )
    result = coder.code(offer)
    assert result.appellations[0].label.startswith("Opérateur / Opératrice logistique en entrepôt")
    assert result.esco[0].label == "manutentionnaire"  # ESCO's "opérateur logistique en entrepôt"
    assert result.esco[0].confidence == result.appellations[0].confidence
    assert len({c.id for c in result.esco}) == len(result.esco)
    medical = coder.code(OccupationInput("Secrétaire médical / médicale"))
    assert medical.esco[0].label.startswith("assistant médico-administratif")
