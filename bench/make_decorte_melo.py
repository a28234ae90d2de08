"""Convert the Decorte et al. (2023) skill-linking CSVs into MELO-format files for ``grepp eval rank``.

Each distinct job-ad sentence with at least one ESCO label becomes a query; the corpus is the ESCO
English skill labels of ``skills_en_label.txt`` (13,895 lines, one element each); the qrels link a
sentence to every label annotated on it. ``LABEL NOT PRESENT`` rows are dropped, and so is a sentence
left without labels. Run:

    .venv/bin/python bench/make_decorte_melo.py ../shared/data/eval/skills-en-decorte-dev /tmp/decorte
    grepp eval rank --queries /tmp/decorte/tech/queries.tsv --corpus /tmp/decorte/corpus_elements.tsv \
        --qrels /tmp/decorte/tech/annotations.tsv --out /tmp/decorte/tech.trec

(prints RP@5 and RP@10 with MAP, R-precision, MRR.)
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

NOT_PRESENT = "LABEL NOT PRESENT"


def convert(source: Path, target: Path) -> dict[str, int]:
    """Write corpus_elements.tsv and, per validation file, <set>/queries.tsv and <set>/annotations.tsv."""
    target.mkdir(parents=True, exist_ok=True)
    labels = [line.strip() for line in (source / "skills_en_label.txt").read_text(encoding="utf-8").splitlines()]
    ids: dict[str, str] = {}
    with (target / "corpus_elements.tsv").open("w", encoding="utf-8") as out:
        for number, label in enumerate(labels, start=1):
            if label and label.lower() not in ids:
                ids[label.lower()] = f"ESCO{number:05d}"
                out.write(f"{ids[label.lower()]}\t{label}\n")
    counts = {"corpus": len(ids)}
    for path in sorted(source.glob("*_annotations.csv")):
        name = path.name.split("_")[0]
        sentences: dict[str, set[str]] = {}
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                label = (row.get("label") or "").strip()
                doc = ids.get(label.lower())
                if label == NOT_PRESENT or doc is None:
                    continue
                sentences.setdefault(" ".join((row.get("sentence") or "").split()), set()).add(doc)
        folder = target / name
        folder.mkdir(exist_ok=True)
        with (
            (folder / "queries.tsv").open("w", encoding="utf-8") as q,
            (folder / "annotations.tsv").open("w", encoding="utf-8") as a,
        ):
            for number, (sentence, docs) in enumerate(sentences.items(), start=1):
                qid = f"Q{number:05d}"
                q.write(f"{qid}\t{sentence}\n")
                for doc in sorted(docs):
                    a.write(f"{qid} 0 {doc} 1\n")
        counts[name] = len(sentences)
    return counts


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: make_decorte_melo.py SOURCE_DIR TARGET_DIR")
    for key, value in convert(Path(sys.argv[1]), Path(sys.argv[2])).items():
        sys.stdout.write(f"{key}\t{value}\n")
