"""Tables for enrichment (see the module's SCHEMA); the only SQL for enrichment lives here."""

from __future__ import annotations

SCHEMA: tuple[str, ...] = ()
