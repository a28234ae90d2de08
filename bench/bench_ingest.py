"""Offer ingest throughput, peak memory and re-ingest time, on files built from the real offers.

Builds JSONL files of 20,000 and 200,000 offers in a temporary folder by replicating the real France
Travail offers of ``$GREPP_DATA/offers/france-travail`` under new ids (never committed), then, each in a
fresh process (so peak memory is its own):

1. ingests the file into a new DuckDB database (parse + validate + place + store, no dedupe);
2. ingests the same file again (unchanged: records skipped by the hash of their raw bytes);
3. parses the file without storing (to split the time between Python parsing and DuckDB writing).

Writes docs/benchmarks/ingest.md. Run: ``.venv/bin/python bench/bench_ingest.py [--sizes 20000,60000,200000]``.
"""

from __future__ import annotations

import argparse
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
DATA = Path(os.environ.get("GREPP_DATA") or ROOT.parent / "shared" / "data")
SOURCES = ("national-it-data-2022-2025.jsonl", "all-sectors-2025.jsonl")
DOC = ROOT / "docs" / "benchmarks" / "ingest.md"
HEADER = (
    "| offers | file | first ingest | offers/s | CPU time | offers per CPU-second | peak memory "
    "| re-ingest (unchanged) | speed-up | peak memory (re-ingest) | parse only, offers/s | database |"
)


def build(path: Path, n: int) -> int:
    """Write ``n`` offers: the real ones, copied under ids ``<id>-R<k>``; returns the file size in bytes."""
    offers: list[dict[str, object]] = []
    seen: set[str] = set()
    for name in SOURCES:
        with (DATA / "offers" / "france-travail" / name).open(encoding="utf-8") as handle:
            for line in handle:
                offer = json.loads(line)
                if offer["id"] not in seen and offer.get("intitule"):
                    seen.add(offer["id"])
                    offers.append(offer)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            offer = offers[i % len(offers)]
            out.write(json.dumps({**offer, "id": f"{offer['id']}-R{i // len(offers)}"}, ensure_ascii=False) + "\n")
    return path.stat().st_size


def child(mode: str, file: Path, db: Path) -> None:
    """Run one measurement in this process and print it as JSON."""
    from grepp.sources.offer_files import open_offer_file
    from grepp.sources.offer_ingest import ingest_paths

    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    result: dict[str, object] = {}
    if mode == "stages":
        result.update(stages(file, db))
    elif mode == "parse":
        from grepp.sources.offer_ingest import _decode, raw_hash
        from grepp.sources.offers_json import parse_api_offer

        n = 0
        for record in open_offer_file(file).records():
            raw_hash(record.data, "ft-json")
            value, _ = _decode(record, "bench")
            assert parse_api_offer(value, location=record.location).content_hash
            n += 1
        result["offers"] = n
    else:
        from grepp.store.db import connect

        with connect(db) as con:
            (report,) = ingest_paths(con, [file], dedupe=False)
        result.update(read=report.read, stored=report.stored, unchanged=report.unchanged, rejected=report.rejected)
    result["seconds"] = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime  # every thread of the process (DuckDB's too)
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    result["base_rss_mb"] = base_rss / 1024
    print(json.dumps(result))


def stages(file: Path, db: Path, limit: int = 20_000) -> dict[str, float]:
    """CPU time (all threads of the process) per offer of each stage of a first ingest, in microseconds.

    Each stage runs over the same first ``limit`` records, one after the other, so their costs can be added.
    """
    from grepp.sources.offer_files import open_offer_file
    from grepp.sources.offer_ingest import _decode, raw_hash
    from grepp.sources.offers_json import parse_api_offer
    from grepp.store.db import connect, transaction
    from grepp.store.offers import COLUMN_NAMES, OfferRow, _competences_table, defer_checkpoints, offers_table

    cost: dict[str, float] = {}

    def timed(name: str, start: float) -> None:
        cost[name] = time.process_time() - start

    start = time.process_time()
    records = []
    for record in open_offer_file(file).records():
        records.append(record)
        if len(records) >= limit:
            break
    timed("read lines", start)
    start = time.process_time()
    digests = [raw_hash(r.data, "ft-json") for r in records]
    timed("raw hash (blake2b)", start)
    start = time.process_time()
    values = [_decode(r, "bench")[0] for r in records]
    timed("JSON decode (orjson)", start)
    start = time.process_time()
    offers = [parse_api_offer(v, location=r.location) for v, r in zip(values, records, strict=True)]
    timed("validate + normalise (parse_api_offer)", start)
    del values
    start = time.process_time()
    for offer in offers:
        _ = offer.content_hash
    timed("content hash", start)
    start = time.process_time()
    for offer in offers:
        _ = offer.text_hash
    timed("text hash (exact duplicates)", start)
    rows = [OfferRow(o, d, file.name) for o, d in zip(offers, digests, strict=True)]
    now = datetime.now(UTC).replace(tzinfo=None)
    start = time.process_time()
    tables = [
        (offers_table(rows[i : i + 5000], "run", now), _competences_table(rows[i : i + 5000]))
        for i in range(0, len(rows), 5000)
    ]
    timed("Arrow tables", start)  # they compute both hashes again: subtracted below
    cost["Arrow tables"] -= cost["content hash"] + cost["text hash (exact duplicates)"]
    with connect(db) as con:
        defer_checkpoints(con)  # as the ingest does
        start = time.process_time()
        for table, competences in tables:
            with transaction(con):
                con.register("_t", table)
                con.register("_c", competences)
                con.execute(f"INSERT INTO offers ({', '.join(COLUMN_NAMES)}) SELECT * FROM _t")
                con.execute("INSERT INTO offer_source_competences SELECT * FROM _c")
                con.unregister("_t")
                con.unregister("_c")
        timed("DuckDB insert (Arrow → offers, competences)", start)
        start = time.process_time()
        con.execute("CHECKPOINT")
        timed("DuckDB final checkpoint", start)
    return {name: seconds / len(records) * 1e6 for name, seconds in cost.items()}


def measure(mode: str, file: Path, db: Path) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", mode, str(file), str(db)]
    done = subprocess.run(
        command, check=True, capture_output=True, text=True, env={**os.environ, "GREPP_DATA": str(DATA)}
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="20000,60000,200000")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "FILE", "DB"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return
    rows: list[str] = []
    peak_list: list[str] = []
    stage_rows: list[str] = []
    ceiling = 0.0
    with tempfile.TemporaryDirectory(prefix="grepp-bench-ingest-") as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            file, db = Path(tmp) / f"offers-{n}.jsonl", Path(tmp) / f"offers-{n}.duckdb"
            size = build(file, n)
            first = measure("ingest", file, db)
            again = measure("ingest", file, db)
            parse = measure("parse", file, db)
            if not stage_rows:
                costs = measure("stages", file, Path(tmp) / "stages.duckdb")
                overall = ("seconds", "cpu_seconds", "peak_rss_mb", "base_rss_mb")
                total = sum(v for k, v in costs.items() if k not in overall)
                for name, micro in costs.items():
                    if name not in overall:
                        stage_rows.append(f"| {name} | {micro:,.1f} | {micro / total:.0%} |")
                stage_rows.append(f"| **total** | **{total:,.0f}** | 100% |")
                ceiling = 1e6 / total
            assert first["stored"] == n and again["unchanged"] == n, (first, again)
            db_mb = db.stat().st_size / 2**20
            rows.append(
                f"| {n:,} | {size / 2**20:,.0f} MB | {first['seconds']:.1f} s | {n / first['seconds']:,.0f} "
                f"| {first['cpu_seconds']:.1f} s | {n / first['cpu_seconds']:,.0f} "
                f"| {first['peak_rss_mb']:,.0f} MB | {again['seconds']:.1f} s "
                f"| {first['seconds'] / again['seconds']:.1f}× "
                f"| {again['peak_rss_mb']:,.0f} MB | {n / parse['seconds']:,.0f} | {db_mb:,.0f} MB |"
            )
            peak_list.append(f"{first['peak_rss_mb']:,.0f} MB at {n:,}")
            print(rows[-1], flush=True)
            file.unlink()
    load = os.getloadavg()
    peaks = ", ".join(peak_list)
    text = f"""# Offer ingest: throughput, memory, re-ingest

Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores, 24 GB RAM,
Python {platform.python_version()}, DuckDB (embedded), by `bench/bench_ingest.py`. The machine was shared with
other developers' jobs (load average {load[0]:.1f} at the end of the run), so the figures are pessimistic and
vary from run to run.

Input: JSONL files of France Travail API v2 offers built in a temporary folder by replicating the real offers
of `offers/france-travail` (national IT/data + all-sectors, ≈ 4 kB each) under new ids. Each measurement
runs in a fresh process; peak memory is that process's maximum resident set size (Python, DuckDB and the
~5,000-offer batch in flight). Batches of 5,000 offers, one transaction each; no duplicate detection.

{HEADER}
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
{chr(10).join(rows)}

- *first ingest*: read, JSON-decode (orjson), validate and normalise (dates to UTC, salary to EUR/month,
  place, source competences), hash, and store in DuckDB through Arrow batches (`offers`,
  `offer_source_competences`), one transaction per batch, with a writer thread overlapping the parsing.
- *CPU time*: user + system time of the ingesting process (all its threads); *offers per CPU-second* is the
  rate one fully free core would give, less sensitive to the other jobs on the machine than the wall-clock rate.
- *re-ingest*: the same file again; every record's raw bytes hash to a value already stored, so it is
  skipped unparsed and only `last_seen_run` is touched: nothing new is stored.
- *parse only*: the Python part alone (no database), to show where the time goes.
- Memory: the file is streamed and the Python side holds one batch in flight (plus, on re-ingest, the set of
  raw hashes already stored for the source, which grows with the database, not the file). DuckDB used to keep
  every block the ingest wrote in its buffer pool (+19 MB per 5,000 offers, up to 80 % of RAM: 335 MB at
  20,000 offers, 1,135 MB at 200,000 on 2026-11-27 18:32), and the data not yet checkpointed stayed in memory
  too (the ingest had raised the checkpoint threshold to 1 GB: with it, a 256 MB memory limit alone still
  peaked at 1,312 MB for 200,000 offers). The ingest now sets, for its duration, DuckDB's `memory_limit` to
  256 MB and its checkpoint threshold to 256 MB of WAL (`INGEST_MEMORY_LIMIT`, `INGEST_CHECKPOINT_THRESHOLD`
  in `grepp.store.offers`, restored afterwards): the peak grows until the first checkpoint (some 60,000
  offers of ≈ 4 kB)
  and is bounded after it, whatever the file size: {peaks}.
- Checkpoints: with DuckDB's default threshold (16 MiB of WAL) a checkpoint followed almost every batch and
  rewrote the primary-key index each time, so the time per batch grew with the table (first measured run:
  200,000 offers in 182 s, 1,099 offers/s). The ingest raises the threshold to 256 MB for its duration
  (a checkpoint every some 60,000 offers; commits still go to the WAL, so `kill -9` loses nothing committed;
  see tests/integration/test_ingest_kill.py).

## Where the time goes

CPU time per offer of each stage of a first ingest, measured one stage after the other over the first 20,000
offers of the file (`--child stages`; CPU time of all the process's threads, so DuckDB's own threads count;
the total varied between 182 and 235 µs in the runs of 2026-11-27, with the load of the machine):

| stage | CPU µs per offer | share |
|---|---:|---:|
{chr(10).join(stage_rows)}

Parsing and validating with the cheap paths (the API's fixed `…Z` date form parsed without time-zone work,
salary texts and working-hours labels cached by their text — a few thousand distinct texts for 200,000 offers)
leaves every stage in C code or close to it (orjson, blake2b/MD5, Arrow, DuckDB); what remains in Python is
one dictionary lookup and one `strip` per field. At {ceiling:,.0f} offers/s per fully free core, the pipeline
can reach at most about twice that on this 2-core machine with perfect parallelism, and the machine is shared
(see the load average above). In practice the ingest (one parsing thread + one writer thread) is nearly
serial — its wall-clock time is about its CPU time in the table — because only DuckDB's own work releases the
GIL; building the Arrow tables in the writer thread holds it.

## Before / after (same machine, same files, back to back, load average ≈ 2–3)

The code before this work (commit 05b95e4) and after, each ingesting the same file into a new database:

| offers | before: wall / CPU / peak memory | after: wall / CPU / peak memory |
|---:|---:|---:|
| 20,000 | 4.4 s / 4.5 s / 357 MB | 3.6 s / 3.7 s / 340 MB |
| 200,000 | 47.3 s / 46.1 s / 1,148 MB | 43.8 s / 42.5 s / 501 MB |

(The 2,091 offers/s of the previous version of this page were measured under a load average of 8: most of
the difference with the table above is the machine, not the code. The CPU saved per offer comes from the
date fast path, the cached salary and hours parsing and the cheaper `text()`; the memory from the bounded
buffer pool and checkpoint threshold; on 200,000 offers the extra checkpoints (one every some 60,000 offers)
take back part of what the parsing saves: −18 % CPU at 20,000 offers, −8 % at 200,000.)

Aims and results:

- **≥ 20,000 offers/s: not met.** 20,000 offers/s on 2 cores is at most 100 µs of CPU per offer for
  everything; storing alone (DuckDB insert with its primary-key index, WAL and final checkpoint) costs about
  half of that, and JSON decoding plus the two content hashes more again, before any validation.
  Tried and dropped: a pool of parsing processes feeding the writer — sending a parsed offer back to the
  writer process (pickle) cost ≈ 41 µs to send + 49 µs to receive per offer, as much as parsing it, so it
  cannot pay on 2 cores; building the Arrow columns one list per column instead of one tuple per row (no
  measurable gain). What would: a vectorised path that lets DuckDB read well-formed API v2 lines itself
  (`read_json`) — it would have to reproduce, in SQL, the exact validation, rejections (file, line, field),
  HTML-to-text, salary and hash values of the Python parser; not done.
- **Re-ingest of an unchanged file ≥ 5× faster: met** (see *speed-up*).
- **Peak memory flat in the file size: met above ≈ 60,000 offers** (bounded, see *peak memory*: what remains
  is Python, pyarrow, lxml and DuckDB loaded, one 5,000-offer batch in three shapes — raw bytes, parsed,
  Arrow — DuckDB's 256 MB buffer pool and up to 256 MB of WAL not yet checkpointed; lower both constants
  for a smaller bound, at the cost of more checkpoints).

Rerun: `.venv/bin/python bench/bench_ingest.py` (≈ 5 min; `--sizes 20000` for a quick run).
"""
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
