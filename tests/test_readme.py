"""The README is the user's manual: its first lines are the two commands, and every command is documented."""

from __future__ import annotations

from pathlib import Path

import click

from grepp.cli.main import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def _paths(group: click.Group, prefix: str) -> list[str]:
    paths: list[str] = []
    for name, command in sorted(group.commands.items()):
        if command.hidden:
            continue
        paths.append(f"{prefix} {name}")
        if isinstance(command, click.Group):
            paths.extend(_paths(command, f"{prefix} {name}"))
    return paths


def test_readme_starts_with_the_two_commands() -> None:
    lines = [line for line in README.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert lines[:4] == ["```", "make demo", "make test", "```"]


def test_every_cli_command_is_documented_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [path for path in _paths(cli, "grepp") if f"`{path}" not in text]
    assert missing == []
