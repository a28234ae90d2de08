"""Offer files: recognise their format and encoding, and stream their records with their line numbers.

Formats (sniffed from the content, not the extension): ``ft-json`` (France Travail API v2 offers as JSONL, a
JSON array, or a saved API response ``{"resultats": [...]}``), ``ba-json`` (Bundesagentur Jobsuche ads, JSONL,
array or ``{"stellenangebote": [...]}``), ``ft-flat`` (France Travail offers
flattened to CSV/PSV: ``|``, ``;``, ``,`` or tab; dotted columns such as ``lieuTravail.libelle``). Encodings:
UTF-8, UTF-8 with BOM, else cp1252. Files are streamed: memory does not grow with the file::

    source = open_offer_file(Path("all-sectors-2025.jsonl"))
    source.format, source.encoding          # ('ft-json', 'utf-8')
    for record in source.records():
        record.location, record.data         # ('all-sectors-2025.jsonl line 1', b'{"id": ...}')
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from grepp.enrich.text import valid_strings
from grepp.errors import SourceError
from grepp.sources.offer_fields import literal

FORMATS: tuple[str, ...] = ("ft-json", "ba-json", "ft-flat")
#: The list of offers in a saved API response: France Travail's search, the Bundesagentur's Jobsuche.
ENVELOPE_KEYS: tuple[str, ...] = ("resultats", "stellenangebote")
SNIFF_BYTES = 64 * 1024
CHUNK_BYTES = 1 << 20
#: A whole-file JSON document (saved API page) is read whole only up to this size; larger files are streamed
#: as JSONL (an API page holds at most 150 offers, a few MB).
MAX_DOCUMENT_BYTES = 256 << 20

#: Columns a flat France Travail export may have (top-level API fields and ``parent.child`` columns).
KNOWN_FLAT_COLUMNS = frozenset(
    """id intitule description dateCreation dateActualisation romeCode romeLibelle appellationlibelle typeContrat
    typeContratLibelle natureContrat experienceExige experienceLibelle competences dureeTravailLibelle
    dureeTravailLibelleConverti alternance nombrePostes accessibleTH qualificationCode qualificationLibelle codeNAF
    secteurActivite secteurActiviteLibelle offresManqueCandidats lieuTravail salaire experienceCommentaire permis
    qualitesProfessionnelles deplacementCode deplacementLibelle formations langues complementExercice
    conditionExercice contexteTravail entreprise contact agence origineOffre outilsBureautiques trancheEffectifEtab
    entrepriseAdaptee employeurHandiEngage""".split()  # noqa: SIM905
)


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record of a file: where it is, its raw bytes (for hashing), and its value once decoded."""

    location: str
    data: bytes
    value: Any = None
    truncated: bool = False
    #: what was mended while reading it (a lone surrogate replaced), '' if nothing
    warning: str = ""


def value_record(location: str, value: Any, option: int | None = None) -> RawRecord:
    """A decoded JSON value as a record: its canonical bytes (what the raw hash covers) and the value.

    JSON may escape a lone surrogate (``"\\ud800"``), which UTF-8 and the store cannot hold: it becomes
    U+FFFD, the replacement character, and the record says so rather than failing the whole file.
    """
    try:
        return RawRecord(location, orjson.dumps(value, option=option), value)
    except TypeError:
        mended = valid_strings(value)
        warning = f"{location}: invalid Unicode (a lone surrogate) replaced by U+FFFD"
        return RawRecord(location, orjson.dumps(mended, option=option), mended, warning=warning)


@dataclass
class OfferFile:
    """An offer file whose format and encoding are known; :meth:`records` streams it."""

    path: Path
    format: str
    encoding: str
    layout: str  # jsonl | array | document | csv
    delimiter: str = ","
    warnings: list[str] = field(default_factory=list)
    #: the parsed value of a ``document`` file, kept from the sniffing so that it is not read twice
    document: Any = field(default=None, repr=False)

    def records(self) -> Iterator[RawRecord]:
        if self.layout == "jsonl":
            return self._jsonl()
        if self.layout == "array":
            return self._array()
        if self.layout == "document":
            return self._document()
        return self._csv()

    def _document(self) -> Iterator[RawRecord]:
        """The offers of one JSON document: a saved API response (its list of offers) or one offer, pretty-printed.

        Read whole: an API page holds at most 150 offers.
        """
        name = self.path.name
        value = self.document
        if value is None:
            value = json.loads(self.path.read_bytes().decode(self.encoding, "replace").lstrip("\ufeff"))
        items = envelope_items(value)
        if items is None:
            yield value_record(f"{name} item 1", value)
            return
        for index, item in enumerate(items, start=1):
            yield value_record(f"{name} item {index}", item)

    def _jsonl(self) -> Iterator[RawRecord]:
        name = self.path.name
        with self.path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                if number == 1 and line.startswith(codecs.BOM_UTF8):
                    line = line[len(codecs.BOM_UTF8) :]
                stripped = line.strip()
                if stripped:
                    # Bytes as read: a line that is not UTF-8 is decoded as cp1252 when parsed (see decode_json).
                    yield RawRecord(f"{name} line {number}", stripped, None, not line.endswith(b"\n"))

    def _array(self) -> Iterator[RawRecord]:
        """Stream the items of a top-level JSON array without loading the file."""
        name = self.path.name
        decoder = json.JSONDecoder()
        incremental = codecs.getincrementaldecoder(self.encoding)("replace")
        buffer, position, index, eof, started = "", 0, 0, False, False
        with self.path.open("rb") as handle:
            while True:
                while position < len(buffer) and buffer[position] in " \t\r\n,\ufeff":
                    position += 1
                if position >= len(buffer) or (started and buffer[position] != "]" and not eof):
                    # Keep at least one chunk ahead so that an item is never cut by the buffer's end.
                    if not eof and len(buffer) - position < CHUNK_BYTES:
                        chunk = handle.read(CHUNK_BYTES)
                        eof = not chunk
                        buffer = buffer[position:] + incremental.decode(chunk, final=eof)
                        position = 0
                        continue
                    if position >= len(buffer):
                        return
                if not started:
                    if buffer[position] != "[":
                        raise SourceError(f"{self.path}: a JSON array must start with '['")
                    started, position = True, position + 1
                    continue
                if buffer[position] == "]":
                    return
                index += 1
                try:
                    value, end = decoder.raw_decode(buffer, position)
                except json.JSONDecodeError:
                    if not eof:
                        chunk = handle.read(CHUNK_BYTES)
                        eof = not chunk
                        buffer = buffer[position:] + incremental.decode(chunk, final=eof)
                        position, index = 0, index - 1
                        continue
                    yield RawRecord(f"{name} item {index}", buffer[position : position + 2000].encode(), None, True)
                    return
                yield value_record(f"{name} item {index}", value)
                position = end

    def _csv(self) -> Iterator[RawRecord]:
        name = self.path.name
        companion = _companion_competences(self.path, self.encoding)
        with self.path.open("r", encoding=self.encoding, newline="") as handle:
            reader = csv.DictReader(handle, delimiter=self.delimiter)
            columns = reader.fieldnames or []
            missing = [c for c in ("id", "intitule") if c not in columns]
            if missing:
                raise SourceError(f"{self.path}: no column {', '.join(missing)} (columns: {', '.join(columns)[:200]})")
            unknown = [c for c in columns if c.split(".")[0] not in KNOWN_FLAT_COLUMNS]
            if unknown:
                self.warnings.append(f"{name}: unknown columns ignored: {', '.join(unknown)}")
            last_line = reader.line_num
            for row in reader:
                location = f"{name} line {last_line + 1}"
                last_line = reader.line_num
                if None in row:  # more cells than columns
                    row.pop(None)
                value = unflatten(row)
                if companion is not None and value.get("id") in companion and "competences" not in value:
                    value["competences"] = companion[value["id"]]
                yield value_record(location, value)


def decode_json(record: RawRecord) -> tuple[Any, str]:
    """The record's JSON value and a warning ('' if none); a line that is not UTF-8 is read as cp1252.

    Raises ``orjson.JSONDecodeError`` (a ``ValueError``) for malformed JSON.
    """
    if record.value is not None:
        return record.value, record.warning
    text: bytes | str = record.data
    warnings: list[str] = []
    try:
        return orjson.loads(text), ""
    except orjson.JSONDecodeError as exc:
        if "UTF-8" not in str(exc) and not _escaped_surrogate(exc):
            raise
        if "UTF-8" in str(exc):  # bytes that are not UTF-8 (orjson: "str is not valid UTF-8")
            text = record.data.decode("cp1252", "replace")
            warnings.append(f"{record.location}: not UTF-8, decoded as cp1252")
            try:
                return orjson.loads(text), warnings[0]
            except orjson.JSONDecodeError as again:
                if not _escaped_surrogate(again):
                    raise
        first = exc
    # an escaped lone surrogate ("\\ud800"): orjson refuses it, Python's parser reads it, U+FFFD replaces it
    try:
        value = json.loads(text.decode("utf-8", "replace") if isinstance(text, bytes) else text)
    except json.JSONDecodeError:
        raise first from None
    warnings.append(f"{record.location}: invalid Unicode (a lone surrogate) replaced by U+FFFD")
    return valid_strings(value), "; ".join(warnings)


def _escaped_surrogate(exc: orjson.JSONDecodeError) -> bool:
    """orjson's error for a ``\\ud800`` escape without its pair ("no low surrogate in string" and the like)."""
    return "surrogate in string" in str(exc)


def unflatten(row: dict[str, str | None]) -> dict[str, Any]:
    """``{'lieuTravail.libelle': '07 - AUBENAS'}`` → ``{'lieuTravail': {'libelle': '07 - AUBENAS'}}``.

    Empty cells are dropped; Python-literal cells (``"[{'code': '1'}]"``) become lists and dicts.
    """
    nested: dict[str, Any] = {}
    for key, cell in row.items():
        if key is None or cell is None or cell == "":
            continue
        value = literal(cell)
        head, _, tail = key.partition(".")
        if tail:
            child = nested.setdefault(head, {})
            if isinstance(child, dict):
                child[tail] = value
        else:
            nested[key] = value
    return nested


def _companion_competences(path: Path, encoding: str) -> dict[str, list[dict[str, str]]] | None:
    """``X_offres.csv`` → the competences of ``X_competences.csv`` (offre_id, competence_code, …) by offer id."""
    if "offres" not in path.name:
        return None
    other = path.with_name(path.name.replace("offres", "competences"))
    if not other.is_file():
        return None
    found: dict[str, list[dict[str, str]]] = {}
    with other.open("r", encoding=encoding, newline="") as handle:
        for row in csv.DictReader(handle, delimiter=","):
            offer_id = (row.get("offre_id") or "").strip()
            if offer_id and row.get("competence_libelle"):
                found.setdefault(offer_id, []).append(
                    {"code": (row.get("competence_code") or "").strip(), "libelle": row["competence_libelle"].strip()}
                )
    return found


def sniff_encoding(sample: bytes) -> str:
    """``utf-8-sig`` (BOM), ``utf-8`` when the sample decodes, else ``cp1252``."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not just a character cut at the end of the sample
            return "cp1252"
    return "utf-8"


def envelope_items(value: object) -> list[Any] | None:
    """The offers of a saved API response (``{"resultats": [...]}``, ``{"stellenangebote": [...]}``), else None.

    >>> envelope_items({"resultats": [{"id": "1"}], "filtresPossibles": []})
    [{'id': '1'}]
    >>> envelope_items({"id": "1", "intitule": "Soudeur"}) is None
    True
    """
    if isinstance(value, dict):
        for key in ENVELOPE_KEYS:
            items = value.get(key)
            if isinstance(items, list):
                return items
    return None


def whole_json_document(text: str) -> object | None:
    """The value of ``text`` when it is one JSON document (an object over one or many lines), else None (JSONL).

    >>> whole_json_document('{\n  "id": "1"\n}')
    {'id': '1'}
    >>> whole_json_document('{"id": "1"}\n{"id": "2"}\n') is None
    True
    """
    try:
        value: object = json.loads(text)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _json_kind(keys: set[str]) -> str | None:
    if "refnr" in keys or "stellenangebotsTitel" in keys:
        return "ba-json"
    if "intitule" in keys or ("id" in keys and "dateCreation" in keys):
        return "ft-json"
    return None


def open_offer_file(path: Path, fmt: str = "auto") -> OfferFile:
    """Recognise a file's format (``auto``) or check the one given; SourceError when it is not an offer file."""
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    with path.open("rb") as handle:
        sample = handle.read(SNIFF_BYTES)
    if not sample.strip(b" \t\r\n\xef\xbb\xbf"):
        raise SourceError(f"{path}: the file is empty", hint="nothing to ingest")
    encoding = sniff_encoding(sample)
    text = sample.decode(encoding, "replace").lstrip("\ufeff \t\r\n")
    if text[:1] in ("[", "{"):
        layout = "array" if text[0] == "[" else "jsonl"
        document = _json_document(path, text, encoding) if layout == "jsonl" else None
        if document is not None:
            layout = "document"
            items = envelope_items(document)
            first = next((item for item in (items if items is not None else [document]) if isinstance(item, dict)), {})
            kind = _json_kind(set(first))
            if kind is None and items is not None and isinstance(document, dict):  # an empty page: its key says
                kind = "ft-json" if "resultats" in document else "ba-json"
        else:
            if layout == "jsonl":
                encoding = "utf-8"  # decided line by line: one cp1252 line does not turn the whole file into mojibake
            kind = _sniff_json(text, layout)
        if fmt == "ft-flat":
            raise SourceError(f"{path}: is JSON, not a flat CSV/PSV export", hint="use --format ft-json or ba-json")
        chosen = kind if fmt == "auto" else fmt
        if chosen is None:
            raise SourceError(
                f"{path}: JSON records with neither France Travail ('intitule') nor BA ('refnr') fields",
                hint="give --format ft-json or ba-json if the file is one of them",
            )
        return OfferFile(path, chosen, encoding, layout, document=document)
    header = text.split("\n")[0].rstrip("\r") if text else ""
    delimiter = max(("|", ";", ",", "\t"), key=header.count)
    columns = [c.strip().strip('"') for c in header.split(delimiter)]
    if fmt not in ("auto", "ft-flat"):
        raise SourceError(f"{path}: is not JSON, cannot be read as {fmt}", hint="use --format ft-flat")
    if fmt == "auto" and not ("id" in columns and "intitule" in columns):
        raise SourceError(
            f"{path}: not a recognised offer file (header {header[:120]!r})",
            hint="offer CSV/PSV files need 'id' and 'intitule' columns",
        )
    return OfferFile(path, "ft-flat", encoding, "csv", delimiter)


def _json_document(path: Path, sample: str, encoding: str) -> object | None:
    """The file's value when it is one JSON document rather than JSONL: a saved API response, or an offer
    written over several lines. Only looked at when the first line is such a response or is no JSON at all."""
    first_line = sample.split("\n", 1)[0]
    try:
        head: object = orjson.loads(first_line)
    except orjson.JSONDecodeError:
        head = None
    if head is not None and envelope_items(head) is None:
        return None  # JSONL: its first line is a record of its own
    if path.stat().st_size > MAX_DOCUMENT_BYTES:
        return None  # too big to be one API page: read line by line, bad lines named
    try:
        text = path.read_bytes().decode(encoding, "replace").lstrip("\ufeff")
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc}") from exc
    return whole_json_document(text)


def _sniff_json(text: str, layout: str) -> str | None:
    if layout == "jsonl":
        for line in text.split("\n")[:20]:
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if isinstance(value, dict):
                return _json_kind(set(value))
        return None
    try:
        value, _ = json.JSONDecoder().raw_decode(text.lstrip()[1:].lstrip())
    except json.JSONDecodeError:
        keys = {k for k in ("refnr", "stellenangebotsTitel", "intitule", "dateCreation", "id") if f'"{k}"' in text}
        return _json_kind(keys)
    return _json_kind(set(value)) if isinstance(value, dict) else None


def data_offer_files(data_dir: Path) -> list[OfferFile]:
    """Every offer file of the data directory (``offers/**``), recognised; other files are left out.

    Companion files (``*_competences.csv``) and files of another shape (``llm-labelled-fr``) are skipped.
    """
    found: list[OfferFile] = []
    for path in sorted((data_dir / "offers").rglob("*")):
        if not path.is_file() or path.suffix.lower() not in (".jsonl", ".json", ".csv", ".psv", ".tsv"):
            continue
        try:
            found.append(open_offer_file(path))
        except SourceError:
            continue
    return found
