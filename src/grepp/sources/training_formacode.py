"""Formacode, NSF and ROME dictionaries of LHEO, and the Formacode ↔ ROME table that derives ROME links.

The LHEO schema folder ships the Formacode thesaurus (``FCod-utf-8.csv``: code, label, field, parent,
NSF, definition … and the ROME v2 fiches it leads to), the ROME ↔ Formacode table (``RomeFCod-utf-8.csv``:
one ROME v2 fiche per line, its Formacodes ``$``-separated) and GML dictionaries (``lheo-dict-*.xml``,
``lheo-gml.xml``: code → label). The ROME side is the old five-digit ANPE ROME (v2): links derived
from it carry ``rome_version = "rome-v2"`` so nobody mistakes them for ROME 4.0 codes::

    mapping = formacode_rome_mapping(read_rome_formacode(path))
    with_formacode_links(record, mapping).rome_links   # + RomeLink('42050', 'formacode', ...)
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from grepp.errors import SourceError
from grepp.sources.training_record import RomeLink, TrainingRecord

FORMACODE_FILE = "FCod-utf-8.csv"
ROME_FORMACODE_FILE = "RomeFCod-utf-8.csv"
#: Where the LHEO reference files live under the data directory.
REFERENCE_DIR = Path("trainings") / "lheo" / "lheo_schema_repo"

_CODED = re.compile(r"^\s*(.*?)\s*(\d{5})\s*$")
_LEADING_CODE = re.compile(r"^\s*(\d{5})\s+(.*)$")


@dataclass(frozen=True)
class FormacodeEntry:
    """One Formacode descriptor (``kind``: DOM domain, DIP diploma, PUB public, …)."""

    code: str
    label: str
    kind: str
    field: str = ""
    parent: str = ""
    nsf: str = ""
    definition: str = ""
    synonyms: str = ""


@dataclass(frozen=True)
class FormacodeRome:
    """One link of the Formacode ↔ ROME v2 table, with the file it came from."""

    formacode: str
    rome_code: str
    rome_label: str = ""
    formacode_label: str = ""
    origin_file: str = ""


@dataclass(frozen=True)
class DictionaryEntry:
    """One code of an LHEO GML dictionary (``dict-NSF``, ``dict-niveaux``, ``dict-ROME`` …)."""

    dictionary: str
    code: str
    label: str
    origin_file: str = ""


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read {path}: {exc}") from exc


def _code_of(value: str) -> str:
    match = _LEADING_CODE.match(value)
    return match.group(1) if match else ""


def read_formacode(path: Path) -> tuple[list[FormacodeEntry], list[FormacodeRome]]:
    """The Formacode thesaurus and the ROME v2 fiches each descriptor names (column 14)."""
    entries: list[FormacodeEntry] = []
    links: list[FormacodeRome] = []
    reader = csv.reader(io.StringIO(_read(path)), delimiter=";", quoting=csv.QUOTE_NONE)
    for row in reader:
        if not row or not row[0].strip().isdigit():
            continue
        cells = [c.strip() for c in row] + [""] * 15
        code = cells[0]
        entries.append(
            FormacodeEntry(
                code=code,
                label=cells[2] or cells[1],
                kind=cells[3],
                field=cells[4],
                parent=_code_of(cells[6]),
                nsf=cells[12],
                definition=cells[9],
                synonyms=cells[5].replace("$", " | "),
            )
        )
        for item in cells[13].split("$") if cells[3] == "DOM" else ():
            match = _LEADING_CODE.match(item)
            if match:
                links.append(FormacodeRome(code, match.group(1), match.group(2), cells[2], path.name))
    return entries, links


def read_rome_formacode(path: Path) -> list[FormacodeRome]:
    """The ROME v2 ↔ Formacode table: ``11132;Coiffeur;COIFFURE 42050$SPECIALISATION COIFFURE 42061``."""
    links: list[FormacodeRome] = []
    for line_no, row in enumerate(csv.reader(io.StringIO(_read(path)), delimiter=";", quoting=csv.QUOTE_NONE), 1):
        if len(row) < 3 or not row[0].strip().isdigit():
            if row and line_no > 1:
                raise SourceError(f"{path.name} line {line_no}: expected 'rome;label;formacodes', got {row!r}")
            continue
        for item in row[2].split("$"):
            match = _CODED.match(item)
            if match:
                links.append(FormacodeRome(match.group(2), row[0].strip(), row[1].strip(), match.group(1), path.name))
    return links


def read_dictionaries(path: Path) -> list[DictionaryEntry]:
    """Every ``<dict name=…><entry><key val/><value val/>`` of a GML dictionary file (any GML version)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as exc:
        raise SourceError(f"{path.name} line {exc.lineno}: malformed XML: {exc.msg}") from exc
    entries: list[DictionaryEntry] = []
    dicts = [root] if etree.QName(root).localname == "dict" else []
    dicts += [e for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname == "dict" and e is not root]
    for dictionary in dicts:
        name = dictionary.get("name", "")
        for entry in dictionary:
            if not isinstance(entry.tag, str) or etree.QName(entry).localname != "entry":
                continue
            key = value = ""
            for child in entry:
                local = etree.QName(child).localname if isinstance(child.tag, str) else ""
                if local == "key":
                    key = child.get("val", "")
                elif local == "value" and not value:
                    value = child.get("val", "")
            if name and key:
                entries.append(DictionaryEntry(name, key, value, path.name))
    return entries


def formacode_rome_mapping(links: Iterable[FormacodeRome]) -> dict[str, list[FormacodeRome]]:
    """Formacode → its ROME links, each ROME once per Formacode, in a stable order."""
    mapping: dict[str, dict[str, FormacodeRome]] = {}
    for link in links:
        mapping.setdefault(link.formacode, {}).setdefault(link.rome_code, link)
    return {code: sorted(by_rome.values(), key=lambda link: link.rome_code) for code, by_rome in mapping.items()}


def with_formacode_links(record: TrainingRecord, mapping: Mapping[str, list[FormacodeRome]]) -> TrainingRecord:
    """The record with ROME links derived from its Formacodes added (``origin='formacode'``)."""
    derived: dict[str, RomeLink] = {}
    for formacode in record.codes_of("formacode"):
        for link in mapping.get(formacode, ()):
            detail = f"Formacode {formacode} {link.formacode_label} → ROME v2 {link.rome_code} {link.rome_label}"
            derived.setdefault(
                link.rome_code, RomeLink(link.rome_code, "formacode", f"{detail} ({link.origin_file})", "rome-v2")
            )
    if not derived:
        return record
    kept = tuple(link for link in record.rome_links if link.origin != "formacode")
    return dataclasses.replace(record, rome_links=kept + tuple(derived.values()))
