"""Wiring: ingest → enrich → store. The CLI and the demo call these; they hold no logic of their own.

Each step takes an open connection and the settings, does its work in its own transactions, and returns
its reports, so a crashed step can simply be run again::

    with connect(settings.db_path) as con:
        for step in DEMO_STEPS:
            step.run(con, settings, None)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from grepp.config import Settings
from grepp.store.runs import RunReport

Progress = Callable[[int], None]


@dataclass
class StepResult:
    """What one pipeline step did: run reports (loaders) or counts (enrichment), and how long it took."""

    name: str
    seconds: float = 0.0
    reports: list[RunReport] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def load_taxonomies(con: duckdb.DuckDBPyConnection, settings: Settings, on_progress: Progress | None) -> StepResult:
    """ROME 4.0 and ESCO, versioned; a release already loaded is a no-op."""
    from grepp.taxonomy import load_all

    report = load_all(con, settings.data_dir, on_progress=on_progress)
    counts = {
        f"{r.taxonomy} {r.version} ({r.status})": int(r.row_counts.get("taxonomy_labels", 0)) for r in report.releases
    }
    return StepResult("taxonomies", counts=counts)


def align_taxonomies(con: duckdb.DuckDBPyConnection, settings: Settings, on_progress: Progress | None) -> StepResult:
    """ROME ↔ ESCO: compétences/savoirs ↔ skills, appellations ↔ occupations (once per release and aligner)."""
    from grepp.taxonomy_alignment import align_stored_taxonomies

    return StepResult("alignment", counts=align_stored_taxonomies(con, settings, on_progress=on_progress))


def load_geography(con: duckdb.DuckDBPyConnection, settings: Settings, on_progress: Progress | None) -> StepResult:
    """INSEE COG communes, zones d'emploi, bassins BMO and code changes."""
    from grepp.sources.geo import load_geography as load

    return StepResult("geography", reports=load(con, settings.data_dir, on_progress=on_progress))


def load_statistics(con: duckdb.DuckDBPyConnection, settings: Settings, on_progress: Progress | None) -> StepResult:
    """BMO, DEFM, DARES tensions, FAP, métiers en tension."""
    from grepp.sources.statistics import load_statistics as load

    return StepResult("statistics", reports=load(con, settings.data_dir, on_progress=on_progress))


def load_trainings(con: duckdb.DuckDBPyConnection, settings: Settings, on_progress: Progress | None) -> StepResult:
    """LHEO, RCO, Grand Est formations, CPF sample, Formacode reference tables."""
    from grepp.sources.training_files import load_trainings as load

    return StepResult("trainings", reports=load(con, settings.data_dir, on_progress=on_progress))


def offer_files(data_dir: Path) -> list[Path]:
    """Every offer file of the data directory (France Travail JSON and flat files, German ads)."""
    from grepp.sources.offer_files import data_offer_files

    return [f.path for f in data_offer_files(data_dir)]


def ingest_offers(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    on_progress: Progress | None,
    paths: Sequence[Path] | None = None,
) -> StepResult:
    """Every offer file of the data directory (or ``paths``), placed on the map and deduplicated."""
    from grepp.sources.offer_ingest import ingest_paths

    files = list(paths) if paths is not None else offer_files(settings.data_dir)
    return StepResult("offers", reports=ingest_paths(con, files, settings=settings, on_progress=on_progress))


def enrich_offers(con: duckdb.DuckDBPyConnection, settings: Settings, on_progress: Progress | None) -> StepResult:
    """Code every new or changed offer into occupations and skills (incremental)."""
    from grepp.offer_enrichment import default_workers, enrich_stored_offers

    counts = enrich_stored_offers(con, settings, on_progress=on_progress, workers=default_workers())
    return StepResult("enrichment", counts=counts)


def code_trainings(con: duckdb.DuckDBPyConnection, settings: Settings, on_progress: Progress | None) -> StepResult:
    """ROME métiers for the trainings whose source gives none (the offers' occupation coder)."""
    from grepp.training_enrichment import code_pending_trainings

    return StepResult("training coding", counts=code_pending_trainings(con, settings, on_progress=on_progress))


@dataclass(frozen=True)
class Step:
    name: str
    caption: str
    run: Callable[[duckdb.DuckDBPyConnection, Settings, Progress | None], StepResult]


#: The main job, in order: what `make demo-data` (``grepp demo build``) runs.
DEMO_STEPS: tuple[Step, ...] = (
    Step("taxonomies", "ROME 4.0 et ESCO", load_taxonomies),
    Step("alignment", "correspondances ROME ↔ ESCO", align_taxonomies),
    Step("geography", "géographie INSEE", load_geography),
    Step("statistics", "statistiques BMO, DEFM, DARES", load_statistics),
    Step("trainings", "offres de formation", load_trainings),
    Step("offers", "offres d'emploi", ingest_offers),
    Step("enrichment", "IA : métiers et compétences", enrich_offers),
    Step("training coding", "IA : métiers visés par les formations", code_trainings),
)


def run_step(
    step: Step, con: duckdb.DuckDBPyConnection, settings: Settings, on_progress: Progress | None
) -> StepResult:
    """Run one step and time it."""
    started = time.perf_counter()
    result = step.run(con, settings, on_progress)
    result.seconds = time.perf_counter() - started
    return result
