"""What every CLI command shares: the settings from the global options, consoles, progress bars."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from grepp.config import Settings, load_settings

console = Console(soft_wrap=True)
err_console = Console(stderr=True)


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
