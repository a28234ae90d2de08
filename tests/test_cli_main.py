from __future__ import annotations

import subprocess
import sys

from grepp import __version__


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grepp.cli.main", *args], capture_output=True, text=True, check=False)


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"grepp {__version__}"


def test_help_lists_the_command_groups() -> None:
    result = run("--help")
    assert result.returncode == 0
    for group in ("taxonomy", "data", "ingest", "eval"):
        assert group in result.stdout


def test_bad_data_directory_is_one_line_error_without_traceback(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = run("--data", str(tmp_path / "missing"), "taxonomy", "search", "soudeur")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ")
