"""Cut an offer into sentences and say which part of the offer each one belongs to.

Skills are only looked for where an offer describes the job or the candidate: the company pitch, the
benefits ("mutuelle", "tickets restaurant", "CSE"…) and the application process ("postulez", "envoyez
votre CV") yield none. Rules, not a model: headers ("Votre profil :", "Avantages", "Ihr Profil",
"Wir bieten") open a section that lasts until the next header, and a sentence's own cue words override
it when they are strong (a benefit sentence inside the mission list is still a benefit)::

    >>> [s.section for s in segment("Vos missions :\\n- Souder des pièces\\nAvantages : mutuelle, CE")]
    ['mission', 'mission', 'benefits']

HTML is stripped with the standard library's parser; offsets of every segment refer to the text given
to :func:`segment` (the cleaned text), and :class:`CleanText` maps them back to the raw input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from grepp.enrich.text import fold

#: Sections that never yield skills.
NO_SKILL_SECTIONS = frozenset({"company", "benefits", "application"})

#: The longest text read, in characters; longer offers are cut (real offers are < 10,000 characters).
MAX_CHARS = 50_000

_HEADERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "benefits",
        re.compile(
            r"^(?:nos |les |vos |quels sont les )?avantages|ce que nous (?:vous )?offrons|nous (?:vous )?offrons|"
            r"nous vous proposons|pourquoi (?:nous )?rejoindre|conditions (?:du poste|de travail)|"
            r"remuneration|package|wir bieten|unser angebot|das bieten wir|benefits|what we offer|why join",
        ),
    ),
    (
        "application",
        re.compile(r"^(?:comment )?postuler|^candidature|processus de recrutement|^bewerbung|how to apply|kontakt"),
    ),
    (
        "company",
        re.compile(
            r"^(?:qui sommes[- ]nous|l'entreprise|notre entreprise|notre societe|a propos|presentation|"
            r"le groupe|notre groupe|pourquoi nous recrutons|uber uns|wer wir sind|das unternehmen|about us|"
            r"the company|who we are)",
        ),
    ),
    (
        "mission",
        re.compile(
            r"^(?:(?:vos|tes|les|la|le|votre|ta|ihre|deine|your|the|description du|descriptif du) )?(?:missions?|poste|"
            r"descriptif|description|activites|taches|fonctions|responsabilites|aufgaben|aufgabengebiet|role|"
            r"responsibilities|job description|ce que vous ferez)"
        ),
    ),
    (
        "profile",
        re.compile(
            r"^(?:(?:votre|ton|le|les|your|ihr|dein|vos|tes) )?(?:profil|profile|competences|savoir|qualites|"
            r"qualifications?|formation|experience|prerequis|vous etes|vous avez|das bringst du mit|anforderungen|"
            r"was sie mitbringen|was du mitbringst|qualifikation|requirements|skills)"
        ),
    ),
)

_BENEFIT_CUES = re.compile(
    r"\b(?:mutuelle|tickets? restaurants?|titres? restaurants?|cheques? dejeuner|cse|comite d'entreprise|"
    r"\bce\b|interessement|participation|prime|primes|13e mois|treizieme mois|rtt|conges|salaire|remuneration|"
    r"avantages?|teletravail|carte swile|prevoyance|velo|transport rembourse|tarifs? preferentiels?|"
    r"urlaubstage|urlaubsgeld|weihnachtsgeld|betriebliche altersvorsorge|gehalt|verguetung|jobrad|"
    r"salary|paid leave|health insurance)\b",
)
_APPLICATION_CUES = re.compile(
    r"\b(?:postulez|postuler|postule|envoyez|envoie|adressez|adresser votre|votre cv|ton cv|votre candidature|"
    r"ta candidature|lettre de motivation|n'hesitez pas|n'attends plus|rejoins[- ]nous|rejoignez[- ]nous|"
    r"contactez|contacter|bewerben|bewerbung|lebenslauf|apply|send your)\b",
)
_COMPANY_CUES = re.compile(
    r"\b(?:nous sommes|notre (?:societe|entreprise|groupe|agence|cabinet|client|structure|enseigne)|"
    r"(?:l'une? de )?(?:ses|nos) clients?|leader|specialise(?:e)? dans|implantee?|fonde(?:e)? en|cree(?:e)? en|"
    r"chiffre d'affaires|collaborateurs|salaries|agence d'interim|recrute pour|recherche pour|"
    r"wir sind|unternehmen|mitarbeitende|mitarbeitern|we are a)\b",
)
_MISSION_CUES = re.compile(
    r"\b(?:vous serez|vous aurez|tu auras|tu seras|missions?|charge(?:e)? de|vous devrez|taches|assurer|realiser|"
    r"aufgaben|you will)\b"
)

_HTML_HINT = re.compile(r"<(?:/?[a-zA-Z][a-zA-Z0-9]*\b[^>]*|!--)>?")
_BLOCK_TAGS = frozenset({"p", "br", "li", "ul", "ol", "div", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "section"})
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-ZÀ-Ý0-9\-•*])|(?<=[!?])(?=[A-ZÀ-Ý])|\n+|\s[•▪●►✓✔➢➤-]\s|\s\*\s")
_BULLET = re.compile(r"^[\s•▪●►✓✔➢➤*·\-–—>]+")


@dataclass(frozen=True)
class CleanText:
    """Plain text of a (possibly HTML, possibly huge) offer, with the way back to the raw input.

    ``offsets[i]`` is the raw index of ``text[i]`` and ``ends[i]`` the raw end of what produced it (an
    entity ``&eacute;`` gives one character from six); ``truncated`` says the input was longer than
    :data:`MAX_CHARS` and only its beginning was read.
    """

    text: str
    offsets: tuple[int, ...] | None = None
    truncated: bool = False
    ends: tuple[int, ...] | None = None

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the clean text back to the raw text."""
        if self.offsets is None:
            return start, end
        if not self.offsets:
            return 0, 0
        last = len(self.offsets) - 1
        ends = self.ends or tuple(o + 1 for o in self.offsets)
        return self.offsets[min(start, last)], ends[min(max(end - 1, 0), last)]


class _Stripper(HTMLParser):
    """Collect text chunks with their raw offsets (line/column → absolute index)."""

    def __init__(self, raw: str) -> None:
        super().__init__(convert_charrefs=False)
        self.chars: list[str] = []
        self.offsets: list[int] = []
        self.ends: list[int] = []
        starts = [0]
        for line in raw.splitlines(keepends=True):
            starts.append(starts[-1] + len(line))
        self._line_starts = starts
        self._raw = raw

    def _here(self) -> int:
        line, col = self.getpos()
        return self._line_starts[line - 1] + col

    def _emit(self, text: str, raw_at: int, raw_len: int | None = None) -> None:
        for i, ch in enumerate(text):
            self.chars.append(ch)
            self.offsets.append(raw_at + (i if raw_len is None else 0))
            self.ends.append(raw_at + (i + 1 if raw_len is None else raw_len))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self._emit("\n", self._here(), 0)

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self._emit("\n", self._here(), 0)

    def handle_data(self, data: str) -> None:
        self._emit(data, self._here())

    def handle_entityref(self, name: str) -> None:
        from html import unescape

        at = self._here()
        self._emit(
            unescape(f"&{name};"), at, len(name) + 1 + (self._raw[at + len(name) + 1 : at + len(name) + 2] == ";")
        )

    def handle_charref(self, name: str) -> None:
        from html import unescape

        at = self._here()
        self._emit(
            unescape(f"&#{name};"), at, len(name) + 2 + (self._raw[at + len(name) + 2 : at + len(name) + 3] == ";")
        )


def clean_text(raw: str, max_chars: int = MAX_CHARS) -> CleanText:
    """Strip HTML (when there is any) and cap the length; plain text comes back unchanged.

    >>> clean_text("<p>Soudeur&nbsp;<b>TIG</b></p>").text.strip()
    'Soudeur\\xa0TIG'
    """
    truncated = len(raw) > max_chars
    raw = raw[:max_chars]
    if not _HTML_HINT.search(raw):
        return CleanText(raw, None, truncated)
    parser = _Stripper(raw)
    parser.feed(raw)
    parser.close()
    return CleanText("".join(parser.chars), tuple(parser.offsets), truncated, tuple(parser.ends))


@dataclass(frozen=True)
class Segment:
    """One sentence or bullet of an offer, with its place in the text and its section."""

    start: int
    end: int
    text: str
    section: str
    is_header: bool = False


def _header_section(folded: str) -> str | None:
    for section, pattern in _HEADERS:
        if pattern.search(folded):
            return section
    return None


def _looks_like_header(piece: str) -> bool:
    words = piece.split()
    if not words or len(words) > 8:
        return False
    stripped = piece.rstrip()
    return stripped.endswith((":", "?")) or stripped.isupper() or len(words) <= 3


def _sentence_section(folded: str, current: str) -> str:
    # "vous possédez le CACES R482, alors POSTULEZ !": a long profile sentence keeps its skills.
    if _APPLICATION_CUES.search(folded) and (current not in ("profile", "mission") or len(folded.split()) <= 10):
        return "application"
    if _BENEFIT_CUES.search(folded) and current != "profile":
        return "benefits"
    if current in ("intro", "company", "other") and _COMPANY_CUES.search(folded) and not _MISSION_CUES.search(folded):
        return "company"
    return current


def _pieces(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, len(text)))
    out = []
    for start, end in spans:
        piece = text[start:end]
        lead = len(piece) - len(_BULLET.sub("", piece))
        start += lead
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            out.append((start, end))
    return out


def segment(text: str) -> list[Segment]:
    """Sentences and bullets of ``text`` with their section.

    Sections: ``intro`` (before any header), ``company``, ``mission``, ``profile``, ``benefits``,
    ``application``, ``other``. Offsets slice ``text``: ``text[s.start:s.end] == s.text``.
    """
    segments: list[Segment] = []
    current = "intro"
    for start, end in _pieces(text):
        piece = text[start:end]
        folded = fold(piece)
        if _looks_like_header(piece):
            # "Avantages : mutuelle, CE" is a header and its first sentence at once.
            head, _, rest = folded.partition(":")
            found = _header_section(head.strip())
            if found is not None:
                current = found
                if not rest.strip():
                    segments.append(Segment(start, end, piece, current, True))
                    continue
        elif ":" in folded[:40]:
            found = _header_section(folded.split(":", 1)[0].strip())
            if found is not None:
                current = found
        if current in ("intro", "company") and _MISSION_CUES.search(folded):
            current = "mission"  # "tu auras pour missions :" ends a company pitch without a header
        segments.append(Segment(start, end, piece, _sentence_section(folded, current)))
    return segments


_LANG_CUES = {
    "fr": frozenset(
        ["le", "la", "les", "des", "du", "et", "vous", "nous", "pour", "avec", "une", "sur", "dans", "est", "votre"]
    ),
    "de": frozenset(
        ["der", "die", "das", "und", "sie", "wir", "mit", "für", "ein", "eine", "ist", "ihre", "zu", "von", "auf"]
    ),
    "en": frozenset(["the", "and", "you", "we", "with", "for", "a", "is", "your", "to", "of", "in", "on", "are"]),
}


def detect_language(text: str) -> str:
    """``fr``, ``de`` or ``en`` by function words (French when nothing tells: the offers are French)."""
    words = text[:5000].lower().split()
    counts = {lang: sum(w in cues for w in words) for lang, cues in _LANG_CUES.items()}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] > counts["fr"] else "fr"
