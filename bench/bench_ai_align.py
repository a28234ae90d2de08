"""ROME ↔ ESCO alignment (the pipeline step ``alignment`` / ``grepp taxonomy align``): time, memory, what it stores.

Runs :func:`grepp.taxonomy_alignment.align_stored_taxonomies` on a private copy of the cached taxonomy
database (the pipeline default: USE beside the lexical engine for appellations, lexical skills; ``--dense``
adds USE to the skills, ``--lexical`` loads no encoder), then describes the
stored appellation ↔ occupation pairs and prints a seeded random sample of best pairs to check by hand;
writes docs/benchmarks/ai-align.md::

    .venv/bin/python bench/bench_ai_align.py [--dense | --lexical] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("GREPP_DATA") or ROOT.parent / "shared" / "data").resolve()

from grepp.config import load_settings  # noqa: E402
from grepp.store.db import connect  # noqa: E402
from grepp.taxonomy.releases import cached_taxonomy_db  # noqa: E402
from grepp.taxonomy_alignment import align_stored_taxonomies  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    engine = parser.add_mutually_exclusive_group()
    engine.add_argument("--dense", action="store_const", const=True, dest="dense")
    engine.add_argument("--lexical", action="store_const", const=False, dest="dense")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="grepp-bench-align-"))
    shutil.copyfile(cached_taxonomy_db(DATA, ROOT / ".grepp-cache"), work / "grepp.duckdb")
    settings = load_settings(data=DATA, db=work / "grepp.duckdb", env={}, cwd=ROOT)
    with connect(settings.db_path) as con:
        t0 = time.perf_counter()
        counts = align_stored_taxonomies(con, settings, dense=args.dense)
        seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = align_stored_taxonomies(con, settings, dense=args.dense)
        skip_s = time.perf_counter() - t0
        labels = dict(con.execute("SELECT concept_id, label FROM taxonomy_display_labels_current").fetchall())
        best = con.execute(
            "SELECT rome_id, esco_id, score, method FROM occupation_alignments WHERE rank = 1 ORDER BY rome_id"
        ).fetchall()
        covered = con.execute("SELECT count(DISTINCT esco_id) FROM occupation_alignments WHERE rank = 1").fetchone()
        n_esco = con.execute("SELECT count(*) FROM taxonomy_occupations_current WHERE kind = 'occupation'").fetchone()
    exact = [b for b in best if b[3] == "exact"]
    ranked = [b for b in best if b[3] == "ranked"]
    scores = sorted(b[2] for b in ranked)
    quart = [scores[int(q * (len(scores) - 1))] for q in (0.25, 0.5, 0.75)] if scores else [0.0, 0.0, 0.0]
    rng = random.Random(args.seed)
    sample = sorted(rng.sample(ranked, min(30, len(ranked))), key=lambda b: -b[2])
    load = os.getloadavg()
    flag = {True: " --dense", False: " --lexical"}.get(args.dense, "")
    rerun = f"`.venv/bin/python bench/bench_ai_align.py{flag} --seed {args.seed}`"
    engine_name = {
        None: "USE beside the lexical engine for appellations, lexical for skills (the pipeline default)",
        True: "USE beside the lexical engine for both",
        False: "lexical only",
    }[args.dense]
    lines = [
        "# ROME ↔ ESCO alignment (pipeline step `alignment`, `grepp taxonomy align`)",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}. "
        f"Rerun: {rerun}. Engine: {engine_name}.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| both alignments, computed and stored | {seconds:.0f} s |",
        f"| second run (already stored for this aligner version and these releases: skipped) | {skip_s:.2f} s "
        f"({again}) |",
        f"| peak RSS | {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB |",
        f"| skill pairs (compétences/savoirs ↔ skills) | {counts['skill pairs']:,} |",
        f"| appellation pairs (3 per appellation) | {counts['appellation pairs']:,} |",
        f"| appellations whose best ESCO occupation has the same name (`exact`) | {len(exact):,} of {len(best):,} "
        f"({len(exact) / max(1, len(best)):.1%}) |",
        f"| ESCO occupations that are some appellation's best match | {covered[0] if covered else 0:,} of "
        f"{n_esco[0] if n_esco else 0:,} |",
        f"| engine score of `ranked` best pairs, quartiles | {quart[0]:.2f} / {quart[1]:.2f} / {quart[2]:.2f} |",
        "",
        f"Random sample (seed {args.seed}) of `ranked` best pairs (`exact` ones share their name), best score first:",
        "",
        "| score | ROME appellation | ESCO occupation |",
        "|---|---|---|",
        *(f"| {s:.2f} | {labels.get(r, r)} | {labels.get(e, e)} |" for r, e, s, _ in sample),
        "",
    ]
    out = ROOT / "docs" / "benchmarks" / "ai-align.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    sys.stdout.write("\n".join(lines) + f"\nwrote {out}\n")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
