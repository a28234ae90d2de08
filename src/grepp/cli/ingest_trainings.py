"""`grepp ingest …` sub-commands for trainings (thin: parse, call the library, format)."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    """Add this module's sub-commands to the `ingest` group (created by grepp.cli.ingest)."""
