"""The ``grepp`` command: global options, sub-commands, and one-line errors.

Each ``grepp.cli.<group>`` module exposes ``register(cli)``, adding its commands or groups to the root
group; this module wires them and turns every :class:`~grepp.errors.GreppError` into ``Error: …`` on
stderr with the error's exit code (a traceback only with ``--debug``).
"""

from __future__ import annotations

import importlib
import sys

import click

from grepp import __version__
from grepp.cli.common import CliState, err_console
from grepp.errors import GreppError

#: CLI modules, each with a ``register(cli: click.Group) -> None``.
COMMAND_MODULES: tuple[str, ...] = (
    "grepp.cli.taxonomy",
    "grepp.cli.data",
    "grepp.cli.ingest",
    "grepp.cli.ingest_reference",
    "grepp.cli.ingest_trainings",
    "grepp.cli.enrich",
    "grepp.cli.code",
    "grepp.cli.eval",
    "grepp.cli.export",
    "grepp.cli.demo",
)


@click.group(
    name="grepp",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
)
@click.option("--data", default=None, help="Data directory (default: $GREPP_DATA, ./data, ../shared/data).")
@click.option("--db", default=None, help="DuckDB database file (default: $GREPP_DB, ./grepp.duckdb).")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.version_option(__version__, "--version", prog_name="grepp", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context, data: str | None, db: str | None, debug: bool) -> None:
    """grepp — offline skills and jobs observatory for Grand Est (ROME 4.0, ESCO, offers, statistics)."""
    ctx.obj = CliState(data=data, db=db, debug=debug)


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(cli)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``grepp`` script."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="grepp", standalone_mode=False)
    except GreppError as exc:
        if debug:
            raise
        err_console.print(f"Error: {exc}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        err_console.print("Aborted.")
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("Interrupted.")
        sys.exit(130)
    except Exception as exc:  # an unexpected bug: still one line, unless --debug
        if debug:
            raise
        err_console.print(
            f"Error: internal error {type(exc).__name__}: {exc} (rerun with --debug for the traceback)",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(70)


if __name__ == "__main__":  # pragma: no cover
    main()
