"""Duplicate links and MinHash signatures of offers (tables in :mod:`grepp.store.offers`).

``offer_minhashes`` caches each offer's signature, keyed by its ``text_hash``, so a refresh only computes
the signatures of new or changed texts; ``offer_duplicates`` holds one row per non-canonical offer::

    missing = offers_without_signature(con)          # [(id, title, description, text_hash), ...]
    save_signatures(con, [(id, text_hash, 128, signature_bytes), ...])
    replace_duplicates(con, links, detector="dedupe.minhash.v1")
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import duckdb
import pyarrow as pa


def offers_without_signature(con: duckdb.DuckDBPyConnection, num_perm: int) -> list[tuple[str, str, str, str]]:
    """Offers whose text has no cached signature (new, changed, or another permutation count)."""
    return [
        (str(a), str(b or ""), str(c or ""), str(d))
        for a, b, c, d in con.execute(
            """
            SELECT o.id, o.title, o.description, o.text_hash FROM offers o
            LEFT JOIN offer_minhashes m ON m.offer_id = o.id AND m.text_hash = o.text_hash AND m.num_perm = ?
            WHERE m.offer_id IS NULL
            """,
            [num_perm],
        ).fetchall()
    ]


def save_signatures(con: duckdb.DuckDBPyConnection, rows: Sequence[tuple[str, str, int, bytes]]) -> None:
    """Store (offer_id, text_hash, num_perm, signature) rows, replacing an offer's older signature."""
    if not rows:
        return
    table = pa.table(
        {
            "offer_id": pa.array([r[0] for r in rows], pa.string()),
            "text_hash": pa.array([r[1] for r in rows], pa.string()),
            "num_perm": pa.array([r[2] for r in rows], pa.int32()),
            "signature": pa.array([r[3] for r in rows], pa.binary()),
        }
    )
    con.register("_signatures", table)
    try:
        con.execute("DELETE FROM offer_minhashes WHERE offer_id IN (SELECT offer_id FROM _signatures)")
        con.execute("INSERT INTO offer_minhashes SELECT offer_id, text_hash, num_perm, signature FROM _signatures")
    finally:
        con.unregister("_signatures")


def dedupe_rows(
    con: duckdb.DuckDBPyConnection, num_perm: int
) -> list[tuple[str, datetime | None, str, str, str, str, str, bytes]]:
    """(id, created_at, text_hash, employer_name, title, commune_insee, place_label, signature) of every offer
    with a signature."""
    return [
        (str(a), b, str(c), str(d or ""), str(e or ""), str(f or ""), str(g or ""), bytes(h))
        for a, b, c, d, e, f, g, h in con.execute(
            """
            SELECT o.id, o.created_at, o.text_hash, o.employer_name, o.title, o.commune_insee, o.place_label,
                   m.signature
            FROM offers o JOIN offer_minhashes m ON m.offer_id = o.id AND m.text_hash = o.text_hash
            WHERE m.num_perm = ? ORDER BY o.id
            """,
            [num_perm],
        ).fetchall()
    ]


def replace_duplicates(
    con: duckdb.DuckDBPyConnection, links: Sequence[tuple[str, str, str, float]], *, detector: str
) -> tuple[int, int]:
    """Replace the links of ``detector`` with (offer_id, canonical_id, method, similarity); (added, removed)."""
    table = pa.table(
        {
            "offer_id": pa.array([r[0] for r in links], pa.string()),
            "canonical_offer_id": pa.array([r[1] for r in links], pa.string()),
            "method": pa.array([r[2] for r in links], pa.string()),
            "similarity": pa.array([r[3] for r in links], pa.float64()),
        }
    )
    con.register("_links", table)
    try:
        added = con.execute(
            """
            SELECT count(*) FROM _links l LEFT JOIN offer_duplicates d
              ON d.offer_id = l.offer_id AND d.canonical_offer_id = l.canonical_offer_id
            WHERE d.offer_id IS NULL
            """
        ).fetchone()
        removed = con.execute(
            """
            SELECT count(*) FROM offer_duplicates d LEFT JOIN _links l
              ON d.offer_id = l.offer_id AND d.canonical_offer_id = l.canonical_offer_id
            WHERE l.offer_id IS NULL AND d.detector = ?
            """,
            [detector],
        ).fetchone()
        con.execute("DELETE FROM offer_duplicates WHERE detector = ?", [detector])
        con.execute(
            "INSERT INTO offer_duplicates (offer_id, canonical_offer_id, method, similarity, detector) "
            "SELECT offer_id, canonical_offer_id, method, similarity, ? FROM _links",
            [detector],
        )
    finally:
        con.unregister("_links")
    return (int(added[0]) if added else 0, int(removed[0]) if removed else 0)


def duplicate_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Number of linked offers per method (``exact``, ``near``)."""
    rows = con.execute("SELECT method, count(*) FROM offer_duplicates GROUP BY 1").fetchall()
    return {str(method): int(n) for method, n in rows}
