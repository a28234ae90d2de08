"""Duplicate detection on the real offers: time, links found, and precision on a labelled sample of pairs.

1. Loads the geography and every offer file of ``$GREPP_DATA/offers`` into a temporary database, then times
   :func:`grepp.sources.offer_dedupe.refresh_duplicates` (MinHash signatures + exact/near grouping).
2. Reads ``bench/dedupe_labels.tsv``: 100 pairs of real offers (ids only, no text), 60 drawn at random among
   the pairs the detector links (MinHash similarity ≥ 0.8, same place, compatible employer and title) and 40
   among those it leaves out at 0.5–0.8, each labelled duplicate / not_duplicate by rule-checked inspection.
3. Reports precision of the linked pairs, precision by similarity band, and an estimate of recall.

Writes docs/benchmarks/dedupe.md. Run: ``.venv/bin/python bench/bench_dedupe.py``.
"""

from __future__ import annotations

import csv
import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("GREPP_DATA") or ROOT.parent / "shared" / "data")
LABELS = ROOT / "bench" / "dedupe_labels.tsv"
DOC = ROOT / "docs" / "benchmarks" / "dedupe.md"
THRESHOLD = 0.8


def main() -> None:
    from grepp.enrich.dedupe import near_pairs
    from grepp.sources.geo import load_geography
    from grepp.sources.offer_dedupe import dedupe_items, refresh_duplicates
    from grepp.sources.offer_files import data_offer_files
    from grepp.sources.offer_ingest import ingest_paths
    from grepp.store.db import connect

    with tempfile.TemporaryDirectory(prefix="grepp-bench-dedupe-") as tmp, connect(Path(tmp) / "d.duckdb") as con:
        load_geography(con, DATA)
        ingest_paths(con, [f.path for f in data_offer_files(DATA)], dedupe=False)
        start = time.perf_counter()
        summary = refresh_duplicates(con, threshold=THRESHOLD)
        first = time.perf_counter() - start
        start = time.perf_counter()
        refresh_duplicates(con, threshold=THRESHOLD)
        cached = time.perf_counter() - start
        items = dedupe_items(con)
        similarity = {frozenset((a, b)): s for a, b, s in near_pairs(items, threshold=0.5)}
    with LABELS.open(encoding="utf-8") as handle:
        labels = list(csv.DictReader(handle, delimiter="\t"))
    linked = [r for r in labels if similarity.get(frozenset((r["offer_a"], r["offer_b"])), 0.0) >= THRESHOLD]
    missing = [r for r in labels if frozenset((r["offer_a"], r["offer_b"])) not in similarity]
    true_linked = sum(r["label"] == "duplicate" for r in linked)
    precision = true_linked / len(linked) if linked else 0.0
    below = [r for r in labels if r["band"] == "below"]
    below_dup_rate = sum(r["label"] == "duplicate" for r in below) / len(below) if below else 0.0
    n_linked = sum(1 for s in similarity.values() if s >= THRESHOLD)
    n_below = sum(1 for s in similarity.values() if 0.5 <= s < THRESHOLD)
    found, missed = n_linked * precision, n_below * below_dup_rate
    recall = found / (found + missed) if found + missed else 0.0
    bands = []
    for low, high in ((0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)):
        rows = [r for r in labels if low <= float(r["minhash_similarity"]) < high]
        dup = sum(r["label"] == "duplicate" for r in rows)
        bands.append(f"| {low:.1f}–{min(high, 1.0):.1f} | {len(rows)} | {dup} | {dup / len(rows):.0%} |")
    text = f"""# Duplicate offers: speed and precision

Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores, 24 GB RAM, by
`bench/bench_dedupe.py` (machine shared with other jobs: times vary).

## Speed, on every real offer file (`offers/**`, {summary.offers:,} offers stored)

| step | figure |
|---|---|
| first refresh (MinHash signatures of every offer + grouping) | {first:.1f} s |
| second refresh (signatures cached in `offer_minhashes`) | {cached:.1f} s |
| offers linked as exact duplicates (same text, same place) | {summary.exact:,} |
| offers linked as near duplicates (Jaccard ≥ {THRESHOLD}) | {summary.near:,} |
| pairs passing the near test at ≥ {THRESHOLD} / at 0.5–{THRESHOLD} | {n_linked:,} / {n_below:,} |

## Precision on a labelled sample

`bench/dedupe_labels.tsv` holds 100 pairs of real offers (ids, similarity, the checks below, label, reason; no
offer text): 60 drawn at random (seeded) among the pairs that pass the near-duplicate test at {THRESHOLD}, 40
among those that pass the blocking rules but have a MinHash similarity of 0.5–{THRESHOLD}. Each pair was labelled
by rule-checked inspection: same place, same or missing employer, title (normalised) and a token-level diff of
the two descriptions (difflib ratio and the differing spans) were computed, then every pair was read in that
form. A pair is a **duplicate** when it is the same vacancy published twice (same employer, place and post;
the text may be reworded, reordered, or carry an agency's boilerplate); it is **not** when the post differs
(another seniority, technology, working time, specialisation or client of a recruiter), even if the employer's
boilerplate makes the texts almost identical. (The 60 linked pairs were drawn when the LSH index was built at
the threshold itself, which found 135 of the 170 pairs above it; the index is now built 0.2 lower so that
banding loses no pair above the threshold. The precision applies to the pairs above the threshold alike.)

| figure | value |
|---|---|
| linked pairs in the sample | {len(linked)} |
| of which true duplicates | {true_linked} |
| **precision** | **{precision:.0%}** |
| true duplicates among the left-out pairs at 0.5–{THRESHOLD} | {below_dup_rate:.0%} ({len(below)} labelled) |
| estimated recall (among pairs at ≥ 0.5 that pass the blocking) | {recall:.0%} |
| labelled pairs no longer passing the blocking (code changed since labelling) | {len(missing)} |

By MinHash similarity band:

| similarity | labelled pairs | duplicates | share |
|---|---:|---:|---:|
{chr(10).join(bands)}

What this says: the false links are not low-similarity pairs but employer boilerplate — two different posts
(Senior vs not, Oracle vs MySQL, 18 h vs 9 h) whose texts are 95–100 % identical and whose titles share most
words. The misses are re-publications whose text was partly rewritten (similarity 0.6–0.8): lowering the
threshold to 0.7 would catch more of them at a lower precision (see the bands). Recall is only estimated
within the pairs the blocking lets through: duplicates across places, or whose titles share less than half
their words, are not measured. Offers of different sources (France Travail, BA) are compared too; the sample
happens to hold pairs within one source or between the France Travail files (API JSON, flat PSV and CSV).

Rerun: `.venv/bin/python bench/bench_dedupe.py` (≈ 1 min). To relabel, draw new pairs with the same rules and
inspect them; the TSV holds only ids, so it can be committed.
"""
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
