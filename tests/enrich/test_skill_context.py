"""The ESCO skills around a ROME item (its fiches' ESCO occupations) lift the trade's own skill (real taxonomies)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from grepp.enrich.expansion import LabelBook
from grepp.enrich.ranking import rank_corpus
from grepp.enrich.skill_context import SkillNeighbourhood
from grepp.models import Concept
from grepp.taxonomy.concepts import load_concepts, occupation_skill_links


@pytest.fixture(scope="module")
def taxonomies(taxonomy_db: Path) -> tuple[list[Concept], LabelBook, SkillNeighbourhood]:
    con = duckdb.connect(str(taxonomy_db), read_only=True)
    try:
        concepts = load_concepts(con)
        links = occupation_skill_links(con, "rome"), occupation_skill_links(con, "esco")
    finally:
        con.close()
    book = LabelBook.from_concepts(concepts)
    return concepts, book, SkillNeighbourhood.build(concepts, book, *links)


def test_an_item_is_found_by_its_name_or_its_nearest_rome_wording(
    taxonomies: tuple[list[Concept], LabelBook, SkillNeighbourhood],
) -> None:
    concepts, book, hood = taxonomies
    label = {c.id: c.label for c in concepts}
    exact, near, nothing = hood.items_for(["Techniques de cubage", "Hygiène industrielle", "Zorglub xyzzy"], book)
    assert [label[i] for i in exact] == ["Techniques de cubage"]
    # a ROME v3 wording (VDAB's Competent) stands for the v4 item that says nearly the same
    assert [label[i] for i in near] == ["Sécurité et hygiène industrielle"]
    assert nothing == []
    assert hood.weights(nothing) == {}


def test_the_neighbourhood_lifts_the_skills_of_the_items_trade(
    taxonomies: tuple[list[Concept], LabelBook, SkillNeighbourhood],
) -> None:
    """Timber cubing (a savoir of woodcutters and sawmill workers) read alone looks like welding or sandblasting
    techniques; its fiches' ESCO occupations (sawmill workers) ask for sawing skills, first with the neighbourhood."""
    concepts, book, hood = taxonomies
    esco = [(c.id, c.label) for c in concepts if c.taxonomy == "esco" and c.kind in ("skill", "knowledge")]
    query = [("q", "Techniques de cubage")]
    around = hood.weights(hood.items_for(["Techniques de cubage"], book)[0])
    assert around and all(0 < share <= 1 for share in around.values())
    alone = rank_corpus(query, esco, book=book, top=5)[0][1]
    lifted = rank_corpus(query, esco, book=book, top=5, neighbourhood=hood)[0][1]
    assert alone[0][0] not in around  # the look-alike of another trade
    assert lifted[0][0] in around
    assert lifted[0][1] > alone[0][1]
    # skill sentences (job-ad text) and labels naming no ROME item are ranked as before
    sentence = [("s", "Vous maîtrisez les techniques de cubage du bois sur les chantiers forestiers de la région.")]
    assert rank_corpus(sentence, esco, book=book, top=5, neighbourhood=hood) == rank_corpus(
        sentence, esco, book=book, top=5
    )
    other = [("o", "Zorglub xyzzy")]
    assert rank_corpus(other, esco, book=book, top=5, neighbourhood=hood) == rank_corpus(other, esco, book=book, top=5)
