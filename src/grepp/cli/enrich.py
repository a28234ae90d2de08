"""`grepp enrich`: code the stored offers into occupations and skills (only new or changed offers)."""

from __future__ import annotations

import click

from grepp.cli.common import console, get_state, progress_bar
from grepp.store.db import connect


@click.command("enrich")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Enrich at most N offers (for a try).")
@click.option("--dense", is_flag=True, help="Add the e5 embedding model (slow when its cache is cold).")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: one per core, at most 4; the database is written by this process).",
)
def enrich_command(limit: int | None, dense: bool, workers: int | None) -> None:
    """Code every new or changed offer: ROME appellation and métier, ESCO occupation, skills with their spans.

    Results are stored per enricher version (tables offer_occupations, offer_skills), so a re-run codes
    only what changed and a newer model's results sit beside the older ones.
    """
    from grepp.offer_enrichment import build_enrichers, default_workers, enrich_stored_offers

    settings = get_state().settings()
    with connect(settings.db_path) as con:
        with progress_bar("modèles (index des libellés)") as advance:
            enrichers = build_enrichers(con, settings, dense=dense, on_progress=advance)
        with progress_bar("offres enrichies") as advance:
            counts = enrich_stored_offers(
                con, settings, on_progress=advance, limit=limit, dense=dense, workers=workers or default_workers()
            )
    console.print(f"enricher: {enrichers.version}", markup=False, highlight=False)
    for name, n in counts.items():
        console.print(f"{name}: {n:,}", markup=False, highlight=False)


def register(cli: click.Group) -> None:
    """Add `grepp enrich` to the root group."""
    cli.add_command(enrich_command)
