"""What the occupation coder reads: an offer's title and text, cleaned, in one input record.

An offer (France Travail API v2 JSON, a Jobsuche ad, a flat export read into the same shape) becomes an
:class:`OccupationInput` through :func:`offer_input`: its title, description, NAF code, employer, language and
date, never its own coding (:data:`CODING_FIELDS`, taken out by :func:`strip_coding`, so that ``grepp eval offers``
cannot read its labels). :func:`clean_title` takes contract, salary, place, gender and learner's-status noise out
of a title; :func:`clean_offer_text` bounds and repairs any text (HTML, emoji, mojibake, 5 MB descriptions)::

    >>> clean_title("CDI - Soudeur H/F 75015")
    'Soudeur'
    >>> offer_input({"intitule": "Apprenti(e) Data", "romeCode": "M1811"}).title
    'Apprenti(e) Data'
    >>> has_learner_status("Apprenti(e) Data"), clean_title("Apprenti(e) Data")
    (True, 'Data')

Pure: dicts and strings in, records and strings out.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from grepp.enrich.skill_sections import detect_language
from grepp.enrich.text import offer_employer, offer_text

#: Characters a cleaned title keeps (:func:`clean_title` reads up to four times as many of the raw title).
MAX_TITLE_CHARS = 200

_TAG = re.compile(r"<[^>]{0,500}>")
_NOISE = re.compile(
    r"\b(?:cdi|cdd|interim|intérim|alternance|apprentissage|stage|stagiaire|temps (?:plein|partiel)|urgent|"
    r"h/f|f/h|h/f/x|m/w/d|w/m/d|\d+\s*(?:k€|€|eur|euros?)|\d{5}|débutant accepté|expérimenté|confirmé)\b",
    re.IGNORECASE,
)
#: The learner's status in apprenticeship and internship titles, with the words it drags along ("Apprenti(e)
#: Data", "Alternant(e) Chargé(e) de communication", "Comptable en alternance", "Secrétaire - contrat
#: d'apprentissage", "Stage de fin d'études", "Apprenticeship"). Taken out before :data:`_NOISE`: left in, "apprenti"
#: was the head word and ROME's three "Apprenti …" appellations (paysagiste, mécanicien automobile, carrossier)
#: took the offer ("Apprenti(e) Data" → A1208 jardinier paysagiste). The trade stays: "Apprenti boulanger" →
#: "boulanger"; where ROME names the apprentice's job itself, the coder keeps the status
#: (``clean_title(…, keep_status=True)``).
#: German and English ones too (Werkstudent, Praktikant, "Ausbildung zum", Trainee, Intern: 25 Bundesagentur titles).
_STATUS = re.compile(
    r"(?<!\w)(?:"
    r"(?:sous\s+)?contrat\s+(?:d['’]\s*apprentissage|de\s+professionnalisation|pro\b)"
    r"|(?:sujet\s+de\s+)?stage\s+(?:de\s+fin\s+d['’]\s*études|de\s+fin\s+d['’]\s*etudes)"
    r"|(?:en\s+|d['’]\s*)?(?:alternance|apprentissage)"
    r"|(?:un\s*\(\s*e\s*\)\s+|une?\s+)?(?:alternant|apprenti)(?:\s*\(\s*e\s*\)|e)?s?"
    r"|apprenticeship|internship|intern|trainee"
    r"|werkstudent(?:in)?|werkstudierende[rn]?|praktikant(?:in)?|(?:pflicht)?praktikum|azubi|auszubildende[rn]?"
    r"|ausbildung(?:\s+(?:zum|zur|als))?|duales\s+studium"
    r")(?!\w)",
    re.IGNORECASE,
)
#: Gender marks the older :data:`_NOISE` misses ("F/H/N", "X/H/F", "H / F", "f/m/d").
_GENDER_MARKS = re.compile(r"(?<!\w)(?:[fhx]\s*/\s*[fhx](?:\s*/\s*[fhxn])?|[fm]/[mf]/d)(?!\w)", re.IGNORECASE)
_SYMBOLS = re.compile(r"[^\w\s'’/&+.,;:()-]", re.UNICODE)


def clean_offer_text(text: str, limit: int) -> str:
    """Plain, bounded text: mojibake repaired (ftfy), HTML tags and entities removed, emoji dropped."""
    text = text[: limit * 4]
    if any(marker in text for marker in ("Ã", "â€", "Â")):
        import ftfy

        text = ftfy.fix_text(text)
    text = html.unescape(_TAG.sub(" ", text))
    text = _SYMBOLS.sub(" ", text)
    return " ".join(text.split())[:limit]


def clean_title(title: str, *, keep_status: bool = False) -> str:
    """The job title without contract, salary, location and gender noise ("CDI - Soudeur H/F 75015").

    The learner's status goes too ("Apprenti(e) Data" → "Data"), unless ``keep_status``: ROME names a few
    apprentices' jobs itself ("Apprenti / Apprentie paysagiste"), and the coder keeps the status where the
    title is such a name.
    """
    text = clean_offer_text(title, MAX_TITLE_CHARS)
    if not keep_status:
        text = _STATUS.sub(" ", text)
    text = _NOISE.sub(" ", _GENDER_MARKS.sub(" ", text))
    text = re.sub(r"\(\s*\)|\[\s*\]", " ", text)
    text = re.sub(r"[\s\-–/|,;:]+$|^[\s\-–/|,;:]+", "", " ".join(text.split()))
    return text


def has_learner_status(title: str) -> bool:
    """Whether a raw title carries a learner's status (apprenti, alternant, stage, Werkstudent…), read as far as
    :func:`clean_title` reads it."""
    return _STATUS.search(title[: MAX_TITLE_CHARS * 4]) is not None


@dataclass(frozen=True)
class OccupationInput:
    """What the coder reads: a title, an optional description, the employer's NAF code and name when known.

    ``language`` is the text's (``"fr"`` when empty); a German title is read through
    :func:`~grepp.enrich.glossary.translate_title` as well, an English one through its best ESCO
    occupation's French label. The ``employer``'s name is taken out of the title where it stands apart
    (:func:`~grepp.enrich.text.without_employer`). With a ``date``, a métier France Travail had not yet
    published then gives way to the parent fiche its offers carried (:func:`~grepp.enrich.priors.fiche_releases`).
    """

    title: str
    description: str = ""
    naf: str = ""
    language: str = ""
    employer: str = ""
    #: the offer's date (ISO, "2024-11-03…"), when known: its métiers follow the ROME fiches in use then
    date: str = ""


#: What an offer says about its own coding: never read for prediction (stripped before coding). The
#: Jobsuche ads' ``hauptberuf``/``beruf``/``hauptDkz`` are the Bundesagentur's occupation coding.
CODING_FIELDS = frozenset(
    {"romeCode", "romeLibelle", "appellationlibelle", "competences", "hauptberuf", "beruf", "hauptDkz"}
)


def strip_coding(offer: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of an offer (France Travail API v2 JSON) without its own occupation/skill coding.

    >>> strip_coding({"intitule": "Soudeur", "romeCode": "H2913"})
    {'intitule': 'Soudeur'}
    """
    return {key: value for key, value in offer.items() if key not in CODING_FIELDS}


def offer_input(offer: Mapping[str, Any]) -> OccupationInput:
    """The coder's input from an offer dict: title, description, NAF code, employer (coding fields stripped).

    The language is the offer's ``language`` field when it has one, else read from the description's
    function words (German ads get their title read through the glossary too); the date is its
    ``dateCreation`` (else ``dateActualisation``).
    """
    clean = strip_coding(offer)
    title, description = offer_text(clean)
    naf = clean.get("codeNAF") or clean.get("secteurActivite") or ""
    language = clean.get("language") or clean.get("langue")
    if not isinstance(language, str) or not language:
        language = detect_language(description)
    day = clean.get("dateCreation") or clean.get("dateActualisation") or ""
    return OccupationInput(
        title=title,
        description=description,
        naf=naf if isinstance(naf, str) else str(naf),
        language=language.lower()[:2],
        employer=offer_employer(clean),
        date=day if isinstance(day, str) else "",
    )
