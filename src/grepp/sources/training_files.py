"""Find, sniff and load every training file: LHEO XML, RCO JSON, Grand Est CSV/JSON, CPF CSV.

:func:`load_trainings` is what the pipeline and ``grepp ingest trainings`` call. It first loads the LHEO
reference tables (Formacode, Formacode ↔ ROME, dictionaries) when the data directory has them, then each
source in one run (an ``ingest_runs`` report), each file in one transaction. Within a run the last
record of an id wins (files in name order, so a 2022 catalogue overrides 2021) and the others count as
duplicates, so repeating a run stores nothing new::

    with connect(settings.db_path) as con:
        reports = load_trainings(con, settings.data_dir)
        [(r.source, r.read, r.stored, r.rejected) for r in reports]
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb

from grepp.errors import GreppError, RecordError, SourceError, StoreError
from grepp.sources.lheo import find_xsd, lheo_version, read_lheo, root_tag
from grepp.sources.training_cpf import CPF_COLUMNS, read_cpf
from grepp.sources.training_formacode import (
    FORMACODE_FILE,
    REFERENCE_DIR,
    ROME_FORMACODE_FILE,
    FormacodeRome,
    formacode_rome_mapping,
    read_dictionaries,
    read_formacode,
    read_rome_formacode,
    with_formacode_links,
)
from grepp.sources.training_grand_est import read_grand_est_csv, read_grand_est_json
from grepp.sources.training_rco import read_rco
from grepp.sources.training_record import ParsedFile, read_text
from grepp.store.db import transaction
from grepp.store.runs import RunReport, finish_run, reject, start_run
from grepp.store.trainings import (
    formacode_rome_links,
    save_dictionaries,
    save_formacode,
    save_formacode_rome,
    save_trainings,
    touch_unchanged,
)

#: Formats :func:`sniff` recognises, with the source name their records are stored under.
FORMAT_SOURCES: dict[str, str] = {
    "lheo": "lheo",
    "rco": "rco",
    "grand-est-csv": "grand-est-formations",
    "grand-est-json": "grand-est-diplomas",
    "cpf-csv": "cpf",
}
_READERS: dict[str, Callable[[Path], ParsedFile]] = {
    "rco": read_rco,
    "grand-est-csv": read_grand_est_csv,
    "grand-est-json": read_grand_est_json,
    "cpf-csv": read_cpf,
}
REFERENCE_SOURCE = "lheo-reference"
#: How a report's ``errors`` entry starts when a whole file could not be read (the CLI exits non-zero).
UNREADABLE = "unreadable file"
_DICTIONARY_FILES = ("lheo-dict-FORMACODE.xml", "lheo-dict-NSF.xml", "lheo-dict-ROME.xml", "lheo-gml.xml")

Progress = Callable[[int], None]


def sniff(path: Path) -> str | None:
    """The training format of a file (a key of :data:`FORMAT_SOURCES`), or ``None`` if it is not one."""
    suffix = path.suffix.lower()
    if suffix == ".xml":
        return "lheo" if lheo_version(path) else None
    if suffix in (".csv", ".tsv", ".txt"):
        text, _encoding = read_text(path)
        header = text.split("\n", 1)[0]
        if "Nom_Complet_Diplome" in header:
            return "grand-est-csv"
        if all(column in header for column in CPF_COLUMNS[:2]):
            return "cpf-csv"
        return None
    if suffix in (".json", ".jsonl"):
        with path.open("rb") as handle:
            head = handle.read(4096).decode("utf-8", "replace")
        if "id_action" in head:
            return "rco"
        if "etablissements" in head or "diplome_nom" in head:
            return "grand-est-json"
        # A JSONL whose first line is broken: judge by its other lines.
        return "rco" if suffix == ".jsonl" and "id_action" in path.read_text("utf-8", "replace")[:200_000] else None
    return None


def discover(data_dir: Path) -> list[tuple[str, Path]]:
    """Every training file under ``data_dir/trainings``, with its format, in a stable order."""
    root = data_dir / "trainings"
    if not root.is_dir():
        raise SourceError(f"no trainings/ folder in {data_dir}", hint="point --data at a copy of shared/data")
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        fmt = sniff(path)
        if fmt is not None:
            found.append((fmt, path))
    return found


def classify(paths: Sequence[Path]) -> list[tuple[str, Path]]:
    """Sniff the format of each given file (folders are searched); an unknown file is a :class:`SourceError`."""
    found: list[tuple[str, Path]] = []
    for path in paths:
        if path.is_dir():
            found += [(f, p) for p in sorted(path.rglob("*")) if p.is_file() and (f := sniff(p)) is not None]
            continue
        if not path.is_file():
            raise SourceError(f"no such file: {path}")
        fmt = sniff(path)
        if fmt is None and path.suffix.lower() == ".xml":
            raise SourceError(
                f"{path.name}: root element {root_tag(path)} is not an LHEO 2.2/2.3 offer document",
                hint="grepp reads LHEO 2.2 (http://www.lheo.org/2.2) and 2.3 (http://lheo.gouv.fr/2.3)",
            )
        if fmt is None:
            raise SourceError(
                f"{path.name}: not a training file grepp knows",
                hint="LHEO 2.2/2.3 XML, RCO catalogue JSON/JSONL, Grand Est formations.csv or a CPF catalogue CSV",
            )
        found.append((fmt, path))
    return found


def training_files(data_dir: Path, paths: Sequence[Path] | None = None) -> list[tuple[str, Path]]:
    """The files :func:`load_trainings` will read, with their formats (to size a progress bar)."""
    return discover(data_dir) if paths is None else classify(paths)


def load_reference_tables(con: duckdb.DuckDBPyConnection, data_dir: Path) -> list[RunReport]:
    """Load the Formacode thesaurus, the Formacode ↔ ROME table and the LHEO dictionaries, if present."""
    folder = data_dir / REFERENCE_DIR
    if not (folder / ROME_FORMACODE_FILE).is_file():
        return []
    report = RunReport(source=REFERENCE_SOURCE, input=str(REFERENCE_DIR))
    run_id = start_run(con, REFERENCE_SOURCE, str(REFERENCE_DIR))
    with transaction(con):
        entries, fcod_links = (
            read_formacode(folder / FORMACODE_FILE) if (folder / FORMACODE_FILE).is_file() else ([], [])
        )
        links = read_rome_formacode(folder / ROME_FORMACODE_FILE) + fcod_links
        dictionaries = [
            e for name in _DICTIONARY_FILES if (folder / name).is_file() for e in read_dictionaries(folder / name)
        ]
        for counts in (
            save_formacode(con, entries, FORMACODE_FILE),
            save_formacode_rome(con, links),
            save_dictionaries(con, dictionaries),
        ):
            report.stored += counts.stored
            report.updated += counts.updated
            report.unchanged += counts.unchanged
        report.read = len(entries) + len(links) + len(dictionaries)
        report.duplicates = report.read - report.stored - report.updated - report.unchanged
    finish_run(con, run_id, report)
    return [report]


def load_trainings(
    con: duckdb.DuckDBPyConnection,
    data_dir: Path,
    paths: Sequence[Path] | None = None,
    on_progress: Progress | None = None,
) -> list[RunReport]:
    """Load training files (all of ``data_dir/trainings`` when ``paths`` is None); one report per source.

    ``on_progress(1)`` is called after each file. A file that cannot be read at all is recorded in
    ``rejected_records`` (location ``file``) and in its report's errors; the other files go on.
    """
    reports = load_reference_tables(con, data_dir)
    mapping = formacode_rome_mapping(formacode_rome_links(con))
    files = training_files(data_dir, paths)
    xsd = find_xsd(data_dir) if any(fmt == "lheo" for fmt, _p in files) else None
    by_source: dict[str, list[tuple[str, Path]]] = {}
    for fmt, path in files:
        by_source.setdefault(FORMAT_SOURCES[fmt], []).append((fmt, path))
    for source, source_files in by_source.items():
        reports.append(_load_source(con, data_dir, source, source_files, xsd, mapping, on_progress))
    return reports


def _display(path: Path, data_dir: Path) -> str:
    try:
        return str(path.resolve().relative_to(data_dir.resolve()))
    except ValueError:
        return str(path)


def _load_source(
    con: duckdb.DuckDBPyConnection,
    data_dir: Path,
    source: str,
    files: list[tuple[str, Path]],
    xsd: Path | None,
    mapping: dict[str, list[FormacodeRome]],
    on_progress: Progress | None,
) -> RunReport:
    """One run for one source: parse its files, then store each file in one transaction."""
    names = [_display(path, data_dir) for _fmt, path in files]
    report = RunReport(source=source, input=names[0] if len(names) == 1 else f"{len(names)} files")
    run_id = start_run(con, source, json.dumps(names, ensure_ascii=False) if len(names) > 1 else names[0])
    try:
        parsed = _parse_files(con, run_id, files, xsd, report, on_progress)
        _store_files(con, run_id, data_dir, parsed, mapping, report, on_progress)
    except (duckdb.Error, GreppError) as exc:
        # The files stored so far stay (each in its own transaction); the run says where it stopped.
        finish_run(con, run_id, report, status="failed", message=str(exc))
        if isinstance(exc, GreppError):
            raise
        raise StoreError(f"cannot store {source} trainings: {exc}") from exc
    finish_run(con, run_id, report, status="failed" if files and not parsed else "ok")
    return report


def _parse_files(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    files: list[tuple[str, Path]],
    xsd: Path | None,
    report: RunReport,
    on_progress: Progress | None,
) -> list[ParsedFile]:
    """Parse every file; one that cannot be read at all is rejected as a whole (location ``file``)."""
    parsed: list[ParsedFile] = []
    for fmt, path in files:
        try:
            parsed.append(read_lheo(path, xsd) if fmt == "lheo" and xsd is not None else _READERS[fmt](path))
        except SourceError as exc:
            report.read += 1
            report.rejected += 1
            report.errors.append(f"{UNREADABLE}: {exc}")
            error = RecordError(exc.message, source=path.name, location="file")
            with transaction(con):
                reject(con, run_id, error, path.read_text("utf-8", "replace")[:2000] if path.is_file() else "")
            if on_progress:
                on_progress(1)
    return parsed


def _store_files(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    data_dir: Path,
    parsed: list[ParsedFile],
    mapping: dict[str, list[FormacodeRome]],
    report: RunReport,
    on_progress: Progress | None,
) -> None:
    """Store each file's records in one transaction; the last record of an id in the run wins."""
    winner: dict[str, tuple[int, int]] = {}
    for f_index, pf in enumerate(parsed):
        for r_index, record in enumerate(pf.records):
            winner[record.training_id] = (f_index, r_index)
    for f_index, pf in enumerate(parsed):
        kept = [
            with_formacode_links(record, mapping)
            for r_index, record in enumerate(pf.records)
            if winner[record.training_id] == (f_index, r_index)
        ]
        with transaction(con):
            counts = save_trainings(
                con, kept, run_id=run_id, input_file=_display(pf.path, data_dir), source_version=pf.version
            )
            if counts.unchanged:
                touch_unchanged(con, [r.training_id for r in kept], run_id)
            for rejection in pf.rejections:
                reject(con, run_id, rejection.error, rejection.raw)
        report.read += pf.read
        report.stored += counts.stored
        report.updated += counts.updated
        report.unchanged += counts.unchanged
        report.duplicates += len(pf.records) - len(kept) + pf.merged
        report.rejected += len(pf.rejections)
        report.errors += [str(r.error) for r in pf.rejections]
        if on_progress:
            on_progress(1)
