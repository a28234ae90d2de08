"""Benchmark of grepp's retrieval engine and occupation coder: quality on the dev sets, speed, peak memory.

Runs ``grepp eval rank`` on MELO-fr, MELO-de, VDAB-fr and Decorte TECH/HOUSE (converted by
bench/make_decorte_melo.py) and ``grepp eval offers`` on each France Travail offers file and on the 2026
apprenticeship offers (converted by bench/make_alternance_offers.py), timing each
command and reading its peak RSS, then writes docs/benchmarks/ai-occupations-run.md. Run:

    .venv/bin/python bench/bench_ai_occupations.py [--data ../shared/data] [--db /tmp/bench.duckdb]
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GREPP = [sys.executable, "-m", "grepp.cli.main"]


#: Runs a command and prints its own peak RSS (KiB) last on stderr: one fresh parent per command, so the
#: figure is that command's (RUSAGE_CHILDREN of this script would be the maximum over all commands so far).
_PEAK = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
    "sys.stderr.write(f'\\npeak_kib={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n'); sys.exit(code)"
)


def _run(args: list[str]) -> tuple[dict[str, str], float, float]:
    """(metric lines of the command's stdout, seconds, the command's peak RSS in MiB)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _PEAK, *args], capture_output=True, text=True, check=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    peak = max((int(line[9:]) for line in done.stderr.splitlines() if line.startswith("peak_kib=")), default=0) / 1024
    metrics = dict(line.split("\t", 1) for line in done.stdout.splitlines() if "\t" in line)
    return metrics, seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--db", default=str(Path(tempfile.gettempdir()) / "grepp-bench-ai.duckdb"))
    args = parser.parse_args()
    data = Path(args.data)
    base = [*GREPP, "--data", str(data), "--db", args.db]
    work = Path(tempfile.mkdtemp(prefix="grepp-bench-"))
    subprocess.run(
        [sys.executable, "bench/make_decorte_melo.py", str(data / "eval" / "skills-en-decorte-dev"), str(work / "d")],
        check=True,
        cwd=ROOT,
    )
    sets = {
        name: (
            data / "eval" / folder / "queries.tsv",
            data / "eval" / folder / "corpus_elements.tsv",
            data / "eval" / folder / "annotations.tsv",
        )
        for name, folder in [
            ("MELO-fr (bel)", "occupations-melo-bel-fr-dev"),
            ("MELO-de (aut)", "occupations-melo-aut-de-dev"),
            ("VDAB fr skills", "skills-fr-vdab-dev"),
        ]
    }
    for part in ("tech", "house"):
        sets[f"Decorte {part}"] = (
            work / "d" / part / "queries.tsv",
            work / "d" / "corpus_elements.tsv",
            work / "d" / part / "annotations.tsv",
        )
    lines = [
        "# AI occupations and retrieval — benchmark run",
        "",
        f"Machine: 2 cores / 24 GB, shared; date {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. "
        "Rerun: `.venv/bin/python bench/bench_ai_occupations.py`.",
        "",
        "| set | MAP | R-prec | MRR | RP@5 | RP@10 | seconds | peak MiB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, (queries, corpus, qrels) in sets.items():
        m, seconds, peak = _run(
            [
                *base,
                "eval",
                "rank",
                "--queries",
                str(queries),
                "--corpus",
                str(corpus),
                "--qrels",
                str(qrels),
                "--out",
                str(work / "run.trec"),
            ]
        )
        lines.append(
            f"| {name} | {m['MAP']} | {m['R-prec']} | {m['MRR']} | {m['RP@5']} | {m['RP@10']} "
            f"| {seconds:.0f} | {peak:.0f} |"
        )
        sys.stdout.write(lines[-1] + "\n")
    lines += [
        "",
        "Confidence: the first métier's mean calibrated confidence, with its ECE and Brier score against the",
        "recruiters' codes (scripts/fit_occupation_calibration.py fitted it on half of the three JSON files' offers).",
        "",
        "| offers file | top-1 | top-3 | confidence | ECE | Brier | offers | seconds | peak MiB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    offers_dir = data / "offers" / "france-travail"
    # the Ardèche export (flat PSV): no weight was chosen on it (coder v7's grid only looked at it), the
    # closest to a held-out check here
    # and the 2026 apprenticeship offers of offers/llm-labelled-fr, converted (bench/make_alternance_offers.py):
    # the freshest recruiter-coded offers, first scored before any change was made for them
    alternance = work / "alternance-2026.jsonl"
    subprocess.run(
        [sys.executable, "bench/make_alternance_offers.py", str(data), str(alternance)], check=True, cwd=ROOT
    )
    for path in [*sorted([*offers_dir.glob("*.jsonl"), *offers_dir.glob("*.psv")]), alternance]:
        m, seconds, peak = _run([*base, "eval", "offers", str(path), "--out", str(work / "pred.tsv")])
        lines.append(
            f"| {path.name} | {m.get('top1', '')} | {m.get('top3', '')} | {m.get('confidence', '')} "
            f"| {m.get('ece', '')} | {m.get('brier', '')} | {m.get('offers', '')} | {seconds:.0f} | {peak:.0f} |"
        )
        sys.stdout.write(lines[-1] + "\n")
    lines += [
        "",
        "Skills (`--skills-out`): recall@10 of the recruiters' ROME compétences/savoirs among the predicted ones.",
        "",
        "| offers file | skill recall@10 | seconds |",
        "|---|---|---|",
    ]
    for path in [
        offers_dir / "all-sectors-2025.jsonl",
        offers_dir / "ardeche-cdi-2025-flattened.psv",
        data / "offers" / "france-travail-flat" / "riadh_dept07_offres.csv",  # competences in *_competences.csv
    ]:
        args = ["eval", "offers", str(path), "--out", str(work / "pred.tsv"), "--skills-out", str(work / "s.tsv")]
        m, seconds, _ = _run([*base, *args])
        lines.append(f"| {path.name} | {m.get('skill_recall@10', '')} | {seconds:.0f} |")
        sys.stdout.write(lines[-1] + "\n")
    out = ROOT / "docs" / "benchmarks" / "ai-occupations-run.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {out}\n")


if __name__ == "__main__":
    main()
