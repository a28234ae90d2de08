"""ROME appellations as MELO queries, their own name left out of the corpus: a proxy of the French held-out set.

The French MELO set links ROME appellations (France Travail's ROME → ESCO crosswalk) to ESCO occupations;
no such crosswalk is in the data. But ESCO's French labels carry many ROME appellation names as
alternative labels of the occupation they were mapped to (*opérateur de traitement de surface* lists
"nickeleur industriel", "chromeur industriel", "cuivreur industriel"…). This script takes the ROME
appellations whose gender-folded name is an alternative (not preferred) label of exactly one concept of a
MELO corpus, draws them into folds, and for each fold writes the corpus without those names (the query
must find its concept by what else it says: its other labels, its ROME siblings' names), the queries, and
qrels linking each query to the remaining forms of its concept. The names left in the corpus are those a
real query would meet, so the folds keep each other's names. Run:

    .venv/bin/python bench/make_rome_names_melo.py ../shared/data /tmp/rome-names
    grepp eval rank --queries /tmp/rome-names/0/queries.tsv --corpus /tmp/rome-names/0/corpus_elements.tsv \
        --qrels /tmp/rome-names/0/annotations.tsv --out /tmp/rome-names/0.trec     # and folds 1–4

Deterministic (seeded draw). It measures one side of the held-out task only — titles whose name the
corpus knows under one concept, without that name — and it is biased: those concepts list many ROME
names, so the title's own words find them and the métier context looks useless here (MAP 0.871 with it,
0.909 without), while on all 13,120 ROME appellations the context helps: halving it for the titles that
are an appellation's name changed the first ESCO occupation of 2,074 of them, and of 40 drawn and read by
hand 22 got worse, 7 better (eleventh session). Use it to compare variants that do not touch the
context, never alone; it does not predict the held-out figure.
"""

from __future__ import annotations

import csv
import random
import sys
from collections import defaultdict
from pathlib import Path

from grepp.enrich.lexical import gender_keys

FOLDS = 5
SEED = 0
CORPUS = Path("eval") / "occupations-melo-bel-fr-dev" / "corpus_elements.tsv"
APPELLATIONS = Path("rome") / "v460" / "unix_referentiel_appellation_v460_utf8.csv"


def _concept(doc_id: str) -> str:
    return doc_id.split("_")[0]


def convert(data: Path, target: Path) -> dict[str, int]:
    """Write ``<fold>/{corpus_elements,queries,annotations}.tsv``; returns the counts written."""
    corpus = [
        (parts[0], parts[1])
        for line in (data / CORPUS).read_text(encoding="utf-8").splitlines()
        if len(parts := line.split("\t")) >= 2 and parts[0] != "id"
    ]
    preferred: dict[str, str] = {}
    for doc_id, _ in corpus:
        preferred.setdefault(_concept(doc_id), doc_id)
    concepts_of: dict[str, set[str]] = defaultdict(set)
    named_first: set[str] = set()  # keys some concept's preferred label bears
    for doc_id, text in corpus:
        for key in gender_keys(text):
            concepts_of[key].add(_concept(doc_id))
            if preferred[_concept(doc_id)] == doc_id:
                named_first.add(key)
    with (data / APPELLATIONS).open(encoding="utf-8", newline="") as handle:
        rows = [(f"R{row['code_ogr']}", row["libelle_appellation_long"]) for row in csv.DictReader(handle)]
    chosen: list[tuple[str, str, str, set[str]]] = []
    for qid, title in rows:
        keys = set(gender_keys(title))
        concepts = set().union(*(concepts_of.get(key, set()) for key in keys))
        if len(concepts) == 1 and not keys & named_first:
            chosen.append((qid, title, concepts.pop(), keys))
    random.Random(SEED).shuffle(chosen)
    counts = {"queries": len(chosen)}
    for fold in range(FOLDS):
        part = chosen[fold::FOLDS]
        hidden = {
            doc_id
            for _, _, concept, keys in part
            for doc_id, text in corpus
            if _concept(doc_id) == concept and keys & set(gender_keys(text))
        }
        out = target / str(fold)
        out.mkdir(parents=True, exist_ok=True)
        kept = [(doc_id, text) for doc_id, text in corpus if doc_id not in hidden]
        (out / "corpus_elements.tsv").write_text("".join(f"{d}\t{t}\n" for d, t in kept), encoding="utf-8")
        (out / "queries.tsv").write_text("".join(f"{q}\t{t}\n" for q, t, _, _ in part), encoding="utf-8")
        forms: dict[str, list[str]] = defaultdict(list)
        for doc_id, _ in kept:
            forms[_concept(doc_id)].append(doc_id)
        qrels = "".join(f"{q}\t0\t{d}\t1\n" for q, _, concept, _ in part for d in forms[concept])
        (out / "annotations.tsv").write_text(qrels, encoding="utf-8")
        counts[f"fold {fold} hidden forms"] = len(hidden)
    return counts


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: make_rome_names_melo.py DATA_DIR TARGET_DIR")
    print(convert(Path(sys.argv[1]), Path(sys.argv[2])))
