"""Reference-data load figures: time and peak memory of loading the geography and each statistics part.

Writes docs/benchmarks/reference.md::

    .venv/bin/python bench/bench_reference.py

Each load runs in a fresh child process (so its peak resident memory, DuckDB included, is its own) on a
fresh DuckDB file in a temporary folder; then the same load runs again on the filled database (the
idempotent re-load: every row compared, nothing rewritten). Times are the best of REPEATS runs, since
the machine is shared by several developers.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("GREPP_DATA") or ROOT.parent / "shared" / "data").resolve()
OUT = ROOT / "docs" / "benchmarks" / "reference.md"
REPEATS = 3
PARTS = ("geo", "bmo", "defm", "dares", "fap", "tension", "market", "zones", "stats")


def child(part: str, db: str) -> None:
    """Run one load twice (fresh, then re-load) and print timings, row counts and peak RSS as JSON."""
    from grepp.sources.geo import load_geography
    from grepp.sources.statistics import STATISTICS, load_statistics
    from grepp.store.db import connect

    with connect(db) as con:
        timings = []
        for _ in range(2):
            start = time.perf_counter()
            if part == "geo":
                reports = load_geography(con, DATA)
            elif part == "stats":
                reports = load_statistics(con, DATA)
            else:
                reports = load_statistics(con, DATA, only=[part])
            timings.append(time.perf_counter() - start)
            assert part in STATISTICS or part in ("geo", "stats")
        rows = sum(r.stored + r.updated + r.unchanged for r in reports)
        rejected = sum(r.rejected for r in reports)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "fresh_s": timings[0],
                "reload_s": timings[1],
                "rows": rows,
                "rejected": rejected,
                "peak_mib": peak_kib / 1024,
            }
        )
    )


def measure(part: str) -> dict[str, float]:
    """Best-of-REPEATS figures of one part, each repeat in a new process on a new database."""
    results = []
    for _ in range(REPEATS):
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run(
                [sys.executable, __file__, "--child", part, str(Path(tmp) / "bench.duckdb")],
                check=True,
                capture_output=True,
                text=True,
            )
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {
        "fresh_s": min(r["fresh_s"] for r in results),
        "reload_s": min(r["reload_s"] for r in results),
        "rows": results[0]["rows"],
        "rejected": results[0]["rejected"],
        "peak_mib": max(r["peak_mib"] for r in results),
    }


OFFER_FILES = ("national-it-data-2022-2025.jsonl", "grand-est-it-data-2024.jsonl", "all-sectors-2025.jsonl")


def placement() -> dict[str, float]:
    """How many real offers ``place_commune`` places, by their commune code and by their label alone."""
    from grepp.sources.geo import load_geography
    from grepp.store.db import connect
    from grepp.store.geo import load_commune_places, place_commune

    with tempfile.TemporaryDirectory() as tmp, connect(Path(tmp) / "bench.duckdb") as con:
        load_geography(con, DATA)
        start = time.perf_counter()
        places = load_commune_places(con)
        lookup_s = time.perf_counter() - start
    counts = {"offers": 0, "codes": 0, "codes_placed": 0, "labels": 0, "labels_placed": 0}
    start = time.perf_counter()
    for name in OFFER_FILES:
        with (DATA / "offers" / "france-travail" / name).open(encoding="utf-8") as lines:
            for line in lines:
                where = json.loads(line).get("lieuTravail") or {}
                counts["offers"] += 1
                if where.get("commune"):
                    counts["codes"] += 1
                    counts["codes_placed"] += place_commune(places, where["commune"]) is not None
                if where.get("libelle"):
                    counts["labels"] += 1
                    counts["labels_placed"] += place_commune(places, where["libelle"]) is not None
    per_offer_us = (time.perf_counter() - start) / max(counts["offers"], 1) * 1e6
    return {**counts, "lookup_s": lookup_s, "codes_in_lookup": len(places), "per_offer_us": per_offer_us}


def baseline_mib() -> float:
    """Peak RSS of a child that only imports grepp and opens an empty database (the fixed cost)."""
    code = (
        "import resource, tempfile, pathlib; from grepp.store.db import connect\n"
        "with tempfile.TemporaryDirectory() as t:\n"
        "    with connect(pathlib.Path(t) / 'b.duckdb'): pass\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


def main() -> None:
    figures = {part: measure(part) for part in PARTS}
    base = baseline_mib()
    placed = placement()
    lines = [
        "# Reference data: geography and official statistics",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} (2 cores, 24 GB, shared with other "
        f"developers), Python {platform.python_version()}, data in `{DATA}`.",
        "",
        "Each part is loaded into a fresh DuckDB file in a new process, then loaded again into the same file",
        "(the idempotent re-load compares every row and rewrites the tables in one transaction). Times are the",
        f"best of {REPEATS} runs; peak memory is the process's maximum resident set (Python + DuckDB), the",
        f"largest of the runs. A process that only imports grepp and opens an empty database peaks at {base:.0f} MiB.",
        "",
        "| part | what | rows stored | rejected | load (s) | re-load (s) | peak RSS (MiB) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    what = {
        "geo": "COG 2024 communes, régions, départements, zones d'emploi, bassins BMO, code changes, maps",
        "bmo": "BMO 2024 xlsx (53,443 rows, streaming openpyxl)",
        "defm": "DEFM monthly 2020–2024 (147,420 lines)",
        "dares": "DARES tensions 2019 + national series (long form)",
        "fap": "FAP 2021 nomenclature + FAP 2009 ↔ ROME (cp1252)",
        "tension": "métiers en tension, March 2024",
        "market": "national per-ROME market figures",
        "zones": "INSEE FET2021-18 figures by zone d'emploi",
        "stats": "all statistics parts together (`grepp ingest stats`)",
    }
    for part, f in figures.items():
        lines.append(
            f"| {part} | {what[part]} | {f['rows']:,.0f} | {f['rejected']:,.0f} | {f['fresh_s']:.2f} | "
            f"{f['reload_s']:.2f} | {f['peak_mib']:.0f} |"
        )
    lines += [
        "",
        "## Placing offers with the commune lookup",
        "",
        f"`load_commune_places` builds the lookup ({placed['codes_in_lookup']:,.0f} codes: current communes, old",
        f"codes, communes déléguées, arrondissements) in {placed['lookup_s']:.2f} s. On the "
        f"{placed['offers']:,.0f} real France Travail offers of `offers/france-travail/` "
        f"({', '.join(OFFER_FILES)}):",
        "",
        "| input | offers with it | placed | share |",
        "|---|---:|---:|---:|",
        f"| `lieuTravail.commune` (INSEE code) | {placed['codes']:,.0f} | {placed['codes_placed']:,.0f} | "
        f"{placed['codes_placed'] / max(placed['codes'], 1):.1%} |",
        f'| `lieuTravail.libelle` alone (e.g. "67 - Strasbourg") | {placed["labels"]:,.0f} | '
        f"{placed['labels_placed']:,.0f} | {placed['labels_placed'] / max(placed['labels'], 1):.1%} |",
        "",
        'Most labels not placed name a département, a région or the whole country ("France", "75 - Paris (Dept.)",',
        '"01 - Ain"), which no commune lookup should resolve; the rest are places that are not communes ("13 - LES',
        'MILLES", "974 - STE CLOTILDE") or free text. Both lookups together take',
        f"{placed['per_offer_us']:.0f} µs per offer (the label index is built on first use).",
        "",
        "Rerun: `.venv/bin/python bench/bench_reference.py` (four to six minutes on the shared machine).",
        "",
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
