"""The Offer record: one job offer, whatever its source, validated at the edge.

Every offer loader (France Travail API JSON, flat CSV/PSV exports, Bundesagentur ads) turns a source record
into this one frozen shape. What the *source* says about occupation and skills (its ROME code, appellation,
competences, German ``hauptberuf``/``fertigkeiten``) is kept as source labels, separate from what grepp
infers later. Text is kept as text: descriptions are stored raw (HTML never interpreted), with a plain-text
copy only when tags were stripped::

    offer = Offer(source="france-travail", source_id="183DSHH", title="Conducteur SPL", ...)
    offer.id            # 'france-travail:183DSHH'
    offer.content_hash  # blake2b of the content fields (not of the dates nor of the provenance)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

import orjson

#: Name and version of the offer extractors, stored on every row (bump to force a re-parse of stored files).
EXTRACTOR = "grepp.offers"
EXTRACTOR_VERSION = "1"

#: Descriptions longer than this are cut (and flagged with a warning): one bad record must not bloat the store.
MAX_DESCRIPTION_CHARS = 100_000


@dataclass(frozen=True, slots=True)
class SourceCompetence:
    """A competence, quality, language or licence as the source lists it (``kind`` says which).

    ``exigence`` is France Travail's ``E`` (required) or ``S`` (wished), empty when not given.
    """

    kind: str
    code: str
    label: str
    exigence: str = ""


@dataclass(frozen=True, slots=True)
class Salary:
    """A salary as a EUR/month range when the text allows; ``raw`` always keeps the source's text.

    ``period`` is the period the text gave (``month``, ``year``, ``hour``); ``warning`` says why a salary that
    was present could not be trusted (0 €, 10 M€ a month …) — the offer is kept, the salary left unknown.
    """

    raw: str = ""
    min_eur_month: float | None = None
    max_eur_month: float | None = None
    period: str = ""
    warning: str = ""


@dataclass(frozen=True, slots=True)
class Place:
    """Where the job is, as the source gave it and once placed on the INSEE geography.

    ``place_status``: ``ok`` (commune found in the geography), ``unknown_commune`` (a code or label that the
    geography does not know), ``no_commune`` (nothing to place), ``no_geography`` (the geography is not loaded:
    département derived from the code or label), ``abroad`` (outside France).
    """

    label: str = ""
    source_commune: str = ""
    postal_code: str = ""
    commune_insee: str | None = None
    commune_name: str | None = None
    departement: str | None = None
    region: str | None = None
    zone_emploi: str | None = None
    bassin_bmo: str | None = None
    country: str = "FR"
    latitude: float | None = None
    longitude: float | None = None
    status: str = "no_commune"


@dataclass(frozen=True, slots=True)
class Offer:
    """One job offer. ``id`` is ``f"{source}:{source_id}"``; dates are UTC (naive ``datetime`` in UTC)."""

    source: str
    source_id: str
    title: str
    description: str
    language: str = "fr"
    description_text: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    place: Place = field(default_factory=Place)
    contract_type: str = ""
    contract_label: str = ""
    contract_duration_months: float | None = None
    work_hours_weekly: float | None = None
    work_time: str = ""
    alternance: bool | None = None
    salary: Salary = field(default_factory=Salary)
    experience_code: str = ""
    experience_label: str = ""
    qualification_code: str = ""
    qualification_label: str = ""
    employer_name: str = ""
    employer_siret: str = ""
    naf_code: str = ""
    sector_label: str = ""
    positions: int | None = None
    url: str = ""
    source_rome_code: str = ""
    source_rome_label: str = ""
    source_appellation_label: str = ""
    source_occupation_labels: tuple[str, ...] = ()
    competences: tuple[SourceCompetence, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.source}:{self.source_id}"

    @property
    def content_hash(self) -> str:
        """Hash of what the offer says (text, place, contract, salary, employer, source labels).

        Dates and provenance are left out: a re-publication with the same content has the same hash.
        """
        return hashlib.blake2b(orjson.dumps(self._content()), digest_size=16).hexdigest()

    @property
    def text_hash(self) -> str:
        """The exact-duplicate key: title and description, lower-cased, ASCII whitespace removed (see
        :func:`text_hash`)."""
        return text_hash(self.title, self.description)

    def _content(self) -> list[object]:
        p, s = self.place, self.salary
        return [
            self.title,
            self.description,
            self.language,
            [p.label, p.source_commune, p.postal_code, p.country, p.latitude, p.longitude],
            [self.contract_type, self.contract_label, self.work_time, self.alternance, s.raw],
            [self.experience_code, self.experience_label, self.qualification_code, self.qualification_label],
            [self.employer_name, self.employer_siret, self.naf_code, self.positions],
            [self.source_rome_code, self.source_rome_label, self.source_appellation_label],
            list(self.source_occupation_labels),
            [[c.kind, c.code, c.label, c.exigence] for c in self.competences],
        ]


_WHITESPACE = b" \t\r\n\x0b\x0c"


def text_hash(title: str, description: str) -> str:
    """MD5 of the title and description, lower-cased, ASCII whitespace removed (fast, C-level).

    Two texts that differ only by case, spacing or line breaks share it:

    >>> text_hash("Soudeur  H/F", "Poste à Metz") == text_hash("soudeur h/f", "poste  à metz")
    True
    """
    key = f"{title}\n{description}".lower().encode("utf-8", "replace").translate(None, _WHITESPACE)
    return hashlib.md5(key, usedforsecurity=False).hexdigest()
