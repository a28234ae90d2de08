from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import duckdb

from grepp.store.enrichment import offers_to_enrich, save_results
from grepp.store.offer_export import export_offers, export_query


def test_limit_is_honoured_and_enriched_offers_are_skipped(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "INSERT INTO offers (id, source, source_id, content_hash, title) "
        "SELECT 's:' || i, 's', i::VARCHAR, 'h' || i, 'x' FROM range(50) t(i)"
    )
    assert len(offers_to_enrich(con, "e", "1", limit=7)) == 7  # regression: DuckDB ignored this LIMIT
    save_results(con, enricher="e", version="1", states=[("s:1", "h1", "coded", None)])
    todo = offers_to_enrich(con, "e", "1")
    assert len(todo) == 49 and "s:1" not in {o.offer_id for o in todo}
    con.execute("UPDATE offers SET content_hash = 'new', employer_name = 'Hyper U' WHERE id = 's:1'")
    assert [o.employer for o in offers_to_enrich(con, "e", "1") if o.offer_id == "s:1"] == ["Hyper U"]
    assert {o.employer for o in todo} == {""}  # no name stored: empty, never None


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


def test_the_offer_export_carries_the_latest_ai_results(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Exports give analysts the coded métier and skills beside the offer; an abstention leaves them empty."""
    con.execute(
        "INSERT INTO offers (id, source, source_id, content_hash, title, description) VALUES "
        "('s:1', 's', '1', 'h1', 'Soudeur', 'Soudage TIG, panneaux solaires, Excel.'), "
        "('s:2', 's', '2', 'h2', 'Stage', 'x'), ('s:3', 's', '3', 'h3', 'Pas encore codée', 'y')"
    )
    con.execute(
        "INSERT INTO taxonomy_occupations (concept_id, taxonomy, version, kind, code, label) "
        "VALUES ('rome:H2913', 'rome', 'v460', 'metier', 'H2913', 'Soudeur / Soudeuse')"
    )
    con.execute(
        "INSERT INTO taxonomy_releases (taxonomy, version, content_sha256, loaded_at, is_current, row_counts, "
        "loader_version, files) VALUES ('rome', 'v460', 'x', now(), true, '{}', '1', '[]')"
    )

    def skill(version: str, position: int, code: str, label: str, flags: list[str]) -> tuple[object, ...]:
        return ("s:1", "e", version, position, 0, 7, label, code, "esco", "skill", code, label, 0.9, "unknown",
                flags, "", "")  # fmt: skip

    def occupation(version: str, rome: str, label: str) -> tuple[object, ...]:
        return ("s:1", "e", version, "rome", 1, f"rome-ogr:{label}", label, rome, label, 0.9, 0.8)

    save_results(con, enricher="e", version="1", states=[("s:1", "h1", "coded", None)],
                 occupations=[occupation("1", "H2911", "Soudeur MIG")])  # fmt: skip
    con.execute("UPDATE offer_enrichment_state SET enriched_at = '2026-01-01'")
    save_results(
        con,
        enricher="e",
        version="2",
        states=[("s:1", "h1", "coded", None), ("s:2", "h2", "unknown", "too short")],
        occupations=[
            occupation("2", "H2913", "Soudeur TIG"),
            ("s:1", "e", "2", "rome_metier", 1, "rome:H2913", "H2913", "H2913", "Soudeur / Soudeuse", 1.2, 0.85),
            ("s:2", "e", "2", "rome", 1, "rome-ogr:x", "x", "K2111", "Formateur", 0.1, 0.1),
            ("s:2", "e", "2", "rome_metier", 1, "rome:K2111", "K2111", "K2111", "Formateur", 0.1, 0.1),
        ],
        skills=[
            skill("2", 0, "weld", "souder", []),
            skill("2", 1, "solar", "énergie solaire", ["green"]),
            skill("2", 2, "weld", "souder", []),  # a second mention of the same skill
            skill("2", 3, "excel", "Excel", ["transition_num"]),
        ],
    )
    sql, params = export_query(enricher="e")
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description or []]
    rows = {r[0]: SimpleNamespace(**dict(zip(names, r, strict=True))) for r in cursor.fetchall()}
    first = rows["s:1"]
    assert (first.ai_status, first.ai_enricher_version, first.ai_rome_code) == ("coded", "2", "H2913")
    assert (first.ai_rome_label, first.ai_appellation_label) == ("Soudeur / Soudeuse", "Soudeur TIG")
    assert (first.ai_rome_confidence, first.ai_confidence) == (0.85, 0.8)  # the ROME code's, the appellation's
    assert list(first.ai_skill_labels) == ["souder", "énergie solaire", "Excel"]
    assert list(first.ai_green_skills) == ["énergie solaire"] and list(first.ai_digital_skills) == ["Excel"]
    abstained = rows["s:2"]
    assert (abstained.ai_status, abstained.ai_reason) == ("unknown", "too short")
    assert abstained.ai_rome_code is None and abstained.ai_appellation_label is None
    assert abstained.ai_rome_confidence is None
    assert rows["s:3"].ai_status is None  # not enriched yet
    assert export_offers(con, tmp_path / "offres.parquet") == 3  # the pipeline's enricher: none of these rows
    assert con.execute(f"SELECT count(ai_status) FROM '{tmp_path / 'offres.parquet'}'").fetchone() == (0,)


def test_stored_results_name_the_coders_dense_encoder_and_adapter() -> None:
    from grepp.enrich.adapters import adapted
    from grepp.enrich.embed import get_encoder
    from grepp.enrich.occupations import CODER_NAME, CODER_VERSION
    from grepp.offer_enrichment import Enrichers, _encoder_label

    lexical = Enrichers(coder=None, extractor=None)  # type: ignore[arg-type]
    assert lexical.coder_name == f"{CODER_NAME}.v{CODER_VERSION}"
    # a dense coder reads e5 through its occupations adapter, and its results say so: lexical and dense results
    # of one coder version stay apart in the store
    label = _encoder_label(adapted(get_encoder("e5-small"), "occupations"))
    assert label == "e5-small-occupations.v2" and _encoder_label(None) == ""
    # the dense coder's confidence has a fit of its own, found by that label (its scores add e5's cosine); a renamed
    # adapter would silently fall back to the lexical fit
    from grepp.enrich.calibration import default_calibration

    assert default_calibration(label) is not default_calibration() and label in default_calibration(label).provenance
    dense = Enrichers(coder=None, extractor=None, dense=True, coder_encoder=label)  # type: ignore[arg-type]
    assert dense.coder_name == f"{CODER_NAME}.v{CODER_VERSION}+e5-small-occupations.v2"
    assert dense.version.startswith(dense.coder_name + "+") and dense.version != lexical.version
