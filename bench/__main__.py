"""Run every benchmark (``make bench`` / ``python -m bench``) and rebuild docs/benchmarks.md.

Each ``bench/bench_<topic>.py`` writes ``docs/benchmarks/<topic>.md``; this runs them one after the other
(each in its own process, so peak-memory figures are per benchmark) and then merges the topic pages.
``python -m bench --merge-only`` just merges what is there.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.merge_docs import merge

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    if "--merge-only" not in argv:
        for script in sorted((ROOT / "bench").glob("bench_*.py")):
            sys.stderr.write(f"== {script.name}\n")
            result = subprocess.run([sys.executable, str(script)], cwd=ROOT, check=False)
            if result.returncode != 0:
                sys.stderr.write(f"{script.name} failed with exit code {result.returncode}\n")
    out = merge(ROOT / "docs" / "benchmarks", ROOT / "docs" / "benchmarks.md")
    sys.stderr.write(f"wrote {out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
