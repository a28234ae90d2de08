"""Train the shipped encoder adapters (grepp.enrich.adapters) from the taxonomies alone, reproducibly.

Groups of labels that name one concept: every ESCO occupation's labels (French, English, German;
preferred and alternative) and every ROME métier's name with its appellations → ``occupations``; every
ESCO skill's preferred label with up to five of its other labels (a seeded draw), and every ESCO skill or
skill group with its broader skill or skill group (a pair of labels; ISCED-F fields left out) → ``skills``.
The labels are encoded with the encoder (disk cache under GREPP_CACHE, ``.grepp-cache`` by default), the adapter
trained (fixed seed) and written as float16 to ``src/grepp/resources/adapter-<encoder>-<domain>.npy``.
No benchmark or offer is read; two runs write identical files. Run (about 1 minute on 2 cores with the
label vectors cached, about 10 when the 138,000 labels are encoded for the first time):

    make adapters        # = .venv/bin/python scripts/train_adapters.py [--encoder use-m3] [--domain occupations]

``make adapters`` also trains e5-small's two adapters (skill corpora and German titles are ranked with both
encoders): with e5-small the 57,745 occupation labels take about 3 minutes to encode the first time, the
80,393 skill labels about 8; 20 and 30 s to train.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from grepp.config import load_settings
from grepp.enrich.adapters import DOMAINS, TRAINING, adapter_path, label_groups, train_adapter
from grepp.enrich.embed import get_encoder
from grepp.store.db import connect
from grepp.store.vectors import EmbeddingCache
from grepp.taxonomy import ensure_loaded, load_concepts
from grepp.taxonomy.concepts import broader_links, group_labels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--encoder", default="use-m3")
    parser.add_argument("--domain", choices=DOMAINS, action="append", help="only this kind of corpus (repeatable)")
    parser.add_argument("--data")
    parser.add_argument("--db")
    args = parser.parse_args(argv)
    settings = load_settings(data=args.data, db=args.db)
    with connect(settings.db_path) as con:
        ensure_loaded(con, settings.data_dir)
        concepts = load_concepts(con, kinds=["occupation", "metier", "appellation", "skill", "knowledge"])
        broader = broader_links(con, "esco")
        # ESCO's skill groups; not the ISCED-F fields of education filed beside them (knowledge's broader
        # concepts: "generic programmes and qualifications"), too broad to pull skills together
        groups_by_id = group_labels(con, "esco", "skill_group")
        skill_groups = {gid: label for gid, label in groups_by_id.items() if "/isced-f/" not in gid}
    encoder = get_encoder(args.encoder, cache=EmbeddingCache(settings.cache_dir / "vectors"))
    for domain in args.domain or DOMAINS:
        groups = label_groups(concepts, domain, broader, skill_groups)
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
