"""Text normalisation for French (and German/English) job titles and skill labels.

Pure functions, shared by taxonomy search and the coders, so that "Soudeuse", "SOUDEUR (H/F)" and
"soudeur h/f" meet on the same key::

    >>> normalize_title("Soudeuse H/F")
    'soudeur'
    >>> gender_variants("Conducteur / Conductrice d'engins agricoles")
    ["Conducteur d'engins agricoles", "Conductrice d'engins agricoles"]

Masculinisation is a *key*, not French grammar: it is applied the same way on both sides of a match,
so an occasional odd stem ("vente" → "vent") is harmless. A lexicon of real masculine/feminine pairs
(``lexicons/lemmas_job_masc_fem.csv``) can be passed in to override the suffix rules.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

_TRANSLATE = str.maketrans(
    {
        "œ": "oe",
        "Œ": "oe",
        "æ": "ae",
        "Æ": "ae",
        "ß": "ss",
        "’": "'",
        "‘": "'",
        "`": "'",
        "´": "'",
        "‐": "-",
        "‑": "-",
        "–": "-",
        "—": "-",
        "·": ".",
        "•": " ",
        "\u00a0": " ",
        "\u202f": " ",
    }
)

#: Gender / diversity markers in job titles: (H/F), H/F/X, F/H, (m/w/d), w/m/d, (M/F), etc.
_GENDER_MARKER = re.compile(
    r"[\(\[]?\s*\b(?:h\s*/\s*f(?:\s*/\s*x)?|f\s*/\s*h(?:\s*/\s*x)?"
    # German and English tags in any order: m/w/d, w/m/x, f/m/d, d/m/w, m|w|d, m/f …
    r"|[mwfd](?:\s*[/|]\s*[mwfdx]){2,3}|m\s*/\s*f|f\s*/\s*m|all\s+genders?)\b\s*[\)\]]?",
    re.IGNORECASE,
)
#: Inclusive writing: infirmier·ère, salarié.e, technicien(ne), vendeur(euse), conducteur-trice.
_INCLUSIVE = re.compile(r"(\w)(?:[·.]|\(|-)(e|ne|se|euse|rice|trice|ère|ere|ive|le|te)\)?(?=\W|$)", re.IGNORECASE)

#: Feminine → masculine suffix rules, longest first.
_FEMININE_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("eresse", "eur"),
    ("trice", "teur"),
    ("euse", "eur"),
    ("ienne", "ien"),
    ("enne", "en"),
    ("onne", "on"),
    ("ette", "et"),
    ("ière", "ier"),
    ("iere", "ier"),
    ("ère", "er"),
    ("ere", "er"),
    ("ive", "if"),
    ("ale", "al"),
    ("ée", "é"),
    ("ee", "e"),
    ("ante", "ant"),
    ("ente", "ent"),
    ("inte", "int"),
    ("ote", "ot"),
    ("ate", "at"),
    ("aise", "ais"),
    ("ise", "is"),
    ("ue", "u"),
)
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)?")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_unicode(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD, the replacement character; same length.

    JSON may escape one (``"\\ud800"``: Python's parser accepts it, UTF-8 cannot encode it) and Python
    decodes bytes of a non-UTF-8 terminal in argv as such (``"exp\\udce9rience"``); DuckDB, the regular
    expression engine and stdout then refuse the string. One character for one, so offsets still hold.

    >>> valid_unicode("Soudeur \\ud800 H/F") == "Soudeur \\ufffd H/F"
    True
    >>> valid_unicode("Soudeur 😀") == "Soudeur 😀"
    True
    """
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", text)
    return text


def valid_strings(value: Any) -> Any:
    """Decoded JSON with :func:`valid_unicode` applied to every string in it, keys included.

    >>> mended = valid_strings({"intitule": "Soudeur \\ud800", "n": [1, "\\udcff"]})
    >>> mended == {"intitule": "Soudeur \\ufffd", "n": [1, "\\ufffd"]}
    True
    """
    if isinstance(value, str):
        return valid_unicode(value)
    if isinstance(value, dict):
        return {valid_strings(k): valid_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [valid_strings(v) for v in value]
    return value


def _fold_slow(text: str) -> str:
    text = text.translate(_TRANSLATE)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


#: What :func:`_fold_slow` makes of each Latin character (and of the punctuation ``_TRANSLATE`` unifies),
#: so that the usual text is folded by one ``str.translate``: NFKD works character by character and
#: only combining marks (deleted) are reordered, so folding the characters one by one is the same.
_FOLD_TABLE = {
    code: _fold_slow(chr(code))
    for code in [*range(0x80, 0x250), *(ord(k) if isinstance(k, str) else k for k in _TRANSLATE)]
    if _fold_slow(chr(code)) != chr(code)
}
_NEEDS_SLOW_FOLD = re.compile("[^\x00-\u024f" + re.escape("".join(chr(c) for c in _FOLD_TABLE if c >= 0x250)) + "]")


def fold(text: str) -> str:
    """Lower-case, strip accents, unify apostrophes and dashes, collapse spaces."""
    stripped = _fold_slow(text) if _NEEDS_SLOW_FOLD.search(text) else text.translate(_FOLD_TABLE)
    return " ".join(stripped.lower().split())


def strip_gender_markers(text: str) -> str:
    """Remove (H/F), H/F/X, (m/w/d) … and inclusive endings (infirmier·ère → infirmier)."""
    text = _GENDER_MARKER.sub(" ", text)
    text = _INCLUSIVE.sub(r"\1", text)
    text = re.sub(r"\(\s*\)", " ", text)
    return " ".join(text.split()).strip(" -–,;")


def gender_variants(label: str) -> list[str]:
    """Split a ROME-style double label into its masculine and feminine forms.

    "Conducteur / Conductrice d'engins agricoles" → the two full titles; "Accastilleur-gréeur /
    Accastilleuse-gréeuse" → both; a label without " / " is returned alone.
    """
    if " / " not in label:
        return [label]
    left, right = label.split(" / ", 1)
    # "Conducteur / Conductrice d'engins": the shared tail follows the right-hand word(s).
    left_words, right_words = left.split(), right.split()
    if len(left_words) < len(right_words):
        tail = right_words[len(left_words) :]
        right_head = right_words[: len(left_words)]
        return [" ".join(left_words + tail), " ".join(right_head + tail)]
    return [left, right]


#: Feminine forms no suffix rule reaches (too short for one).
_IRREGULAR_FEMININE = {"cheffe": "chef", "cheffes": "chefs"}


def masculine(word: str, lexicon: Mapping[str, str] | None = None) -> str:
    """The masculine key of one folded word ("soudeuse" → "soudeur", "cheffe" → "chef"); other words unchanged."""
    if lexicon is not None and word in lexicon:
        return lexicon[word]
    if word in _IRREGULAR_FEMININE:
        return _IRREGULAR_FEMININE[word]
    if len(word) <= 4:
        return word
    for suffix, replacement in _FEMININE_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + replacement
    return word


def tokens(text: str) -> list[str]:
    """Folded word tokens (letters and digits; an apostrophe inside a word is kept)."""
    return _WORD.findall(fold(text))


def normalize_title(text: str, lexicon: Mapping[str, str] | None = None) -> str:
    """A gender-, accent- and case-insensitive key for a job title or label.

    >>> normalize_title("Infirmière (H/F)") == normalize_title("infirmier")
    True
    """
    cleaned = strip_gender_markers(fold(text))
    return " ".join(masculine(tok, lexicon) for tok in _WORD.findall(cleaned))


def feminine_to_masculine_lexicon(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Build the folded feminine → masculine map from (masculine, feminine) pairs of a lexicon file."""
    lexicon: dict[str, str] = {}
    for masc, fem in pairs:
        m, f = fold(masc).strip(), fold(fem).strip()
        if m and f and " " not in f and m != f:
            lexicon[f] = m
    return lexicon


@functools.lru_cache(maxsize=1 << 17)
def _masculine_word(word: str) -> str:
    return masculine(word)


def title_key(text: str) -> str:
    """:func:`normalize_title` without a lexicon, memoised per word: the same key, faster in bulk.

    Used to key the ~300,000 taxonomy labels at load time::

        >>> title_key("Soudeuse H/F") == normalize_title("Soudeuse H/F")
        True
    """
    cleaned = strip_gender_markers(fold(text))
    return " ".join(_masculine_word(tok) for tok in _WORD.findall(cleaned))


#: Where an offer dict keeps its title and its text: France Travail API v2, Bundesagentur Jobsuche, plain.
_TITLE_FIELDS = ("intitule", "stellenangebotsTitel", "titel", "title")
_DESCRIPTION_FIELDS = ("description", "stellenangebotsBeschreibung", "stellenbeschreibung")


def offer_text(offer: Mapping[str, Any]) -> tuple[str, str]:
    """(title, description) of an offer dict in the France Travail or Jobsuche form — never its coding.

    >>> offer_text({"stellenangebotsTitel": "Koch (m/w/d)", "stellenangebotsBeschreibung": "Wir suchen"})
    ('Koch (m/w/d)', 'Wir suchen')
    """
    title = next((offer[k] for k in _TITLE_FIELDS if offer.get(k)), "")
    description = next((offer[k] for k in _DESCRIPTION_FIELDS if offer.get(k)), "")
    return str(title), str(description)


def offer_employer(offer: Mapping[str, Any]) -> str:
    """The employer's name of an offer dict (France Travail ``entreprise.nom``, Jobsuche ``arbeitgeber``).

    >>> offer_employer({"entreprise": {"nom": "Hyper U"}}), offer_employer({"arbeitgeber": "Bosch GmbH"})
    ('Hyper U', 'Bosch GmbH')
    """
    company = offer.get("entreprise")
    name = company.get("nom") if isinstance(company, Mapping) else None
    name = name or offer.get("arbeitgeber") or offer.get("firma") or ""
    return name if isinstance(name, str) else ""


#: What sets an employer's name apart from the job in a title: " - ", "|", ":", ",", brackets.
_SEGMENT_EDGE = r"[-–—|:,;/()\[\]]"


def _fold_chars(text: str) -> str:
    """Lower case without accents, one character for one (so positions stay those of ``text``)."""
    return "".join(unicodedata.normalize("NFD", ch)[:1].lower() or ch for ch in text)


def without_employer(title: str, employer: str) -> str:
    """The title without the employer's name where the name is a segment of its own.

    Recruiters and agencies put their name in the title ("Hyper U - Employé commercial", "Opérateur machine
    F/H - ENERGIS RH Villefranche (H/F)"), where a job coder would read it as words of the job. The name
    (case and accents aside) is removed only at the title's start or end or between separators, and only
    if a word is left: "Vendeur en boulangerie" keeps its word when the employer is "Boulangerie".

    >>> without_employer("Hyper U - Employé commercial (H/F)", "HYPER U")
    'Employé commercial (H/F)'
    >>> without_employer("Opérateur machine F/H - ENERGIS RH Villefranche (H/F)", "Energis RH Villefranche")
    'Opérateur machine F/H (H/F)'
    >>> without_employer("Vendeur en boulangerie", "Boulangerie"), without_employer("Boulanger", "Boulanger")
    ('Vendeur en boulangerie', 'Boulanger')
    """
    words = re.findall(r"\w+", _fold_chars(employer))
    folded = _fold_chars(title)
    if not words or len("".join(words)) < 3 or any(w not in folded for w in words):
        return title  # most titles: no regex compiled
    name = r"\W{0,3}".join(re.escape(w) for w in words)
    pattern = rf"(?:^|{_SEGMENT_EDGE})\s*({name})\s*(?={_SEGMENT_EDGE}|$)|^\s*({name})\s+(?=\w)"
    found = re.search(pattern, folded)
    if found is None:
        return title
    start, end = found.span(1) if found.group(1) is not None else found.span(2)
    rest = f"{title[:start]} {title[end:]}"
    # separators left face to face ("Soudeur - - Lyon", "Soudeur ( )") close up; the ends lose theirs
    rest = re.sub(r"\s*(?:-|–|—|\|)\s*(?:-|–|—|\|)\s*", " - ", rest)
    rest = re.sub(r"\(\s*\)|\[\s*\]", " ", rest)
    rest = re.sub(r"\s*(?:-|–|—|\|)\s*(?=\()", " ", rest)
    rest = re.sub(rf"^(?:\s|{_SEGMENT_EDGE})+|(?:\s|[-–—|:,;/])+$", "", " ".join(rest.split()))
    return rest if re.search(r"\w{2}", rest) else title
