"""Print the CLI reference (markdown) from the click commands themselves, for the README.

Run: ``.venv/bin/python scripts/cli_reference.py`` and paste under "CLI reference" (a test checks that every
command is documented there).
"""

from __future__ import annotations

import click

from grepp.cli.main import cli


def walk(group: click.Group, prefix: str) -> list[tuple[str, click.Command]]:
    rows: list[tuple[str, click.Command]] = []
    for name in sorted(group.commands):
        command = group.commands[name]
        if command.hidden:
            continue
        path = f"{prefix} {name}"
        rows.append((path, command))
        if isinstance(command, click.Group):
            rows.extend(walk(command, path))
    return rows


def main() -> None:
    ctx = click.Context(cli, info_name="grepp")
    lines = ["Global options: " + ", ".join(f"`{' '.join(p.opts)}`" for p in cli.params if p.name != "version")]
    lines.append("")
    lines.append("| command | what it does |")
    lines.append("|---|---|")
    for path, command in walk(cli, "grepp"):
        with click.Context(command, info_name=path, parent=ctx) as sub:
            usage = " ".join(command.collect_usage_pieces(sub))
        summary = (command.get_short_help_str(limit=200) or "").replace("|", "\\|")
        lines.append(f"| `{f'{path} {usage}'.strip()}` | {summary} |")
    click.echo("\n".join(lines))


if __name__ == "__main__":
    main()
