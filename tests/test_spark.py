"""mxlog spark-ingest: the same declarations on Apache Spark give the same rows as `mxlog ingest`.

Marked `spark`: skipped when pyspark or a Java runtime is missing (`make test` installs both).
One SparkSession for the module, the simulated samples of the three hosts as input."""

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT
from mxlog import api
from mxlog.spark import java_group_names, mark_participation, to_java, whole_match
from parsers import REGISTRY

SIM = ROOT / "samples" / "sim"
FILES = [SIM / f"mx{i}" / name for i in (1, 2, 3) for name in ("maillog", "daemon")]
SYSLOG_TABLES = sorted({p.table for p in REGISTRY if p.kind == "syslog"})

pytestmark = pytest.mark.spark


@pytest.mark.filterwarnings("ignore::FutureWarning")  # Python warns about `[[` and `&&`: the point here
def test_translation_to_java_syntax():
    assert to_java(r"^(?P<mail_from>[^ <>]*) (?P<x>\S+)$") == r"^(?<mailfrom>[^ <>]*) (?<x>\S+)$"
    # Java reads '[' inside a class as a nested class and '&&' as an intersection
    assert to_java(r"^[[a&&b]x\]]$") == r"^[\[a\&\&b]x\]]$"
    assert to_java(r"^[]a](?P<a>[^]])$") == r"^[]a](?<a>[^]])$"
    assert java_group_names("(?P<a_b>x)(?P<ab>y)") == {"a_b": "ab", "ab": "ab2"}
    marked, plans = mark_participation(r"^a(?: x=(?P<x>\S*))?(?P<y>\S+)?(?P<z>\d*)$")
    by_name = {g.name: g for g in plans}
    assert by_name["x"].marker and not by_name["y"].marker and not by_name["z"].marker
    assert by_name["y"].optional and not by_name["z"].optional
    m = re.match(marked, "a x=")
    assert m.group("x") == "" and (m.group("x__a") or m.group("x__b"))
    m = re.match(marked, "a")
    assert m.group("x") is None and not (m.group("x__a") or m.group("x__b"))


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark")
    if shutil.which("java") is None and not _java_home():
        pytest.skip("no Java runtime (make test installs openjdk-17-jre-headless)")
    from mxlog.spark import session

    s = session("local[2]", app="mxlog-tests")
    yield s
    s.stop()


def _java_home():
    import os

    return os.environ.get("JAVA_HOME") and Path(os.environ["JAVA_HOME"], "bin", "java").exists()


def test_every_declared_regex_compiles_in_java(spark):
    Pattern = spark._jvm.java.util.regex.Pattern
    checked = 0
    for parser in REGISTRY:
        Pattern.compile("(?sU)" + to_java(parser.router))
        for d in parser.derived:
            Pattern.compile("(?sU)" + to_java(d.regex))
        for p in parser.patterns:
            marked, _ = mark_participation(p.regex)
            for python_rx, java_rx in ((p.regex, whole_match(p.regex)), (marked, whole_match(marked))):
                compiled = Pattern.compile(java_rx)  # raises on a syntax Java does not have
                # same groups, same numbers: values are taken by group number
                assert compiled.matcher("").groupCount() == re.compile(python_rx).groups, p.name
                checked += 1
    assert checked > 2 * 200


@pytest.fixture(scope="module")
def both(spark, tmp_path_factory):
    """The same six files through `mxlog ingest` (DuckDB) and `mxlog spark-ingest` (lake)."""
    from mxlog.spark import ingest

    root = tmp_path_factory.mktemp("spark")
    db, lake = root / "sim.duckdb", root / "lake"
    api.ingest(FILES, db=db, year=2026, journeys=False)
    report = ingest([str(f) for f in FILES], str(lake), year=2026, spark=spark)
    con = duckdb.connect(str(db), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    yield con, lake, report
    con.close()


def _lake(lake, table):
    return f"read_parquet('{lake}/{table}/**/*.parquet', hive_partitioning = true, hive_types = {{'host': VARCHAR, 'date': DATE}})"


def test_same_rows_per_table_and_pattern(both):
    con, lake, report = both
    for table in SYSLOG_TABLES:
        want = dict(con.execute(f"SELECT pattern, count(*) FROM {table} GROUP BY 1").fetchall())
        got = dict(con.execute(f"SELECT pattern, count(*) FROM {_lake(lake, table)} GROUP BY 1").fetchall())
        assert got == want, table
        assert report.rows.get(table, 0) == sum(want.values())
    lines = con.execute("SELECT sum(lines_read), sum(lines_unparsed) FROM files").fetchone()
    assert (report.lines, report.unparsed) == lines


def test_same_unparsed_lines(both):
    con, lake, _ = both
    want = con.execute(
        "SELECT f.path, u.line_no, u.reason, u.program, u.host, u.ts, u.raw FROM unparsed u JOIN files f USING (file_id) ORDER BY ALL"
    ).fetchall()
    got = con.execute(f"SELECT file, line_no, reason, program, host, ts, raw FROM {_lake(lake, 'unparsed')} ORDER BY ALL").fetchall()
    assert len(want) > 50
    assert got == want


def test_identical_typed_values_in_smtpd_events(both):
    con, lake, _ = both
    columns = [c for (c, *_) in con.execute("DESCRIBE smtpd_events").fetchall() if c != "file_id"]
    cols = ", ".join(f'e."{c}"' for c in columns)
    want = con.execute(f"SELECT f.path, {cols} FROM smtpd_events e JOIN files f USING (file_id) ORDER BY ALL").fetchall()
    got = con.execute(f"SELECT file, {cols} FROM {_lake(lake, 'smtpd_events')} e ORDER BY ALL").fetchall()
    assert len(got) == len(want) > 6000
    diff = [(g, w) for g, w in zip(got, want) if g != w]
    assert diff == []
    # and the column types are the database's
    types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {_lake(lake, 'smtpd_events')})").fetchall())
    want_types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE smtpd_events)").fetchall())
    assert {c: types[c] for c in columns} == {c: want_types[c] for c in columns}


@pytest.mark.parametrize("table", ["spamd_events", "dovecot_events", "spampd_events"])
def test_identical_typed_values_in_other_tables(both, table):
    con, lake, _ = both
    columns = [c for (c, *_) in con.execute(f"DESCRIBE {table}").fetchall() if c != "file_id"]
    cols = ", ".join(f'e."{c}"' for c in columns)
    want = con.execute(f"SELECT f.path, {cols} FROM {table} e JOIN files f USING (file_id) ORDER BY ALL").fetchall()
    got = con.execute(f"SELECT file, {cols} FROM {_lake(lake, table)} e ORDER BY ALL").fetchall()
    assert [(g, w) for g, w in zip(got, want) if g != w] == [] and len(got) == len(want)
