"""Place an offer on the INSEE geography: commune → département, région, zone d'emploi, bassin BMO.

Uses the lookup of :mod:`grepp.store.geo` (``load_commune_places``): any commune code an offer carries,
current or old (merged communes), or a Paris/Lyon/Marseille arrondissement, lands in today's commune. A
label such as ``"07 - AUBENAS"`` (flat exports carry no code) is placed by name within its département.
When the geography is not loaded the raw commune is kept and ``place_status`` says ``no_geography``; when
the commune is unknown to it, ``unknown_commune`` (the offer is kept, never rejected)::

    places = load_commune_places(con)
    place_offer(offer, places).place.zone_emploi     # '4411' for an offer in Strasbourg
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from grepp.models import CommunePlace
from grepp.sources.offer_record import Offer, Place
from grepp.store.geo import place_commune


def regions_by_departement(places: Mapping[str, CommunePlace]) -> dict[str, str]:
    """Département → région, read off the communes (to place offers that only name a département)."""
    return {p.departement: p.region for p in places.values()}


def place(raw: Place, places: Mapping[str, CommunePlace], regions: Mapping[str, str] | None = None) -> Place:
    """The place once looked up in the geography (unchanged when it is empty or the place is abroad)."""
    if not places or raw.status == "abroad":
        return raw
    found = place_commune(places, raw.source_commune) if raw.source_commune else None
    if found is None and raw.label:
        found = place_commune(places, raw.label, raw.departement)
    if found is not None:
        return replace(
            raw,
            commune_insee=found.commune_insee,
            commune_name=found.name,
            departement=found.departement,
            region=found.region,
            zone_emploi=found.zone_emploi,
            bassin_bmo=found.bassin_bmo,
            status="ok",
        )
    region = (regions or {}).get(raw.departement or "") or raw.region
    status = "unknown_commune" if raw.source_commune else "no_commune"
    return replace(raw, region=region, status=status)


def place_offer(offer: Offer, places: Mapping[str, CommunePlace], regions: Mapping[str, str] | None = None) -> Offer:
    """The offer with its place looked up (see :func:`place`)."""
    placed = place(offer.place, places, regions)
    return offer if placed is offer.place else replace(offer, place=placed)
