"""German job titles rendered in French words, so that German ads are coded into the French ROME labels.

The cross-border ads (Bundesagentur für Arbeit) are written in German, ROME speaks French and the
shipped ESCO release has no German occupation labels: the lexical coder would otherwise match
"Softwareentwickler" against French labels by character n-grams only. A curated glossary
(``resources/title_glossary_de.tsv``) translates the head of each German compound (the person:
"-entwickler", "-berater", "-fahrer") and the part before it (the field: "Software-", "Lager-"),
French word order, after removing the gender forms ("/in", "*in", "/-frau", "(m/w/d)")::

    >>> translate_title("Softwareentwickler (m/w/d)")
    'développeur logiciel'
    >>> translate_title("Lagerist / Kommissioniererin")
    'magasinier ; préparateur de commandes'
    >>> translate_title("Data Engineer")
    ''

A remainder the glossary does not know is kept as written ("Javaentwickler" → "développeur java"), as
is the rest of the title: English words ("Data", "Cloud") match ROME labels as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from grepp.enrich.text import fold, strip_gender_markers
from grepp.errors import SourceError

RESOURCE = "resources/title_glossary_de.tsv"
_KINDS = ("job", "field")
#: "Mitarbeiter/in", "Kaufmann/-frau", "Pfleger*in", "Berater:in", "Techniker(in)", "Fachangestellte/r".
_GENDER_SUFFIX = re.compile(r"(?:/-?|\*|:|_|\()(?:innen|in|frau|r|e)\)?(?![\wäöüß])", re.IGNORECASE)
_WORD = re.compile(r"[\wäöüßÄÖÜ]+(?:-[\wäöüßÄÖÜ]+)*")


@dataclass(frozen=True)
class Glossary:
    """Folded German key → French, for job heads and for fields."""

    jobs: dict[str, str]
    fields: dict[str, str]
    #: the job keys, longest first ("projektleiter" is tried before "leiter")
    heads: tuple[str, ...] = field(init=False)
    #: the field keys of several words ("luft- und raumfahrttechnik"), looked for in the whole title
    phrases: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "heads", tuple(sorted(self.jobs, key=len, reverse=True)))
        object.__setattr__(self, "phrases", tuple(k for k in self.fields if " " in k))


def parse_glossary(text: str, source: str = RESOURCE) -> Glossary:
    """``german<TAB>french<TAB>job|field`` lines (``#`` comments); a malformed line names its number."""
    jobs: dict[str, str] = {}
    fields: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("\t")]
        if len(parts) != 3 or not parts[0] or not parts[1] or parts[2] not in _KINDS:
            raise SourceError(f"{source} line {number}: expected 'german<TAB>french<TAB>job|field', got {line!r}")
        (jobs if parts[2] == "job" else fields)[fold(parts[0].lower())] = parts[1]
    return Glossary(jobs, fields)


@lru_cache(maxsize=1)
def default_glossary() -> Glossary:
    """The packaged glossary."""
    return parse_glossary(resources.files("grepp").joinpath(RESOURCE).read_text(encoding="utf-8"))


def _field(part: str, glossary: Glossary) -> str:
    """A compound's first part in French: known as it is, without a linking "s" or "-", else kept."""
    part = part.strip("-")
    for key in (part, part.removesuffix("s"), part.removesuffix("en"), part.removesuffix("n")):
        if key in glossary.fields:
            return glossary.fields[key]
    return part if len(part) >= 2 else ""


def _word(word: str, glossary: Glossary) -> tuple[str, bool]:
    """One folded German word → (French, whether it names a job): "softwareentwicklerin" →
    ("développeur logiciel", True), "buchhaltung" → ("comptabilité", False), unknown → ("", False)."""
    candidates = [word]
    for suffix in ("innen", "in"):
        if word.endswith(suffix) and len(word) > len(suffix) + 3:
            candidates.append(word[: -len(suffix)])
    for candidate in candidates:
        for head in glossary.heads:
            if candidate.endswith(head):
                rest = candidate[: -len(head)]
                if rest and len(rest.strip("-")) < 2:
                    continue
                french = glossary.jobs[head]
                return (f"{french} {_field(rest, glossary)}".strip() if rest else french), True
    if word in glossary.fields:
        return glossary.fields[word], False
    return "", False


def translate_title(title: str, glossary: Glossary | None = None) -> str:
    """The French rendering of the German job words of a title, "" when it has none (see the module)."""
    glossary = default_glossary() if glossary is None else glossary
    text = _GENDER_SUFFIX.sub("", strip_gender_markers(title))
    folded = fold(text.lower())
    found: list[str] = []
    for phrase in glossary.phrases:
        if phrase in folded:
            found.append(glossary.fields[phrase])
            folded = folded.replace(phrase, " ")
    jobs: list[str] = []
    fields: list[str] = []
    for match in _WORD.finditer(folded):
        word = match.group(0)
        french, is_job = _word(word, glossary)
        if not french and "-" in word:  # "Kfz-Mechatroniker": the head is the last part, the others fields
            *first, last = word.split("-")
            head, is_job = _word(last, glossary)
            if head and is_job:
                french = " ".join([head, *(_field(p, glossary) for p in first)]).strip()
        if french:
            (jobs if is_job else fields).append(french)
    parts = list(dict.fromkeys(jobs))
    extra = list(dict.fromkeys([*found, *fields]))
    if parts:  # the fields said apart ("Mitarbeiter Buchhaltung") belong to the first job, each once
        parts[0] = " ".join([parts[0], *(f for f in extra if f not in parts[0])])
    elif extra:
        parts = [" ".join(extra)]
    return " ; ".join(parts)


__all__ = ["Glossary", "default_glossary", "parse_glossary", "translate_title"]
