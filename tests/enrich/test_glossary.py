"""The German title glossary: compounds split at their head, gender forms dropped, a bad table names its line."""

from __future__ import annotations

import pytest

from grepp.enrich.glossary import default_glossary, parse_glossary, translate_title
from grepp.enrich.text import strip_gender_markers
from grepp.errors import SourceError


@pytest.mark.parametrize(
    ("title", "french"),
    [
        ("Softwareentwickler (m/w/d)", "développeur logiciel"),
        ("Staplerfahrer (w/m/d)", "cariste"),  # a whole compound known as such beats its head ("fahrer")
        ("Pflegefachkraft*in", "infirmier"),
        ("Kaufmann/-frau im Einzelhandel", "employé commercial commerce de détail"),
        ("IT-Berater/in", "consultant informatique"),
        ("Javaentwicklerin", "développeur java"),  # an unknown field is kept as written
        ("Tierärztin", "vétérinaire"),  # the feminine of a compound whose head is a longer entry
        ("Ingenieur/in - Luft- und Raumfahrttechnik", "ingénieur aéronautique"),
        ("Lagerist / Kommissioniererin", "magasinier ; préparateur de commandes"),
        ("Lohn- und Gehaltsbuchhalter/in", "comptable paie"),  # each field once
        ("Maschinen- und Anlagenführer (m/w/d)", "conducteur de ligne de production"),
        ("Datenschutzbeauftragte/r", "délégué protection des données"),  # sixteenth session's words
        ("Callcenter-Agent (m/w/d)", "agent clientèle à distance"),
        ("Verkäufer (m/w/d) Lebensmittel", "vendeur alimentation"),
        ("Wissenschaftliche/r Mitarbeiter/in (m/w/d)", "ingénieur de recherche"),  # a phrase, not "employé"
        ("Wiss. Mitarbeiter:in im Projekt", "ingénieur de recherche"),
    ],
)
def test_german_titles_read_in_french_words(title: str, french: str) -> None:
    assert translate_title(title) == french


@pytest.mark.parametrize("title", ["Data Engineer (m/w/d)", "", "   ", "🙂🙂", "Soudeur TIG (H/F)", "x" * 10_000])
def test_titles_without_german_job_words_give_nothing(title: str) -> None:
    assert translate_title(title) == ""


def test_the_packaged_glossary_has_jobs_and_fields() -> None:
    glossary = default_glossary()
    assert len(glossary.jobs) > 100 and len(glossary.fields) > 50
    assert glossary.jobs["schweisser"] == "soudeur" or glossary.jobs.get("schweißer") == "soudeur"


def test_a_malformed_line_is_named() -> None:
    with pytest.raises(SourceError, match=r"glossary\.tsv line 3"):
        parse_glossary("# comment\nentwickler\tdéveloppeur\tjob\nfahrer\tconducteur\n", "glossary.tsv")
    with pytest.raises(SourceError, match="line 1"):
        parse_glossary("fahrer\tconducteur\tperson\n", "glossary.tsv")


def test_gender_tags_in_any_order_are_stripped_wherever_titles_are_cleaned() -> None:
    for tag in ("(m/w/d)", "(w/m/x)", "(f/m/d)", "(d/m/w)", "(m|w|d)", "m/f", "(all genders)", "(H/F)"):
        assert strip_gender_markers(f"Controller {tag}") == "Controller", tag
    assert strip_gender_markers("Chef de projet R&D/M") == "Chef de projet R&D/M"  # not a gender tag


def test_care_cleaning_and_helper_compounds_are_read() -> None:
    """Words a second unseen set of titles missed: specific compounds before their generic head."""
    assert translate_title("Tierpfleger (m/w/d)") == "soigneur animalier"
    assert translate_title("Kinderpfleger/in") == "auxiliaire de puériculture"
    assert translate_title("Gebäudereiniger (m/w/d)") == "agent de nettoyage"
    assert translate_title("Zahnmedizinische Fachangestellte (m/w/d)") == "assistant dentaire"
    assert translate_title("Küchenhilfe (m/w/d)") == "commis de cuisine"
    assert translate_title("Lagerhelfer (m/w/d)") == "agent entrepôt"  # the generic head still composes
