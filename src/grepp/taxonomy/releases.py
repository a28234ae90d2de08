"""Find the taxonomy releases in the data directory and load each in one transaction, or not at all.

A release is (taxonomy, version): ``rome/v460/`` is ROME v460, ``esco/v1.1.1-en/`` (+ its French and
German label folders) is ESCO v1.1.1. Its content hash covers every input file (path under the
taxonomy folder and bytes) and the loader version, so loading the same release twice is a no-op, and
a changed file reloads that release. Files are parsed *before* the transaction opens: a broken file
raises :class:`TaxonomyError` and the database is left exactly as it was. The newest version of a
taxonomy becomes current when its load commits; older ones stay queryable::

    with connect(settings.db_path) as con:
        report = load_all(con, settings.data_dir)
        report.counts()["rome"]["kind:metier"]   # 1584
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import duckdb

from grepp.errors import TaxonomyError
from grepp.store import taxonomy as store
from grepp.store.db import connect, transaction
from grepp.taxonomy import esco, rome
from grepp.taxonomy.rows import ReleaseRows

#: Changes whenever the rows produced from the same files change (bump to force a reload).
LOADER_VERSION = "grepp.taxonomy.loader.v3"

Progress = Callable[[int], None]

#: Bumped by every load that changes a database in this process (lets readers cache what is current).
_generation = 0


def load_generation() -> int:
    """How many loads changed a database in this process so far."""
    return _generation


@dataclass(frozen=True)
class ReleaseSource:
    """One release found in the data directory and how to parse it."""

    taxonomy: str
    version: str
    root: Path
    files: tuple[Path, ...]
    parse: Callable[[Progress | None], ReleaseRows]

    def content_hash(self) -> str:
        """sha256 of the loader version and every file's path (under the taxonomy folder) and bytes."""
        digest = hashlib.sha256(LOADER_VERSION.encode())
        for path in self.files:
            try:
                data = path.read_bytes()
            except FileNotFoundError as exc:
                raise TaxonomyError(
                    f"taxonomy file missing: {path}", hint=f"restore the {self.taxonomy} {self.version} release"
                ) from exc
            digest.update(str(path.relative_to(self.root)).encode() + b"\0" + str(len(data)).encode() + b"\0")
            digest.update(data)
        return digest.hexdigest()


@dataclass
class ReleaseReport:
    """What loading one release did: ``loaded``, ``reloaded`` (files changed) or ``unchanged``."""

    taxonomy: str
    version: str
    status: str
    content_sha256: str
    row_counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    is_current: bool = False


@dataclass
class LoadReport:
    """Every release considered by :func:`load_all`."""

    releases: list[ReleaseReport] = field(default_factory=list)

    def counts(self) -> dict[str, dict[str, int]]:
        """Row counts of the current release of each taxonomy (``{"rome": {"taxonomy_labels": …}}``)."""
        return {r.taxonomy: r.row_counts for r in self.releases if r.is_current}

    @property
    def changed(self) -> bool:
        return any(r.status != "unchanged" for r in self.releases)


def version_key(version: str) -> tuple[int, ...]:
    """Numeric sort key of a version name: ``v460`` → (460,), ``v1.1.1`` → (1, 1, 1)."""
    return tuple(int(n) for n in re.findall(r"\d+", version))


def discover(data_dir: Path) -> list[ReleaseSource]:
    """Every ROME and ESCO release folder under ``data_dir``, oldest first within each taxonomy."""
    found: list[ReleaseSource] = []
    rome_dir, esco_dir = data_dir / "rome", data_dir / "esco"
    if rome_dir.is_dir():
        for folder in sorted(
            (p for p in rome_dir.iterdir() if rome.is_rome_release(p)), key=lambda p: version_key(p.name)
        ):
            v = folder.name
            found.append(
                ReleaseSource(
                    "rome",
                    v,
                    rome_dir,
                    tuple(rome.rome_files(folder, v)),
                    partial(rome.parse_rome, folder, v),
                )
            )
    if esco_dir.is_dir():
        folders = [p for p in esco_dir.iterdir() if p.is_dir() and p.name.startswith("v") and p.name.endswith("-en")]
        for folder in sorted(folders, key=lambda p: version_key(p.name)):
            v = esco.check_version(folder)
            found.append(
                ReleaseSource(
                    "esco",
                    v,
                    esco_dir,
                    tuple(esco.esco_files(esco_dir, v)),
                    partial(esco.parse_esco, esco_dir, v),
                )
            )
    for taxonomy in ("rome", "esco"):
        if not any(s.taxonomy == taxonomy for s in found):
            raise TaxonomyError(
                f"no {taxonomy.upper()} release in {data_dir / taxonomy}",
                hint="expected rome/v<NNN>/ and esco/v<X.Y.Z>-en/ folders (see ../shared/README.md)",
            )
    return found


def progress_total(data_dir: Path) -> int:
    """Steps :func:`load_all` reports through ``on_progress`` (files read + tables written)."""
    return sum(len(s.files) + len(store.TABLES) for s in discover(data_dir))


def load_release(
    con: duckdb.DuckDBPyConnection, source: ReleaseSource, on_progress: Progress | None = None
) -> ReleaseReport:
    """Load one release in one transaction unless the same content is already stored."""
    tick = on_progress or (lambda n: None)
    started = time.perf_counter()
    sha = source.content_hash()
    existing = {r.version: r for r in store.releases(con, source.taxonomy)}
    previous = existing.get(source.version)
    if previous is not None and previous.content_sha256 == sha:
        tick(len(source.files) + len(store.TABLES))
        return ReleaseReport(
            source.taxonomy,
            source.version,
            "unchanged",
            sha,
            previous.row_counts,
            seconds=time.perf_counter() - started,
            is_current=previous.is_current,
        )
    rows = source.parse(tick)
    counts = rows.counts() | _kind_counts(rows)
    current = next((r.version for r in existing.values() if r.is_current), None)
    becomes_current = (
        current is None or current == source.version or version_key(source.version) >= version_key(current)
    )
    with transaction(con):
        if previous is not None:
            store.delete_release(con, source.taxonomy, source.version)
        for table, table_rows in rows.tables.items():
            store.insert_rows(con, table, source.taxonomy, source.version, table_rows)
            tick(1)
        store.record_release(
            con,
            store.ReleaseRow(
                source.taxonomy,
                source.version,
                sha,
                datetime.now(UTC).replace(tzinfo=None),
                False,
                counts,
                LOADER_VERSION,
                rows.files,
            ),
        )
        if becomes_current:
            store.make_current(con, source.taxonomy, source.version)
    global _generation
    _generation += 1
    status = "reloaded" if previous is not None else "loaded"
    return ReleaseReport(
        source.taxonomy,
        source.version,
        status,
        sha,
        counts,
        rows.warnings,
        time.perf_counter() - started,
        becomes_current,
    )


def _kind_counts(rows: ReleaseRows) -> dict[str, int]:
    kinds: Counter[str] = Counter()
    for table in ("taxonomy_occupations", "taxonomy_skills", "taxonomy_groups"):
        kinds.update(f"kind:{row[1]}" for row in rows.tables[table])
    if rows.taxonomy == "rome":
        kinds["metier_parent_fiches"] = sum(
            1 for row in rows.tables["taxonomy_occupations"] if row[1] == "metier" and row[4].startswith("rome-dp:")
        )
    return dict(kinds)


def load_all(con: duckdb.DuckDBPyConnection, data_dir: Path, on_progress: Progress | None = None) -> LoadReport:
    """Load (or confirm unchanged) every ROME and ESCO release found in ``data_dir``."""
    report = LoadReport()
    for source in discover(Path(data_dir)):
        report.releases.append(load_release(con, source, on_progress))
    current = {(t, v) for t, v, _ in store.current_releases(con)}
    for r in report.releases:
        r.is_current = (r.taxonomy, r.version) in current
    return report


def ensure_loaded(
    con: duckdb.DuckDBPyConnection, data_dir: Path, on_progress: Progress | None = None
) -> LoadReport | None:
    """Load the taxonomies only when ROME or ESCO has no current release yet; ``None`` when nothing was done."""
    if {t for t, _, _ in store.current_releases(con)} >= {"rome", "esco"}:
        return None
    return load_all(con, data_dir, on_progress)


def require_loaded(con: duckdb.DuckDBPyConnection, taxonomy: str | None = None) -> None:
    """Raise TaxonomyError unless (this taxonomy / any taxonomy) has a current release."""
    current = {t for t, _, _ in store.current_releases(con)}
    if (taxonomy is None and not current) or (taxonomy is not None and taxonomy not in current):
        what = taxonomy.upper() if taxonomy else "no taxonomy"
        raise TaxonomyError(
            f"{what} is not loaded in this database" if taxonomy else "no taxonomy is loaded in this database",
            hint="run `grepp taxonomy load` first",
        )


def input_fingerprint(data_dir: Path) -> str:
    """A cheap key of the inputs (each file's path, size and mtime), the loader version and the schema."""
    digest = hashlib.sha256(LOADER_VERSION.encode())
    digest.update("\n".join(store.SCHEMA).encode())
    for source in discover(Path(data_dir)):
        for path in source.files:
            st = path.stat() if path.exists() else None
            digest.update(f"{path}\0{st.st_size if st else -1}\0{st.st_mtime_ns if st else -1}\n".encode())
    return digest.hexdigest()[:16]


def cached_taxonomy_db(data_dir: Path, cache_dir: Path) -> Path:
    """A DuckDB file with ROME and ESCO loaded, built once per input fingerprint under ``cache_dir``.

    Open it read-only, or copy it before writing: it is shared (test sessions, benchmarks). The file is
    built under a temporary name and renamed, so a concurrent or interrupted build never leaves a half
    file behind.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / f"taxonomy-{input_fingerprint(data_dir)}.duckdb"
    if target.exists():
        return target
    partial = cache_dir / f".{target.name}.{os.getpid()}.partial"
    partial.unlink(missing_ok=True)
    with connect(partial) as con:
        load_all(con, data_dir)
        con.execute("CHECKPOINT")
    os.replace(partial, target)
    for stale in cache_dir.glob("taxonomy-*.duckdb"):
        if stale != target:
            stale.unlink(missing_ok=True)  # built from other inputs or an older loader
    return target
