"""The demo report: one self-contained French HTML page a person can open (no CDN, no script).

It shows what the store holds, where the Grand Est offers are, which métiers the AI coded and how sure it was
(against the codes recruiters chose, where they gave one), and a few offers with their coded métier and their skills
highlighted in the text. Text is always escaped: an offer's HTML or script tags are shown as text, never
interpreted::

    html = render_report(counts, sources, zones, metiers, examples, generated_at="2026-11-27 18:00", quality=quality)
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from grepp.store.summary import CodingQuality, OfferExample, SkillSpan

_CSS = """
body{font-family:Marianne,Arial,sans-serif;margin:2rem auto;max-width:70rem;color:#161616;line-height:1.5}
h1{color:#000091}h2{color:#000091;border-bottom:2px solid #000091;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .6rem;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f5f5fe}
.offer{border:1px solid #ddd;border-left:4px solid #000091;padding:1rem;margin:1rem 0;background:#fff}
.text{white-space:pre-wrap;font-size:.95rem}mark{background:#fee9e6;padding:0 .1rem;border-radius:2px}
mark.required{background:#b8fec9}mark.wished{background:#fef7da}mark.green{outline:2px solid #18753c}
.legend span{margin-right:1rem}.muted{color:#666;font-size:.9rem}
"""

REQUIREMENT_FR = {"required": "exigée", "wished": "souhaitée", "unknown": "non précisé"}


def _fmt(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def highlight(text: str, spans: Sequence[SkillSpan]) -> str:
    """The text, escaped, with each skill span wrapped in a <mark> (overlapping spans: the first wins)."""
    parts: list[str] = []
    cursor = 0
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if span.start < cursor or span.end > len(text) or span.start >= span.end:
            continue
        parts.append(escape(text[cursor : span.start]))
        classes = [span.requirement, *(["green"] if "green" in span.flags or "transition_eco" in span.flags else [])]
        title = f"{span.label} ({span.taxonomy.upper()} {span.code}) — {REQUIREMENT_FR.get(span.requirement, '')}"
        marked = escape(text[span.start : span.end])
        parts.append(f'<mark class="{escape(" ".join(classes))}" title="{escape(title)}">{marked}</mark>')
        cursor = span.end
    parts.append(escape(text[cursor:]))
    return "".join(parts)


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="n">{_fmt(c)}</td>' if isinstance(c, int) else f"<td>{escape(str(c))}</td>" for c in row)
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _percent(share: float) -> str:
    return f"{share:.0%}".replace("%", "\u202f%")


def quality_section(quality: CodingQuality | None) -> str:
    """How the AI coded the stored offers: coded or abstained, and by confidence how often it agrees with recruiters."""
    if quality is None:
        return "<p>Pas encore d'enrichissement.</p>"
    empty = f", dont {_fmt(quality.empty)} sans titre ni texte lisible" if quality.empty else ""
    rows: list[tuple[object, ...]] = []
    for band in quality.bands:
        if band.low == 0:
            label = f"moins de {_percent(band.high)}"
        elif band.high >= 1:
            label = f"{_percent(band.low)} et plus"
        else:
            label = f"{_percent(band.low)} à {_percent(band.high)}"
        agree = _percent(band.agreeing / band.with_recruiter_code) if band.with_recruiter_code else "—"
        rows.append((label, band.offers, band.with_recruiter_code, band.agreeing, agree))
    total = quality.with_recruiter_code
    rows.append(
        (
            "toutes",
            sum(b.offers for b in quality.bands),
            total,
            quality.agreeing,
            _percent(quality.agreeing / total) if total else "—",
        )
    )
    return (
        f"<p>L'IA a lu {_fmt(quality.offers)} offres : {_fmt(quality.coded)} ont un métier codé, "
        f"{_fmt(quality.unknown)} n'en ont pas (l'IA s'abstient quand sa confiance est trop basse{empty}).</p>"
        + _table(
            [
                "confiance du métier codé",
                "offres",
                "avec un code ROME du recruteur",
                "même code que le recruteur",
                "accord",
            ],
            rows,
        )
        + '<p class="muted">La confiance est une probabilité calibrée sur des offres codées par leurs recruteurs : '
        "plus elle est haute, plus le code est sûr. Le recruteur choisit parmi les fiches ROME en vigueur à la date "
        "de l'offre, l'IA code dans la version courante du ROME : une offre ancienne peut porter la fiche dont la "
        "nouvelle est issue, et certains recruteurs choisissent une fiche voisine.</p>"
    )


def _offer(example: OfferExample) -> str:
    if example.occupations:
        rome, label, _code, confidence = example.occupations[0]
        metier = example.coded_metier
        if metier is not None:  # the métier's confidence (that the ROME code is right), then the appellation's
            coded = (
                f"<strong>{escape(rome)}</strong> {escape(metier[1])} (confiance {metier[2]:.0%})"
                f'<br><span class="muted">appellation : {escape(label)} (confiance {confidence:.0%})</span>'
            )
        else:
            coded = f"<strong>{escape(rome)}</strong> — {escape(label)} (confiance {confidence:.0%})"
        others = ", ".join(f"{escape(r)} {escape(lab)}" for r, lab, _, _ in example.occupations[1:])
        if others:
            coded += f'<br><span class="muted">autres pistes : {others}</span>'
    else:
        coded = "inconnu (l'IA s'abstient)"
    given = (
        f'<br><span class="muted">code ROME donné par le recruteur : {escape(example.source_rome_code)}</span>'
        if example.source_rome_code
        else ""
    )
    skills = sorted({(s.label, s.code, s.requirement) for s in example.skills})
    skill_list = "".join(
        f"<li>{escape(lab)} <span class='muted'>({escape(code)}, {REQUIREMENT_FR.get(req, req)})</span></li>"
        for lab, code, req in skills[:25]
    )
    return (
        f'<div class="offer"><h3>{escape(example.title)}</h3><p class="muted">{escape(example.place)} · '
        f"{escape(example.offer_id)}</p><p>Métier codé : {coded}{given}</p>"
        f"<details open><summary>{len(skills)} compétence(s) repérée(s)</summary><ul>{skill_list}</ul></details>"
        f'<div class="text">{highlight(example.text, example.skills)}</div></div>'
    )


def render_report(
    counts: Sequence[tuple[str, str, int]],
    sources: Sequence[tuple[str, int]],
    zones: Sequence[tuple[str, str, int]],
    metiers: Sequence[tuple[str, str, int]],
    examples: Sequence[OfferExample],
    *,
    generated_at: str,
    region_name: str = "Grand Est",
    quality: CodingQuality | None = None,
) -> str:
    """The whole page, in French (``quality``: :func:`grepp.store.summary.coding_quality`, once offers are coded)."""
    sections = [
        "<h2>Ce que contient la base</h2>",
        _table(["table", "contenu", "lignes"], [(t, c, n) for t, c, n in counts]),
        "<h2>Offres d'emploi par source</h2>",
        _table(["source", "offres"], sources),
        f"<h2>Offres en {escape(region_name)} par zone d'emploi</h2>",
        _table(["zone d'emploi", "nom", "offres"], zones) if zones else "<p>Aucune offre placée.</p>",
        "<h2>Métiers les plus souvent codés par l'IA</h2>",
        _table(["code ROME", "métier", "offres"], metiers) if metiers else "<p>Pas encore d'enrichissement.</p>",
        "<h2>Fiabilité du codage des métiers</h2>",
        quality_section(quality),
        "<h2>Des offres lues par l'IA</h2>",
        '<p class="legend"><span><mark class="required">exigée</mark></span><span><mark class="wished">'
        "souhaitée</mark></span><span><mark>non précisé</mark></span><span><mark class='green'>compétence "
        "verte</mark></span> Survolez une compétence pour voir son code ROME ou ESCO.</p>",
        *(_offer(e) for e in examples),
    ]
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>grepp — observatoire des compétences {escape(region_name)}</title><style>{_CSS}</style></head>"
        f"<body><h1>grepp — observatoire des compétences et des métiers, {escape(region_name)}</h1>"
        f'<p class="muted">Rapport de démonstration généré le {escape(generated_at)}, hors ligne, '
        "à partir des données publiques (ROME 4.0, ESCO, France Travail, INSEE, DARES).</p>"
        + "".join(sections)
        + "</body></html>"
    )
