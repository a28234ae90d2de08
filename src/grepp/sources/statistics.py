"""Load every official statistics source: BMO, DEFM, DARES tensions, FAP tables, métiers en tension, …

Each part is loaded in its own transaction with its own run reports, so ``--only`` can reload one
part and a broken file in one part leaves the others (and its own stored rows) as they were::

    reports = load_statistics(con, settings.data_dir)                 # everything
    reports = load_statistics(con, settings.data_dir, only=["bmo"])   # one part
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb

from grepp.sources.bmo import load_bmo
from grepp.sources.dares import load_dares_tension
from grepp.sources.defm import load_defm
from grepp.sources.fap import load_fap
from grepp.sources.tension import load_market, load_tension
from grepp.sources.zone_figures import load_zone_figures
from grepp.store.runs import RunReport

Loader = Callable[[duckdb.DuckDBPyConnection, Path], list[RunReport]]

#: Part name (as given to ``grepp ingest stats --only``) → loader, in loading order.
STATISTICS: dict[str, Loader] = {
    "bmo": load_bmo,
    "defm": load_defm,
    "dares": load_dares_tension,
    "fap": load_fap,
    "tension": load_tension,
    "market": load_market,
    "zones": load_zone_figures,
}


def load_statistics(
    con: duckdb.DuckDBPyConnection,
    data_dir: Path,
    on_progress: Callable[[int], None] | None = None,
    *,
    only: Sequence[str] | None = None,
) -> list[RunReport]:
    """Load the selected parts (all by default) from ``data_dir``; one report per table loaded.

    ``on_progress(1)`` is called after each part. An unknown part name is a ValueError (the CLI checks
    names before calling).
    """
    parts = list(only) if only else list(STATISTICS)
    unknown = [part for part in parts if part not in STATISTICS]
    if unknown:
        raise ValueError(f"unknown statistics part {unknown[0]!r}; choose among {', '.join(STATISTICS)}")
    reports: list[RunReport] = []
    for part in parts:
        reports.extend(STATISTICS[part](con, data_dir))
        if on_progress is not None:
            on_progress(1)
    return reports
