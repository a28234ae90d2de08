"""FAP (familles professionnelles, DARES): the 2021 nomenclature and the FAP 2009 ↔ ROME table.

- ``stats/bmo-and-zones/dares_nomenclature_fap2021.csv`` (UTF-8, `,`): one row per detailed FAP 2021
  code with its parents at the 228, 86 and 22 levels. Stored once per (code, level) in
  ``fap_nomenclature`` with the parent at the next level up (BMO métiers use these codes, e.g. ``A0X40``).
- ``stats/dares-portrait-metiers/fap225_rome.csv`` (cp1252, `;`, ``NA`` for FAP without ROME): FAP 2009
  (225 level, e.g. ``A0Z40``, the codes of DARES tensions and of the métiers en tension list) → ROME v3
  codes, which ROME 4.0 kept::

    load_fap(con, data_dir)
    # SELECT rome_code FROM fap_rome WHERE fap_code = 'A0Z40'  -> A1416, ...
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from grepp.errors import RecordError
from grepp.sources.opendata import LoadBatch, TableWrite, read_table, record_text
from grepp.store.runs import RunReport

LOADER = "grepp.sources.fap/1"
NOMENCLATURE_FILE = "stats/bmo-and-zones/dares_nomenclature_fap2021.csv"
FAP_ROME_FILE = "stats/dares-portrait-metiers/fap225_rome.csv"

#: Levels of the 2021 nomenclature, finest first: (level, code column, label column).
LEVELS: tuple[tuple[str, str, str], ...] = (
    ("fap341", "code_fap_341", "intitule_fap_341"),
    ("fap228", "code_fap_228", "intitule_fap_228"),
    ("fap86", "code_fap_86", "intitule_fap_86"),
    ("fap22", "code_fap_22", "intitule_fap_22"),
)
ROME_CODE = re.compile(r"^[A-N]\d{4}$")
NOMENCLATURE_COLUMNS = ("fap_code", "level", "label", "parent_code", "version", "source", "loader")
FAP_ROME_COLUMNS = ("fap_code", "rome_code", "rome_label", "fap_version", "source", "loader")


def load_fap(con: duckdb.DuckDBPyConnection, data_dir: Path) -> list[RunReport]:
    """Load ``fap_nomenclature`` (FAP 2021) and ``fap_rome`` (FAP 2009 → ROME) in one transaction."""
    nomenclature_path = data_dir / NOMENCLATURE_FILE
    rome_path = data_dir / FAP_ROME_FILE
    inputs = {"fap_nomenclature": nomenclature_path.name, "fap_rome": rome_path.name}
    with LoadBatch(con, "fap", inputs) as batch:
        nomenclature = _nomenclature(batch, nomenclature_path)
        fap_rome = _fap_rome(batch, rome_path)
        return batch.write(
            [
                TableWrite(
                    "fap_nomenclature",
                    NOMENCLATURE_COLUMNS,
                    ("fap_code", "level", "version"),
                    nomenclature,
                    ("version = ?", ["2021"]),
                ),
                TableWrite("fap_rome", FAP_ROME_COLUMNS, ("fap_code", "rome_code"), fap_rome),
            ]
        )


def _nomenclature(batch: LoadBatch, path: Path) -> list[tuple[object, ...]]:
    table = read_table(path, required=[column for level in LEVELS for column in level[1:]])

    def parse(line: int, r: dict[str, str]) -> list[tuple[object, ...]]:
        codes = [record_text(r, code, path=path, line=line) for _, code, _ in LEVELS]
        labels = [record_text(r, label, path=path, line=line) for _, _, label in LEVELS]
        return [
            (codes[i], level, labels[i], codes[i + 1] if i + 1 < len(LEVELS) else None, "2021", path.name, LOADER)
            for i, (level, _, _) in enumerate(LEVELS)
        ]

    rows = [row for group in batch.each("fap_nomenclature", table, parse) for row in group]
    # A code repeats on every row below it; keep one (the duplicates are expected, not reported).
    return list({(row[0], row[1]): row for row in rows}.values())


def _fap_rome(batch: LoadBatch, path: Path) -> list[tuple[object, ...]]:
    table = read_table(path, required=("Fap", "Rome", "intitule_rome"))

    def parse(line: int, r: dict[str, str]) -> tuple[object, ...] | None:
        fap = record_text(r, "Fap", path=path, line=line)
        rome = r["Rome"].strip().upper()
        if rome in ("", "NA"):
            return None  # a FAP with no ROME equivalent (e.g. A0Z00, self-employed farmers)
        if not ROME_CODE.match(rome):
            raise RecordError(f"not a ROME code: {rome!r}", source=path.name, location=f"line {line}", field="Rome")
        label = r["intitule_rome"].strip()
        return (fap, rome, None if label in ("", "NA") else label, "2009", path.name, LOADER)

    return batch.each("fap_rome", table, parse)
