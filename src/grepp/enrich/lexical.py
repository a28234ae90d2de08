"""Lexical similarity for short job titles, skill labels and sentences (French, German, English).

Two views of a text, each a TF-IDF space fitted on the corpus being searched:

- *characters*: n-grams of the normalised key (accents, case and gender folded: "Soudeuse (H/F)",
  "soudeur" and "Landwirt/in" meet their base form), robust to spelling and compounding (German);
- *words*: light stems without stop words, which carry the meaning of longer texts.

    >>> space = LexicalSpace.fit(["soudeur", "infirmier de bloc"])
    >>> chars, words = space.similarity(["Soudeuse H/F"])
    >>> chars.argmax(axis=1).tolist()
    [0]
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import snowballstemmer
from sklearn.feature_extraction.text import TfidfVectorizer

from grepp.enrich.text import fold, masculine, normalize_title, strip_gender_markers

#: German inclusive forms: Landwirt/in, Landwirt/-in, Landwirt:in, Landwirt*in, LandwirtIn, Landwirt(in).
_GERMAN_GENDER = re.compile(r"(?<=\w)(?:/-?|\*|:|\()(?:in|innen|e|frau|rin)\)?(?=\W|$)", re.IGNORECASE)
_GERMAN_BINNEN_I = re.compile(r"(?<=[a-zäöü])In(?:nen)?\b")
#: Gender markers "(m./w.)", "(w/m/d)", "(m/w)" and inflection brackets "Technisch(er)e", "Fachkraft(in)".
_GERMAN_MARKERS = re.compile(r"\((?:\s*[mwdfx]\.?\s*/)+\s*[mwdfx]\.?\s*\)|(?<=\w)\((?:er|e|r|s|n|in|innen)\)", re.I)
#: German inflection brackets that hold the masculine ending: "Gehilf(e)in" (Gehilfe / Gehilfin),
#: "Zimmer(er)in", "Technisch(er)e": the masculine form keeps the bracket and drops the feminine ending.
_GERMAN_INFLECTED = re.compile(r"(?<=\w)\((er|e|r|n)\)(?:in|e)(?=\W|$)", re.IGNORECASE)
#: A German feminine alternative written as a dashed tail: "Bergmann/-frau", "Milchtechnologe/-technologin".
_GERMAN_DASHED_TAIL = re.compile(r"(?<=\w)/-[^\W\d_]+")
#: A German adjective or participle noun with its masculine ending slashed on: "Medizinische/r Fachangestellte/r"
#: (Germany's occupation names) reads as its masculine form, "Medizinischer Fachangestellter", as ESCO's labels do.
_GERMAN_ADJECTIVE_R = re.compile(r"(?<=[a-zäöüß]e)/r(?=\W|$)")
#: Parenthesised degree/marker noise: (DI), (Ing), (FH), (m/w/d) already handled.
_SHORT_PAREN = re.compile(r"\((?:[^()]{1,4})\)")
#: French and German slashed gender pairs inside a word: "technicien/ne", "directeur/trice".
_SLASH_SUFFIX = re.compile(r"(?<=\w)/(?:ne|e|trice|rice|euse|se|ère|ere|ive|le|te)(?=\W|$)", re.IGNORECASE)

_WORDS = re.compile(r"[^\W\d_]+|\d+")
_STOP_TEXT = """
a au aux avec ce ces dans de des du d elle en et il l la le les leur lui ma mais me meme mes moi mon ne nos notre nous
on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous y h f x der die das des dem
den ein eine einer eines einem einen und oder fur für mit im in am an auf aus bei zu zum zur von vom m w d the of and
or for with to an a in on at by as is are be
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


#: The two sides of a slashed gender pair: "Soudeur / Soudeuse", "boucher/bouchère".
_PAIR_SPLIT = re.compile(r"\s+/\s*|\s*/\s+|(?<=\w)/(?=\w{3,})")


def gender_pair(text: str) -> list[str]:
    """The complete forms of a slashed gender pair; ``[text]`` when it is not one.

    ROME writes the complement once, after the feminine ("Assistant / Assistante chef de chantier"):
    it belongs to both forms. A side counts as the gendered head of the other when its words start
    the other's words alike (same first three letters, one by one).

    >>> gender_pair("Assistant / Assistante chef de chantier")
    ['Assistant chef de chantier', 'Assistante chef de chantier']
    >>> gender_pair("boucher/bouchère")
    ['boucher', 'bouchère']
    """
    parts = [p.strip() for p in _PAIR_SPLIT.split(text) if p.strip()]
    if len(parts) != 2:
        return parts if len(parts) > 1 else [text]
    first, second = parts[0].split(), parts[1].split()
    if 0 < len(first) < len(second) and _alike(first, second):
        return [" ".join(first + second[len(first) :]), parts[1]]
    return parts


def _alike(first: Sequence[str], second: Sequence[str]) -> bool:
    """True when the words of ``first`` start the words of ``second`` alike (gender forms of one head)."""
    return all(fold(a)[:3] == fold(b)[:3] for a, b in zip(first, second[: len(first)], strict=False))


@lru_cache(maxsize=500_000)
def label_key(text: str) -> str:
    """The normalised key of a title or label: folded, gender markers and inclusive endings removed.

    >>> label_key("Weinbautechniker/in (DI)"), label_key("Infirmière (H/F)")
    ('weinbautechniker', 'infirmier')
    >>> label_key("Assistant / Assistante chef de chantier")
    'assistant chef de chantier'
    >>> label_key("Zahnmedizinische/r Fachangestellte/r") == label_key("Zahnmedizinischer Fachangestellter")
    True
    """
    pair = gender_pair(text)
    if len(pair) == 2 and _alike(pair[0].split(), pair[1].split()):  # a gender pair: its first (masculine) form
        text = pair[0]
    text = _GERMAN_INFLECTED.sub(r"\1", text)
    text = _GERMAN_ADJECTIVE_R.sub("r", text)
    text = _GERMAN_DASHED_TAIL.sub("", text)
    text = _GERMAN_MARKERS.sub("", text)
    text = _GERMAN_BINNEN_I.sub("", text)
    text = _GERMAN_GENDER.sub("", text)
    text = _SLASH_SUFFIX.sub("", text)
    text = _SHORT_PAREN.sub(" ", strip_gender_markers(text))
    return normalize_title(text)


def gender_keys(text: str) -> list[str]:
    """Keys of each gender form of a double label ("boucher/bouchère" → ["boucher"])."""
    parts = gender_pair(text)
    keys = {label_key(part) for part in parts} if len(parts) > 1 else {label_key(text)}
    return sorted(k for k in keys if k)


def title_head(text: str) -> str:
    """The head of a French job title, its first word, keyed ("Formateur Section Infirmier" → "formateur").

    French titles put the job first and its field after ("Formateur Section Infirmier" is a trainer, not a
    nurse; "Manager adjoint en boulangerie" manages a shop); numbers and elided articles are skipped ("2
    Agents …", "L'agent …") and a plural ``s`` dropped from words of five letters or more. ``""`` when the
    title has no word.

    A title opening on "homme" or "femme" ("Femme de ménage", "Homme d'entretien", "Homme / Femme de pied")
    names the person, not the trade: it has no head (with one, every such title went to *homme de pied*,
    a lumberjack).

    >>> title_head("2 Agents de production"), title_head("Aide-soignante (H/F)"), title_head("Femme de ménage")
    ('agent', 'aide', '')
    """
    head = next(_title_words(text), "")
    return "" if head in _PERSON_WORDS else head


#: Words for the person, not the trade, at the head of a title (keyed as :func:`title_head` reads them).
_PERSON_WORDS = frozenset({"homme", "femme"})

#: "Femme", "Homme", "Femme/Homme", "Femme/Valet" at the head of a title, before "de", "d'", "du", "des".
_PERSON_HEAD = re.compile(
    rf"^\s*(?:{'|'.join(sorted(_PERSON_WORDS))})s?(?:\s*/\s*(?:{'|'.join(sorted(_PERSON_WORDS | {'valet'}))})s?)?"
    r"\s+(?=(?:de|du|des)\b|d['’])",
    re.IGNORECASE,
)


#: "Conseiller de vente", "Conseiller(ère) de vente", "Conseiller / Conseillère de vente", "Conseillère de vente":
#: the shop's salesperson, whom ROME calls "Vendeur / Vendeuse en …" by what is sold.
_SALES_HEAD = re.compile(
    r"^\s*conseill(?:er|ère|ere)s?(?:\s*[(/.]\s*(?:conseill)?(?:ère|ere|re|e)s?\s*\)?)?\s+de\s+vente\b",
    re.IGNORECASE,
)


def with_trade_reading(title: str) -> str:
    """A title headed by the person ("Femme de ménage", "Homme d'entretien") read as an employé's, too; a shop's
    "Conseiller de vente" as a vendeur's.

    ROME writes such jobs "Employé / Employée de ménage", "Agent / Agente d'entretien"; "femme"/"homme" name
    the person, and alone they matched ROME's few "Homme / Femme de pied" forms (a lumberjack). The
    title is kept first (ROME's "Valet / Femme de chambre" still matches it) and the reading appended.
    ROME's only "Conseiller / Conseillère de vente …" appellations sell houses and car parts, so a shop's
    "Conseiller de vente bricolage" was read as an estate agent's or a car dealer's; as "vendeur bricolage" it
    finds *vendeur en équipement de la maison*.

    >>> with_trade_reading("Femme/Homme de ménage à Annecy"), with_trade_reading("Soudeur")
    ('Femme/Homme de ménage à Annecy / employé de ménage à Annecy', 'Soudeur')
    >>> with_trade_reading("Conseiller(ère) de vente bricolage")
    'Conseiller(ère) de vente bricolage / vendeur bricolage'
    """
    found = _PERSON_HEAD.match(title)
    if found:
        return f"{title} / employé {title[found.end() :]}"
    sales = _SALES_HEAD.match(title)
    return f"{title} / vendeur{title[sales.end() :]}" if sales else title


def _title_words(text: str) -> Iterator[str]:
    """A title's words, keyed as :func:`title_head` reads them (numbers and elided articles skipped, a plural
    ``s`` dropped from words of five letters or more)."""
    for word in re.split(r"[ '’]", label_key(text)):
        if word and word not in ("l", "d") and not word.isdigit():
            yield word[:-1] if word.endswith("s") and len(word) > 4 else word


#: French head words of job titles that name a level of responsibility above the trade (leads, manages).
#: Keys as :func:`title_head` gives them (folded). Words below it ("assistant", "aide", "adjoint", "commis")
#: were tried and left out: they also name trades of their own (*assistant médico-administratif* is ESCO's
#: medical secretary), see :data:`grepp.enrich.ranking.LEVEL_WEIGHT`.
_ABOVE = frozenset(
    (
        "chef", "cheffe", "responsable", "directeur", "superviseur", "contremaitre", "contremaitresse", "manager",
        "cadre", "coordinateur", "coordonnateur", "gerant", "encadrant",
    )
)  # fmt: skip


def title_level(text: str, *, anywhere: bool = False) -> int:
    """1 when a French job title's head word names a level of responsibility above the trade ("Cheffe
    d'équipe de maintenance", "Responsable…", "Directrice…", "Contremaître…"), else 0. ``anywhere``: when any
    of its words does ("Assistant chef de chantier" works beside the site manager: a query's level).

    >>> title_level("Cheffe d'équipe"), title_level("Assistant chef de chantier"), title_level("Technicien")
    (1, 0, 0)
    >>> title_level("Assistant chef de chantier", anywhere=True)
    1
    """
    if not anywhere:
        return int(title_head(text) in _ABOVE)
    return int(any(word in _ABOVE for word in _title_words(text)))


#: Snowball French; snowballstemmer hands out PyStemmer's C stemmer when it is installed (a dependency: the
#: same stems on the 135,440 words of the eval sets and 91,911 of labels and offers, ~30x faster)
_FRENCH = snowballstemmer.stemmer("french")


#: Words Snowball stems into an unrelated word's stem, given their own (twentieth session, from the offers
#: coded wrong): "généraliste" and "spécialiste" are persons, not "général" (an *infirmier général* directs
#: the care of a hospital) and "spécial"; "communication" is not "commune", the town hall many public offers
#: name. Offers top-1 national IT 0.6151 → 0.6155 and "Infirmier généraliste" coded J1506, not J1502
#: (all-sectors 0.7472 → 0.7485); MELO-fr, VDAB the same to the fourth decimal.
_OWN_STEMS = {"generaliste": "generalist", "specialiste": "specialist", "communication": "communic"}


@lru_cache(maxsize=500_000)
def _stem(word: str) -> str:
    """A stem shared by a word's inflections and derivations: folded, plural -s/-x and French feminine
    endings removed, then Snowball's French stemmer and a nominal -age ending cut, so that "utilisation",
    "utiliser"; "câblage", "câbles"; "bobinage", "bobiner" meet (and a few words keep a stem of their own,
    ``_OWN_STEMS``: "généraliste" does not meet "général")."""
    folded = fold(word)
    if len(folded) > 4 and folded[-1] in "sx" and folded[-2] not in "su":
        folded = folded[:-1]
    if folded in _OWN_STEMS:
        return _OWN_STEMS[folded]
    stem: str = _FRENCH.stemWord(masculine(folded))
    if len(stem) > 5 and stem.endswith("ag"):
        stem = stem[:-2]
    return stem


def word_key(text: str, langs: tuple[str, ...] = ("fr", "de", "en")) -> str:
    """Stemmed content words of a text ("Conduite de chariots élévateurs" → "conduit chariot elev").

    ``langs`` is kept for a language-specific lemmatiser; the stemmer is deliberately light and
    language-agnostic: it runs on 100,000 labels in about a second.
    """
    stems = (_content_stem(w) for w in _WORDS.findall(text.lower()))
    return " ".join(stem for stem in stems if stem)


@lru_cache(maxsize=500_000)
def _content_stem(word: str) -> str:
    """The stem of a content word; "" for a stop word or a single character."""
    if len(word) <= 1 or fold(word) in STOP_WORDS:
        return ""
    return _stem(word)


_GERMAN = snowballstemmer.stemmer("german")
#: Words ending so take a linking "s" in a compound: "Bestattungsgehilfe" is Bestattung + Gehilfe.
_FUGEN_S = ("ungs", "heits", "keits", "schafts", "ions", "tats", "ings")


@dataclass
class GermanWords:
    """The word view of German labels: Snowball German stems, and each compound's parts as words too.

    German writes a job as one word ("Erntearbeiter", "Lagerverwalter") where French writes a phrase, so
    the word view sees "Erntearbeiter" and "Arbeiter in der Ernte" as strangers. A word is split at the
    first point where its tail is a word (4 letters or more) of the corpus the space is fitted on, and
    the stems of both parts are added to the word's own, a linking "s" dropped ("Bestattungsgehilfe" →
    Bestattung + Gehilfe). Compounds are split once, from the left, so the tail is the longest known word.

        >>> german = GermanWords.fit(["Arbeiter", "Lagerverwalter", "Verwalterin"])
        >>> german.key("Erntearbeiter/in"), german.key("Lagerverwalterin")
        ('erntearbeit ernt arbeit', 'lagerverwalt lag verwalt')
    """

    words: frozenset[str]

    def __post_init__(self) -> None:
        self._cache: dict[str, str] = {}

    @classmethod
    def fit(cls, texts: Sequence[str]) -> GermanWords:
        """The corpus's words of four letters or more (a feminine "-in" also read without it)."""
        words = {w for text in texts for w in _WORDS.findall(fold(text.lower())) if len(w) >= 4 and w.isalpha()}
        words |= {w[:-2] for w in words if w.endswith("in") and len(w) > 6}
        return cls(frozenset(words))

    def split(self, word: str) -> list[str]:
        """``[modifier, head]`` when the folded word ends with a known word, else ``[word]``.

        A feminine "-in" the corpus does not know is read without it ("Erntearbeiterin": Ernte + Arbeiter).
        """
        for form in (word, word[:-2]) if word.endswith("in") and len(word) > 6 else (word,):
            for i in range(3, len(form) - 3):
                if form[i:] in self.words:
                    modifier = form[:i]
                    return [modifier[:-1] if modifier.endswith(_FUGEN_S) else modifier, form[i:]]
        return [word]

    def key(self, text: str) -> str:
        """Stems of the content words and of their parts ("Erntearbeiter" → "erntearbeit ernt arbeit")."""
        stems = (self._word(w) for w in _WORDS.findall(text.lower()))
        return " ".join(stem for stem in stems if stem)

    def _word(self, word: str) -> str:
        cached = self._cache.get(word)
        if cached is None:
            cached = ""
            folded = fold(word)
            if len(word) > 1 and folded not in STOP_WORDS:
                parts = self.split(folded) if folded.isalpha() else [folded]
                words = [folded, *(p for p in parts if len(p) >= 3)] if len(parts) > 1 else [folded]
                cached = " ".join(_GERMAN.stemWord(w) for w in words)
            self._cache[word] = cached
        return cached


@dataclass
class LexicalSpace:
    """Character and word TF-IDF spaces fitted on a corpus, with the corpus's normalised matrices."""

    char_vectorizer: TfidfVectorizer
    word_vectorizer: TfidfVectorizer
    char_matrix: Any
    word_matrix: Any
    langs: tuple[str, ...] = ("fr", "de", "en")
    #: German stems and compound parts when the corpus is German (``langs == ("de",)``)
    german: GermanWords | None = None

    @classmethod
    def fit(cls, texts: Sequence[str], langs: tuple[str, ...] = ("fr", "de", "en")) -> LexicalSpace:
        """Fit both spaces on the corpus texts (a text may hold several forms joined by " | ").

        ``langs``: the corpus's languages; German alone (``("de",)``) reads words as :class:`GermanWords`.
        """
        char_vec = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1, dtype=np.float32
        )
        word_vec = TfidfVectorizer(
            analyzer="word", token_pattern=r"\S+", ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32
        )
        german = GermanWords.fit(texts) if langs == ("de",) else None
        char_keys = [" ".join(gender_keys(t)) for t in texts]
        word_keys = [german.key(t) if german else word_key(t, langs) for t in texts]
        char_matrix = char_vec.fit_transform(char_keys)
        try:
            word_matrix = word_vec.fit_transform(word_keys)
        except ValueError:  # no word at all in the corpus (digits only): an empty vocabulary
            word_vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 1), dtype=np.float32)
            word_matrix = word_vec.fit_transform([k or "_" for k in word_keys])
        return cls(char_vec, word_vec, char_matrix.tocsr(), word_matrix.tocsr(), langs, german)

    def transform(self, texts: Sequence[str]) -> tuple[Any, Any]:
        """Query matrices (rows L2-normalised) in both spaces."""
        chars = self.char_vectorizer.transform([label_key(t) for t in texts])
        german = self.german
        words = self.word_vectorizer.transform([german.key(t) if german else word_key(t, self.langs) for t in texts])
        return chars, words

    def similarity(self, texts: Sequence[str]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Dense (n_queries, n_corpus) cosine matrices: characters, words."""
        chars, words = self.transform(texts)
        return _cosines(self.char_matrix, chars), _cosines(self.word_matrix, words)


#: corpus rows transposed at once in :func:`_cosines`
_TRANSPOSE_BLOCK = 2048


def _cosines(corpus: Any, queries: Any) -> np.ndarray[Any, Any]:
    """(n_queries, n_corpus) dot products of L2-normalised rows.

    The queries are made dense and the sparse corpus multiplies them (sparse × dense): 2–6× faster
    than the sparse × sparse product for batches of titles or description openings (measured on
    41,430 ROME forms × 256 offers: 0.29 s against 0.74 s for titles, 0.21 s against 1.38 s for
    descriptions).
    """
    dense_queries = np.asarray(queries.toarray(), dtype=np.float32)
    product = np.asarray(corpus @ dense_queries.T, dtype=np.float32)
    # transposed a block of corpus rows at a time: the blocks stay in cache (4x faster than one strided
    # copy of the whole (n_corpus, n_queries) product, the same values)
    out = np.empty((product.shape[1], product.shape[0]), dtype=np.float32)
    for start in range(0, product.shape[0], _TRANSPOSE_BLOCK):
        out[:, start : start + _TRANSPOSE_BLOCK] = product[start : start + _TRANSPOSE_BLOCK].T
    return out
