"""`grepp code`: a bare title, an offer text or a profile coded from the command line, on the real taxonomies."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from grepp.cli.main import cli


@pytest.fixture(scope="module")
def db(taxonomy_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("code") / "g.duckdb"
    shutil.copyfile(taxonomy_db, target)
    return target


def test_a_title_and_its_text_give_the_trade_and_its_skills(db: Path, data_dir: Path) -> None:
    text = "Vous réalisez des soudures TIG sur inox. CACES 3 souhaité. Mutuelle et tickets restaurant."
    args = ["--data", str(data_dir), "--db", str(db), "code", "Soudeur TIG H/F", "--text", text, "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output[result.output.index("{") :])
    assert payload["status"] == "coded"
    assert payload["metiers"][0]["code"] == "H2916"  # Soudeur / Soudeuse Tungsten Inert Gas -TIG-
    spans = {text[m["start"] : m["end"]] for m in payload["skills"]}
    assert "CACES 3" in spans
    assert not any("Mutuelle" in s or "restaurant" in s for s in spans)  # benefits give no skill


def test_a_profile_read_from_a_file_and_the_table_output(db: Path, data_dir: Path, tmp_path: Path) -> None:
    profile = tmp_path / "profil.txt"
    profile.write_text("Dix ans de conduite de chariots élévateurs en entrepôt, CACES 1, 3 et 5.", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--data", str(data_dir), "--db", str(db), "code", "--file", str(profile)])
    assert result.exit_code == 0, result.output
    assert "ROME métiers" in result.output and "skills" in result.output
    assert "N1101" in result.output  # Conducteur / Conductrice de chariot élévateur (cariste)


def test_a_cp1252_profile_is_read_without_mojibake(db: Path, data_dir: Path, tmp_path: Path) -> None:
    profile = tmp_path / "profil-cp1252.txt"
    profile.write_bytes("Soudeur expérimenté, CACES 3 souhaité.".encode("cp1252"))
    args = ["--data", str(data_dir), "--db", str(db), "code", "--file", str(profile), "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output[result.output.index("{") :])
    assert payload["metiers"][0]["code"].startswith("H29")  # welding métiers
    assert any(m["text"] == "CACES 3" and m["requirement"] == "wished" for m in payload["skills"])


def test_cp1252_bytes_typed_as_arguments_are_read_as_cp1252(db: Path, data_dir: Path) -> None:
    """Arguments that were not UTF-8 (a cp1252 terminal) reach Python as lone surrogates, which crashed the
    skill extractor; they are decoded as the files are, so "souhaité" still marks CACES 3 as wished."""
    title, text = "Soudeur exp\udce9riment\udce9", "Soudure TIG exig\udce9e, CACES 3 souhait\udce9."
    args = ["--data", str(data_dir), "--db", str(db), "code", title, "--text", text, "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output[result.output.index("{") :])
    assert payload["metiers"][0]["code"].startswith("H29")  # welding métiers
    assert any(m["text"] == "CACES 3" and m["requirement"] == "wished" for m in payload["skills"])


def test_nothing_to_code_is_a_usage_error(db: Path, data_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["--data", str(data_dir), "--db", str(db), "code"])
    assert result.exit_code == 2 and "TITLE, --text or --file" in result.output


def test_a_german_title_with_lang_de_and_a_german_text_read_by_itself(db: Path, data_dir: Path) -> None:
    base = ["--data", str(data_dir), "--db", str(db), "code"]
    result = CliRunner().invoke(cli, [*base, "Staplerfahrer (m/w/d)", "--lang", "de", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output[result.output.index("{") :])["metiers"][0]["code"] == "N1101"  # Cariste
    text = "Wir suchen einen Lageristen für unser Lager. Sie verfügen über einen Staplerschein und arbeiten im Team."
    result = CliRunner().invoke(cli, [*base, "Lagerist (m/w/d)", "--text", text, "--json"])  # --lang auto
    assert result.exit_code == 0, result.output
    assert json.loads(result.output[result.output.index("{") :])["metiers"][0]["code"] == "N1110"  # Magasinier
