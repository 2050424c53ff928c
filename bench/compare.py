"""Before/after: `mxlog ingest` of this tree and of another git revision on the same input,
runs interleaved (A B A B ...) so that both see the same load on a shared machine.

    python bench/compare.py REV [--mb 256] [--runs 3]

REV is exported (`git archive`) into bench/data/rev-REV and run with PYTHONPATH pointing there,
with this venv. Prints medians, CPU seconds (user + sys of the child) and peak RSS.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import DATA, ROOT, count_lines, ensure_log  # noqa: E402


def run_once(tree: Path | None, log: Path, db: Path) -> tuple[float, float, int]:
    for p in db.parent.glob(db.name + "*"):
        p.unlink()
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "mxlog", "ingest", "-q", "--no-journeys", "--db", str(db), str(log)],
                            env=env, cwd=tempfile.gettempdir())
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"ingest failed ({'rev' if tree else 'this tree'})")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss // 1024


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rev")
    ap.add_argument("--mb", type=int, default=256)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args(argv)
    rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", a.rev], capture_output=True, text=True,
                         check=True).stdout.strip()
    tree = DATA / f"rev-{rev}"
    if not tree.exists():
        tree.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    log = ensure_log(DATA, a.mb)
    lines = count_lines(log)
    db = Path(tempfile.mkdtemp(prefix="mxlog-compare-")) / "c.duckdb"
    res = {rev: [], "this tree": []}
    for _ in range(a.runs):
        res[rev].append(run_once(tree, log, db))
        res["this tree"].append(run_once(None, log, db))
    print(f"`mxlog ingest` of `{log.name}` ({log.stat().st_size / 1e6:,.0f} MB, {lines:,} lines), "
          f"{a.runs} interleaved runs each:\n")
    print("| code | median s | runs s | lines/s | median CPU s | peak RSS MB |")
    print("|---|---:|---|---:|---:|---:|")
    for name, rs in res.items():
        wall = statistics.median(r[0] for r in rs)
        cpu = statistics.median(r[1] for r in rs)
        print(f"| {name} | {wall:.2f} | {', '.join(f'{r[0]:.2f}' for r in rs)} | {lines / wall:,.0f} | {cpu:.2f} | "
              f"{max(r[2] for r in rs):,} |")
    print(f"\nCommand: `python bench/compare.py {a.rev} --mb {a.mb} --runs {a.runs}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
