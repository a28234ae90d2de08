"""Tables for geo (see the module's SCHEMA); the only SQL for geo lives here."""

from __future__ import annotations

SCHEMA: tuple[str, ...] = ()
