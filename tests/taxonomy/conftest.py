"""Helpers for the taxonomy tests: a data directory built from the real one, with some files altered."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from grepp.store import taxonomy as store

#: bytes → bytes (the altered content), or None to delete the file.
Alteration = Callable[[bytes], bytes] | None


def build_data_dir(real: Path, target: Path, alterations: dict[str, Alteration]) -> Path:
    """A data dir under ``target`` mirroring ``real`` by symlinks; the altered files are real copies.

    ``alterations`` maps a path relative to the data dir (``rome/v460/unix_…csv``) to its alteration.
    Only the folders holding an altered file are rebuilt file by file; the rest are symlinked whole.
    """
    target.mkdir(parents=True, exist_ok=True)
    changed_dirs = {Path(rel).parent for rel in alterations}
    for taxonomy in ("rome", "esco"):
        (target / taxonomy).mkdir(exist_ok=True)
        for child in sorted((real / taxonomy).iterdir()):
            rel_dir = Path(taxonomy) / child.name
            if rel_dir not in changed_dirs:
                (target / rel_dir).symlink_to(child, target_is_directory=child.is_dir())
                continue
            (target / rel_dir).mkdir()
            for file in sorted(child.iterdir()):
                rel = str(rel_dir / file.name)
                if rel not in alterations:
                    (target / rel).symlink_to(file)
                elif (alter := alterations[rel]) is not None:
                    (target / rel).write_bytes(alter(file.read_bytes()))
    return target


def snapshot(con: duckdb.DuckDBPyConnection) -> tuple[object, ...]:
    """Everything a failed load must leave unchanged: releases and each release's row counts."""
    releases = store.releases(con)
    counts = tuple(store.table_counts(con, r.taxonomy, r.version) for r in releases)
    return (tuple(releases), counts)


@pytest.fixture
def make_data_dir(data_dir: Path, tmp_path: Path) -> Callable[[dict[str, Alteration]], Path]:
    def make(alterations: dict[str, Alteration]) -> Path:
        return build_data_dir(data_dir, tmp_path / "data", alterations)

    return make


@pytest.fixture
def db_snapshot() -> Callable[[duckdb.DuckDBPyConnection], tuple[object, ...]]:
    """The :func:`snapshot` function, for tests that check a failed load changed nothing."""
    return snapshot
