"""France Travail "API Offres d'emploi v2" offers (JSON) → :class:`Offer`.

One function, :func:`parse_api_offer`, turns one offer as the API returns it into an Offer, or raises a
:class:`RecordError` naming the input, the record and the field. The file loaders (JSONL, JSON arrays, flat
CSV/PSV exports rebuilt into the same shape) and the live API client feed it alike::

    offer = parse_api_offer(raw, source="france-travail", location="offers.jsonl line 12")
    offer.place.source_commune, offer.salary.min_eur_month, offer.competences[0].exigence
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from grepp.sources.offer_fields import (
    Where,
    abroad_country,
    as_bool,
    as_float,
    as_int,
    clean_description,
    departement_of,
    duration_months,
    hours_weekly,
    literal,
    parse_date,
    region_of,
    text,
)
from grepp.sources.offer_record import Offer, Place, SourceCompetence
from grepp.sources.salary import parse_salary

#: The source name of France Travail offers, whatever file or query they come from (so ids meet).
FRANCE_TRAVAIL = "france-travail"

#: Lists of the API that are kept as source competences, with the ``kind`` they get.
_COMPETENCE_LISTS: tuple[tuple[str, str], ...] = (
    ("competences", "competence"),
    ("qualitesProfessionnelles", "qualite"),
    ("langues", "langue"),
    ("permis", "permis"),
    ("formations", "formation"),
)


def _mapping(value: object) -> Mapping[str, Any]:
    value = literal(value)
    return value if isinstance(value, Mapping) else {}


def _competences(raw: Mapping[str, Any]) -> tuple[SourceCompetence, ...]:
    found: list[SourceCompetence] = []
    for key, kind in _COMPETENCE_LISTS:
        items = literal(raw.get(key))
        if not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, Mapping):
                continue
            label = text(item.get("libelle") or item.get("niveauLibelle") or item.get("domaineLibelle"))
            if label:
                found.append(SourceCompetence(kind, text(item.get("code")), label, text(item.get("exigence"))))
    return tuple(found)


def api_place(raw: Mapping[str, Any]) -> Place:
    """The place as the API gives it (``lieuTravail``), before the geography places it."""
    lieu = _mapping(raw.get("lieuTravail"))
    if isinstance(raw.get("lieuTravail"), str):
        lieu = {"libelle": raw["lieuTravail"]}
    label = text(lieu.get("libelle"))
    commune = text(lieu.get("commune") or raw.get("code_insee"))
    postal = text(lieu.get("codePostal") or raw.get("code_postal"))
    lat, lon = as_float(lieu.get("latitude")), as_float(lieu.get("longitude"))
    country = abroad_country(label)
    if country:
        return Place(label=label, postal_code=postal, country=country, latitude=lat, longitude=lon, status="abroad")
    departement = departement_of(commune, label, postal)
    return Place(
        label=label,
        source_commune=commune,
        postal_code=postal,
        commune_insee=commune or None,
        departement=departement,
        region=region_of(departement),
        latitude=lat,
        longitude=lon,
        status="no_geography" if commune or departement else "no_commune",
    )


def parse_api_offer(raw: dict[str, Any], *, source: str = FRANCE_TRAVAIL, location: str = "") -> Offer:
    """One France Travail API v2 offer → Offer; a missing id/title or a bad creation date raises RecordError.

    ``location`` names the record for messages (``"all-sectors-2025.jsonl line 12"``). Salary and update-date
    problems do not reject the offer: the value is left unknown and a warning kept.

    >>> parse_api_offer({"id": "1", "intitule": "Soudeur", "dateCreation": "2024-10-23T14:38:00Z"}).id
    'france-travail:1'
    """
    where = Where(source, location)
    if not isinstance(raw, Mapping):
        raise where.error(f"expected a JSON object, got {type(raw).__name__}", "")
    source_id = text(raw.get("id"))
    if not source_id:
        raise where.error("missing", "id")
    title = text(raw.get("intitule"))
    warnings: list[str] = []
    if not title:
        # Real offers with an empty title exist; the source's appellation is a faithful stand-in.
        title = text(raw.get("appellationlibelle")) or text(raw.get("romeLibelle"))
        if not title:
            raise where.error("missing (and no appellationlibelle/romeLibelle to stand in)", "intitule")
        warnings.append("intitule empty: title taken from the source's appellation")
    created = parse_date(raw.get("dateCreation"), field="dateCreation", where=where, required=True)
    try:
        updated = parse_date(raw.get("dateActualisation"), field="dateActualisation", where=where)
    except Exception as exc:  # a bad update date is not worth the offer
        warnings.append(str(exc))
        updated = None
    description, plain, desc_warnings = clean_description(text(raw.get("description")))
    warnings.extend(desc_warnings)
    duration_label = text(raw.get("dureeTravailLibelle"))
    hours = hours_weekly(duration_label)
    salaire = _mapping(raw.get("salaire"))
    if isinstance(raw.get("salaire"), str):
        salaire = {"libelle": raw["salaire"]}
    salary_text = text(salaire.get("libelle")) or text(salaire.get("commentaire"))
    salary = parse_salary(salary_text, hours_weekly=hours)
    if salary.warning:
        warnings.append(salary.warning)
    entreprise = _mapping(raw.get("entreprise"))
    origine = _mapping(raw.get("origineOffre"))
    contract_label = text(raw.get("typeContratLibelle"))
    return Offer(
        source=source,
        source_id=source_id,
        title=title,
        description=description,
        language="fr",
        description_text=plain,
        created_at=created,
        updated_at=updated,
        place=api_place(raw),
        contract_type=text(raw.get("typeContrat")),
        contract_label=contract_label,
        contract_duration_months=duration_months(contract_label),
        work_hours_weekly=hours,
        work_time=text(raw.get("dureeTravailLibelleConverti")),
        alternance=as_bool(raw.get("alternance")),
        salary=salary,
        experience_code=text(raw.get("experienceExige")),
        experience_label=text(raw.get("experienceLibelle")),
        qualification_code=text(raw.get("qualificationCode")),
        qualification_label=text(raw.get("qualificationLibelle")),
        employer_name=text(entreprise.get("nom")),
        employer_siret=text(entreprise.get("siret")),
        naf_code=text(raw.get("codeNAF")),
        sector_label=text(raw.get("secteurActiviteLibelle")),
        positions=as_int(raw.get("nombrePostes")),
        url=text(origine.get("urlOrigine")),
        source_rome_code=text(raw.get("romeCode")),
        source_rome_label=text(raw.get("romeLibelle")),
        source_appellation_label=text(raw.get("appellationlibelle")),
        competences=_competences(raw),
        warnings=tuple(warnings),
    )
