"""`grepp ingest trainings [PATH...]`: load training offers (thin: parse, call the library, format).

Without a path it loads every training file of the data directory (LHEO XML, RCO catalogue, Grand Est
formations, CPF sample) and the LHEO reference tables; with paths, each file's format is sniffed::

    grepp ingest trainings
    grepp ingest trainings ../shared/data/trainings/lheo/trefle_test_samples/formation.xml
"""

from __future__ import annotations

from pathlib import Path

import click

from grepp.cli.common import console, err_console, get_state, progress_bar, report_table
from grepp.errors import SourceError
from grepp.sources.training_files import UNREADABLE, load_trainings, training_files
from grepp.store.db import connect

#: Error lines printed per source (all of them are in rejected_records).
MAX_ERRORS_SHOWN = 5


@click.command("trainings")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def trainings_command(paths: tuple[Path, ...]) -> None:
    """Load training offers: LHEO XML, RCO catalogue JSON, Grand Est CSV, CPF CSV (all of the data dir if no PATH)."""
    settings = get_state().settings()
    chosen = list(paths) or None
    total = len(training_files(settings.data_dir, chosen))
    with connect(settings.db_path) as con, progress_bar("Trainings", total) as advance:
        reports = load_trainings(con, settings.data_dir, chosen, on_progress=advance)
    console.print(report_table("Training ingest", reports, with_input=False))
    for report in reports:
        for message in report.errors[:MAX_ERRORS_SHOWN]:
            err_console.print(f"{report.source}: {message}", markup=False, highlight=False, soft_wrap=True)
        if len(report.errors) > MAX_ERRORS_SHOWN:
            err_console.print(f"{report.source}: … {len(report.errors) - MAX_ERRORS_SHOWN} more in rejected_records")
    unreadable = [e for r in reports for e in r.errors if e.startswith(UNREADABLE)]
    if unreadable:
        raise SourceError(f"{len(unreadable)} file(s) could not be read; first: {unreadable[0]}")


def register(cli: click.Group) -> None:
    """Add ``trainings`` to the ``ingest`` group (created by grepp.cli.ingest; created here if missing)."""
    group = cli.commands.get("ingest")
    if not isinstance(group, click.Group):

        @cli.group("ingest")
        def ingest() -> None:
            """Load sources into the store (offers, reference data, trainings)."""

        group = ingest
    group.add_command(trainings_command)
