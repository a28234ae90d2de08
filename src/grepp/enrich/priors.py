"""What is known about a métier before reading the offer: how often it is advertised, in which sectors.

Two priors nudge the occupation coder where the title alone hesitates ("Infirmier" fits several
nursing fiches; the one most advertised nationally is the likelier):

- *volume*: national job offers per ROME code (France Travail market figures), as a z-scored
  ``log(1 + offers)`` — a tie-breaker, weighted lightly;
- *sector*: ROME's own NAF-division → métier links (``unix_arborescence_secteur_naf``): an offer of a
  bakery is likelier a baker's. Temporary-work agencies (NAF 78) say nothing about the job.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

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
