"""Tables for trainings (see the module's SCHEMA); the only SQL for trainings lives here."""

from __future__ import annotations

SCHEMA: tuple[str, ...] = ()
