"""Find every taxonomy label in a text, whatever its accents, case, gender, plural or articles.

Labels and text are cut into the same *content keys*: folded words, without articles and prepositions,
masculine and singular ("Réaliser les opérations d'attelage" → ``realiser operation attelage``). A label
is found where its keys occur in a row of the text's keys; the span runs from the first to the last word
in the original text, so offsets slice the text exactly::

    gaz = Gazetteer.build([("Techniques de soudage", "rome-ogr:100007")])
    [(m.start, m.end, m.concept_ids) for m in gaz.find("Maîtrise des techniques de soudage TIG")]
    # [(13, 34, ('rome-ogr:100007',))]

Longest match wins where matches overlap. One-word labels are kept only when the word is specific
(at least 4 letters, not a common verb or noun of offers) because "vente" or "accueil" alone say little;
a shorter name written with a symbol ("C#", "F#") is specific enough.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from grepp.enrich.text import masculine

_WORD = re.compile(r"[^\W_]+(?:[+#]+|(?:\.[^\W_]+)+)?", re.UNICODE)

_STOPWORDS_TEXT = """
    a au aux avec ce ces cette d de des du en et l la le les leur leurs un une ou pour sur sous dans
    son sa ses se s qu que qui y vos votre nos notre tout toute tous toutes afin selon etc
    der die das den dem des ein eine einer eines einem und oder mit von zu zur zum im in am an auf fur bei
    the of and or to for in on with by an as at from
    """
_STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

#: Single words too common in offers to stand for a skill on their own.
_WEAK_SINGLE_TEXT = """
    vente accueil gestion conduite service services travail equipe communication organisation client clients
    production entretien nettoyage securite qualite maintenance relation commerce accompagnement animation
    administration conseil suivi formation controle respect soin soins preparation reception transport
    stock montage logistique management manutention comptabilite informatique internet marketing achat achats
    autonomie rigueur ponctualite polyvalence dynamisme motivation discretion adaptabilite reactivite
    englisch deutsch arbeit team kommunikation verkauf beratung planung
    english german french sales management team communication planning
    """
_WEAK_SINGLE = frozenset(_WEAK_SINGLE_TEXT.split())


#: Articles and prepositions: dropping them from a label loses nothing ("la comptabilité" is "comptabilité").
_FUNCTION_WORDS_TEXT = "a au aux d de des du en et l la le les un une of the der die das"
_FUNCTION_WORDS = frozenset(_FUNCTION_WORDS_TEXT.split())


def _lost_words(text: str) -> bool:
    """True when a label keeps one content key only by dropping a word that said something: "Traitement du
    son" (sound, not "his") would otherwise be found at every "traitement"."""
    folded = ["".join(_fold_char(ch) for ch in w.group()) for w in _WORD.finditer(text)]
    return sum(w not in _FUNCTION_WORDS for w in folded) > 1


def _is_symbol_name(key: str) -> bool:
    """A short name that no common word spells: a letter and a symbol, "c#", "f#" (a tool or a language)."""
    return len(key) >= 2 and key[0].isalpha() and any(ch in "#+" for ch in key)


def _fold_char(ch: str) -> str:
    return unicodedata.normalize("NFKD", ch)[:1].lower() if ch.isalpha() else ch.lower()


@lru_cache(maxsize=200_000)
def content_key(word: str) -> str | None:
    """The matching key of one word, or None for an article/preposition ("Opérations" → "operation")."""
    folded = "".join(_fold_char(ch) for ch in word)
    if folded in _STOPWORDS or not folded:
        return None
    key = masculine(folded)
    if len(key) > 3 and key[-1] in "sx" and not key.endswith(("ss", "us", "is")):
        key = key[:-1]
    return key


class Token(NamedTuple):
    """One content word of a text: its key and where it is (a tuple: offers make millions of them)."""

    key: str
    start: int
    end: int


def content_tokens(text: str) -> list[Token]:
    """Content words of ``text`` with offsets; elisions (l', d', qu') are split off and dropped."""
    out: list[Token] = []
    for match in _WORD.finditer(text):
        key = content_key(match.group())
        if key is not None:
            out.append(Token(key, match.start(), match.end()))
    return out


def label_words(text: str) -> tuple[str, ...]:
    """The content-word keys of a label, the key a gazetteer files it under."""
    return tuple(token.key for token in content_tokens(text))


@dataclass(frozen=True)
class GazetteerMatch:
    """A run of text words that spells one or more labels."""

    start: int
    end: int
    concept_ids: tuple[str, ...]
    n_words: int


class Gazetteer:
    """Label keys → concept ids, looked up by sliding over the text's keys (longest first)."""

    def __init__(self, table: dict[tuple[str, ...], tuple[str, ...]], max_len: int) -> None:
        self._table = table
        self._max_len = max_len
        #: every proper prefix of a label key: a run of words is only extended while it may still spell one
        self._prefixes = {key[:n] for key in table for n in range(1, len(key))}

    @classmethod
    def build(
        cls,
        labels: Iterable[tuple[str, str]],
        max_words: int = 10,
        min_words: int = 1,
        min_chars: int = 4,
        keys: Mapping[str, tuple[str, ...]] | None = None,
    ) -> Gazetteer:
        """From (label text, concept id) pairs with ``min_words`` to ``max_words`` content words.

        A one-word label needs ``min_chars`` characters and must not be a common word of offers.
        ``keys``: the labels' :func:`label_words`, when the caller already has them (several gazetteers over
        the same labels).
        """
        table: dict[tuple[str, ...], dict[str, None]] = {}
        max_len = 1
        for text, concept_id in labels:
            key = keys[text] if keys is not None and text in keys else label_words(text)
            if not key or len(key) > max_words or len(key) < min_words:
                continue
            short = len(key[0]) < min_chars and not _is_symbol_name(key[0])
            if len(key) == 1 and (short or key[0] in _WEAK_SINGLE or key[0].isdigit() or _lost_words(text)):
                continue
            table.setdefault(key, {})[concept_id] = None
            max_len = max(max_len, len(key))
        return cls({key: tuple(ids) for key, ids in table.items()}, max_len)

    def __len__(self) -> int:
        return len(self._table)

    def find(self, text: str, tokens: list[Token] | None = None) -> list[GazetteerMatch]:
        """Non-overlapping matches, longest first, in text order."""
        toks = content_tokens(text) if tokens is None else tokens
        keys = [t.key for t in toks]
        found: list[GazetteerMatch] = []
        table, prefixes = self._table, self._prefixes
        i = 0
        while i < len(keys):
            # the longest label starting here: grow the run while it is a label's prefix (a trie walk)
            best: tuple[str, ...] | None = None
            best_n = 0
            run: tuple[str, ...] = ()
            for key in keys[i : i + self._max_len]:
                run = (*run, key)
                if run in table:
                    best, best_n = table[run], len(run)
                if run not in prefixes:
                    break
            if best is not None:
                found.append(GazetteerMatch(toks[i].start, toks[i + best_n - 1].end, best, best_n))
                i += best_n
            else:
                i += 1
        return found
