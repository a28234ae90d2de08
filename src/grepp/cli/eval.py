"""`grepp eval` commands (thin: parse, call the library, format).

grepp eval rank --queries Q.tsv --corpus C.tsv --out RUN.trec [--qrels A.tsv] [--top 100]
grepp eval offers OFFERS.jsonl --out PRED.tsv [--skills-out SKILLS.tsv]   (also a flat CSV/PSV export)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from grepp.cli.common import err_console, get_state, progress_bar
from grepp.config import Settings
from grepp.enrich.adapters import AdaptedEncoder, adapted
from grepp.enrich.embed import Encoder, FusedEncoder, available_encoders, get_encoder
from grepp.enrich.expansion import LabelBook
from grepp.enrich.metier_context import MetierContext
from grepp.enrich.metrics import calibration_errors, evaluate, offer_competence_codes, recall_at
from grepp.enrich.occupation_input import offer_input, strip_coding
from grepp.enrich.occupations import CODER_NAME, CODER_VERSION, OccupationCoder
from grepp.enrich.ranking import (
    CONTEXT_CONFIG,
    RANKER_NAME,
    RANKER_VERSION,
    corpus_domain,
    rank_corpus,
    second_encoder,
    wants_metier_context,
    wants_neighbourhood,
)
from grepp.enrich.skill_context import SkillNeighbourhood
from grepp.errors import ConfigError, SourceError
from grepp.models import Concept
from grepp.sources.eval_sets import decode, read_offer_records, read_pairs, read_qrels, write_run

_METRICS = ("MAP", "R-prec", "MRR", "P@5", "RP@5", "RP@10")


def _read_text(path: Path) -> str:
    try:
        return decode(path.read_bytes(), str(path))
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc}") from exc


def _offer_records(path: Path) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """``(location, offer)`` of a JSONL/JSON-array file or of a flat CSV/PSV export, and what was skipped.

    Flat exports (``ardeche-cdi-2025-flattened.psv``: dotted columns, Python-literal cells; a
    ``*_offres.csv`` with its ``*_competences.csv``) are read by the ingestion's own reader, so that every
    offer file grepp ingests can also be scored.
    """
    text = _read_text(path)
    if not text.strip() or text.lstrip()[:1] in ("[", "{"):
        records, problems = read_offer_records(text, str(path))
        return records, [str(problem) for problem in problems]
    from grepp.sources.offer_files import open_offer_file

    source = open_offer_file(path, "ft-flat")
    flat = [(record.location, record.value) for record in source.records() if isinstance(record.value, dict)]
    return flat, list(source.warnings)


def _pairs(path: Path) -> list[tuple[str, str]]:
    import io

    return read_pairs(io.StringIO(_read_text(path)), str(path))


def encoder_for(settings: Settings, name: str) -> Encoder | None:
    """The named encoder with the disk cache under the settings' cache dir (``none``: no dense step)."""
    if name == "none":
        return None
    from grepp.store.vectors import EmbeddingCache

    return get_encoder(name, cache=EmbeddingCache(settings.cache_dir / "vectors"))


def taxonomy_book(
    settings: Settings, kinds: tuple[str, ...] | None = None
) -> tuple[LabelBook, list[Concept], list[str]]:
    """Every ROME/ESCO label, the concepts and the ISCO group labels, loading the taxonomies first when missing.

    The label book is read from the disk cache (:mod:`grepp.store.coder_cache`) once built: 8 s to build.
    """
    from grepp.store.coder_cache import cached_build
    from grepp.store.db import connect
    from grepp.taxonomy import ensure_loaded, load_concepts
    from grepp.taxonomy.concepts import isco_group_labels

    with connect(settings.db_path) as con:
        with progress_bar("taxonomy (loaded once into the database)") as advance:
            ensure_loaded(con, settings.data_dir, on_progress=advance)
        concepts = load_concepts(con, kinds=kinds)
        groups = isco_group_labels(con)
        kind = "label-book" + "".join(f"-{k}" for k in sorted(kinds or ()))
        with progress_bar("indexing ROME and ESCO labels"):
            book = cached_build(settings.cache_dir, con, kind, lambda: LabelBook.from_concepts(concepts), LabelBook)
    return book, concepts, groups


def skill_neighbourhood(settings: Settings, concepts: list[Concept], book: LabelBook) -> SkillNeighbourhood:
    """The ESCO skills around each ROME compétence/savoir (see :mod:`grepp.enrich.skill_context`)."""
    from grepp.store.db import connect
    from grepp.taxonomy import occupation_skill_links

    with connect(settings.db_path) as con:
        rome, esco = occupation_skill_links(con, "rome"), occupation_skill_links(con, "esco")
    return SkillNeighbourhood.build(concepts, book, rome, esco)


def register(cli: click.Group) -> None:
    """Add this module's commands to the root group."""

    @cli.group(name="eval")
    def eval_group() -> None:
        """Measure grepp's AI on benchmark files (ranking, occupation coding)."""

    @eval_group.command(name="rank")
    @click.option(
        "--queries",
        "queries_path",
        required=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="id<TAB>text (header optional).",
    )
    @click.option(
        "--corpus",
        "corpus_path",
        required=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="id<TAB>text: the only elements ranked.",
    )
    @click.option(
        "--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path), help="TREC run to write."
    )
    @click.option(
        "--qrels",
        "qrels_path",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="TREC qrels: print MAP, R-prec, MRR, P@5, RP@5, RP@10.",
    )
    @click.option(
        "--top", default=100, show_default=True, type=click.IntRange(1, 100_000), help="Elements written per query."
    )
    @click.option(
        "--encoder",
        "encoder_name",
        default="use-m3",
        show_default=True,
        type=click.Choice([*available_encoders(), "none"]),
        help="Dense encoder (vectors cached under the cache dir).",
    )
    @click.option(
        "--taxonomy/--no-taxonomy",
        "use_taxonomy",
        default=True,
        show_default=True,
        help="Use ROME/ESCO labels (grouping, query expansion).",
    )
    def rank(
        queries_path: Path,
        corpus_path: Path,
        out_path: Path,
        qrels_path: Path | None,
        top: int,
        encoder_name: str,
        use_taxonomy: bool,
    ) -> None:
        """Rank the corpus for each query with grepp's hybrid engine and write a TREC run.

        The engine mixes character and word TF-IDF with a dense multilingual encoder, ranks the
        surface forms of one concept together and, with --taxonomy (default), uses ROME/ESCO labels:
        the taxonomies are loaded into the configured database first when missing (about a minute,
        once). Example: grepp eval rank --queries queries.tsv --corpus corpus_elements.tsv
        --out run.trec --qrels annotations.tsv
        """
        settings = get_state().settings(require_data=use_taxonomy)
        queries, corpus = _pairs(queries_path), _pairs(corpus_path)
        qrels = None
        if qrels_path is not None:
            import io

            qrels = read_qrels(io.StringIO(_read_text(qrels_path)), str(qrels_path))
        book, metiers, hood = None, None, None
        broad: list[str] = []
        encoder = encoder_for(settings, encoder_name)
        if use_taxonomy:
            book, concepts, broad = taxonomy_book(settings)
            domain = corpus_domain(corpus, book)
            if domain is not None:  # the encoder's adapter for occupation or skill labels (trained on ROME/ESCO)
                encoder = adapted(encoder, domain)
            second = second_encoder(queries, corpus, domain)
            if encoder is not None and encoder.name == "use-m3" and second is not None and domain is not None:
                name, weight = second  # skills, German titles: e5-small's cosine (its own adapter) added to USE's
                other = adapted(get_encoder(name, cache=encoder.cache), domain)
                assert other is not None
                encoder = FusedEncoder([(encoder, 1.0), (other, weight)])
            if wants_neighbourhood(queries, corpus, book):  # French skill labels (not built where unused)
                hood = skill_neighbourhood(settings, concepts, book)
            if wants_metier_context(queries, corpus, book):
                with progress_bar("indexing ROME appellations"):
                    metiers = MetierContext.from_concepts(concepts, encoder=encoder, config=CONTEXT_CONFIG)
        if isinstance(encoder, FusedEncoder):
            model = f"encoders {encoder.label}"
        else:
            adapter = f" + adapter {encoder.label}" if isinstance(encoder, AdaptedEncoder) else ""
            model = f"encoder {encoder_name}{adapter}"
        err_console.print(f"{len(queries):,} queries, {len(corpus):,} corpus elements, {model}")
        with progress_bar("ranking", total=len(queries)) as advance:
            run = rank_corpus(
                queries,
                corpus,
                book=book,
                metiers=metiers,
                broad_labels=broad,
                encoder=encoder,
                top=top,
                neighbourhood=hood,
                on_progress=advance,
            )
        try:
            out_path.parent.mkdir(parents=True, exist_ok=True)
            with out_path.open("w", encoding="utf-8") as handle:
                lines = write_run(handle, run, tag="grepp")
        except OSError as exc:
            raise SourceError(f"cannot write {out_path}: {exc}") from exc
        err_console.print(f"wrote {lines:,} lines to {out_path} ({RANKER_NAME}.v{RANKER_VERSION})")
        if qrels is not None:
            scores = evaluate({qid: [doc for doc, _ in ranking] for qid, ranking in run}, qrels)
            for name in _METRICS:
                click.echo(f"{name}\t{scores[name]:.4f}")
            click.echo(f"queries\t{int(scores['queries'])}")

    @eval_group.command(name="offers")
    @click.argument("offers_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option(
        "--out",
        "out_path",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="PRED.tsv: id, rome1, rome2, rome3.",
    )
    @click.option(
        "--skills-out",
        "skills_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="SKILLS.tsv: id, ogr_code, score.",
    )
    @click.option(
        "--encoder",
        "encoder_name",
        default="none",
        show_default=True,
        type=click.Choice([*available_encoders(), "none"]),
        help="Dense encoder for the coder (slower to index).",
    )
    def offers(offers_path: Path, out_path: Path, skills_path: Path | None, encoder_name: str) -> None:
        """Code offers (France Travail API v2 JSONL, array or page, flat CSV/PSV; Jobsuche ads) into ROME métiers.

        A saved API page ({"resultats": [...]}) is read as its offers. The offers' own romeCode,
        romeLibelle, appellationlibelle and competences (a Jobsuche ad's hauptberuf, beruf) are stripped before
        coding (never read for prediction); when present they are the truth for the printed top-1/top-3
        accuracy, the first métier's mean calibrated confidence with its ECE and Brier score (how well the
        confidence says how often it is right), and skill recall@10 with --skills-out. The offer's dateCreation
        is read: a ROME fiche France Travail published after it gives way to the parent fiche offers then
        carried. The taxonomies are loaded into the configured database first when missing. Example: grepp eval
        offers offers.jsonl --out pred.tsv
        """
        settings = get_state().settings()
        records, problems = _offer_records(offers_path)
        for problem in problems:
            err_console.print(f"skipped {problem}")
        truths = [
            (
                str(offer.get("id") or offer.get("refnr") or location),
                offer.get("romeCode"),
                offer_competence_codes(offer),
            )
            for location, offer in records
        ]
        stripped = [strip_coding(offer) for _, offer in records]
        del records  # from here on, only the stripped offers exist
        # a dense coder reads its encoder through the occupations adapter (e5-small: all-sectors top-1 0.746
        # plain, 0.757 adapted; use-m3: 0.742, 0.747)
        dense = adapted(encoder_for(settings, encoder_name), "occupations")
        coder = _occupation_coder(settings, dense)
        model = f" + {dense.label}" if dense is not None else ""
        with progress_bar("coding offers", total=len(stripped)) as advance:
            results = coder.code_many([offer_input(offer) for offer in stripped], on_progress=advance)
        lines = [(oid, result.rome_codes[:3]) for (oid, _, _), result in zip(truths, results, strict=True)]
        _write_lines(out_path, ["\t".join([oid, *[*codes, "", "", ""][:3]]) for oid, codes in lines])
        unknown = sum(1 for r in results if r.status != "coded")
        err_console.print(
            f"wrote {len(lines):,} predictions to {out_path} ({coder_name()}{model}; {unknown} below the confidence"
            " threshold)"
        )
        known = [(truth, codes) for (_, truth, _), (_, codes) in zip(truths, lines, strict=True) if truth]
        if known:
            click.echo(f"top1\t{sum(codes[:1] == [t] for t, codes in known) / len(known):.4f}")
            click.echo(f"top3\t{sum(t in codes[:3] for t, codes in known) / len(known):.4f}")
            click.echo(f"offers\t{len(known)}")
            # does the first métier's calibrated confidence say how often it is right? (mean, ECE, Brier)
            answered = [
                (result.metiers[0].confidence, result.metiers[0].code == truth)
                for (_, truth, _), result in zip(truths, results, strict=True)
                if truth and result.metiers
            ]
            errors = calibration_errors([c for c, _ in answered], [r for _, r in answered])
            for name in ("confidence", "ece", "brier"):
                click.echo(f"{name}\t{errors[name]:.4f}")
        if skills_path is not None:
            _skills(settings, skills_path, truths, stripped, [codes for _, codes in lines])


def coder_name() -> str:
    """The versioned name of the occupation coder."""
    return f"{CODER_NAME}.v{CODER_VERSION}"


def _occupation_coder(settings: Settings, dense: Encoder | None) -> OccupationCoder:
    """The pipeline's lexical coder (built once, then read from the disk cache), or a dense one built now."""
    from grepp.offer_enrichment import lexical_coder
    from grepp.store.db import connect
    from grepp.store.priors import occupation_priors
    from grepp.taxonomy import ensure_loaded, load_concepts

    with connect(settings.db_path) as con:
        with progress_bar("taxonomy (loaded once into the database)") as advance:
            ensure_loaded(con, settings.data_dir, on_progress=advance)
        with progress_bar("indexing ROME and ESCO labels") as advance:
            if dense is None:
                return lexical_coder(con, settings, on_progress=advance)
            priors = occupation_priors(con, settings.data_dir)
            concepts = load_concepts(con, kinds=["metier", "appellation", "occupation"])
            return OccupationCoder(concepts, encoder=dense, priors=priors, on_progress=advance)


def _write_lines(path: Path, lines: list[str]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    except OSError as exc:
        raise SourceError(f"cannot write {path}: {exc}") from exc


def _skills(
    settings: Settings,
    path: Path,
    truths: list[tuple[str, Any, set[str]]],
    offers: list[dict[str, Any]],
    rome_codes: list[list[str]],
) -> None:
    """The skill-extraction hook: ``grepp.enrich.skills.extract_offer_skills`` per offer, recall@10."""
    try:
        from grepp.enrich.skills import extract_offer_skills
    except ImportError as exc:
        raise ConfigError(f"--skills-out needs grepp.enrich.skills.extract_offer_skills ({exc})") from exc
    from grepp.offer_enrichment import lexical_extractor
    from grepp.store.db import connect

    with connect(settings.db_path) as con, progress_bar("indexing skill labels") as advance:
        extractor = lexical_extractor(con, settings, on_progress=advance)  # the pipeline's, read from the disk cache
    rows: list[str] = []
    recalls: list[float] = []
    with progress_bar("extracting skills", total=len(offers)) as advance:
        for (oid, _, wanted), offer, codes in zip(truths, offers, rome_codes, strict=True):
            ranked = extract_offer_skills(extractor, offer, rome_codes=codes[:1], limit=20)
            rows.extend(f"{oid}\t{code}\t{score:.4f}" for code, score in ranked)
            if wanted:
                recalls.append(recall_at([code for code, _ in ranked], wanted, 10))
            advance(1)
    _write_lines(path, rows)
    err_console.print(f"wrote {len(rows):,} skill rows to {path}")
    if recalls:
        click.echo(f"skill_recall@10\t{sum(recalls) / len(recalls):.4f}")
