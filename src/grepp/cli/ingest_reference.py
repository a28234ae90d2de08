"""`grepp ingest geo` and `grepp ingest stats`: load geography and official statistics from the data dir.

Thin: parse the options, call :func:`grepp.sources.geo.load_geography` or
:func:`grepp.sources.statistics.load_statistics`, print one run-report table::

    grepp ingest geo
    grepp ingest stats --only bmo,tension
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from grepp.cli.common import console, get_state, progress_bar, report_table
from grepp.store.db import connect
from grepp.store.runs import RunReport


def register(cli: click.Group) -> None:
    """Add ``geo`` and ``stats`` to the ``ingest`` group (created by grepp.cli.ingest; made here if missing)."""
    group = cli.commands.get("ingest")
    if not isinstance(group, click.Group):
        group = click.Group("ingest", help="Load sources into the store.")
        cli.add_command(group)
    group.add_command(geo_command)
    group.add_command(stats_command)


def _print_rejections(reports: Sequence[RunReport]) -> None:
    for r in reports:
        for error in r.errors[:3]:
            console.print(f"  rejected ({r.source}): {error}", markup=False, highlight=False)


@click.command("geo")
def geo_command() -> None:
    """Load INSEE COG 2024 communes, départements, régions, zones d'emploi, bassins BMO and code changes."""
    from grepp.sources.geo import GEOGRAPHY_STEPS, load_geography

    settings = get_state().settings()
    with connect(settings.db_path) as con, progress_bar("geography", total=GEOGRAPHY_STEPS) as advance:
        reports = load_geography(con, settings.data_dir, on_progress=advance)
    console.print(report_table("Geography", reports))
    _print_rejections(reports)


@click.command("stats")
@click.option(
    "--only",
    default=None,
    metavar="LIST",
    help="Comma-separated subset of: bmo, defm, dares, fap, tension, market, zones (default: all).",
)
def stats_command(only: str | None) -> None:
    """Load BMO 2024, DEFM job seekers, DARES tensions, FAP nomenclatures and métiers en tension."""
    from grepp.sources.statistics import STATISTICS, load_statistics

    settings = get_state().settings()
    parts: list[str] | None = None
    if only:
        parts = [p.strip().lower() for p in only.split(",") if p.strip()]
        unknown = [p for p in parts if p not in STATISTICS]
        if unknown:
            raise click.BadParameter(
                f"unknown part {unknown[0]!r}; choose among {', '.join(STATISTICS)}", param_hint="--only"
            )
    selected = parts or list(STATISTICS)
    with connect(settings.db_path) as con, progress_bar("statistics", total=len(selected)) as advance:
        reports = load_statistics(con, settings.data_dir, on_progress=advance, only=selected)
    console.print(report_table("Statistics", reports))
    _print_rejections(reports)
