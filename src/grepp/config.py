"""One typed Settings object, built at the entry points and passed down.

Precedence for the data directory: explicit argument (``--data``) > ``GREPP_DATA`` > ``./data`` >
``../shared/data``. For the database: ``--db`` > ``GREPP_DB`` > ``./grepp.duckdb``. Nothing here runs at
import time; call :func:`load_settings`::

    settings = load_settings(data="../shared/data")
    settings.data_dir / "rome" / "v460"
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from grepp.errors import ConfigError

#: INSEE code of the Grand Est region and its départements.
GRAND_EST_REGION = "44"
GRAND_EST_DEPARTEMENTS: tuple[str, ...] = ("08", "10", "51", "52", "54", "55", "57", "67", "68", "88")

#: Folders that must exist in a usable data directory (the real layout of ../shared/data).
REQUIRED_DATA_DIRS: tuple[str, ...] = ("rome", "esco")


@dataclass(frozen=True)
class Settings:
    """Where grepp reads data, where it stores results, and which region it observes."""

    data_dir: Path
    db_path: Path
    region: str = GRAND_EST_REGION
    departements: tuple[str, ...] = GRAND_EST_DEPARTEMENTS
    cache_dir: Path = field(default_factory=lambda: Path(".grepp-cache"))
    mirror: str | None = None
    debug: bool = False
    #: Offers written per transaction, and the Jaccard similarity above which two offers are near-duplicates.
    offer_batch_size: int = 5000
    dedupe_threshold: float = 0.8


def _resolve_data_dir(data: str | Path | None, env: Mapping[str, str], cwd: Path) -> Path:
    if data is not None:
        candidates = [(Path(data), "--data")]
    elif env.get("GREPP_DATA"):
        candidates = [(Path(env["GREPP_DATA"]), "GREPP_DATA")]
    else:
        candidates = [(cwd / "data", "./data"), (cwd.parent / "shared" / "data", "../shared/data")]
    for path, origin in candidates:
        if path.is_dir():
            missing = [d for d in REQUIRED_DATA_DIRS if not (path / d).is_dir()]
            if missing:
                raise ConfigError(
                    f"data directory {path} (from {origin}) has no {', '.join(missing)}/ folder",
                    hint="point --data or GREPP_DATA at a copy of shared/data, or run 'grepp data fetch'",
                )
            return path.resolve()
        if origin in ("--data", "GREPP_DATA"):
            raise ConfigError(
                f"data directory {path} (from {origin}) does not exist",
                hint="give an existing folder, e.g. GREPP_DATA=../shared/data",
            )
    raise ConfigError(
        "no data directory found (tried ./data and ../shared/data)",
        hint="set GREPP_DATA or pass --data, or run 'grepp data fetch' to download the releases",
    )


def load_settings(
    *,
    data: str | Path | None = None,
    db: str | Path | None = None,
    region: str | None = None,
    mirror: str | None = None,
    debug: bool = False,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    require_data: bool = True,
) -> Settings:
    """Build the settings from explicit values, then the environment, then defaults.

    ``require_data=False`` lets commands that create the data directory (``grepp data fetch``) run
    before it exists; the data directory then defaults to ``./data``.
    """
    env = os.environ if env is None else env
    cwd = Path.cwd() if cwd is None else cwd
    if require_data:
        data_dir = _resolve_data_dir(data, env, cwd)
    else:
        data_dir = Path(data or env.get("GREPP_DATA") or cwd / "data")
    db_path = Path(db or env.get("GREPP_DB") or cwd / "grepp.duckdb")
    if db_path.exists() and db_path.is_dir():
        raise ConfigError(f"database path {db_path} is a directory", hint="give a file path, e.g. grepp.duckdb")
    cache_dir = Path(env.get("GREPP_CACHE") or cwd / ".grepp-cache")
    region = region or env.get("GREPP_REGION") or GRAND_EST_REGION
    departements = GRAND_EST_DEPARTEMENTS if region == GRAND_EST_REGION else ()
    return Settings(
        data_dir=data_dir,
        db_path=db_path,
        region=region,
        departements=departements,
        cache_dir=cache_dir,
        mirror=mirror or env.get("GREPP_MIRROR") or None,
        debug=debug,
    )
