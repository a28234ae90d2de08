"""Offers → ESCO occupations: how often the coder's first ESCO occupation is the offer's own.

No offer file carries an ESCO code, so the truth is silver: the offer's recruiter-chosen ROME appellation
(``appellationlibelle``, never read by the coder) is looked up in ROME, and when exactly one ESCO
occupation bears one of its names (same label key: case, accents, gender, "H/F" folded) that occupation
is the offer's. Such offers lean towards titles that name their job plainly, so the figures flatter the
title; they compare versions of the coder, they are not a held-out score. The coder runs twice: ESCO from
the title alone (``esco_twin`` off, coder v9's behaviour) and with the first appellation's ESCO twin put
first where it has one (the ESCO occupation bearing its name; coder v10). With the twin, the silver
figure is close to "the first appellation is the recruiter's", by construction; the changes listed at
the end, over every offer, are the check. Writes docs/benchmarks/ai-esco.md::

    .venv/bin/python bench/bench_ai_esco.py
"""

from __future__ import annotations

import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("GREPP_DATA") or ROOT.parent / "shared" / "data").resolve()

from grepp.enrich.lexical import gender_keys, label_key  # noqa: E402
from grepp.enrich.occupation_input import offer_input, strip_coding  # noqa: E402
from grepp.enrich.occupations import CODER_NAME, CODER_VERSION, OccupationCoder, OccupationResult  # noqa: E402
from grepp.models import Concept  # noqa: E402
from grepp.store.priors import occupation_priors  # noqa: E402
from grepp.taxonomy.concepts import load_concepts  # noqa: E402
from grepp.taxonomy.releases import cached_taxonomy_db  # noqa: E402

FILES = ("all-sectors-2025.jsonl", "grand-est-it-data-2024.jsonl", "national-it-data-2022-2025.jsonl")


def _keys(text: str) -> set[str]:
    return set(gender_keys(text))


def silver_esco(concepts: list[Concept]) -> dict[str, str]:
    """ROME appellation name key → the one ESCO occupation sharing that name (names shared by several left out)."""
    esco: dict[str, set[str]] = {}
    for c in concepts:
        if c.taxonomy == "esco" and c.kind == "occupation":
            for text in c.texts("fr"):
                for key in _keys(text):
                    esco.setdefault(key, set()).add(c.id)
    out: dict[str, str] = {}
    for c in concepts:
        if c.taxonomy == "rome" and c.kind == "appellation":
            found = {e for text in c.texts("fr") for key in _keys(text) for e in esco.get(key, ())}
            if len(found) == 1:
                for text in c.texts("fr"):
                    for key in _keys(text):
                        out[key] = next(iter(found))
    return out


def score(results: list[OccupationResult], gold: list[str]) -> tuple[float, float]:
    top1 = sum(bool(r.esco) and r.esco[0].id == g for r, g in zip(results, gold, strict=True))
    top3 = sum(g in [c.id for c in r.esco[:3]] for r, g in zip(results, gold, strict=True))
    return top1 / max(len(gold), 1), top3 / max(len(gold), 1)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="grepp-bench-esco-"))  # the priors load the market figures
    shutil.copyfile(cached_taxonomy_db(DATA, ROOT / ".grepp-cache"), work / "grepp.duckdb")
    con = duckdb.connect(str(work / "grepp.duckdb"))
    concepts = load_concepts(con, kinds=["metier", "appellation", "occupation"])
    priors = occupation_priors(con, DATA)
    con.close()
    shutil.rmtree(work, ignore_errors=True)
    silver = silver_esco(concepts)
    coder = OccupationCoder(concepts, priors=priors)
    labels = {c.id: c.label for c in concepts}
    rows: list[str] = []
    changed: list[tuple[str, str, str]] = []
    every: list[dict[str, object]] = []
    for name in FILES:
        text = (DATA / "offers/france-travail" / name).read_text(encoding="utf-8")
        offers = [json.loads(x) for x in text.split("\n") if x.strip()]
        keys = [label_key(str(o.get("appellationlibelle") or "")) for o in offers]
        kept = [(o, silver[k]) for o, k in zip(offers, keys, strict=True) if k in silver]
        items = [offer_input(strip_coding(o)) for o, _ in kept]
        gold = [g for _, g in kept]
        figures = []
        for twin in (False, True):
            coder.config = replace(coder.config, esco_twin=twin)
            coder.clear_cache()
            start = time.perf_counter()
            results = coder.code_many(items)
            took = time.perf_counter() - start
            figures.append((score(results, gold), took))
        if name == FILES[0]:  # every offer of the file, silver truth or not
            every = offers
            after = coder.code_many([offer_input(strip_coding(o)) for o in every])
            coder.config = replace(coder.config, esco_twin=False)
            plain = coder.code_many([offer_input(strip_coding(o)) for o in every])
            coder.config = replace(coder.config, esco_twin=True)
            changed = [
                (str(o.get("intitule") or ""), labels[a.esco[0].id], labels[b.esco[0].id])
                for o, a, b in zip(every, plain, after, strict=True)
                if a.esco and b.esco and a.esco[0].id != b.esco[0].id
            ]
        (t0, h0), s0 = figures[0]
        (t1, h1), s1 = figures[1]
        rows.append(
            f"| {name} | {len(offers)} | {len(kept)} | {t0:.3f} / {h0:.3f} | **{t1:.3f}** / {h1:.3f} | "
            f"{len(kept) / s0:.0f} / {len(kept) / s1:.0f} |"
        )
    random.Random(1).shuffle(changed)
    lines = [
        f"# Offers → ESCO occupations (`{CODER_NAME}.v{CODER_VERSION}`)",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}. Rerun: `.venv/bin/python bench/bench_ai_esco.py`.",
        "",
        (__doc__ or "").split("\n\n")[1].replace("\n", " "),
        "",
        "| file | offers | with a silver ESCO occupation | title only: top-1 / top-3 | appellation's twin first: "
        "top-1 / top-3 | offers/s (lexical, warm indexes) |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        f"First ESCO occupation changed by the twin among all {len(every)} offers of `{FILES[0]}`:",
        f"{len(changed)}; a random 15 to read by hand (title: before → after). Hand-check of this sample",
        "(2026-11-29, ninth session): 9 better (*secrétaire* → *assistant médico-administratif* for a medical",
        "secretary, *assistant logistique* → *manutentionnaire* for a warehouse operator), 2 worse (a bare",
        '"Vendeur" → *vendeur automobile*, following a wrong appellation; "Chargé/e d\'administration" →',
        "*directeur de production de spectacles*), 4 neither right. A first try that added the appellation",
        "label's ESCO scores to the title's for every offer gained 2 to 3 points on the silver but read 2",
        'better, 6 worse on such a sample ("Chef de rang" → *responsable des crédits*): not kept.',
        "",
        *[f"- {t[:70]!r}: {a} → {b}" for t, a, b in changed[:15]],
        "",
    ]
    out = ROOT / "docs" / "benchmarks" / "ai-esco.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    sys.stderr.write(f"wrote {out}\n")


if __name__ == "__main__":
    main()
