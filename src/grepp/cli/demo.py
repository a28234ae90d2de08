"""`grepp demo build` (the main job on the data directory) and `grepp demo show` (what a person looks at)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table
from rich.text import Text

from grepp.cli.common import console, get_state, progress_bar
from grepp.store.db import connect

if TYPE_CHECKING:
    from grepp.store.summary import CodingQuality


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
    from grepp.enrich.occupations import CoderConfig
    from grepp.store import summary
    from grepp.store.enrichment import OFFER_ENRICHER
    from grepp.web.report import render_report

    settings = get_state().settings()
    with connect(settings.db_path) as con:
        counts = summary.table_counts(con)
        sources = summary.offers_by_source(con)
        zones = summary.offers_by_zone(con, settings.region)
        metiers = summary.top_coded_metiers(con)
        # bands of the first métier's confidence, the lowest one below the coder's abstention threshold
        quality = summary.coding_quality(con, OFFER_ENRICHER, (CoderConfig().threshold, 0.5, 0.7, 0.9))
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
    if quality is not None:
        console.print(quality_table(quality))
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
        counts,
        sources,
        zones,
        metiers,
        offers,
        generated_at=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        quality=quality,
    )
    out.write_text(html, encoding="utf-8")
    console.print(f"\nRapport : {out.resolve()} (ouvrez-le dans un navigateur)", highlight=False, markup=False)


def quality_table(quality: CodingQuality) -> Table:
    """The terminal's view of :func:`grepp.store.summary.coding_quality`: offers by confidence, agreement."""
    table = Table(
        title=f"Codage des métiers : {quality.coded:,} offres codées, {quality.unknown:,} sans métier (abstention)",
        caption="accord : même code ROME que le recruteur, parmi les offres qui en portent un",
    )
    for column in ("confiance", "offres", "avec code recruteur", "accord"):
        table.add_column(column, justify="left" if column == "confiance" else "right")
    for band in quality.bands:
        share = f"{band.agreeing / band.with_recruiter_code:.0%}" if band.with_recruiter_code else "—"
        table.add_row(f"{band.low:.0%} – {band.high:.0%}", f"{band.offers:,}", f"{band.with_recruiter_code:,}", share)
    return table


def register(cli: click.Group) -> None:
    """Add `grepp demo` to the root group."""
    cli.add_command(demo_group)
