"""Store-wide bookkeeping: key/value metadata about the database itself."""

from __future__ import annotations

SCHEMA: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS store_meta (
        key VARCHAR PRIMARY KEY,
        value VARCHAR NOT NULL,
        updated_at TIMESTAMP DEFAULT current_timestamp
    )
    """,
)
