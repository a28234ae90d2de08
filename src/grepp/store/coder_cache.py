"""A disk cache of the built lexical coders, so that a command does not rebuild them from the taxonomies.

Building the occupation coder and the skill extractor (TF-IDF fits, label keys, gazetteers over ~90,000
labels) takes about 15 s per process; loading them back takes about 2 s. `grepp code`, `grepp eval offers`
and `grepp enrich` each build them once per call, so a second call reads them from here (so does `grepp eval
rank` its label book: 8 s to build, 0.2 s to read)::

    coder = cached_build(settings.cache_dir, con, "occupation-coder", build, OccupationCoder)
    # the same by hand:
    path = coder_path(settings.cache_dir, con, "occupation-coder")
    coder = load_coders(path)              # None when absent, stale or unreadable
    if coder is None:
        coder = build()
        save_coders(path, coder)

The file's name holds a key over everything the result depends on, so a stale file is never read:

- the content of every table the coders read (the current taxonomy views, the releases, the national
  market volumes): DuckDB's ``count(*)`` and ``sum(hash(row))`` per table, about 0.1 s;
- grepp's own package files (any change of code or resources builds again);
- Python's version and every installed distribution's version (scikit-learn, numpy, DuckDB's hash…).

Files are pickles written by this process's own code into the user's cache directory (the same trust as
the code itself). Each is written to a temporary file and renamed into place, so a reader never sees
half a file; a file that cannot be read is removed and built again. The cache never decides a result:
with or without it the coders are the same objects (a test codes real offers both ways).
"""

from __future__ import annotations

import functools
import gc
import hashlib
import os
import pickle
import sys
import uuid
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TypeVar

import duckdb

T = TypeVar("T")
#: Files of one kind kept in the cache directory (the newest; a test database's coders beside the main one).
KEEP = 2
_SUFFIX = ".pickle"
#: A temporary file this much older than a finished one is a crashed writer's.
STRAY_SECONDS = 3600.0


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The tables and views the coders read: the current taxonomies, their releases, the market volumes."""
    rows = con.execute(
        """
        SELECT table_name FROM information_schema.tables
        WHERE table_schema = current_schema()
          AND (table_name LIKE 'taxonomy\\_%\\_current' ESCAPE '\\'
               OR table_name IN ('taxonomy_releases', 'rome_market_national'))
        ORDER BY table_name
        """
    ).fetchall()
    return [str(name) for (name,) in rows]


def store_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """A digest of the content of every table the coders read (row order does not matter)."""
    digest = hashlib.sha256()
    for table in _tables(con):
        # table names come from the catalogue, not from input; quoted all the same
        row = con.execute(f'SELECT count(*), coalesce(sum(hash(t)), 0) FROM "{table}" t').fetchone()
        digest.update(f"{table}\t{row}\n".encode())
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A digest of grepp's package files, Python's version and the installed distributions' versions."""
    digest = hashlib.sha256(sys.version.encode())
    root = Path(__file__).resolve().parents[1]
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    for name in sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions()):
        digest.update(name.encode() + b"\n")
    return digest.hexdigest()


def coder_path(cache_dir: Path, con: duckdb.DuckDBPyConnection, kind: str, *, fingerprint: str | None = None) -> Path:
    """Where the coders of this kind built from this store by this code live (the file may not exist);
    ``fingerprint``: the store's :func:`store_fingerprint` when the caller has it already."""
    store = fingerprint if fingerprint is not None else store_fingerprint(con)
    key = hashlib.sha256(f"{kind}\n{store}\n{code_fingerprint()}".encode()).hexdigest()
    return cache_dir / f"{kind}-{key[:32]}{_SUFFIX}"


def cached_build(
    cache_dir: Path | None,
    con: duckdb.DuckDBPyConnection,
    kind: str,
    build: Callable[[], T],
    expected: type[T],
    *,
    fingerprint: str | None = None,
) -> T:
    """The ``kind`` object of this store read from the cache directory, or built now and written there
    (``cache_dir=None``: built, nothing read or written; ``fingerprint`` as for :func:`coder_path`)."""
    path = coder_path(cache_dir, con, kind, fingerprint=fingerprint) if cache_dir is not None else None
    found = load_coders(path) if path is not None else None
    if isinstance(found, expected):
        return found
    built = build()
    if path is not None:
        save_coders(path, built)
    return built


def load_coders(path: Path) -> object | None:
    """The object saved at ``path``, or None when there is none or it cannot be read (then it is removed)."""
    try:
        handle = path.open("rb")
    except OSError:
        return None
    enabled = gc.isenabled()
    gc.disable()  # millions of small objects: the collector's passes would triple the load time
    try:
        with handle:
            loaded: object = pickle.load(handle)
            return loaded
    except Exception:  # a truncated or foreign file: build again (the cache never decides a result)
        path.unlink(missing_ok=True)
        return None
    finally:
        if enabled:
            gc.enable()


def save_coders(path: Path, built: object) -> None:
    """Write ``built`` to ``path`` atomically and drop older files of its kind; a cache that cannot be
    written (read-only or full disk) is skipped: the next call builds again."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as handle:
            pickle.dump(built, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        return
    except BaseException:  # an object that cannot be pickled is a bug: said, without leaving a stray file
        tmp.unlink(missing_ok=True)
        raise
    kind = path.name.rsplit("-", 1)[0]
    olds = sorted(
        (p for p in path.parent.glob(f"{kind}-*{_SUFFIX}") if p.name.rsplit("-", 1)[0] == kind),
        key=_mtime,
        reverse=True,
    )
    for old in olds[KEEP:]:
        if old != path:
            old.unlink(missing_ok=True)
    # a writer that crashed left its temporary file; one still writing is younger than an hour
    for stray in path.parent.glob(f".{kind}-*.tmp"):
        if _mtime(stray) < _mtime(path) - STRAY_SECONDS:
            stray.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
