"""`grepp export`: write stored data to files (thin: parse, call the store, report)::

grepp export offers --format parquet --out offres.parquet --region 44 --since 2025-01-01
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from grepp.cli.common import console, get_state
from grepp.store.db import connect


@click.group("export", help="Write stored data to Parquet, CSV or Excel files.")
def export_group() -> None:
    """Group only: see the sub-commands."""


@export_group.command("offers")
@click.option("--format", "fmt", type=click.Choice(("parquet", "csv", "xlsx")), default="parquet", show_default=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File to write.")
@click.option("--region", default=None, help="INSEE région code, e.g. 44.")
@click.option("--departement", default=None, help="INSEE département code, e.g. 67.")
@click.option("--source", default=None, help="Only this source (france-travail, bundesagentur, …).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Created on or after (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Created on or before (YYYY-MM-DD).")
def offers_command(
    fmt: str,
    out: Path,
    region: str | None,
    departement: str | None,
    source: str | None,
    since: datetime | None,
    until: datetime | None,
) -> None:
    """One row per canonical offer with what the AI coded (ai_* columns); duplicates left out, counted.

    The ai_* columns: status (coded | unknown, with the reason), métier and appellation with their
    calibrated confidence (ai_rome_confidence: that the ROME code is right; ai_confidence: that the appellation
    is), best ESCO occupation, and the skills found (all, green, digital), from the latest enricher.
    """
    from grepp.store.offer_export import export_offers

    if since and until and since > until:
        raise click.BadParameter(f"--since {since:%Y-%m-%d} is after --until {until:%Y-%m-%d}", param_hint="--since")
    settings = get_state().settings()
    with connect(settings.db_path) as con:
        count = export_offers(
            con,
            out,
            fmt=fmt,
            region=region,
            departement=departement,
            since=since.date() if since else None,
            until=until.date() if until else None,
            source=source,
        )
    console.print(f"{count:,} offers written to {out}", highlight=False)


def register(cli: click.Group) -> None:
    """Add the ``export`` group to the root group (other modules may add sub-commands to it)."""
    existing = cli.commands.get("export")
    if isinstance(existing, click.Group):
        for name, command in existing.commands.items():
            export_group.add_command(command, name)
    cli.add_command(export_group)
