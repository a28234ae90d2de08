"""Label search (accent- and gender-insensitive), concept cards, Concepts, and the CLI on the real data."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from grepp.errors import NotFoundError, TaxonomyError
from grepp.store.db import connect
from grepp.taxonomy.concepts import (
    broader_links,
    group_labels,
    load_concepts,
    occupation_skill_links,
    rome_code_of_appellation,
)
from grepp.taxonomy.details import describe
from grepp.taxonomy.search import search

TECH_DIRECTOR = "http://data.europa.eu/esco/occupation/00030d09-2b3a-4efd-87cc-c4ea39d27c34"


@pytest.fixture(scope="module")
def ro(taxonomy_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with connect(taxonomy_db, read_only=True) as con:
        yield con


def test_soudeuse_soudeur_and_soudeur_hf_find_the_same_metier(ro: duckdb.DuckDBPyConnection) -> None:
    results = [search(ro, q, limit=5) for q in ("soudeuse", "Soudeur", "soudeur h/f", "SOUDEUR (H/F)")]
    assert all(r == results[0] for r in results)
    assert results[0][0].concept_id == "rome:H2913" and results[0][0].exact


def test_search_filters_by_taxonomy_and_kind(ro: duckdb.DuckDBPyConnection) -> None:
    esco = search(ro, "comptable", taxonomy="esco", limit=5)
    assert esco and {h.taxonomy for h in esco} == {"esco"}
    apps = search(ro, "infirmière de bloc", kinds=["appellation"], limit=5)
    assert apps and {h.kind for h in apps} == {"appellation"}
    assert any("bloc opératoire" in h.label for h in apps)


def test_search_partial_words_rank_by_overlap(ro: duckdb.DuckDBPyConnection) -> None:
    hits = search(ro, "conducteur engins agricoles", taxonomy="rome", kinds=["metier"], limit=3)
    assert hits[0].concept_id == "rome:A1101" and not hits[0].exact
    assert search(ro, "zzzzqqq", limit=3) == []


def test_show_a_rome_metier(ro: duckdb.DuckDBPyConnection) -> None:
    card = describe(ro, "M1805")
    sections = {s.title: s for s in card.sections}
    assert card.id == "rome:M1805" and card.kind == "metier"
    assert card.description and "informatique" in card.description
    assert len(sections["Appellations"].items) >= 10
    assert {"Savoir-faire", "Savoir-être professionnels", "Savoirs", "Mobilités"} <= set(sections)
    assert any(i.note and "cœur de métier" in i.note for i in sections["Savoir-faire"].items)
    assert ("transition_num", None) in card.flags


def test_show_an_appellation_and_esco_concepts(ro: duckdb.DuckDBPyConnection) -> None:
    app = describe(ro, "10200")
    assert app.kind == "appellation" and app.parent is not None and app.parent.id == "rome:F1402"
    occ = describe(ro, TECH_DIRECTOR)
    assert occ.label == "directeur technique/directrice technique"
    essential = {s.title: s for s in occ.sections}["Essential skills"]
    assert len(essential.items) >= 5
    skill = describe(ro, essential.items[0].id.removeprefix("esco:"))
    assert skill.taxonomy == "esco" and skill.kind in ("skill", "knowledge")
    assert any(s.title.startswith("Occupations") for s in skill.sections)


def test_show_unknown_code_and_empty_database(ro: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        describe(ro, "Z9999")
    with pytest.raises(NotFoundError):
        describe(ro, "not a code")
    with connect(tmp_path / "empty.duckdb") as empty, pytest.raises(TaxonomyError, match="grepp taxonomy load"):
        describe(empty, "M1805")


@pytest.mark.slow
def test_load_concepts_shape(ro: duckdb.DuckDBPyConnection) -> None:
    concepts = load_concepts(ro)
    kinds: dict[str, int] = {}
    for c in concepts:
        kinds[c.kind] = kinds.get(c.kind, 0) + 1
    assert kinds == {
        "metier": 1584,
        "appellation": 13120,
        "competence": 18317,
        "savoir": 15354,
        "occupation": 3007,
        "skill": 10837,
        "knowledge": 3059,
    }
    by_id = {c.id: c for c in concepts}
    tech = by_id[f"esco:{TECH_DIRECTOR}"]
    assert tech.label == "directeur technique/directrice technique"  # French preferred
    assert tech.parent_id is not None and tech.parent_id.startswith("esco:")
    assert {lb.lang for lb in tech.labels} == {"fr", "en"}
    assert by_id["rome-ogr:10200"].parent_id == "rome:F1402"
    assert "green" in by_id["esco:http://data.europa.eu/esco/skill/001d46db-035e-4b92-83a3-ed8771e0c123"].flags
    assert sum("savoir_etre" in c.flags for c in concepts) == 16
    assert any("transition_eco" in c.flags for c in concepts if c.kind == "appellation")
    # in the same order every time (what is built from the list, e.g. the shipped adapters, must not vary)
    assert [c.id for c in concepts] == sorted(c.id for c in concepts)


def test_broader_links_and_group_labels(ro: duckdb.DuckDBPyConnection) -> None:
    links = broader_links(ro, "esco")
    assert links == sorted(links) and len(links) == 24273  # both pillars' broader relations, every link
    groups = group_labels(ro, "esco", "skill_group")
    # a skill's broader concept is another skill or an ESCO skill group (English label in the data)
    parents = {b for c, b in links if "/skill/" in c}
    assert len(parents & groups.keys()) > 500
    with pytest.raises(TaxonomyError):
        broader_links(ro, "nope")


def test_links_and_appellation_codes(ro: duckdb.DuckDBPyConnection) -> None:
    esco = occupation_skill_links(ro, "esco")
    assert len(esco) == 123855 and {r for _, _, r in esco} == {"essential", "optional"}
    rome = occupation_skill_links(ro, "rome")
    assert {r for _, _, r in rome} == {"core", "emerging", "linked"}
    assert rome_code_of_appellation(ro)["10200"] == "F1402"
    with pytest.raises(TaxonomyError):
        load_concepts(ro, kinds=["plumber"])


def _grepp(*args: str, db: Path, data: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "grepp.cli.main", "--data", str(data), "--db", str(db), *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)


@pytest.mark.slow
def test_cli_load_show_and_search(taxonomy_db: Path, data_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "cli.duckdb"
    db.write_bytes(taxonomy_db.read_bytes())
    loaded = _grepp("taxonomy", "load", db=db, data=data_dir)
    assert loaded.returncode == 0, loaded.stderr
    assert "unchanged" in loaded.stdout and "1,584" in loaded.stdout and "123,855" in loaded.stdout
    shown = _grepp("taxonomy", "show", "M1805", db=db, data=data_dir)
    assert shown.returncode == 0, shown.stderr
    assert "Développeur / Développeuse informatique" in shown.stdout and "Mobilités" in shown.stdout
    found = _grepp("taxonomy", "search", "soudeuse", "--taxonomy", "rome", "--kind", "metier", db=db, data=data_dir)
    assert found.returncode == 0 and "H2913" in found.stdout
    missing = _grepp("taxonomy", "show", "Z9999", db=db, data=data_dir)
    assert missing.returncode == NotFoundError.exit_code and missing.stderr.startswith("Error: ")
    empty = _grepp("taxonomy", "show", "M1805", db=tmp_path / "empty.duckdb", data=data_dir)
    assert empty.returncode == TaxonomyError.exit_code and "grepp taxonomy load" in empty.stderr


def test_index_words_and_query_words_follow_one_rule(ro: duckdb.DuckDBPyConnection) -> None:
    """The index splits keys into words in SQL, queries in Python: both must give the same words."""
    from grepp.store import taxonomy as store
    from grepp.taxonomy.search import STOPWORDS, search_words

    postings = store.select_search_postings(ro, sorted(STOPWORDS))
    keys = store.select_search_labels(ro).column("key").to_pylist()
    in_sql = {
        (w, li)
        for w, labels in zip(*(postings.column(c).to_pylist() for c in ("word", "labels")), strict=True)
        for li in labels
    }
    in_python = {(w, li) for li, key in enumerate(keys) for w in search_words(key)}
    assert in_sql == in_python
    assert search_words("conducteur d'engins agricoles") == ["conducteur", "engin", "agricole"]
