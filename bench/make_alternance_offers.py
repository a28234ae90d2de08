"""Turn the 642 LLM-labelled French apprenticeship offers into France Travail API v2 JSON for ``grepp eval offers``.

``offers/llm-labelled-fr/all_labelled.jsonl`` holds real France Travail offers of 2026 (``posting_id``
``france_travail:<id>``) as scraped text, with the offer's own metadata (``reference_metadata``: contract,
``dateCreation`` and ``romeLibelle``, the label of the ROME fiche its recruiter chose). The LLM's skill labels
are not read here. No weight of the occupation coder was chosen on these offers: they are the freshest
recruiter-coded offers in the data (the other files stop in 2025), so they serve as an unseen check.

Each record becomes an API-shaped offer: ``intitule`` is the title; ``description`` is the scraped text
without its first two lines when they are the title and the "EMPLOYER — place" line (the API keeps those
apart); ``entreprise.nom`` is the employer read from that line; ``romeCode`` is the ROME fiche whose label
is ``romeLibelle`` in the loaded release (labels compared case- and space-folded). Records whose label names
no fiche are counted and left out. Run::

    .venv/bin/python bench/make_alternance_offers.py ../shared/data /tmp/alternance-2026.jsonl
    grepp --data ../shared/data eval offers /tmp/alternance-2026.jsonl --out /tmp/alternance.tsv
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

SOURCE = Path("offers/llm-labelled-fr/all_labelled.jsonl")


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def fiche_codes(data_dir: Path) -> dict[str, str]:
    """Folded ROME fiche label → code, from the taxonomy store (loaded into a scratch database if needed)."""
    import tempfile

    from grepp.store.db import connect
    from grepp.taxonomy import ensure_loaded, load_concepts

    with tempfile.TemporaryDirectory() as tmp, connect(Path(tmp) / "taxonomy.duckdb") as con:
        ensure_loaded(con, data_dir)
        return {_fold(c.label): c.code for c in load_concepts(con, kinds=["metier"])}


def convert(record: dict[str, Any], codes: dict[str, str]) -> dict[str, Any] | None:
    """One API-shaped offer, or None when the recruiter's fiche label is unknown."""
    meta = record.get("reference_metadata") or {}
    label = str(meta.get("romeLibelle") or "")
    code = codes.get(_fold(label))
    if code is None:
        return None
    title = str(record.get("title") or "")
    lines = str(record.get("raw_text") or "").split("\n")
    employer = ""
    if lines and _fold(lines[0]) == _fold(title):
        lines = lines[1:]
        if lines and " — " in lines[0]:
            employer = lines[0].split(" — ", 1)[0].strip()
            lines = lines[1:]
    offer_id = str(record.get("posting_id") or "").removeprefix("france_travail:")
    offer: dict[str, Any] = {
        "id": offer_id,
        "intitule": title,
        "description": "\n".join(lines).strip(),
        "dateCreation": meta.get("dateCreation"),
        "typeContrat": meta.get("typeContrat"),
        "natureContrat": meta.get("natureContrat"),
        "alternance": meta.get("alternance"),
        "romeCode": code,
        "romeLibelle": label,
    }
    if employer:
        offer["entreprise"] = {"nom": employer}
    return offer


def main(data_dir: Path, target: Path) -> None:
    codes = fiche_codes(data_dir)
    kept: list[dict[str, Any]] = []
    unknown: dict[str, int] = {}
    seen: set[str] = set()
    with (data_dir / SOURCE).open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            record = json.loads(line)
            offer = convert(record, codes)
            if offer is None:
                label = str((record.get("reference_metadata") or {}).get("romeLibelle") or "")
                unknown[label] = unknown.get(label, 0) + 1
            elif offer["id"] not in seen:
                seen.add(offer["id"])
                kept.append(offer)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in kept), encoding="utf-8")
    print(f"{len(kept)} offers written to {target}; {sum(unknown.values())} left out (label names no fiche)")
    for label, n in sorted(unknown.items(), key=lambda kv: -kv[1]):
        print(f"  {n}\t{label!r}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))
