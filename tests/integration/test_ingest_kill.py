"""`kill -9` in the middle of `grepp ingest`: the store holds whole batches only, and the next run finishes the job.

A large JSONL file is built in tmp_path by replicating the real France Travail offers under new ids; a real
`grepp ingest` subprocess is killed with SIGKILL once some batches are committed (its write-ahead log has
grown past a few batches), then the database is checked, and a second run completes it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

BATCH = 500
COPIES = 12


def _build(data_dir: Path, path: Path) -> tuple[int, int]:
    """Write COPIES × the real offers with new ids; return (offers, source competences) in the file."""
    source = data_dir / "offers/france-travail/national-it-data-2022-2025.jsonl"
    with source.open(encoding="utf-8") as handle:
        offers = [json.loads(line) for line in handle if line.strip()]
    offers = [o for o in offers if o.get("intitule")]
    n = competences = 0
    with path.open("w", encoding="utf-8") as out:
        for copy in range(COPIES):
            for offer in offers:
                out.write(json.dumps({**offer, "id": f"{offer['id']}-K{copy}"}, ensure_ascii=False) + "\n")
                n += 1
                competences += sum(len(offer.get(k) or []) for k in ("competences", "qualitesProfessionnelles"))
                competences += sum(len(offer.get(k) or []) for k in ("langues", "permis", "formations"))
    return n, competences


def _grepp(db: Path, data_dir: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "GREPP_DATA": str(data_dir), "COLUMNS": "120"}
    command = [sys.executable, "-m", "grepp.cli.main", "--db", str(db), "ingest", *args]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_kill_9_leaves_whole_batches_and_the_next_run_finishes(data_dir: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    total, total_competences = _build(data_dir, big)
    db = tmp_path / "kill.duckdb"
    wal = Path(f"{db}.wal")
    args = (str(big), "--batch-size", str(BATCH), "--no-dedupe")

    process = _grepp(db, data_dir, *args)
    deadline = time.monotonic() + 240
    # A few batches of ~500 offers × 4 kB are committed once the WAL passes ~6 MB (before its first checkpoint).
    while process.poll() is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size > 6_000_000:
            break
        time.sleep(0.02)
    assert process.poll() is None, "the ingest finished before it could be killed: make the file larger"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    with duckdb.connect(str(db)) as con:
        stored = con.execute("SELECT count(*) FROM offers").fetchone()
        runs = con.execute("SELECT status FROM ingest_runs").fetchall()
        per_offer = con.execute(
            "SELECT count(*) FROM offer_source_competences WHERE offer_id NOT IN (SELECT id FROM offers)"
        ).fetchone()
    assert stored is not None and per_offer == (0,)
    assert 0 < stored[0] < total
    assert stored[0] % BATCH == 0, f"{stored[0]} offers: a batch was stored in part"
    assert runs == [("running",)]

    finished = _grepp(db, data_dir, *args)
    _, err = finished.communicate(timeout=600)
    assert finished.returncode == 0, err.decode()
    with duckdb.connect(str(db)) as con:
        count, distinct = con.execute("SELECT count(*), count(DISTINCT id) FROM offers").fetchone() or (0, 0)
        competences = con.execute("SELECT count(*) FROM offer_source_competences").fetchone()
        statuses = sorted(con.execute("SELECT status, n_stored, n_unchanged FROM ingest_runs").fetchall())
    assert count == distinct == total
    assert competences == (total_competences,)
    assert statuses[0][0] == "failed"  # the killed run, marked by the next one
    assert statuses[1] == ("ok", total - stored[0], stored[0])
