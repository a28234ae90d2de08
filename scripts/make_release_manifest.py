"""Write src/grepp/resources/releases.json from a known-good data directory.

The manifest lists, for each official release ``grepp data fetch`` can download (ROME v460, ESCO
v1.1.1-en, ESCO French labels v1.2), every CSV file's relative path, size, sha256 and header columns.
Run it again when a release changes, and commit the JSON::

    .venv/bin/python scripts/make_release_manifest.py --data ../shared/data
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from grepp.sources.releases import build_manifest

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data", help="a known-good data dir")
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "grepp" / "resources" / "releases.json")
    args = parser.parse_args(argv)
    manifest = build_manifest(args.data.resolve())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    files = sum(len(r["files"]) for r in manifest["releases"])
    size = sum(f["size"] for r in manifest["releases"] for f in r["files"])
    sys.stderr.write(f"wrote {args.out}: {len(manifest['releases'])} releases, {files} files, {size:,} bytes\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
