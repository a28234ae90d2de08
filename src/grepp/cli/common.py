"""What every CLI command shares: the settings from the global options, consoles, progress bars."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from grepp.config import Settings, load_settings
from grepp.store.runs import RunReport

console = Console(soft_wrap=True)
#: messages (a skipped record names its file and line) are never broken in the middle: soft wrap
err_console = Console(stderr=True, soft_wrap=True)


@dataclass
class CliState:
    """The global options, turned into :class:`Settings` only when a command needs them."""

    data: str | None = None
    db: str | None = None
    debug: bool = False

    def settings(self, *, require_data: bool = True, mirror: str | None = None) -> Settings:
        return load_settings(data=self.data, db=self.db, debug=self.debug, require_data=require_data, mirror=mirror)


def get_state() -> CliState:
    """The :class:`CliState` of the running command (set by the root group)."""
    ctx = click.get_current_context()
    obj = ctx.find_root().obj
    if not isinstance(obj, CliState):
        obj = CliState()
        ctx.find_root().obj = obj
    return obj


#: A progress callback: ``advance(n)`` moves the bar by n; libraries accept one as ``on_progress``.
Advance = Callable[[int], None]


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[Advance]:
    """A Rich progress bar on stderr; yields a callback that advances it."""
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as progress:
        task = progress.add_task(description, total=total)

        def advance(n: int = 1) -> None:
            progress.advance(task, n)

        yield advance


def report_table(title: str, reports: Sequence[RunReport], *, with_input: bool = True) -> Table:
    """One row per run: what was read, stored, updated, unchanged, duplicated and rejected."""
    table = Table(title=title)
    # without the input column the table fits 80 columns unwrapped; with it, let Rich fold what it must
    no_wrap = not with_input
    table.add_column("source", no_wrap=no_wrap)
    if with_input:
        table.add_column("input", overflow="fold")
    for name in ("read", "stored", "updated", "unchanged", "duplicates", "rejected"):
        table.add_column(name, justify="right", no_wrap=no_wrap)
    for r in reports:
        counts = (r.read, r.stored, r.updated, r.unchanged, r.duplicates, r.rejected)
        where = [Path(r.input).name if "/" in r.input else r.input] if with_input else []
        table.add_row(r.source, *where, *(f"{n:,}" for n in counts))
    return table
