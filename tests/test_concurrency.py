"""A database held by a running ingest: a second `mxlog ingest`, `report` or `sql` fails at once
with one line and exit code 4 (busy), and the running ingest finishes with the same database it
would have made alone."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from conftest import ROOT
from test_crash import fingerprint

MX = [sys.executable, "-m", "mxlog"]


def mxlog(*args, env=None, timeout=120):
    return subprocess.run([*MX, *map(str, args)], capture_output=True, text=True, cwd=ROOT, env=env, timeout=timeout)


def assert_busy(r, db):
    assert r.returncode == 4, (r.returncode, r.stderr)
    lines = r.stderr.splitlines()
    assert lines[0] == f"Error: database {db} is in use by another mxlog process", r.stderr
    assert len(lines) == 2 and lines[1].startswith("Hint: ") and "Traceback" not in r.stderr


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    out = tmp_path_factory.mktemp("busy") / "sim"
    r = mxlog("simulate", "--out", out, "--seed", "7", "--rate", "25")
    assert r.returncode == 0, r.stderr
    return [out / "mx2", out / "mx3"]  # the backup MXs: small, two hosts


def test_second_commands_on_a_held_database_exit_busy(sim, tmp_path):
    db = tmp_path / "held.duckdb"
    env = dict(os.environ, MXLOG_CHUNK_BYTES="512")  # a slow ingest: many small transactions
    holder = subprocess.Popen([*MX, "ingest", *map(str, sim), "--db", str(db), "--year", "2026", "-q"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not db.exists() and holder.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert holder.poll() is None, "the first ingest ended before the test could start"
        # the three at once, so that they all meet the ingest while it writes (not as it exits)
        others = [subprocess.Popen([*MX, *map(str, args)], cwd=ROOT, text=True, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
                  for args in (("ingest", sim[0], "--db", db, "-q"), ("report", "--db", db, "--out", tmp_path / "r"),
                               ("sql", "SELECT count(*) FROM files", "--db", db))]
        results = []
        for p in others:
            out, err = p.communicate(timeout=120)
            results.append(subprocess.CompletedProcess(p.args, p.returncode, out, err))
        assert holder.poll() is None, "the first ingest ended while the others ran: they proved nothing"
        for r in results:
            assert_busy(r, db)
        assert holder.wait(timeout=300) == 0, holder.stderr.read()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        holder.stderr.close()
    assert not (tmp_path / "r").exists()
    # not corrupted: the same database as one ingest alone, and usable
    alone = tmp_path / "alone.duckdb"
    assert mxlog("ingest", *sim, "--db", alone, "--year", "2026", "-q").returncode == 0
    assert fingerprint(db) == fingerprint(alone)
    assert mxlog("report", "--db", db, "--out", tmp_path / "r").returncode == 0


def test_busy_from_a_process_that_only_holds_the_database(tmp_path):
    db = tmp_path / "h.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from mxlog.store import connect; c = connect(sys.argv[1]); "
         "print('ready', flush=True); sys.stdin.read()", str(db)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        log = tmp_path / "maillog"
        log.write_text("Nov 24 00:05:01 mx1 spamd[1]: 203.0.113.1: connected (1/0)\n")
        assert_busy(mxlog("ingest", log, "--db", db), db)
        assert_busy(mxlog("journeys", "--db", db), db)
        assert_busy(mxlog("unparsed", "--db", db), db)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
        holder.stdout.close()
    assert mxlog("ingest", tmp_path / "maillog", "--db", db, "-q").returncode == 0
