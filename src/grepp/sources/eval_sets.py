"""Read ranking benchmarks (MELO format) and write TREC runs.

- queries / corpus: ``id<TAB>text`` lines, UTF-8 (cp1252 accepted), with or without a header line
  (a first line whose id column reads ``id``/``qid``/``query_id``/``docid``… is a header);
- qrels: TREC ``qid 0 docid rel`` (whitespace-separated; rel > 0 is relevant);
- run: TREC ``qid Q0 docid rank score tag``.

    >>> import io
    >>> read_pairs(io.StringIO("id\\ttext\\nQ1\\tSoudeur (h/f)\\n"), "queries.tsv")
    [('Q1', 'Soudeur (h/f)')]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import IO

from grepp.errors import RecordError, SourceError

_HEADER_IDS = {"id", "qid", "query_id", "queryid", "docid", "doc_id", "corpus_id", "element_id", "cid", "_id"}


def decode(raw: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), else cp1252."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise SourceError(f"{name}: neither UTF-8 nor cp1252 ({exc})") from exc


def read_pairs(handle: IO[str], name: str) -> list[tuple[str, str]]:
    """``(id, text)`` pairs of a MELO queries/corpus file; the header, blank lines and duplicates skipped.

    A line without a tab is an error naming the file and line; extra columns are ignored.
    """
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for number, line in enumerate(handle, start=1):
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        if "\t" not in line:
            raise RecordError("expected 'id<TAB>text'", source=name, location=f"line {number}", field="text")
        ident, text = (part.strip() for part in line.split("\t")[:2])
        if number == 1 and ident.lower() in _HEADER_IDS:
            continue
        if not ident:
            raise RecordError("empty id", source=name, location=f"line {number}", field="id")
        if ident in seen:
            continue
        seen.add(ident)
        pairs.append((ident, text))
    if not pairs:
        raise SourceError(f"{name}: no 'id<TAB>text' line")
    return pairs


def read_qrels(handle: IO[str], name: str) -> dict[str, set[str]]:
    """query id → relevant doc ids, from TREC qrels (``qid 0 docid rel``), BEIR qrels (``qid docid rel``,
    header ``query-id corpus-id score``) or ``qid<TAB>docid`` lines.

    >>> import io
    >>> read_qrels(io.StringIO("query-id\\tcorpus-id\\tscore\\nQ1\\tC7\\t1\\nQ1\\tC8\\t0\\n"), "q.tsv")
    {'Q1': {'C7'}}
    """
    qrels: dict[str, set[str]] = defaultdict(set)
    for number, line in enumerate(handle, start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) >= 4:
            qid, doc, rel = parts[0], parts[2], parts[3]
        elif len(parts) == 3:
            qid, doc, rel = parts
        elif len(parts) == 2:
            qid, doc, rel = parts[0], parts[1], "1"
        else:
            raise RecordError(
                "expected 'qid 0 docid rel', 'qid docid rel' or 'qid docid'",
                source=name,
                location=f"line {number}",
                field="qrels",
            )
        try:
            relevant = float(rel) > 0
        except ValueError:
            if number == 1:
                continue  # a header
            raise RecordError(f"relevance {rel!r} is not a number", source=name, location=f"line {number}") from None
        if relevant:
            qrels[qid].add(doc)
        else:
            qrels.setdefault(qid, set())
    return dict(qrels)


def write_run(handle: IO[str], run: Iterable[tuple[str, Sequence[tuple[str, float]]]], tag: str = "grepp") -> int:
    """Write a TREC run (``qid Q0 docid rank score tag``); returns the number of lines written."""
    lines = 0
    for qid, ranking in run:
        for rank, (doc, score) in enumerate(ranking, start=1):
            handle.write(f"{qid} Q0 {doc} {rank} {score:.6f} {tag}\n")
            lines += 1
    return lines


def read_offer_records(text: str, name: str) -> tuple[list[tuple[str, dict[str, object]]], list[RecordError]]:
    """``(location, offer dict)`` of a JSON array, a JSONL file or one JSON document (a saved API response
    ``{"resultats": [...]}``, or one offer over several lines), and the bad lines (skipped, each named).

    >>> read_offer_records('{"id": "1"}\\nnot json\\n', "x.jsonl")[1][0].location
    'line 2'
    >>> read_offer_records('{"resultats": [{"id": "7"}]}', "page.json")[0]
    [('item 1', {'id': '7'})]
    """
    import json

    from grepp.sources.offer_files import envelope_items, whole_json_document

    stripped = text.lstrip()
    document = whole_json_document(stripped) if stripped.startswith("{") else None
    if stripped.startswith("[") or document is not None:
        if document is not None:
            items = envelope_items(document)
            data: object = items if items is not None else [document]
        else:
            try:
                data = json.loads(stripped)
            except json.JSONDecodeError as exc:
                raise SourceError(f"{name}: not valid JSON ({exc})") from exc
        if not isinstance(data, list):
            raise SourceError(f"{name}: expected a JSON array of offers")
        good = [(f"item {i}", item) for i, item in enumerate(data, start=1) if isinstance(item, dict)]
        bad = [
            RecordError("not a JSON object", source=name, location=f"item {i}")
            for i, item in enumerate(data, start=1)
            if not isinstance(item, dict)
        ]
        return good, bad
    records: list[tuple[str, dict[str, object]]] = []
    problems: list[RecordError] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(RecordError(f"not valid JSON ({exc.msg})", source=name, location=f"line {number}"))
            continue
        if not isinstance(item, dict):
            problems.append(RecordError("not a JSON object", source=name, location=f"line {number}"))
            continue
        records.append((f"line {number}", item))
    return records, problems
