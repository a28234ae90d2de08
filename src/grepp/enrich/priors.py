"""What is known about a métier before reading the offer: how often it is advertised, in which sectors.

Two priors nudge the occupation coder where the title alone hesitates ("Infirmier" fits several
nursing fiches; the one most advertised nationally is the likelier):

- *volume*: national job offers per ROME code (France Travail market figures), as a z-scored
  ``log(1 + offers)`` — a tie-breaker, weighted lightly;
- *sector*: ROME's own NAF-division → métier links (``unix_arborescence_secteur_naf``): an offer of a
  bakery is likelier a baker's. Temporary-work agencies (NAF 78) say nothing about the job.

When the fiche came into use: ROME 4.0 grows by releases (France Travail publishes new fiches three
times a year, each split from an older *parent* fiche); an offer posted before a fiche's release carries
its parent's code (:func:`fiche_releases`).

And one text per métier, its *profile*: what the ROME fiche says the job is (definition, access) and
the labels of the compétences and savoirs it lists; the coder compares an offer's whole text with it.

    >>> priors = OccupationPriors({"J1506": 120_000, "J1512": 900}, {"86": frozenset({"J1506"})})
    >>> priors.sector_codes("86.10Z")
    frozenset({'J1506'})
    >>> [round(float(x), 2) for x in priors.volume_scores(["J1506", "J1512", "Z9999"])]
    [1.15, 0.13, -1.29]

Pure: mappings in, arrays out; :mod:`grepp.store.priors` reads them from the store.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: An ISO day at the start of a date ("2024-11-03", "2024-11-03T10:00:00Z"); other forms are not compared.
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
#: NAF divisions whose employers place staff of every trade (temporary work, employment agencies).
UNINFORMATIVE_DIVISIONS = frozenset({"0", "78"})


def naf_division(naf: str) -> str:
    """The NAF division of a code ("78.20Z" → "78", "01.11Z" → "1", "86" → "86"; "" when unreadable)."""
    head = naf.strip().split(".")[0]
    if not head[:2].isdigit():
        return ""
    return head[:2].lstrip("0") or "0"


@dataclass(frozen=True)
class OccupationPriors:
    """National offer volumes per ROME code, NAF division → ROME codes, ROME code → fiche profile text."""

    volumes: Mapping[str, float] = field(default_factory=dict)
    sectors: Mapping[str, frozenset[str]] = field(default_factory=dict)
    profiles: Mapping[str, str] = field(default_factory=dict)
    #: ROME code → the day (ISO) from which France Travail's offers carry it, for the fiches published
    #: after ROME 4.0's first release that its offers coded with their parent fiche before (see
    #: :func:`fiche_releases`)
    releases: Mapping[str, str] = field(default_factory=dict)

    def in_force(self, code: str, day: str) -> bool:
        """Whether offers dated ``day`` (ISO, "2024-11-03…") carry the fiche ``code``; True when undated.

        >>> priors = OccupationPriors(releases={"M1419": "2025-07-01"})
        >>> priors.in_force("M1419", "2024-11-03T10:00:00Z"), priors.in_force("M1419", "2025-08-01")
        (False, True)
        >>> priors.in_force("M1419", ""), priors.in_force("M1419", "03/11/2024"), priors.in_force("M1403", "2024")
        (True, True, True)
        """
        since = self.releases.get(code)
        return since is None or _ISO_DAY.match(day) is None or day[:10] >= since

    def volume_scores(self, codes: Sequence[str]) -> np.ndarray[Any, Any]:
        """z-scored log volumes of the codes (codes without figures count as no offers)."""
        if not self.volumes:
            return np.zeros(len(codes), dtype=np.float32)
        raw = np.array([math.log1p(max(0.0, self.volumes.get(code, 0.0))) for code in codes], dtype=np.float32)
        spread = float(raw.std())
        if spread == 0.0:
            return np.zeros(len(codes), dtype=np.float32)
        result: np.ndarray[Any, Any] = (raw - raw.mean()) / spread
        return result

    def sector_codes(self, naf: str) -> frozenset[str]:
        """The ROME codes ROME links to the offer's NAF division (empty when unknown or uninformative)."""
        division = naf_division(naf)
        if not division or division in UNINFORMATIVE_DIVISIONS:
            return frozenset()
        return self.sectors.get(division, frozenset())


#: The 2025 wave of ROME 4.0 fiches: OGR codes from 500,000 on (528 fiches of v4.60, each split from a
#: parent fiche) and the day from which France Travail's offers carry them.
RELEASE_2025_OGR = 500_000
RELEASE_2025_DAY = "2025-07-01"


def fiche_releases(fiches: Sequence[tuple[str, str, str]]) -> dict[str, str]:
    """ROME code → the day offers began to carry it, from ``(code, ogr_code, parent_code)`` of each fiche.

    Read on the labelled offers (3,519 distinct offers of national IT 2022–2025, Grand Est IT 2024,
    all-sectors and Ardèche 2025; each by the v4.60 fiche of the recruiter's own appellation): the fiches
    with an OGR code from 500,000 on were coded as their parent fiche in 392 of the 416 offers created
    before July 2025 (the last on 2025-05-28; the other 24 another fiche, none the fiche itself), and as
    themselves in all 63 created from 2025-07-22 on; the older split fiches (OGR below 500,000) as
    themselves in 1,154 of 1,185, at any date. France Travail publishes ROME 4.0 fiches progressively,
    three releases a year; the day between those two dates is a choice (2025-07-01), not a published date.
    Keyed to the release grepp ships (v4.60, OGR codes up to 513,853): a later release's new fiches would
    take the same day until theirs is set here.

    >>> fiche_releases([("M1419", "509531", "M1403"), ("M1403", "469", "M1403"), ("M1405", "404047", "M1403")])
    {'M1419': '2025-07-01'}
    """
    releases: dict[str, str] = {}
    for code, ogr, parent in fiches:
        if parent and parent != code and ogr.isdigit() and int(ogr) >= RELEASE_2025_OGR:
            releases[code] = RELEASE_2025_DAY
    return releases
