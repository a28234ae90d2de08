"""Fit the occupation coder's confidence calibration on the calibration half of real offers, and check it.

The fit reads the France Travail API files (``offers/france-travail/*.jsonl``): the calibration half is fixed
by a hash of the offer id (sha1 even first byte). Each offer is coded twice:

- *undated*, as the pipeline codes it: the first métier's score and its margin over the runner-up are the
  calibration's two features;
- *dated* (its ``dateCreation``), so that "right" means what the recruiter could have coded that day: an offer
  of 2024 whose title ROME v4.60 files under a fiche published in 2025 counts as right when the coder names the
  fiche's parent, as its recruiter had to (see :meth:`OccupationCoder._in_force`, which keeps the first
  métier's score and confidence). Judged undated, those offers read as errors of the coder, and the fit learnt
  to doubt every answer (coder v16: on all-sectors, answers at 0.78 were right 94 % of the time).

It prints the coefficients to paste into ``src/grepp/enrich/calibration.py`` and, for the shipped calibration
and the new fit, the reliability of every file's held-out half and of the files given after the database
(never used by the fit: the Ardèche flat export, the 2026 apprenticeship offers of
``bench/make_alternance_offers.py``): the mean confidence and the accuracy in bins of confidence, the expected
calibration error (ECE, ten equal bins) and the Brier score. Run::

    .venv/bin/python scripts/fit_occupation_calibration.py ../shared/data grepp.duckdb \\
        ../shared/data/offers/france-travail/ardeche-cdi-2025-flattened.psv /tmp/alternance-2026.jsonl

(the database with the taxonomies and rome_market_national loaded: run ``grepp eval offers`` once). With
``--encoder e5-small`` it fits the dense coder's calibration (``grepp enrich --dense``, ``grepp eval offers
--encoder e5-small``): its scores add the encoder's cosine, another scale.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import duckdb

from grepp.enrich.calibration import Calibration, fit_calibration
from grepp.enrich.metrics import calibration_errors
from grepp.enrich.occupation_input import offer_input
from grepp.enrich.occupations import CODER_NAME, CODER_VERSION, OccupationCoder
from grepp.store.priors import occupation_priors
from grepp.taxonomy import load_concepts

#: the bins of the printed reliability table (the ECE uses ten equal ones)
BINS = (0.0, 0.2, 0.3, 0.5, 0.7, 0.9, 1.01)


@dataclass(frozen=True)
class Answer:
    """One offer's first métier: its score and margin (undated coding) and whether it is right (dated coding)."""

    file: str
    half: int
    score: float
    margin: float
    right: bool


def _half(offer_id: str) -> int:
    return hashlib.sha1(offer_id.encode()).digest()[0] % 2


def _offers(path: Path) -> list[dict[str, Any]]:
    if path.suffix in (".csv", ".psv"):
        from grepp.sources.offer_files import open_offer_file

        return [r.value for r in open_offer_file(path, "ft-flat").records() if isinstance(r.value, dict)]
    lines = path.read_text(encoding="utf-8").split("\n")
    return [json.loads(line) for line in lines if line.strip()]


def answers(coder: OccupationCoder, path: Path) -> list[Answer]:
    """The first métier of every offer of the file that carries its recruiter's ROME code."""
    offers = [o for o in _offers(path) if o.get("romeCode")]
    undated = coder.code_many([replace(offer_input(o), date="") for o in offers])
    dated = coder.code_many([offer_input(o) for o in offers])
    out: list[Answer] = []
    for offer, plain, in_force in zip(offers, undated, dated, strict=True):
        if plain.metiers and in_force.metiers:
            best = plain.metiers[0]
            margin = best.score - (plain.metiers[1].score if len(plain.metiers) > 1 else 0.0)
            right = in_force.metiers[0].code == offer["romeCode"]
            out.append(Answer(path.name, _half(str(offer.get("id"))), best.score, margin, right))
    return out


def reliability(rows: Sequence[Answer], confidence: Callable[[Answer], float]) -> str:
    """Accuracy, mean confidence, ECE (ten equal bins), Brier score and the reliability bins, on one line."""
    conf = [confidence(r) for r in rows]
    errors = calibration_errors(conf, [r.right for r in rows])
    cells = []
    for low, high in pairwise(BINS):
        index = [i for i, c in enumerate(conf) if low <= c < high]
        if index:
            mean = sum(conf[i] for i in index) / len(index)
            cells.append(f"{mean:.2f}→{sum(rows[i].right for i in index) / len(index):.2f} (n={len(index)})")
    return (
        f"n={len(rows)} accuracy={errors['accuracy']:.3f} mean confidence={errors['confidence']:.3f} "
        f"ECE={errors['ece']:.3f} Brier={errors['brier']:.3f} | " + "  ".join(cells)
    )


def main(data: Path, db: Path, unseen: Sequence[Path], encoder_name: str = "none") -> None:
    encoder = None
    if encoder_name != "none":  # the dense coder, reading the encoder through its occupations adapter
        from grepp.config import load_settings
        from grepp.enrich.adapters import adapted
        from grepp.enrich.embed import get_encoder
        from grepp.store.vectors import EmbeddingCache

        cache = EmbeddingCache(load_settings(data=data, db=db).cache_dir / "vectors")  # the one grepp eval uses
        encoder = adapted(get_encoder(encoder_name, cache=cache), "occupations")
    with duckdb.connect(str(db), read_only=True) as con:
        priors = occupation_priors(con)
        concepts = load_concepts(con, kinds=["metier", "appellation", "occupation"])
        coder = OccupationCoder(concepts, encoder=encoder, priors=priors)
    rows = [a for path in sorted((data / "offers" / "france-travail").glob("*.jsonl")) for a in answers(coder, path)]
    extra = {path.name: answers(coder, path) for path in unseen}
    fit = [r for r in rows if r.half == 0]
    new = fit_calibration(
        [r.score for r in fit],
        [r.margin for r in fit],
        [r.right for r in fit],
        f"{CODER_NAME}.v{CODER_VERSION}{'+' + encoder.label if encoder else ''}, sha1 half 0 of the {len(rows):,} "
        "France Travail offers with a romeCode, right as coded on their date",
    )
    sys.stdout.write(f"{new}\n\n")
    shipped = coder.calibration  # what this coder ships with (the dense coder's own, when one was fitted)
    checks = {
        f"{name} (held-out half)": [r for r in rows if r.half == 1 and r.file == name]
        for name in sorted({r.file for r in rows})
    }
    checks["all files (held-out half)"] = [r for r in rows if r.half == 1]
    checks.update({f"{name} (unseen)": rows_ for name, rows_ in extra.items()})
    for title, chosen in checks.items():
        if not chosen:
            continue
        sys.stdout.write(f"{title}\n")
        for label, cal in (("shipped", shipped), ("new fit", new)):
            sys.stdout.write(f"  {label:8s} {reliability(chosen, _confidence(cal))}\n")


def _confidence(cal: Calibration) -> Callable[[Answer], float]:
    return lambda r: cal.confidence(r.score, r.margin)


if __name__ == "__main__":
    args = sys.argv[1:]
    name = "none"
    if "--encoder" in args:  # --encoder e5-small: the dense coder (grepp enrich --dense) instead of the lexical one
        at = args.index("--encoder")
        name = args[at + 1]
        del args[at : at + 2]
    main(Path(args[0]), Path(args[1]), [Path(p) for p in args[2:]], name)
