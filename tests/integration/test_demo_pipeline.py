"""The main job end to end on the real data: every source in, offers enriched incrementally, a report out.

Built once per module (it loads every real file), on a copy of the cached taxonomy database. The
alignment step ranks appellations with the multilingual encoder (its vectors cached in the repository's
.grepp-cache); enrichment runs on a slice of the offers with the lexical models only, to keep the suite
fast; the dense model is exercised by the enrich tests.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from grepp.config import Settings, load_settings
from grepp.offer_enrichment import ENRICHER, build_enrichers, enrich_batch, enrich_stored_offers, enriched_batches
from grepp.pipeline import DEMO_STEPS, run_step
from grepp.store import summary
from grepp.store.db import connect, transaction
from grepp.store.enrichment import offers_to_enrich, save_results
from grepp.store.offer_export import export_offers
from grepp.taxonomy.details import describe
from grepp.web.report import render_report

pytestmark = pytest.mark.slow
ENRICH_LIMIT = 120


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory, data_dir: Path, taxonomy_db: Path
) -> Iterator[tuple[Settings, duckdb.DuckDBPyConnection]]:
    folder = tmp_path_factory.mktemp("demo")
    shutil.copyfile(taxonomy_db, folder / "grepp.duckdb")
    # the repository's cache: the alignment's vectors of ROME and ESCO labels are encoded once per machine
    cache = Path(__file__).resolve().parents[2] / ".grepp-cache"
    settings = load_settings(data=data_dir, db=folder / "grepp.duckdb", env={"GREPP_CACHE": str(cache)}, cwd=folder)
    with connect(settings.db_path) as con:
        for step in DEMO_STEPS:
            if step.name != "enrichment":
                run_step(step, con, settings, None)
        # 3 batches over 2 forked workers: the parallel path writes what the tests below read
        enrich_stored_offers(con, settings, limit=ENRICH_LIMIT, dense=False, workers=2, batch_size=50)
        yield settings, con


def test_every_source_is_in(demo: tuple[Settings, duckdb.DuckDBPyConnection]) -> None:
    _, con = demo
    counts = {name: n for name, _, n in summary.table_counts(con)}
    for table in ("geo_communes", "bmo_projects", "trainings", "offers", "taxonomy_occupations_current"):
        assert counts[table] > 0, table
    sources = dict(summary.offers_by_source(con))
    assert any(s.startswith("france-travail") for s in sources)
    assert "bundesagentur" in sources, sources


def test_taxonomies_are_aligned_once(demo: tuple[Settings, duckdb.DuckDBPyConnection]) -> None:
    settings, con = demo
    appellations = con.execute("SELECT count(*) FROM taxonomy_occupations_current WHERE kind = 'appellation'")
    n_appellations = (appellations.fetchone() or (0,))[0]
    ranked = con.execute("SELECT count(DISTINCT rome_id), max(rank) FROM occupation_alignments").fetchone()
    assert ranked == (n_appellations, 3)
    skills = (con.execute("SELECT count(*) FROM skill_alignments").fetchone() or (0,))[0]
    assert skills > 1000
    step = next(s for s in DEMO_STEPS if s.name == "alignment")
    assert run_step(step, con, settings, None).counts == {"skill pairs": 0, "appellation pairs": 0}  # already done
    card = describe(con, "rome:H2913")  # a métier: its appellations are aligned, the card sums them up
    metier_aligned = next(s for s in card.sections if s.title.startswith("Correspondances ESCO"))
    assert any(item.label.startswith("soudeur") for item in metier_aligned.items)
    welder = describe(
        con, next(item.id for s in card.sections for item in s.items if item.label == "Soudeur / Soudeuse")
    )
    aligned = next(s for s in welder.sections if s.title.startswith("Correspondances ESCO"))
    assert aligned.items[0].label.startswith("soudeur")
    welding = describe(con, "100007")  # the ROME savoir "Techniques de soudage": its ESCO skill of that name
    skills_aligned = next(s for s in welding.sections if s.title.startswith("Correspondances ESCO"))
    assert skills_aligned.items[0].label == "techniques de soudage" and "exact" in (skills_aligned.items[0].note or "")
    # both are ranked with the multilingual encoder beside the lexical engine: a PAO compositor is a
    # photocompositor, not a composer of music as the words alone suggest
    versions = dict(con.execute("SELECT 'occ', any_value(aligner_version) FROM occupation_alignments").fetchall())
    versions |= dict(con.execute("SELECT 'skills', any_value(aligner_version) FROM skill_alignments").fetchall())
    assert "+use-m3" in versions["occ"] and "+use-m3" in versions["skills"] and "e5" not in versions["skills"]
    pao = con.execute(
        "SELECT l.label FROM occupation_alignments a "
        "JOIN taxonomy_display_labels_current r ON r.concept_id = a.rome_id "
        "JOIN taxonomy_display_labels_current l ON l.concept_id = a.esco_id "
        "WHERE a.rank = 1 AND r.label LIKE 'Compositeur / Compositrice en Publication Assistée par Ordinateur%'"
    ).fetchall()
    assert [row[0] for row in pao] == ["photocompositeur/photocompositrice"]


def test_trainings_without_rome_codes_get_coded_metiers(demo: tuple[Settings, duckdb.DuckDBPyConnection]) -> None:
    _, con = demo
    status = dict(con.execute("SELECT rome_links_status, count(*) FROM trainings GROUP BY 1").fetchall())
    assert status.get("coded", 0) > 500, status
    welders = con.execute(
        "SELECT DISTINCT r.rome_code FROM training_rome r JOIN trainings t USING (training_id) "
        "WHERE r.origin LIKE 'occupations.%' AND t.title ILIKE '%soudeur%'"
    ).fetchall()
    assert ("H2913",) in welders, welders
    step = next(s for s in DEMO_STEPS if s.name == "training coding")
    settings, _ = demo
    again = run_step(step, con, settings, None).counts
    assert again["trainings coded"] == again["trainings recoded by a newer coder"] == 0  # not coded twice
    # links of an older version of the coder: the current one codes those trainings again and replaces them
    older = con.execute(
        "SELECT training_id, origin FROM training_rome WHERE origin LIKE 'occupations.hybrid.v%' "
        "ORDER BY training_id LIMIT 5"
    ).fetchall()
    current = older[0][1]
    ids = [training_id for training_id, _ in older]
    con.execute(
        f"UPDATE training_rome SET origin = 'occupations.hybrid.v0' WHERE training_id IN ({','.join('?' * len(ids))})",
        ids,
    )
    recoded = run_step(step, con, settings, None).counts
    assert recoded["trainings recoded by a newer coder"] == len(ids)
    origins = con.execute(
        f"SELECT DISTINCT origin FROM training_rome WHERE training_id IN ({','.join('?' * len(ids))}) "
        "AND origin LIKE 'occupations.%'",
        ids,
    ).fetchall()
    assert origins == [(current,)]


def test_grand_est_offers_are_placed_in_their_zone_demploi(demo: tuple[Settings, duckdb.DuckDBPyConnection]) -> None:
    settings, con = demo
    zones = summary.offers_by_zone(con, settings.region, limit=30)
    assert zones, "no Grand Est offer placed in a zone d'emploi"
    placed, total = con.execute("SELECT count(zone_emploi), count(*) FROM offers WHERE region = '44'").fetchone() or (
        0,
        0,
    )
    assert total > 100 and placed / total > 0.9
    assert {code[:2] for code, _, _ in zones} == {"44"}  # Grand Est zones d'emploi are 44xx


def test_enrichment_is_incremental(demo: tuple[Settings, duckdb.DuckDBPyConnection]) -> None:
    settings, con = demo
    version = build_enrichers(con, settings, dense=False).version
    done = con.execute(
        "SELECT count(*) FROM offer_enrichment_state WHERE enricher = ? AND enricher_version = ?", [ENRICHER, version]
    ).fetchone()
    assert done == (ENRICH_LIMIT,)
    coded = con.execute(
        "SELECT min(offer_id) FROM offer_enrichment_state WHERE enricher_version = ?", [version]
    ).fetchone()
    assert coded is not None
    # a changed offer is coded again; an unchanged one is not
    con.execute("UPDATE offers SET content_hash = 'changed' WHERE id = ?", [coded[0]])
    again = enrich_stored_offers(con, settings, limit=1, dense=False)
    assert again["offers coded"] + again["unknown"] == 1
    state = con.execute(
        "SELECT content_hash FROM offer_enrichment_state WHERE offer_id = ? AND enricher_version = ?",
        [coded[0], version],
    ).fetchone()
    assert state == ("changed",)
    rows = con.execute(
        "SELECT count(*), count(DISTINCT rank) FROM offer_occupations WHERE offer_id = ? AND taxonomy = 'rome'",
        [coded[0]],
    ).fetchone()
    assert rows is not None and rows[0] == rows[1]  # replaced, not duplicated


def test_worker_processes_give_the_same_results(demo: tuple[Settings, duckdb.DuckDBPyConnection]) -> None:
    settings, con = demo
    enrichers = build_enrichers(con, settings, dense=False)
    todo = offers_to_enrich(con, ENRICHER, "a version never run", limit=60)
    batches = [todo[:30], todo[30:]]
    here = list(enriched_batches(enrichers, batches, workers=1))
    forked = list(enriched_batches(enrichers, batches, workers=2))
    assert forked == here
    assert sum(len(states) for states, _, _ in forked) == 60


def test_report_shows_offers_with_their_metier_and_highlighted_skills(
    demo: tuple[Settings, duckdb.DuckDBPyConnection],
) -> None:
    settings, con = demo
    ids = summary.example_offer_ids(con, settings.region, 2)
    assert ids
    examples = [summary.offer_example(con, i) for i in ids]
    assert all(e.occupations for e in examples)
    for e in examples:
        for span in e.skills:
            assert 0 <= span.start < span.end <= len(e.text)
    html = render_report(
        summary.table_counts(con),
        summary.offers_by_source(con),
        summary.offers_by_zone(con, settings.region),
        summary.top_coded_metiers(con),
        examples,
        generated_at="test",
    )
    assert '<html lang="fr">' in html
    assert "Offres en Grand Est par zone d'emploi" in html
    assert "<mark" in html
    assert "<script" not in html.lower()
    # each example shows its métier's confidence, then its appellation's
    assert all(e.metiers and e.metiers[0][0] == e.occupations[0][0] for e in examples)
    assert "appellation : " in html


def test_coding_quality_counts_every_enriched_offer_once(demo: tuple[Settings, duckdb.DuckDBPyConnection]) -> None:
    """The report's reliability table: every offer read by the enricher, by its first métier's confidence."""
    _, con = demo
    quality = summary.coding_quality(con, ENRICHER)
    assert quality is not None
    states = con.execute(
        "SELECT count(*), count_if(status = 'coded') FROM offer_enrichment_state WHERE enricher = ?", [ENRICHER]
    ).fetchone()
    assert states is not None and (quality.offers, quality.coded) == states
    assert quality.coded + quality.unknown == quality.offers
    # one first métier per offer that has one (an empty offer has none), each in one band
    firsts = con.execute(
        "SELECT count(DISTINCT offer_id) FROM offer_occupations_current "
        "WHERE enricher = ? AND taxonomy = 'rome_metier' AND rank = 1",
        [ENRICHER],
    ).fetchone()
    assert firsts is not None and sum(b.offers for b in quality.bands) == firsts[0] <= quality.offers
    assert 0 <= quality.agreeing <= quality.with_recruiter_code <= quality.offers
    # abstentions are the offers under the coder's threshold (0.2), the lowest band
    assert quality.bands[0].high == 0.2 and quality.bands[0].offers == quality.unknown - quality.empty


def test_the_offer_export_carries_the_coded_metier_and_skills(
    demo: tuple[Settings, duckdb.DuckDBPyConnection], tmp_path: Path
) -> None:
    """`grepp export offers`: each enriched offer with its coded métier and skills, as the views say."""
    _, con = demo
    out = tmp_path / "offres.parquet"
    n = export_offers(con, out)
    coded = con.execute(
        f"SELECT e.id, e.ai_rome_code, e.ai_appellation_label, len(e.ai_skill_labels) FROM '{out}' e "
        "WHERE e.ai_status = 'coded'"
    ).fetchall()
    # the ROME code's own calibrated confidence: at or above the coder's abstention threshold (0.2) when coded
    confidences = con.execute(f"SELECT ai_rome_confidence FROM '{out}' WHERE ai_status = 'coded'").fetchall()
    assert confidences and all(c is not None and 0.2 <= c <= 1.0 for (c,) in confidences)
    enriched = con.execute(f"SELECT count(*) FROM '{out}' WHERE ai_status IS NOT NULL").fetchone()
    assert enriched is not None and 0 < enriched[0] <= ENRICH_LIMIT < n
    assert len(coded) > enriched[0] // 2
    offer_id, rome_code, appellation, n_skills = coded[0]
    first = con.execute(
        "SELECT rome_code, label FROM offer_occupations_current WHERE offer_id = ? AND taxonomy = 'rome' AND rank = 1",
        [offer_id],
    ).fetchone()
    assert first == (rome_code, appellation)
    distinct = con.execute("SELECT count(DISTINCT code) FROM offer_skills_current WHERE offer_id = ?", [offer_id])
    assert distinct.fetchone() == ((n_skills or 0),)
    assert sum(bool(skills) for _, _, _, skills in coded) > len(coded) // 2


def test_coding_quality_compares_the_coded_metier_with_the_recruiters_code(
    demo: tuple[Settings, duckdb.DuckDBPyConnection],
) -> None:
    """France Travail's offers carry the ROME code their recruiter chose: the table counts how often the AI gives it.

    The module's slice is German ads (ids sort first), which carry none: 80 France Travail offers are coded here,
    stored under an enricher name of their own so that the other tests' counts stay as they are.
    """
    settings, con = demo
    enricher = "quality.test"
    todo = [o for o in offers_to_enrich(con, enricher, "1") if o.offer_id.startswith("france-travail:")][:80]
    states, occupations, _ = enrich_batch(build_enrichers(con, settings, dense=False), todo)
    rows = [(r[0], enricher, "1", *r[3:]) for r in occupations]
    with transaction(con):
        save_results(con, enricher=enricher, version="1", states=states, occupations=rows)
    quality = summary.coding_quality(con, enricher)
    assert quality is not None and quality.offers == 80
    # an offer without a code keeps an empty string (German ads, France Travail offers without romeCode)
    given = con.execute(
        "SELECT count(*) FROM offers WHERE id IN (SELECT unnest(?)) AND coalesce(source_rome_code, '') <> ''",
        [[o.offer_id for o in todo]],
    ).fetchone()
    assert given is not None and quality.with_recruiter_code == given[0] > 60
    # far above chance (one métier in 1,584), below the dated coding of `grepp eval offers` (the pipeline codes in
    # the current ROME release, recruiters in the one of their offer's date)
    assert quality.agreeing / quality.with_recruiter_code > 0.4
