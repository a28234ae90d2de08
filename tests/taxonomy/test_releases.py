"""Versioned releases: a newer ROME release becomes current, the older one stays queryable."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from grepp.errors import TaxonomyError
from grepp.store import taxonomy as store
from grepp.taxonomy.concepts import load_concepts
from grepp.taxonomy.releases import load_all, version_key

NEW_APPELLATION = (
    '"999001","Soudeur / Soudeuse hyperbare","Soudeur / Soudeuse hyperbare","H2913","Emploi Blanc","","","",""'
    ',"SYNONYME","","H2913","N"\n'
)


def _newer_release(data_dir: Path, target: Path, alter: Callable[[bytes], bytes]) -> Path:
    """A data dir with the real ROME v460 and a v461 copy whose appellation file is altered."""
    (target / "rome").mkdir(parents=True)
    (target / "rome" / "v460").symlink_to(data_dir / "rome" / "v460", target_is_directory=True)
    (target / "esco").symlink_to(data_dir / "esco", target_is_directory=True)
    folder = target / "rome" / "v461"
    folder.mkdir()
    for file in sorted((data_dir / "rome" / "v460").iterdir()):
        name = file.name.replace("_v460_", "_v461_")
        if name == "unix_referentiel_appellation_v461_utf8.csv":
            (folder / name).write_bytes(alter(file.read_bytes()))
        else:
            (folder / name).symlink_to(file)
    return target


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> int:
    row = con.execute(sql, params).fetchone()
    assert row is not None
    return int(row[0])


def test_version_key_orders_numerically() -> None:
    assert sorted(["v99", "v460", "v1000"], key=version_key) == ["v99", "v460", "v1000"]
    assert version_key("v1.10.0") > version_key("v1.9.2")


@pytest.mark.slow
def test_a_newer_release_becomes_current_and_the_old_one_stays(
    taxonomy_con: duckdb.DuckDBPyConnection, data_dir: Path, tmp_path: Path
) -> None:
    data = _newer_release(data_dir, tmp_path / "data", lambda b: b + NEW_APPELLATION.encode())

    report = load_all(taxonomy_con, data)

    status = {(r.taxonomy, r.version): r.status for r in report.releases}
    assert status == {("rome", "v460"): "unchanged", ("rome", "v461"): "loaded", ("esco", "v1.1.1"): "unchanged"}
    current = {(t, v) for t, v, _ in store.current_releases(taxonomy_con)}
    assert current == {("rome", "v461"), ("esco", "v1.1.1")}
    apps = "SELECT count(*) FROM taxonomy_occupations WHERE kind = 'appellation' AND version = ?"
    assert _count(taxonomy_con, apps, ["v460"]) == 13120
    assert _count(taxonomy_con, apps, ["v461"]) == 13121
    current_apps = "SELECT count(*) FROM taxonomy_occupations_current WHERE kind = 'appellation' AND taxonomy = ?"
    assert _count(taxonomy_con, current_apps, ["rome"]) == 13121
    assert "rome-ogr:999001" in {c.id for c in load_concepts(taxonomy_con, taxonomy="rome", kinds=["appellation"])}
    # Loading again is a no-op.
    again = load_all(taxonomy_con, data)
    assert {r.status for r in again.releases} == {"unchanged"}
    # A file of v461 changes: that release is replaced, not duplicated.
    changed = data / "rome" / "v461" / "unix_referentiel_appellation_v461_utf8.csv"
    changed.write_bytes(changed.read_bytes().replace(b'"999001"', b'"999002"'))
    replaced = load_all(taxonomy_con, data)
    assert {(r.version, r.status) for r in replaced.releases if r.taxonomy == "rome"} == {
        ("v460", "unchanged"),
        ("v461", "reloaded"),
    }
    assert _count(taxonomy_con, apps, ["v461"]) == 13121
    ids = "SELECT concept_id FROM taxonomy_occupations WHERE version = 'v461' AND concept_id LIKE 'rome-ogr:99900%'"
    assert taxonomy_con.execute(ids).fetchall() == [("rome-ogr:999002",)]


def test_a_broken_newer_release_leaves_the_current_one(
    taxonomy_con: duckdb.DuckDBPyConnection, data_dir: Path, tmp_path: Path
) -> None:
    data = _newer_release(data_dir, tmp_path / "data", lambda b: b + b'"999001","Soudeur')

    with pytest.raises(TaxonomyError, match=r"unix_referentiel_appellation_v461_utf8.csv line 13122"):
        load_all(taxonomy_con, data)

    assert {(t, v) for t, v, _ in store.current_releases(taxonomy_con)} == {("rome", "v460"), ("esco", "v1.1.1")}
    assert store.table_counts(taxonomy_con, "rome", "v461")["taxonomy_occupations"] == 0
    assert [r.version for r in store.releases(taxonomy_con, "rome")] == ["v460"]
