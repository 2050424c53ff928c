"""mxlog export: the Parquet lake holds what the database holds, incrementally, and the metric
views computed over the lake equal the database's."""

import datetime as dt
import shutil

import duckdb
import pytest
from typer.testing import CliRunner

from conftest import ROOT, write_maillog
from mxlog import api, export
from mxlog.cli import app

SIM = ROOT / "samples" / "sim"
AT = dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    """samples/sim ingested once, exported once; tests that change them work on copies."""
    root = tmp_path_factory.mktemp("export")
    db, lake = root / "sim.duckdb", root / "lake"
    api.ingest([SIM / "mx1", SIM / "mx2", SIM / "mx3"], db=db, year=2026, at=AT)
    first = export.export(db, lake)
    return db, lake, first


def _lake_rows(con, lake, table, columns):
    return con.execute(
        f"SELECT {columns} FROM read_parquet('{lake}/{table}/**/*.parquet', hive_partitioning = true)"
    ).fetchall()


def _columns(con, table):
    return [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]


@pytest.mark.parametrize("table", export.TABLES)
def test_the_lake_holds_every_row_of_every_table(sim, table):
    db, lake, _ = sim
    con = duckdb.connect(str(db), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    n = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    assert n > 0, f"samples/sim should fill {table}"
    columns = ", ".join(f'"{c}"' for c in _columns(con, table))
    in_db = sorted(con.execute(f"SELECT {columns} FROM {table}").fetchall(), key=repr)
    in_lake = sorted(_lake_rows(con, lake, table, columns), key=repr)
    assert len(in_lake) == n
    assert in_lake == in_db
    # the partition columns say where each row came from
    host_col, ts_col = export.PARTITIONS[table]
    bad = con.execute(
        f"SELECT count(*) FROM read_parquet('{lake}/{table}/**/*.parquet', hive_partitioning = true,"
        " hive_types = {'host': VARCHAR, 'date': DATE})"
        f" WHERE host IS DISTINCT FROM {host_col} OR date IS DISTINCT FROM CAST({ts_col} AS DATE)"
    ).fetchone()[0]
    assert bad == 0


def test_the_lake_is_laid_out_by_table_host_and_day_in_zstd(sim):
    _, lake, _ = sim
    parts = sorted(p.relative_to(lake).parts[:3] for p in lake.glob("smtpd_events/*/*/*.parquet"))
    assert parts == [("smtpd_events", f"host=mx{i}", "date=2026-11-24") for i in (1, 2, 3)]
    con = duckdb.connect()
    codecs = {c for (c,) in con.execute(
        f"SELECT DISTINCT compression FROM parquet_metadata('{lake}/*/*/*/*.parquet')").fetchall()}
    assert codecs == {"ZSTD"}
    # types come from the database: timestamps with zone, lists, structs
    types = dict(con.execute(
        f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('{lake}/hops/**/*.parquet'))"
    ).fetchall())
    assert types["ts_start"] == "TIMESTAMP WITH TIME ZONE"
    assert types["lines"] == "STRUCT(file_id INTEGER, line_no BIGINT)[]"


def test_a_second_export_writes_nothing(sim):
    db, lake, first = sim
    assert sum(len(r.written) for r in first) > 0
    before = sorted(p for p in lake.rglob("*.parquet"))
    again = export.export(db, lake)
    assert [(r.written, r.removed) for r in again] == [([], [])] * len(export.TABLES)
    assert sorted(p for p in lake.rglob("*.parquet")) == before


def test_an_appended_day_writes_only_its_partitions(sim, tmp_path):
    db0, lake0, _ = sim
    db, lake = tmp_path / "sim.duckdb", tmp_path / "lake"
    shutil.copy(db0, db)
    shutil.copytree(lake0, lake)
    day2 = tmp_path / "mx1-day2" / "maillog"
    day2.parent.mkdir()
    write_maillog(day2, 5, day=25, host="mx1")
    api.ingest([day2], db=db, year=2026)
    reports = {r.table: r for r in export.export(db, lake)}
    written = {(t, h, d) for t, r in reports.items() for h, d in r.written}
    events = {w for w in written if w[0] not in ("journeys", "hops")}
    assert events == {
        ("smtpd_events", "mx1", "2026-11-25"),
        ("unparsed", "mx1", "2026-11-25"),  # the cron lines
        ("files", "mx1", "2026-11-25"),
    }
    assert all(r.removed == [] for r in reports.values())
    con = duckdb.connect(str(db), read_only=True)
    for table in ("smtpd_events", "unparsed", "files", "journeys", "hops"):
        n_db = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        assert len(_lake_rows(con, lake, table, "1")) == n_db, table
    # the untouched partitions are the very same files
    old = {p.relative_to(lake0) for p in lake0.glob("smtpd_events/host=mx1/date=2026-11-24/*.parquet")}
    assert {p.relative_to(lake) for p in lake.glob("smtpd_events/host=mx1/date=2026-11-24/*.parquet")} == old


def test_a_changed_partition_is_replaced_and_a_vanished_one_removed(sim, tmp_path):
    db0, lake0, _ = sim
    db, lake = tmp_path / "sim.duckdb", tmp_path / "lake"
    shutil.copy(db0, db)
    shutil.copytree(lake0, lake)
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM bgpd_events WHERE host = 'mx2'")
    con.execute("DELETE FROM bgpd_events WHERE host = 'mx1' AND line_no = (SELECT min(line_no) FROM bgpd_events WHERE host = 'mx1')")
    n = con.execute("SELECT count(*) FROM bgpd_events").fetchone()[0]
    con.close()
    r = export.export(db, lake, tables=["bgpd_events"])[0]
    assert r.written == [("mx1", "2026-11-24")] and r.removed == [("mx2", "2026-11-24")]
    assert list((lake / "bgpd_events").glob("host=mx2/*/*.parquet")) == []
    assert len(_lake_rows(duckdb.connect(), lake, "bgpd_events", "1")) == n


def test_since_and_until_limit_the_days(sim, tmp_path):
    db, _, _ = sim
    lake = tmp_path / "lake"
    reports = export.export(db, lake, tables=["smtpd_events", "unparsed"], since="2026-11-25")
    assert [r.written for r in reports] == [[], []]
    reports = export.export(db, lake, tables=["smtpd_events"], since="2026-11-24", until="2026-11-24")
    assert len(reports[0].written) == 3


@pytest.mark.parametrize("view", ["greylist_stats", "blacklist_stats", "hop_latency"])
def test_metric_views_over_the_lake_equal_the_database(sim, view):
    db, lake, _ = sim
    src = duckdb.connect(str(db), read_only=True)
    src.execute("SET TimeZone = 'UTC'")
    over_lake = duckdb.connect()
    over_lake.execute("SET TimeZone = 'UTC'")
    export.attach_lake(over_lake, lake)
    expected = src.execute(f"SELECT * FROM {view} ORDER BY ALL").fetchall()
    assert expected, f"{view} is empty on samples/sim"
    assert over_lake.execute(f"SELECT * FROM {view} ORDER BY ALL").fetchall() == expected


def test_export_command(sim, tmp_path):
    db, _, _ = sim
    runner = CliRunner()
    r = runner.invoke(app, ["export", "--out", str(tmp_path / "lake"), "--db", str(db), "--table", "bgpd_events", "-q"])
    assert r.exit_code == 0, r.output
    assert r.output == f"{tmp_path / 'lake'}: 3 partitions written, 0 removed, 10 rows\n"
    r = runner.invoke(app, ["export", "--out", str(tmp_path / "lake"), "--db", str(db), "--table", "nope"])
    assert r.exit_code == 1 and r.output.startswith("Error: cannot export nope\nHint: tables: smtpd_events")
    r = runner.invoke(app, ["export", "--out", str(tmp_path / "lake"), "--db", str(db), "--since", "24-11-2026"])
    assert r.exit_code == 2 and r.output.startswith("Error: bad day")


@pytest.mark.parametrize("command", ["export", "spark-ingest"])
def test_commands_have_help_and_are_in_the_readme(command):
    r = CliRunner().invoke(app, [command, "--help"])
    assert r.exit_code == 0 and "Usage" in r.output
    assert f"mxlog {command}" in (ROOT / "README.md").read_text()


def test_pseudonymized_export_keys_every_text_column_as_sql_does(sim, tmp_path):
    """`export --pseudonymize`: no address, IP or stranger's host name of the database in the
    lake; each cell is the token `mxlog sql --pseudonymize` prints for it with the same key; row
    counts and the other columns as in the database; a plain export into it is refused."""
    import re

    from mxlog.privacy import Pseudonymizer

    db, _, _ = sim
    lake = tmp_path / "lake"
    tables = ["smtpd_events", "spamd_events", "spampd_events", "journeys"]
    r = CliRunner().invoke(app, ["export", "--out", str(lake), "--db", str(db), "-q", "--pseudonymize",
                                 "--pseudonymize-key", "k1", *sum((["--table", t] for t in tables), [])])
    assert r.exit_code == 0, r.output
    con = duckdb.connect(str(db), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    pz = Pseudonymizer(b"k1")
    ips = {ip for (ip,) in con.execute("SELECT DISTINCT ip FROM smtpd_events WHERE ip IS NOT NULL").fetchall()}
    helos = {h for (h,) in con.execute("SELECT DISTINCT helo FROM spamd_events WHERE helo LIKE '%.%'").fetchall()}
    assert ips and helos
    for table in tables:
        columns = _columns(con, table)
        cols = ", ".join(f'"{c}"' for c in columns)
        want = sorted((pz.row(columns, row) for row in con.execute(f"SELECT {cols} FROM {table}").fetchall()), key=repr)
        got = sorted(_lake_rows(con, lake, table, cols), key=repr)
        assert got == want, table
        text = repr(got)
        assert not [v for v in ips | helos if re.search(rf"(?<![\w.]){re.escape(v)}(?![\w.])", text)], table
    assert re.search(r"ip4-[0-9a-f]{8}", repr(_lake_rows(con, lake, "smtpd_events", "ip")))
    # the lake is pseudonymized with k1: neither a plain export nor another key may add to it
    for extra in ([], ["--pseudonymize", "--pseudonymize-key", "k2"]):
        r = CliRunner().invoke(app, ["export", "--out", str(lake), "--db", str(db), "-q", "--table", "bgpd_events", *extra])
        assert r.exit_code == 1 and r.output.startswith(f"Error: the lake at {lake} "), r.output
    again = CliRunner().invoke(app, ["export", "--out", str(lake), "--db", str(db), "-q", "--pseudonymize",
                                     "--pseudonymize-key", "k1", "--table", "smtpd_events"])
    assert again.exit_code == 0 and again.output.endswith(": 0 partitions written, 0 removed, 0 rows\n"), again.output
