"""Tables for offers (see the module's SCHEMA); the only SQL for offers lives here."""

from __future__ import annotations

SCHEMA: tuple[str, ...] = ()
