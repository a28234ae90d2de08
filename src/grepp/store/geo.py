"""Geography tables (INSEE COG 2024, zones d'emploi 2020, bassins BMO) and the commune lookup offers use.

The only SQL for geography lives here. Loading is done by :mod:`grepp.sources.geo`; other packages read
the result through :func:`load_commune_places`, which maps every commune code an input may carry (current,
old merged, délégué/associé, Paris/Lyon/Marseille arrondissement) to the current commune's place::

    places = load_commune_places(con)
    places["67482"].zone_emploi_name        # 'Strasbourg'
    place_commune(places, "67 - STRASBOURG")  # the same CommunePlace, found by name
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import duckdb
import pyarrow as pa

from grepp.enrich.text import fold
from grepp.models import CommunePlace

SCHEMA: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS geo_regions (
        region VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        cheflieu_insee VARCHAR,
        source VARCHAR NOT NULL,
        version VARCHAR NOT NULL,
        loader VARCHAR NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS geo_departements (
        departement VARCHAR PRIMARY KEY,
        region VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        cheflieu_insee VARCHAR,
        source VARCHAR NOT NULL,
        version VARCHAR NOT NULL,
        loader VARCHAR NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS geo_zones_emploi (
        zone_emploi VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        version VARCHAR NOT NULL,
        loader VARCHAR NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS geo_bassins_bmo (
        bassin_bmo VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        region VARCHAR,
        source VARCHAR NOT NULL,
        version VARCHAR NOT NULL,
        loader VARCHAR NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS geo_communes (
        commune_insee VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        departement VARCHAR NOT NULL,
        region VARCHAR NOT NULL,
        zone_emploi VARCHAR,
        zone_emploi_name VARCHAR,
        bassin_bmo VARCHAR,
        bassin_name VARCHAR,
        population BIGINT,
        population_year INTEGER,
        source VARCHAR NOT NULL,
        version VARCHAR NOT NULL,
        loader VARCHAR NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS geo_commune_changes (
        old_code VARCHAR NOT NULL,
        old_name VARCHAR,
        new_code VARCHAR NOT NULL,
        current_code VARCHAR,
        effective_date DATE,
        kind VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        version VARCHAR NOT NULL,
        loader VARCHAR NOT NULL,
        PRIMARY KEY (old_code, new_code, kind)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS geo_maps (
        name VARCHAR PRIMARY KEY,
        path VARCHAR NOT NULL,
        features INTEGER NOT NULL,
        size_bytes BIGINT NOT NULL,
        source VARCHAR NOT NULL,
        loader VARCHAR NOT NULL
    )
    """,
    # Grand Est made easy: its 5,118 communes with their zone d'emploi and bassin BMO.
    "CREATE VIEW IF NOT EXISTS geo_communes_grand_est AS SELECT * FROM geo_communes WHERE region = '44'",
)

#: Every geography table, in the order they are written.
GEO_TABLES: tuple[str, ...] = (
    "geo_regions",
    "geo_departements",
    "geo_zones_emploi",
    "geo_bassins_bmo",
    "geo_communes",
    "geo_commune_changes",
    "geo_maps",
)

Row = Sequence[object]


def replace_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: Sequence[str],
    key: Sequence[str],
    rows: Sequence[Row],
    *,
    scope: tuple[str, list[object]] | None = None,
) -> tuple[int, int, int]:
    """Replace a table's rows (or those matching ``scope``) with ``rows``; return (stored, updated, unchanged).

    Used by the geography and statistics loaders, inside their transaction: a repeated load leaves the
    table as it was and reports every row as unchanged. ``table`` and ``columns`` are identifiers from
    our own code, never from input; values go through a registered Arrow table, not string SQL::

        replace_rows(con, "geo_regions", ["region", "name"], ["region"], [("44", "Grand Est")])
        # -> (1, 0, 0) the first time, (0, 0, 1) the second
    """
    cols = ", ".join(columns)
    where, params = scope if scope else ("TRUE", [])
    incoming = pa.table({name: pa.array([row[i] for row in rows]) for i, name in enumerate(columns)})
    view = f"_incoming_{table}"
    con.register(view, incoming)
    try:
        unchanged = _count(con, f"SELECT {cols} FROM {view} INTERSECT SELECT {cols} FROM {table} WHERE {where}", params)
        join = " AND ".join(f"i.{k} IS NOT DISTINCT FROM t.{k}" for k in key)
        matched = _count(
            con, f"SELECT i.* FROM {view} i JOIN (SELECT * FROM {table} WHERE {where}) t ON {join}", params
        )
        con.execute(f"DELETE FROM {table} WHERE {where}", params)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {view}")
    finally:
        con.unregister(view)
    return len(rows) - matched, matched - unchanged, unchanged


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> int:
    found = con.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()
    return int(found[0]) if found else 0


def table_counts(con: duckdb.DuckDBPyConnection, tables: Sequence[str] = GEO_TABLES) -> dict[str, int]:
    """Row count of each table (for reports and idempotency checks)."""
    return {table: _count(con, f"SELECT * FROM {table}", []) for table in tables}


# --- the commune lookup ------------------------------------------------------------------------------

_CODE = re.compile(r"^\s*(\d[\dAB]\d{3}|\d{4})\s*$", re.IGNORECASE)
_DEPT_PREFIX = re.compile(r"^\s*(\d{2,3}|2[AB])\s*[-–:]\s*(.+)$", re.IGNORECASE)
_DEPT_SUFFIX = re.compile(r"^\s*(.+?)\s*\((\d{2,3}|2[AB])\)\s*$", re.IGNORECASE)
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
#: "PARIS 09", "Lyon 3e", "Marseille 1er arrondissement": an arrondissement, placed in its commune.
_ARRONDISSEMENT = re.compile(r"^(paris|lyon|marseille) \d{1,2}(?:e|er|eme)?(?: arrondissement)?$")
_ARTICLE = re.compile(r"^(?:le|la|les|l) (?=\w)")
_CEDEX = re.compile(r"\s+cedex(\s+\d+)?\s*$", re.IGNORECASE)


def name_key(name: str) -> str:
    """An accent-, case- and punctuation-insensitive key for a commune name ("ST-DIÉ" → "saint die").

    >>> name_key("Saint-Dié-des-Vosges") == name_key("ST DIE DES VOSGES")
    True
    """
    words = re.sub(r"[^0-9a-z]+", " ", fold(name)).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


def normalize_code(code: str) -> str:
    """A commune code as INSEE writes it: five characters, leading zero restored ("1053" → "01053")."""
    code = code.strip().upper()
    return code.zfill(5) if code.isdigit() and len(code) == 4 else code


class CommunePlaces(dict[str, CommunePlace]):
    """Commune code → current commune's place, with a name index built on first use.

    Also keeps the names of old and délégué communes so labels such as "AUBENAS" or
    "67 - Strasbourg" resolve (see :func:`place_commune`).
    """

    def __init__(self, places: Mapping[str, CommunePlace], names: Mapping[str, str] | None = None) -> None:
        super().__init__(places)
        #: code → name under which that code was known (current name or old/délégué name).
        self.names: dict[str, str] = dict(names or {})
        self._by_name: dict[str, list[tuple[int, CommunePlace]]] | None = None

    def by_name(self, key: str) -> list[tuple[int, CommunePlace]]:
        """Places known under this :func:`name_key`, best first by rank.

        Rank 0: current name; 1: former or délégué name; 2 and 3: the same without their leading
        article, as job boards often write them ("Havre" for Le Havre, "Roche-sur-Yon").
        """
        if self._by_name is None:
            index: dict[str, list[tuple[int, CommunePlace]]] = {}

            def add(name: str, rank: int, place: CommunePlace) -> None:
                for k, r in ((name_key(name), rank), (_ARTICLE.sub("", name_key(name)), rank + 2)):
                    entries = index.setdefault(k, [])
                    if all(p != place for _, p in entries):
                        entries.append((r, place))

            for code, place in self.items():
                if code == place.commune_insee:
                    add(place.name, 0, place)
            for code, name in self.names.items():
                target = self.get(code)
                if target is not None and code != target.commune_insee:
                    add(name, 1, target)
            self._by_name = index
        return self._by_name.get(key, [])


def load_commune_places(con: duckdb.DuckDBPyConnection) -> CommunePlaces:
    """Every known commune code → the current commune's :class:`CommunePlace`; empty if geography is not loaded.

    Current communes map to themselves; old codes, communes déléguées/associées and arrondissements map
    to the commune they belong to today (chains of merges are resolved at load time into
    ``geo_commune_changes.current_code``)::

        places = load_commune_places(con)
        places["08294"].commune_insee   # '08053' (La Moncelle merged into Bazeilles in 2024)
    """
    try:
        current = con.execute(
            """
            SELECT commune_insee, name, departement, region, zone_emploi, zone_emploi_name, bassin_bmo, bassin_name
            FROM geo_communes
            """
        ).fetchall()
    except duckdb.CatalogException:  # a read-only database made before the geography tables existed
        return CommunePlaces({})
    places: dict[str, CommunePlace] = {row[0]: CommunePlace(*row) for row in current}
    names = {code: place.name for code, place in places.items()}
    # The loader gives every row of one old code the same resolved current_code (the latest change wins).
    changes = con.execute(
        """
        SELECT old_code, any_value(current_code), any_value(old_name ORDER BY effective_date DESC NULLS FIRST)
        FROM geo_commune_changes WHERE current_code IS NOT NULL GROUP BY old_code
        """
    ).fetchall()
    for old_code, current_code, old_name in changes:
        if old_code not in places and current_code in places:
            places[old_code] = places[current_code]
            if old_name:
                names[old_code] = old_name
    return CommunePlaces(places, names)


def place_commune(
    places: Mapping[str, CommunePlace], code_or_label: str | None, departement: str | None = None
) -> CommunePlace | None:
    """The place of a commune given by INSEE code or by label; None when unknown or ambiguous.

    Accepts "67482", "1053" (leading zero lost), "67 - STRASBOURG", "Strasbourg (67)", "Strasbourg" or
    "AUBENAS". A name shared by several communes is resolved with ``departement`` (or the label's
    département), else the current name wins over a former one; if still ambiguous, None rather than a
    guess. Pass the :class:`CommunePlaces` from :func:`load_commune_places`: its name index is built
    once; a plain mapping gets a new index on every call::

        place_commune(places, "67 - Strasbourg").commune_insee   # '67482'
        place_commune(places, "Saint-Dizier").departement         # '52'
    """
    if not code_or_label or not code_or_label.strip():
        return None
    text = code_or_label.strip()
    if _CODE.match(text):
        return places.get(normalize_code(text))
    prefixed = _DEPT_PREFIX.match(text)
    suffixed = None if prefixed else _DEPT_SUFFIX.match(text)
    if prefixed:
        departement = departement or prefixed.group(1).upper().zfill(2)
        text = prefixed.group(2)
    elif suffixed:
        departement = departement or suffixed.group(2).upper().zfill(2)
        text = suffixed.group(1)
    text = _CEDEX.sub("", text)  # "STRASBOURG CEDEX 2" is Strasbourg
    lookup = places if isinstance(places, CommunePlaces) else CommunePlaces(places)
    key = name_key(text)
    arrondissement = _ARRONDISSEMENT.match(key)
    candidates = lookup.by_name(arrondissement.group(1) if arrondissement else key)
    if departement:
        candidates = [(rank, place) for rank, place in candidates if place.departement == departement]
    if not candidates:
        return None
    best = min(rank for rank, _ in candidates)
    found = {place for rank, place in candidates if rank == best}
    return found.pop() if len(found) == 1 else None
