"""Official statistics tables (BMO, DEFM, DARES tensions, FAP nomenclatures, métiers en tension).

The only SQL for statistics lives here. Tables are long/tidy, with official ids and units in column names;
the loaders in :mod:`grepp.sources` replace one source's rows in one transaction, so a re-run stores
nothing twice. A secret figure (``*`` in BMO) is NULL with its ``secret_*`` flag set, never zero::

    bmo_grand_est(con)   # 5,159 rows: bassin × FAP métier hiring projects in Grand Est
"""

from __future__ import annotations

import duckdb

SCHEMA: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS bmo_projects (
        year INTEGER NOT NULL,
        region VARCHAR NOT NULL,
        departement VARCHAR NOT NULL,
        bassin_bmo VARCHAR NOT NULL,
        bassin_name VARCHAR,
        fap_code VARCHAR NOT NULL,
        fap_label VARCHAR,
        family_code VARCHAR,
        family_label VARCHAR,
        projects INTEGER,
        projects_difficult INTEGER,
        projects_seasonal INTEGER,
        secret_projects BOOLEAN NOT NULL,
        secret_difficult BOOLEAN NOT NULL,
        secret_seasonal BOOLEAN NOT NULL,
        source VARCHAR NOT NULL,
        loader VARCHAR NOT NULL,
        PRIMARY KEY (year, bassin_bmo, departement, fap_code)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS defm_monthly (
        geo_level VARCHAR NOT NULL,
        geo_code VARCHAR NOT NULL,
        month DATE NOT NULL,
        category VARCHAR NOT NULL,
        job_seekers INTEGER NOT NULL,
        source VARCHAR NOT NULL,
        loader VARCHAR NOT NULL,
        PRIMARY KEY (geo_level, geo_code, month, category)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS dares_tension (
        year INTEGER NOT NULL,
        fap_code VARCHAR NOT NULL,
        fap_level VARCHAR NOT NULL,
        geo_level VARCHAR NOT NULL,
        geo_code VARCHAR NOT NULL,
        indicator VARCHAR NOT NULL,
        value DOUBLE NOT NULL,
        source VARCHAR NOT NULL,
        loader VARCHAR NOT NULL,
        PRIMARY KEY (year, fap_code, fap_level, geo_level, geo_code, indicator)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS fap_rome (
        fap_code VARCHAR NOT NULL,
        rome_code VARCHAR NOT NULL,
        rome_label VARCHAR,
        fap_version VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        loader VARCHAR NOT NULL,
        PRIMARY KEY (fap_code, rome_code)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS fap_nomenclature (
        fap_code VARCHAR NOT NULL,
        level VARCHAR NOT NULL,
        label VARCHAR NOT NULL,
        parent_code VARCHAR,
        version VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        loader VARCHAR NOT NULL,
        PRIMARY KEY (fap_code, level, version)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS metiers_en_tension (
        list_date DATE NOT NULL,
        region VARCHAR NOT NULL,
        region_name VARCHAR NOT NULL,
        fap_code VARCHAR NOT NULL,
        fap_label VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        loader VARCHAR NOT NULL,
        PRIMARY KEY (list_date, region, fap_code)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS rome_market_national (
        rome_code VARCHAR PRIMARY KEY,
        title VARCHAR NOT NULL,
        salary_median_eur_year DOUBLE,
        salary_median_eur_hour DOUBLE,
        education_level VARCHAR,
        job_seekers INTEGER,
        job_offers INTEGER,
        tension_score_1_5 INTEGER,
        tension_label VARCHAR,
        source VARCHAR NOT NULL,
        loader VARCHAR NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS zone_emploi_indicators (
        zone_emploi VARCHAR NOT NULL,
        zone_emploi_name VARCHAR,
        indicator VARCHAR NOT NULL,
        period VARCHAR NOT NULL,
        value DOUBLE NOT NULL,
        source VARCHAR NOT NULL,
        loader VARCHAR NOT NULL,
        PRIMARY KEY (zone_emploi, indicator, period)
    )
    """,
    # Grand Est made easy: the same rows, region 44 only.
    "CREATE VIEW IF NOT EXISTS bmo_projects_grand_est AS SELECT * FROM bmo_projects WHERE region = '44'",
)

#: Every statistics table.
STATS_TABLES: tuple[str, ...] = (
    "bmo_projects",
    "defm_monthly",
    "dares_tension",
    "fap_rome",
    "fap_nomenclature",
    "metiers_en_tension",
    "rome_market_national",
    "zone_emploi_indicators",
)


def bmo_region_sql(region: str, year: int = 2024) -> tuple[str, list[object]]:
    """Hiring projects of one region's bassins × FAP métiers (Grand Est is ``"44"``), biggest first."""
    return (
        """
        SELECT bassin_bmo, bassin_name, departement, fap_code, fap_label, projects, projects_difficult,
               projects_seasonal, secret_projects, secret_difficult, secret_seasonal
        FROM bmo_projects WHERE region = ? AND year = ?
        ORDER BY projects DESC NULLS LAST, bassin_bmo, fap_code
        """,
        [region, year],
    )


def bmo_region(con: duckdb.DuckDBPyConnection, region: str = "44", year: int = 2024) -> list[tuple[object, ...]]:
    """Rows of :func:`bmo_region_sql` (Grand Est by default: 5,159 rows in 2024)."""
    return con.execute(*bmo_region_sql(region, year)).fetchall()
