"""The disk cache of built coders: read back, they code real offers exactly as freshly built ones; a changed
store is another file; an unreadable file is built again, never read."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import duckdb
import pytest

import grepp.offer_enrichment as offer_enrichment
from grepp.config import Settings
from grepp.enrich.occupation_input import offer_input
from grepp.enrich.occupations import OccupationCoder
from grepp.enrich.skills import SkillExtractor
from grepp.offer_enrichment import CODER_KIND, EXTRACTOR_KIND, Enrichers, build_enrichers, enrich_batch
from grepp.store.coder_cache import KEEP, cached_build, coder_path, load_coders, save_coders, store_fingerprint
from grepp.store.enrichment import OfferText

CERTIFICATES = ("CACES", "permis", "habilitation", "SST", "FIMO")


def _offers(data_dir: Path) -> list[OfferText]:
    """40 real offers: the file's first 25 and 15 that name a certificate (the lexicon's RE2 set runs)."""
    lines = (data_dir / "offers" / "france-travail" / "all-sectors-2025.jsonl").read_text(encoding="utf-8").split("\n")
    offers = [json.loads(line) for line in lines if line.strip()]
    picked = offers[:25] + [o for o in offers[25:] if any(c in o.get("description", "") for c in CERTIFICATES)][:15]
    texts = []
    for i, offer in enumerate(picked):
        item = offer_input(offer)
        texts.append(OfferText(str(i), str(i), item.title, item.description, "fr", item.naf or None))
    return texts


def _no_build(*args: object, **kwargs: object) -> None:
    raise AssertionError("built again although the disk cache holds it")


def test_coders_read_back_from_disk_code_real_offers_as_the_built_ones(
    taxonomy_con: duckdb.DuckDBPyConnection, settings: Settings, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = build_enrichers(taxonomy_con, settings)
    for kind, part in ((CODER_KIND, built.coder), (EXTRACTOR_KIND, built.extractor)):
        path = coder_path(settings.cache_dir, taxonomy_con, kind)
        if not path.exists():  # the process held them already (another test built them): written elsewhere
            save_coders(path, part)
        assert path.exists()
    # a new process has no coders in memory: build_enrichers reads the files instead of building
    monkeypatch.setattr(offer_enrichment, "_CACHE", {})
    monkeypatch.setattr(offer_enrichment, "_PARTS", {})
    with monkeypatch.context() as patched:  # building now would fail: unpickling calls no __init__
        patched.setattr(OccupationCoder, "__init__", _no_build)
        patched.setattr(SkillExtractor, "__init__", _no_build)
        loaded = build_enrichers(taxonomy_con, settings)
    assert isinstance(loaded, Enrichers) and loaded.coder is not built.coder and loaded.extractor is not built.extractor
    offers = _offers(data_dir)
    states, occupations, skills = enrich_batch(loaded, offers)
    assert (states, occupations, skills) == enrich_batch(built, offers)
    assert any(row[16] == "acronym" for row in skills), "no certificate found: the lexicon was not exercised"
    # the title cache was not saved, and the loaded coder still takes its lock and fills its cache
    assert loaded.coder.code(offer_input({"intitule": "Soudeur TIG H/F"})).rome_codes[0].startswith("H29")


def test_a_changed_taxonomy_row_is_another_cache_file(taxonomy_con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    before = coder_path(tmp_path, taxonomy_con, "enrichers")
    assert coder_path(tmp_path, taxonomy_con, "enrichers") == before  # stable
    fingerprint = store_fingerprint(taxonomy_con)
    taxonomy_con.execute(
        "UPDATE taxonomy_labels SET text = text || ' (modifié)' WHERE rowid = (SELECT min(rowid) FROM taxonomy_labels)"
    )
    assert store_fingerprint(taxonomy_con) != fingerprint
    assert coder_path(tmp_path, taxonomy_con, "enrichers") != before


def test_an_unreadable_cache_file_is_removed_and_not_read(tmp_path: Path) -> None:
    path = tmp_path / "enrichers-0123.pickle"
    assert load_coders(path) is None  # absent
    path.write_bytes(b"not a pickle at all")
    assert load_coders(path) is None and not path.exists()
    save_coders(path, {"labels": list(range(10_000))})
    path.write_bytes(path.read_bytes()[:5_000])  # a writer that stopped half way (without the rename's safety)
    assert load_coders(path) is None and not path.exists()
    save_coders(path, {"labels": [1, 2]})
    assert load_coders(path) == {"labels": [1, 2]}
    assert not list(tmp_path.glob("*.tmp"))


def test_only_the_newest_files_of_a_kind_are_kept(tmp_path: Path) -> None:
    paths = [tmp_path / f"enrichers-{i:04d}.pickle" for i in range(KEEP + 2)]
    for age, path in enumerate(reversed(paths)):
        save_coders(path, age)
        os.utime(path, (1_000_000 + age, 1_000_000 + age))  # the last path is the oldest
    other = tmp_path / "other-0001.pickle"
    other.write_bytes(pickle.dumps("another kind"))
    longer = tmp_path / "enrichers-de-0001.pickle"  # a kind whose name begins like this one's
    longer.write_bytes(pickle.dumps("another kind"))
    os.utime(longer, (1, 1))
    save_coders(paths[0], "newest")
    kept = sorted(p.name for p in tmp_path.glob("enrichers-0*.pickle"))
    assert len(kept) == KEEP and paths[0].name in kept and other.exists() and longer.exists()


def test_cached_build_builds_once_per_store_content(taxonomy_con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    calls: list[int] = []

    def build() -> dict[str, int]:
        calls.append(1)
        return {"built": len(calls)}

    assert cached_build(tmp_path, taxonomy_con, "book", build, dict) == {"built": 1}
    assert cached_build(tmp_path, taxonomy_con, "book", build, dict) == {"built": 1}  # read back
    assert cached_build(None, taxonomy_con, "book", build, dict) == {"built": 2}  # no cache: built
    assert cached_build(tmp_path, taxonomy_con, "book", build, list) == {"built": 3}  # not what was asked for
    taxonomy_con.execute("DELETE FROM taxonomy_labels WHERE rowid = (SELECT max(rowid) FROM taxonomy_labels)")
    assert cached_build(tmp_path, taxonomy_con, "book", build, dict) == {"built": 4}  # the store changed
    assert len(calls) == 4
