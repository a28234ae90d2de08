"""Train the shipped encoder adapters (grepp.enrich.adapters) from the taxonomies alone, reproducibly.

Groups of labels that name one concept: every ESCO occupation's labels (French, English, German;
preferred and alternative) and every ROME métier's name with its appellations → ``occupations``; every
ESCO skill's preferred label with up to five of its other labels (a seeded draw) → ``skills``. The labels
are encoded with the encoder (disk cache under GREPP_CACHE, ``.grepp-cache`` by default), the adapter
trained (fixed seed) and written as float16 to ``src/grepp/resources/adapter-<encoder>-<domain>.npy``.
No benchmark or offer is read. Run (about 3 minutes on 2 cores, most of it encoding when the cache is cold):

    make adapters        # = .venv/bin/python scripts/train_adapters.py [--encoder use-m3]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict

import numpy as np

from grepp.config import load_settings
from grepp.enrich.adapters import DOMAINS, TRAINING, Domain, adapter_path, train_adapter
from grepp.enrich.embed import get_encoder
from grepp.models import Concept
from grepp.store.db import connect
from grepp.store.vectors import EmbeddingCache
from grepp.taxonomy import ensure_loaded, load_concepts

SKILL_LABELS = 6
METIER_LABELS = 20


def label_groups(concepts: list[Concept], domain: Domain) -> list[list[str]]:
    """The label groups of one domain (each of two labels or more), in a deterministic order."""
    draw = random.Random(0)
    groups: list[list[str]] = []
    if domain == "occupations":
        by_metier: dict[str, list[str]] = defaultdict(list)
        for concept in concepts:
            if concept.taxonomy == "esco" and concept.kind == "occupation":
                groups.append(concept.texts())
            elif concept.kind == "metier":
                by_metier[concept.code].insert(0, concept.label)
            elif concept.kind == "appellation" and concept.parent_id:
                by_metier[concept.parent_id.removeprefix("rome:")].append(concept.label)
        groups += [labels[:METIER_LABELS] for _, labels in sorted(by_metier.items())]
    else:
        for concept in concepts:
            if concept.taxonomy == "esco" and concept.kind in ("skill", "knowledge"):
                others = [text for text in concept.texts() if text != concept.label]
                draw.shuffle(others)
                groups.append([concept.label, *others[: SKILL_LABELS - 1]])
    return [g for g in groups if len(g) >= 2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--encoder", default="use-m3")
    parser.add_argument("--data")
    parser.add_argument("--db")
    args = parser.parse_args(argv)
    settings = load_settings(data=args.data, db=args.db)
    with connect(settings.db_path) as con:
        ensure_loaded(con, settings.data_dir)
        concepts = load_concepts(con, kinds=["occupation", "metier", "appellation", "skill", "knowledge"])
    encoder = get_encoder(args.encoder, cache=EmbeddingCache(settings.cache_dir / "vectors"))
    for domain in DOMAINS:
        groups = label_groups(concepts, domain)
        texts = sorted({text for group in groups for text in group})
        start = time.perf_counter()
        vectors = encoder.encode(texts, kind="query")
        index = {text: i for i, text in enumerate(texts)}
        print(f"{domain}: {len(groups):,} groups, {len(texts):,} labels encoded in {time.perf_counter() - start:.0f} s")

        def report(step: int, loss: float) -> None:
            if step % 250 == 0 or step == 1:
                print(f"  step {step}: loss {loss:.3f}", flush=True)

        start = time.perf_counter()
        matrix = train_adapter(vectors, [[index[t] for t in g] for g in groups], TRAINING[domain], on_step=report)
        path = adapter_path(args.encoder, domain)
        np.save(path, matrix.astype(np.float16))
        print(f"  trained in {time.perf_counter() - start:.0f} s → {path} ({path.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
