"""Refresh the duplicate links of the stored offers (exact and near, see :mod:`grepp.enrich.dedupe`).

Signatures are computed once per text and cached in ``offer_minhashes``; the grouping is redone over all
offers, so links stay consistent when an earlier offer arrives later. Runs in one transaction::

    summary = refresh_duplicates(con, threshold=0.8)
    summary.exact, summary.near, summary.signatures_computed
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np

from grepp.enrich.dedupe import (
    DETECTOR,
    NUM_PERM,
    SIGNATURE_DTYPE,
    DedupeItem,
    employer_key,
    find_duplicates,
    place_key,
    signature,
    title_words,
)
from grepp.store.db import transaction
from grepp.store.offer_duplicates import (
    dedupe_rows,
    offers_without_signature,
    replace_duplicates,
    save_signatures,
)


@dataclass(frozen=True)
class DedupeSummary:
    """What a refresh found: offers compared, signatures computed, links by method, links added/removed."""

    offers: int
    signatures_computed: int
    exact: int
    near: int
    added: int
    removed: int


def dedupe_items(con: duckdb.DuckDBPyConnection, num_perm: int = NUM_PERM) -> list[DedupeItem]:
    """Every stored offer as a :class:`DedupeItem`, computing the missing signatures first."""
    missing = offers_without_signature(con, num_perm)
    rows = [(i, h, num_perm, signature(f"{t}\n{d}", num_perm).tobytes()) for i, t, d, h in missing]
    with transaction(con):
        save_signatures(con, rows)
    return [
        DedupeItem(
            offer_id,
            created,
            text_hash,
            employer_key(employer),
            place_key(commune, label),
            title_words(title),
            np.frombuffer(sig, dtype=SIGNATURE_DTYPE),
        )
        for offer_id, created, text_hash, employer, title, commune, label, sig in dedupe_rows(con, num_perm)
    ]


def refresh_duplicates(con: duckdb.DuckDBPyConnection, *, threshold: float = 0.8) -> DedupeSummary:
    """Recompute the duplicate links of every stored offer; offers are never deleted."""
    missing_before = len(offers_without_signature(con, NUM_PERM))
    items = dedupe_items(con)
    links = find_duplicates(items, threshold=threshold)
    with transaction(con):
        added, removed = replace_duplicates(
            con, [(x.offer_id, x.canonical_offer_id, x.method, x.similarity) for x in links], detector=DETECTOR
        )
    return DedupeSummary(
        offers=len(items),
        signatures_computed=missing_before,
        exact=sum(1 for x in links if x.method == "exact"),
        near=sum(1 for x in links if x.method == "near"),
        added=added,
        removed=removed,
    )
