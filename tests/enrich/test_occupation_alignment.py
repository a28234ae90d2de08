"""ROME appellations ↔ ESCO occupations on the real taxonomies (a few métiers against every ESCO occupation)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pytest

from grepp.enrich.expansion import LabelBook
from grepp.enrich.lexical import gender_keys, gender_pair, label_key
from grepp.enrich.metier_context import MetierContext
from grepp.enrich.occupation_alignment import (
    ALIGNER_NAME,
    ALIGNER_VERSION,
    OccupationAlignment,
    align_appellations,
    esco_occupation_forms,
)
from grepp.enrich.ranking import CONTEXT_CONFIG, FRENCH_TITLE_CONFIG
from grepp.enrich.retrieval import Retriever
from grepp.models import Concept
from grepp.store.alignments import aligned_occupations, has_alignments, save_alignments
from grepp.taxonomy.concepts import load_concepts

#: Soudeur (H2913), chef de chantier (F1202), cariste (N1101), aide-soignant (J1501).
METIERS = ("rome:H2913", "rome:F1202", "rome:N1101", "rome:J1501")


@pytest.fixture(scope="module")
def concepts(taxonomy_db: Path) -> list[Concept]:
    con = duckdb.connect(str(taxonomy_db), read_only=True)
    try:
        every = load_concepts(con, kinds=["metier", "appellation", "occupation"])
    finally:
        con.close()
    return [c for c in every if c.kind == "occupation" or c.id in METIERS or c.parent_id in METIERS]


@pytest.fixture(scope="module")
def alignments(concepts: list[Concept]) -> list[OccupationAlignment]:
    metiers = MetierContext.from_concepts(concepts, config=CONTEXT_CONFIG)
    return align_appellations(concepts, book=LabelBook.from_concepts(concepts), metiers=metiers)


def esco_label(concepts: list[Concept], esco_id: str) -> str:
    return next(c.label for c in concepts if c.id == esco_id)


def test_rome_gender_pairs_carry_their_complement_to_both_forms() -> None:
    assert gender_pair("Assistant / Assistante chef de chantier") == [
        "Assistant chef de chantier",
        "Assistante chef de chantier",
    ]
    assert gender_keys("Assistant / Assistante chef de chantier") == ["assistant chef de chantier"]
    assert label_key("Conducteur / Conductrice de benne TP") == "conducteur de benne tp"
    # not a gender pair: both sides kept as they are
    assert gender_pair("Serveur / Chef de rang") == ["Serveur", "Chef de rang"]
    assert gender_keys("boucher/bouchère") == ["boucher"]


def test_every_appellation_gets_ranked_esco_occupations(
    concepts: list[Concept], alignments: list[OccupationAlignment]
) -> None:
    appellations = {c.id for c in concepts if c.kind == "appellation"}
    by_rome: dict[str, list[OccupationAlignment]] = {}
    for a in alignments:
        by_rome.setdefault(a.rome_id, []).append(a)
    assert set(by_rome) == appellations
    for rows in by_rome.values():
        assert [r.rank for r in rows] == [1, 2, 3]
        assert rows[0].score >= rows[1].score >= rows[2].score
        assert all(r.esco_id.startswith("esco:") and r.method in ("exact", "ranked") for r in rows)


def test_same_trades_meet(concepts: list[Concept], alignments: list[OccupationAlignment]) -> None:
    best = {a.rome_id: a for a in alignments if a.rank == 1}
    label = {c.id: c.label for c in concepts}
    welder = next(a for rid, a in best.items() if label[rid] == "Soudeur / Soudeuse")
    assert welder.method == "exact" and esco_label(concepts, welder.esco_id).startswith("soudeur")
    forklift = next(a for rid, a in best.items() if label[rid].startswith("Cariste"))
    assert "cariste" in esco_label(concepts, forklift.esco_id)
    # no appellation of these trades is aligned with a teaching assistant through the bare word "assistant"
    assert not any("pédagogique" in esco_label(concepts, a.esco_id) for a in alignments)


def test_metier_context_shared_per_metier_equals_the_ranking_engine(concepts: list[Concept]) -> None:
    """Scoring each métier's context once gives the scores of Retriever with per-title context texts."""
    metiers = MetierContext.from_concepts(concepts, config=FRENCH_TITLE_CONFIG)
    appellations = [c for c in concepts if c.kind == "appellation"][:12]
    subset = [c for c in concepts if c.kind != "appellation"] + appellations
    rows = align_appellations(subset, metiers=metiers, per_item=5)
    items, groups = esco_occupation_forms(concepts)
    retriever = Retriever(items, groups=groups, config=FRENCH_TITLE_CONFIG)
    titles = [c.label for c in appellations]
    scores = retriever.element_scores(titles, context=metiers.context(titles))
    starts = np.flatnonzero(
        np.r_[True, [groups[a] != groups[b] for a, b in zip(retriever.ids, retriever.ids[1:], strict=False)]]
    )
    esco_ids = [groups[retriever.ids[i]] for i in starts]
    per_concept = np.maximum.reduceat(scores, starts, axis=1)
    for i, appellation in enumerate(appellations):
        expected = [esco_ids[j] for j in np.lexsort((np.arange(len(esco_ids)), -per_concept[i]))[:5]]
        assert [r.esco_id for r in rows if r.rome_id == appellation.id] == expected


def test_alignments_are_stored_once_and_read_from_both_sides(
    alignments: list[OccupationAlignment], con: duckdb.DuckDBPyConnection
) -> None:
    run = {
        "aligner": ALIGNER_NAME,
        "aligner_version": ALIGNER_VERSION,
        "rome_version": "rome-v460",
        "esco_version": "esco-v1.1.1",
    }
    assert not has_alignments(con, table="occupation_alignments", **run)
    save_alignments(con, alignments, table="occupation_alignments", **run)
    assert save_alignments(con, alignments, table="occupation_alignments", **run) == len(alignments)
    assert con.execute("SELECT count(*) FROM occupation_alignments").fetchone() == (len(alignments),)
    assert has_alignments(con, table="occupation_alignments", **run)
    first = alignments[0]
    forward = aligned_occupations(con, first.rome_id)
    assert [r[3] for r in forward] == [1, 2, 3] and forward[0][0] == first.esco_id
    back = aligned_occupations(con, first.esco_id)
    assert first.rome_id in [r[0] for r in back]
    with pytest.raises(ValueError, match="unknown alignment table"):
        save_alignments(con, [], table="offers", **run)
