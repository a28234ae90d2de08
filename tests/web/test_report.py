from __future__ import annotations

from grepp.store.summary import CodingQuality, ConfidenceBand, OfferExample, SkillSpan
from grepp.web.report import highlight, quality_section, render_report


def _span(start: int, end: int, requirement: str = "required") -> SkillSpan:
    return SkillSpan(start, end, "Souder", "123", "rome", requirement, ())


def test_offer_html_and_scripts_are_shown_as_text_never_interpreted() -> None:
    text = "Soudeur <script>alert(1)</script> TIG"
    html = highlight(text, [_span(0, 7)])
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert html.startswith('<mark class="required"')


def test_overlapping_and_out_of_range_spans_are_skipped() -> None:
    text = "souder au TIG"
    html = highlight(text, [_span(0, 6), _span(3, 9), _span(10, 99)])
    assert html.count("<mark") == 1
    assert html.endswith("au TIG")


def test_report_is_french_and_shows_an_abstention() -> None:
    example = OfferExample("x:1", "Titre", "texte", "Strasbourg", None, [], [])
    html = render_report([("offers", "offres d'emploi", 1)], [("x", 1)], [], [], [example], generated_at="now")
    assert '<html lang="fr">' in html
    assert "inconnu" in html


def test_coding_quality_is_shown_by_confidence_with_the_recruiters_agreement() -> None:
    quality = CodingQuality(
        offers=10,
        coded=8,
        unknown=2,
        empty=1,
        bands=[
            ConfidenceBand(0.0, 0.2, 2, 0, 0),
            ConfidenceBand(0.2, 0.7, 3, 2, 1),
            ConfidenceBand(0.7, 1.0, 5, 4, 4),
        ],
    )
    html = quality_section(quality)
    assert "10 offres : 8 ont un métier codé, 2 n'en ont pas" in html
    assert "dont 1 sans titre ni texte lisible" in html
    # bands in French, the agreement as a share of the offers a recruiter coded ("—" where none did)
    assert "moins de 20\u202f%" in html and "20\u202f% à 70\u202f%" in html and "70\u202f% et plus" in html
    assert "<td>50\u202f%</td>" in html and "<td>100\u202f%</td>" in html and "<td>—</td>" in html
    assert "<td>toutes</td>" in html and "<td>83\u202f%</td>" in html  # 5 of 6 over every band
    page = render_report([], [], [], [], [], generated_at="now", quality=quality)
    assert "Fiabilité du codage des métiers" in page and html in page
    assert "Pas encore d'enrichissement" in render_report([], [], [], [], [], generated_at="now")
