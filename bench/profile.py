"""Where the time of `mxlog ingest` goes: py-spy samples of every thread, grouped by stage.

    python bench/profile.py [--mb 128] [--rate 100] [--write]

Runs `mxlog ingest` on `bench/data/maillog-<mb>m.log` (generated like bench/run.py's input)
under `py-spy record` (not a project dependency: `pip install py-spy` into the venv first),
then sums the samples of each thread by stage. A sample is charged to the innermost mxlog or
parsers frame of its stack, so time in numpy, polars and DuckDB counts for the line of ours
that called them. With --write, the table replaces its section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import collections
import linecache
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import write_section  # noqa: E402
from run import DATA, ROOT, count_lines, ensure_log  # noqa: E402

BEGIN, END = "<!-- bench:profile:begin -->", "<!-- bench:profile:end -->"
FRAME = re.compile(r"^(?P<func>\S+) \((?P<file>(?:mxlog|parsers)/[^:]+):(?P<line>\d+)\)$")


def stage(frames: list[str]) -> tuple[str, str]:
    """(thread, stage) of one sampled stack (outermost frame first)."""
    text = ";".join(frames)
    thread = "parse" if "read_and_parse" in text else "write" if "_write_chunk" in text else "main"
    ours = [m for f in frames if (m := FRAME.match(f))]
    funcs = [m["func"] for m in ours]
    if thread == "parse":
        for func, name in [("LineChunks.__next__", "read the file (and gunzip)"), ("sanitize", "UTF-8 check"),
                           ("frame", "framing (syslog header, times)"), ("_resolve_repeats", "repeats"),
                           ("CompiledParser._typed", "typing (casts, conversions, derived ids)"),
                           ("_unparsed_rows", "unparsed rows")]:
            if func in funcs:
                return thread, name
        if "CompiledParser.parse" in funcs:
            m = [m for m in ours if m["func"] == "CompiledParser.parse"][-1]
            # the statement that was running (py-spy names its first line)
            code = "".join(linecache.getline(str(ROOT / m["file"]), int(m["line"]) + k) for k in range(4))
            code = code.split("\n\n")[0]
            if "router" in code and "partition_by" not in code:
                return thread, "route-key regex (one per line)"
            if "extract_groups" in code:
                return thread, "pattern regexes (extract_groups)"
            if ".sort(" in code:
                return thread, "events back into line order (sort)"
            return thread, "partition, filter, concat"
        if "Engine.prepare" in funcs:
            return thread, "route by program, filters"
        return thread, "other"
    if thread == "write":
        return thread, "DuckDB insert (Arrow scan, compression)" if "_insert" in funcs else "transaction, progress"
    if any(f.startswith("<module>") for f in frames) and "ingest" not in funcs:
        return thread, "start-up (imports)"
    if "ingest" in funcs and any("CHECKPOINT" in linecache.getline(str(ROOT / m["file"]), int(m["line"]))
                                 for m in ours if m["func"] == "ingest"):
        return thread, "final checkpoint"
    if "_ingest_files" in funcs or "ingest_file" in funcs:
        return thread, "waiting on the parse thread, other"
    return thread, "other (connect, migrations, close)"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=128)
    ap.add_argument("--rate", type=int, default=100, help="samples per second")
    ap.add_argument("--write", action="store_true")
    a = ap.parse_args(argv)
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if not spy:
        raise SystemExit("py-spy not found: pip install py-spy (profiling only, not a dependency)")
    log = ensure_log(DATA, a.mb)
    tmp = Path(tempfile.mkdtemp(prefix="mxlog-profile-"))
    raw = tmp / "samples.txt"
    try:
        subprocess.run([spy, "record", "-r", str(a.rate), "--format", "raw", "-o", str(raw), "--",
                        sys.executable, "-m", "mxlog", "ingest", "-q", "--db", str(tmp / "p.duckdb"), str(log)],
                       check=True, capture_output=True)
        counts: collections.Counter = collections.Counter()
        for line in raw.read_text().splitlines():
            stack, n = line.rsplit(" ", 1)
            counts[stage(stack.split(";"))] += int(n)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    total = sum(counts.values())
    per_thread = collections.Counter()
    for (thread, _), n in counts.items():
        per_thread[thread] += n
    names = {"parse": "parse thread", "write": "writer (main thread, inside a chunk's transaction)",
             "main": "main thread, outside chunks"}
    out = [BEGIN, f"py-spy, {a.rate} samples/s of every busy thread, `mxlog ingest` of `{log.name}` "
           f"({log.stat().st_size / 1e6:,.0f} MB, {count_lines(log):,} lines); {total:,} samples = "
           f"{total / a.rate:,.1f} thread-seconds:", "",
           "| thread | stage | thread-s | share |", "|---|---|---:|---:|"]
    for thread in ("parse", "write", "main"):
        rows = sorted(((n, s) for (t, s), n in counts.items() if t == thread), reverse=True)
        for n, s in rows:
            out.append(f"| {names[thread]} | {s} | {n / a.rate:.2f} | {n / total:.0%} |")
    out += ["", f"Command: `python bench/profile.py --mb {a.mb} --rate {a.rate} --write` (after "
            "`.venv/bin/pip install py-spy`).", END]
    text = "\n".join(out)
    print(text)
    if a.write:
        write_section(BEGIN, END, text, "## Where the time goes (profile)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
