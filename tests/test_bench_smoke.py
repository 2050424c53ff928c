"""`make bench` on a tiny input, so that its code path cannot rot. No timing is asserted:
the machine running the tests says nothing about the targets."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_runs_and_writes_its_table(tmp_path):
    doc = tmp_path / "BENCHMARKS.md"
    doc.write_text("# Benchmarks\n\n<!-- bench:ingest:begin -->\nold\n<!-- bench:ingest:end -->\n\nkept\n")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--mb", "4", "--runs", "1", "--packets", "2000",
         "--scapy-packets", "200", "--data", str(tmp_path / "data"), "--doc", str(doc), "--write"],
        capture_output=True, text=True, timeout=300,
    )
    # 0: targets met, 1: a target missed; anything else is a crash
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    text = doc.read_text()
    assert "old" not in text and text.endswith("\n\nkept\n")
    for row in ("ingest throughput, end to end", "grep -cE", "peak RSS during ingest", "zcat", "unchanged file",
                "pflog decode", "scapy", "journeys for 1 M messages", "see [Journeys]",
                "Command: `make bench` (= `python bench/run.py --mb 4 --runs 1 --packets 2000 --write`)"):
        assert row in text, row
    assert "lnav one-regex count" in text  # measured when lnav is installed, else said not to be
    assert (tmp_path / "data" / "sim-4m.log.gz").exists()  # the input is `mxlog simulate`'s (bench/inputs.py)


def test_journeys_and_queries_benchmarks_run(tmp_path):
    """bench/journeys.py and bench/queries.py on tiny inputs (no --write: BENCHMARKS.md is left alone)."""
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "journeys.py"), "--copies", "2", "--runs", "1",
                           "--families", ""], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "| E (samples/sim) | 1042 |" in proc.stdout and "| 2 copies | 2,084 |" in proc.stdout
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "queries.py"), "--rate", "5", "--rows", "3000",
                           "--runs", "1", "--data", str(tmp_path)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "`mxlog report --day` on a busy day" in proc.stdout and "`mxlog sql` aggregate over" in proc.stdout
