from __future__ import annotations

import duckdb

from grepp.store.enrichment import offers_to_enrich, save_results


def test_limit_is_honoured_and_enriched_offers_are_skipped(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "INSERT INTO offers (id, source, source_id, content_hash, title) "
        "SELECT 's:' || i, 's', i::VARCHAR, 'h' || i, 'x' FROM range(50) t(i)"
    )
    assert len(offers_to_enrich(con, "e", "1", limit=7)) == 7  # regression: DuckDB ignored this LIMIT
    save_results(con, enricher="e", version="1", states=[("s:1", "h1", "coded", None)])
    todo = offers_to_enrich(con, "e", "1")
    assert len(todo) == 49 and "s:1" not in {o.offer_id for o in todo}
    con.execute("UPDATE offers SET content_hash = 'new' WHERE id = 's:1'")
    assert "s:1" in {o.offer_id for o in offers_to_enrich(con, "e", "1")}
