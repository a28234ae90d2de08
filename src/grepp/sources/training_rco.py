"""The Réseau des Carif-Oref (RCO) apprenticeship catalogue: JSON lines, or a JSON array of the same records.

Each record is one apprenticeship action (``id_action``) with its managing and teaching establishments
(SIRET, UAI), its place, its certification codes (CFD, RNCP, CERTIFINFO) and its entry months. The feed
gives no title and no ROME code: those records wait for the AI coder (``rome_links_status = pending``).
A line that is not JSON, or a record without ``id_action``, is rejected; the others go on::

    parsed = read_rco(Path("rco_catalogue_formations_apprentissage_samples.jsonl"))
    parsed.records[0].training_id   # 'rco:24_1408562'
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from grepp.enrich.text import valid_strings
from grepp.errors import RecordError, SourceError
from grepp.sources.training_record import (
    ParsedFile,
    Place,
    Provider,
    Rejection,
    Session,
    TrainingRecord,
    clean_text,
    departement_of,
    parse_number,
    postal_code,
)

SOURCE = "rco"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def read_rco(path: Path) -> ParsedFile:
    """Read an RCO catalogue file (``.jsonl``: one record a line; ``.json``: an array of records)."""
    parsed = ParsedFile(path=path, source=SOURCE, version="rco-catalogue-apprentissage")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read {path}: {exc}") from exc
    if path.suffix.lower() == ".jsonl" or not text.lstrip().startswith("["):
        items: list[tuple[str, object, str]] = []
        for line_no, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                # a lone surrogate escaped in the JSON ("\\ud800") cannot be stored: U+FFFD instead
                items.append((f"line {line_no}", valid_strings(json.loads(line)), line))
            except json.JSONDecodeError as exc:
                error = RecordError(
                    f"not JSON: {exc.msg} (column {exc.colno})", source=path.name, location=f"line {line_no}"
                )
                parsed.rejections.append(Rejection(error, line))
    else:
        try:
            array = valid_strings(json.loads(text))
        except json.JSONDecodeError as exc:
            raise SourceError(f"{path.name} line {exc.lineno}: malformed JSON: {exc.msg}") from exc
        items = [(f"record {i + 1}", item, json.dumps(item, ensure_ascii=False)) for i, item in enumerate(array)]
    for location, item, raw in items:
        try:
            parsed.records.append(rco_record(item, path.name, location))
        except RecordError as error:
            parsed.rejections.append(Rejection(error, raw))
    return parsed


def _str(item: dict[str, Any], key: str) -> str:
    return clean_text(item.get(key))


def _geo(value: object) -> tuple[float | None, float | None]:
    parts = clean_text(value).split(",")
    if len(parts) != 2:
        return None, None
    return parse_number(parts[0]), parse_number(parts[1])


def _place(item: dict[str, Any], prefix: str, role: str) -> Place | None:
    insee = _str(item, f"{prefix}_code_insee")
    postal = postal_code(item.get(f"{prefix}_code_postal"))
    address = _str(item, f"{prefix}_adresse")
    if not (insee or postal or address):
        return None
    latitude, longitude = _geo(item.get(f"{prefix}_geo_coordonnees"))
    return Place(
        role=role,
        address=address,
        commune_insee=insee,
        postal_code=postal,
        departement=departement_of(postal, insee),
        latitude=latitude,
        longitude=longitude,
    )


def _month(value: object) -> date | None:
    match = _MONTH.match(clean_text(value))
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


def rco_record(item: object, file_name: str, location: str) -> TrainingRecord:
    """One RCO record → a :class:`TrainingRecord` (raises :class:`RecordError` naming the bad field)."""
    if not isinstance(item, dict):
        raise RecordError(f"expected a JSON object, got {type(item).__name__}", source=file_name, location=location)
    action_id = _str(item, "id_action")
    if not action_id:
        raise RecordError("the record has no id", source=file_name, location=location, field="id_action")
    periods = item.get("periode") or []
    if not isinstance(periods, list):
        raise RecordError("expected a list of months", source=file_name, location=location, field="periode")
    distance = item.get("entierement_a_distance")
    mode = "distance" if distance is True else ("presentiel" if distance is False else "")
    sessions = tuple(Session(session_id=clean_text(m), start=_month(m), mode=mode) for m in periods if clean_text(m))
    rncp = _str(item, "rncp_code").upper().removeprefix("RNCP")
    codes = [("rncp", rncp), ("certifinfo", _str(item, "id_certifinfo")), ("cfd", _str(item, "cfd"))]
    places = [p for p in (_place(item, "etablissement_lieu_formation", "lieu"),) if p is not None]
    gestionnaire = _place(item, "etablissement_gestionnaire", "gestionnaire")
    provider = Provider(
        siret=_str(item, "etablissement_gestionnaire_siret"),
        address=gestionnaire.address if gestionnaire else "",
        postal_code=gestionnaire.postal_code if gestionnaire else "",
        commune_insee=gestionnaire.commune_insee if gestionnaire else "",
    )
    raw_ids = [
        ("formation", _str(item, "id_formation")),
        ("action", action_id),
        ("cle_ministere_educatif", _str(item, "cle_ministere_educatif")),
        ("uai_gestionnaire", _str(item, "etablissement_gestionnaire_uai")),
        ("uai_formateur", _str(item, "etablissement_formateur_uai")),
    ]
    extras = [
        ("formateur-siret", _str(item, "etablissement_formateur_siret")),
        ("formateur-code-insee", _str(item, "etablissement_formateur_code_insee")),
        ("capacite", _str(item, "capacite")),
        ("duree", _str(item, "duree")),
        ("niveau-entree-obligatoire", _str(item, "niveau_entree_obligatoire")),
        ("feed", _str(item, "_source")),
    ]
    return TrainingRecord(
        source=SOURCE,
        source_id=action_id,
        title=_str(item, "intitule_formation"),
        provider=provider if provider != Provider() else None,
        places=tuple(places),
        sessions=sessions,
        modality="apprentissage",
        codes=tuple((scheme, code) for scheme, code in codes if code),
        raw_ids=tuple((k, v) for k, v in raw_ids if v),
        extras=tuple((k, v) for k, v in extras if v),
        location=f"{file_name} {location}",
    )
