"""Certificates, licences, habilitations and acronyms: the skills that offers write as codes.

"CACES R489 cat. 1B et 3", "permis B, C et CE", "habilitation électrique B0/H0V", "FIMO/FCO", "SST",
"AIPR": taxonomy labels rarely read like that, so a curated lexicon (``resources/skills_lexicon.tsv``,
documented in its header, every entry mapped to ROME savoirs and ESCO skills where they exist) turns
them into concepts. Three small parsers read the families whose categories come as lists::

    >>> [m.key for m in default_lexicon().find("Permis B et CE exigés, CACES 1B apprécié")]
    ['permis-b', 'permis-ce', 'caces-r489-1b']

The lexicon file is read once, on first use (no work at import time).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol

from grepp.errors import ConfigError

_CACES = re.compile(
    r"\bCACES\b(?:\s*®)?(?P<tail>(?:[\s,/+&()\-]*(?:et|ou|and|cat(?:[ée]gories?|\.)?|R\.?\s*\d{3}(?:[\s-]?\d[AB]?)?|"
    r"[1-7][AB]?\b|nacelles?|PEMP|chariots?|[ée]l[ée]vateurs?))*)",
    re.IGNORECASE,
)
_R_ALONE = re.compile(r"\bR\.?\s?(?P<family>48[2-9]|490|3[78]\d|318)(?:[\s-]?(?P<cat>\d[AB]?))?\b")
_PERMIS = re.compile(
    r"\bpermis(?:\s+de\s+conduire)?(?:\s+cat[ée]gories?)?\s*:?\s*(?!de\s+conduire)"
    r"(?P<cats>(?:(?:AM|A1|A2|A|BE|B96|B|C1E|C1|CE|EC|C|D1E|D1|DE|D|SPL|PL)(?![\w-])(?:\s*(?:,|/|\+|et|ou|-)\s*)?)+)",
    re.IGNORECASE,
)
_HABILITATION = re.compile(
    r"\bhabilitations?(?:\s+[ée]lectriques?)?(?:\s+(?:de\s+)?(?:type|niveau))?\s*:?\s*"
    r"(?P<codes>(?:(?:B0|H0V?|H0|BS|BE|BR|BC|B1V?|B2V?|H1V?|H2V?|HC|HE|BF|HF)(?:\s*(?:essai|mesurage|manoeuvre|"
    r"manœuvre|v[ée]rification))?(?:\s*(?:,|/|\+|-|et|ou)\s*|\s+)?)+)",
    re.IGNORECASE,
)
_HAB_ALONE = re.compile(r"\b(?:H0B0|B0H0|H0V?B0|B0H0V|B1V|B2V|BR\s*/\s*BC|H0V)\b")

_OLD_FAMILY = {"389": "489", "372": "482", "383": "483", "318": "484", "386": "486", "377": "487", "390": "490"}
_PERMIS_KEY = {"ec": "ce", "spl": "spl", "pl": "pl", "a1": "a", "a2": "a", "b96": "be", "d1e": "de", "c1e": "c1e"}


class _Searcher(Protocol):
    def search(self, text: str) -> object: ...


def loosened(pattern: str) -> str:
    """The pattern without its lookarounds and word boundaries: it matches wherever the pattern does.

    >>> loosened(r"\\bSSIAP\\b(?!\\s*[123])")
    'SSIAP'
    """
    out: list[str] = []
    skip_to = 0
    for i, piece, in_class in _pieces(pattern):
        if i < skip_to:
            continue
        if not in_class and piece == "\\b":
            continue
        if not in_class and pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            skip_to = _group_end(pattern, i)
            continue
        out.append(piece)
    return "".join(out)


def _pieces(pattern: str, start: int = 0) -> Iterator[tuple[int, str, bool]]:
    """(index, piece, inside a character class) of a pattern: an escape is one piece, and so is the
    opening of a class with the "]" that may follow it as a literal ("[]…]", "[^]…]")."""
    i = start
    in_class = False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            yield i, pattern[i : i + 2], in_class
            i += 2
        elif in_class:
            yield i, char, True
            in_class = char != "]"
            i += 1
        elif char == "[":
            head = 2 if pattern.startswith("[^]", i) else 1 if pattern.startswith("[]", i) else 0
            yield i, pattern[i : i + head + 1], True
            in_class = True
            i += head + 1
        else:
            yield i, char, False
            i += 1


def _group_end(pattern: str, start: int) -> int:
    """The index just after the group opened at ``start``."""
    depth = 0
    for i, piece, in_class in _pieces(pattern, start):
        if in_class:
            continue
        if piece == "(":
            depth += 1
        elif piece == ")":
            depth -= 1
            if depth == 0:
                return i + 1
    raise ValueError(f"unbalanced group in pattern {pattern!r}")


def _re2_options() -> Any:
    """Case-insensitive, quiet RE2 options (a pattern RE2 cannot read is not an error: ``re`` takes over)."""
    import re2  # type: ignore[import-untyped]

    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    return options


def prefilter(patterns: list[str]) -> _Searcher:
    """One case-insensitive search that finds a text when any of the patterns may match in it.

    Python's ``re`` tries each of ~90 alternatives at every character (a quarter of the whole offer
    enrichment time); RE2 runs them as one automaton, ~40 times faster. RE2 has no lookarounds and an
    ASCII-only word boundary, so it runs the loosened patterns (:func:`loosened`): it lets a few more
    sentences through to the exact ``re`` patterns, and never fewer. Falls back to ``re`` for a pattern
    RE2 cannot read.
    """
    import re2

    try:
        searcher: _Searcher = re2.compile("|".join(f"(?:{loosened(p)})" for p in patterns), _re2_options())
    except (re2.error, ValueError):
        searcher = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    return searcher


def pattern_hits(patterns: list[str]) -> Callable[[str], frozenset[int]] | None:
    """Which of the patterns may match in a text (their indices), in one RE2 pass; None if RE2 cannot read one.

    A sentence that passes :func:`prefilter` used to be searched with every ``re`` pattern of the
    lexicon; only those RE2's loosened copy finds (never fewer than match) need to run. RE2's set has no
    fallback when its DFA runs out of memory: it then finds nothing, which the caller, knowing the
    prefilter matched, reads as "run them all".
    """
    import re2

    try:
        patterns_set = re2.Set.SearchSet(_re2_options())
        for pattern in patterns:
            patterns_set.Add(loosened(pattern))
        patterns_set.Compile()
    except (re2.error, ValueError):
        return None

    def hits(text: str) -> frozenset[int]:
        return frozenset(patterns_set.Match(text) or ())

    return hits


@dataclass(frozen=True)
class LexiconEntry:
    """One line of the lexicon file."""

    key: str
    pattern: str
    label: str
    category: str
    rome: tuple[str, ...]
    esco: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class LexiconMatch:
    """Where an entry was found (offsets into the text searched)."""

    start: int
    end: int
    key: str


class Lexicon:
    """The entries and their compiled patterns."""

    def __init__(self, entries: list[LexiconEntry]) -> None:
        self._source = list(entries)
        self.entries = {e.key: e for e in entries}
        self._patterns = [(e.key, re.compile(e.pattern, re.IGNORECASE)) for e in entries if e.pattern]
        # one pass to skip the (many) sentences without any certificate
        alternatives = [e.pattern for e in entries if e.pattern] + [
            p.pattern for p in (_CACES, _R_ALONE, _PERMIS, _HABILITATION, _HAB_ALONE)
        ]
        self._any = prefilter(alternatives)
        # the same alternatives in the same order: the first len(self._patterns) indices are the entries'
        self._hits = pattern_hits(alternatives)

    def __len__(self) -> int:
        return len(self.entries)

    def __reduce__(self) -> tuple[type[Lexicon], tuple[list[LexiconEntry]]]:
        """Pickled as its entries: the RE2 pattern set cannot be pickled and compiles again in milliseconds."""
        return (Lexicon, (self._source,))

    def find(self, text: str) -> list[LexiconMatch]:
        """Every entry found in ``text``; structured families are refined to their categories."""
        if not self._any.search(text):
            return []
        found: dict[tuple[int, int, str], None] = {}
        covered: list[tuple[int, int]] = []
        for match in _CACES.finditer(text):
            keys = self._caces_keys(match.group("tail"))
            for key in keys:
                found[(match.start(), match.end(), key)] = None
            covered.append((match.start(), match.end()))
        for match in _R_ALONE.finditer(text):
            if any(s <= match.start() < e for s, e in covered):
                continue
            for key in self._caces_keys(match.group()):
                found[(match.start(), match.end(), key)] = None
        for match in _PERMIS.finditer(text):
            for cat in re.split(r"\s*(?:,|/|\+|\bet\b|\bou\b|-)\s*", match.group("cats").strip()):
                key = "permis-" + _PERMIS_KEY.get(cat.lower(), cat.lower())
                if cat and key in self.entries:
                    found[(match.start(), match.end(), key)] = None
        for match in (*_HABILITATION.finditer(text), *_HAB_ALONE.finditer(text)):
            codes = match.groupdict().get("codes") or match.group()
            for key in self._habilitation_keys(codes):
                found[(match.start(), match.end(), key)] = None
        # the patterns RE2's set says may match; all of them without a set, or when it names none although the
        # prefilter matched (its DFA ran out of memory)
        hits = (self._hits(text) if self._hits is not None else None) or None
        for index, (key, pattern) in enumerate(self._patterns):
            if hits is not None and index not in hits:
                continue
            for match in pattern.finditer(text):
                if key == "caces" or (key == "habilitation-electrique" and _covers(found, match.start())):
                    continue
                if key.startswith(("permis-", "ssiap")) or not _covers(found, match.start()):
                    found[(match.start(), match.end(), key)] = None
        return [LexiconMatch(s, e, k) for s, e, k in sorted(found)]

    def _caces_keys(self, tail: str) -> list[str]:
        """CACES families and categories named after "CACES" (R489 is the default family of 1A…7)."""
        fams = [_OLD_FAMILY.get(f, f) for f in re.findall(r"R\.?\s*(\d{3})", tail, re.IGNORECASE)]
        cats = re.findall(r"(?<![\dR])([1-7][AB]?)\b", re.sub(r"R\.?\s*\d{3}", " ", tail, flags=re.IGNORECASE))
        cats += re.findall(r"R\.?\s*\d{3}[\s-]?(\d[AB]?)\b", tail, re.IGNORECASE)
        if not fams:
            if re.search(r"nacelle|PEMP", tail, re.IGNORECASE):
                fams = ["486"]
            elif cats or re.search(r"chariot|[ée]l[ée]vateur", tail, re.IGNORECASE):
                fams = ["489"]
        keys = []
        for fam in fams or [""]:
            family_key = f"caces-r{fam}" if fam else "caces"
            with_cats = [f"{family_key}-{c.lower()}" for c in cats if f"{family_key}-{c.lower()}" in self.entries]
            keys.extend(with_cats or ([family_key] if family_key in self.entries else ["caces"]))
        return list(dict.fromkeys(keys))

    def _habilitation_keys(self, codes: str) -> list[str]:
        upper = codes.upper()
        keys = []
        if re.search(r"B0|H0", upper):
            keys.append("habilitation-electrique-b0h0")
        if re.search(r"\bBS\b|\bBE\b|MAN(?:OE|Œ)UVRE", upper):
            keys.append("habilitation-electrique-bs-be")
        if re.search(r"B1|B2|BR|BC", upper):
            keys.append("habilitation-electrique-b1-b2")
        if re.search(r"H1|H2|HC", upper):
            keys.append("habilitation-electrique-h")
        return keys or ["habilitation-electrique"]


def _covers(found: dict[tuple[int, int, str], None], pos: int) -> bool:
    return any(s <= pos < e for s, e, _ in found)


def _codes(value: str) -> tuple[str, ...]:
    return tuple(x for x in value.split("|") if x)


def parse_lexicon(text: str, source: str = "skills_lexicon.tsv") -> Lexicon:
    """Read the lexicon's TSV (comment lines start with ``#``); a bad line is a ConfigError naming it."""
    entries: list[LexiconEntry] = []
    header_seen = False
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if not header_seen:
            header_seen = True
            continue
        if len(cols) != 7:
            raise ConfigError(f"{source}, line {n}: expected 7 tab-separated columns, got {len(cols)}")
        key, pattern, label, category, rome, esco, note = cols
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"{source}, line {n}, field pattern: {exc}") from exc
        entries.append(LexiconEntry(key, pattern, label, category, _codes(rome), _codes(esco), note))
    return Lexicon(entries)


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The lexicon shipped with grepp (read once per process)."""
    text = resources.files("grepp").joinpath("resources/skills_lexicon.tsv").read_text(encoding="utf-8")
    return parse_lexicon(text)
