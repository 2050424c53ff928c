"""The bad-input corpus (tests/bad/make_bad.py): `mxlog ingest` never shows a traceback; a file
it cannot read at all gives one line naming it and exit code 3; otherwise lines read = parsed +
unparsed and the good lines around the bad ones are in the event tables."""

from __future__ import annotations

import gzip
import os
import random
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from conftest import ROOT
from mxlog.cli import app

sys.path.insert(0, str(ROOT / "tests" / "bad"))
import make_bad  # noqa: E402

runner = CliRunner()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad")
    return {c.name: c for c in make_bad.build(root)}


def ingest(*paths, db):
    r = runner.invoke(app, ["ingest", *map(str, paths), "--db", str(db), "--no-journeys"])
    assert "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    return r


def conservation(db) -> list:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT path, lines_read, lines_parsed, lines_unparsed FROM files "
                           "WHERE lines_read <> lines_parsed + lines_unparsed").fetchall()
    finally:
        con.close()


def present(db, table, column, value) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}" = ?', [value]).fetchone()[0]
    finally:
        con.close()


def status(db, path) -> str | None:
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute("SELECT status FROM files WHERE path = ?", [str(path)]).fetchone()
        return row[0] if row else None
    finally:
        con.close()




def _names():
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return [(c.name, c.expect) for c in make_bad.build(Path(tmp))]


SILENT_CORRUPT: set = set()  # corrupt compressed files ingest reports (it reads a non-log stream through)


@pytest.mark.parametrize("name, expect", _names())
def test_bad_input(corpus, tmp_path, name, expect):
    case = corpus[name]
    db = tmp_path / "bad.duckdb"
    r = ingest(case.path.parent, db=db)
    if expect == "error":
        assert r.exit_code == 3, r.output
        errors = [line for line in r.output.splitlines() if "error:" in line]
        assert len(errors) == 1 and str(case.path) in errors[0], r.output
        assert status(db, case.path) in (None, "reading")  # no rows claimed for it
    else:
        assert r.exit_code == 0, r.output
        assert "error" not in r.output.lower(), r.output
    assert conservation(db) == []
    for table, column, value in case.good:
        assert present(db, table, column, value), f"{table}.{column} = {value} lost: {r.output}"
    if expect == "skipped":
        con = duckdb.connect(str(db), read_only=True)
        try:
            assert con.execute("SELECT coalesce(sum(rows), 0) FROM files").fetchone()[0] == 0
        finally:
            con.close()


def test_whole_corpus_in_one_run_keeps_every_good_line(corpus, tmp_path):
    db = tmp_path / "all.duckdb"
    root = next(iter(corpus.values())).path.parent.parent
    r = ingest(root, db=db)
    assert r.exit_code == 3  # some inputs unreadable, the rest read
    errors = [line for line in r.output.splitlines() if ": error: " in line]
    for case in corpus.values():
        if case.expect == "error" and case.name not in SILENT_CORRUPT:  # see the xfail above
            assert sum(line.startswith(f"{case.path}: error: ") for line in errors) == 1, case.name
    assert conservation(db) == []
    for case in corpus.values():
        for table, column, value in case.good:
            assert present(db, table, column, value), f"{case.name}: {table}.{column} = {value} lost"
    # a second run over the same files adds nothing
    con = duckdb.connect(str(db), read_only=True)
    before = con.execute("SELECT sum(rows), sum(lines_read) FROM files").fetchone()
    con.close()
    ingest(root, db=db)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT sum(rows), sum(lines_read) FROM files").fetchone() == before
    con.close()


def test_unfinished_last_line_is_read_once_finished(corpus, tmp_path):
    case = corpus["noeol.log"]
    db = tmp_path / "noeol.duckdb"
    ingest(case.path, db=db)
    assert present(db, "spamd_events", "ip", "203.0.113.95") == 0
    with open(case.path, "ab") as f:
        f.write(b"ected (1/0)\n")
    ingest(case.path, db=db)
    assert present(db, "spamd_events", "ip", "203.0.113.95") == 1
    assert conservation(db) == []


def test_bad_bytes_are_kept_in_unparsed(corpus, tmp_path):
    db = tmp_path / "utf8.duckdb"
    ingest(corpus["badutf8.log"].path, corpus["nul.log"].path, db=db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        raw = con.execute("SELECT raw_bytes FROM unparsed WHERE raw_bytes IS NOT NULL").fetchall()
        assert any(b"\xc0\xaf" in r[0] for r in raw)  # the original bytes, recoverable
        subjects = [s for (s,) in con.execute("SELECT header_value FROM spamd_events WHERE event = 'header'").fetchall()]
        assert any("\\M-^?" in s for s in subjects)  # vis(3) text kept as logged
    finally:
        con.close()


def _as_nobody() -> list[str] | None:
    """root reads a chmod 000 file: run the command as nobody when setpriv can, else skip."""
    if not (hasattr(os, "geteuid") and os.geteuid() == 0):
        return []
    import shutil

    setpriv = shutil.which("setpriv")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"] if setpriv else None


def test_unreadable_file_in_a_directory():
    import shutil
    import subprocess
    import tempfile

    prefix = _as_nobody()
    if prefix is None:
        pytest.skip("running as root without setpriv: chmod 000 does not deny root")
    if prefix and subprocess.run([*prefix, sys.executable, "-c", "import mxlog"], cwd="/",
                                 capture_output=True).returncode != 0:
        # a checkout in a private (0700) directory, as `mktemp -d` makes: nobody cannot run it
        pytest.skip("as root, the test runs as nobody, who cannot read this checkout or its .venv")
    tmp = Path(tempfile.mkdtemp(prefix="mxlog-perm-"))  # not under pytest's 0700 root-only tmp
    try:
        tmp.chmod(0o777)
        d, secret = make_bad.unreadable(tmp)
        d.chmod(0o777)
        db = tmp / "perm.duckdb"
        r = subprocess.run([*prefix, sys.executable, "-m", "mxlog", "ingest", str(d), "--db", str(db), "--no-journeys"],
                           capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert r.returncode == 3, r.stderr
        assert "Traceback" not in r.stderr
        errors = [line for line in r.stderr.splitlines() if "error" in line.lower()]
        assert errors == [f"{secret}: error: permission denied"], r.stderr
        assert present(db, "spamd_events", "ip", "203.0.113.60")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _zlib_corrupt(path: Path) -> Path:
    plain = b"".join(make_bad._log(70 + 2 * i, b"") for i in range(40))
    path.write_bytes(make_bad._corrupt(gzip.compress(plain), random.Random(0), at=0.3, n=4))
    with pytest.raises(Exception) as e:
        gzip.decompress(path.read_bytes())
    assert type(e.value).__module__ == "zlib"  # zlib.error, not OSError
    return path


def test_corrupt_deflate_data_is_one_unreadable_file(tmp_path):
    d = tmp_path / "mx1"
    d.mkdir()
    bad = _zlib_corrupt(d / "maillog.0.gz")
    (d / "maillog").write_bytes(make_bad._log(80, b""))
    db = tmp_path / "z.duckdb"
    r = ingest(d, db=db)
    assert r.exit_code == 3, r.output
    assert f"{bad}: error:" in r.output
    assert present(db, "spamd_events", "ip", "203.0.113.80")


# ------------------------------------------------------------------ exit codes (README, "Reliability")

def _mixed_log(path: Path, good: int, missed: int, other: int) -> Path:
    lines = [make_bad.spamd_line(i % 250) for i in range(good)]
    lines += [b"Nov 24 00:05:02 mx1 spamd[6874]: something spamd never said\n"] * missed
    lines += [b"Nov 24 00:05:03 mx1 cron[99]: (root) CMD (/usr/libexec/atrun)\n"] * other
    path.write_bytes(b"".join(lines))
    return path


def test_exit_0_when_the_unparsed_share_is_within_max_unparsed(tmp_path):
    log = _mixed_log(tmp_path / "maillog", good=90, missed=5, other=50)  # 5 of 145 missed: 3.4 %
    r = ingest(log, "--max-unparsed", "5%", db=tmp_path / "a.duckdb")
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("limit", ["0.01", "1%", "1 %"])
def test_exit_3_when_the_unparsed_share_is_over_max_unparsed(tmp_path, limit):
    log = _mixed_log(tmp_path / "maillog", good=90, missed=5, other=50)
    r = ingest(log, "--max-unparsed", limit, db=tmp_path / "a.duckdb")
    assert r.exit_code == 3, r.output
    assert "Error: 5 of 145 lines read (3.45 %) matched no pattern, over --max-unparsed 1 %" in r.output
    assert present(tmp_path / "a.duckdb", "spamd_events", "ip", "203.0.113.1")  # the run itself is kept


def test_lines_of_other_programs_do_not_count_as_unparsed(tmp_path):
    log = _mixed_log(tmp_path / "maillog", good=10, missed=0, other=90)
    assert ingest(log, "--max-unparsed", "0", db=tmp_path / "a.duckdb").exit_code == 0


@pytest.mark.parametrize("limit", ["lots", "150%", "-1", "2"])
def test_exit_2_for_a_bad_max_unparsed(tmp_path, limit):
    log = _mixed_log(tmp_path / "maillog", good=1, missed=0, other=0)
    r = ingest(log, "--max-unparsed", limit, db=tmp_path / "a.duckdb")
    assert r.exit_code == 2 and f"Error: --max-unparsed {limit!r} is not a share" in r.output
    assert not (tmp_path / "a.duckdb").exists()  # refused before touching anything


def test_exit_codes_of_the_readme(tmp_path):
    db = tmp_path / "x.duckdb"
    assert ingest(tmp_path / "nothing-here", db=db).exit_code == 5  # no input
    (tmp_path / "emptydir").mkdir()
    assert ingest(tmp_path / "emptydir", db=db).exit_code == 5
    assert runner.invoke(app, ["ingest"]).exit_code == 2  # usage
    log = _mixed_log(tmp_path / "maillog", good=1, missed=0, other=0)
    assert runner.invoke(app, ["ingest", str(log), "--tz", "Mars/Olympus", "--db", str(db)]).exit_code == 1
    assert runner.invoke(app, ["sql", "SELECT nope FROM files", "--db", str(db)]).exit_code == 1
    readme = (ROOT / "README.md").read_text()
    for code in ("0 ok", "1 error", "2 usage", "3 ", "4 database busy", "5 no input", "--max-unparsed"):
        assert code in readme


def test_no_spamd_headers_drops_the_header_lines_only(tmp_path):
    log = tmp_path / "maillog"
    log.write_bytes(make_bad.spamd_line(1) + b"Nov 24 00:05:02 mx1 spamd[6874]: 203.0.113.1: Subject: win big\n"
                    + b"Nov 24 00:05:02 mx1 spamd[6874]: 203.0.113.1: From: \"A\" <a@example.net>\n")
    db = tmp_path / "h.duckdb"
    r = ingest(log, "--no-spamd-headers", db=db)
    assert r.exit_code == 0 and "spamd header lines dropped (--no-spamd-headers): 2" in r.output
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT event FROM spamd_events").fetchall() == [("connected",)]
        assert con.execute("SELECT lines_read, lines_parsed, lines_unparsed FROM files").fetchone() == (3, 3, 0)
        assert con.execute("SELECT count(*) FROM unparsed WHERE raw LIKE '%win big%'").fetchone()[0] == 0
    finally:
        con.close()
    # without the option they are kept
    ingest(log, db=tmp_path / "k.duckdb")
    assert present(tmp_path / "k.duckdb", "spamd_events", "event", "header") == 2


# ------------------------------------------------------------------ re-runs, rotation, copytruncate

def _rows(db) -> tuple:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT (SELECT count(*) FROM spamd_events), (SELECT count(*) FROM smtpd_events), "
                           "(SELECT count(*) FROM unparsed)").fetchone()
    finally:
        con.close()


def test_rotated_compressed_copy_and_rerun_add_nothing(tmp_path):
    d = tmp_path / "mx1"
    d.mkdir()
    first = b"".join(make_bad._log(100 + 2 * i, b"") for i in range(30))
    (d / "maillog").write_bytes(first)
    db = tmp_path / "r.duckdb"
    ingest(d, db=db)
    once = _rows(db)
    ingest(d, db=db)
    assert _rows(db) == once  # the same files again
    # newsyslog: maillog -> maillog.0.gz, with the lines written before rotation; a new maillog
    more = make_bad._log(200, b"")
    (d / "maillog.0.gz").write_bytes(gzip.compress(first + more))
    (d / "maillog").write_bytes(make_bad._log(210, b""))
    ingest(d, db=db)
    assert _rows(db) == (once[0] + 4, once[1] + 4, 0)
    assert present(db, "spamd_events", "ip", "203.0.113.200") == 1
    assert present(db, "spamd_events", "ip", "203.0.113.210") == 1
    assert conservation(db) == []


def test_copytruncate_is_a_new_stream_not_mixed_with_the_old(tmp_path):
    log = tmp_path / "maillog"
    log.write_bytes(b"".join(make_bad._log(100 + 2 * i, b"") for i in range(30)))
    db = tmp_path / "c.duckdb"
    ingest(log, db=db)
    before = _rows(db)
    log.write_bytes(make_bad._log(220, b""))  # truncated in place, new lines under the same name
    ingest(log, db=db)
    assert _rows(db) == (before[0] + 2, before[1] + 2, 0)
    assert present(db, "spamd_events", "ip", "203.0.113.220") == 1
    assert conservation(db) == []
