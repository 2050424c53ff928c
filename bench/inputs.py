"""Benchmark inputs made with `mxlog simulate` (issue 8: "all sources, three hosts"), kept in
bench/data/ (not in git) and reused by later runs.

    python bench/inputs.py [--mb 1024] [--data bench/data]

`sim-<mb>m.log` is every syslog file the simulator writes (each host's maillog and daemon log:
smtpd, spamd, spamlogd, spampd, dkimproxy, Dovecot, bgpd) of consecutive simulated days at a busy
MX's rate, concatenated host after host and day after day until it holds at least <mb> MB. A
quarter-size input for the peak-RSS check is the head of it, cut at a line end.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
MB_PER_DAY = 270  # syslog output of one simulated day at --rate 4000 (measured: 275 MB)
BUSY_RATE = 4000
START = "2026-11-02"  # the whole input stays in one month: one year for every BSD stamp


def sim_plan(mb: int) -> tuple[int, int]:
    """(days, rate) of a simulation that writes at least `mb` MB of syslog lines."""
    days = max(1, math.ceil(mb / MB_PER_DAY))
    rate = max(20, min(BUSY_RATE, math.ceil(BUSY_RATE * mb / (days * MB_PER_DAY) * 1.1)))
    return days, rate


def ensure_sim_log(data: Path, mb: int, seed: int = 11) -> Path:
    """bench/data/sim-<mb>m.log, simulated and concatenated on first use."""
    data.mkdir(parents=True, exist_ok=True)
    log = data / f"sim-{mb}m.log"
    if log.exists():
        return log
    days, rate = sim_plan(mb)
    work = Path(tempfile.mkdtemp(prefix="mxlog-sim-", dir=data))
    try:
        while True:
            done = subprocess.run([sys.executable, "-m", "mxlog", "simulate", "--out", str(work / "sim"),
                                   "--seed", str(seed), "--days", str(days), "--rate", str(rate), "--start", START],
                                  capture_output=True, text=True, cwd=ROOT)
            if done.returncode:
                raise SystemExit(f"mxlog simulate failed: {done.stderr.strip()[-500:]}")
            files = sorted((work / "sim").glob("mx*/maillog")) + sorted((work / "sim").glob("mx*/daemon"))
            if sum(f.stat().st_size for f in files) >= mb * 1e6:
                break
            shutil.rmtree(work / "sim")
            days += 1  # the estimate was short: one more day
        tmp = work / "log.tmp"
        with open(tmp, "wb") as out:
            for f in files:
                with open(f, "rb") as src:
                    shutil.copyfileobj(src, out, 16 << 20)
        last = max(f.stat().st_mtime for f in files)
        os.utime(tmp, (last, last))  # year inference reads the mtime, as for a real log
        tmp.rename(log)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return log


def ensure_head(log: Path, mb: int) -> Path:
    """The first `mb` MB of `log`, cut after a newline (same content, a quarter of the size)."""
    head = log.with_name(f"{log.stem}-head{mb}m.log")
    if head.exists():
        return head
    tmp = head.with_suffix(".tmp")
    with open(log, "rb") as src, open(tmp, "wb") as out:
        left = mb * 1_000_000
        while left > 0:
            block = src.read(min(left, 16 << 20))
            if not block:
                break
            out.write(block)
            left -= len(block)
        out.write(src.readline())  # finish the last line
    st = log.stat()
    os.utime(tmp, (st.st_mtime, st.st_mtime))
    tmp.rename(head)
    return head


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=1024)
    ap.add_argument("--data", default=str(DATA))
    a = ap.parse_args(argv)
    print(ensure_sim_log(Path(a.data), a.mb))
    return 0


if __name__ == "__main__":
    sys.exit(main())
