"""Fit the occupation coder's confidence calibration on the calibration half of real offers.

The half is fixed by a hash of the offer id (sha1 even first byte); the offers' own romeCode is the
label "top-1 right or wrong". Offers are coded undated, as the pipeline codes them. Prints the
coefficients to paste into src/grepp/enrich/calibration.py and the held-out half's reliability (mean
confidence vs accuracy). Run:

    .venv/bin/python scripts/fit_occupation_calibration.py ../shared/data grepp.duckdb

(the database with the taxonomies and rome_market_national loaded: run grepp eval offers once).
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import replace
from pathlib import Path

import duckdb

from grepp.enrich.calibration import fit_calibration
from grepp.enrich.occupations import OccupationCoder, offer_input
from grepp.store.priors import occupation_priors
from grepp.taxonomy import load_concepts


def _half(offer_id: str) -> int:
    return hashlib.sha1(offer_id.encode()).digest()[0] % 2


def main(data: Path, db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        priors = occupation_priors(con)
        coder = OccupationCoder(load_concepts(con, kinds=["metier", "appellation", "occupation"]), priors=priors)
    rows: list[tuple[int, float, float, bool]] = []
    for path in sorted((data / "offers" / "france-travail").glob("*.jsonl")):
        offers = [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
        # undated, as the pipeline codes: a dated offer's métier list may open with a parent fiche standing in
        # for the first (same score and confidence, no margin of its own), see OccupationCoder._in_force
        results = coder.code_many([replace(offer_input(o), date="") for o in offers])
        for offer, result in zip(offers, results, strict=True):
            if result.metiers and offer.get("romeCode"):
                best = result.metiers[0]
                margin = best.score - (result.metiers[1].score if len(result.metiers) > 1 else 0.0)
                rows.append((_half(str(offer.get("id"))), best.score, margin, best.code == offer["romeCode"]))
    fit = [r for r in rows if r[0] == 0]
    cal = fit_calibration([r[1] for r in fit], [r[2] for r in fit], [r[3] for r in fit], "offers calibration half")
    sys.stdout.write(f"{cal}\n")
    held = [r for r in rows if r[0] == 1]
    for low, high in [(0, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01)]:
        bucket = [r for r in held if low <= cal.confidence(r[1], r[2]) < high]
        if bucket:
            conf = sum(cal.confidence(r[1], r[2]) for r in bucket) / len(bucket)
            acc = sum(r[3] for r in bucket) / len(bucket)
            sys.stdout.write(f"confidence [{low}, {high}): n={len(bucket)} mean={conf:.2f} accuracy={acc:.2f}\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
