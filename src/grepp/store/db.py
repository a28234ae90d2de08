"""Open the DuckDB store, create its schema, and run work in transactions.

The store is the only code that speaks SQL. Each domain module in ``grepp.store`` declares its DDL as a
``SCHEMA`` tuple of idempotent statements (``CREATE TABLE IF NOT EXISTS`` …); :func:`connect` applies all
of them, so opening a database twice, or an older database, is safe::

    with connect(settings.db_path) as con, transaction(con):
        con.execute(*insert_offer_sql(offer))
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from grepp.errors import StoreError

#: Domain modules whose ``SCHEMA`` is applied, in this order (later ones may reference earlier ones).
SCHEMA_MODULES: tuple[str, ...] = (
    "grepp.store.meta",
    "grepp.store.runs",
    "grepp.store.taxonomy",
    "grepp.store.geo",
    "grepp.store.offers",
    "grepp.store.trainings",
    "grepp.store.stats",
    "grepp.store.enrichment",
    "grepp.store.alignments",
)


def schema_statements() -> list[str]:
    """Every DDL statement of every store module, in application order."""
    statements: list[str] = []
    for name in SCHEMA_MODULES:
        module = importlib.import_module(name)
        statements.extend(getattr(module, "SCHEMA", ()))
    return statements


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table and view that does not exist yet (idempotent)."""
    for statement in schema_statements():
        try:
            con.execute(statement)
        except duckdb.Error as exc:
            raise StoreError(f"cannot apply schema statement {statement.split('(')[0].strip()!r}: {exc}") from exc


@contextmanager
def connect(path: str | Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database at ``path`` (``":memory:"`` for a throw-away one) with its schema applied."""
    target = str(path)
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(target, read_only=read_only)
    except duckdb.Error as exc:
        raise StoreError(
            f"cannot open database {target}: {exc}",
            hint="is another grepp process using it? close it, or pass another --db",
        ) from exc
    try:
        if not read_only:
            ensure_schema(con)
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run a block in one transaction: all of it is stored, or none of it (also on ``kill -9``)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    else:
        con.execute("COMMIT")
