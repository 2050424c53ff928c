"""Shared by the benchmark scripts: where BENCHMARKS.md is and how a section is replaced."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "BENCHMARKS.md"


def write_section(begin: str, end: str, text: str, heading: str = "", path: Path = BENCHMARKS) -> None:
    """Replace the text between the `begin` and `end` markers of BENCHMARKS.md (or `path`),
    appending the section under `heading` when the markers are not there yet."""
    doc = path.read_text() if path.exists() else ""
    if begin not in doc:
        doc += f"\n{heading}\n\n{begin}\n{end}\n"
    start, stop = doc.index(begin), doc.index(end) + len(end)
    path.write_text(doc[:start] + text + doc[stop:])
