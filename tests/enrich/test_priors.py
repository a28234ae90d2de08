"""The occupation coder's priors and title acronyms: pure rules, the store's real figures, their effect."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from grepp.enrich.acronyms import default_acronyms, expand_acronyms, parse_acronyms
from grepp.enrich.occupation_input import OccupationInput, offer_input, strip_coding
from grepp.enrich.occupations import OccupationCoder
from grepp.enrich.priors import OccupationPriors, fiche_releases, naf_division
from grepp.errors import SourceError
from grepp.store.db import connect
from grepp.store.priors import occupation_priors
from grepp.taxonomy import load_concepts


@pytest.fixture(scope="module")
def priors_coder(
    taxonomy_db: Path, data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OccupationCoder]:
    """The pipeline's coder: every prior (volumes, NAF links, fiche profiles and releases) read from the store."""
    copy = tmp_path_factory.mktemp("priors") / "taxonomy.duckdb"
    shutil.copyfile(taxonomy_db, copy)
    with connect(copy) as con:
        concepts = load_concepts(con, kinds=["metier", "appellation", "occupation"])
        yield OccupationCoder(concepts, priors=occupation_priors(con, data_dir))


def _offer(data_dir: Path, offer_id: str) -> dict[str, object]:
    with (data_dir / "offers/france-travail/all-sectors-2025.jsonl").open(encoding="utf-8") as fh:
        return next(o for o in map(json.loads, fh) if o["id"] == offer_id)


def test_naf_divisions_are_read_from_any_naf_form() -> None:
    assert naf_division("78.20Z") == "78"
    assert naf_division("01.11Z") == "1"
    assert naf_division("86") == "86"
    assert naf_division("") == naf_division("n/a") == ""


def test_temporary_work_agencies_say_nothing_about_the_job() -> None:
    priors = OccupationPriors({}, {"78": frozenset({"M1502"}), "10": frozenset({"D1102"})})
    assert priors.sector_codes("78.20Z") == frozenset()
    assert priors.sector_codes("10.71C") == frozenset({"D1102"})
    assert priors.sector_codes("99.99Z") == frozenset()


def test_volume_scores_rank_codes_by_national_offers() -> None:
    priors = OccupationPriors({"A": 100_000.0, "B": 10.0}, {})
    a, b, unknown = priors.volume_scores(["A", "B", "C"]).tolist()
    assert a > b > unknown
    assert not OccupationPriors().volume_scores(["A", "B"]).any()


def test_acronyms_are_spelled_out_and_kept() -> None:
    assert expand_acronyms("Chauffeur SPL") == "Chauffeur SPL (super poids lourd)"
    assert "qualité sécurité environnement" in expand_acronyms("Chargé de QSE")
    assert expand_acronyms("Soudeur") == "Soudeur"
    # two-letter acronyms are words in a title in capitals, and lower-case words are never acronyms
    assert expand_acronyms("CE POSTE EST POUR VOUS") == "CE POSTE EST POUR VOUS"
    assert expand_acronyms("CHAUFFEUR PL") == "CHAUFFEUR PL (poids lourd)"
    assert expand_acronyms("vendeur en tp") == "vendeur en tp"


def test_a_malformed_acronym_line_names_its_number() -> None:
    assert len(default_acronyms()) > 40
    with pytest.raises(SourceError, match="line 2"):
        parse_acronyms("SPL\tsuper poids lourd\nPL poids lourd\n", "acronyms.tsv")


def test_the_store_gives_rome_sectors_and_national_volumes(
    taxonomy_con: duckdb.DuckDBPyConnection, data_dir: Path
) -> None:
    priors = occupation_priors(taxonomy_con, data_dir)
    assert "D1102" in priors.sectors["10"]  # food industry → boulanger
    assert len(priors.volumes) > 1_000
    assert priors.volumes["J1506"] > priors.volumes["J1512"]  # general-care nurses are advertised most
    again = occupation_priors(taxonomy_con, data_dir)  # loaded once, read afterwards
    assert again.volumes == priors.volumes
    rows, codes = taxonomy_con.execute(
        "SELECT count(*), count(DISTINCT rome_code) FROM rome_market_national"
    ).fetchone()
    assert rows == codes >= len(priors.volumes)
    # every ROME fiche in words: definition, access, its compétences and savoirs
    assert len(priors.profiles) == 1_584
    assert "soudure" in priors.profiles["H2913"].lower()
    # the 2025 wave of ROME 4.0 fiches: split from a parent, carried by offers from July 2025 on
    assert len(priors.releases) == 528 and priors.releases["M1419"] == "2025-07-01"  # data analyst
    assert "M1403" not in priors.releases and "M1405" not in priors.releases  # its parent; an older split
    assert not priors.in_force("M1894", "2024-11-20T09:00:00.000Z") and priors.in_force("M1894", "2025-08-01")


def test_fiche_releases_keep_only_the_later_split_fiches() -> None:
    fiches = [("M1419", "509531", "M1403"), ("M1403", "469", "M1403"), ("M1405", "404047", "M1403"), ("X", "", "")]
    assert fiche_releases(fiches) == {"M1419": "2025-07-01"}
    priors = OccupationPriors(releases=fiche_releases(fiches))
    assert not priors.in_force("M1419", "2025-06-30") and priors.in_force("M1419", "2025-07-01")
    assert priors.in_force("M1405", "2023-01-01") and priors.in_force("M1419", "")  # older split; undated


@pytest.mark.slow
def test_priors_and_acronyms_settle_what_the_title_leaves_open(priors_coder: OccupationCoder) -> None:
    coder = priors_coder
    assert coder.code(OccupationInput(title="Infirmier (H/F)")).metiers[0].code == "J1506"
    spl = coder.code(OccupationInput(title="Chauffeur SPL (H/F)"))
    assert spl.metiers[0].code.startswith("N41")  # road haulage drivers
    plain = coder.code(OccupationInput(title="Vendeur (H/F)")).rome_codes[:10]
    grocer = coder.code(OccupationInput(title="Vendeur (H/F)", naf="47.11B")).rome_codes[:10]
    assert plain != grocer


@pytest.mark.slow
def test_the_fiche_profiles_read_what_a_generic_title_leaves_open(
    taxonomy_con: duckdb.DuckDBPyConnection, data_dir: Path
) -> None:
    """Real offer 196SFFH, "Chef d'Equipe Production F/H": its text is about a factory's production line."""
    offer = _offer(data_dir, "196SFFH")
    concepts = load_concepts(taxonomy_con, kinds=["metier", "appellation", "occupation"])
    priors = occupation_priors(taxonomy_con, data_dir)
    with_profiles = OccupationCoder(concepts, priors=priors).code(offer_input(strip_coding(offer)))
    assert with_profiles.metiers[0].code.startswith("H25")  # production team leaders in industry
    assert with_profiles.appellations[0].rome_code == with_profiles.metiers[0].code  # appellations follow
    blind = OccupationPriors(priors.volumes, priors.sectors)  # the same coder without the fiches
    without = OccupationCoder(concepts, priors=blind).code(offer_input(strip_coding(offer)))
    assert not without.metiers[0].code.startswith("H25")


@pytest.mark.slow
def test_a_general_nurse_is_not_a_director_of_care(priors_coder: OccupationCoder, data_dir: Path) -> None:
    """Real offer 1234081, "Infirmier généraliste (H/F)", J1506 (IDE). Snowball stemmed "généraliste" as
    "général", so its text met ROME's *Infirmier général* (J1502: who directs a hospital's care) in the fiche
    profiles, and it was coded J1502 (v14)."""
    offer = _offer(data_dir, "1234081")
    assert offer["intitule"] == "Infirmier généraliste (H/F)" and offer["romeCode"] == "J1506"
    assert priors_coder.code(offer_input(strip_coding(offer))).rome_codes[0] == "J1506"
