"""Field-level validation shared by the offer parsers: dates, numbers, text, places.

Each function takes a raw value and returns a clean one, or raises :class:`RecordError` naming the field, so
every parser reports problems the same way::

    parse_date("2024-10-23T14:38:00.983Z", field="dateCreation", where=where)  # datetime(2024, 10, 23, 14, 38, …)
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from lxml import html as lxml_html

from grepp.config import GRAND_EST_DEPARTEMENTS, GRAND_EST_REGION
from grepp.errors import RecordError
from grepp.sources.offer_record import MAX_DESCRIPTION_CHARS

#: A date later than now + this is "in the future" (time zones and clock skew allowed for).
FUTURE_TOLERANCE = timedelta(days=2)

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
_HOURS = re.compile(r"(\d{1,2}(?:[.,]\d+)?)\s*h", re.IGNORECASE)
_MONTHS = re.compile(r"(\d+(?:[.,]\d+)?)\s*mois", re.IGNORECASE)
_DEPT_LABEL = re.compile(r"^\s*(\d{2,3}|2[AB])\s*-", re.IGNORECASE)
_ABROAD = {"luxembourg": "LU", "allemagne": "DE", "suisse": "CH", "belgique": "BE", "monaco": "MC"}


@dataclass(frozen=True, slots=True)
class Where:
    """Where a record comes from, for error messages: file (or query) and record location (``line 12``)."""

    source: str
    location: str

    def error(self, message: str, field: str) -> RecordError:
        return RecordError(message, source=self.source, location=self.location, field=field)


def parse_date(
    value: object, *, field: str, where: Where, now: datetime | None = None, required: bool = False
) -> datetime | None:
    """An ISO 8601 date or datetime → naive UTC datetime; unparseable or future dates raise RecordError.

    Naive inputs are taken as UTC (the France Travail API writes ``Z``; the BA writes ``+00:00``).
    """
    if value is None or value == "":
        if required:
            raise where.error("missing", field)
        return None
    if not isinstance(value, str):
        raise where.error(f"not a date: {value!r}", field)
    stripped = value.strip()
    try:
        if len(stripped) >= 20 and stripped[10] == "T" and stripped[-1] == "Z" and stripped[-2].isdigit():
            # The API's fixed form "2024-10-23T14:38:00.983Z": already UTC, parsed naive (no time-zone work).
            parsed = datetime.fromisoformat(stripped[:-1])
            if parsed.tzinfo is not None:  # "…+01:00Z" is not ISO 8601
                raise ValueError(stripped)
        else:
            parsed = datetime.fromisoformat(stripped)
    except ValueError:
        raise where.error(f"unparseable date {value[:40]!r}", field) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    limit = (now or _utc_now()) + FUTURE_TOLERANCE
    if parsed > limit:
        raise where.error(f"date {value[:40]!r} is in the future", field)
    return parsed


def _utc_now() -> datetime:
    """Now, naive UTC (the store's convention)."""
    return datetime.now(UTC).replace(tzinfo=None)


def text(value: object) -> str:
    """A stripped string ('' for None); numbers are written as text."""
    if type(value) is str:  # the common case first (~30 calls per offer): no isinstance chain
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool | int | float):
        return str(value)
    return ""


def as_bool(value: object) -> bool | None:
    """True/False from a JSON bool or its text form ('True', 'false', '1', '0')."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "false", "0"):
        return value.strip().lower() in ("true", "1")
    return None


def as_float(value: object) -> float | None:
    """A float from a JSON number or its text form; None when absent or not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value.strip():
        try:
            return float(value.strip().replace(",", "."))
        except ValueError:
            return None
    return None


def as_int(value: object) -> int | None:
    number = as_float(value)
    return int(number) if number is not None and number.is_integer() else None


def literal(value: object) -> object:
    """A Python-literal string (``"[{'code': '1'}]"``, as flat exports and the BA scrape write) → the value."""
    if isinstance(value, str) and value[:1] in ("[", "{") and value.strip():
        try:
            return ast.literal_eval(value)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return value
    return value


def clean_description(raw: str) -> tuple[str, str | None, list[str]]:
    """The description as stored (capped), its plain text when it held tags, and warnings.

    Tags are never interpreted: the raw text is stored as is, and the plain-text copy comes from a real
    HTML parser (lxml), which drops ``<script>``/``<style>`` content.
    """
    warnings: list[str] = []
    if len(raw) > MAX_DESCRIPTION_CHARS:
        warnings.append(f"description truncated from {len(raw)} to {MAX_DESCRIPTION_CHARS} characters")
        raw = raw[:MAX_DESCRIPTION_CHARS]
    if "<" not in raw or not _TAG.search(raw):
        return raw, None, warnings
    try:
        root = lxml_html.fromstring(f"<div>{raw}</div>")
        for bad in root.xpath("//script|//style"):
            bad.drop_tree()
        plain = root.text_content().strip()
    except (ValueError, lxml_html.etree.ParserError):
        plain = _TAG.sub(" ", raw).strip()
    warnings.append("description contains HTML tags (stored raw; description_text has the plain text)")
    return raw, plain, warnings


@lru_cache(maxsize=4096)
def hours_weekly(label: str) -> float | None:
    """Weekly hours from ``"35H Travail en journée"``, ``"39H/semaine"``, ``"35 H"``; None otherwise."""
    match = _HOURS.search(label)
    if not match:
        return None
    hours = float(match.group(1).replace(",", "."))
    return hours if 0 < hours <= 80 else None


@lru_cache(maxsize=4096)
def duration_months(label: str) -> float | None:
    """Contract length from ``"CDD - 12 Mois"``; None when not stated."""
    match = _MONTHS.search(label)
    return float(match.group(1).replace(",", ".")) if match else None


def departement_of(commune: str, label: str = "", postal_code: str = "") -> str | None:
    """The département from a commune code, a ``"07 - AUBENAS"`` label or a postal code (in that order)."""
    code = commune.strip().upper()
    if len(code) == 5:
        return code[:3] if code.startswith("97") else code[:2]
    match = _DEPT_LABEL.match(label)
    if match:
        return match.group(1).upper().zfill(2)
    if len(postal_code) == 5 and postal_code.isdigit() and not postal_code.startswith("20"):
        return postal_code[:3] if postal_code.startswith("97") else postal_code[:2]
    return None


def region_of(departement: str | None) -> str | None:
    """The région of a Grand Est département without the geography tables (others need them)."""
    return GRAND_EST_REGION if departement in GRAND_EST_DEPARTEMENTS else None


def abroad_country(label: str) -> str | None:
    """ISO country code when a France Travail place label names a foreign country ('Luxembourg (Frontalier)')."""
    head = label.strip().lower().split(" ")[0] if label.strip() else ""
    return _ABROAD.get(head)
