"""Full offer enrichment speed: occupation coding + skill extraction + ROME↔ESCO alignment lookups.

Runs :func:`grepp.offer_enrichment.enrich_batch` (what ``grepp enrich`` runs per batch, without the
database writes) over every real France Travail offer of ``offers/france-travail/*.jsonl`` and the German
BA ads, twice in one process: the first pass is *cold* (empty title cache, first use of every lru cache),
the second *warm* (titles already seen, as in a daily run where titles repeat). Lexical models (the
pipeline's default; ``--dense`` adds e5). Reports offers/s of each part, the index build time and the
peak RSS, then times writing the built indexes to the disk cache (:mod:`grepp.store.coder_cache`) and a
fresh process reading them back (a command's second call); writes docs/benchmarks/ai-enrich.md::

    .venv/bin/python bench/bench_ai_enrich.py [--dense]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("GREPP_DATA") or ROOT.parent / "shared" / "data").resolve()

from grepp.config import load_settings  # noqa: E402
from grepp.enrich.occupation_input import OccupationInput, offer_input  # noqa: E402
from grepp.offer_enrichment import (  # noqa: E402
    CODER_KIND,
    EXTRACTOR_KIND,
    build_enrichers,
    default_workers,
    enrich_batch,
    enriched_batches,
)
from grepp.sources.offers_ba import parse_ba_offer  # noqa: E402
from grepp.store.coder_cache import coder_path, save_coders  # noqa: E402
from grepp.store.db import connect  # noqa: E402
from grepp.store.enrichment import OfferText  # noqa: E402
from grepp.taxonomy.releases import cached_taxonomy_db  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def real_offers() -> list[OfferText]:
    """Every France Travail offer (coding fields stripped) and every German BA ad, as the enricher reads them."""
    texts: list[OfferText] = []
    for path in sorted((DATA / "offers" / "france-travail").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").split("\n"):
            if line.strip():
                item: OccupationInput = offer_input(json.loads(line))
                key = hashlib.sha1(line.encode()).hexdigest()
                texts.append(OfferText(key, key, item.title, item.description, "fr", item.naf or None))
    ba = DATA / "offers" / "germany-ba" / "ba_jobsuche_data_keyword_2025.jsonl"
    for line in ba.read_text(encoding="utf-8").split("\n"):
        if line.strip():
            offer = parse_ba_offer(json.loads(line))
            key = hashlib.sha1(line.encode()).hexdigest()
            texts.append(OfferText(key, key, offer.title, offer.description_text or offer.description, "de", None))
    return texts


def disk_cache_times(parts: list[tuple[object, Path]]) -> tuple[float, float, float, float]:
    """Seconds to write the built coder and extractor to the disk cache, their size (MB), and a fresh
    process's seconds and peak RSS (MiB) to read them back (what `grepp code` or `grepp eval offers` does
    from its second call on).

    The probe's peak is its own memory's high-water mark (``VmHWM``): ``ru_maxrss`` keeps the parent's across
    the fork and exec."""
    t0 = time.perf_counter()
    for built, path in parts:
        save_coders(path, built)
    save_s = time.perf_counter() - t0
    probe = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from grepp.store.coder_cache import load_coders\n"
        "t0 = time.perf_counter()\n"
        "built = [load_coders(Path(arg)) for arg in sys.argv[1:]]\n"
        "assert [type(b).__name__ for b in built] == ['OccupationCoder', 'SkillExtractor'], built\n"
        "hwm = [line for line in open('/proc/self/status') if line.startswith('VmHWM:')][0].split()[1]\n"
        "print(time.perf_counter() - t0, int(hwm) / 1024)\n"
    )
    paths = [str(path) for _, path in parts]
    out = subprocess.run([sys.executable, "-c", probe, *paths], check=True, capture_output=True, text=True)
    load_s, load_rss = (float(x) for x in out.stdout.split())
    return save_s, sum(path.stat().st_size for _, path in parts) / 1e6, load_s, load_rss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dense", action="store_true", help="add the e5 dense step (slow cold)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="grepp-bench-enrich-"))
    db = work / "grepp.duckdb"
    shutil.copyfile(cached_taxonomy_db(DATA, ROOT / ".grepp-cache"), db)
    settings = load_settings(data=DATA, db=db, env={}, cwd=ROOT)
    offers = real_offers()
    start = time.perf_counter()
    with connect(db) as con:
        enrichers = build_enrichers(con, settings, dense=args.dense, disk_cache=False)
        build = time.perf_counter() - start
        cache_parts = [
            (enrichers.coder, coder_path(work / "cache", con, CODER_KIND)),
            (enrichers.extractor, coder_path(work / "cache", con, EXTRACTOR_KIND)),
        ]
    passes: list[tuple[float, float]] = []
    batches = [offers[begin : begin + 256] for begin in range(0, len(offers), 256)]
    for warm in (False, True):
        if not warm:
            enrichers.coder.clear_cache()
        t0 = time.perf_counter()
        for batch in batches:
            enrichers.coder.code_many([OccupationInput(o.title, o.description, o.naf_code or "") for o in batch])
        coder_s = time.perf_counter() - t0
        if not warm:
            enrichers.coder.clear_cache()  # the full cold pass starts from an empty title cache too
        t0 = time.perf_counter()
        for batch in batches:
            enrich_batch(enrichers, batch)
        passes.append((coder_s, time.perf_counter() - t0))
    workers = default_workers()
    parallel: list[float] = []
    for warm in (False, True):
        if not warm:
            enrichers.coder.clear_cache()  # the forked workers start with an empty title cache
        t0 = time.perf_counter()
        for _ in enriched_batches(enrichers, batches, workers):
            pass
        parallel.append(time.perf_counter() - t0)
        if not warm:  # warm the parent's cache (the workers' caches die with them) for the warm pass
            for batch in batches:
                enrichers.coder.code_many([OccupationInput(o.title, o.description, o.naf_code or "") for o in batch])
    # read before the cache probe's process: a child's peak RSS starts from its parent's at the fork
    workers_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    cached = None if args.dense else disk_cache_times(cache_parts)
    n = len(offers)
    load = os.getloadavg()
    lines = [
        "# Offer enrichment speed (occupation + skills + alignment lookups)",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}. "
        f"Rerun: `.venv/bin/python bench/bench_ai_enrich.py{' --dense' if args.dense else ''}`.",
        "",
        f"{n:,} real offers (every France Travail JSONL offer, coding fields stripped, and the German BA ads); "
        f"models: {'lexical + e5 dense' if args.dense else 'lexical (the pipeline default)'}; "
        f"`enrich_batch` in batches of 256 = what `grepp enrich` runs, without the database writes.",
        "",
        "| step | seconds | offers/s |",
        "|---|---|---|",
        f"| build the indexes (≈ 90,000 ROME/ESCO labels, coder + extractor) | {build:.1f} | |",
    ]
    if cached is not None:
        save_s, size_mb, load_s, load_rss = cached
        lines += [
            f"| write them to the disk cache (two files, {size_mb:.0f} MB, `grepp.store.coder_cache`) "
            f"| {save_s:.1f} | |",
            f"| read them back in a fresh process (a command's second call; peak RSS {load_rss:.0f} MiB) "
            f"| {load_s:.1f} | |",
        ]
    for name, (coder_s, total_s) in zip(("cold (first pass)", "warm (second pass)"), passes, strict=True):
        lines.append(f"| {name}: occupation coding alone | {coder_s:.1f} | {n / coder_s:.0f} |")
        lines.append(f"| {name}: full enrichment (coding + skills + alignment) | {total_s:.1f} | {n / total_s:.0f} |")
    for name, seconds in zip(("cold", "warm"), parallel, strict=True):
        lines.append(
            f"| {name}: full enrichment in {workers} worker processes (`grepp enrich` default) "
            f"| {seconds:.1f} | {n / seconds:.0f} |"
        )
    lines += [
        "",
        f"Peak RSS of this process: {rss_mb():.0f} MiB; of the largest worker: "
        f"{workers_rss:.0f} MiB, most of it the parent's "
        "indexes shared copy-on-write (aim: under 2 GB). Aim warm: ≥ 200 offers/s.",
        "",
    ]
    out = ROOT / "docs" / "benchmarks" / "ai-enrich.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    sys.stdout.write("\n".join(lines) + f"\nwrote {out}\n")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
