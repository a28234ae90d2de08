"""Bundesagentur für Arbeit "Jobsuche" ads (German, cross-border) → :class:`Offer`.

The scraped records hold some values as Python-literal strings (``"{'von': '2025-04-17'}"``,
``"[{'adresse': {...}, 'breite': 49.1, 'laenge': 7.05}]"``); they are read with ``ast.literal_eval``, never
evaluated. ``hauptberuf``/``beruf`` are kept as source occupation labels and ``fertigkeiten`` as source
skills, in German (``language='de'``, country ``DE``)::

    offer = parse_ba_offer(raw, source="bundesagentur", location="ba.jsonl line 3")
    offer.place.label, offer.place.latitude, offer.source_occupation_labels
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from grepp.sources.offer_fields import (
    Where,
    as_bool,
    as_float,
    as_int,
    clean_description,
    literal,
    parse_date,
    text,
)
from grepp.sources.offer_record import Offer, Place, SourceCompetence
from grepp.sources.salary import parse_salary

BUNDESAGENTUR = "bundesagentur"
JOBDETAIL_URL = "https://www.arbeitsagentur.de/jobsuche/jobdetail/{refnr}"
#: Contract durations of the BA, mapped to the France Travail contract codes for comparisons.
_CONTRACTS = {"UNBEFRISTET": "CDI", "BEFRISTET": "CDD"}
_COUNTRIES = {"DEUTSCHLAND": "DE", "FRANKREICH": "FR", "LUXEMBURG": "LU", "SCHWEIZ": "CH", "BELGIEN": "BE"}


def _place(raw: Mapping[str, Any]) -> Place:
    locations = literal(raw.get("stellenlokationen")) or literal(raw.get("arbeitsorte"))
    first: Mapping[str, Any] = {}
    if isinstance(locations, list) and locations and isinstance(locations[0], Mapping):
        first = locations[0]
    elif isinstance(locations, Mapping):
        first = locations
    nested = first.get("adresse")
    address: Mapping[str, Any] = nested if isinstance(nested, Mapping) else first
    ort, region = text(address.get("ort")), text(address.get("region"))
    land = text(address.get("land")).upper()
    label = ", ".join(p for p in (ort, region.title()) if p)
    return Place(
        label=label,
        postal_code=text(address.get("plz")),
        country=_COUNTRIES.get(land, "DE" if not land else land[:2]),
        latitude=as_float(first.get("breite") or (first.get("koordinaten") or {}).get("lat")),
        longitude=as_float(first.get("laenge") or (first.get("koordinaten") or {}).get("lon")),
        status="abroad",
    )


def _skills(raw: Mapping[str, Any]) -> tuple[SourceCompetence, ...]:
    """``fertigkeiten``: a list of ``{'hierarchieName': ..., 'auspraegungen': {level: [skills]}}`` or of names."""
    value = literal(raw.get("fertigkeiten"))
    found: list[SourceCompetence] = []
    items = value if isinstance(value, list) else []
    for item in items:
        if isinstance(item, str) and item.strip():
            found.append(SourceCompetence("fertigkeit", "", item.strip()))
        elif isinstance(item, Mapping):
            levels = item.get("auspraegungen")
            if isinstance(levels, Mapping):
                for level, names in levels.items():
                    for name in names if isinstance(names, list) else []:
                        if text(name):
                            found.append(SourceCompetence("fertigkeit", "", text(name), text(level)))
            elif text(item.get("hierarchieName")):
                found.append(SourceCompetence("fertigkeit", "", text(item.get("hierarchieName"))))
    return tuple(found)


def parse_ba_offer(raw: dict[str, Any], *, source: str = BUNDESAGENTUR, location: str = "") -> Offer:
    """One BA Jobsuche ad → Offer (German); a missing ``refnr``/title or a bad date raises RecordError.

    >>> parse_ba_offer({"refnr": "1-2-S", "stellenangebotsTitel": "Koch (m/w/d)"}).language
    'de'
    """
    where = Where(source, location)
    if not isinstance(raw, Mapping):
        raise where.error(f"expected a JSON object, got {type(raw).__name__}", "")
    source_id = text(raw.get("refnr"))
    if not source_id:
        raise where.error("missing", "refnr")
    title = text(raw.get("stellenangebotsTitel") or raw.get("titel"))
    warnings: list[str] = []
    if not title:
        title = text(raw.get("hauptberuf")) or text(raw.get("beruf"))
        if not title:
            raise where.error("missing (and no hauptberuf to stand in)", "stellenangebotsTitel")
        warnings.append("stellenangebotsTitel empty: title taken from hauptberuf")
    published = literal(raw.get("veroeffentlichungszeitraum"))
    first_day = text(raw.get("ersteVeroeffentlichungsdatum"))
    if not first_day and isinstance(published, Mapping):
        first_day = text(published.get("von"))
    created = parse_date(first_day, field="veroeffentlichungszeitraum", where=where)
    try:
        updated = parse_date(raw.get("aenderungsdatum"), field="aenderungsdatum", where=where)
    except Exception as exc:  # a bad change date is not worth the ad
        warnings.append(str(exc))
        updated = None
    description, plain, desc_warnings = clean_description(text(raw.get("stellenangebotsBeschreibung")))
    warnings.extend(desc_warnings)
    salary = parse_salary(text(raw.get("verguetung")), language="de")
    if salary.warning:
        warnings.append(salary.warning)
    occupations = tuple(
        dict.fromkeys(label for label in (text(raw.get("hauptberuf")), text(raw.get("beruf"))) if label)
    )
    duration = text(raw.get("vertragsdauer"))
    return Offer(
        source=source,
        source_id=source_id,
        title=title,
        description=description,
        language="de",
        description_text=plain,
        created_at=created,
        updated_at=updated,
        place=_place(raw),
        contract_type=_CONTRACTS.get(duration, ""),
        contract_label=duration,
        work_time="Heimarbeit/Telearbeit möglich" if as_bool(raw.get("arbeitszeitHeimarbeitTelearbeit")) else "",
        salary=salary,
        employer_name=text(raw.get("firma") or raw.get("arbeitgeber")),
        sector_label=text(raw.get("branche")),
        positions=as_int(raw.get("anzahlOffeneStellen")),
        url=JOBDETAIL_URL.format(refnr=source_id),
        source_occupation_labels=occupations,
        competences=_skills(raw),
        warnings=tuple(warnings),
    )
