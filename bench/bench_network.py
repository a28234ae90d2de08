"""Network edge figures: `grepp data fetch` from a local mirror, and France Travail API paging on the replay.

Both servers run on 127.0.0.1 (tests/servers), so the figures measure grepp's own overhead (HTTP client,
hashing, verification, paging logic), not the Internet. Writes docs/benchmarks/network.md::

    .venv/bin/python bench/bench_network.py
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from grepp.sources.france_travail_api import FranceTravailClient  # noqa: E402
from grepp.sources.releases import FetchStatus, fetch_releases, load_manifest  # noqa: E402
from servers.france_travail import FranceTravailReplay, departement_regions, load_offers  # noqa: E402
from servers.mirror import MirrorServer  # noqa: E402

DATA = Path(os.environ.get("GREPP_DATA") or ROOT.parent / "shared" / "data").resolve()


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def bench_fetch(lines: list[str]) -> None:
    entries = load_manifest()
    size = sum(e.size for e in entries)
    with MirrorServer(DATA) as mirror, tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp)
        results, first = timed(lambda: fetch_releases(entries, mirror=mirror.url, dest=dest))
        assert all(r.status is FetchStatus.DOWNLOADED for r in results), results
        results, again = timed(lambda: fetch_releases(entries, mirror=mirror.url, dest=dest))
        assert all(r.status is FetchStatus.ALREADY_GOOD for r in results)
        biggest = max(entries, key=lambda e: e.size)
        target = dest / biggest.path
        part = target.with_name(target.name + ".part")
        part.write_bytes(target.read_bytes()[: biggest.size // 2])
        target.unlink()
        results, resume = timed(lambda: fetch_releases([biggest], mirror=mirror.url, dest=dest))
        assert results[0].status is FetchStatus.RESUMED
    lines += [
        "## `grepp data fetch` from a local mirror",
        "",
        "| what | figure |",
        "|---|---|",
        f"| full manifest download ({len(entries)} files, {size / 1e6:.1f} MB), verified | {first:.2f} s "
        f"({size / 1e6 / first:.0f} MB/s) |",
        f"| re-run, every file already good (size + sha256 + header of each) | {again:.2f} s |",
        f"| resume of the largest file ({biggest.size / 1e6:.1f} MB) from half way | {resume:.2f} s |",
        "",
    ]


def bench_paging(lines: list[str]) -> None:
    offers = load_offers(DATA)
    regions = departement_regions(DATA)
    rows = []
    with FranceTravailReplay(offers, regions=regions) as api:

        def run(rate: float, **filters: str) -> tuple[int, float, FranceTravailClient]:
            client = FranceTravailClient(
                api.client_id, api.client_secret, api_url=api.api_url, token_url=api.token_url, requests_per_second=rate
            )
            with client:
                got, seconds = timed(lambda: sum(1 for _ in client.iter_offers(**filters)))
            return got, seconds, client

        for label, rate, filters in (
            ("all offers (over the 3,150 cap: date-window split)", 1000.0, {}),
            ("département 74, unthrottled", 1000.0, {"departement": "74"}),
            ("département 74 at the default 3 requests/s", 3.0, {"departement": "74"}),
            ("région 44 (Grand Est) at the default 3 requests/s", 3.0, {"region": "44"}),
        ):
            got, seconds, client = run(rate, **filters)
            rows.append(
                f"| {label} | {got:,} | {client.stats.requests} | {client.stats.splits} | {seconds:.2f} s "
                f"| {got / seconds:,.0f} |"
            )
    lines += [
        f"## France Travail API v2 paging on the local replay ({len(offers):,} real offers)",
        "",
        "| query | offers | requests (incl. token) | date splits | time | offers/s |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        "At the real API's 3 requests/s, paging costs about 1/3 s per 150 offers; the token is fetched once.",
        "",
    ]


def main() -> None:
    lines = [
        "# Network edge benchmarks",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({os.cpu_count()} cores, 24 GB, shared with other developers), Python {platform.python_version()}. "
        "Servers on 127.0.0.1 (tests/servers). Rerun: `.venv/bin/python bench/bench_network.py`.",
        "",
    ]
    bench_fetch(lines)
    bench_paging(lines)
    out = ROOT / "docs" / "benchmarks" / "network.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
