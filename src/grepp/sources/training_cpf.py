"""Mon Compte Formation (CPF) catalogue samples: one CSV row per training × ROME code.

The files (``cpf_trainings_2021.csv``, ``cpf_trainings_2022.csv``: ``,``-separated, quoted multi-line
fields) repeat a training once per ROME code it is close to (``formation.proximiteRomes.code``). Rows
are grouped back into one training (id: a hash of title, duration, price, postal code and conditions)
whose ROME links come from the file (``origin='source'``). A ROME code that is not ``A1234``-shaped is
kept aside in ``extras``, not linked::

    parsed = read_cpf(Path("cpf_trainings_2022.csv"))
    parsed.records[0].rome_links[0].rome_code   # 'A1101'
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

from grepp.errors import RecordError, SourceError
from grepp.sources.training_record import (
    ParsedFile,
    Place,
    Rejection,
    RomeLink,
    Session,
    TrainingRecord,
    clean_text,
    departement_of,
    parse_number,
    postal_code,
    read_text,
)

SOURCE = "cpf"
TITLE = "formation.title"
ROME = "formation.proximiteRomes.code"
CPF_COLUMNS: tuple[str, ...] = (TITLE, ROME, "duration", "totalPriceTTC", "address.postalCode")
_KEY = (TITLE, "duration", "totalPriceTTC", "address.postalCode", "formation.specificCondition")
_ROME_CODE = re.compile(r"^[A-N]\d{4}$")
_MODES = {"0": "presentiel", "1": "mixte", "2": "distance"}


def read_cpf(path: Path) -> ParsedFile:
    """Read a CPF catalogue CSV; a row without a title is rejected, naming the line and field."""
    text, encoding = read_text(path)
    parsed = ParsedFile(path=path, source=SOURCE, version=f"cpf-catalogue-sample ({encoding})")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=",")
    missing = [c for c in CPF_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise SourceError(f"{path.name} line 1: missing column(s) {', '.join(missing)}")
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    start = 2
    for row in reader:
        line = start
        start = reader.line_num + 1
        cells = {k: (v or "").strip() for k, v in row.items() if k is not None}
        if not clean_text(cells.get(TITLE)):
            error = RecordError(
                "the record has no title (its key)", source=path.name, location=f"line {line}", field=TITLE
            )
            parsed.rejections.append(Rejection(error, ",".join(cells.values())))
            continue
        key = "\x1f".join(clean_text(cells.get(c)) for c in _KEY)
        groups.setdefault(key, []).append((line, cells))
    parsed.merged = sum(len(rows) - 1 for rows in groups.values())
    for key, rows in groups.items():
        parsed.records.append(_record(key, rows, path.name))
    return parsed


def _record(key: str, rows: list[tuple[int, dict[str, str]]], file_name: str) -> TrainingRecord:
    line, first = rows[0]
    postal = postal_code(first.get("address.postalCode"))
    romes = list(dict.fromkeys(clean_text(c.get(ROME)).upper() for _l, c in rows if clean_text(c.get(ROME))))
    links = tuple(RomeLink(code, "source", f"{ROME} in the CPF catalogue") for code in romes if _ROME_CODE.match(code))
    modes = sorted({_MODES.get(clean_text(c.get("formation.codeModaliteEnseign")), "") for _l, c in rows} - {""})
    extras = [("code-rome-invalide", code) for code in romes if not _ROME_CODE.match(code)]
    extras += [("modalite-enseignement", mode) for mode in modes]
    extras += [("conditions-specifiques", clean_text(first.get("formation.specificCondition")))]
    places = (Place(role="lieu", postal_code=postal, departement=departement_of(postal)),) if postal else ()
    return TrainingRecord(
        source=SOURCE,
        source_id=hashlib.sha1(key.encode("utf-8")).hexdigest()[:16],
        title=clean_text(first[TITLE]),
        places=places,
        sessions=(Session(mode=modes[0]),) if len(modes) == 1 else (),
        duration_hours=parse_number(first.get("duration")),
        modality="continue",
        cost_eur=parse_number(first.get("totalPriceTTC")),
        codes=tuple(("rome", link.rome_code) for link in links),
        rome_links=links,
        extras=tuple((k, v) for k, v in extras if v),
        location=f"{file_name} line {line}",
    )
