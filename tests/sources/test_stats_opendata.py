"""Reading open-data CSV files as published: encodings, separators, headers, short lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from grepp.errors import RecordError, SourceError
from grepp.sources.opendata import read_table

TENSIONS = "stats/dares-portrait-metiers/tensions/tensions.csv"
FAP_PCS = "stats/dares-portrait-metiers/FAP_PCS.csv"


def _records(path: Path) -> tuple[list[dict[str, str]], list[RecordError]]:
    errors: list[RecordError] = []
    table = read_table(path)
    return [r for _, r in table.records(lambda error, raw: errors.append(error))], errors


def test_cp1252_semicolon_file_keeps_its_accents(data_dir: Path) -> None:
    table = read_table(data_dir / FAP_PCS)
    assert (table.encoding, table.delimiter) == ("cp1252", ";")
    labels = [r["intitule_PCS"] for _, r in table.records(lambda error, raw: None)]
    assert any("é" in label for label in labels)
    assert not any("Ã" in label for label in labels)


def test_a_utf8_file_with_one_cp1252_line_keeps_both_right(data_dir: Path, tmp_path: Path) -> None:
    head = (data_dir / TENSIONS).read_bytes().split(b"\n")[:3]
    extra = "Z9Z99,100,0.5,3.0,3.0,3.0,3.0,3.0,3.0,3.0,2019,nat,fap 225,,métier ajouté".encode("cp1252")
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"\n".join([*head, extra]) + b"\n")
    table = read_table(path, required=("Catégorie Tension",))
    assert table.encoding == "utf-8+cp1252"
    records, errors = _records(path)
    assert errors == [] and records[-1]["dep"] == "métier ajouté"


def test_a_utf8_file_cut_inside_a_character_keeps_the_header_right(data_dir: Path, tmp_path: Path) -> None:
    raw = (data_dir / TENSIONS).read_bytes()[:2000] + "é".encode()[:1]
    path = tmp_path / "cut.csv"
    path.write_bytes(raw)
    table = read_table(path, required=("Catégorie Tension", "Intensité d'embauches"))
    assert table.header[3] == "Catégorie Tension"
    records, errors = _records(path)
    assert len(errors) == 1 and errors[0].field != "" and errors[0].location.startswith("line ")
    assert len(records) > 10


def test_missing_column_and_empty_file_are_source_errors(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"x\.csv: column 'c' not found in header \(a, b\)"):
        read_table(path, required=("a", "c"))
    path.write_text("", encoding="utf-8")
    with pytest.raises(SourceError, match=r"x\.csv: empty file"):
        read_table(path)
