from __future__ import annotations

from pathlib import Path

import pytest

from grepp.config import GRAND_EST_DEPARTEMENTS, load_settings
from grepp.errors import ConfigError


def test_explicit_data_dir_wins_over_environment(tmp_path: Path, data_dir: Path) -> None:
    settings = load_settings(data=data_dir, env={"GREPP_DATA": str(tmp_path / "nope")}, cwd=tmp_path)
    assert settings.data_dir == data_dir


def test_environment_data_dir_is_used(tmp_path: Path, data_dir: Path) -> None:
    settings = load_settings(env={"GREPP_DATA": str(data_dir)}, cwd=tmp_path)
    assert settings.data_dir == data_dir


def test_local_data_then_shared_data_are_found(tmp_path: Path, data_dir: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "data").symlink_to(data_dir)
    assert load_settings(env={}, cwd=project).data_dir == data_dir
    local = project / "data"
    (local / "rome").mkdir(parents=True)
    (local / "esco").mkdir()
    assert load_settings(env={}, cwd=project).data_dir == local.resolve()


def test_missing_data_dir_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist") as info:
        load_settings(data=tmp_path / "missing", env={}, cwd=tmp_path)
    assert "GREPP_DATA" in str(info.value)


def test_wrong_data_dir_names_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "rome").mkdir()
    with pytest.raises(ConfigError, match="esco"):
        load_settings(data=tmp_path, env={}, cwd=tmp_path)


def test_no_data_dir_anywhere(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no data directory"):
        load_settings(env={}, cwd=tmp_path)


def test_database_path_precedence(tmp_path: Path, data_dir: Path) -> None:
    env = {"GREPP_DB": str(tmp_path / "env.duckdb")}
    assert load_settings(data=data_dir, env=env, cwd=tmp_path).db_path == tmp_path / "env.duckdb"
    explicit = load_settings(data=data_dir, db=tmp_path / "x.duckdb", env=env, cwd=tmp_path)
    assert explicit.db_path == tmp_path / "x.duckdb"
    assert load_settings(data=data_dir, env={}, cwd=tmp_path).db_path == tmp_path / "grepp.duckdb"


def test_default_region_is_grand_est(tmp_path: Path, data_dir: Path) -> None:
    settings = load_settings(data=data_dir, env={}, cwd=tmp_path)
    assert settings.region == "44"
    assert settings.departements == GRAND_EST_DEPARTEMENTS
    assert len(settings.departements) == 10
