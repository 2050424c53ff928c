"""Journeys: is a change to the build faster, and does it build exactly the same tables?

    # once: the samples' event tables replicated COPIES times (as bench/journeys.py does), no journeys
    .venv/bin/python bench/journeys_same.py prepare --copies 200 --db bench/data/jscale-200.duckdb
    # a full build on a copy of it, with the code under CODE (this checkout, or another one such as
    # /work/main), printing the build time, its per-step profile and a checksum of journeys and hops
    .venv/bin/python bench/journeys_same.py run --db bench/data/jscale-200.duckdb [--code /work/main]
    # both, interleaved RUNS times: medians, ratio, and whether the checksums agree
    .venv/bin/python bench/journeys_same.py compare --db bench/data/jscale-200.duckdb --old /work/main [--runs 3]

The checksum is order-independent (the sum of each row's hash) over every column of both tables.
Before this branch, journeys.weakest_link among equally certain links (`origin`, `evpid`) was
whichever the aggregate saw first, so an older build can differ from run to run in that column
only: the tables count as identical when the checksums with weakest_link replaced by its rank
agree, and compare also says whether the exact checksums agree (and the new build's are stable).
"""

from __future__ import annotations

import argparse
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

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _import(code: Path):
    sys.path.insert(0, str(code))
    from mxlog import journeys, store  # noqa: PLC0415

    assert Path(journeys.__file__).resolve().is_relative_to(code.resolve()), journeys.__file__
    return journeys, store


def prepare(a) -> int:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(HERE.parent))
    from bench.journeys import AT, HOSTS, SIM, replicate  # noqa: PLC0415
    from mxlog import api, store  # noqa: PLC0415

    db = Path(a.db)
    db.parent.mkdir(parents=True, exist_ok=True)
    db.unlink(missing_ok=True)
    api.ingest([SIM / h for h in HOSTS], db=db, year=2026, at=AT, journeys=False)
    con = store.connect(db)
    replicate(con, a.copies)
    con.execute("CHECKPOINT")
    con.close()
    print(db)
    return 0


CHECKSUM = """
SELECT (SELECT count(*) FROM journeys), (SELECT CAST(sum(hash(j)) AS VARCHAR) FROM journeys j),
       (SELECT count(*) FROM hops), (SELECT CAST(sum(hash(h)) AS VARCHAR) FROM hops h),
       (SELECT CAST(sum(hash(j)) AS VARCHAR)
        FROM (SELECT * REPLACE (CASE WHEN weakest_link IS NULL THEN NULL WHEN weakest_link = 'unlinked' THEN 3
                                     WHEN weakest_link = 'ambiguous' THEN 2 WHEN weakest_link = 'time-window' THEN 1
                                     ELSE 0 END AS weakest_link)
              FROM journeys) j)"""


def run(a) -> int:
    journeys, store = _import(Path(a.code))
    tmp = Path(tempfile.mkdtemp(prefix="mxlog-jsame-"))
    try:
        db = tmp / "x.duckdb"
        shutil.copy(a.db, db)
        con = store.connect(db)
        prof: dict = {}
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        t = time.perf_counter()
        row = journeys.build(con, full=True, profile=prof)
        secs = time.perf_counter() - t
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        cpu = r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime
        n_j, c_j, n_h, c_h, c_jr = con.execute(CHECKSUM).fetchone()
        if a.dump:
            con.execute(f"COPY journeys TO '{a.dump}' (FORMAT parquet)")
        con.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out = {"seconds": secs, "cpu_seconds": cpu, "journeys": n_j, "hops": n_h, "sum_journeys": c_j, "sum_hops": c_h,
           "sum_journeys_rank": c_jr,
           "ambiguous": row["ambiguous"], "unlinked": row["unlinked"],
           "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, "profile": prof}
    print(json.dumps(out))
    return 0


def compare(a) -> int:
    res: dict[str, list] = {"old": [], "new": []}
    for _ in range(a.runs):
        for label, code in (("old", a.old), ("new", str(ROOT))):
            p = subprocess.run([sys.executable, __file__, "run", "--db", a.db, "--code", code],
                               capture_output=True, text=True, env=os.environ)
            if p.returncode:
                sys.stderr.write(p.stderr)
                return p.returncode
            r = json.loads(p.stdout.strip().splitlines()[-1])
            res[label].append(r)
            print(f"{label}: {r['seconds']:.2f} s (CPU {r['cpu_seconds']:.1f} s), peak {r['peak_rss_mb']} MB", flush=True)
    med = {k: statistics.median(r["seconds"] for r in v) for k, v in res.items()}
    rss = {k: statistics.median(r["peak_rss_mb"] for r in v) for k, v in res.items()}
    cpu = {k: statistics.median(r["cpu_seconds"] for r in v) for k, v in res.items()}
    keys = ("journeys", "hops", "sum_journeys_rank", "sum_hops", "ambiguous", "unlinked")
    same = all(r[k] == res["old"][0][k] for v in res.values() for r in v for k in keys)
    exact = {k: sorted({r["sum_journeys"] for r in v}) for k, v in res.items()}
    print(f"exact journeys checksums: old {exact['old']}, new {exact['new']}; "
          f"new stable across runs: {len(exact['new']) == 1}; all equal: {len(set(exact['old'] + exact['new'])) == 1}")
    same = same and len(exact["new"]) == 1
    print(f"median old {med['old']:.2f} s ({rss['old']} MB), new {med['new']:.2f} s ({rss['new']} MB), "
          f"ratio new/old {med['new'] / med['old']:.2f}; CPU old {cpu['old']:.1f} s, new {cpu['new']:.1f} s, "
          f"ratio {cpu['new'] / cpu['old']:.2f}; identical tables: {same}")
    for label in ("old", "new"):
        prof = res[label][-1]["profile"]
        print(label, ", ".join(f"{k} {v:.2f}" for k, v in sorted(prof.items(), key=lambda kv: -kv[1])))
    if not same:
        for label in ("old", "new"):
            print(label, {k: res[label][0][k] for k in keys})
    return 0 if same else 1


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--copies", type=int, default=200)
    p.add_argument("--db", required=True)
    p = sub.add_parser("run")
    p.add_argument("--db", required=True)
    p.add_argument("--code", default=str(ROOT))
    p.add_argument("--dump", help="also write journeys to this parquet file (to see which rows differ)")
    p = sub.add_parser("compare")
    p.add_argument("--db", required=True)
    p.add_argument("--old", required=True)
    p.add_argument("--runs", type=int, default=3)
    a = ap.parse_args(argv)
    return {"prepare": prepare, "run": run, "compare": compare}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
