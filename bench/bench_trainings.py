"""Training ingest figures: load time of every training file and of the LHEO reference tables, counts per source,
and LHEO throughput on a larger file built from a real sample. Writes docs/benchmarks/trainings.md::

    .venv/bin/python bench/bench_trainings.py

Each timing is the best of a few repeats on a fresh DuckDB file in a temporary folder (the machine is shared).
"""

from __future__ import annotations

import os
import platform
import re
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from grepp.sources.lheo import find_xsd, load_schema, read_lheo
from grepp.sources.training_files import load_reference_tables, load_trainings, training_files
from grepp.store.db import connect

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("GREPP_DATA") or ROOT.parent / "shared" / "data").resolve()
OUT = ROOT / "docs" / "benchmarks" / "trainings.md"
REPEATS = 3
T = TypeVar("T")


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def best_of(make: Callable[[Path], float]) -> float:
    """Best time of REPEATS runs, each on a fresh database."""
    times = []
    for _ in range(REPEATS):
        with tempfile.TemporaryDirectory() as tmp:
            times.append(make(Path(tmp) / "bench.duckdb"))
    return min(times)


def big_lheo(folder: Path, n_formations: int) -> Path:
    """An LHEO file of n formations: the real trefle formation.xml repeated with fresh formation/action ids."""
    text = (DATA / "trainings" / "lheo" / "trefle_test_samples" / "formation.xml").read_text(encoding="utf-8")
    start, end = text.index("<formation "), text.index("</formation>") + len("</formation>")
    block = text[start:end]
    parts = []
    for i in range(n_formations):
        parts.append(re.sub(r'numero="([^"]+)"', lambda m, i=i: f'numero="{m.group(1)}-{i}"', block))
    path = folder / f"lheo-{n_formations}.xml"
    path.write_text(text[:start] + "\n".join(parts) + text[end:], encoding="utf-8")
    return path


def main() -> None:
    lines = [
        "# Training ingest (LHEO, RCO, Grand Est, CPF) — figures",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()} {os.cpu_count()} cores / 24 GB "
        f"(shared with other developers' jobs), Python {platform.python_version()}, data {DATA}.",
        f"Timings are the best of {REPEATS} runs, each on a fresh DuckDB file. Rerun: "
        "`.venv/bin/python bench/bench_trainings.py`.",
        "",
    ]
    files = training_files(DATA)
    size = sum(p.stat().st_size for _f, p in files)

    def full(db: Path) -> float:
        with connect(db) as con:
            return timed(lambda: load_trainings(con, DATA))[1]

    def rerun(db: Path) -> float:
        with connect(db) as con:
            load_trainings(con, DATA)
            return timed(lambda: load_trainings(con, DATA))[1]

    def reference(db: Path) -> float:
        with connect(db) as con:
            return timed(lambda: load_reference_tables(con, DATA))[1]

    xsd = find_xsd(DATA)
    load_schema.cache_clear()
    _schema, compile_s = timed(lambda: load_schema(str(xsd)))
    t_full, t_rerun, t_ref = best_of(full), best_of(rerun), best_of(reference)
    with tempfile.TemporaryDirectory() as tmp, connect(Path(tmp) / "counts.duckdb") as con:
        reports = load_trainings(con, DATA)
        rome = con.execute(
            "SELECT origin, rome_version, count(*), count(DISTINCT training_id) FROM training_rome GROUP BY ALL "
            "ORDER BY ALL"
        ).fetchall()
        status = con.execute("SELECT rome_links_status, count(*) FROM trainings GROUP BY ALL ORDER BY ALL").fetchall()
    lines += [
        "## Load times",
        "",
        "| what | figure |",
        "|---|---|",
        f"| compile the LHEO 2.3 XSD (once per process) | {compile_s * 1000:.0f} ms |",
        f"| reference tables (Formacode, Formacode ↔ ROME, LHEO dictionaries) | {t_ref:.2f} s |",
        f"| every training file of the data dir ({len(files)} files, {size / 1e6:.2f} MB) + reference tables, "
        f"fresh database | {t_full:.2f} s |",
        f"| the same, re-run on the loaded database (nothing new stored) | {t_rerun:.2f} s |",
        "",
        "## Counts per source (first run)",
        "",
        "| source | read | stored | updated | unchanged | duplicates | rejected |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in reports:
        lines.append(
            f"| {r.source} | {r.read:,} | {r.stored:,} | {r.updated:,} | {r.unchanged:,} | {r.duplicates:,} "
            f"| {r.rejected:,} |"
        )
    lines += [
        "",
        "`duplicates`: rows merged into another record (the Grand Est CSV lists a training once per category, the "
        "CPF CSV once per ROME code) or an id seen again in a later file of the same run (the 18 trefle samples "
        "hold 4 distinct formations, 5 actions; the CPF 2022 sample repeats the 2021 one; the RCO converter sample "
        "repeats 10 catalogue actions). `lheo` rejects 1 "
        "formation: the anotea sample fails the XSD (misspelt `coordonneFs`, 15-digit SIRETs).",
        "",
        "| ROME links: origin | ROME version | links | trainings |",
        "|---|---|---:|---:|",
        *[f"| {o} | {v} | {n:,} | {t:,} |" for o, v, n, t in rome],
        "",
        "| rome_links_status | trainings |",
        "|---|---:|",
        *[f"| {s} | {n:,} |" for s, n in status],
        "",
        "## LHEO throughput (file built from the real trefle `formation.xml`, renumbered)",
        "",
        "| formations | actions | file | validate + parse | store (fresh db) |",
        "|---:|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for n in (100, 1000):
            path = big_lheo(Path(tmp), n)
            parsed, parse_s = timed(lambda path=path: read_lheo(path, xsd))
            assert not parsed.rejections and len(parsed.records) == 2 * n

            def store(db: Path, path: Path = path) -> float:
                with connect(db) as con:
                    load_reference_tables(con, DATA)
                    return timed(lambda: load_trainings(con, DATA, [path]))[1]

            lines.append(
                f"| {n:,} | {2 * n:,} | {path.stat().st_size / 1e6:.1f} MB | {parse_s:.2f} s "
                f"({2 * n / parse_s:,.0f} actions/s) | {best_of(store):.2f} s |"
            )
    lines += [
        "",
        "`store` includes validating and parsing again and deriving Formacode links (the reference tables are "
        "already loaded).",
        "",
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))  # a bench script, not library code: printing is its job


if __name__ == "__main__":
    main()
