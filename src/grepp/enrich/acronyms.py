"""Acronyms of French job titles ("Chauffeur SPL", "Technicien SAV", "Chargé QSE") spelled out.

Taxonomy labels seldom use acronyms ("Conducteur de véhicules super lourds"), so a title's acronyms
are expanded before coding, the acronym itself kept. The table is curated in
``resources/title_acronyms.tsv``. Two-letter acronyms that are also French words (``CE``, ``AS``,
``ME``…) are only read in a title that is not written in capitals::

    >>> expand_acronyms("Chauffeur SPL (H/F)")
    'Chauffeur SPL (H/F) (super poids lourd)'
    >>> expand_acronyms("CE POSTE EST URGENT")
    'CE POSTE EST URGENT'
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from grepp.errors import SourceError

RESOURCE = "resources/title_acronyms.tsv"
#: Two-letter acronyms that are also ordinary French words when a title is all capitals.
_WORD_LIKE = frozenset({"AS", "CE", "ES", "ME", "SI", "EC"})
_TOKEN = re.compile(r"(?<![\w'’])[A-Za-zÀ-ÿ]{2,6}(?![\w'’])")


def parse_acronyms(text: str, source: str = RESOURCE) -> dict[str, str]:
    """``ACRONYM<TAB>expansion`` lines (``#`` comments) → mapping; a malformed line names its number."""
    table: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise SourceError(f"{source} line {number}: expected 'ACRONYM<TAB>expansion', got {line!r}")
        table[parts[0].strip().upper()] = parts[1].strip()
    return table


@lru_cache(maxsize=1)
def default_acronyms() -> dict[str, str]:
    """The packaged table."""
    return parse_acronyms(resources.files("grepp").joinpath(RESOURCE).read_text(encoding="utf-8"))


def expand_acronyms(title: str, table: dict[str, str] | None = None) -> str:
    """The title with the expansions of its acronyms appended in parentheses (each once)."""
    table = default_acronyms() if table is None else table
    letters = [c for c in title if c.isalpha()]
    capitals = bool(letters) and sum(c.isupper() for c in letters) > 0.8 * len(letters)
    found: dict[str, None] = {}
    for match in _TOKEN.finditer(title):
        word = match.group(0)
        key = word.upper()
        if key not in table:
            continue
        if len(key) == 2 and (word != key or (capitals and key in _WORD_LIKE)):
            continue
        if len(key) > 2 and word != key and not word.isupper() and word.lower() == word:
            continue  # "ars", "tec": ordinary lower-case words, not acronyms
        found[table[key]] = None
    if not found:
        return title
    return f"{title} ({'; '.join(found)})"
