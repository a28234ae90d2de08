"""`grepp data` commands (thin: parse, call the library, format).

``grepp data fetch --mirror http://intranet/grepp-data --only rome`` downloads the official ROME and
ESCO releases into the data directory, verified against the manifest shipped with grepp, resumably and
atomically (see :mod:`grepp.sources.releases`).
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from grepp.cli.common import err_console, get_state, progress_bar
from grepp.errors import SourceError
from grepp.sources.releases import (
    GROUPS,
    FetchResult,
    FetchStatus,
    check_mirror,
    check_releases,
    failure_summary,
    fetch_releases,
    load_manifest,
    total_size,
)

_STYLE = {
    FetchStatus.DOWNLOADED: "green",
    FetchStatus.RESUMED: "green",
    FetchStatus.ALREADY_GOOD: "dim",
    FetchStatus.FAILED: "red",
}


def _report(result: FetchResult) -> None:
    style = _STYLE[result.status]
    line = f"[{style}]{result.status.value:>12}[/{style}]  {escape(result.entry.path)}"
    if result.reason:
        line += f"  [red]({escape(result.reason)})[/red]"
    err_console.print(line, highlight=False, soft_wrap=True)


def register(cli: click.Group) -> None:
    """Add this module's commands to the root group."""

    @cli.group(name="data")
    def data() -> None:
        """Get and check the data directory (official ROME and ESCO releases)."""

    @data.command(name="fetch")
    @click.option("--mirror", default=None, help="Base URL holding the files in the data dir layout ($GREPP_MIRROR).")
    @click.option("--only", type=click.Choice(GROUPS), default=None, help="Fetch only the ROME or only the ESCO files.")
    @click.option(
        "--dest",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Data directory to fill (default: the --data / GREPP_DATA directory, else ./data).",
    )
    def fetch(mirror: str | None, only: str | None, dest: Path | None) -> None:
        """Download the official ROME v460 and ESCO releases from a mirror, verified, resumable and atomic.

        Files go to <file>.part and replace a file only once their size, sha256 and header match the
        manifest; verified files are skipped, interrupted downloads resume. Example:

            grepp data fetch --mirror http://intranet/grepp-data --only rome --dest ./data
        """
        settings = get_state().settings(require_data=False, mirror=mirror)
        base = check_mirror(settings.mirror)
        entries = load_manifest(only)
        target = dest or settings.data_dir
        err_console.print(f"Fetching {len(entries)} files ({total_size(entries) / 1e6:.1f} MB) into {target}")
        results: list[FetchResult] = []
        with progress_bar("bytes", total=total_size(entries)) as advance:
            results = fetch_releases(entries, mirror=base, dest=target, on_progress=advance, on_result=_report)
        counts = {status: sum(r.status is status for r in results) for status in FetchStatus}
        click.echo(", ".join(f"{n} {status.value}" for status, n in counts.items()))
        error = failure_summary(results)
        if error is not None:
            raise error

    @data.command(name="verify")
    @click.option("--only", type=click.Choice(GROUPS), default=None, help="Check only the ROME or only the ESCO files.")
    @click.option(
        "--dest",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Data directory to check (default: the --data / GREPP_DATA directory, else ./data).",
    )
    def verify(only: str | None, dest: Path | None) -> None:
        """Check the ROME and ESCO files of the data directory against the release manifest.

        Size, sha256 and header columns of every file; exits non-zero naming each missing or different
        file. Example:

            grepp --data ../shared/data data verify --only esco
        """
        target = dest or get_state().settings(require_data=False).data_dir
        checked = check_releases(load_manifest(only), target)
        # damaged files first: they matter more than files not fetched yet
        bad = sorted(((e, p) for e, p in checked if p), key=lambda item: str(item[1]).endswith(" is missing"))
        for entry, problem in bad:
            err_console.print(
                f"[red]{'bad':>12}[/red]  {escape(entry.path)}  ({escape(problem or '')})",
                highlight=False,
                soft_wrap=True,
            )
        click.echo(f"{len(checked) - len(bad)} good, {len(bad)} missing or different, in {target}")
        if bad:
            raise SourceError(
                f"{len(bad)} of {len(checked)} release files in {target} are missing or differ: "
                + ", ".join(entry.path for entry, _ in bad[:5])
                + (f" and {len(bad) - 5} more" if len(bad) > 5 else ""),
                hint="run 'grepp data fetch --mirror URL' to download them",
            )
