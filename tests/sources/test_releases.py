"""`grepp data fetch` and grepp.sources.releases against a real mirror of ../shared/data on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from grepp.errors import ConfigError
from grepp.sources.releases import (
    FetchStatus,
    ReleaseFile,
    build_manifest,
    check_mirror,
    failure_summary,
    fetch_releases,
    load_manifest,
    verify_file,
)
from servers.mirror import MirrorServer

ITEM = "rome/v460/unix_item_v460_utf8.csv"  # 2.3 MB: big enough to be cut half way
SMALL = (
    "rome/v460/unix_grand_domaine_v460_utf8.csv",
    "rome/v460/unix_themes_v460_utf8.csv",
    "esco/fr-labels-v1.2/occupations_fr.csv",
)


@pytest.fixture
def mirror(data_dir: Path) -> Iterator[MirrorServer]:
    with MirrorServer(data_dir) as server:
        yield server


def entries(*paths: str) -> list[ReleaseFile]:
    by_path = {e.path: e for e in load_manifest()}
    return [by_path[p] for p in paths]


def fetch(mirror: MirrorServer, dest: Path, files: list[ReleaseFile], **kw: object) -> list[FetchStatus]:
    results = fetch_releases(files, mirror=mirror.url, dest=dest, backoff=0.0, **kw)  # type: ignore[arg-type]
    return [r.status for r in results]


def test_manifest_covers_rome_and_esco_and_matches_the_real_files(data_dir: Path) -> None:
    manifest = load_manifest()
    releases = {e.release for e in manifest}
    assert {"rome-v460", "esco-v1.1.1-en", "esco-fr-labels-v1.2"} <= releases
    assert len(load_manifest("rome")) == len(list((data_dir / "rome/v460").glob("*.csv")))
    assert {e.group for e in load_manifest("esco")} == {"esco"}
    assert all(verify_file(data_dir / e.path, e) is None for e in manifest)
    item = next(e for e in manifest if e.path == ITEM)
    assert item.columns == ("code_ogr", "libelle", "code_rubrique")


def test_manifest_builder_describes_a_folder_like_the_shipped_manifest(data_dir: Path) -> None:
    built = build_manifest(data_dir, {"esco-fr-labels-v1.2": ("esco", "esco/fr-labels-v1.2", "ESCO API")})
    shipped = {e.path: e for e in load_manifest("esco")}
    for item in built["releases"][0]["files"]:
        assert shipped[item["path"]].sha256 == item["sha256"]
        assert shipped[item["path"]].size == item["size"]


def test_fetch_downloads_verified_files_then_a_rerun_downloads_nothing(mirror: MirrorServer, tmp_path: Path) -> None:
    files = entries(*SMALL)
    seen: list[int] = []
    assert fetch(mirror, tmp_path, files, on_progress=seen.append) == [FetchStatus.DOWNLOADED] * 3
    assert sum(seen) == sum(e.size for e in files)
    for e in files:
        assert verify_file(tmp_path / e.path, e) is None
        assert not (tmp_path / (e.path + ".part")).exists()
    mirror.requests.clear()
    assert fetch(mirror, tmp_path, files) == [FetchStatus.ALREADY_GOOD] * 3
    assert mirror.requests == []


def test_corrupt_download_keeps_the_previous_file_and_names_the_file(mirror: MirrorServer, tmp_path: Path) -> None:
    (file,) = entries(ITEM)
    previous = tmp_path / ITEM
    previous.parent.mkdir(parents=True)
    previous.write_bytes(b'"code_ogr","libelle","code_rubrique"\n"1","an older release","2"\n')
    before = previous.read_bytes()
    mirror.corrupt.add(ITEM)
    results = fetch_releases([file], mirror=mirror.url, dest=tmp_path, backoff=0.0)
    assert results[0].status is FetchStatus.FAILED
    assert ITEM in results[0].reason and "sha256" in results[0].reason
    assert previous.read_bytes() == before
    assert not (tmp_path / (ITEM + ".part")).exists()  # a wrong file is not kept for resuming
    error = failure_summary(results)
    assert error is not None and ITEM in str(error)


def test_short_file_fails_on_size(mirror: MirrorServer, tmp_path: Path) -> None:
    mirror.short.add(SMALL[2])
    results = fetch_releases(entries(SMALL[2]), mirror=mirror.url, dest=tmp_path, backoff=0.0)
    assert results[0].status is FetchStatus.FAILED
    assert "size" in results[0].reason and SMALL[2] in results[0].reason
    assert not (tmp_path / SMALL[2]).exists()


def test_missing_file_is_a_404_naming_the_url_and_the_others_go_on(mirror: MirrorServer, tmp_path: Path) -> None:
    good = entries(SMALL[0])[0]
    ghost = dataclasses.replace(good, path="rome/v460/unix_not_published_v460_utf8.csv")
    results = fetch_releases([ghost, good], mirror=mirror.url, dest=tmp_path, backoff=0.0)
    assert results[0].status is FetchStatus.FAILED
    assert results[0].reason == f"HTTP 404 at {mirror.url}/{ghost.path}"
    assert results[1].status is FetchStatus.DOWNLOADED


def test_interrupted_download_resumes_with_a_range_request(
    mirror: MirrorServer, tmp_path: Path, data_dir: Path
) -> None:
    (file,) = entries(ITEM)
    part = tmp_path / (ITEM + ".part")
    part.parent.mkdir(parents=True)
    half = file.size // 2
    part.write_bytes((data_dir / ITEM).read_bytes()[:half])
    results = fetch_releases([file], mirror=mirror.url, dest=tmp_path, backoff=0.0)
    assert results[0].status is FetchStatus.RESUMED
    assert results[0].bytes_received == file.size - half
    assert mirror.requests == [(ITEM, f"bytes={half}-", 206)]
    assert verify_file(tmp_path / ITEM, file) is None and not part.exists()


def test_server_without_ranges_restarts_the_download(mirror: MirrorServer, tmp_path: Path, data_dir: Path) -> None:
    (file,) = entries(SMALL[2])
    part = tmp_path / (file.path + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(b"garbage that must not stay in front of the file")
    mirror.ranges = False
    assert fetch(mirror, tmp_path, [file]) == [FetchStatus.DOWNLOADED]
    assert mirror.requests[0][1] is not None and mirror.requests[0][2] == 200
    assert verify_file(tmp_path / file.path, file) is None


def test_connection_cut_midway_keeps_the_part_then_resumes(mirror: MirrorServer, tmp_path: Path) -> None:
    (file,) = entries(ITEM)
    mirror.cut.add(ITEM)
    results = fetch_releases([file], mirror=mirror.url, dest=tmp_path, retries=1, backoff=0.0)
    assert results[0].status is FetchStatus.FAILED
    assert "after 2 attempts" in results[0].reason and mirror.url in results[0].reason
    part = tmp_path / (ITEM + ".part")
    kept = part.stat().st_size
    assert 0 < kept < file.size and not (tmp_path / ITEM).exists()
    mirror.cut.clear()
    mirror.requests.clear()
    assert fetch(mirror, tmp_path, [file]) == [FetchStatus.RESUMED]
    assert mirror.requests == [(ITEM, f"bytes={kept}-", 206)]
    assert verify_file(tmp_path / ITEM, file) is None


def test_mirror_is_required_and_must_be_http() -> None:
    with pytest.raises(ConfigError, match="--mirror"):
        check_mirror(None)
    with pytest.raises(ConfigError, match="not an http"):
        check_mirror("ftp://example.org/data")
    assert check_mirror("http://127.0.0.1:8000/data/") == "http://127.0.0.1:8000/data"


def grepp(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("GREPP_")}
    return subprocess.run(
        [sys.executable, "-m", "grepp.cli.main", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**base, **(env or {})},
    )


def test_cli_fetch_rome_into_a_new_dir_then_rerun_is_a_no_op(mirror: MirrorServer, tmp_path: Path) -> None:
    dest = tmp_path / "new" / "data"
    first = grepp("data", "fetch", "--only", "rome", "--dest", str(dest), env={"GREPP_MIRROR": mirror.url})
    assert first.returncode == 0, first.stderr
    n = len(load_manifest("rome"))
    assert f"{n} downloaded" in first.stdout
    assert all(verify_file(dest / e.path, e) is None for e in load_manifest("rome"))
    mirror.requests.clear()
    again = grepp("data", "fetch", "--mirror", mirror.url, "--only", "rome", "--dest", str(dest))
    assert again.returncode == 0, again.stderr
    assert f"0 downloaded, 0 resumed, {n} already good, 0 failed" in again.stdout
    assert mirror.requests == []


def test_cli_fetch_failure_exits_non_zero_with_one_line_naming_the_file(mirror: MirrorServer, tmp_path: Path) -> None:
    mirror.corrupt.add("esco/fr-labels-v1.2/skills_fr.csv")
    result = grepp("--data", str(tmp_path), "data", "fetch", "--mirror", mirror.url, "--only", "esco")
    assert result.returncode == 3
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "esco/fr-labels-v1.2/skills_fr.csv" in errors[0] and "sha256" in errors[0]
    assert "Traceback" not in result.stderr
    assert (tmp_path / "esco/fr-labels-v1.2/occupations_fr.csv").is_file()  # the good ones were kept


def test_cli_fetch_without_mirror_is_a_config_error(tmp_path: Path) -> None:
    result = grepp("data", "fetch", "--dest", str(tmp_path))
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "--mirror" in lines[0]


def test_a_complete_but_wrong_leftover_part_is_replaced(mirror: MirrorServer, tmp_path: Path, data_dir: Path) -> None:
    (file,) = entries(SMALL[0])
    part = tmp_path / (file.path + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(b"x" * file.size)
    assert fetch(mirror, tmp_path, [file]) == [FetchStatus.DOWNLOADED]
    assert mirror.requests == [(file.path, None, 200)]
    assert (tmp_path / file.path).read_bytes() == (data_dir / file.path).read_bytes()


def test_cli_verify_passes_on_the_real_data_and_names_a_damaged_file(data_dir: Path, tmp_path: Path) -> None:
    good = grepp("--data", str(data_dir), "data", "verify")
    assert good.returncode == 0, good.stderr
    assert f"{len(load_manifest())} good, 0 missing or different" in good.stdout
    (file,) = entries(SMALL[2])
    copy = tmp_path / file.path
    copy.parent.mkdir(parents=True)
    copy.write_bytes((data_dir / file.path).read_bytes().replace(b"a", b"b", 1))
    bad = grepp("data", "verify", "--only", "esco", "--dest", str(tmp_path))
    assert bad.returncode == 3
    error = [line for line in bad.stderr.splitlines() if line.startswith("Error: ")]
    assert len(error) == 1 and SMALL[2] in error[0]
    assert f"{SMALL[2]}  ({copy}: sha256" in bad.stderr
