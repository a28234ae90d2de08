"""`grepp taxonomy` commands (thin: parse, call the library, format).

grepp taxonomy load                      # ROME + ESCO into the database (no-op when unchanged)
grepp taxonomy show M1805                # a métier; 10200 (appellation), an ESCO URI …
grepp taxonomy search "soudeuse" --taxonomy rome --kind appellation
"""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from grepp.cli.common import console, err_console, get_state, progress_bar
from grepp.store import taxonomy as store
from grepp.store.db import connect
from grepp.taxonomy.details import ConceptCard, describe
from grepp.taxonomy.releases import LoadReport, load_all, progress_total
from grepp.taxonomy.search import search

_KINDS = ("metier", "appellation", "competence", "savoir", "occupation", "skill", "knowledge")
#: Row counts shown after a load (the others are in taxonomy_releases.row_counts).
_SHOWN_COUNTS = (
    "kind:metier",
    "metier_parent_fiches",
    "kind:appellation",
    "kind:competence",
    "kind:savoir",
    "kind:occupation",
    "kind:skill",
    "kind:knowledge",
    "taxonomy_occupation_skills",
    "taxonomy_mobilities",
    "taxonomy_labels",
    "taxonomy_flags",
)


def _print_report(report: LoadReport) -> None:
    table = Table(title="Taxonomy releases")
    table.add_column("taxonomy")
    table.add_column("version")
    table.add_column("status")
    table.add_column("current")
    table.add_column("sha256")
    table.add_column("seconds", justify="right")
    for r in report.releases:
        table.add_row(
            r.taxonomy, r.version, r.status, "yes" if r.is_current else "", r.content_sha256[:12], f"{r.seconds:.1f}"
        )
    console.print(table)
    counts = Table(title="Row counts")
    counts.add_column("what")
    for r in report.releases:
        counts.add_column(f"{r.taxonomy} {r.version}", justify="right")
    for key in _SHOWN_COUNTS:
        values = [r.row_counts.get(key) for r in report.releases]
        if any(v for v in values):
            counts.add_row(key.removeprefix("kind:"), *(f"{v:,}" if v else "" for v in values))
    console.print(counts)
    for r in report.releases:
        for warning in r.warnings:
            err_console.print(f"warning: {r.taxonomy} {r.version}: {escape(warning)}")


def _print_card(card: ConceptCard, limit: int) -> None:
    console.print(
        f"[bold]{escape(card.label)}[/bold]  ({card.kind} {escape(card.code)}, {card.taxonomy} {card.version})"
    )
    console.print(f"id: {escape(card.id)}", highlight=False)
    if card.parent:
        console.print(f"parent: {escape(card.parent.label)} ({escape(card.parent.id)})", highlight=False)
    if card.flags:
        console.print("flags: " + ", ".join(f"{f}" + (f" ({escape(d)})" if d else "") for f, d in card.flags))
    if card.description:
        console.print(f"\n[bold]Définition[/bold]\n{escape(card.description)}")
    labels = [lb for lb in card.labels if lb.text != card.label]
    if labels:
        shown = ", ".join(f"{escape(lb.text)} [dim]({lb.lang} {lb.kind})[/dim]" for lb in labels[:limit])
        more = f" … +{len(labels) - limit}" if len(labels) > limit else ""
        console.print(f"\n[bold]Labels[/bold] ({len(labels)}): {shown}{more}")
    for section in card.sections:
        console.print(f"\n[bold]{escape(section.title)}[/bold] ({len(section.items)})")
        for item in section.items[:limit]:
            note = f" [dim]— {escape(item.note)}[/dim]" if item.note else ""
            ident = f" [dim]{escape(item.id)}[/dim]" if item.id != card.id else ""
            console.print(f"  • {escape(item.label)}{ident}{note}", highlight=False)
        if len(section.items) > limit:
            console.print(f"  … and {len(section.items) - limit} more (--limit to see them)")


def register(cli: click.Group) -> None:
    """Add this module's commands to the root group."""

    @cli.group(name="taxonomy")
    def taxonomy() -> None:
        """ROME 4.0 and ESCO: load them, show a concept, search labels."""

    @taxonomy.command(name="load")
    def load() -> None:
        """Load every ROME and ESCO release of the data directory (each in one transaction).

        A release already loaded with the same files is left as it is; the newest version of each
        taxonomy becomes current. Example: grepp --data ../shared/data taxonomy load
        """
        settings = get_state().settings()
        total = progress_total(settings.data_dir)
        with connect(settings.db_path) as con, progress_bar("taxonomy files and tables", total=total) as advance:
            report = load_all(con, settings.data_dir, on_progress=advance)
        _print_report(report)

    @taxonomy.command(name="align")
    @click.option(
        "--dense",
        "engine",
        flag_value="dense",
        help="Skills with e5-small beside USE (better pairs; its first run encodes for several minutes).",
    )
    @click.option("--lexical", "engine", flag_value="lexical", help="No encoder at all (fastest; weaker pairs).")
    @click.option("--force", is_flag=True, help="Recompute even when this aligner version is already stored.")
    def align(engine: str | None, force: bool) -> None:
        """Align ROME with ESCO: compétences/savoirs ↔ skills, appellations ↔ occupations.

        Computed by grepp's engines and stored with their scores per aligner version and taxonomy
        releases (tables skill_alignments, occupation_alignments); `grepp taxonomy show` lists them.
        Both are ranked by the engine of `grepp eval rank`, the multilingual USE encoder beside its
        lexical part (a few minutes the first time, while the vectors are cached); a compétence keeps
        up to 3 ESCO skills above the engine's floor.
        `make demo` runs it. Example: grepp taxonomy align
        """
        from grepp.taxonomy_alignment import align_stored_taxonomies

        settings = get_state().settings()
        dense = {"dense": True, "lexical": False}.get(engine or "")
        with connect(settings.db_path) as con, progress_bar("éléments ROME alignés") as advance:
            counts = align_stored_taxonomies(con, settings, dense=dense, force=force, on_progress=advance)
        for name, n in counts.items():
            console.print(f"{name} stored: {n:,}" + ("" if n else " (already aligned: --force recomputes)"))

    @taxonomy.command(name="show")
    @click.argument("code")
    @click.option("--limit", default=30, show_default=True, help="Items shown per section.")
    def show(code: str, limit: int) -> None:
        """Show a métier (M1805), an appellation, compétence or savoir (OGR code) or an ESCO URI."""
        settings = get_state().settings()
        with connect(settings.db_path) as con:
            card = describe(con, code)
        _print_card(card, limit)

    @taxonomy.command(name="search")
    @click.argument("text")
    @click.option("--limit", default=10, show_default=True, help="Number of results.")
    @click.option("--taxonomy", "taxonomy_", type=click.Choice(["rome", "esco"]), default=None)
    @click.option("--kind", "kinds", type=click.Choice(_KINDS), multiple=True, help="Concept kind (repeatable).")
    def search_cmd(text: str, limit: int, taxonomy_: str | None, kinds: tuple[str, ...]) -> None:
        """Search occupation and skill labels, accent- and gender-insensitively ("soudeuse" = "Soudeur H/F")."""
        settings = get_state().settings()
        with connect(settings.db_path) as con:
            hits = search(con, text, limit=limit, taxonomy=taxonomy_, kinds=kinds or None)
            versions = {t: v for t, v, _ in store.current_releases(con)}
        table = Table(title=f"{len(hits)} result(s) for {text!r}")
        for column in ("score", "taxonomy", "kind", "code", "label", "matched label"):
            table.add_column(column, overflow="fold")
        for hit in hits:
            table.add_row(
                f"{hit.score:.2f}",
                f"{hit.taxonomy} {versions.get(hit.taxonomy, '')}",
                hit.kind,
                escape(hit.code),
                escape(hit.label),
                escape(f"{hit.matched_label} ({hit.matched_lang})"),
            )
        console.print(table)
