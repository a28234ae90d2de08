"""ROME ↔ ESCO skill alignment on the real taxonomies, stored in a real DuckDB file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from grepp.enrich.skill_alignment import ALIGNER_NAME, ALIGNER_VERSION, Alignment, align_rome_esco
from grepp.store.alignments import save_alignments, select_alignments
from grepp.taxonomy.concepts import load_concepts


@pytest.fixture(scope="module")
def alignments(taxonomy_db: Path) -> list[Alignment]:
    con = duckdb.connect(str(taxonomy_db), read_only=True)
    try:
        concepts = load_concepts(con, kinds=["competence", "savoir", "skill", "knowledge"])
    finally:
        con.close()
    return align_rome_esco(concepts)


def test_same_labels_align_exactly_and_scores_are_bounded(alignments: list[Alignment]) -> None:
    by_rome: dict[str, list[Alignment]] = {}
    for a in alignments:
        by_rome.setdefault(a.rome_id, []).append(a)
    assert len(by_rome) > 1000
    assert all(0.5 <= a.score <= 1.0 and a.esco_id.startswith("esco:") for a in alignments)
    assert all(len(v) <= 3 for v in by_rome.values())
    # "Techniques de soudage" (ROME savoir 100007) is an ESCO French label too
    welding = by_rome.get("rome-ogr:100007", [])
    assert welding and welding[0].method == "exact" and welding[0].score == 1.0


def test_alignments_are_stored_once_even_when_saved_twice(
    alignments: list[Alignment], con: duckdb.DuckDBPyConnection
) -> None:
    kwargs = {
        "aligner": ALIGNER_NAME,
        "aligner_version": ALIGNER_VERSION,
        "rome_version": "rome-v460",
        "esco_version": "esco-v1.1.1",
    }
    some = [a for a in alignments if a.rome_id == "rome-ogr:100007"] + alignments[:300]
    some = list(dict.fromkeys(some))
    assert save_alignments(con, some, **kwargs) == len(some)
    save_alignments(con, some, **kwargs)
    count = con.execute("SELECT count(*) FROM skill_alignments").fetchone()
    assert count is not None and count[0] == len(some)
    rows = select_alignments(con, "rome-ogr:100007")
    assert rows and rows[0][1] == 1.0


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
def test_dense_fallback_aligns_items_the_gazetteer_missed(taxonomy_db: Path) -> None:
    from grepp.enrich.embed import get_encoder
    from grepp.store.vectors import EmbeddingCache

    con = duckdb.connect(str(taxonomy_db), read_only=True)
    try:
        concepts = load_concepts(con, kinds=["competence", "savoir", "skill", "knowledge"])
    finally:
        con.close()
    wanted_rome = {"Gestion des réclamations", "Installation de systèmes hydrauliques"}
    rome = [c for c in concepts if c.taxonomy == "rome" and c.label in wanted_rome]
    esco = [c for c in concepts if c.taxonomy == "esco"][:300]
    esco += [
        c
        for c in concepts
        if c.taxonomy == "esco" and c.label in ("gérer des réclamations", "installer des systèmes hydrauliques")
    ]
    root = Path(__file__).resolve().parents[2]
    encoder = get_encoder("use-m3", EmbeddingCache(root / ".grepp-cache" / "skills-align"))
    assert not align_rome_esco([*rome, *esco])  # the gazetteer alone finds nothing here
    rows = align_rome_esco([*rome, *esco], encoder=encoder)
    by_id = {c.id: c.label for c in [*rome, *esco]}
    pairs = {(by_id[r.rome_id], by_id[r.esco_id]) for r in rows}
    assert ("Gestion des réclamations", "gérer des réclamations") in pairs
    assert all(r.method == "dense" and 0.8 <= r.score <= 1.0 for r in rows)
