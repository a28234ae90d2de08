"""The layering of STYLE.md, enforced: arrows point down only, and only sources/ and store/ do I/O."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "grepp"

#: Packages that may not import the boundaries (cli, api, web) nor the pipeline wiring.
CORE = ("sources", "taxonomy", "enrich", "store", "indicators", "forecast", "pathways")
BOUNDARIES = ("grepp.cli", "grepp.api", "grepp.web", "grepp.pipeline")
#: Pure packages: no SQL, no store, no HTTP.
PURE = ("enrich", "indicators", "forecast", "pathways")
IO_MODULES = ("duckdb", "httpx", "grepp.store", "grepp.sources", "requests", "urllib.request")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _modules(package: str) -> list[Path]:
    return sorted((PACKAGE / package).rglob("*.py"))


def test_core_packages_never_import_the_boundaries() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for package in CORE
        for path in _modules(package)
        for name in _imports(path)
        if name.startswith(BOUNDARIES)
    ]
    assert offenders == []


def test_pure_packages_do_no_io() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for package in PURE
        for path in _modules(package)
        for name in _imports(path)
        if name.startswith(IO_MODULES)
    ]
    assert offenders == []
