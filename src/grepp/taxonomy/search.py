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

import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from grepp.enrich.text import normalize_title
from grepp.store import taxonomy as store
from grepp.taxonomy.concepts import check_filters
from grepp.taxonomy.releases import load_generation, require_loaded

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
    """Labels of the current releases, by exact key and by word (NumPy postings), with each word's IDF."""

    def __init__(
        self, concepts: Iterable[tuple[str, str, str, str, str]], labels: pa.Table, postings: pa.Table
    ) -> None:
        """``concepts`` in concept-number order; ``labels`` (ci, text, lang, kind, key) in label-number
        order; ``postings`` (word, labels) over those numbers."""
        self.concepts: list[tuple[str, str, str, str, str]] = list(concepts)  # id, taxonomy, kind, code, label
        self.label_concept = labels.column("ci").to_numpy().astype(np.int32)
        # Texts stay in Arrow: only the few labels of a result become Python strings.
        self._text = labels.column("text").combine_chunks()
        self._lang = labels.column("lang").combine_chunks()
        self._kind = labels.column("kind").combine_chunks()
        self.exact: dict[str, list[int]] = defaultdict(list)
        for li, key in enumerate(labels.column("key").to_pylist()):
            self.exact[key].append(li)
        total = max(len(self.label_concept), 1)
        words = postings.column("word").to_pylist()
        lists = postings.column("labels").combine_chunks()
        offsets = lists.offsets.to_numpy()
        values = lists.values.to_numpy().astype(np.int32)
        lengths = np.diff(offsets)
        idf = np.log1p(total / np.maximum(lengths, 1))
        self.idf = dict(zip(words, idf.tolist(), strict=True))
        self.rare = float(idf.max()) if len(idf) else 1.0
        self.postings = {w: values[offsets[i] : offsets[i + 1]] for i, w in enumerate(words)}
        weight = np.bincount(values, weights=np.repeat(idf, lengths), minlength=len(self.label_concept))
        self.label_weight = np.where(weight > 0, weight, 1.0)
        taxonomies = sorted({c[1] for c in self.concepts})
        kinds = sorted({c[2] for c in self.concepts})
        self._taxonomy_codes = {t: i for i, t in enumerate(taxonomies)}
        self._kind_codes = {k: i for i, k in enumerate(kinds)}
        self.concept_taxonomy = np.asarray([self._taxonomy_codes[c[1]] for c in self.concepts], dtype=np.int8)
        self.concept_kind = np.asarray([self._kind_codes[c[2]] for c in self.concepts], dtype=np.int8)

    def _label_text(self, li: int) -> str:
        return str(self._text[li].as_py())

    def _label_kind(self, li: int) -> str:
        return str(self._kind[li].as_py())

    def _allowed(self, taxonomy: str | None, kinds: Iterable[str] | None) -> npt.NDArray[np.bool_] | None:
        """A mask over concepts, or None when everything is allowed."""
        if taxonomy is None and kinds is None:
            return None
        mask = np.ones(len(self.concepts), dtype=np.bool_)
        if taxonomy is not None:
            mask &= self.concept_taxonomy == self._taxonomy_codes.get(taxonomy, -1)
        if kinds is not None:
            codes = [self._kind_codes[k] for k in kinds if k in self._kind_codes]
            mask &= np.isin(self.concept_kind, codes)
        return mask

    def search(
        self, text: str, *, limit: int = 10, taxonomy: str | None = None, kinds: Iterable[str] | None = None
    ) -> list[SearchHit]:
        key = normalize_title(text)
        allowed = self._allowed(taxonomy, kinds)
        best: dict[int, tuple[float, int, bool]] = {}
        for li in self.exact.get(key, ()):
            ci = int(self.label_concept[li])
            label_kind = self._label_kind(li)
            score = _EXACT_SCORE.get(label_kind, 1.0)
            if allowed is not None and not allowed[ci]:
                continue
            current = best.get(ci)
            if current is None or (score, -_LABEL_RANK.get(label_kind, 9)) > (
                current[0],
                -_LABEL_RANK.get(self._label_kind(current[1]), 9),
            ):
                best[ci] = (score, li, True)
        for ci, (score, li) in self._token_candidates(key, allowed, limit).items():
            if score > best.get(ci, (0.0, 0, False))[0]:
                best[ci] = (score, li, False)
        ranked = sorted(
            best.items(),
            key=lambda item: (
                -round(item[1][0], 6),
                _KIND_ORDER.get(self.concepts[item[0]][2], 9),
                len(self._label_text(item[1][1])),
                self.concepts[item[0]][0],
            ),
        )
        hits = []
        for ci, (score, li, exact) in ranked[: max(limit, 0)]:
            cid, tax, kind, code, label = self.concepts[ci]
            text_, lang = self._label_text(li), str(self._lang[li].as_py())
            hits.append(SearchHit(cid, tax, kind, code, label, text_, lang, round(min(score, 1.0), 4), exact))
        return hits

    def _token_candidates(
        self, key: str, allowed: npt.NDArray[np.bool_] | None, limit: int
    ) -> dict[int, tuple[float, int]]:
        """Best token score and its label per concept, for the concepts that may reach the top ``limit``."""
        query_words = search_words(key)
        words = [w for w in query_words if w in self.postings]
        if not words:
            return {}
        # An unknown word counts as a rare one: no label covers the query then.
        query_weight = sum(self.idf.get(w, self.rare) for w in query_words) or 1.0
        postings = np.concatenate([self.postings[w] for w in words])
        weights = np.concatenate([np.full(len(self.postings[w]), self.idf[w]) for w in words])
        labels, inverse = np.unique(postings, return_inverse=True)
        matched = np.bincount(inverse, weights=weights)
        scores = 0.9 * (matched / query_weight) * np.sqrt(matched / self.label_weight[labels])
        concepts = self.label_concept[labels]
        if allowed is not None:
            keep = allowed[concepts]
            labels, scores, concepts = labels[keep], scores[keep], concepts[keep]
        if not len(labels):
            return {}
        # Best label of each concept: sort by concept, then score descending.
        order = np.lexsort((-scores, concepts))
        concepts, scores, labels = concepts[order], scores[order], labels[order]
        first = np.ones(len(concepts), dtype=np.bool_)
        first[1:] = concepts[1:] != concepts[:-1]
        concepts, scores, labels = concepts[first], scores[first], labels[first]
        # Keep every concept scoring at least the (limit + 20)-th best, so ties are ranked fairly.
        if len(scores) > limit + 20:
            threshold = np.partition(scores, len(scores) - (limit + 20))[len(scores) - (limit + 20)]
            top = scores >= threshold
            concepts, scores, labels = concepts[top], scores[top], labels[top]
        return {int(c): (float(s), int(li)) for c, s, li in zip(concepts, scores, labels, strict=True)}


def search_words(key: str) -> list[str]:
    """Distinct non-stopwords of a key, elisions split, plural-insensitive ("d'engins" → ["engin"]).

    The index applies the same rule in SQL (:func:`grepp.store.taxonomy.select_search_postings`).
    """
    words = (w for w in key.replace("'", " ").split() if w not in STOPWORDS)
    return list(dict.fromkeys(w[:-1] if len(w) > 3 and w[-1] in "sx" else w for w in words))


Fingerprint = tuple[tuple[str, str, str], ...]
_CACHE: dict[Fingerprint, LabelIndex] = {}
#: The last connection searched, the load generation then, and its current releases: while a connection
#: is open no other process can write the file (DuckDB's lock), so only a load in this process changes them.
_LAST: tuple[duckdb.DuckDBPyConnection, int, Fingerprint] | None = None
_LOCK = threading.Lock()


def _current(con: duckdb.DuckDBPyConnection) -> Fingerprint:
    """The current releases, asked of the database only when the connection or a load is new."""
    global _LAST
    last, generation = _LAST, load_generation()
    if last is not None and last[0] is con and last[1] == generation:
        return last[2]
    require_loaded(con)
    fingerprint = tuple(store.current_releases(con))
    _LAST = (con, generation, fingerprint)
    return fingerprint


def label_index(con: duckdb.DuckDBPyConnection) -> LabelIndex:
    """The index of the current releases, built on first use and cached per process (by content hash)."""
    with _LOCK:
        fingerprint = _current(con)
        index = _CACHE.get(fingerprint)
        if index is None:
            _CACHE.clear()  # one set of releases at a time is plenty
            index = _CACHE[fingerprint] = LabelIndex(
                store.select_search_concepts(con),
                store.select_search_labels(con),
                store.select_search_postings(con, sorted(STOPWORDS)),
            )
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
