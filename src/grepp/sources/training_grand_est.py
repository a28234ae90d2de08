"""Grand Est training offers: ``formations.csv`` (diploma × establishment) and ``database_finale.json``.

``formations.csv`` (``;``, UTF-8 or cp1252) lists 1,207 offers with no id, no ROME and no RNCP code: a
training's id is a hash of what identifies it (diploma, description, establishment, city, postal
code), the rows that repeat it under another category are merged (their categories kept), and its ROME
links are left to the AI coder (``rome_links_status = pending``). Spreadsheet quirks are repaired
(``8090`` → ``08090``); the old region names (Alsace, Lorraine, Champagne-Ardenne) map to Grand Est
(44). ``database_finale.json`` groups the same diplomas with their establishments: one training per
diploma, its establishments as places::

    parsed = read_grand_est_csv(Path("formations.csv"))
    parsed.records[0].source          # 'grand-est-formations'
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

from grepp.config import GRAND_EST_REGION
from grepp.enrich.text import valid_strings
from grepp.errors import RecordError, SourceError
from grepp.sources.training_record import (
    ParsedFile,
    Place,
    Rejection,
    TrainingRecord,
    clean_text,
    departement_of,
    postal_code,
    read_text,
)

CSV_SOURCE = "grand-est-formations"
JSON_SOURCE = "grand-est-diplomas"
CSV_COLUMNS: tuple[str, ...] = (
    "Nom_Complet_Diplome",
    "Acronyme_Diplome",
    "Niveau_Europeen",
    "Grande_Categorie",
    "Description_Diplome",
    "Nom_Etablissement",
    "Ville",
    "Code_Postal",
    "Region",
    "URL_Site_Etablissement",
    "URL_Page_Formation",
)
_KEY_COLUMNS = ("Nom_Complet_Diplome", "Description_Diplome", "Nom_Etablissement", "Ville", "Code_Postal")
_REQUIRED = ("Nom_Complet_Diplome", "Nom_Etablissement")
_OLD_REGIONS = {"alsace", "lorraine", "champagne-ardenne", "grand est", "grand-est"}


def _region(name: str) -> str:
    return GRAND_EST_REGION if name.strip().lower() in _OLD_REGIONS else ""


def _level(value: str) -> str:
    text = clean_text(value)
    return text if text.isdigit() and 1 <= int(text) <= 8 else ""


def read_grand_est_csv(path: Path) -> ParsedFile:
    """Read ``formations.csv``; a row without diploma or establishment is rejected, naming the field."""
    text, encoding = read_text(path)
    parsed = ParsedFile(path=path, source=CSV_SOURCE, version=f"zsoow-formations-csv ({encoding})")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=";")
    missing = [c for c in _REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise SourceError(f"{path.name} line 1: missing column(s) {', '.join(missing)}", hint="is the separator ';'?")
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    start = 2
    for row in reader:
        line = start
        start = reader.line_num + 1
        cells = {k: clean_text(v) for k, v in row.items() if k is not None}
        empty = [c for c in _REQUIRED if not cells.get(c)]
        if empty:
            error = RecordError(
                "the record has no id (diploma and establishment are its key)",
                source=path.name,
                location=f"line {line}",
                field=empty[0],
            )
            parsed.rejections.append(Rejection(error, ";".join(cells.values())))
            continue
        key = "\x1f".join(cells.get(c, "") for c in _KEY_COLUMNS)
        groups.setdefault(key, []).append((line, cells))
    parsed.merged = sum(len(rows) - 1 for rows in groups.values())
    for key, rows in groups.items():
        parsed.records.append(_csv_record(key, rows, path.name))
    return parsed


def _csv_record(key: str, rows: list[tuple[int, dict[str, str]]], file_name: str) -> TrainingRecord:
    line, first = rows[0]
    postal = postal_code(first.get("Code_Postal"))
    categories = sorted({c["Grande_Categorie"] for _l, c in rows if c.get("Grande_Categorie")})
    urls = sorted({c["URL_Site_Etablissement"] for _l, c in rows if c.get("URL_Site_Etablissement")})
    place = Place(
        role="etablissement",
        name=first["Nom_Etablissement"],
        postal_code=postal,
        city=first.get("Ville", ""),
        departement=departement_of(postal),
        region=_region(first.get("Region", "")),
    )
    extras = [("acronyme", first.get("Acronyme_Diplome", ""))]
    extras += [("categorie", c) for c in categories]
    extras += [("ancienne-region", first.get("Region", ""))]
    if first.get("Code_Postal") and not postal:
        extras.append(("code-postal-invalide", first["Code_Postal"]))
    return TrainingRecord(
        source=CSV_SOURCE,
        source_id=hashlib.sha1(key.encode("utf-8")).hexdigest()[:16],
        title=first["Nom_Complet_Diplome"],
        objective=first.get("Description_Diplome", ""),
        places=(place,),
        diploma_level=_level(first.get("Niveau_Europeen", "")),
        certifiante=True,
        url=first.get("URL_Page_Formation", "") or (urls[0] if urls else ""),
        extras=tuple((k, v) for k, v in extras if v),
        location=f"{file_name} line {line}",
    )


def read_grand_est_json(path: Path) -> ParsedFile:
    """Read ``database_finale.json``: one training per diploma, its establishments as places."""
    parsed = ParsedFile(path=path, source=JSON_SOURCE, version="zsoow-database-finale")
    text, _encoding = read_text(path)
    try:
        items = valid_strings(json.loads(text))  # a lone surrogate escaped in the JSON cannot be stored
    except json.JSONDecodeError as exc:
        raise SourceError(f"{path.name} line {exc.lineno}: malformed JSON: {exc.msg}") from exc
    if not isinstance(items, list):
        raise SourceError(f"{path.name}: expected a JSON array of diplomas, got {type(items).__name__}")
    for index, item in enumerate(items, 1):
        location = f"record {index}"
        try:
            parsed.records.append(_diploma_record(item, path.name, location))
        except RecordError as error:
            parsed.rejections.append(Rejection(error, json.dumps(item, ensure_ascii=False)))
    return parsed


def _diploma_record(item: Any, file_name: str, location: str) -> TrainingRecord:
    if not isinstance(item, dict):
        raise RecordError(f"expected a JSON object, got {type(item).__name__}", source=file_name, location=location)
    diploma_id = clean_text(item.get("id"))
    if not diploma_id:
        raise RecordError("the record has no id", source=file_name, location=location, field="id")
    establishments = item.get("etablissements") or []
    if not isinstance(establishments, list):
        raise RecordError("expected a list", source=file_name, location=location, field="etablissements")
    places = []
    for etab in establishments:
        if not isinstance(etab, dict):
            continue
        postal = postal_code(etab.get("code_postal"))
        places.append(
            Place(
                role="etablissement",
                name=clean_text(etab.get("nom")),
                postal_code=postal,
                city=clean_text(etab.get("ville")),
                departement=departement_of(postal),
                region=_region(clean_text(etab.get("region_nom"))),
            )
        )
    extras = [("acronyme", clean_text(item.get("diplome_acronyme"))), ("categorie", clean_text(item.get("categorie")))]
    return TrainingRecord(
        source=JSON_SOURCE,
        source_id=diploma_id,
        title=clean_text(item.get("diplome_nom")),
        objective=clean_text(item.get("description")),
        places=tuple(dict.fromkeys(places)),
        diploma_level=_level(str(item.get("niveau") or "")),
        certifiante=True,
        extras=tuple((k, v) for k, v in extras if v),
        raw_ids=(("diplome", diploma_id),),
        location=f"{file_name} {location}",
    )
