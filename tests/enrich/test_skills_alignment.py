"""ROME ↔ ESCO skill alignment by the ranking engine on the real taxonomies, stored in a real DuckDB file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from grepp.enrich.skill_alignment import ALIGNER_NAME, ALIGNER_VERSION, MIN_SCORES, Alignment, align_rome_esco
from grepp.models import Concept
from grepp.store.alignments import save_alignments, select_alignments
from grepp.taxonomy.concepts import load_concepts

#: ROME items of the tests: welding techniques (a French ESCO label too) and two whose ESCO skill is worded
#: otherwise ("gérer des réclamations", "installer des systèmes hydrauliques").
NAMED = ("Techniques de soudage", "Gestion des réclamations", "Installation de systèmes hydrauliques")


@pytest.fixture(scope="module")
def concepts(taxonomy_db: Path) -> list[Concept]:
    """Every ESCO skill, and 400 ROME compétences/savoirs with the named ones (the whole of ROME takes a minute)."""
    con = duckdb.connect(str(taxonomy_db), read_only=True)
    try:
        everything = load_concepts(con, kinds=["competence", "savoir", "skill", "knowledge"])
    finally:
        con.close()
    rome = [c for c in everything if c.taxonomy == "rome"]
    chosen = rome[::80] + [c for c in rome if c.label in NAMED]
    return [c for c in everything if c.taxonomy == "esco"] + list(dict.fromkeys(chosen))


@pytest.fixture(scope="module")
def alignments(concepts: list[Concept]) -> list[Alignment]:
    return align_rome_esco(concepts)  # the lexical engine: no model loaded


def test_same_labels_align_exactly_and_scores_pass_the_floor(alignments: list[Alignment]) -> None:
    by_rome: dict[str, list[Alignment]] = {}
    for a in alignments:
        by_rome.setdefault(a.rome_id, []).append(a)
    assert len(by_rome) > 30
    assert all(a.score >= MIN_SCORES["lexical"] and a.esco_id.startswith("esco:") for a in alignments)
    assert all(len(v) <= 3 and v == sorted(v, key=lambda a: -a.score) for v in by_rome.values())
    # "Techniques de soudage" (ROME savoir 100007) is an ESCO French label too
    welding = by_rome.get("rome-ogr:100007", [])
    assert welding and welding[0].method == "exact"
    assert {a.method for a in alignments} == {"exact", "ranked"}


def test_alignments_are_stored_once_even_when_saved_twice(
    alignments: list[Alignment], con: duckdb.DuckDBPyConnection
) -> None:
    kwargs = {
        "aligner": ALIGNER_NAME,
        "aligner_version": ALIGNER_VERSION,
        "rome_version": "rome-v460",
        "esco_version": "esco-v1.1.1",
    }
    assert save_alignments(con, alignments, **kwargs) == len(alignments)
    save_alignments(con, alignments, **kwargs)
    count = con.execute("SELECT count(*) FROM skill_alignments").fetchone()
    assert count is not None and count[0] == len(alignments)
    rows = select_alignments(con, "rome-ogr:100007")
    assert rows and rows[0][2] == "exact"
    # the ESCO side finds the ROME item back
    assert "rome-ogr:100007" in {other for other, _, _ in select_alignments(con, rows[0][0])}


def test_only_the_latest_run_is_read(alignments: list[Alignment], con: duckdb.DuckDBPyConnection) -> None:
    """Aligners score on scales of their own: an older run's pairs are kept, not mixed into what is shown."""
    releases = {"rome_version": "rome-v460", "esco_version": "esco-v1.1.1"}
    old = Alignment("rome-ogr:100007", "esco:old-pair", 99.0, "partial")
    save_alignments(con, [old], aligner="skills.alignment.gazetteer", aligner_version="3", **releases)
    assert select_alignments(con, "rome-ogr:100007")[0][0] == "esco:old-pair"
    save_alignments(con, alignments, aligner=ALIGNER_NAME, aligner_version=ALIGNER_VERSION, **releases)
    shown = select_alignments(con, "rome-ogr:100007")
    assert shown and "esco:old-pair" not in {other for other, _, _ in shown}
    assert con.execute("SELECT count(*) FROM skill_alignments WHERE esco_id = 'esco:old-pair'").fetchone() == (1,)


def test_a_failed_save_keeps_the_previous_rows(alignments: list[Alignment], con: duckdb.DuckDBPyConnection) -> None:
    kwargs = {
        "aligner": ALIGNER_NAME,
        "aligner_version": ALIGNER_VERSION,
        "rome_version": "rome-v460",
        "esco_version": "esco-v1.1.1",
    }
    save_alignments(con, alignments[:10], **kwargs)
    duplicate = [alignments[0], alignments[0]]  # breaks the primary key inside the transaction
    with pytest.raises(duckdb.Error):
        save_alignments(con, duplicate, **kwargs)
    count = con.execute("SELECT count(*) FROM skill_alignments").fetchone()
    assert count is not None and count[0] == 10


@pytest.mark.slow
def test_the_encoder_pairs_labels_worded_otherwise(concepts: list[Concept]) -> None:
    from grepp.enrich.adapters import adapted
    from grepp.enrich.embed import get_encoder
    from grepp.store.vectors import EmbeddingCache

    root = Path(__file__).resolve().parents[2]
    encoder = adapted(get_encoder("use-m3", EmbeddingCache(root / ".grepp-cache" / "vectors")), "skills")
    rows = align_rome_esco(concepts, encoder=encoder)
    by_id = {c.id: c.label for c in concepts}
    best = {}
    for r in rows:
        best.setdefault(by_id[r.rome_id], (by_id[r.esco_id], r))
    assert best["Techniques de soudage"][1].method == "exact"
    assert best["Gestion des réclamations"][0] == "gérer des réclamations"
    assert best["Installation de systèmes hydrauliques"][0] == "installer des systèmes hydrauliques"
    assert all(r.score >= MIN_SCORES["dense"] for r in rows)
