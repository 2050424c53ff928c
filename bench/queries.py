"""The nightly report on a busy day, and an ad-hoc aggregate over 10 M journeys (issue 8).

- report: one simulated day of a busy MX (`mxlog simulate --rate R`, all three hosts), ingested
  once (cached in bench/data/), then `mxlog report --day` timed end to end (a subprocess: what the
  admin runs). The target's day has 100 k messages: --rate 1900 inbound messages an hour gives
  ~100 k journeys (every message the MXs handled, inbound, outbound and local; smtpd logs more
  "messages", as each inbound one passes smtpd twice around spampd). --big-rate 4000 (~210 k
  journeys) is timed too, to show how the time grows. Reference: the same report on samples/sim
  (a quiet day).
- sql: the journeys table grown to 10 M rows (copies of the simulated day's journeys) and
  `mxlog sql` running an aggregate (a subprocess, Python start included); reference: the same
  query through duckdb in-process, and `mxlog sql "SELECT 1"` (the fixed cost of the command).
- --reference EXE: another build's `mxlog` (e.g. /work/main/.venv/bin/mxlog, the unchanged one)
  runs the same reports in the same run, interleaved run by run, each build on its own copy of
  the databases (each applies its own migrations); wall and CPU (user + sys of the command) times,
  their ratios, and whether the two report.json hold the same numbers.

    .venv/bin/python bench/queries.py [--rate 4000] [--rows 10000000] [--runs 3] [--reference EXE] [--write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, write_section  # noqa: E402

MXLOG = [sys.executable, "-m", "mxlog"]
BEGIN, END = "<!-- queries:begin -->", "<!-- queries:end -->"
AGG = ("SELECT direction, final_status, count(*) AS n, median(total_latency_s) AS p50_s, "
       "quantile_disc(total_latency_s, 0.99) AS p99_s FROM journeys GROUP BY ALL ORDER BY n DESC")


def run(args, **kw) -> float:
    t = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, **kw)
    return time.perf_counter() - t


def timed(args) -> tuple[float, float]:
    """(wall, CPU) seconds of one command; CPU = user + sys of the child (less noisy than wall on a
    shared machine)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = run(args, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def med(f, runs):
    return statistics.median(f() for _ in range(runs))


def report_numbers(path: Path) -> dict:
    d = json.loads(path.read_text())
    d.pop("generated_at", None)
    return d


def differences(a, b, path="") -> list[str]:
    if type(a) is not type(b):
        return [path]
    if isinstance(a, dict):
        return [p for k in sorted(set(a) | set(b)) for p in (differences(a[k], b[k], f"{path}.{k}")
                                                            if k in a and k in b else [f"{path}.{k}"])]
    if isinstance(a, list):
        if len(a) != len(b):
            return [path]
        return [p for i, (x, y) in enumerate(zip(a, b)) for p in differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [path]


def compare_reports(ours: list, ref: list, runs: int, tmp: Path, db: Path, day: str, label: str):
    """Time `mxlog report` of both builds, interleaved; medians of wall and CPU, and the report.json
    paths whose values differ between the builds' last runs."""
    dbs = {}
    for name in ("ours", "ref"):
        dbs[name] = tmp / f"{label}-{name}.duckdb"
        shutil.copy(db, dbs[name])
    times = {"ours": [], "ref": []}
    for _ in range(runs):
        for name, exe in (("ref", ref), ("ours", ours)):
            times[name].append(timed(exe + ["report", "--db", str(dbs[name]), "--day", day,
                                            "--out", str(tmp / f"{label}-{name}-out")]))
    out = {name: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t)) for name, t in times.items()}
    diff = differences(report_numbers(tmp / f"{label}-ref-out" / "report.json"),
                       report_numbers(tmp / f"{label}-ours-out" / "report.json"))
    return out, diff


def busy_db(rate: int, data: Path) -> Path:
    db = data / f"busy-{rate}.duckdb"
    if db.exists():
        return db
    data.mkdir(parents=True, exist_ok=True)
    sim = data / f"busy-{rate}"
    shutil.rmtree(sim, ignore_errors=True)
    subprocess.run(MXLOG + ["simulate", "--out", str(sim), "--seed", "7", "--days", "1", "--rate", str(rate)],
                   check=True, cwd=ROOT)
    tmp = db.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    subprocess.run(MXLOG + ["ingest", "-q", "--db", str(tmp), "--year", "2026", "--at", "2026-11-25T00:00:00",
                            str(sim / "mx1"), str(sim / "mx2"), str(sim / "mx3")], check=True, cwd=ROOT)
    tmp.rename(db)
    return db


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=int, default=1900, help="inbound messages an hour of the target's day (~100 k journeys)")
    ap.add_argument("--big-rate", type=int, default=4000, help="a busier day timed beside it (0: none)")
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--data", type=Path, default=ROOT / "bench" / "data", help="cache of the simulated busy day")
    ap.add_argument("--reference", help="another build's mxlog executable to time the reports against")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed (make bench)")
    a = ap.parse_args(argv)
    import duckdb

    tmp = Path(tempfile.mkdtemp(prefix="mxlog-bench-q-"))
    try:
        quiet = tmp / "quiet.duckdb"
        subprocess.run(MXLOG + ["ingest", "-q", "--db", str(quiet), "--year", "2026", "samples/sim/mx1",
                                "samples/sim/mx2", "samples/sim/mx3"], check=True, cwd=ROOT)
        busy = busy_db(a.rate, a.data)
        big_day = busy_db(a.big_rate, a.data) if a.big_rate else None

        def counts(db):
            con = duckdb.connect(str(db), read_only=True)
            try:
                return (con.execute("SELECT count(*) FROM smtpd_events WHERE event = 'message'").fetchone()[0],
                        con.execute("SELECT count(*) FROM journeys").fetchone()[0])
            finally:
                con.close()

        busy_msgs, busy_j = counts(busy)
        day = "2026-11-24"
        r_big = None
        if big_day:
            big_msgs, big_j = counts(big_day)
            big_t = [timed(MXLOG + ["report", "--db", str(big_day), "--day", day, "--out", str(tmp / "rbig")])
                     for _ in range(a.runs)]
            r_big = (statistics.median(w for w, _ in big_t), statistics.median(c for _, c in big_t))
        cmp_lines, b_cpu = [], None
        if a.reference:
            ref = [a.reference]
            q, q_diff = compare_reports(MXLOG, ref, a.runs, tmp, quiet, day, "quiet")
            b, b_diff = compare_reports(MXLOG, ref, a.runs, tmp, busy, day, "busy")
            r_quiet, r_busy, b_cpu = q["ours"][0], b["ours"][0], b["ours"][1]
            cmp_lines = ["", f"Same run, interleaved, against the reference build `{a.reference}` (wall / CPU = user + sys of "
                         f"the command; medians of {a.runs}):", "",
                         "| report | this build wall | reference wall | ratio | this build CPU | reference CPU | ratio "
                         "| report.json values that differ |", "|---|---|---|---|---|---|---|---|"]
            for what, t, diff in (("busy day", b, b_diff), ("samples/sim", q, q_diff)):
                cmp_lines.append(f"| {what} | {t['ours'][0]:.1f} s | {t['ref'][0]:.1f} s | {t['ref'][0] / t['ours'][0]:.1f}x "
                                 f"| {t['ours'][1]:.1f} s | {t['ref'][1]:.1f} s | {t['ref'][1] / t['ours'][1]:.1f}x "
                                 f"| {', '.join(diff) if diff else 'none'} |")
        else:
            r_quiet = med(lambda: run(MXLOG + ["report", "--db", str(quiet), "--day", day, "--out", str(tmp / "rq")]), a.runs)
            busy_t = [timed(MXLOG + ["report", "--db", str(busy), "--day", day, "--out", str(tmp / "rb")]) for _ in range(a.runs)]
            r_busy, b_cpu = statistics.median(w for w, _ in busy_t), statistics.median(c for _, c in busy_t)

        big = tmp / "big.duckdb"
        shutil.copy(big_day or busy, big)
        con = duckdb.connect(str(big))
        n0 = con.execute("SELECT count(*) FROM journeys").fetchone()[0]
        copies = max(1, -(-a.rows // n0))
        con.execute("CREATE TEMP TABLE base AS SELECT * FROM journeys")
        con.execute(f"INSERT INTO journeys SELECT * REPLACE (journey_id || '#' || k AS journey_id, "
                    f"first_seen_ts + to_days(CAST(k AS INTEGER)) AS first_seen_ts) FROM base, range(1, {copies}) r(k)"
                    .replace("SELECT * REPLACE", "SELECT base.* REPLACE"))
        rows = con.execute("SELECT count(*) FROM journeys").fetchone()[0]
        con.execute("CHECKPOINT")

        def inproc():
            t = time.perf_counter()
            con.execute(AGG).fetchall()
            return time.perf_counter() - t

        q_in = med(inproc, a.runs)
        con.close()
        q_cli = med(lambda: run(MXLOG + ["sql", "--db", str(big), AGG]), a.runs)
        q_one = med(lambda: run(MXLOG + ["sql", "--db", str(big), "SELECT 1"]), a.runs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    cmd = "python bench/queries.py " + " ".join(argv if argv is not None else sys.argv[1:])
    lines = [BEGIN, "", f"Command: `{cmd.strip()}` ({os.cpu_count()} CPUs; medians of {a.runs}; {dt.date.today()})", "",
             "| what | measured | target | reference (same run) |", "|---|---|---|---|",
             f"| `mxlog report --day` on a busy day ({busy_msgs:,} smtpd messages, {busy_j:,} journeys; "
             f"simulate --rate {a.rate}) | {r_busy:.1f} s{f' (CPU {b_cpu:.1f} s)' if b_cpu else ''} | <= 5 s for 100 k messages "
             f"({'met' if r_busy <= 5 else 'NOT met'}) | {r_quiet:.1f} s on samples/sim (1 k journeys) |",
             *([f"| same, a busier day ({big_msgs:,} smtpd messages, {big_j:,} journeys; simulate --rate {a.big_rate}) "
                f"| {r_big[0]:.1f} s (CPU {r_big[1]:.1f} s) | - | {r_big[0] / r_busy:.1f} x the time for "
                f"{big_j / busy_j:.1f} x the journeys |"] if r_big else []),
             f"| `mxlog sql` aggregate over {rows:,} journeys | {q_cli:.2f} s | <= 1 s "
             f"({'met' if q_cli <= 1 else 'NOT met'}) | {q_in:.2f} s in-process; `mxlog sql \"SELECT 1\"` {q_one:.2f} s |",
             *cmp_lines, "", f"The aggregate: `{AGG}`", "", END]
    text = "\n".join(lines)
    print(text)
    if a.write:
        write_section(BEGIN, END, text, "## Report and queries")
    if a.check and (r_busy > 5 or q_cli > 1):
        print("bench: the report or the aggregate missed its target", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
