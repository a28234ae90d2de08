"""`grepp demo` commands (thin: parse, call the library, format)."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    """Add this module's commands to the root group."""
