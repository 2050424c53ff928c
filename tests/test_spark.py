"""mxlog spark-ingest: the same declarations on Apache Spark give the same rows as `mxlog ingest`.

Marked `spark`: skipped when pyspark or a Java runtime is missing (`make test` installs both).
One SparkSession for the module, the simulated samples of the three hosts as input."""

import re
import shutil
from decimal import Decimal
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

# the other stamps parsers/syslog.py frames (formats.md section 0), read by both engines beside
# the samples: ISO/RFC 3339 (Z, +hh:mm, +hhmm, fraction), `YYYY-MM-DD HH:MM:SS` (wall clock in
# --tz), TAI64N, and stamps that are not one (unparsed alike)
STAMPS = (
    "2026-11-24T10:00:01.123456+01:00 mx9 smtpd[12]: 0123456789abcdef smtp connected address=192.0.2.1 host=a.example\n"
    "2026-11-24T10:00:02Z mx9 smtpd[12]: 0123456789abcdef smtp disconnected reason=quit\n"
    "2026-11-24T10:00:03.5+0100 mx9 spamd[3]: 192.0.2.1: connected (1/0)\n"
    "2026-11-24 10:00:04 mx9 spamd[3]: 192.0.2.1: disconnected after 4 seconds.\n"
    "@400000004c91b044077a9e94 mx9 smtpd[12]: 0123456789abcdee smtp connected address=192.0.2.2 host=b.example\n"
    "2026-11-24T10:00:05 mx9 smtpd[12]: no zone: not a stamp\n"
    "2026-11-24T10:00:61Z mx9 smtpd[12]: not a time\n"
)
STAMPS_TS = [  # (line_no, UTC time) of the rows the stamped lines give
    (1, "2026-11-24 09:00:01.123456"), (2, "2026-11-24 10:00:02.000000"), (3, "2026-11-24 09:00:03.500000"),
    (4, "2026-11-24 10:00:04.000000"), (5, "2010-09-16 05:50:50.125476"),
]

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
    (root / "stamps").mkdir()
    stamps = root / "stamps" / "maillog"
    stamps.write_text(STAMPS)
    files = [*FILES, stamps]
    api.ingest(files, db=db, year=2026)
    report = ingest([str(f) for f in files], str(lake), year=2026, spark=spark)
    con = duckdb.connect(str(db), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    yield con, lake, report, db
    con.close()


def _lake(lake, table):
    return f"read_parquet('{lake}/{table}/**/*.parquet', hive_partitioning = true, hive_types = {{'host': VARCHAR, 'date': DATE}})"


def test_same_rows_per_table_and_pattern(both):
    con, lake, report, _ = both
    for table in SYSLOG_TABLES:
        want = dict(con.execute(f"SELECT pattern, count(*) FROM {table} GROUP BY 1").fetchall())
        got = dict(con.execute(f"SELECT pattern, count(*) FROM {_lake(lake, table)} GROUP BY 1").fetchall())
        assert got == want, table
        assert report.rows.get(table, 0) == sum(want.values())
    lines = con.execute("SELECT sum(lines_read), sum(lines_unparsed) FROM files").fetchone()
    assert (report.lines, report.unparsed) == lines


def test_iso_tai64n_and_space_separated_stamps_frame_alike(both):
    con, lake, _, _ = both
    rows = []
    for table in ("smtpd_events", "spamd_events"):
        rows += con.execute(
            f"SELECT line_no, strftime(ts AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f'), host, pid FROM {_lake(lake, table)}"
            " WHERE file LIKE '%/stamps/maillog'"
        ).fetchall()
    assert sorted(rows) == [(n, t, "mx9", 3 if n in (3, 4) else 12) for n, t in STAMPS_TS]
    bad = con.execute(f"SELECT line_no, reason FROM {_lake(lake, 'unparsed')} WHERE file LIKE '%/stamps/maillog' ORDER BY 1").fetchall()
    assert bad == [(6, "no-syslog-header"), (7, "no-syslog-header")]
    # and the engine frames them the same: the comparisons below cover every row of this file


def test_same_unparsed_lines(both):
    con, lake, _, _ = both
    want = con.execute(
        "SELECT f.path, u.line_no, u.reason, u.program, u.host, u.ts, u.raw FROM unparsed u JOIN files f USING (file_id) ORDER BY ALL"
    ).fetchall()
    got = con.execute(f"SELECT file, line_no, reason, program, host, ts, raw FROM {_lake(lake, 'unparsed')} ORDER BY ALL").fetchall()
    assert len(want) > 50
    assert got == want


def test_identical_typed_values_in_smtpd_events(both):
    con, lake, _, _ = both
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
    con, lake, _, _ = both
    columns = [c for (c, *_) in con.execute(f"DESCRIBE {table}").fetchall() if c != "file_id"]
    cols = ", ".join(f'e."{c}"' for c in columns)
    want = con.execute(f"SELECT f.path, {cols} FROM {table} e JOIN files f USING (file_id) ORDER BY ALL").fetchall()
    got = con.execute(f"SELECT file, {cols} FROM {_lake(lake, table)} e ORDER BY ALL").fetchall()
    assert [(g, w) for g, w in zip(got, want) if g != w] == [] and len(got) == len(want)


def test_file_table_and_provenance(both):
    """The lake's `files` has the database's row for every input file (its fingerprint, size,
    line counts and time range), and every event and unparsed row's `file_id` is the id of the
    file named in its `file`."""
    con, lake = both[0], both[1]
    cols = ("path, host, kind, compression, fingerprint, fp_len, size, lines_read, lines_parsed, lines_unparsed,"
            " rows, first_ts, last_ts, tz")
    want = con.execute(f"SELECT {cols} FROM files ORDER BY path").fetchall()
    got = con.execute(f"SELECT {cols} FROM {_lake(lake, 'files')} ORDER BY path").fetchall()
    assert len(want) == len(FILES) + 1 and got == want
    assert con.execute(f"SELECT count(DISTINCT file_id) FROM {_lake(lake, 'files')}").fetchone()[0] == len(want)
    path_of = dict(con.execute(f"SELECT file_id, path FROM {_lake(lake, 'files')}").fetchall())
    for table in [*SYSLOG_TABLES, "unparsed"]:
        pairs = con.execute(f"SELECT DISTINCT file_id, file FROM {_lake(lake, table)}").fetchall()
        assert pairs and all(path_of.get(i) == f for i, f in pairs), table


@pytest.fixture(scope="module")
def exported(both, tmp_path_factory):
    """`mxlog export` of the database `both` built (with its journeys and hops)."""
    from mxlog import export

    lake = tmp_path_factory.mktemp("exported") / "lake"
    export.export(both[3], lake)
    return lake


METRIC_VIEWS = ["spamd_connections", "greylist_outcomes", "greylist_stats", "blacklist_stats", "hop_latency"]


def _norm(rows):
    """Rows of either engine as comparable values: Spark gives Decimal where DuckDB gives a
    float, naive UTC times where DuckDB gives aware ones, lists where DuckDB gives lists."""
    import datetime as dt

    def v(x):
        if isinstance(x, (float, Decimal)):
            return round(float(x), 6)
        if isinstance(x, dt.datetime) and x.tzinfo is not None:
            return x.astimezone(dt.timezone.utc).replace(tzinfo=None)
        if isinstance(x, list):
            return tuple(v(y) for y in x)
        return x

    return sorted((tuple(v(x) for x in r) for r in rows), key=repr)


@pytest.mark.parametrize("view", METRIC_VIEWS)
def test_metric_views_in_spark_sql_over_an_exported_lake(spark, both, exported, view):
    """`lake_views`: the report's metric views (and the two with the least literal translation,
    spamd_connections's ASOF join and greylist_outcomes's correlated subqueries) in Spark SQL
    over `mxlog export`'s lake equal the database's, row for row: the guard of a hand copy."""
    from mxlog.spark import lake_views

    con = both[0]
    assert view in lake_views(spark, str(exported))
    want = con.execute(f"SELECT * FROM {view}").fetchall()
    got = spark.sql(f"SELECT * FROM {view}").collect()
    assert len(want) >= 4, f"{view} is (nearly) empty on samples/sim: the comparison would prove little"
    assert _norm(got) == _norm(want)
    assert spark.table(view).columns == [c for c, *_ in con.execute(f"DESCRIBE {view}").fetchall()]


@pytest.mark.parametrize("view", ["greylist_stats", "blacklist_stats"])
def test_metric_views_over_the_spark_ingested_lake(spark, both, view):
    """No DuckDB on the way: spark-ingest's own lake, then the views in Spark SQL, give the
    database's numbers (hop_latency needs journeys, which only `mxlog ingest` builds)."""
    from mxlog.spark import lake_views

    con, lake = both[0], both[1]
    made = lake_views(spark, str(lake))
    assert view in made and "hop_latency" not in made
    assert _norm(spark.sql(f"SELECT * FROM {view}").collect()) == _norm(con.execute(f"SELECT * FROM {view}").fetchall())


def test_spark_sql_copies_match_the_duckdb_definitions():
    """TRANSLATED_FROM names every DuckDB definition metric_views_sql copies, with the hash of
    its text at the time of the copy: a changed view or macro in mxlog/migrations fails here
    until its Spark SQL copy is redone (and the hash updated)."""
    from mxlog.spark import TRANSLATED_FROM, definition_hash, metric_views_sql

    assert {n for n, _ in metric_views_sql()} <= set(TRANSLATED_FROM)
    changed = [n for n, h in TRANSLATED_FROM.items() if definition_hash(n) != h]
    assert changed == [], f"DuckDB definitions changed since their Spark SQL copy in mxlog/spark.py: {changed}"
