"""Tables for taxonomy (see the module's SCHEMA); the only SQL for taxonomy lives here."""

from __future__ import annotations

SCHEMA: tuple[str, ...] = ()
