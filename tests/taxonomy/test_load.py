"""Loading the real ROME v460 and ESCO v1.1.1 files: row counts match the files, the shape is one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from grepp.errors import TaxonomyError
from grepp.store import taxonomy as store
from grepp.store.db import connect
from grepp.taxonomy.releases import ensure_loaded, load_all


@pytest.fixture
def ro(taxonomy_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with connect(taxonomy_db, read_only=True) as con:
        yield con


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def test_rome_counts_match_the_files(ro: duckdb.DuckDBPyConnection) -> None:
    assert _count(ro, "SELECT count(*) FROM taxonomy_occupations_current WHERE kind = 'metier'") == 1584
    parents = "SELECT count(*) FROM taxonomy_occupations_current WHERE kind = 'metier' AND parent_id LIKE 'rome-dp:%'"
    assert _count(ro, parents) == 532
    assert _count(ro, "SELECT count(*) FROM taxonomy_occupations_current WHERE kind = 'appellation'") == 13120
    assert _count(ro, "SELECT count(*) FROM taxonomy_skills_current WHERE kind = 'competence'") == 18317
    assert _count(ro, "SELECT count(*) FROM taxonomy_skills_current WHERE kind = 'savoir'") == 15354
    assert _count(ro, "SELECT count(*) FROM taxonomy_mobilities_current") == 14912
    rome_links = "SELECT count(*) FROM taxonomy_occupation_skills_current WHERE taxonomy = 'rome'"
    assert _count(ro, rome_links) == 49440 + 5255 + 35861  # bloc 5: savoir-faire, savoir-être, savoirs


def test_esco_counts_match_the_files(ro: duckdb.DuckDBPyConnection) -> None:
    assert _count(ro, "SELECT count(*) FROM taxonomy_occupations_current WHERE taxonomy = 'esco'") == 3007
    assert _count(ro, "SELECT count(*) FROM taxonomy_skills_current WHERE taxonomy = 'esco'") == 13896
    assert _count(ro, "SELECT count(*) FROM taxonomy_skills_current WHERE kind = 'knowledge'") == 3059
    relations = "SELECT count(*) FROM taxonomy_occupation_skills_current WHERE taxonomy = 'esco'"
    assert _count(ro, relations) == 123855
    essential = relations + " AND relation = 'essential'"
    assert _count(ro, essential) == 64946
    assert _count(ro, "SELECT count(*) FROM taxonomy_skill_relations_current") == 5899
    assert _count(ro, "SELECT count(*) FROM taxonomy_flags_current WHERE flag = 'green'") == 570


def test_release_rows_record_hash_counts_and_current(ro: duckdb.DuckDBPyConnection) -> None:
    releases = {(r.taxonomy, r.version): r for r in store.releases(ro)}
    assert set(releases) == {("rome", "v460"), ("esco", "v1.1.1")}
    rome = releases["rome", "v460"]
    assert rome.is_current and len(rome.content_sha256) == 64
    assert rome.row_counts["kind:metier"] == 1584 and rome.row_counts["metier_parent_fiches"] == 532
    assert releases["esco", "v1.1.1"].row_counts["taxonomy_occupation_skills"] == 123855


def test_labels_keep_language_kind_and_version(ro: duckdb.DuckDBPyConnection) -> None:
    rows = ro.execute(
        "SELECT lang, kind, label_version, text FROM taxonomy_labels_current WHERE concept_id = ? ORDER BY ALL",
        ["esco:http://data.europa.eu/esco/occupation/00030d09-2b3a-4efd-87cc-c4ea39d27c34"],
    ).fetchall()
    assert ("en", "preferred", "esco-v1.1.1", "technical director") in rows
    assert ("fr", "preferred", "esco-v1.2-api", "directeur technique/directrice technique") in rows
    assert ("fr", "feminine", "esco-v1.2-api", "directrice technique") in rows
    # v1.0 French labels only fill in for concepts the v1.2 export lacks.
    fallback = "SELECT count(DISTINCT concept_id) FROM taxonomy_labels_current WHERE label_version = 'esco-v1.0'"
    assert 0 < _count(ro, fallback) < 2000
    de = ro.execute(
        "SELECT l.text FROM taxonomy_labels_current l JOIN taxonomy_skills_current s USING (concept_id) "
        "WHERE l.lang = 'de' AND s.label = 'install heat pump'"
    ).fetchall()
    assert de == [("Wärmepumpe installieren",)]


def test_loading_the_same_release_twice_changes_nothing(
    taxonomy_con: duckdb.DuckDBPyConnection, data_dir: Path
) -> None:
    before = store.releases(taxonomy_con)
    counts = store.table_counts(taxonomy_con, "esco", "v1.1.1")
    report = load_all(taxonomy_con, data_dir)
    assert [r.status for r in report.releases] == ["unchanged", "unchanged"]
    assert store.releases(taxonomy_con) == before
    assert store.table_counts(taxonomy_con, "esco", "v1.1.1") == counts
    assert ensure_loaded(taxonomy_con, data_dir) is None


def test_german_list_out_of_line_is_not_joined(make_data_dir, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """The German file has no URIs: joined by row only while its untranslated names line up."""
    from grepp.taxonomy.csvfile import read_csv
    from grepp.taxonomy.esco import german_labels
    from grepp.taxonomy.rows import ReleaseRows

    skills = read_csv(data_dir / "esco/v1.1.1-en/skills_en.csv", required=("conceptUri", "preferredLabel"))
    in_line = ReleaseRows("esco", "v1.1.1")
    german_labels(in_line, data_dir / "esco", skills, lambda n: None)
    assert len(in_line.tables["taxonomy_labels"]) > 13000 and not in_line.warnings

    def shift(b: bytes) -> bytes:
        header, first, rest = b.split(b"\r\n", 2)
        return header + b"\r\n" + rest + first + b"\r\n"  # same count, every label one row off

    data = make_data_dir({"esco/de-labels/esco_skills_de.txt": shift})
    shifted = ReleaseRows("esco", "v1.1.1")
    german_labels(shifted, data / "esco", skills, lambda n: None)
    assert shifted.tables["taxonomy_labels"] == []
    assert any("does not line up" in w for w in shifted.warnings)


def test_ensure_loaded_reads_files_only_when_nothing_is_current(
    taxonomy_con: duckdb.DuckDBPyConnection,
    tmp_path: Path,
    make_data_dir,  # type: ignore[no-untyped-def]
) -> None:
    broken = make_data_dir({"rome/v460/unix_referentiel_code_rome_v460_utf8.csv": None})
    assert ensure_loaded(taxonomy_con, broken) is None  # both taxonomies current: files not even read
    with connect(tmp_path / "empty.duckdb") as empty, pytest.raises(TaxonomyError, match="taxonomy file missing"):
        ensure_loaded(empty, broken)
