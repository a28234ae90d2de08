"""Read-only summaries of the store for the demo report and the CLI (counts, placements, examples).

All SQL is here; callers get plain tuples and dataclasses back::

    counts = table_counts(con)          # {"offers": 7064, ...}
    zones = offers_by_zone(con, "44")   # [("Strasbourg", 85), ...]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

#: Tables shown in the demo summary, with a French caption.
SUMMARY_TABLES: tuple[tuple[str, str], ...] = (
    ("taxonomy_occupations_current", "métiers, appellations et professions (ROME, ESCO)"),
    ("taxonomy_skills_current", "compétences, savoirs et skills (ROME, ESCO)"),
    ("taxonomy_labels_current", "libellés (fr, en, de)"),
    ("geo_communes", "communes (COG 2024)"),
    ("bmo_projects", "lignes BMO 2024 (projets de recrutement)"),
    ("defm_monthly", "séries de demandeurs d'emploi par commune"),
    ("dares_tension", "indicateurs de tension DARES"),
    ("trainings", "offres de formation"),
    ("offers", "offres d'emploi"),
    ("offer_duplicates", "doublons reliés à une offre canonique"),
    ("offer_occupations", "codes métier proposés par l'IA (appellations, métiers ROME, professions ESCO)"),
    ("offer_skills", "compétences repérées par l'IA"),
    ("rejected_records", "enregistrements rejetés (avec leur motif)"),
)


def _exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
        [name],
    ).fetchone()
    return bool(row and row[0])


def table_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """(table, French caption, row count) for every summary table that exists."""
    counts: list[tuple[str, str, int]] = []
    for name, caption in SUMMARY_TABLES:
        if _exists(con, name):
            row = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()
            counts.append((name, caption, int(row[0]) if row else 0))
    return counts


def offers_by_source(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """Offers per source, most first."""
    return [
        (str(s), int(n))
        for s, n in con.execute("SELECT source, count(*) FROM offers GROUP BY source ORDER BY 2 DESC, 1").fetchall()
    ]


def offers_by_zone(con: duckdb.DuckDBPyConnection, region: str, limit: int = 10) -> list[tuple[str, str, int]]:
    """Offers of a région per zone d'emploi: (zone code, zone name, offers), most first."""
    sql = """
        SELECT o.zone_emploi, coalesce(z.name, o.zone_emploi), count(*)
        FROM offers o LEFT JOIN geo_zones_emploi z ON z.zone_emploi = o.zone_emploi
        WHERE o.region = ? AND o.zone_emploi IS NOT NULL
        GROUP BY 1, 2 ORDER BY 3 DESC, 2 LIMIT ?
    """
    return [(str(c), str(n), int(k)) for c, n, k in con.execute(sql, [region, limit]).fetchall()]


def top_coded_metiers(con: duckdb.DuckDBPyConnection, limit: int = 10) -> list[tuple[str, str, int]]:
    """The ROME métiers the AI coded most often as first choice: (code, label, offers)."""
    sql = """
        SELECT oc.rome_code, coalesce(m.label, ''), count(DISTINCT oc.offer_id)
        FROM offer_occupations_current oc
        LEFT JOIN taxonomy_occupations_current m ON m.concept_id = 'rome:' || oc.rome_code
        WHERE oc.taxonomy = 'rome' AND oc.rank = 1 AND oc.rome_code IS NOT NULL
        GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT ?
    """
    return [(str(c), str(label), int(n)) for c, label, n in con.execute(sql, [limit]).fetchall()]


@dataclass(frozen=True)
class SkillSpan:
    start: int
    end: int
    label: str
    code: str
    taxonomy: str
    requirement: str
    flags: tuple[str, ...]


@dataclass(frozen=True)
class OfferExample:
    """One enriched offer, as the demo shows it."""

    offer_id: str
    title: str
    text: str
    place: str
    source_rome_code: str | None
    occupations: list[tuple[str, str, str, float]]  # (rome_code, appellation label, code, confidence)
    skills: list[SkillSpan]
    #: the coded métiers, best first: (rome_code, label, confidence that it is the offer's ROME code)
    metiers: list[tuple[str, str, float]] = field(default_factory=list)

    @property
    def coded_metier(self) -> tuple[str, str, float] | None:
        """The first métier when it is the first appellation's (what the demo and the report show), else None."""
        if self.occupations and self.metiers and self.metiers[0][0] == self.occupations[0][0]:
            return self.metiers[0]
        return None


def example_offer_ids(con: duckdb.DuckDBPyConnection, region: str, limit: int = 3) -> list[str]:
    """A few enriched offers worth showing: from the région first, with many skills, then a German ad."""
    sql = """
        WITH s AS (SELECT offer_id, count(*) AS n FROM offer_skills_current GROUP BY 1)
        SELECT o.id FROM offers o JOIN s ON s.offer_id = o.id
        WHERE length(coalesce(o.description_text, o.description, '')) BETWEEN 400 AND 3000
        ORDER BY (o.region = ?) DESC, (o.language = 'fr') DESC, s.n DESC, o.id LIMIT ?
    """
    ids = [str(r[0]) for r in con.execute(sql, [region, limit]).fetchall()]
    german = con.execute(
        """SELECT o.id FROM offers o JOIN offer_skills_current s ON s.offer_id = o.id WHERE o.language = 'de'
           GROUP BY o.id ORDER BY count(*) DESC, o.id LIMIT 1"""
    ).fetchall()
    return ids + [str(r[0]) for r in german if r[0] not in ids]


def offer_example(con: duckdb.DuckDBPyConnection, offer_id: str) -> OfferExample:
    """The offer's text with its coded occupations and skill spans (offsets into that text)."""
    row = con.execute(
        """SELECT id, coalesce(title, ''), coalesce(description_text, description, ''),
                  concat_ws(' — ', commune_name, departement, country), source_rome_code
           FROM offers WHERE id = ?""",
        [offer_id],
    ).fetchone()
    if row is None:
        raise LookupError(offer_id)
    occupations = [
        (str(r or ""), str(lab or ""), str(code), float(conf or 0.0))
        for r, lab, code, conf in con.execute(
            """SELECT rome_code, label, code, confidence FROM offer_occupations_current
               WHERE offer_id = ? AND taxonomy = 'rome' ORDER BY rank LIMIT 3""",
            [offer_id],
        ).fetchall()
    ]
    skills = [
        SkillSpan(int(a), int(b), str(lab or ""), str(code), str(tax), str(req or "unknown"), tuple(flags or ()))
        for a, b, lab, code, tax, req, flags in con.execute(
            """SELECT span_start, span_end, label, code, taxonomy, requirement, flags FROM offer_skills_current
               WHERE offer_id = ? AND span_start IS NOT NULL ORDER BY span_start, position""",
            [offer_id],
        ).fetchall()
    ]
    metiers = [
        (str(code), str(lab or ""), float(conf or 0.0))
        for code, lab, conf in con.execute(
            """SELECT code, label, confidence FROM offer_occupations_current
               WHERE offer_id = ? AND taxonomy = 'rome_metier' ORDER BY rank LIMIT 3""",
            [offer_id],
        ).fetchall()
    ]
    return OfferExample(str(row[0]), str(row[1]), str(row[2]), str(row[3]), row[4], occupations, skills, metiers)


@dataclass(frozen=True)
class ConfidenceBand:
    """The offers whose first coded métier's confidence is in [low, high) (the last band takes 1 too): how many
    carry their recruiter's ROME code, and for how many of those the AI gives that code."""

    low: float
    high: float
    offers: int
    #: offers whose recruiter gave a ROME code (France Travail's ``romeCode``)
    with_recruiter_code: int
    #: of those, offers whose first coded métier is the recruiter's code
    agreeing: int


@dataclass(frozen=True)
class CodingQuality:
    """What the AI made of the stored offers: coded or not, and how sure, against what recruiters chose.

    ``offers``: offers read by the current enricher; ``unknown``: the coder abstained (``empty`` of them: no
    readable title or text); ``bands``: the offers by their first métier's calibrated confidence.
    """

    offers: int
    coded: int
    unknown: int
    empty: int
    bands: list[ConfidenceBand]

    @property
    def with_recruiter_code(self) -> int:
        return sum(b.with_recruiter_code for b in self.bands)

    @property
    def agreeing(self) -> int:
        return sum(b.agreeing for b in self.bands)


def coding_quality(
    con: duckdb.DuckDBPyConnection, enricher: str, edges: tuple[float, ...] = (0.2, 0.5, 0.7, 0.9)
) -> CodingQuality | None:
    """How ``enricher``'s latest run coded the stored offers (None when it has coded none).

    Its first métier's confidence (``offer_occupations``, taxonomy ``rome_metier``, rank 1) is cut at ``edges``
    into bands from 0 to 1; in each band, the offers whose recruiter gave a ROME code and those whose first coded
    métier is that code. The enricher codes in the current ROME release; a recruiter coded with the fiches of the
    offer's date, so an older offer may carry the parent of the fiche the AI names.
    """
    state = con.execute(
        """SELECT count(*), count_if(s.status = 'coded'), count_if(s.status = 'unknown'),
                  count_if(s.status = 'unknown' AND s.reason LIKE 'empty%')
           FROM offer_enrichment_state s
           JOIN offer_enrichment_latest l USING (offer_id, enricher, enricher_version)
           WHERE s.enricher = ?""",
        [enricher],
    ).fetchone()
    if state is None or not state[0]:
        return None
    band = " + ".join(["(coalesce(m.confidence, 0) >= ?)::INTEGER"] * len(edges)) or "0"
    rows = con.execute(
        f"""SELECT {band} AS band, count(*), count(nullif(o.source_rome_code, '')),
                   count_if(o.source_rome_code = m.code)
            FROM offer_occupations_current m JOIN offers o ON o.id = m.offer_id
            WHERE m.enricher = ? AND m.taxonomy = 'rome_metier' AND m.rank = 1
            GROUP BY band""",
        [*edges, enricher],
    ).fetchall()
    found = {int(b): (int(n), int(k), int(a)) for b, n, k, a in rows}
    cuts = [0.0, *edges, 1.0]
    bands = [ConfidenceBand(cuts[i], cuts[i + 1], *found.get(i, (0, 0, 0))) for i in range(len(cuts) - 1)]
    return CodingQuality(int(state[0]), int(state[1]), int(state[2]), int(state[3]), bands)
