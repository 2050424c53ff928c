"""Journeys: reconstruction accuracy against the simulator's truth, and build time at scale.

Accuracy: for the samples (family E) and a simulation of every older OpenSMTPD family, the share
of truth journeys rebuilt exactly (every stage, host, msgid and time) and the links made by ids
that the truth does not have.

Scale: the ingested samples' event tables are replicated COPIES times (each copy two days later,
with fresh smtpd session ids, msgids and evpids, so that nothing joins across copies) and
`journeys.build(full=True)` is timed; a full build of 1 M journeys is the issue 8 target (<= 15 s).
The reference is the same build on one copy, so the ratio says how it scales.

    .venv/bin/python bench/journeys.py [--copies 960] [--runs 3] [--write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, write_section  # noqa: E402
from mxlog import api, journeys, store  # noqa: E402
from mxlog.simulate import accuracy, simulate  # noqa: E402

SIM = ROOT / "samples" / "sim"
AT = dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc)
HOSTS = ("mx1", "mx2", "mx3")
BEGIN, END = "<!-- journeys:begin -->", "<!-- journeys:end -->"

# per table: the id columns to make unique per copy (8 hex msgid, 16 hex evpid/session)
IDS = {
    "smtpd_events": {"msgid": 8, "evpid_msgid": 8, "reply_msgid": 8, "evpid": 16, "session": 16},
    "spamd_events": {}, "spampd_events": {}, "dkimproxy_events": {}, "dovecot_events": {},
    "pflog_packets": {},
}


def _fresh(col: str, width: int) -> str:
    if width == 8:
        return f"CASE WHEN {col} IS NULL OR {col} = '' THEN {col} ELSE substr(md5(k::VARCHAR || {col}), 1, 8) END"
    if col == "evpid":  # keep evpid >> 32 == msgid
        return f"CASE WHEN {col} IS NULL THEN NULL ELSE substr(md5(k::VARCHAR || substr({col}, 1, 8)), 1, 8) || substr({col}, 9) END"
    return f"CASE WHEN {col} IS NULL THEN NULL ELSE substr(md5(k::VARCHAR || {col}), 1, 16) END"


def replicate(con, copies: int) -> None:
    for table, ids in IDS.items():
        cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
        sel = []
        for c in cols:
            if c == "ts":
                sel.append("ts + to_days(CAST(2 * k AS INTEGER)) AS ts")
            elif c in ids:
                sel.append(f"{_fresh(c, ids[c])} AS {c}")
            else:
                sel.append(f'"{c}"')
        con.execute(f"CREATE TEMP TABLE base AS SELECT * FROM {table}")
        con.execute(f"INSERT INTO {table} SELECT {', '.join(sel)} FROM base, range(1, {copies}) r(k)")
        con.execute("DROP TABLE base")


def timed_build(con, runs: int) -> tuple[float, int, dict, float]:
    times, cpus, prof = [], [], {}
    n = 0
    for _ in range(runs):
        p: dict = {}
        c, t = time.process_time(), time.perf_counter()
        row = journeys.build(con, full=True, profile=p)
        times.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
        n = row["journeys"]
        prof = p
    return statistics.median(times), n, prof, statistics.median(cpus)


def accuracy_rows(tmp: Path, families: str = "ABCD") -> list[tuple]:
    rows = []
    db = tmp / "acc.duckdb"
    api.ingest([SIM / h for h in HOSTS], db=db, year=2026, at=AT)
    con = store.connect(db, read_only=True)
    res = accuracy.compare(con, SIM / "truth" / "journeys.jsonl")
    con.close()
    rows.append(("E (samples/sim)", res))
    for fam in families:
        out = tmp / fam
        simulate(out, seed=1, days=1, rate=20.0, smtpd_format=fam)
        db = tmp / f"{fam}.duckdb"
        api.ingest([out / h for h in HOSTS], db=db, year=2026, at=AT)
        con = store.connect(db, read_only=True)
        rows.append((fam, accuracy.compare(con, out / "truth" / "journeys.jsonl")))
        con.close()
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=960, help="copies of the samples (960 ~ 1 M journeys)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--families", default="ABCD", help="older OpenSMTPD families to simulate and check")
    ap.add_argument("--write", action="store_true", help="write the results into BENCHMARKS.md")
    ap.add_argument("--check", action="store_true", help="exit 1 when the target is missed (make bench)")
    a = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="mxlog-bench-journeys-"))
    try:
        acc = accuracy_rows(tmp, a.families)
        db = tmp / "scale.duckdb"
        api.ingest([SIM / h for h in HOSTS], db=db, year=2026, at=AT, journeys=False)
        con = store.connect(db)
        ref_s, ref_n, _, _ = timed_build(con, a.runs)
        t = time.perf_counter()
        replicate(con, a.copies)
        rep_s = time.perf_counter() - t
        events = con.execute("SELECT count(*) FROM smtpd_events").fetchone()[0]
        load = os.getloadavg()[1]
        big_s, big_n, prof, big_cpu = timed_build(con, a.runs)
        load = (load + os.getloadavg()[1]) / 2
        con.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    cmd = "python bench/journeys.py " + " ".join(argv if argv is not None else sys.argv[1:])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [BEGIN, "", f"Command: `{cmd.strip()}` ({os.cpu_count()} CPUs, 5-minute load average {load:.1f} during "
             f"the build: the machine is shared; the build runs with DuckDB's memory_limit "
             f"{os.environ.get('MXLOG_JOURNEYS_MEMORY', 'default (80 % of RAM)')}: at 1 M journeys 1 GB is not "
             f"enough; the whole benchmark process peaked at {peak:,.0f} MB RSS; {dt.date.today()})", "",
             "Accuracy (share of truth journeys rebuilt exactly: every stage, host, msgid and time within 1 s):", "",
             "| OpenSMTPD family | truth journeys | exact | share | ids linked wrongly | built, not in truth | mismatches |",
             "|---|---|---|---|---|---|---|"]
    for fam, r in acc:
        mism = ", ".join(f"{k} {v}" for k, v in r["mismatches"].items()) or "-"
        lines.append(f"| {fam} | {r['truth_journeys']} | {r['exact']} | {100 * r['exact_share']:.2f} % | "
                     f"{r['wrong_id_links']} | {r['built_not_in_truth']} | {mism} |")
    slow = ", ".join(f"{k} {v:.1f} s" for k, v in sorted(prof.items(), key=lambda kv: -kv[1])[:8])
    lines += ["", "Full build time (median of "
              f"{a.runs}):", "",
              "| input | journeys | smtpd rows | build | target |", "|---|---|---|---|---|",
              f"| samples/sim (reference) | {ref_n:,} | - | {ref_s:.2f} s | - |",
              f"| {a.copies} copies | {big_n:,} | {events:,} | {big_s:.1f} s ({big_cpu:.1f} CPU s) | <= 15 s for 1 M "
              f"({'met' if big_s <= 15 * big_n / 1e6 else 'NOT met'}) |", "",
              f"Scaling: {big_n / ref_n:,.0f} x the journeys in {big_s / ref_s:,.0f} x the time. "
              f"Slowest steps: {slow}. (Replicating the tables took {rep_s:.1f} s, not counted.)", "", END]
    text = "\n".join(lines)
    print(text)
    if a.write:
        write_section(BEGIN, END, text, "## Journeys: accuracy and build time")
    if a.check and big_s > 15 * big_n / 1e6:
        print("bench: journeys missed their target", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
