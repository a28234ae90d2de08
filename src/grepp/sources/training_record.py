"""The one shape of a training offer, whatever file it came from (LHEO, RCO, CSV catalogues).

A :class:`TrainingRecord` is one training *action* (a formation given by one provider, at its places,
with its sessions). Its id is ``f"{source}:{source_id}"``; its :attr:`~TrainingRecord.content_hash`
covers everything but where it was read, so loading the same file twice stores nothing new and a
changed record updates its row::

    record = TrainingRecord(source="lheo", source_id="07_123324", title="Titre professionnel plaquiste",
                            codes=(("rome", "F1604"),), rome_links=(RomeLink("F1604", "source"),))
    record.training_id          # 'lheo:07_123324'
    record.rome_links_status    # 'source'

ROME links say where they come from: ``source`` when the file gives the code, ``formacode`` when
derived from the Formacode ↔ ROME table (``detail`` names the Formacode that led there).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

from grepp.errors import RecordError, SourceError

#: Version of the record shape and the parsers that fill it; stored with every row as the extractor.
EXTRACTOR = "grepp.sources.trainings"
EXTRACTOR_VERSION = "1"

#: Code schemes kept in ``codes`` (and the ``training_codes`` table).
CODE_SCHEMES: tuple[str, ...] = ("rome", "formacode", "nsf", "rncp", "certifinfo", "cfd")

_POSTAL = re.compile(r"^\d{4,5}$")
_CORSICA = {"2A", "2B"}


@dataclass(frozen=True)
class Provider:
    """The organisme de formation responsible for the training (name, SIRET, address)."""

    name: str = ""
    siret: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""
    commune_insee: str = ""


@dataclass(frozen=True)
class Place:
    """A place of the training (``role``: ``lieu``, ``inscription``, ``etablissement``…)."""

    role: str = "lieu"
    name: str = ""
    address: str = ""
    commune_insee: str = ""
    postal_code: str = ""
    city: str = ""
    departement: str = ""
    region: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Session:
    """One session of the action: dates and teaching mode (``presentiel``, ``mixte``, ``distance``)."""

    session_id: str = ""
    start: date | None = None
    end: date | None = None
    mode: str = ""


@dataclass(frozen=True)
class RomeLink:
    """A ROME code linked to a training, with its origin (``source`` or ``formacode``) and detail.

    ``rome_version`` is ``rome-v3`` for today's letter-and-digits codes (kept in ROME 4.0) and
    ``rome-v2`` for the five-digit ANPE codes of the old LHEO Formacode ↔ ROME table.
    """

    rome_code: str
    origin: str = "source"
    detail: str = ""
    rome_version: str = "rome-v3"


@dataclass(frozen=True)
class TrainingRecord:
    """One training action, read from any training source, ready to store."""

    source: str
    source_id: str
    title: str = ""
    objective: str = ""
    content: str = ""
    provider: Provider | None = None
    places: tuple[Place, ...] = ()
    sessions: tuple[Session, ...] = ()
    duration_hours: float | None = None
    diploma_level: str = ""
    certifiante: bool | None = None
    modality: str = ""
    cost_eur: float | None = None
    url: str = ""
    #: ``(scheme, code)`` pairs, scheme in :data:`CODE_SCHEMES`.
    codes: tuple[tuple[str, str], ...] = ()
    rome_links: tuple[RomeLink, ...] = ()
    #: Every id the source gives (``formation``, ``action``, ``session``, ``uai``…), as ``(kind, id)``.
    raw_ids: tuple[tuple[str, str], ...] = ()
    #: Other facts worth keeping (``categorie``, ``financeur``…), as ``(name, value)``.
    extras: tuple[tuple[str, str], ...] = ()
    #: Where it was read (``file.xml line 3``): provenance, not content (left out of the hash).
    location: str = field(default="", compare=False)

    @property
    def training_id(self) -> str:
        return f"{self.source}:{self.source_id}"

    @property
    def rome_links_status(self) -> str:
        """``source`` (the file gives ROME codes), ``formacode`` (derived only) or ``pending`` (for the AI coder)."""
        origins = {link.origin for link in self.rome_links}
        if "source" in origins:
            return "source"
        if origins:
            return "formacode"
        return "pending"

    def codes_of(self, scheme: str) -> list[str]:
        return [code for s, code in self.codes if s == scheme]

    @cached_property
    def content_hash(self) -> str:
        """SHA-256 of the record's content (everything but ``location``), stable across runs."""
        payload = asdict(self)
        payload.pop("location", None)
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Rejection:
    """A record that could not be read: the error (file, location, field, reason) and its raw text."""

    error: RecordError
    raw: str


@dataclass
class ParsedFile:
    """What a parser read from one file: the good records and the rejected ones, in file order."""

    path: Path
    source: str
    version: str = ""
    records: list[TrainingRecord] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    #: Rows merged into another record of the file (a CSV repeating a training per category or ROME code).
    merged: int = 0

    @property
    def read(self) -> int:
        return len(self.records) + len(self.rejections) + self.merged


def clean_text(value: object) -> str:
    """Collapse whitespace of a text field; ``None`` and ``"-"`` (LHEO's "nothing") become ``""``.

    Markup is kept as it is: a ``<script>`` in a description is text, stored as text.

    >>> clean_text("  Réaliser\\n  l'aménagement  ")
    "Réaliser l'aménagement"
    """
    if value is None:
        return ""
    text = " ".join(str(value).split())
    return "" if text == "-" else text


def postal_code(value: object) -> str:
    """A five-digit French postal code, zero-padded when a spreadsheet ate the leading zero; else ``""``.

    >>> postal_code("8090"), postal_code(" 67000 "), postal_code("570")
    ('08090', '67000', '')
    """
    text = clean_text(value).replace(" ", "")
    if text.endswith(".0"):
        text = text[:-2]
    if not _POSTAL.match(text):
        return ""
    return text.zfill(5)


def departement_of(postal: str, commune_insee: str = "") -> str:
    """The département code of a commune (INSEE code first, else the postal code).

    >>> departement_of("67000"), departement_of("", "2A004"), departement_of("97400")
    ('67', '2A', '974')
    """
    code = commune_insee or postal
    if len(code) != 5:
        return ""
    if code[:2] in _CORSICA:
        return code[:2]
    if code.startswith("97"):
        return code[:3]
    if not code.isdigit():
        return ""
    return code[:2]


def parse_number(value: object) -> float | None:
    """A float from ``"1428.0"``, ``"1 428,50"``, ``585``; ``None`` when empty or not a number."""
    text = clean_text(value).replace(" ", "").replace("\u202f", "").replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def read_text(path: Path) -> tuple[str, str]:
    """A text file's content and encoding: UTF-8 (with or without BOM), else cp1252 (Excel's French CSVs).

    >>> read_text(Path("formations.csv"))[1]
    'utf-8'
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc}") from exc
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"
