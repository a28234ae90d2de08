"""Salary texts → a EUR/month range, or unknown with a warning, never a rejected offer.

France Travail writes ``"Mensuel de 2000.0 Euros à 2500.0 Euros sur 12 mois"``, ``"Annuel de 30000 Euros"``,
``"Horaire de 11.88 Euros"`` (decimal point or comma); German ads write ``"3.000 – 4.000 € brutto monatlich"``
or ``"45.000 EUR p.a."``. Yearly amounts are divided by 12; hourly amounts are multiplied by the weekly hours
× 52 / 12 (151.67 h, the French legal month, when the hours are unknown). A result outside
[:data:`MIN_EUR_MONTH`, :data:`MAX_EUR_MONTH`] is nonsense (0 €, 10 M€ a month): the salary is left unknown
and a warning kept::

    >>> parse_salary("Annuel de 30000 Euros").min_eur_month
    2500.0
    >>> parse_salary("Mensuel de 0 Euros").warning
    'salary 0 EUR/month out of range [100, 30000], left unknown'
"""

from __future__ import annotations

import re
from functools import lru_cache

from grepp.sources.offer_record import Salary

MIN_EUR_MONTH = 100.0
MAX_EUR_MONTH = 30_000.0
#: Legal monthly hours of a French full-time job (35 h × 52 / 12).
LEGAL_MONTH_HOURS = 151.67
_RANGE = f"[{MIN_EUR_MONTH:.0f}, {MAX_EUR_MONTH:.0f}]"

_NUMBER = re.compile(r"\d[\d\s.,'\u00a0\u202f]*\d|\d")
_PERIODS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("hour", re.compile(r"horaire|heure|/\s*h\b|stunde|std\b|stündlich|hourly|per hour", re.IGNORECASE)),
    ("year", re.compile(r"annuel|/\s*an\b|par an|jährlich|jahr|p\.\s*a\.|brut annuel|yearly|per year", re.IGNORECASE)),
    ("month", re.compile(r"mensuel|/\s*mois|par mois|monatlich|monat|monthly|per month", re.IGNORECASE)),
)


def parse_number(text: str, *, language: str = "fr") -> float | None:
    """A number written the French, API or German way: ``2000.0``, ``25000,00``, ``2 000``, ``3.000,50``.

    >>> parse_number("3.000", language="de"), parse_number("2000.0"), parse_number("25 000,50")
    (3000.0, 2000.0, 25000.5)
    """
    s = re.sub(r"[\s'\u00a0\u202f]", "", text)
    if not s:
        return None
    if "," in s and "." in s:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        s = s.replace(thousands, "").replace(decimal, ".")
    elif "," in s:
        parts = s.split(",")
        s = s.replace(",", "") if len(parts) > 2 or (len(parts[-1]) == 3 and language == "de") else s.replace(",", ".")
    elif "." in s:
        parts = s.split(".")
        if len(parts) > 2 or (len(parts[-1]) == 3 and (language == "de" or len(parts[0]) <= 3)):
            s = s.replace(".", "")
    try:
        return float(s)
    except ValueError:
        return None


def _period(text: str) -> str:
    for name, pattern in _PERIODS:
        if pattern.search(text):
            return name
    return ""


@lru_cache(maxsize=8192)
def parse_salary(text: str | None, *, hours_weekly: float | None = None, language: str = "fr") -> Salary:
    """Parse a salary text; see the module docstring for the rules.

    Cached by its arguments: offers repeat a few thousand distinct texts (Salary is immutable).

    >>> s = parse_salary("Mensuel de 2000.0 Euros à 2500.0 Euros sur 12 mois")
    >>> (s.min_eur_month, s.max_eur_month, s.period)
    (2000.0, 2500.0, 'month')
    """
    raw = (text or "").strip()
    if not raw:
        return Salary()
    period = _period(raw)
    # "sur 12 mois" / "sur 13.0 mois" is the number of monthly payments, not an amount.
    amounts_text = re.sub(r"sur\s+\d+(?:[.,]\d+)?\s*mois", " ", raw, flags=re.IGNORECASE)
    amounts_text = re.sub(r"\b\d+\s*(?:h|heures?|std|stunden)\b", " ", amounts_text, flags=re.IGNORECASE)
    values = [v for v in (parse_number(m.group(), language=language) for m in _NUMBER.finditer(amounts_text))]
    numbers = [v for v in values if v is not None][:2]
    if not numbers:
        return Salary(raw=raw, period=period)
    if not period:
        return Salary(raw=raw, warning="salary period not stated, left unknown")
    if period == "year":
        factor = 1 / 12
    elif period == "hour":
        factor = hours_weekly * 52 / 12 if hours_weekly and 0 < hours_weekly <= 60 else LEGAL_MONTH_HOURS
    else:
        factor = 1.0
    low, high = min(numbers) * factor, max(numbers) * factor
    for value in (low, high):
        if not MIN_EUR_MONTH <= value <= MAX_EUR_MONTH:
            shown = f"{value:.0f}" if value < 1e6 else f"{value:.3g}"
            return Salary(
                raw=raw,
                period=period,
                warning=f"salary {shown} EUR/month out of range {_RANGE}, left unknown",
            )
    return Salary(raw=raw, min_eur_month=round(low, 2), max_eur_month=round(high, 2), period=period)
