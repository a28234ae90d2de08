"""Wiring of the AI over the stored offers: occupation coding and skill extraction, incremental.

Pure coders live in :mod:`grepp.enrich`; this module reads the offers and the taxonomies from the store,
builds the coders once per process, and writes the results per enricher version. Only offers that are new
or whose content changed since this enricher version saw them are coded again::

    with connect(settings.db_path) as con:
        counts = enrich_stored_offers(con, settings)   # {"offers coded": 7000, "unknown": 12, ...}
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import duckdb

from grepp.config import Settings
from grepp.enrich.embed import Encoder
from grepp.enrich.occupation_input import OccupationInput
from grepp.enrich.occupations import OccupationCoder, OccupationResult
from grepp.enrich.skills import (
    EXTRACTOR_NAME,
    EXTRACTOR_VERSION,
    SkillExtractor,
    metier_core,
    metier_links,
    skill_rows,
)
from grepp.models import Concept
from grepp.store.db import transaction
from grepp.store.enrichment import OFFER_ENRICHER, OfferText, offers_to_enrich, save_results

Progress = Callable[[int], None]

#: Stored results say which pair of models produced them.
ENRICHER = OFFER_ENRICHER
#: Offers coded per transaction (a crash loses at most one batch of work, never stored rows).
BATCH_SIZE = 500


@dataclass
class Enrichers:
    """The occupation coder and the skill extractor, built once from the current taxonomies."""

    coder: OccupationCoder
    extractor: SkillExtractor
    #: built with the dense encoder (its runtime is not fork-safe: no worker processes then)
    dense: bool = False
    #: the coder's dense encoder and adapter when dense ("e5-small-occupations.v2"), recorded in its name
    coder_encoder: str = ""

    @property
    def version(self) -> str:
        return f"{self.coder_name}+{EXTRACTOR_NAME}.v{EXTRACTOR_VERSION}"

    @property
    def coder_name(self) -> str:
        from grepp.enrich.occupations import CODER_NAME, CODER_VERSION

        dense = f"+{self.coder_encoder}" if self.coder_encoder else ""
        return f"{CODER_NAME}.v{CODER_VERSION}{dense}"


#: what this process built or read: (store fingerprint, "dense" or "lexical") → Enrichers
_CACHE: dict[tuple[str, str], Enrichers] = {}
#: the lexical coder and extractor apart: (store fingerprint, kind) → built object
_PARTS: dict[tuple[str, str], object] = {}
_LOCK = threading.RLock()
#: kinds of :mod:`grepp.store.coder_cache` files
CODER_KIND = "occupation-coder"
EXTRACTOR_KIND = "skill-extractor"


def _encoder_label(encoder: Encoder | None) -> str:
    """An encoder's name with its adapter ("e5-small-occupations.v2"); "" for none."""
    return encoder.label if encoder is not None else ""


def _lexical_part(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    kind: str,
    build: Callable[[], object],
    expected: type,
    disk_cache: bool,
    fingerprint: str | None,
) -> object:
    """The lexical coder or extractor of the store's current content: kept in this process, read from the
    disk cache, or built (and written there)."""
    from grepp.store.coder_cache import cached_build, store_fingerprint

    store = fingerprint if fingerprint is not None else store_fingerprint(con)  # 0.1 s: once per call
    with _LOCK:
        if (store, kind) not in _PARTS:
            cache_dir = settings.cache_dir if disk_cache else None
            _PARTS[store, kind] = cached_build(cache_dir, con, kind, build, expected, fingerprint=store)
        return _PARTS[store, kind]


def lexical_coder(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    on_progress: Progress | None = None,
    disk_cache: bool = True,
    concepts: Callable[[], Sequence[Concept]] | None = None,
    fingerprint: str | None = None,
) -> OccupationCoder:
    """The pipeline's lexical occupation coder (see :func:`build_enrichers`; `grepp eval offers` needs no more).

    ``concepts`` reads the concepts when the coder must be built; ``fingerprint`` is the store's
    (:func:`grepp.store.coder_cache.store_fingerprint`) when the caller has it already."""
    from grepp.store.priors import ensure_market, occupation_priors
    from grepp.taxonomy.concepts import load_concepts

    ensure_market(con, settings.data_dir)  # before the key: the priors read it

    def build() -> OccupationCoder:
        found = concepts() if concepts is not None else load_concepts(con)
        priors = occupation_priors(con, settings.data_dir)
        return OccupationCoder(found, priors=priors, on_progress=on_progress)

    coder = _lexical_part(con, settings, CODER_KIND, build, OccupationCoder, disk_cache, fingerprint)
    assert isinstance(coder, OccupationCoder)
    return coder


def lexical_extractor(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    on_progress: Progress | None = None,
    disk_cache: bool = True,
    concepts: Callable[[], Sequence[Concept]] | None = None,
    fingerprint: str | None = None,
) -> SkillExtractor:
    """The pipeline's lexical skill extractor (see :func:`build_enrichers` and :func:`lexical_coder`)."""
    from grepp.taxonomy.concepts import load_concepts, occupation_skill_links

    def build() -> SkillExtractor:
        found = concepts() if concepts is not None else load_concepts(con)
        rome_links = occupation_skill_links(con, "rome")
        return SkillExtractor(
            found, links=metier_links(rome_links), core=metier_core(rome_links), on_progress=on_progress
        )

    extractor = _lexical_part(con, settings, EXTRACTOR_KIND, build, SkillExtractor, disk_cache, fingerprint)
    assert isinstance(extractor, SkillExtractor)
    return extractor


def build_enrichers(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    dense: bool = False,
    on_progress: Progress | None = None,
    disk_cache: bool = True,
) -> Enrichers:
    """Build (or reuse) the coder and the extractor for the current taxonomies.

    They are kept per process, and the lexical ones also on disk under the settings' cache directory
    (:mod:`grepp.store.coder_cache`: keyed by the content of the tables they read and the code's version;
    about 2 s to read back against 15 s to build). ``disk_cache=False`` builds them in any case (a
    benchmark of the build). ``dense`` adds the e5 encoder to both; it is off by default because embedding
    the ~90,000 labels cold takes over an hour on 2 cores (measured: the demo's enrichment took 102 min
    dense, cold, on a loaded machine) while the lexical models code the same offers in about a minute.
    Dense coders hold their encoder's runtime and are never written to disk.
    """
    from grepp.store.coder_cache import store_fingerprint
    from grepp.store.priors import ensure_market, occupation_priors
    from grepp.taxonomy.concepts import load_concepts, occupation_skill_links

    ensure_market(con, settings.data_dir)  # before the key: the priors read it
    key = (store_fingerprint(con), "dense" if dense else "lexical")
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
        if not dense:
            loaded: list[Sequence[Concept]] = []

            def concepts() -> Sequence[Concept]:  # read once, and only when a part must be built
                if not loaded:
                    loaded.append(load_concepts(con))
                return loaded[0]

            store = key[0]
            coder = lexical_coder(
                con, settings, on_progress=on_progress, disk_cache=disk_cache, concepts=concepts, fingerprint=store
            )
            extractor = lexical_extractor(
                con, settings, on_progress=on_progress, disk_cache=disk_cache, concepts=concepts, fingerprint=store
            )
            _CACHE[key] = Enrichers(coder, extractor)
            return _CACHE[key]
        from grepp.enrich.adapters import adapted
        from grepp.enrich.embed import get_encoder
        from grepp.store.vectors import EmbeddingCache

        encoder = get_encoder("e5-small", cache=EmbeddingCache(settings.cache_dir / "embeddings"))
        # the coder reads e5 through its occupations adapter (all-sectors top-1 0.746 plain, 0.757 adapted);
        # the skill extractor's dense threshold was set on plain e5 cosines
        coder_encoder = adapted(encoder, "occupations")
        concepts_all = load_concepts(con)
        coder = OccupationCoder(
            concepts_all,
            encoder=coder_encoder,
            priors=occupation_priors(con, settings.data_dir),
            on_progress=on_progress,
        )
        rome_links = occupation_skill_links(con, "rome")
        extractor = SkillExtractor(
            concepts_all,
            links=metier_links(rome_links),
            core=metier_core(rome_links),
            encoder=encoder,
            on_progress=on_progress,
        )
        _CACHE[key] = Enrichers(coder, extractor, True, _encoder_label(coder_encoder))
        return _CACHE[key]


def _occupation_rows(offer_id: str, version: str, result: OccupationResult) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for rank, c in enumerate(result.appellations[:5], start=1):
        rows.append(
            (
                offer_id,
                ENRICHER,
                version,
                "rome",
                rank,
                c.id,
                c.code,
                c.rome_code or None,
                c.label,
                c.score,
                c.confidence,
            )
        )
    for rank, c in enumerate(result.esco[:5], start=1):
        rows.append((offer_id, ENRICHER, version, "esco", rank, c.id, c.code, None, c.label, c.score, c.confidence))
    # the métiers themselves: their confidence is the calibrated probability that the offer's ROME code is this one
    # (an appellation's is that the appellation is), what an analyst filters the coded ROME codes on
    for rank, c in enumerate(result.metiers[:3], start=1):
        rows.append(
            (offer_id, ENRICHER, version, "rome_metier", rank, c.id, c.code, c.code, c.label, c.score, c.confidence)
        )
    return rows


def enrich_batch(
    enrichers: Enrichers, offers: Sequence[OfferText]
) -> tuple[list[tuple[str, str, str, str | None]], list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Code a batch of offers: (states, occupation rows, skill rows), ready for :func:`save_results`."""
    version = enrichers.version
    results = enrichers.coder.code_many(
        [OccupationInput(o.title, o.description, o.naf_code or "", o.language or "", o.employer) for o in offers]
    )
    states: list[tuple[str, str, str, str | None]] = []
    occupations: list[tuple[object, ...]] = []
    skills: list[tuple[object, ...]] = []
    for offer, result in zip(offers, results, strict=True):
        mentions = enrichers.extractor.extract(
            offer.description, title=offer.title, rome_codes=result.rome_codes[:2], lang=offer.language or None
        )
        states.append((offer.offer_id, offer.content_hash, result.status, result.reason or None))
        occupations.extend(_occupation_rows(offer.offer_id, version, result))
        skills.extend(skill_rows(offer.offer_id, mentions, enricher=ENRICHER, version=version))
    return states, occupations, skills


BatchResult = tuple[list[tuple[str, str, str, str | None]], list[tuple[object, ...]], list[tuple[object, ...]]]

#: The enrichers a forked worker inherits (set in the parent just before the pool forks).
_WORKER_ENRICHERS: Enrichers | None = None


def _enrich_in_worker(batch: Sequence[OfferText]) -> BatchResult:
    if _WORKER_ENRICHERS is None:  # pragma: no cover - only reachable if the pool were not forked
        raise RuntimeError("enrichment worker started without enrichers")
    return enrich_batch(_WORKER_ENRICHERS, batch)


def default_workers() -> int:
    """Processes for enrichment: one per core, at most 4 (each worker shares the parent's indexes)."""
    return max(1, min(4, os.cpu_count() or 1))


def enriched_batches(
    enrichers: Enrichers, batches: Sequence[Sequence[OfferText]], workers: int = 1
) -> Iterator[BatchResult]:
    """:func:`enrich_batch` of each batch, in order; with ``workers`` > 1, in forked worker processes.

    The workers inherit the built indexes through ``fork`` (copy-on-write, nothing is pickled but the
    offers and the rows) and only compute: the caller writes every result. Without ``fork`` (Windows),
    with one worker, one batch or the dense encoder (its runtime is not fork-safe), batches run here.
    """
    global _WORKER_ENRICHERS
    forkable = "fork" in multiprocessing.get_all_start_methods()
    if workers <= 1 or len(batches) <= 1 or not forkable or enrichers.dense:
        for batch in batches:
            yield enrich_batch(enrichers, batch)
        return
    _WORKER_ENRICHERS = enrichers
    try:
        with multiprocessing.get_context("fork").Pool(min(workers, len(batches))) as pool:
            yield from pool.imap(_enrich_in_worker, batches)
    finally:
        _WORKER_ENRICHERS = None


def enrich_stored_offers(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    on_progress: Progress | None = None,
    limit: int | None = None,
    batch_size: int = BATCH_SIZE,
    dense: bool = False,
    workers: int = 1,
) -> dict[str, int]:
    """Enrich every new or changed offer; one transaction per batch (written here, computed by ``workers``)."""
    enrichers = build_enrichers(con, settings, dense=dense)
    todo = offers_to_enrich(con, ENRICHER, enrichers.version, limit=limit)
    counts = {"offers coded": 0, "unknown": 0, "skill mentions": 0}
    batches = [todo[start : start + batch_size] for start in range(0, len(todo), batch_size)]
    for batch, (states, occupations, skills) in zip(
        batches, enriched_batches(enrichers, batches, workers), strict=True
    ):
        with transaction(con):
            save_results(
                con, enricher=ENRICHER, version=enrichers.version, states=states, occupations=occupations, skills=skills
            )
        counts["offers coded"] += sum(1 for s in states if s[2] != "unknown")
        counts["unknown"] += sum(1 for s in states if s[2] == "unknown")
        counts["skill mentions"] += len(skills)
        if on_progress is not None:
            on_progress(len(batch))
    return counts
