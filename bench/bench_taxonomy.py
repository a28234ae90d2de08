"""Taxonomy figures: full ROME+ESCO load (time, peak memory), reload no-op, Concepts, search latency.

The load runs in a fresh subprocess on an empty DuckDB file so its peak RSS (``ru_maxrss``) is the
load's alone. Search latency: 200 distinct real job titles (field ``intitule`` of
``offers/france-travail/*.jsonl``, chosen by a stable hash), each searched once after the index is
built (its build time is reported apart). Writes docs/benchmarks/taxonomy.md::

    .venv/bin/python bench/bench_taxonomy.py
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("GREPP_DATA") or ROOT.parent / "shared" / "data").resolve()
OUT = ROOT / "docs" / "benchmarks" / "taxonomy.md"

from grepp.store.db import connect  # noqa: E402
from grepp.taxonomy.concepts import load_concepts, occupation_skill_links  # noqa: E402
from grepp.taxonomy.details import describe  # noqa: E402
from grepp.taxonomy.search import search  # noqa: E402

LOAD_SCRIPT = """
import json, resource, sys, time
from pathlib import Path
from grepp.store.db import connect
from grepp.taxonomy.releases import load_all
t0 = time.perf_counter()
with connect(Path(sys.argv[1])) as con:
    report = load_all(con, Path(sys.argv[2]))
total = time.perf_counter() - t0
print(json.dumps({
    "seconds": total,
    "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "releases": [[r.taxonomy, r.version, r.status, r.seconds, r.row_counts] for r in report.releases],
}))
"""


def run_load(db: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", LOAD_SCRIPT, str(db), str(DATA)], capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def real_titles(n: int = 200) -> list[str]:
    titles: set[str] = set()
    for path in sorted((DATA / "offers" / "france-travail").glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    title = json.loads(line).get("intitule")
                    if isinstance(title, str) and title.strip():
                        titles.add(title.strip())
    return sorted(titles, key=lambda t: hashlib.sha1(t.encode()).hexdigest())[:n]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main() -> None:
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        first = run_load(db)
        again = run_load(db)
        size_mb = db.stat().st_size / 1e6
        with connect(db, read_only=True) as con:
            t0 = time.perf_counter()
            concepts = load_concepts(con)
            concepts_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            links = occupation_skill_links(con)
            links_s = time.perf_counter() - t0
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            t0 = time.perf_counter()
            search(con, "soudeur")
            build_s = time.perf_counter() - t0
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            titles = real_titles()
            latencies, found = [], 0
            for title in titles:
                t0 = time.perf_counter()
                hits = search(con, title, limit=10)
                latencies.append((time.perf_counter() - t0) * 1000)
                found += bool(hits)
            shows = []
            for code in (
                "M1805",
                "H2913",
                "10200",
                "http://data.europa.eu/esco/occupation/00030d09-2b3a-4efd-87cc-c4ea39d27c34",
            ):
                t0 = time.perf_counter()
                describe(con, code)
                shows.append((time.perf_counter() - t0) * 1000)

    load_after = os.getloadavg()[0]
    releases = first["releases"]
    assert isinstance(releases, list)
    lines = [
        "# Taxonomy store: load, Concepts, search",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node() or 'the dev machine'} "
        f"({os.cpu_count()} cores shared with other developers, 24 GB; Python {platform.python_version()}, "
        f"{platform.system()}); 1-minute load average {load_before:.1f} at the start, {load_after:.1f} at the end "
        "(other developers' jobs: figures on an idle machine are lower). "
        "Rerun: `.venv/bin/python bench/bench_taxonomy.py`.",
        "",
        "## Full load of ROME v460 + ESCO v1.1.1 (+ French and German labels) into an empty DuckDB file",
        "",
        "| figure | value |",
        "|---|---|",
        f"| wall time, fresh subprocess (import + parse + insert + commit) | {first['seconds']:.1f} s |",
    ]
    for taxonomy, version, status, seconds, _counts in releases:
        lines.append(f"| of which {taxonomy} {version} ({status}) | {seconds:.1f} s |")
    lines += [
        f"| peak RSS of the loading process (ru_maxrss) | {first['maxrss_mb']:.0f} MB |",
        f"| second load of the same files (content hash → no-op) | {again['seconds']:.2f} s |",
        f"| database file size | {size_mb:.0f} MB |",
        "",
        "Parsing is Python's csv module (strict, so every defect has a line and column); rows go to DuckDB as",
        "Arrow tables, one INSERT per table, all in one transaction per release.",
        "",
        "Row counts (current releases):",
        "",
        "| table / kind | rows |",
        "|---|---|",
    ]
    for taxonomy, version, _status, _seconds, counts in releases:
        for key, value in sorted(counts.items()):
            if value:
                lines.append(f"| {taxonomy} {version} {key} | {value:,} |")
    lines += [
        "",
        "## Reading back",
        "",
        "| figure | value |",
        "|---|---|",
        f"| `load_concepts(con)`: {len(concepts):,} Concepts with all labels and flags | {concepts_s:.2f} s |",
        f"| `occupation_skill_links(con)`: {len(links):,} links | {links_s:.2f} s |",
        f"| `describe` (taxonomy show), 4 concepts, mean | {statistics.mean(shows):.0f} ms |",
        "",
        "## `taxonomy search` latency",
        "",
        f"200 distinct real job titles from `offers/france-travail/*.jsonl` (`intitule`), limit 10; {found} of",
        "200 return at least one hit. The index (every label of the current releases, by exact key and by",
        "word) is built once per process on the first search.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| index build (first search) | {build_s:.2f} s |",
        f"| peak RSS growth while building the index (incl. DuckDB query memory) | "
        f"{max(rss_after - rss_before, 0):.0f} MB |",
        f"| p50 | {pct(latencies, 0.50):.2f} ms |",
        f"| p95 | {pct(latencies, 0.95):.2f} ms |",
        f"| max | {max(latencies):.2f} ms |",
        "",
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
