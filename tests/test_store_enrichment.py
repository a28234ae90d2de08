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


def test_the_current_views_show_each_offer_s_latest_version_only(con: duckdb.DuckDBPyConnection) -> None:
    """An upgraded coder re-runs beside the old one: both are kept, users read the latest (the demo too)."""
    from grepp.store.summary import offer_example, top_coded_metiers

    con.execute(
        "INSERT INTO offers (id, source, source_id, content_hash, title, description) "
        "VALUES ('s:1', 's', '1', 'h1', 'Soudeur', 'Soudage TIG sur acier.')"
    )

    def run(version: str, rome: str, label: str, when: str) -> None:
        occupation = ("s:1", "e", version, "rome", 1, f"rome-ogr:{rome}", rome, rome, label, 0.9, 0.8)
        skill = ("s:1", "e", version, 0, 0, 7, "Soudage", "x", "rome", "savoir", "1", label, 0.9, "unknown", [], "", "")
        save_results(con, enricher="e", version=version, states=[("s:1", "h1", "coded", None)],
                     occupations=[occupation], skills=[skill])  # fmt: skip
        con.execute("UPDATE offer_enrichment_state SET enriched_at = ? WHERE enricher_version = ?", [when, version])

    run("1", "H2913", "Soudeur", "2026-01-01")
    run("2", "H2917", "Soudeur MIG MAG", "2026-02-01")
    assert con.execute("SELECT count(*) FROM offer_occupations").fetchone() == (2,)  # both kept
    example = offer_example(con, "s:1")
    assert [o[0] for o in example.occupations] == ["H2917"]
    assert [s.label for s in example.skills] == ["Soudeur MIG MAG"]
    assert [code for code, _, _ in top_coded_metiers(con)] == ["H2917"]
