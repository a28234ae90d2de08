"""Skill extraction on real offers with the real ROME v460 and ESCO taxonomies (behaviour, not exact scores)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from grepp.enrich.skills import (
    EXTRACTOR_VERSION,
    SkillExtractor,
    SkillMention,
    extract_offer_skills,
    metier_core,
    metier_links,
)
from grepp.taxonomy.concepts import load_concepts, occupation_skill_links

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def skill_extractor(taxonomy_db: Path) -> Iterator[SkillExtractor]:
    """The extractor built once per session from the cached taxonomy database."""
    con = duckdb.connect(str(taxonomy_db), read_only=True)
    try:
        concepts = load_concepts(con)
        rome_links = occupation_skill_links(con, "rome")
    finally:
        con.close()
    yield SkillExtractor(concepts, links=metier_links(rome_links), core=metier_core(rome_links))


def _offers(data_dir: Path) -> list[dict[str, object]]:
    with (data_dir / "offers/france-travail/all-sectors-2025.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _by_id(data_dir: Path, offer_id: str) -> dict[str, object]:
    return next(o for o in _offers(data_dir) if o["id"] == offer_id)


def _labels(mentions: list[SkillMention]) -> set[str]:
    return {m.label for m in mentions}


def test_spl_driver_offer_gets_caces_fimo_fco_and_heavy_licence(
    skill_extractor: SkillExtractor, data_dir: Path
) -> None:
    offer = _offers(data_dir)[0]
    assert offer["intitule"] == "Conducteur SPL Location H/F (H/F)"
    text = str(offer["description"])
    mentions = skill_extractor.extract(text, title=str(offer["intitule"]))
    codes = {m.code for m in mentions if m.taxonomy == "rome"}
    assert {"200069", "120409", "123723", "126455"} <= codes  # CACES R489 1B, FIMO, FCO, permis CE
    caces = next(m for m in mentions if m.code == "200069")
    assert caces.method == "acronym" and caces.requirement == "required"
    assert "Réaliser les opérations d'attelage" in _labels(mentions)
    for m in mentions:
        assert text[m.start : m.end] == m.text and m.text
        assert m.extractor == f"skills.hybrid.v{EXTRACTOR_VERSION}"


def test_pitch_and_benefits_paragraphs_yield_no_skills(skill_extractor: SkillExtractor, data_dir: Path) -> None:
    offer = _offers(data_dir)[0]
    text = str(offer["description"])
    mentions = skill_extractor.extract(text)
    assert mentions
    benefits_start = text.index("Pourquoi rejoindre notre Groupe ?")
    assert all(m.start < benefits_start for m in mentions)
    assert all(m.section not in ("company", "benefits", "application") for m in mentions)
    pitch = "Pourquoi rejoindre notre Groupe ?\n" + text[benefits_start:]
    result = skill_extractor.extract_result(pitch)
    assert result.mentions == [] and "benefits" in result.reason


def test_welding_offer_gets_welding_skills(skill_extractor: SkillExtractor, data_dir: Path) -> None:
    welders = [o for o in _offers(data_dir) if "soudeur" in str(o["intitule"]).lower()]
    assert welders
    found_rome = found_esco = 0
    for offer in welders:
        mentions = skill_extractor.extract(str(offer["description"]), title=str(offer["intitule"]))
        labels = " ".join(m.label.lower() for m in mentions if m.taxonomy == "rome")
        found_rome += "soud" in labels
        found_esco += any("soud" in m.label.lower() for m in mentions if m.taxonomy == "esco")
    assert found_rome >= len(welders) - 2  # some welder ads only list tasks ("Soudure selon les normes")
    assert found_esco >= 1
    offer = _by_id(data_dir, "0679213")  # "Chaudronnier Soudeur": TIG and "techniques de soudure"
    mentions = skill_extractor.extract(str(offer["description"]))
    assert {
        "Techniques de soudure",
        "Qualification Tungsten Inert Gas (TIG) - Soudage à l'arc avec fil d'apport - 141",
    } & _labels(mentions)
    assert not {"donner des conférences", "effectuer la planification"} & _labels(mentions)  # English one-word labels


def test_wished_skill_is_detected_on_a_real_sentence(skill_extractor: SkillExtractor, data_dir: Path) -> None:
    offer = _by_id(data_dir, "183DSJC")
    text = str(offer["description"])
    mentions = skill_extractor.extract(text)
    habilitation = [m for m in mentions if "habilitation" in m.text.lower()]
    assert habilitation and all(m.requirement == "wished" for m in habilitation)


def test_esco_and_rome_flags_are_carried(skill_extractor: SkillExtractor) -> None:
    mentions = skill_extractor.extract("Vous maîtrisez l'anglais et la langue allemande. Vous utilisez un tableur.")
    flagged = [m for m in mentions if m.taxonomy == "esco" and m.flags]
    assert flagged, [(m.label, m.flags) for m in mentions]


def test_html_offer_spans_point_into_the_raw_html(skill_extractor: SkillExtractor) -> None:
    raw = "<h2>Votre profil</h2><ul><li>Titulaire du <b>CACES R489</b> cat&eacute;gorie 3</li></ul>"
    mentions = skill_extractor.extract(raw)
    assert mentions
    for m in mentions:
        assert raw[m.start : m.end] == m.text
        assert "CACES" in m.text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Soudeur",
        "SOUDEUR TIG H/F EXPÉRIMENTÉ PERMIS B EXIGÉ",
        "🚚🚚🚚 ✨",
        "CompÃ©tences en soudure Ã  l'arc",
    ],
)
def test_bad_input_does_not_crash(skill_extractor: SkillExtractor, text: str) -> None:
    result = skill_extractor.extract_result(text)
    assert result.mentions or result.reason
    for m in result.mentions:
        assert text[m.start : m.end] == m.text


def test_a_lone_surrogate_is_read_around_and_never_reaches_the_output(skill_extractor: SkillExtractor) -> None:
    """A lone surrogate (a JSON "\\udcff" escape, undecodable argv bytes) crashed the regex engine; the skills
    around it are found, the mentions' offsets still slice the text and their texts are valid UTF-8."""
    text = "Soudure TIG exig\udce9e. Titulaire du CACES 3 \ud800 souhait\udce9."
    title = "Soudeur \ud800"
    mentions = skill_extractor.extract(text, title=title, rome_codes=["H2913"])
    assert any(m.text == "CACES 3" for m in mentions)
    for m in mentions:
        assert m.text.encode("utf-8") and len(text[m.start : m.end]) == len(m.text)
    assert skill_extractor.rank_rome(text, title=title)


def test_all_caps_offer_still_finds_licence(skill_extractor: SkillExtractor) -> None:
    mentions = skill_extractor.extract("SOUDEUR TIG H/F EXPÉRIMENTÉ. PERMIS B EXIGÉ")
    assert any(m.code == "123456" and m.requirement == "required" for m in mentions)


def test_huge_offer_is_capped_and_reported(skill_extractor: SkillExtractor) -> None:
    result = skill_extractor.extract_result("Maîtrise des techniques de soudage. " * 150_000)
    assert result.truncated and result.mentions


def test_german_offer_gets_esco_skills(skill_extractor: SkillExtractor) -> None:
    text = "Ihr Profil: Führerschein Klasse B, Kenntnisse in SAP und Microsoft Excel, Englischkenntnisse von Vorteil."
    mentions = skill_extractor.extract(text, lang="de")
    assert any(m.taxonomy == "esco" for m in mentions)


def test_german_it_terms_are_digital_skills_in_a_real_swiss_ad(skill_extractor: SkillExtractor, data_dir: Path) -> None:
    """The first hand-marked Swiss ad (an ERP analyst, in the held-out half of the ICT figures): its German
    ICT terms become ESCO skills flagged digital."""
    path = data_dir / "eval" / "skills-de-spans-dev" / "Devset-0_annotated.jsonl"
    ad = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    mentions = skill_extractor.extract(str(ad["text"]), lang="de")
    digital = {m.text: m.label for m in mentions if {"digital", "transition_num"} & set(m.flags)}
    # German compounds the ESCO labels do not spell: business informatics, database experience
    assert {"Wirtschaftsinformatik", "Datenbankerfahrung"} <= set(digital)
    short = skill_extractor.extract("Sie bringen Kenntnisse in C#, SAP und Datenbanken mit.", lang="de")
    assert {"C#", "SAP", "Datenbanken"} <= {m.text for m in short if "digital" in m.flags}
    # in French a "backup" is a stand-in colleague, not a data backup
    stand_in = skill_extractor.extract("Vous serez le backup du responsable de la facturation.", lang="fr")
    assert not [m for m in stand_in if "backup" in m.text.lower()]


def test_evaluation_hook_ranks_rome_codes_without_reading_the_offer_coding(
    skill_extractor: SkillExtractor, data_dir: Path
) -> None:
    offer = _offers(data_dir)[0]
    stripped = {k: v for k, v in offer.items() if k not in ("romeCode", "romeLibelle", "appellationlibelle")}
    ranked = extract_offer_skills(skill_extractor, stripped, rome_codes=["N4101"], limit=40)
    assert len(ranked) == 40
    assert [s for _, s in ranked] == sorted((s for _, s in ranked), reverse=True)
    # certificates written in the offer rank among the fiche's items (recruiters code them less often)
    assert {"200069", "120409", "123723"} <= {c for c, _ in ranked}
    assert extract_offer_skills(skill_extractor, stripped)  # the métier guessed from the title


def test_the_fiches_core_items_come_first_among_its_skills(skill_extractor: SkillExtractor) -> None:
    """Recruiters tick a fiche's cœur de métier items two to three times as often as others at the same place."""
    from dataclasses import replace

    from grepp.enrich.skills import SkillConfig

    flat = copy.copy(skill_extractor)
    flat.config = replace(SkillConfig(), prior_core=1.0)
    empty = {"intitule": "", "description": ""}
    for code in ("H2913", "J1506"):  # soudeur, infirmier en soins généraux
        core = {skill_extractor.skills[cid].code for cid in skill_extractor.core[f"rome:{code}"]}
        weighted = [c for c, _ in extract_offer_skills(skill_extractor, empty, rome_codes=[code], limit=10)]
        in_order = [c for c, _ in extract_offer_skills(flat, empty, rome_codes=[code], limit=10)]
        assert sum(c in core for c in weighted) > sum(c in core for c in in_order)


@pytest.mark.slow
def test_dense_step_links_a_paraphrase_to_the_metier_skill(
    skill_extractor: SkillExtractor, data_dir: Path, tmp_path: Path
) -> None:
    from grepp.enrich.embed import get_encoder
    from grepp.store.vectors import EmbeddingCache

    dense = SkillExtractor(
        skill_extractor.skills.values(),
        links=skill_extractor.links,
        core=skill_extractor.core,
        encoder=get_encoder("e5-small", EmbeddingCache(ROOT / ".grepp-cache" / "skills-e5")),
    )
    offer = _by_id(data_dir, "183DSHY")  # plombier: "Savez lire et interpréter un plan"
    text = str(offer["description"])
    mentions = dense.extract(text, rome_codes=["F1603"])
    by_method = [m for m in mentions if m.method == "dense"]
    assert by_method, "no sentence matched a skill of the métier"
    assert all(text[m.start : m.end] == m.text and 0.4 <= m.score <= 0.9 for m in by_method)
    assert any("plan" in m.label.lower() and "plan" in m.text.lower() for m in by_method)
    assert not [m for m in dense.extract(text) if m.method == "dense"]  # no métier given: no dense step


def test_mentions_are_stored_once_per_offer_and_version(
    skill_extractor: SkillExtractor, data_dir: Path, con: duckdb.DuckDBPyConnection
) -> None:
    from grepp.enrich.skills import EXTRACTOR_NAME, EXTRACTOR_VERSION, skill_rows
    from grepp.store.db import transaction
    from grepp.store.enrichment import save_results

    offer = _offers(data_dir)[0]
    mentions = skill_extractor.extract(str(offer["description"]))
    for _ in range(2):  # a repeated run replaces, never duplicates
        with transaction(con):
            save_results(
                con,
                enricher=EXTRACTOR_NAME,
                version=EXTRACTOR_VERSION,
                states=[(str(offer["id"]), "hash", "coded", None)],
                skills=skill_rows(str(offer["id"]), mentions),
            )
    rows = con.execute(
        "SELECT span_text, code, requirement, method FROM offer_skills WHERE offer_id = ? ORDER BY position",
        [offer["id"]],
    ).fetchall()
    assert len(rows) == len(mentions)
    assert ("CACES 1B", "200069", "required", "acronym") in rows


def test_soft_skills_and_tool_names_are_found_in_french(skill_extractor: SkillExtractor) -> None:
    text = "Votre profil : rigoureux et autonome, vous maîtrisez Python et SQL. Lecture de plans."
    mentions = skill_extractor.extract(text)
    soft = {m.code for m in mentions if "savoir_etre" in m.flags}
    assert {"300490", "300460"} <= soft  # rigueur, autonomie (ROME savoir-être)
    assert any(m.text == "Python" and m.taxonomy == "esco" for m in mentions)
    # a one-word English label does not fire on a French word ("Lecture" is not "give lectures")
    assert not any(m.text == "Lecture" and m.taxonomy == "esco" and "conférence" in m.label for m in mentions)


def test_words_of_job_titles_are_not_one_word_skills(skill_extractor: SkillExtractor) -> None:
    """ "Chef" is an ESCO tool, "Industrie" a ROME savoir, "Traitement du son" reduces to "traitement" once
    its possessive-looking "son" is dropped: found at every chef de projet, industrial employer or
    "traitement des commandes", they drowned the observatory's skill counts (a demo run: "Chef" in 415
    offers, "Ingénieur du son" in 464). Names of tools still count in any language."""
    text = (
        "Rattaché au chef de projet, vous assurez le traitement des commandes et le design des écrans pour "
        "un leader de l'industrie. Vous maîtrisez Docker et Java."
    )
    found = {m.text: m.label for m in skill_extractor.extract(text, lang="fr")}
    assert not {"chef", "traitement", "industrie", "design"} & {t.lower() for t in found}, found
    assert {"Docker", "Java"} <= set(found)
    teamwork = {m.label for m in skill_extractor.extract("Vous aimez travailler en équipe.", lang="fr")}
    assert "travailler en équipe" in teamwork and "travailler par équipes" not in teamwork  # not shift work
    german = skill_extractor.extract("Sie arbeiten mit Docker und Java in der Energie-Industrie.", lang="de")
    assert {"Docker", "Java"} <= {m.text for m in german}


def test_a_word_that_only_belongs_to_a_noun_phrase_is_no_skill(skill_extractor: SkillExtractor, data_dir: Path) -> None:
    """Recruitment agencies' pitches ("cabinet de recrutement") and policies ("notre politique de mobilité")
    put "Recrutement" and "politique" in hundreds of offers; the same words stay skills where the text asks
    for them ("en charge du recrutement", "maîtrise du français")."""
    agency = [
        o
        for o in _offers(data_dir)
        if "cabinet de recrutement" in str(o["description"]).lower() and "recrut" not in str(o["intitule"]).lower()
    ]
    assert agency
    for offer in agency:
        text = str(offer["description"])
        for m in skill_extractor.extract(text, title=str(offer["intitule"]), lang="fr"):
            if m.text.lower() == "recrutement":
                assert text[max(0, m.start - 12) : m.start].lower().strip() != "cabinet de", offer["id"]
    asked = "Vous serez en charge du recrutement. Maîtrise du français et notions élémentaires de cybersécurité."
    found = {m.text.lower() for m in skill_extractor.extract(asked, lang="fr")}
    assert {"recrutement", "français", "cybersécurité"} <= found, found
    pitch = "Notre cabinet de recrutement recherche pour son client. Dans le cadre de notre politique de mobilité."
    assert not {"recrutement", "politique"} & {m.text.lower() for m in skill_extractor.extract(pitch, lang="fr")}


def test_a_nationality_is_not_a_language_skill(skill_extractor: SkillExtractor) -> None:
    """ "Une entreprise française" says where the firm is, not that the job needs French; "condition
    physique" is fitness, not physics."""
    # a mission sentence (a company paragraph would yield nothing anyway)
    mission = (
        "Le poste : technicien réseau dans une entreprise française, vous équipez le marché français. "
        "Bonne condition physique."
    )
    found = {m.text.lower() for m in skill_extractor.extract(mission, lang="fr")}
    assert not {"française", "français", "physique"} & found, found
    physics = {m.text.lower() for m in skill_extractor.extract("Vous enseignez la physique.", lang="fr")}
    assert "physique" in physics
    asked = (
        "Vous parlez anglais, avec un bon niveau d'allemand et idéalement portugais. Maîtrise de la langue française."
    )
    found = {m.text.lower() for m in skill_extractor.extract(asked, lang="fr")}
    assert {"anglais", "allemand", "portugais", "française"} <= found, found
