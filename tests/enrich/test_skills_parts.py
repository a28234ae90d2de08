"""The parts of skill extraction that need no taxonomy: sections, requirement cues, lexicon, gazetteer, HTML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grepp.enrich.skill_gazetteer import Gazetteer
from grepp.enrich.skill_lexicon import default_lexicon, parse_lexicon
from grepp.enrich.skill_requirement import requirement_near, requirement_of
from grepp.enrich.skill_sections import MAX_CHARS, NO_SKILL_SECTIONS, clean_text, segment
from grepp.errors import ConfigError


def _offer(data_dir: Path, offer_id: str) -> dict[str, object]:
    with (data_dir / "offers/france-travail/all-sectors-2025.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            offer = json.loads(line)
            if offer["id"] == offer_id:
                return dict(offer)
    raise AssertionError(f"offer {offer_id} not in the data")


def test_sections_of_the_spl_offer_put_pitch_benefits_and_application_apart(data_dir: Path) -> None:
    text = str(_offer(data_dir, "183DSHH")["description"])
    segments = segment(text)
    by_text = {s.text: s.section for s in segments}
    assert by_text["Réaliser les opérations d'attelage"] == "mission"
    assert by_text["Tu possèdes le permis EC ainsi que la carte FCO/FIMO à jour ?"] == "profile"
    assert by_text["- Un parcours d'intégration personnalisé #ontaccompagne".lstrip("- ")] == "benefits"
    assert by_text["Rejoins-nous !"] == "application"
    pitch = next(s for s in segments if s.text.startswith("Afin de renforcer notre équipe"))
    assert pitch.section == "company"
    assert all(text[s.start : s.end] == s.text for s in segments)


def test_benefit_sentence_inside_a_mission_list_is_a_benefit() -> None:
    segments = segment("Vos missions :\n- Souder des pièces\nAvantages : mutuelle, tickets restaurant, CE")
    assert [s.section for s in segments] == ["mission", "mission", "benefits"]
    assert segments[-1].section in NO_SKILL_SECTIONS


def test_requirement_on_real_sentences() -> None:
    assert requirement_of("- Habilitation électrique (un plus)") == "wished"
    assert requirement_of("Le CACES 1B sera demandé.") == "required"
    assert requirement_of("Vous êtes autonome et rigoureux") == "unknown"
    sentence = "Permis B exigé, CACES R489 apprécié"
    assert requirement_near(sentence, 0, 8) == "required"
    assert requirement_near(sentence, 16, 26) == "wished"
    assert requirement_of("Ihr Profil: Führerschein Klasse B zwingend erforderlich") == "required"
    assert requirement_of("Englischkenntnisse von Vorteil") == "wished"


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("Le CACES 1B sera demandé.", ["caces-r489-1b"]),
        ("Tu possèdes le permis EC ainsi que la carte FCO/FIMO à jour ?", ["permis-ce", "fco", "fimo"]),
        ("vous possédez le CACES R482, alors POSTULEZ !", ["caces-r482"]),
        ("CACES R489 cat. 1, 3 et 5", ["caces-r489-1", "caces-r489-3", "caces-r489-5"]),
        ("Permis B, C et CE", ["permis-b", "permis-c", "permis-ce"]),
        ("habilitation électrique B0 H0V exigée", ["habilitation-electrique-b0h0"]),
        ("Habilitations électriques BR, B2V", ["habilitation-electrique-b1-b2"]),
        ("SSIAP 1 et SST à jour, AIPR opérateur, HACCP", ["ssiap1", "sst", "aipr", "haccp"]),
        ("Permis de conduire", []),
        ("Le cercle des CE-2 élèves", []),
    ],
)
def test_lexicon_finds_certificates_and_their_categories(text: str, keys: list[str]) -> None:
    found = default_lexicon().find(text)
    assert sorted({m.key for m in found}) == sorted(keys)
    assert all(text[m.start : m.end].strip() for m in found)


def test_lexicon_entries_map_to_rome_codes_and_bad_lines_are_named() -> None:
    lexicon = default_lexicon()
    assert "120409" in lexicon.entries["fimo"].rome
    assert "126455" in lexicon.entries["permis-ce"].rome
    with pytest.raises(ConfigError, match="line 2"):
        parse_lexicon("key\tpattern\tlabel\tcategory\trome\tesco\tnote\nfimo\t(\tFIMO\tcertificate\t1\t\t\n")


def test_gazetteer_is_accent_gender_and_plural_insensitive_and_spans_slice_the_text() -> None:
    gaz = Gazetteer.build(
        [("Techniques de soudage", "rome-ogr:100007"), ("Réaliser les opérations d'attelage", "rome-ogr:1")]
    )
    text = "Maîtrise des TECHNIQUES DE SOUDAGE ; réaliser l'opération d’attelage"
    matches = gaz.find(text)
    assert [m.concept_ids for m in matches] == [("rome-ogr:100007",), ("rome-ogr:1",)]
    assert text[matches[0].start : matches[0].end] == "TECHNIQUES DE SOUDAGE"
    assert text[matches[1].start : matches[1].end] == "réaliser l'opération d’attelage"


def test_gazetteer_takes_the_longest_label_at_each_word_even_past_a_prefix_that_is_no_label() -> None:
    gaz = Gazetteer.build(
        [
            ("soudage", "s"),
            ("soudage à l'arc électrique", "arc"),
            ("soudage TIG aluminium", "tig-alu"),
            ("brasage", "b"),
        ]
    )
    # "soudage TIG" is a prefix of a label but no label: the walk falls back to "soudage", then reads on
    text = "Soudage TIG acier, soudage à l'arc électrique et soudage TIG aluminium ; brasage"
    matches = gaz.find(text)
    assert [(text[m.start : m.end], m.concept_ids, m.n_words) for m in matches] == [
        ("Soudage", ("s",), 1),
        ("soudage à l'arc électrique", ("arc",), 3),
        ("soudage TIG aluminium", ("tig-alu",), 3),
        ("brasage", ("b",), 1),
    ]


def test_requirement_fold_keeps_one_character_for_one() -> None:
    import unicodedata

    from grepp.enrich.skill_requirement import _fold

    def by_character(text: str) -> str:
        return "".join("'" if ch in "’‘`´" else unicodedata.normalize("NFKD", ch)[:1] or ch for ch in text.lower())

    samples = ["Expérience SOUHAITÉE l’été `x´", "ŒUVRE ﬁn ½ Straße İstanbul", ""]
    samples += ["".join(chr(code) for code in range(start, start + 64)) for start in range(0x20, 0x3000, 64)]
    for text in samples:
        assert _fold(text) == by_character(text), repr(text)
        assert len(_fold(text)) == len(text.lower())


def test_html_is_stripped_and_offsets_map_back_to_the_raw_text() -> None:
    raw = "<p>Soudeur&nbsp;<b>TIG</b> exig&eacute;</p><ul><li>MIG</li></ul>"
    clean = clean_text(raw)
    assert "<" not in clean.text
    start = clean.text.index("TIG")
    s, e = clean.raw_span(start, start + 3)
    assert raw[s:e] == "TIG"
    s, e = clean.raw_span(clean.text.index("exigé"), clean.text.index("exigé") + 5)
    assert raw[s:e] == "exig&eacute;"


def test_huge_text_is_capped() -> None:
    clean = clean_text("Soudure TIG. " * 500_000)
    assert clean.truncated and len(clean.text) == MAX_CHARS


def test_competence_codes_and_recall_for_the_evaluation(data_dir: Path) -> None:
    from grepp.enrich.metrics import offer_competence_codes, recall_at

    offer = _offer(data_dir, "183DSHL")  # conducteur d'engins: 5 coded competences
    gold = offer_competence_codes(offer)
    assert "126364" in gold and len(gold) == 5
    assert recall_at(["126364", "x"], gold) == 0.2
    assert recall_at(["x"] * 10 + ["126364"], gold) == 0.0  # the 11th does not count
    assert offer_competence_codes({"competences": [{"libelle": "sans code"}]}) == set()


def test_loosened_patterns_drop_only_lookarounds_and_word_boundaries() -> None:
    from grepp.enrich.skill_lexicon import loosened

    assert loosened(r"\bSSIAP\b(?!\s*[-]?\s*[123])") == "SSIAP"
    assert loosened(r"(?<![\dR])([1-7][AB]?)\b") == "([1-7][AB]?)"
    # inside a class, "\b" and parentheses are characters; a "]" first in a class is a literal
    assert loosened(r"[\s,/+&()\-]*[]b]\b") == r"[\s,/+&()\-]*[]b]"
    with pytest.raises(ValueError, match="unbalanced"):
        loosened(r"a(?!b")


def test_a_pattern_re2_cannot_read_falls_back_to_python_re() -> None:
    import re

    from grepp.enrich.skill_lexicon import prefilter

    searcher = prefilter([r"(ab)\1", r"\bSST\b"])  # a backreference: RE2 has none
    assert isinstance(searcher, re.Pattern)
    assert searcher.search("xababx") and searcher.search("formation sst") and not searcher.search("abx")


def test_the_fast_prefilter_lets_through_every_sentence_the_exact_patterns_match(data_dir: Path) -> None:
    """RE2 runs the loosened lexicon as one automaton; the exact re patterns must find the same mentions."""
    import re

    from grepp.enrich import skill_lexicon

    lexicon = default_lexicon()
    exact = default_lexicon.__wrapped__()  # a second instance, its prefilter replaced by Python's re
    alternatives = [e.pattern for e in exact.entries.values() if e.pattern] + [
        p.pattern
        for p in (
            skill_lexicon._CACES,
            skill_lexicon._R_ALONE,
            skill_lexicon._PERMIS,
            skill_lexicon._HABILITATION,
            skill_lexicon._HAB_ALONE,
        )
    ]
    exact._any = re.compile("|".join(f"(?:{a})" for a in alternatives), re.IGNORECASE)
    exact._hits = None  # and every exact pattern runs on what passes (the fast one runs those RE2's set finds)
    texts = []
    for name in ("all-sectors-2025.jsonl", "grand-est-it-data-2024.jsonl"):
        with (data_dir / "offers/france-travail" / name).open(encoding="utf-8") as fh:
            texts += [s.text for line in fh for s in segment(str(json.loads(line).get("description") or ""))]
    texts += ["Sécurité incendie SSIAP-2", "CACES® R489 cat. 1B", "Führerschein Klasse CE", "ÉLÉVATEUR caces 3"]
    assert len(texts) > 10_000
    found = [lexicon.find(t) for t in texts]
    assert found == [exact.find(t) for t in texts]
    assert sum(1 for f in found if f) > 500


def test_when_re2s_set_finds_nothing_after_the_prefilter_matched_every_pattern_runs() -> None:
    """RE2's set gives up silently when its DFA runs out of memory: no mention may be lost then."""
    lexicon = default_lexicon.__wrapped__()
    text = "CACES R489 cat 3 et permis C exigés, SST et habilitation électrique B1V appréciés, FIMO à jour"
    expected = lexicon.find(text)
    assert {m.key for m in expected} >= {"caces-r489-3", "permis-c", "sst"}
    lexicon._hits = lambda text: frozenset()  # a set that failed
    assert lexicon.find(text) == expected


def test_fold_is_the_same_by_table_and_by_unicode_normalisation() -> None:
    from grepp.enrich.text import _fold_slow, fold

    samples = ["Électricien·ne – BAC+2 ’", "Œuvre Straße ﬁn", "e\u0301te\u0301", "ＣＡＣＥＳ® İstanbul", "Ağır vasıta"]
    samples += [chr(code) for code in range(0x20, 0x3000)]
    for text in samples:
        assert fold(text) == " ".join(_fold_slow(text).lower().split()), repr(text)
    assert fold("  Électricien·ne  ") == "electricien.ne"


def test_a_name_is_told_from_a_capitalised_noun() -> None:
    from grepp.enrich.skill_words import is_acronym, is_name

    assert is_name("Python") and is_name("PowerBI") and is_name("C#") and is_name("SAP", lowercase_nouns=False)
    # German nouns all take a capital: only a capital inside the word, a digit or a symbol makes a name
    assert not is_name("Energie", lowercase_nouns=False) and is_name("PowerBI", lowercase_nouns=False)
    assert not is_name("Gestion de projet") and not is_name("fnac")
    assert is_acronym("IT") and is_acronym("SIG") and not is_acronym("Industrie") and not is_acronym("C")
