"""Code the trainings whose source gives no usable ROME code, with the offers' occupation coder (a pipeline step).

Many training feeds carry no ROME code (the Grand Est list, the Carif-Oref catalogue) or only ROME v2
codes of the old Formacode table: they are stored ``rome_links_status = 'pending'``. Their title and
objective are coded like an offer's title and description; the best métier is stored as a ROME link
whose ``origin`` names the coder and its version (a second métier too when the coder is confident in it),
and the training becomes ``coded``. A training the coder abstains on stays pending (it is cheap to try
again with a later model); one that changed since it was read is left for the next run. Trainings coded
by an older version of the coder are coded again, and the new links replace the old ones (where the new
version abstains, the old links stay)::

    with connect(settings.db_path) as con:
        counts = code_pending_trainings(con, settings)   # {'trainings coded': …, 'unknown': …}
"""

from __future__ import annotations

import re
from collections.abc import Callable

import duckdb

from grepp.config import Settings

Progress = Callable[[int], None]

#: A second métier is linked when the coder's calibrated confidence in it reaches this.
SECOND_METIER_CONFIDENCE = 0.5
#: Trainings coded per batch (each batch is stored in one transaction).
BATCH = 256

#: The diploma a training title starts with ("Brevet de Technicien Supérieur", "Titre Professionnel"…) and
#: a trailing acronym ("- MSPC"): they name the level, not the trade, and would drown it.
_DIPLOMA = re.compile(
    r"^(?:brevet de technicien sup[ée]rieur(?: agricole)?|brevet technicien sup[ée]rieur|brevet professionnel"
    r"(?: agricole)?|brevet d'[ée]tudes professionnelles(?: agricoles?)?|baccalaur[ée]at (?:professionnel|"
    r"technologique|g[ée]n[ée]ral)|bachelor universitaire de technologie|licence professionnelle|licence|"
    r"master|bachelor|titre professionnel|titre|certificat d'aptitude professionnelle(?: agricole)?|"
    r"certificat de sp[ée]cialisation|mention compl[ée]mentaire|dipl[ôo]me (?:d'[ée]tat|national)|"
    r"bts|but|dut|cap|bac pro|bp|cqp)\b[\s:,–-]*",
    re.IGNORECASE,
)
_TRAILING_ACRONYM = re.compile(r"\s+[-–]\s+[A-Z0-9]{2,8}$")


def training_title(title: str) -> str:
    """The trade a training title names: its diploma and trailing acronym removed.

    >>> training_title("Baccalauréat Professionnel Maintenance des systèmes de production connectés - MSPC")
    'Maintenance des systèmes de production connectés'
    """
    trade = _DIPLOMA.sub("", _TRAILING_ACRONYM.sub("", title.strip())).strip()
    return trade or title


def code_pending_trainings(
    con: duckdb.DuckDBPyConnection, settings: Settings, *, on_progress: Progress | None = None
) -> dict[str, int]:
    """Code every pending training; counts of coded, unknown and changed-meanwhile trainings."""
    from grepp.enrich.occupation_input import OccupationInput
    from grepp.enrich.occupations import CODER_NAME, CODER_VERSION
    from grepp.offer_enrichment import build_enrichers
    from grepp.sources.training_record import RomeLink
    from grepp.store.db import transaction
    from grepp.store.taxonomy import current_releases
    from grepp.store.trainings import pending_rome_trainings, recodable_trainings, save_coded_rome_links

    counts = {
        "trainings coded": 0,
        "trainings recoded by a newer coder": 0,
        "trainings unknown": 0,
        "trainings changed meanwhile": 0,
    }
    pending = pending_rome_trainings(con)
    stale = recodable_trainings(con, CODER_NAME, f"{CODER_NAME}.v{CODER_VERSION}")
    if not pending and not stale:
        return counts
    recoding = {t.training_id for t in stale}
    pending += stale
    coder = build_enrichers(con, settings).coder
    rome_version = next((f"rome-{v}" for t, v, _ in current_releases(con) if t == "rome"), "rome")
    for start in range(0, len(pending), BATCH):
        batch = pending[start : start + BATCH]
        texts = [" ".join(p for p in (t.objective, t.content) if p) for t in batch]
        results = coder.code_many(
            [OccupationInput(training_title(t.title), text) for t, text in zip(batch, texts, strict=True)]
        )
        with transaction(con):
            for training, result in zip(batch, results, strict=True):
                if result.status != "coded" or not result.metiers:
                    counts["trainings unknown"] += 1
                    continue
                chosen = [result.metiers[0]] + [
                    m for m in result.metiers[1:2] if m.confidence >= SECOND_METIER_CONFIDENCE
                ]
                links = [
                    RomeLink(
                        m.code,
                        origin=result.coder,
                        detail=f"{m.label} (confiance {m.confidence:.2f})",
                        rome_version=rome_version,
                    )
                    for m in chosen
                ]
                if save_coded_rome_links(con, training, links, origin=result.coder, replaces=CODER_NAME):
                    recoded = training.training_id in recoding
                    counts["trainings recoded by a newer coder" if recoded else "trainings coded"] += 1
                else:
                    counts["trainings changed meanwhile"] += 1
        if on_progress is not None:
            on_progress(len(batch))
    return counts
