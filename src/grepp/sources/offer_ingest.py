"""Ingest offers: stream records, parse and validate them, place them, store them batch by batch.

Every file or API query is one run (``ingest_runs``: running → ok/failed). Records are written
``settings.offer_batch_size`` at a time, one transaction per batch, so ``kill -9`` leaves the store as before
or after a batch and the next run finishes the job. A record whose raw bytes were already stored (same
extractor version) is skipped without being parsed, which makes re-reading an unchanged file cheap. Bad
records go to ``rejected_records`` with their file, line and field; the batch goes on::

    with connect(settings.db_path) as con:
        reports = ingest_paths(con, [Path("offers.jsonl")], settings=settings)
        reports[0].stored, reports[0].rejected
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import orjson

from grepp.config import Settings
from grepp.errors import GreppError, RecordError, SourceError
from grepp.models import CommunePlace
from grepp.sources.offer_files import OfferFile, RawRecord, decode_json, open_offer_file, value_record
from grepp.sources.offer_place import place_offer, regions_by_departement
from grepp.sources.offer_record import EXTRACTOR, EXTRACTOR_VERSION, Offer
from grepp.sources.offers_ba import BUNDESAGENTUR, parse_ba_offer
from grepp.sources.offers_json import FRANCE_TRAVAIL, parse_api_offer
from grepp.store.db import transaction
from grepp.store.geo import load_commune_places
from grepp.store.offers import (
    OfferRow,
    defer_checkpoints,
    mark_interrupted_runs,
    restore_checkpoints,
    set_run_message,
    stored_raw_hashes,
    touch_raw_hashes,
    write_offer_batch,
)
from grepp.store.runs import RunReport, finish_run, reject, start_run

Parser = Callable[..., Offer]
Progress = Callable[[int], None]

#: Per format: the parser and the default source name.
PARSERS: dict[str, tuple[Parser, str]] = {
    "ft-json": (parse_api_offer, FRANCE_TRAVAIL),
    "ft-flat": (parse_api_offer, FRANCE_TRAVAIL),
    "ba-json": (parse_ba_offer, BUNDESAGENTUR),
}
OFFER_SOURCES: tuple[str, ...] = (FRANCE_TRAVAIL, BUNDESAGENTUR)
DEFAULT_BATCH_SIZE = 5000


def raw_hash(data: bytes, fmt: str) -> str:
    """Hash of a record's raw bytes, salted with the format and extractor version (a new parser re-reads)."""
    digest = hashlib.blake2b(data, digest_size=16, person=f"{fmt}{EXTRACTOR_VERSION}".encode()[:16])
    return digest.hexdigest()


class _Batch:
    """The records of one transaction: offers by id (the newer wins), skipped raw hashes and rejections."""

    def __init__(self) -> None:
        self.rows: dict[str, OfferRow] = {}
        self.skipped: list[str] = []
        self.rejected: list[tuple[RecordError, str]] = []
        self.repeated = 0

    def __len__(self) -> int:
        return len(self.rows) + len(self.skipped) + len(self.rejected) + self.repeated

    def add(self, row: OfferRow) -> None:
        previous = self.rows.get(row.offer.id)
        if previous is not None:
            self.repeated += 1
            old, new = previous.offer.updated_at, row.offer.updated_at
            if old is not None and (new is None or new < old):
                return
        self.rows[row.offer.id] = row


def _decode(record: RawRecord, source: str) -> tuple[dict[str, Any], str]:
    try:
        value, warning = decode_json(record)
    except orjson.JSONDecodeError as exc:
        hint = " (the file looks truncated)" if record.truncated else ""
        raise RecordError(f"malformed JSON{hint}: {exc}", source=source, location=record.location) from None
    if not isinstance(value, dict):
        raise RecordError(
            f"expected a JSON object, got {type(value).__name__}", source=source, location=record.location
        )
    return value, warning


class OfferIngest:
    """One run over one stream of records (a file or an API query)."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        *,
        source: str,
        fmt: str,
        input_name: str,
        places: Mapping[str, CommunePlace],
        batch_size: int = DEFAULT_BATCH_SIZE,
        on_progress: Progress | None = None,
    ) -> None:
        self.con, self.source, self.fmt, self.input_name = con, source, fmt, input_name
        self.parser = PARSERS[fmt][0]
        self.places = places
        self.regions = regions_by_departement(places)
        self.batch_size = max(1, batch_size)
        self.on_progress = on_progress
        self.report = RunReport(source=source, input=input_name)
        self.known = stored_raw_hashes(con, source)
        self.run_id = ""

    def run(self, records: Iterable[RawRecord]) -> RunReport:
        """Read every record and store them batch by batch; the run row ends ``ok`` or ``failed``.

        One writer thread stores batch *n* while this thread parses batch *n + 1* (DuckDB releases the
        GIL): the connection is only ever used by one thread at a time.
        """
        self.run_id = start_run(self.con, self.source, self.input_name)
        threshold = defer_checkpoints(self.con)
        writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="grepp-offer-writer")
        pending: Future[None] | None = None
        try:
            batch = _Batch()
            for record in records:
                self._read(record, batch)
                if len(batch) >= self.batch_size:
                    pending = self._submit(writer, pending, batch)
                    batch = _Batch()
            pending = self._submit(writer, pending, batch)
            pending.result()
        except BaseException as exc:
            writer.shutdown(wait=True)  # the connection is free again before the run row is written
            restore_checkpoints(self.con, threshold)
            message = str(exc) if isinstance(exc, GreppError) else f"{type(exc).__name__}: {exc}"
            finish_run(self.con, self.run_id, self.report, status="failed", message=message)
            raise
        writer.shutdown(wait=True)
        restore_checkpoints(self.con, threshold)
        finish_run(self.con, self.run_id, self.report)
        return self.report

    def _submit(self, writer: ThreadPoolExecutor, pending: Future[None] | None, batch: _Batch) -> Future[None]:
        if pending is not None:
            pending.result()  # one batch in flight at most; re-raises the writer's error here
        return writer.submit(self._flush, batch)

    def _read(self, record: RawRecord, batch: _Batch) -> None:
        self.report.read += 1
        digest = raw_hash(record.data, self.fmt)
        if digest in self.known:
            batch.skipped.append(digest)
            return
        try:
            value, warning = _decode(record, self.source)
            offer = self.parser(value, source=self.source, location=record.location)
        except RecordError as exc:
            batch.rejected.append((exc, record.data.decode("utf-8", "replace")))
            return
        if warning:
            offer = replace(offer, warnings=(*offer.warnings, warning))
        batch.add(OfferRow(place_offer(offer, self.places, self.regions), digest, self.input_name))

    def _flush(self, batch: _Batch) -> None:
        if not len(batch):
            return
        now = datetime.now(UTC).replace(tzinfo=None)
        with transaction(self.con):
            counts = write_offer_batch(self.con, list(batch.rows.values()), run_id=self.run_id, now=now)
            touch_raw_hashes(self.con, batch.skipped, run_id=self.run_id)
            for error, raw in batch.rejected:
                reject(self.con, self.run_id, error, raw)
        r = self.report
        r.stored += counts.stored
        r.updated += counts.updated
        r.unchanged += counts.unchanged + len(batch.skipped)
        r.duplicates += counts.duplicates + batch.repeated
        r.rejected += len(batch.rejected)
        r.errors.extend(str(error) for error, _ in batch.rejected[: max(0, 20 - len(r.errors))])
        if self.on_progress is not None:
            self.on_progress(len(batch))


def commune_places(con: duckdb.DuckDBPyConnection) -> Mapping[str, CommunePlace]:
    """The geography lookup, or an empty mapping when the geography tables are not loaded."""
    try:
        return load_commune_places(con)
    except duckdb.Error:
        return {}


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    offer_file: OfferFile,
    *,
    source: str | None = None,
    places: Mapping[str, CommunePlace] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_progress: Progress | None = None,
) -> RunReport:
    """Ingest one recognised offer file as one run."""
    if offer_file.format not in PARSERS:
        raise SourceError(f"{offer_file.path}: unknown offer format {offer_file.format!r}")
    job = OfferIngest(
        con,
        source=source or PARSERS[offer_file.format][1],
        fmt=offer_file.format,
        input_name=str(offer_file.path),
        places=commune_places(con) if places is None else places,
        batch_size=batch_size,
        on_progress=on_progress,
    )
    report = job.run(offer_file.records())
    if offer_file.warnings:
        report.errors[:0] = offer_file.warnings
        set_run_message(con, job.run_id, "; ".join(report.errors[:5]))
    return report


def ingest_paths(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[Path | str],
    *,
    fmt: str = "auto",
    settings: Settings | None = None,
    on_progress: Progress | None = None,
    source: str | None = None,
    dedupe: bool = True,
) -> list[RunReport]:
    """Ingest offer files (format sniffed unless ``fmt`` is given); one report per file, in order.

    Every path is checked before anything is stored: a missing, empty or unrecognised file raises
    :class:`SourceError` naming it. With ``dedupe`` the duplicate links are refreshed at the end
    (see :func:`grepp.sources.offer_dedupe.refresh_duplicates`).
    """
    files = [open_offer_file(Path(p), fmt) for p in paths]
    mark_interrupted_runs(con, [*OFFER_SOURCES, *([source] if source else [])])
    places = commune_places(con)
    batch_size = settings.offer_batch_size if settings else DEFAULT_BATCH_SIZE
    reports = [
        ingest_file(con, f, source=source, places=places, batch_size=batch_size, on_progress=on_progress) for f in files
    ]
    if dedupe:
        from grepp.sources.offer_dedupe import refresh_duplicates

        refresh_duplicates(con, threshold=settings.dedupe_threshold if settings else 0.8)
    return reports


class _ApiRecords:
    """API offers (dicts) as raw records: their canonical JSON bytes are what the raw hash covers."""

    def __init__(self, offers: Iterable[dict[str, Any]], query: str) -> None:
        self.offers, self.query = offers, query

    def __iter__(self) -> Any:
        for index, offer in enumerate(self.offers, start=1):
            yield value_record(f"{self.query} offer {index}", offer, option=orjson.OPT_SORT_KEYS)


def ingest_api_offers(
    con: duckdb.DuckDBPyConnection,
    offers: Iterable[dict[str, Any]],
    *,
    query: str,
    settings: Settings | None = None,
    on_progress: Progress | None = None,
) -> RunReport:
    """Ingest offers from the live France Travail API (``query`` names the run, e.g. ``api region=44``)."""
    mark_interrupted_runs(con, OFFER_SOURCES)
    job = OfferIngest(
        con,
        source=FRANCE_TRAVAIL,
        fmt="ft-json",
        input_name=query,
        places=commune_places(con),
        batch_size=settings.offer_batch_size if settings else DEFAULT_BATCH_SIZE,
        on_progress=on_progress,
    )
    return job.run(_ApiRecords(offers, query))


__all__ = ["EXTRACTOR", "OfferIngest", "ingest_api_offers", "ingest_file", "ingest_paths", "raw_hash"]
