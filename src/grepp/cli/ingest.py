"""`grepp ingest`: load job offers (files or the France Travail API) and, through sub-commands, other sources.

``grepp ingest PATH...`` ingests offer files (the format is sniffed from the content); it is the default
``files`` sub-command, so other modules add theirs beside it (``grepp ingest geo``, ``stats``,
``trainings``, registered after this module with ``cli.commands["ingest"].add_command(...)``)::

    grepp ingest ../shared/data/offers/france-travail/*.jsonl
    grepp ingest --format ft-flat export.csv --source my-export
    grepp ingest france-travail --region 44 --since 2025-01-01
    grepp ingest files geo        # a file that happens to be named like a sub-command
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path

import click
import duckdb

from grepp.cli.common import console, get_state, progress_bar, report_table
from grepp.store.db import connect
from grepp.store.runs import RunReport

FORMAT_CHOICES = ("auto", "ft-json", "ft-flat", "ba-json")


class IngestGroup(click.Group):
    """A group whose first argument, when it is not a sub-command, goes to the default ``files`` command."""

    default_command = "files"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


def _print_reports(reports: Sequence[RunReport]) -> None:
    console.print(report_table("offers ingested", reports))
    for r in reports:
        for error in r.errors[:5]:
            console.print(f"  {error}", markup=False, highlight=False)
        if len(r.errors) > 5 or r.rejected > 5:
            console.print(f"  … {r.rejected:,} rejected in all: see the rejected_records table", highlight=False)


def _print_dedupe(con: duckdb.DuckDBPyConnection, threshold: float) -> None:
    from grepp.sources.offer_dedupe import refresh_duplicates

    summary = refresh_duplicates(con, threshold=threshold)
    console.print(
        f"duplicates: {summary.exact:,} exact and {summary.near:,} near-duplicate offers linked to a canonical one "
        f"({summary.offers:,} offers compared, Jaccard ≥ {threshold})",
        highlight=False,
    )


@contextmanager
def _progress_once_started(description: str) -> Iterator[Callable[[int], None]]:
    """A progress bar that appears at the first progress, not before: a file refused before anything is read
    prints its one ``Error:`` line without an empty bar above it."""
    with ExitStack() as stack:
        bar: list[Callable[[int], None]] = []

        def advance(n: int) -> None:
            if not bar:
                bar.append(stack.enter_context(progress_bar(description)))
            bar[0](n)

        yield advance


@click.group("ingest", cls=IngestGroup, help="Load sources into the store: offer files (default), APIs, …")
def ingest_group() -> None:
    """Group only: see the sub-commands."""


@ingest_group.command("files")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES), default="auto", show_default=True)
@click.option("--source", default=None, help="Source name stored with the offers (default: from the format).")
@click.option("--no-dedupe", is_flag=True, help="Skip the duplicate detection after the ingest.")
@click.option("--batch-size", type=click.IntRange(min=1), default=None, help="Offers per transaction (default 5000).")
def files_command(
    paths: tuple[Path, ...], fmt: str, source: str | None, no_dedupe: bool, batch_size: int | None
) -> None:
    """Ingest offer files: France Travail API JSON/JSONL, flat CSV/PSV exports, Bundesagentur JSONL."""
    from grepp.sources.offer_ingest import ingest_paths

    settings = get_state().settings()
    if batch_size:
        settings = replace(settings, offer_batch_size=batch_size)
    with connect(settings.db_path) as con:
        with _progress_once_started("offers") as advance:
            reports = ingest_paths(
                con, list(paths), fmt=fmt, settings=settings, on_progress=advance, source=source, dedupe=False
            )
        _print_reports(reports)
        if not no_dedupe:
            _print_dedupe(con, settings.dedupe_threshold)


@ingest_group.command("france-travail")
@click.option("--region", default=None, help="INSEE région code, e.g. 44 (Grand Est).")
@click.option("--departement", default=None, help="INSEE département code(s), e.g. 67 or 67,68.")
@click.option("--commune", default=None, help="INSEE commune code(s).")
@click.option("--since", default=None, help="Lowest creation date (ISO 8601, e.g. 2025-01-01).")
@click.option("--until", default=None, help="Highest creation date (ISO 8601).")
@click.option("--no-dedupe", is_flag=True, help="Skip the duplicate detection after the ingest.")
def france_travail_command(
    region: str | None,
    departement: str | None,
    commune: str | None,
    since: str | None,
    until: str | None,
    no_dedupe: bool,
) -> None:
    """Ingest live offers from the France Travail API (credentials in FT_CLIENT_ID / FT_CLIENT_SECRET)."""
    from grepp.sources.france_travail_api import client_from_env
    from grepp.sources.offer_ingest import ingest_api_offers

    settings = get_state().settings()
    filters = {"region": region, "departement": departement, "commune": commune, "since": since, "until": until}
    if not any(filters[k] for k in ("region", "departement", "commune")):
        raise click.UsageError("give --region, --departement or --commune (the whole of France is too much)")
    query = "api " + " ".join(f"{k}={v}" for k, v in filters.items() if v)
    with client_from_env() as client, connect(settings.db_path) as con:
        offers = client.iter_offers(
            region=region, departement=departement, commune=commune, min_creation_date=since, max_creation_date=until
        )
        with _progress_once_started("offers") as advance:
            report = ingest_api_offers(con, offers, query=query, settings=settings, on_progress=advance)
        _print_reports([report])
        if not no_dedupe:
            _print_dedupe(con, settings.dedupe_threshold)


def register(cli: click.Group) -> None:
    """Add the ``ingest`` group (with ``files`` and ``france-travail``) to the root group."""
    existing = cli.commands.get("ingest")
    if isinstance(existing, click.Group):  # a module registered earlier made a plain group: keep its commands
        for name, command in existing.commands.items():
            ingest_group.add_command(command, name)
    cli.add_command(ingest_group)
