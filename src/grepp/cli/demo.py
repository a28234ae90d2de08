"""`grepp demo build` (the main job on the data directory) and `grepp demo show` (what a person looks at)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from grepp.cli.common import console, get_state, progress_bar
from grepp.store.db import connect


@click.group("demo")
def demo_group() -> None:
    """The demo: build the database from the data directory, then show what grepp found."""


@demo_group.command("build")
def build_command() -> None:
    """Load and align the taxonomies, load the data, then code every offer and training (incremental)."""
    from grepp.pipeline import DEMO_STEPS, run_step

    settings = get_state().settings()
    console.print(f"data: {settings.data_dir}\ndatabase: {settings.db_path}", markup=False, highlight=False)
    table = Table(title="grepp demo build")
    for column in ("step", "read", "stored", "updated", "unchanged", "duplicates", "rejected", "seconds"):
        table.add_column(column, justify="left" if column == "step" else "right")
    with connect(settings.db_path) as con:
        for step in DEMO_STEPS:
            with progress_bar(step.caption) as advance:
                result = run_step(step, con, settings, advance)
            if result.reports:
                totals = [
                    sum(getattr(r, name) for r in result.reports)
                    for name in ("read", "stored", "updated", "unchanged", "duplicates", "rejected")
                ]
                table.add_row(step.name, *(f"{n:,}" for n in totals), f"{result.seconds:.1f}")
            else:
                detail = ", ".join(f"{k}: {v:,}" for k, v in result.counts.items())
                table.add_row(f"{step.name} ({detail})", "", "", "", "", "", "", f"{result.seconds:.1f}")
    console.print(table)


@demo_group.command("show")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("build/demo/index.html"),
    show_default=True,
    help="Where to write the HTML report.",
)
@click.option("--examples", type=click.IntRange(1, 20), default=3, show_default=True, help="Offers to show.")
def show_command(out: Path, examples: int) -> None:
    """Summarise the database in the terminal and write a French HTML report with offers and their skills."""
    from grepp.store import summary
    from grepp.web.report import render_report

    settings = get_state().settings()
    with connect(settings.db_path) as con:
        counts = summary.table_counts(con)
        sources = summary.offers_by_source(con)
        zones = summary.offers_by_zone(con, settings.region)
        metiers = summary.top_coded_metiers(con)
        offers = [summary.offer_example(con, oid) for oid in summary.example_offer_ids(con, settings.region, examples)]
    table = Table(title="Ce que contient la base")
    table.add_column("table")
    table.add_column("contenu")
    table.add_column("lignes", justify="right")
    for name, caption, n in counts:
        table.add_row(name, caption, f"{n:,}")
    console.print(table)
    zone_table = Table(title="Offres en Grand Est par zone d'emploi")
    for column in ("zone", "nom", "offres"):
        zone_table.add_column(column)
    for code, name, n in zones:
        zone_table.add_row(code, name, f"{n:,}")
    console.print(zone_table)
    if offers:
        example = offers[0]
        console.print(f"\n[bold]{example.title}[/bold] — {example.place}", highlight=False)
        if example.occupations:
            rome, label, _, confidence = example.occupations[0]
            metier = example.coded_metier
            if metier is not None:  # the ROME code's confidence, then the appellation's
                console.print(f"métier codé : {rome} {metier[1]} (confiance {metier[2]:.0%})", highlight=False)
                console.print(f"appellation : {label} (confiance {confidence:.0%})", highlight=False)
            else:
                console.print(f"métier codé : {rome} {label} (confiance {confidence:.0%})", highlight=False)
        text = Text(example.text[:1500])
        for span in example.skills:
            if span.end <= 1500:
                text.stylize(
                    "bold black on green" if span.requirement == "required" else "bold black on yellow",
                    span.start,
                    span.end,
                )
        console.print(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    html = render_report(
        counts, sources, zones, metiers, offers, generated_at=dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    )
    out.write_text(html, encoding="utf-8")
    console.print(f"\nRapport : {out.resolve()} (ouvrez-le dans un navigateur)", highlight=False, markup=False)


def register(cli: click.Group) -> None:
    """Add `grepp demo` to the root group."""
    cli.add_command(demo_group)
