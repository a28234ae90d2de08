"""Compute and store the ROME ↔ ESCO alignments of the current taxonomy releases (a pipeline step).

Two alignments, each stored with its aligner's name and version and the taxonomy releases it read
(:mod:`grepp.store.alignments`):

- ROME compétences/savoirs ↔ ESCO skills (:mod:`grepp.enrich.skill_alignment`, table ``skill_alignments``);
- ROME appellations ↔ ESCO occupations (:mod:`grepp.enrich.occupation_alignment`, table ``occupation_alignments``).

Both are ranked by the engine of ``grepp eval rank``. By default its lexical part is joined by the multilingual
USE encoder, through the adapter of each kind (occupations, skills): on 40 appellations drawn among the 4,250
whose best ESCO occupation differs, USE's pair was the better one 21 times, the lexical one 4 times
(docs/benchmarks/ai-occupations.md); against VDAB's human mapping of Competent labels to ESCO skills, the
best 20 % of the skill pairs were right 59 % of the time with USE, 54 % without (docs/benchmarks/ai-align.md).
``dense=True`` adds e5-small's cosine to USE's for the skills (63 %; e5 encodes about 110 labels a second
here, so the first run takes several minutes more), ``dense=False`` keeps both lexical (no model is loaded).

An alignment already stored for the same aligner version and releases is skipped (``force`` recomputes
it); each one is replaced in a single transaction, so a crash keeps the previous rows::

    with connect(settings.db_path) as con:
        counts = align_stored_taxonomies(con, settings)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import duckdb

from grepp.config import Settings
from grepp.enrich.adapters import ADAPTER_VERSIONS, adapted
from grepp.enrich.ranking import SECOND_ENCODER, SECOND_WEIGHT_TITLES
from grepp.errors import TaxonomyError

if TYPE_CHECKING:
    from grepp.enrich.embed import Encoder

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

    ``dense``: None (default) = USE beside the lexical engine for both; True = e5-small beside USE for the
    skills; False = lexical only.
    """
    from grepp.enrich import occupation_alignment as occ
    from grepp.enrich import skill_alignment as skl
    from grepp.store.alignments import has_alignments, save_alignments
    from grepp.taxonomy.concepts import load_concepts

    rome_version, esco_version = _releases(con)

    uses_encoder = dense is not False

    def suffix(domain: str) -> str:
        if not uses_encoder:
            return ""
        fused = dense and domain == "skills"  # e5-small beside USE, as `grepp eval rank` ranks skill labels
        second = f"+{SECOND_ENCODER}.adapted{ADAPTER_VERSIONS[domain]}x{SECOND_WEIGHT_TITLES:g}" if fused else ""
        return f"+{DENSE_ENCODER}.adapted{ADAPTER_VERSIONS[domain]}{second}"

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
    from grepp.enrich.expansion import LabelBook
    from grepp.store.coder_cache import cached_build

    concepts = load_concepts(con)
    # the label book `grepp eval rank` uses too: 8 s to build, read from the disk cache once built
    book = cached_build(settings.cache_dir, con, "label-book", lambda: LabelBook.from_concepts(concepts), LabelBook)
    if todo_occ:
        from grepp.enrich.metier_context import MetierContext
        from grepp.enrich.ranking import CONTEXT_CONFIG
        from grepp.taxonomy.concepts import isco_group_labels

        encoder = adapted(_encoder(settings, DENSE_ENCODER), "occupations") if uses_encoder else None
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
        del encoder, metiers, pairs
    if todo_skills:
        # encoders of their own: the ~50,000 label vectors they keep in memory go with them (peak memory)
        skills_encoder = adapted(_encoder(settings, DENSE_ENCODER), "skills") if uses_encoder else None
        if dense and skills_encoder is not None:
            from grepp.enrich.embed import FusedEncoder

            other = adapted(_encoder(settings, SECOND_ENCODER), "skills")
            assert other is not None
            skills_encoder = FusedEncoder([(skills_encoder, 1.0), (other, SECOND_WEIGHT_TITLES)])
        rows = skl.align_rome_esco(concepts, book=book, encoder=skills_encoder, on_progress=on_progress)
        counts["skill pairs"] = save_alignments(con, rows, **skill_run)
    return counts


def _encoder(settings: Settings, name: str) -> Encoder:
    """A fresh encoder (the model itself is shared) on the vector cache: its memo is freed when it goes."""
    from grepp.enrich.embed import Encoder
    from grepp.store.vectors import EmbeddingCache

    return Encoder(name, EmbeddingCache(settings.cache_dir / "vectors"))
