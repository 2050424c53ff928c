"""The nightly report on a busy day, and an ad-hoc aggregate over 10 M journeys (issue 8).

- report: one simulated day of a busy MX (`mxlog simulate --rate R`, default 4000 inbound
  messages an hour ~ 100 k messages in the day, all three hosts), ingested once (cached in
  bench/data/), then `mxlog report --day` timed end to end (a subprocess: what the admin runs).
  Reference: the same report on samples/sim (a quiet day), so the ratio says how it scales.
- sql: the journeys table grown to 10 M rows (copies of the simulated day's journeys) and
  `mxlog sql` running an aggregate (a subprocess, Python start included); reference: the same
  query through duckdb in-process, and `mxlog sql "SELECT 1"` (the fixed cost of the command).

    .venv/bin/python bench/queries.py [--rate 4000] [--rows 10000000] [--runs 3] [--write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
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


def med(f, runs):
    return statistics.median(f() for _ in range(runs))


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
    ap.add_argument("--rate", type=int, default=4000)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--data", type=Path, default=ROOT / "bench" / "data", help="cache of the simulated busy day")
    ap.add_argument("--write", action="store_true")
    a = ap.parse_args(argv)
    import duckdb

    tmp = Path(tempfile.mkdtemp(prefix="mxlog-bench-q-"))
    try:
        quiet = tmp / "quiet.duckdb"
        subprocess.run(MXLOG + ["ingest", "-q", "--db", str(quiet), "--year", "2026", "samples/sim/mx1",
                                "samples/sim/mx2", "samples/sim/mx3"], check=True, cwd=ROOT)
        busy = busy_db(a.rate, a.data)
        con = duckdb.connect(str(busy), read_only=True)
        busy_msgs = con.execute("SELECT count(*) FROM smtpd_events WHERE event = 'message'").fetchone()[0]
        busy_j = con.execute("SELECT count(*) FROM journeys").fetchone()[0]
        con.close()
        day = "2026-11-24"
        r_quiet = med(lambda: run(MXLOG + ["report", "--db", str(quiet), "--day", day, "--out", str(tmp / "rq")]), a.runs)
        r_busy = med(lambda: run(MXLOG + ["report", "--db", str(busy), "--day", day, "--out", str(tmp / "rb")]), a.runs)

        big = tmp / "big.duckdb"
        shutil.copy(busy, big)
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
             f"simulate --rate {a.rate}) | {r_busy:.1f} s | <= 5 s for 100 k messages "
             f"({'met' if r_busy <= 5 else 'NOT met'}) | {r_quiet:.1f} s on samples/sim (1 k journeys) |",
             f"| `mxlog sql` aggregate over {rows:,} journeys | {q_cli:.2f} s | <= 1 s "
             f"({'met' if q_cli <= 1 else 'NOT met'}) | {q_in:.2f} s in-process; `mxlog sql \"SELECT 1\"` {q_one:.2f} s |",
             "", f"The aggregate: `{AGG}`", "", END]
    text = "\n".join(lines)
    print(text)
    if a.write:
        write_section(BEGIN, END, text, "## Report and queries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
