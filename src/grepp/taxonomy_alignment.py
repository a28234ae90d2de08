"""Compute and store the ROME ↔ ESCO alignments of the current taxonomy releases (a pipeline step).

Two alignments, each stored with its aligner's name and version and the taxonomy releases it read
(:mod:`grepp.store.alignments`):

- ROME compétences/savoirs ↔ ESCO skills (:mod:`grepp.enrich.skill_alignment`, table ``skill_alignments``);
- ROME appellations ↔ ESCO occupations (:mod:`grepp.enrich.occupation_alignment`, the ranking engine of
  ``grepp eval rank``, table ``occupation_alignments``).

By default the appellations are ranked with the multilingual USE encoder (through its occupations
adapter) beside the lexical engine, as ``grepp eval rank`` does, and the skills with the lexical engine
alone: on 40 appellations drawn among the 4,250 whose best ESCO occupation differs, USE's pair was the
better one 21 times, the lexical one 4 times (docs/benchmarks/ai-occupations.md). ``dense=True`` adds USE to
the skills too, ``dense=False`` keeps both lexical (no model is loaded).

An alignment already stored for the same aligner version and releases is skipped (``force`` recomputes
it); each one is replaced in a single transaction, so a crash keeps the previous rows::

    with connect(settings.db_path) as con:
        counts = align_stored_taxonomies(con, settings)
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from grepp.config import Settings
from grepp.enrich.adapters import ADAPTER_VERSIONS, adapted
from grepp.errors import TaxonomyError

Progress = Callable[[int], None]

#: The dense encoder of the alignments (multilingual USE: the engine's default for ``grepp eval rank``).
DENSE_ENCODER = "use-m3"


def _releases(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    from grepp.store.taxonomy import current_releases

    versions = {taxonomy: version for taxonomy, version, _ in current_releases(con)}
    if "rome" not in versions or "esco" not in versions:
        raise TaxonomyError("ROME and ESCO must both be loaded to align them", hint="run: grepp taxonomy load")
    return versions["rome"], versions["esco"]


def align_stored_taxonomies(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    dense: bool | None = None,
    force: bool = False,
    on_progress: Progress | None = None,
) -> dict[str, int]:
    """Align skills and occupations of the current releases; counts of what was stored (0 when skipped).

    ``dense``: None (default) = USE for the appellations, lexical skills; True = USE for both; False = neither.
    """
    from grepp.enrich import occupation_alignment as occ
    from grepp.enrich import skill_alignment as skl
    from grepp.store.alignments import has_alignments, save_alignments
    from grepp.taxonomy.concepts import load_concepts

    rome_version, esco_version = _releases(con)

    uses_encoder = {"skills": dense is True, "occupations": dense is not False}

    def suffix(domain: str) -> str:
        return f"+{DENSE_ENCODER}.adapted{ADAPTER_VERSIONS[domain]}" if uses_encoder[domain] else ""

    releases = {"rome_version": rome_version, "esco_version": esco_version}
    skill_run = {"aligner": skl.ALIGNER_NAME, "aligner_version": skl.ALIGNER_VERSION + suffix("skills"), **releases}
    occ_run = {
        "aligner": occ.ALIGNER_NAME,
        "aligner_version": occ.ALIGNER_VERSION + suffix("occupations"),
        **releases,
    }
    todo_skills = force or not has_alignments(con, **skill_run)
    todo_occ = force or not has_alignments(con, table="occupation_alignments", **occ_run)
    counts = {"skill pairs": 0, "appellation pairs": 0}
    if not (todo_skills or todo_occ):
        return counts
    encoder = None
    if (todo_skills and uses_encoder["skills"]) or (todo_occ and uses_encoder["occupations"]):
        from grepp.enrich.embed import get_encoder
        from grepp.store.vectors import EmbeddingCache

        encoder = get_encoder(DENSE_ENCODER, cache=EmbeddingCache(settings.cache_dir / "vectors"))
    concepts = load_concepts(con)
    if todo_skills:
        rows = skl.align_rome_esco(concepts, encoder=adapted(encoder, "skills") if uses_encoder["skills"] else None)
        counts["skill pairs"] = save_alignments(con, rows, **skill_run)
    if todo_occ:
        from grepp.enrich.expansion import LabelBook
        from grepp.enrich.metier_context import MetierContext
        from grepp.enrich.ranking import CONTEXT_CONFIG
        from grepp.taxonomy.concepts import isco_group_labels

        book = LabelBook.from_concepts(concepts)
        encoder = adapted(encoder, "occupations")
        metiers = MetierContext.from_concepts(concepts, encoder=encoder, config=CONTEXT_CONFIG)
        pairs = occ.align_appellations(
            concepts,
            book=book,
            metiers=metiers,
            broad_labels=isco_group_labels(con),
            encoder=encoder,
            on_progress=on_progress,
        )
        counts["appellation pairs"] = save_alignments(con, pairs, table="occupation_alignments", **occ_run)
    return counts
