"""Fixtures shared by the whole suite: the real data directory, settings, and throw-away databases.

Tests read the real files in ../shared/data (or $GREPP_DATA). Expensive artifacts are built once per
session (session-scoped fixtures) and cached on disk under .grepp-cache keyed by their inputs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from grepp.config import Settings, load_settings
from grepp.store.db import connect

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The real data directory (../shared/data, or $GREPP_DATA)."""
    path = Path(os.environ.get("GREPP_DATA") or ROOT.parent / "shared" / "data").resolve()
    if not (path / "rome").is_dir():
        pytest.fail(f"the real data directory is missing: {path} (set GREPP_DATA)")
    return path


@pytest.fixture
def settings(tmp_path: Path, data_dir: Path) -> Settings:
    """Settings on the real data with a fresh database file in a temporary folder."""
    return load_settings(data=data_dir, db=tmp_path / "grepp.duckdb", env={}, cwd=tmp_path)


@pytest.fixture
def con(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a fresh, real DuckDB file with the schema applied."""
    with connect(settings.db_path) as connection:
        yield connection


@pytest.fixture(scope="session")
def taxonomy_db(data_dir: Path) -> Path:
    """A DuckDB file with ROME and ESCO loaded (read-only use; copy it to write: see ``taxonomy_con``).

    Built once and cached under .grepp-cache/, keyed by the input files (name, size, mtime) and the
    taxonomy loader version.
    """
    from grepp.taxonomy.releases import cached_taxonomy_db

    return cached_taxonomy_db(data_dir, ROOT / ".grepp-cache")


@pytest.fixture
def taxonomy_con(taxonomy_db: Path, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A writable connection to a private copy of ``taxonomy_db`` (schema of every store module applied)."""
    import shutil

    copy = tmp_path / "taxonomy.duckdb"
    shutil.copyfile(taxonomy_db, copy)
    with connect(copy) as connection:
        yield connection
