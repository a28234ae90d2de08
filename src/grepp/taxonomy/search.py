"""Search the labels of the current ROME and ESCO releases, accent- and gender-insensitively.

Every label is stored with its key, ``normalize_title(text)`` ("Soudeuse (H/F)" → "soudeur"), so
"soudeuse", "Soudeur" and "soudeur h/f" meet on the same key. The index is built in memory once per
process and per set of current releases (a few seconds), then a query costs a dictionary look-up
(exact key) plus an IDF-weighted token overlap over the postings of the query's words::

    hits = search(con, "soudeuse", limit=5, taxonomy="rome")
    hits[0].concept_id   # 'rome-ogr:…' (an appellation "Soudeur / Soudeuse …") or the métier

Scores are in [0, 1]: 1.0 for an exact key on a preferred/gendered/short label, 0.95 on an
alternative, 0.9 on a hidden one; else the token score ``coverage(query) × sqrt(coverage(label))``
weighted by IDF, times 0.9.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

from grepp.enrich.text import normalize_title
from grepp.store import taxonomy as store
from grepp.taxonomy.concepts import check_filters
from grepp.taxonomy.releases import require_loaded

#: Words too common to say anything about a label (on the folded, masculinised keys).
STOPWORDS = frozenset(
    (
        "a",
        "au",
        "aux",
        "d",
        "de",
        "des",
        "du",
        "en",
        "et",
        "l",
        "la",
        "le",
        "les",
        "un",
        "une",
        "pour",
        "par",
        "sur",
        "dans",
        "avec",
        "of",
        "the",
        "and",
        "in",
        "for",
        "to",
        "on",
        "with",
        "or",
        "ou",
    )
)
_KIND_ORDER = {"metier": 0, "appellation": 1, "occupation": 2, "competence": 3, "savoir": 4, "skill": 5, "knowledge": 6}
_EXACT_SCORE = {"alternative": 0.95, "hidden": 0.9}
#: Which label to show as matched when several give the same score.
_LABEL_RANK = {"preferred": 0, "masculine": 1, "short": 2, "feminine": 3, "alternative": 4, "hidden": 5}


@dataclass(frozen=True)
class SearchHit:
    """One concept found, with the label that matched best."""

    concept_id: str
    taxonomy: str
    kind: str
    code: str
    label: str
    matched_label: str
    matched_lang: str
    score: float
    exact: bool


class LabelIndex:
    """Labels of the current releases, by exact key and by word, with each word's IDF."""

    def __init__(self, rows: Iterable[tuple[str, str, str, str, str, str, str, str, str]]) -> None:
        self.concepts: list[tuple[str, str, str, str, str]] = []  # id, taxonomy, kind, code, display label
        self.label_concept: list[int] = []
        self.label_text: list[tuple[str, str, str]] = []  # text, lang, label kind
        self.label_weight: list[float] = []
        self.exact: dict[str, list[int]] = defaultdict(list)
        self.postings: dict[str, list[int]] = defaultdict(list)
        self._sets: dict[str, set[int]] = {}
        position: dict[str, int] = {}
        label_tokens: list[list[str]] = []
        for cid, taxonomy, kind, code, label, text, lang, label_kind, key in rows:
            ci = position.get(cid)
            if ci is None:
                ci = position[cid] = len(self.concepts)
                self.concepts.append((cid, taxonomy, kind, code, label))
            li = len(self.label_concept)
            self.label_concept.append(ci)
            self.label_text.append((text, lang, label_kind))
            self.exact[key].append(li)
            words = _words(key)
            label_tokens.append(words)
            for word in words:
                self.postings[word].append(li)
        total = max(len(self.label_concept), 1)
        self.idf = {w: math.log(1 + total / len(p)) for w, p in self.postings.items()}
        self.label_weight = [sum(self.idf[w] for w in words) or 1.0 for words in label_tokens]

    def search(
        self, text: str, *, limit: int = 10, taxonomy: str | None = None, kinds: Iterable[str] | None = None
    ) -> list[SearchHit]:
        key = normalize_title(text)
        allowed = set(kinds) if kinds is not None else None

        def keep(ci: int) -> bool:
            _, tax, kind, _, _ = self.concepts[ci]
            return (taxonomy is None or tax == taxonomy) and (allowed is None or kind in allowed)

        best: dict[int, tuple[float, int, bool]] = {}
        for li in self.exact.get(key, ()):
            ci = self.label_concept[li]
            label_kind = self.label_text[li][2]
            score = _EXACT_SCORE.get(label_kind, 1.0)
            if not keep(ci):
                continue
            current = best.get(ci)
            if current is None or (score, -_LABEL_RANK.get(label_kind, 9)) > (
                current[0],
                -_LABEL_RANK.get(self.label_text[current[1]][2], 9),
            ):
                best[ci] = (score, li, True)
        query_words = _words(key)
        words = [w for w in query_words if w in self.idf]
        # An unknown word counts as a rare one: the query is not covered by any label.
        rare = max(self.idf.values(), default=1.0)
        query_weight = sum(self.idf.get(w, rare) for w in query_words) or 1.0
        overlap: dict[int, float] = defaultdict(float)
        # Rare words first; very common ones only add to labels already found, keeping queries fast.
        for n, word in enumerate(sorted(words, key=lambda w: -self.idf[w])):
            weight = self.idf[word]
            if n == 0 or len(self.postings[word]) < 20000:
                for li in self.postings[word]:
                    overlap[li] += weight
            else:
                for li in list(overlap):
                    overlap[li] += weight if li in self._posting_set(word) else 0.0
        for li, matched in overlap.items():
            ci = self.label_concept[li]
            score = 0.9 * (matched / query_weight) * math.sqrt(matched / self.label_weight[li])
            if score > best.get(ci, (0.0, 0, False))[0] and keep(ci):
                best[ci] = (score, li, False)
        ranked = sorted(
            best.items(),
            key=lambda item: (
                -round(item[1][0], 6),
                _KIND_ORDER.get(self.concepts[item[0]][2], 9),
                len(self.label_text[item[1][1]][0]),
                self.concepts[item[0]][0],
            ),
        )
        hits = []
        for ci, (score, li, exact) in ranked[: max(limit, 0)]:
            cid, tax, kind, code, label = self.concepts[ci]
            text_, lang, _ = self.label_text[li]
            hits.append(SearchHit(cid, tax, kind, code, label, text_, lang, round(min(score, 1.0), 4), exact))
        return hits

    def _posting_set(self, word: str) -> set[int]:
        cached = self._sets.get(word)
        if cached is None:
            cached = self._sets[word] = set(self.postings[word])
        return cached


def _words(key: str) -> list[str]:
    """Distinct non-stopwords of a key; elisions split ("d'engin" → "d", "engin")."""
    return [w for w in dict.fromkeys(key.replace("'", " ").split()) if w not in STOPWORDS]


_CACHE: dict[tuple[tuple[str, str, str], ...], LabelIndex] = {}
_LOCK = threading.Lock()


def label_index(con: duckdb.DuckDBPyConnection) -> LabelIndex:
    """The index of the current releases, built on first use and cached per process (by content hash)."""
    require_loaded(con)
    fingerprint = tuple(store.current_releases(con))
    with _LOCK:
        index = _CACHE.get(fingerprint)
        if index is None:
            _CACHE.clear()  # one set of releases at a time is plenty
            index = _CACHE[fingerprint] = LabelIndex(store.select_search_labels(con))
    return index


def search(
    con: duckdb.DuckDBPyConnection,
    text: str,
    *,
    limit: int = 10,
    taxonomy: str | None = None,
    kinds: Iterable[str] | None = None,
) -> list[SearchHit]:
    """The best ``limit`` occupations/skills whose labels match ``text`` (see the module docstring)."""
    chosen = check_filters(taxonomy, kinds)
    return label_index(con).search(text, limit=limit, taxonomy=taxonomy, kinds=chosen)
