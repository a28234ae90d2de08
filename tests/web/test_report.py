from __future__ import annotations

from grepp.store.summary import OfferExample, SkillSpan
from grepp.web.report import highlight, render_report


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
