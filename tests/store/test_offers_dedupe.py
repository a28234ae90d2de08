"""Duplicate links on real offers re-published with small edits, in another place, or by another source."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from grepp.config import Settings
from grepp.sources.offer_dedupe import refresh_duplicates
from grepp.sources.offer_ingest import ingest_paths
from grepp.store.db import connect


def _offer(data_dir: Path) -> dict[str, Any]:
    path = data_dir / "offers/france-travail/grand-est-it-data-2024.jsonl"
    with path.open(encoding="utf-8") as handle:
        return next(o for o in map(json.loads, handle) if len(o.get("description", "")) > 1500)


def test_republished_offers_link_to_the_earliest_and_other_places_stay_apart(
    settings: Settings, data_dir: Path, tmp_path: Path
) -> None:
    original = _offer(data_dir)
    words = original["description"].split()
    edited = " ".join([*words[:-5], "Poste", "à", "pourvoir", "rapidement."])  # a few words changed
    later = {**original, "id": "LATER1", "dateCreation": "2025-01-15T10:00:00.000Z", "description": edited}
    same_text = {**original, "id": "LATER2", "dateCreation": "2025-01-20T10:00:00.000Z"}
    elsewhere = {
        **original,
        "id": "ELSEWHERE",
        "lieuTravail": {"libelle": "88 - EPINAL", "commune": "88160"},
        "dateCreation": "2025-01-16T10:00:00.000Z",
    }
    other_job = {**original, "id": "OTHERJOB", "intitule": "Comptable fournisseurs", "description": edited}
    path = tmp_path / "republished.jsonl"
    rows = [original, later, same_text, elsewhere, other_job]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    with connect(settings.db_path) as con:
        ingest_paths(con, [path], dedupe=False)
        summary = refresh_duplicates(con, threshold=settings.dedupe_threshold)
        links = {
            offer: (canonical, method)
            for offer, canonical, method in con.execute(
                "SELECT offer_id, canonical_offer_id, method FROM offer_duplicates"
            ).fetchall()
        }
        canonical = f"france-travail:{original['id']}"
        assert links == {
            "france-travail:LATER1": (canonical, "near"),
            "france-travail:LATER2": (canonical, "exact"),
        }
        assert (summary.exact, summary.near, summary.signatures_computed) == (1, 1, 5)
        assert con.execute("SELECT count(*) FROM offers").fetchone() == (5,)  # nothing deleted
        again = refresh_duplicates(con, threshold=settings.dedupe_threshold)
        assert (again.signatures_computed, again.added, again.removed) == (0, 0, 0)
