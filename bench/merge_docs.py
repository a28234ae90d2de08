"""Merge docs/benchmarks/<topic>.md pages into docs/benchmarks.md, with the headline figures first."""

from __future__ import annotations

from pathlib import Path

#: Topic pages in reading order (others follow alphabetically).
ORDER = (
    "ai-occupations",
    "ai-occupations-run",
    "ai-languages",
    "ai-esco",
    "ai-enrich",
    "ai-align",
    "ai-skills",
    "taxonomy",
    "ingest",
    "dedupe",
    "reference",
    "trainings",
    "network",
)

HEADER = """# grepp benchmarks

Speed, memory and model quality, measured on this project's machines (2 cores, 24 GB, no GPU) with the
real data of `../shared/data`. Each section says when it was measured and the command that reproduces it;
`make bench` reruns them all and rebuilds this page (`python -m bench --merge-only` only merges). Tests never
assert timings; these figures are the record.

"""


def merge(folder: Path, out: Path) -> Path:
    """Write ``out`` from the topic pages of ``folder`` (headings pushed one level down)."""
    pages = {p.stem: p for p in folder.glob("*.md")}
    names = [n for n in ORDER if n in pages] + sorted(n for n in pages if n not in ORDER)
    parts = [HEADER, "## Contents\n\n" + "\n".join(f"- [{n}](#{n})" for n in names) + "\n"]
    for name in names:
        text = pages[name].read_text(encoding="utf-8").strip()
        lines = [("#" + line if line.startswith("#") else line) for line in text.splitlines()]
        parts.append(f'\n<a id="{name}"></a>\n\n' + "\n".join(lines) + "\n")
    out.write_text("\n".join(parts), encoding="utf-8")
    return out
