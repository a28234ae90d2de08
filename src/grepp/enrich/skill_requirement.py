"""Is a skill required or only wished? Read off the words of its sentence (French, German, English).

Offers say it in a handful of ways: "exigé", "obligatoire", "indispensable", "vous devez être titulaire"
(required); "souhaité", "apprécié", "un plus", "idéalement", "serait un atout" (wished). France Travail's
own ``exigence`` field says E (exigé) or S (souhaité). A cue near the mention wins over a cue elsewhere in
the sentence, so "Permis B exigé, CACES apprécié" gives each its own::

    >>> requirement_near("Permis B exigé, CACES apprécié", 0, 7)
    'required'
    >>> requirement_near("Permis B exigé, CACES apprécié", 16, 21)
    'wished'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

REQUIRED = "required"
WISHED = "wished"
UNKNOWN = "unknown"

_REQUIRED = re.compile(
    r"\b(?:exige(?:e|s|es)?|obligatoires?|indispensables?|imperati(?:f|ve|fs|ves)|imperativement|requis(?:e|es)?|"
    r"necessaires?|incontournables?|vous devez|tu dois|doit etre|devez etre|doivent|sera demande(?:e)?|"
    r"est demande(?:e)?|sont demande(?:e)?s|vous possedez|tu possedes|titulaire|etes titulaire|"
    r"zwingend|erforderlich|vorausgesetzt|voraussetzung|setzen \w+ voraus|unabdingbar|notwendig|muss|"
    r"required|mandatory|must have|must|essential)\b"
)
_WISHED = re.compile(
    r"(?<!tu )(?<!vous )\b(?:souhaite(?:e|s|es)?|souhaitable|apprecie(?:e|s|es)?|appreciable|un plus|un atout|"
    r"atout|serait un plus|"
    r"idealement|de preference|preferablement|eventuellement|bonus|serait appreciee?|"
    r"wunschenswert|von vorteil|idealerweise|vorteilhaft|gerne|wunschenswerterweise|"
    r"nice to have|a plus|preferred|preferably|ideally|desirable|is an asset|an advantage)\b"
)


#: code point → its folded character, filled as characters are met (see :func:`_fold`)
_FOLDED: dict[int, str] = {}


@lru_cache(maxsize=4096)
def _fold(text: str) -> str:
    """Lower-case and strip accents, one character for one (offsets stay valid)."""
    lowered = text.lower()
    for ch in set(lowered):
        if ord(ch) not in _FOLDED:
            _FOLDED[ord(ch)] = "'" if ch in "’‘`´" else (unicodedata.normalize("NFKD", ch)[:1] or ch)
    return lowered.translate(_FOLDED)


#: France Travail ``exigence`` codes.
EXIGENCE = {"E": REQUIRED, "S": WISHED}


@lru_cache(maxsize=4096)
def requirement_of(sentence: str) -> str:
    """The requirement a whole sentence expresses (wished wins a tie: "souhaité mais pas exigé").

    >>> requirement_of("Une expérience en soudure serait un plus")
    'wished'
    """
    folded = _fold(sentence)
    wished = _WISHED.search(folded)
    required = _REQUIRED.search(folded)
    if wished and not required:
        return WISHED
    if required and not wished:
        return REQUIRED
    if wished and required:
        return WISHED if re.search(r"\bpas (?:exige|obligatoire|indispensable)", folded) else UNKNOWN
    return UNKNOWN


def requirement_near(sentence: str, start: int, end: int) -> str:
    """The requirement of the mention at [start, end) of ``sentence``: the nearest cue in its clause.

    A clause ends at ``,``, ``;``, `` et `` … only when both kinds of cue occur in the sentence;
    otherwise the sentence's single cue applies to every mention in it.
    """
    whole = requirement_of(sentence)
    if whole != UNKNOWN:
        folded = _fold(sentence)
        if not (_WISHED.search(folded) and _REQUIRED.search(folded)):
            return whole
    # Both cues present: pick the nearest one after the mention, else the nearest before it.
    best: tuple[int, str] | None = None
    for kind, pattern in ((REQUIRED, _REQUIRED), (WISHED, _WISHED)):
        for match in pattern.finditer(_fold(sentence)):
            distance = match.start() - end if match.start() >= end else (start - match.end()) * 3 + 1000
            if best is None or distance < best[0]:
                best = (distance, kind)
    return UNKNOWN if best is None else best[1]
