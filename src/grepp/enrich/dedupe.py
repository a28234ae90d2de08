"""Duplicate offers: exact (same normalised text) and near (MinHash LSH over word shingles).

A job is often published more than once: re-published under a new id, or listed by two sources. Offers
are linked to one canonical offer (the earliest created; ties broken by id), never deleted:

- ``exact``: the same ``text_hash`` (title + description, case and spaces normalised) at the same place;
- ``near``: an estimated Jaccard similarity of word 3-shingles of title + description at least ``threshold``
  (MinHash, 128 permutations, LSH candidates), *and* the same job: same place (commune, else place label),
  employers equal or one not given, titles sharing half of their words. Template ads of one employer for
  several towns or several positions (same boilerplate, other title or place) are other vacancies.

Pure: takes items, returns links::

    items = [DedupeItem("ft:1", created, text_hash, "acme", "67482", title_words("Soudeur"), signature("…")), ...]
    for link in find_duplicates(items, threshold=0.8):
        link.offer_id, link.canonical_offer_id, link.method, link.similarity
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from datasketch import MinHash, MinHashLSH

from grepp.enrich.text import fold, normalize_title

DETECTOR = "dedupe.minhash.v1"
NUM_PERM = 128
SCHEME = "affine32"
SIGNATURE_DTYPE = np.uint32
SHINGLE_WORDS = 3
#: The LSH index is built this much below the threshold, so that banding loses (almost) no pair above it.
LSH_MARGIN = 0.2
_WORD = re.compile(r"\w+")


def _ascii_fold(text: str) -> str:
    """Lower case without accents, fast (C-level normalisation; letters outside ASCII are dropped)."""
    return unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode("ascii")


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[bytes]:
    """Word k-shingles of the folded text (accents and case ignored).

    >>> sorted(shingles("Soudeur à Metz H/F", k=2))[:2]
    [b'a metz', b'h f']
    """
    words = _WORD.findall(_ascii_fold(text))
    if len(words) <= k:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + k]).encode() for i in range(len(words) - k + 1)}


def signature(text: str, num_perm: int = NUM_PERM) -> np.ndarray:
    """The MinHash signature (``uint32`` array, datasketch's ``affine32`` scheme) of a text's shingles.

    Deterministic across processes (seeded permutations, SHA-1 of the shingles), so it can be cached.
    """
    minhash = MinHash(num_perm=num_perm, seed=1, scheme=SCHEME)
    grams = shingles(text)
    if grams:
        minhash.update_batch(list(grams))
    return np.asarray(minhash.hashvalues, dtype=SIGNATURE_DTYPE)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


def employer_key(name: str) -> str:
    """A comparable employer name ('ACME S.A.S.' and 'Acme SAS' meet)."""
    return " ".join(_WORD.findall(fold(name)))


def place_key(commune_insee: str | None, place_label: str | None) -> str:
    """Where a job is, for comparison: the INSEE commune, else the folded place label ('' if unknown)."""
    return commune_insee or " ".join(_WORD.findall(fold(place_label or "")))


def title_words(title: str) -> frozenset[str]:
    """The words of a normalised title (gender markers and forms folded), to compare two titles."""
    return frozenset(normalize_title(title).split())


@dataclass(frozen=True, slots=True)
class DedupeItem:
    """What dedupe needs of an offer: id, creation date, text hash, blocking keys and signature."""

    offer_id: str
    created_at: datetime | None
    text_hash: str
    employer: str
    place: str
    title: frozenset[str]
    signature: np.ndarray


@dataclass(frozen=True, slots=True)
class DuplicateLink:
    """``offer_id`` duplicates ``canonical_offer_id`` (``method`` exact or near, estimated ``similarity``)."""

    offer_id: str
    canonical_offer_id: str
    method: str
    similarity: float


#: Two titles are the same job when this share of their words is common (Jaccard).
TITLE_OVERLAP = 0.5


def _same_block(a: DedupeItem, b: DedupeItem) -> bool:
    """Same place, compatible employers (equal, or one not given) and overlapping titles: the same job."""
    if a.place != b.place or (a.employer and b.employer and a.employer != b.employer):
        return False
    if not a.title or not b.title:
        return True
    return len(a.title & b.title) / len(a.title | b.title) >= TITLE_OVERLAP


def _order(item: DedupeItem) -> tuple[datetime, str]:
    return (item.created_at or datetime.max, item.offer_id)


def find_duplicates(items: Sequence[DedupeItem], *, threshold: float = 0.8) -> list[DuplicateLink]:
    """Group duplicates and link every non-canonical member to its group's earliest offer."""
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        a, b = root(i), root(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    by_text: dict[tuple[str, str], int] = {}
    for i, item in enumerate(items):
        key = (item.text_hash, item.place)  # the same text elsewhere is another vacancy, not a duplicate
        if key in by_text:
            union(i, by_text[key])
        else:
            by_text[key] = i
    for i, j, _ in _near_pairs(items, list(by_text.values()), threshold):
        union(i, j)
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(root(i), []).append(i)
    links: list[DuplicateLink] = []
    for members in groups.values():
        if len(members) < 2:
            continue
        canonical = min((items[i] for i in members), key=_order)
        for i in members:
            item = items[i]
            if item.offer_id == canonical.offer_id:
                continue
            exact = item.text_hash == canonical.text_hash
            score = 1.0 if exact else similarity(item.signature, canonical.signature)
            links.append(DuplicateLink(item.offer_id, canonical.offer_id, "exact" if exact else "near", score))
    return links


def _near_pairs(items: Sequence[DedupeItem], indexes: Sequence[int], threshold: float) -> list[tuple[int, int, float]]:
    """Pairs (i, j, similarity) among ``indexes`` that pass the near-duplicate test, found through LSH."""
    num_perm = len(items[0].signature) if items else NUM_PERM
    # LSH banding misses some pairs just above its threshold: query lower, then keep the exact estimate.
    lsh = MinHashLSH(threshold=max(0.3, threshold - LSH_MARGIN), num_perm=num_perm)
    pairs: list[tuple[int, int, float]] = []
    for i in indexes:
        item = items[i]
        minhash = MinHash(num_perm=num_perm, seed=1, hashvalues=item.signature, scheme=SCHEME)
        for j in lsh.query(minhash):
            other = items[j]
            if _same_block(item, other):
                score = similarity(item.signature, other.signature)
                if score >= threshold:
                    pairs.append((j, i, score))
        lsh.insert(i, minhash)
    return pairs


def near_pairs(items: Sequence[DedupeItem], *, threshold: float = 0.8) -> list[tuple[str, str, float]]:
    """Every pair of offers with distinct texts that passes the near-duplicate test (to label and measure)."""
    seen: dict[tuple[str, str], int] = {}
    for i, item in enumerate(items):
        seen.setdefault((item.text_hash, item.place), i)
    return [(items[i].offer_id, items[j].offer_id, s) for i, j, s in _near_pairs(items, list(seen.values()), threshold)]
