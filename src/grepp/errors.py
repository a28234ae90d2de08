"""One exception hierarchy for grepp.

Every error a user can cause is a :class:`GreppError`. Each class owns its CLI exit code, so the
boundaries (CLI, API, web) translate errors once and the same way. Messages say what went wrong, where
(file, record, field) and, when possible, what to do next::

    raise SourceError("offers.jsonl line 12, field 'id': missing", hint="every offer needs an id")
"""

from __future__ import annotations


class GreppError(Exception):
    """Base of every error grepp raises on purpose."""

    exit_code: int = 1
    #: Stable, machine-readable code used by the API's JSON error shape.
    code: str = "grepp_error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} (hint: {self.hint})"
        return self.message


class ConfigError(GreppError):
    """A setting is missing or wrong (data directory, database path, credentials)."""

    exit_code = 2
    code = "config_error"


class SourceError(GreppError):
    """An input file or service cannot be read at all (missing, truncated, wrong encoding, HTTP error)."""

    exit_code = 3
    code = "source_error"


class RecordError(GreppError):
    """One record is invalid. Batches catch it, store the record in ``rejected_records`` and go on."""

    exit_code = 4
    code = "record_error"

    def __init__(
        self,
        message: str,
        *,
        source: str = "",
        location: str = "",
        field: str = "",
        hint: str | None = None,
    ) -> None:
        where = ", ".join(p for p in (source, location, f"field '{field}'" if field else "") if p)
        super().__init__(f"{where}: {message}" if where else message, hint=hint)
        self.reason = message
        self.source = source
        self.location = location
        self.field = field


class TaxonomyError(GreppError):
    """A taxonomy file is missing, malformed, or a taxonomy is not loaded yet."""

    exit_code = 5
    code = "taxonomy_error"


class StoreError(GreppError):
    """The database cannot be opened, migrated or written."""

    exit_code = 6
    code = "store_error"


class NotFoundError(GreppError):
    """A code, URI or record asked for does not exist."""

    exit_code = 7
    code = "not_found"
