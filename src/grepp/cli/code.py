"""`grepp code`: code a job title, an offer text or a free-text profile into occupations and skills."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from grepp.cli.common import console, get_state, progress_bar
from grepp.errors import SourceError
from grepp.sources.eval_sets import decode
from grepp.store.db import connect


def _argument(value: str | None) -> str:
    """An argument as typed: bytes that were not UTF-8 (a cp1252 terminal or script) reach Python as lone
    surrogates ("exp\\udce9rience"); they are decoded again as the files are (UTF-8, else cp1252)."""
    if not value or value.isascii():
        return value or ""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return decode(os.fsencode(value), "the command-line argument")
    return value


def _read_text(text: str | None, path: Path | None) -> str:
    """The --text, or the --file decoded as the benchmark files are (UTF-8, else cp1252)."""
    if path is None:
        return _argument(text)
    try:
        raw = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc}") from exc
    return decode(raw, str(path))


@click.command("code")
@click.argument("title", required=False, default="")
@click.option("--text", "text", default=None, help="The offer's description or the person's profile.")
@click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Read the description or profile from a file ('-': standard input).",
)
@click.option("--top", default=5, show_default=True, type=click.IntRange(1, 20), help="Occupations shown.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--dense", is_flag=True, help="Add the e5 embedding model (slow when its cache is cold).")
@click.option(
    "--lang",
    type=click.Choice(["auto", "fr", "de", "en"]),
    default="auto",
    show_default=True,
    help="Language of the title and text (auto: read from the text's function words, French without text).",
)
def code_command(
    title: str, text: str | None, path: Path | None, top: int, as_json: bool, dense: bool, lang: str
) -> None:
    """Code a job title and/or a text (offer, CV, profile): ROME métiers and appellations, ESCO occupations, skills.

    The same coder as `grepp enrich`, with calibrated confidences; below its threshold it answers
    "unknown" with the reason. Examples: grepp code "Soudeur TIG H/F";
    grepp code --file profil.txt; grepp code "Cariste" --text "CACES 3 exigé, permis B souhaité";
    grepp code "Staplerfahrer (m/w/d)" --lang de
    """
    from grepp.enrich.occupation_input import OccupationInput
    from grepp.enrich.skill_sections import detect_language
    from grepp.offer_enrichment import build_enrichers

    title, body = _argument(title), _read_text(text, path)
    if not title.strip() and not body.strip():
        raise click.UsageError("give a TITLE, --text or --file")
    settings = get_state().settings()
    with connect(settings.db_path) as con, progress_bar("modèles (index des libellés)") as advance:
        enrichers = build_enrichers(con, settings, dense=dense, on_progress=advance)
    language = detect_language(body) if lang == "auto" else lang
    result = enrichers.coder.code(OccupationInput(title, body, language=language))
    extraction = enrichers.extractor.extract_result(
        body, title=title, rome_codes=result.rome_codes[:2], lang=None if lang == "auto" else lang
    )
    if as_json:
        payload = {
            "status": result.status,
            "reason": result.reason,
            "coder": result.coder,
            "metiers": [asdict(c) for c in result.metiers[:top]],
            "appellations": [asdict(c) for c in result.appellations[:top]],
            "esco": [asdict(c) for c in result.esco[:top]],
            "skills": [asdict(m) for m in extraction.mentions],
            "skills_reason": extraction.reason,
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    status = (
        "[green]coded[/green]" if result.status == "coded" else f"[yellow]unknown[/yellow]: {escape(result.reason)}"
    )
    console.print(f"occupation: {status}  ({result.coder})")
    appellations = tuple(c for c in result.appellations if c.id.startswith("rome-ogr:"))
    for name, candidates in (("ROME métiers", result.metiers), ("ROME appellations", appellations)):
        table = Table(title=name, title_justify="left")
        for column in ("confidence", "code", "label"):
            table.add_column(column)
        for c in candidates[:top]:
            table.add_row(f"{c.confidence:.2f}", escape(c.code), escape(c.label))
        console.print(table)
    esco = Table(title="ESCO occupations", title_justify="left")
    for column in ("score", "ISCO", "label"):
        esco.add_column(column)
    for c in result.esco[:top]:
        esco.add_row(f"{c.score:.2f}", escape(c.code), escape(c.label))
    console.print(esco)
    if not extraction.mentions:
        console.print(f"skills: none ({escape(extraction.reason or 'no text')})")
        return
    skills = Table(title=f"skills ({len(extraction.mentions)})", title_justify="left")
    for column in ("text", "skill", "kind", "required", "flags"):
        skills.add_column(column)
    for m in extraction.mentions:
        skills.add_row(
            escape(m.text), f"{escape(m.label)} [dim]{escape(m.code)}[/dim]", m.kind, m.requirement, ", ".join(m.flags)
        )
    console.print(skills)


def register(cli: click.Group) -> None:
    """Add `grepp code` to the root group."""
    cli.add_command(code_command)
