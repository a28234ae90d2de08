"""The occupation coder's priors read from the store (see :mod:`grepp.enrich.priors`).

Sectors come from the current ROME release (``rome-naf:<division>`` memberships); volumes from
``rome_market_national``, which is loaded from the data directory first when it is still empty (one
small file, ~1,600 rows), so ``grepp eval offers`` on a fresh database codes as the pipeline does.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import duckdb

from grepp.enrich.priors import OccupationPriors, fiche_releases


def naf_sectors(con: duckdb.DuckDBPyConnection) -> dict[str, frozenset[str]]:
    """NAF division → ROME codes of the current ROME release."""
    rows = con.execute(
        """
        SELECT g.code, m.concept_id
        FROM taxonomy_memberships_current m
        JOIN taxonomy_groups_current g ON g.concept_id = m.group_id AND g.taxonomy = m.taxonomy
        WHERE m.taxonomy = 'rome' AND m.relation = 'secteur_naf'
        """
    ).fetchall()
    sectors: dict[str, set[str]] = defaultdict(set)
    for division, concept_id in rows:
        sectors[str(division)].add(str(concept_id).removeprefix("rome:"))
    return {division: frozenset(codes) for division, codes in sectors.items()}


def ensure_market(con: duckdb.DuckDBPyConnection, data_dir: Path | None) -> None:
    """Load the national market file from the data directory when the table is still empty and it exists."""
    count = con.execute("SELECT count(*) FROM rome_market_national").fetchone()
    if (count is None or count[0] == 0) and data_dir is not None:
        from grepp.sources.tension import MARKET_FILE, load_market

        if (data_dir / MARKET_FILE).exists():
            load_market(con, data_dir)


def market_volumes(con: duckdb.DuckDBPyConnection, data_dir: Path | None = None) -> dict[str, float]:
    """ROME code → national job offers; loads the market file first when the table is empty and it exists."""
    ensure_market(con, data_dir)
    rows = con.execute("SELECT rome_code, job_offers FROM rome_market_national WHERE job_offers IS NOT NULL").fetchall()
    return {str(code): float(offers) for code, offers in rows}


def metier_profiles(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """ROME code → its fiche in words: definition, access texts, labels of its compétences and savoirs."""
    parts: dict[str, list[str]] = defaultdict(list)
    rows = con.execute(
        """
        SELECT concept_id, text FROM taxonomy_texts_current
        WHERE taxonomy = 'rome' AND text_type IN ('definition', 'acces_metier')
        ORDER BY concept_id, text_type DESC, position
        """
    ).fetchall()
    rows += con.execute(
        """
        SELECT l.occupation_id, s.label
        FROM taxonomy_occupation_skills_current l
        JOIN taxonomy_skills_current s ON s.concept_id = l.skill_id AND s.taxonomy = l.taxonomy
        WHERE l.taxonomy = 'rome'
        ORDER BY l.occupation_id, s.label
        """
    ).fetchall()
    for concept_id, text in rows:
        if text:
            parts[str(concept_id).removeprefix("rome:")].append(str(text))
    return {code: "\n".join(texts) for code, texts in parts.items()}


def metier_releases(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """ROME code → the day France Travail's offers began to carry it (:func:`grepp.enrich.priors.fiche_releases`)."""
    rows = con.execute(
        """
        SELECT code, coalesce(ogr_code, ''), coalesce(parent_id, '')
        FROM taxonomy_occupations_current
        WHERE taxonomy = 'rome' AND kind = 'metier'
        """
    ).fetchall()
    return fiche_releases([(str(code), str(ogr), str(parent).removeprefix("rome:")) for code, ogr, parent in rows])


def occupation_priors(con: duckdb.DuckDBPyConnection, data_dir: Path | None = None) -> OccupationPriors:
    """The priors and the fiche profiles (empty mappings where the store has nothing: the coder ignores them)."""
    return OccupationPriors(
        volumes=market_volumes(con, data_dir),
        sectors=naf_sectors(con),
        profiles=metier_profiles(con),
        releases=metier_releases(con),
    )
