"""Tables for stats (see the module's SCHEMA); the only SQL for stats lives here."""

from __future__ import annotations

SCHEMA: tuple[str, ...] = ()
