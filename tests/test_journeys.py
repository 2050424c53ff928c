"""Journeys and hops against the simulator's ground truth, for every OpenSMTPD log family;
incremental builds; `mxlog trace`; smtpd.conf port mapping."""

import datetime as dt
import json
import shutil

import duckdb
import pytest
from typer.testing import CliRunner

from conftest import ROOT
from mxlog import api, journeys, smtpdconf, store
from mxlog.cli import app
from mxlog.simulate import accuracy, simulate

SIM = ROOT / "samples" / "sim"
AT = dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc)
HOSTS = ("mx1", "mx2", "mx3")


@pytest.fixture(scope="module")
def sim_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("jsim") / "sim.duckdb"
    report = api.ingest([SIM / h for h in HOSTS], db=db, year=2026, at=AT)
    assert report.journeys["mode"] == "full"
    con = duckdb.connect(str(db), read_only=True)
    yield db, con
    con.close()


def test_samples_are_rebuilt_exactly(sim_db):
    _, con = sim_db
    res = accuracy.compare(con, SIM / "truth" / "journeys.jsonl")
    assert res["exact_share"] >= 0.995, res["mismatches"]
    assert res["wrong_id_links"] == 0
    assert res["built_not_in_truth"] == 0
    # the cases the issue names are all there
    statuses = {k.split("/")[1] for k in res["by_status"]}
    assert {"delivered", "bounced", "greylisted", "tarpitted", "trapped", "rejected"} <= statuses


@pytest.mark.parametrize("family", ["A", "B", "C", "D"])
def test_every_older_smtpd_family_is_rebuilt_exactly(tmp_path, family):
    out = tmp_path / family
    simulate(out, seed=3, days=1, rate=8.0, smtpd_format=family)
    db = tmp_path / "db.duckdb"
    api.ingest([out / h for h in HOSTS], db=db, year=2026, at=AT)
    con = duckdb.connect(str(db), read_only=True)
    res = accuracy.compare(con, out / "truth" / "journeys.jsonl")
    con.close()
    assert res["truth_journeys"] > 300
    assert res["exact_share"] >= 0.995, (family, res["mismatches"], res["examples"][:3])
    assert res["wrong_id_links"] == 0


def test_hops_are_contiguous_and_in_order(sim_db):
    _, con = sim_db
    # from the first acceptance on, each hop starts where the previous one ended
    gaps = con.execute("""
        SELECT count(*) FROM (
            SELECT journey_id, stage, ts_start, lag(ts_end) OVER (PARTITION BY journey_id ORDER BY seq) AS prev_end,
                   lag(stage) OVER (PARTITION BY journey_id ORDER BY seq) AS prev_stage
            FROM hops)
        WHERE prev_stage IS NOT NULL AND prev_stage NOT IN ('pf', 'spamd') AND stage <> 'smtpd_in'
          AND ts_start <> prev_end""").fetchone()[0]
    assert gaps == 0
    bad_seq = con.execute("SELECT count(*) FROM (SELECT journey_id, max(seq) AS m, count(*) AS n FROM hops GROUP BY 1) "
                          "WHERE m <> n").fetchone()[0]
    assert bad_seq == 0
    assert con.execute("SELECT count(*) FROM hops WHERE duration_s < 0").fetchone()[0] == 0
    # every hop names its raw lines
    assert con.execute("SELECT count(*) FROM hops WHERE len(lines) = 0").fetchone()[0] == 0


def test_completeness_view_counts_every_hop(sim_db):
    _, con = sim_db
    total, by = con.execute("SELECT sum(hops), sum(by_id + by_time + unlinked + ambiguous) FROM correlation_completeness").fetchone()
    assert total == con.execute("SELECT count(*) FROM hops").fetchone()[0] == by
    # smtpd hops rest on ids, proxies on time windows
    rows = dict(con.execute("SELECT stage, sum(pct_by_id) / count(*) FROM correlation_completeness GROUP BY stage").fetchall())
    assert rows["smtpd_reinject"] == 100 and rows["lmtp"] == 100 and rows["backup_queue"] == 100


def test_unchanged_reingest_does_not_rebuild(sim_db, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copy(sim_db[0], db)
    report = api.ingest([SIM / h for h in HOSTS], db=db, year=2026, at=AT)
    assert report.journeys["mode"] == "unchanged"


def _split(src, dst_a, dst_b, cut: str):
    """Copy a log host directory in two halves by syslog time prefix `cut` ('Nov 24 12:')."""
    for f in src.iterdir():
        if f.name in ("maillog", "daemon"):
            lines = f.read_text().splitlines(keepends=True)
            i = next((k for k, line in enumerate(lines) if line[:10] >= cut), len(lines))
            (dst_a / f.name).write_text("".join(lines[:i]))
            (dst_b / f.name).write_text("".join(lines))


def test_incremental_build_equals_a_full_build(tmp_path):
    sim = tmp_path / "sim"
    simulate(sim, seed=5, days=2, rate=6.0)
    first, grown = tmp_path / "first", tmp_path / "grown"
    for h in HOSTS:
        (first / h).mkdir(parents=True)
        (grown / h).mkdir(parents=True)
        _split(sim / h, first / h, grown / h, "Nov 25 06")
    db = tmp_path / "inc.duckdb"
    # day one, then the grown files (same content identity: only the new lines are read)
    api.ingest([first / h for h in HOSTS], db=db, year=2026, at=AT)
    for h in HOSTS:
        for f in (grown / h).iterdir():
            shutil.copy(f, first / h / f.name)
    con = store.connect(db)
    api_report = api.ingest([first / h for h in HOSTS], db=db, year=2026, at=AT, journeys=False)
    assert api_report.totals()["rows"] > 0
    b = journeys.build(con, window=dt.timedelta(hours=2))
    assert b["mode"] == "incremental" and 0 < b["journeys"] < con.execute("SELECT count(*) FROM journeys").fetchone()[0]
    inc_j = con.execute("SELECT * FROM journeys ORDER BY journey_id").fetchall()
    inc_h = con.execute("SELECT * FROM hops ORDER BY journey_id, seq").fetchall()
    journeys.build(con, full=True)
    full_j = con.execute("SELECT * FROM journeys ORDER BY journey_id").fetchall()
    full_h = con.execute("SELECT * FROM hops ORDER BY journey_id, seq").fetchall()
    con.close()
    assert len(inc_j) == len(full_j)
    assert [r for r in inc_j if r not in full_j] == []
    assert inc_h == full_h


runner = CliRunner()


def test_trace_shows_every_hop_with_its_raw_lines(sim_db):
    db, con = sim_db
    mid = con.execute("SELECT message_id, msgids FROM journeys WHERE via_backup AND final_status = 'delivered' "
                      "ORDER BY journey_id LIMIT 1").fetchone()
    r = runner.invoke(app, ["trace", "--db", str(db), mid[0]])
    assert r.exit_code == 0, r.output
    for stage in ("smtpd_in", "backup_queue", "spampd", "smtpd_reinject", "lmtp"):
        assert stage in r.stdout
    assert f"stat=\"250 2.0.0 {mid[1][1]} Message accepted" in r.stdout  # the reply that links the hosts
    assert "saved mail to" in r.stdout  # Dovecot's line
    r = runner.invoke(app, ["trace", "--db", str(db), "--format", "json", mid[1][-1]])
    assert r.exit_code == 0, r.output
    [j] = json.loads(r.stdout)
    assert j["msgids"] == list(mid[1]) and all(h["raw"] for h in j["hops"])
    r = runner.invoke(app, ["trace", "--db", str(db), "nobody@nowhere.example"])
    assert r.exit_code == 1 and "no journey matches" in r.stderr


SEED_CONF = """
listen on egress tls auth-optional          # MTA
listen on lo0 port 10026 tag SPAM_IN
accept tagged SPAM_IN for domain <domains> virtual <users> deliver to lmtp "/var/dovecot/lmtp"
# untagged mail is sent to SpamAssassin
accept from any \\
    recipient ! <blacklist-recipients> \\
    for domain <domains> \\
    relay via smtp://127.0.0.1:10025    # send to spampd
listen on lo0 port 10028 tag DKIM_OUT
accept tagged DKIM_OUT for any relay
# Accept mail from local
# - relay via smtp://127.0.0.1:10027
#   (send to dkimproxy_out)
accept from local \\
    for any \\
    relay via smtp://127.0.0.1:10027
"""

CLAM_CONF = """
listen on lo0 port 10030 tag CLAMAV_IN
accept tagged CLAMAV_IN for domain <domains> relay via smtp://127.0.0.1:10025   # send to spamd
accept from any for domain <domains> relay via smtp://127.0.0.1:10029   # send to clamav
"""

NEW_CONF = """
action "local_mail" lmtp "/var/dovecot/lmtp"
action "spamassassin" relay host smtp://127.0.0.1:10025
action "sign" relay host smtp://127.0.0.1:10027
action "outbound" relay host smtp://mail.provider.example:587
match from any for domain <domains> action "spamassassin"
match from local for any action "sign"
"""


def test_smtpd_conf_old_new_and_clamsmtp_syntax():
    assert smtpdconf.proxy_ports(SEED_CONF) == {10025: "spampd", 10027: "dkimproxy"}
    assert smtpdconf.proxy_ports(CLAM_CONF) == {10025: "spampd", 10029: "clamsmtp"}
    assert smtpdconf.proxy_ports(NEW_CONF) == {10025: "spampd", 10027: "dkimproxy"}


def test_smtpd_conf_names_the_proxy_stage(sim_db, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copy(sim_db[0], db)
    conf = tmp_path / "smtpd.conf"
    conf.write_text("accept from any for domain <d> relay via smtp://127.0.0.1:10025  # send to clamav\n")
    r = runner.invoke(app, ["journeys", "--db", str(db), "--smtpd-conf", str(conf)])
    assert r.exit_code == 0, r.output
    con = duckdb.connect(str(db), read_only=True)
    stages = dict(con.execute("SELECT stage, count(*) FROM hops GROUP BY stage").fetchall())
    con.close()
    assert stages.get("clamsmtp", 0) > 400 and "spampd" not in stages
    bad = tmp_path / "empty.conf"
    bad.write_text("listen on egress\n")
    r = runner.invoke(app, ["journeys", "--db", str(db), "--smtpd-conf", str(bad)])
    assert r.exit_code == 1 and "no `relay via`" in r.stderr


def test_readme_trace_output_is_current(tmp_path):
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text()
    cmd = "$ mxlog trace --db sim.duckdb '<20261124000501.8323937532@mail1.example.net>'\n"
    shown = readme.split(cmd, 1)[1].split("```", 1)[0]
    db = tmp_path / "sim.duckdb"
    mx = [sys.executable, "-m", "mxlog"]
    subprocess.run(mx + ["ingest", "samples/sim/mx1", "samples/sim/mx2", "samples/sim/mx3", "--db", str(db),
                         "--year", "2026", "-q"], cwd=ROOT, check=True)
    r = subprocess.run(mx + ["trace", "--db", str(db), "<20261124000501.8323937532@mail1.example.net>"],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout == shown, "README's trace output is stale: paste the new output"


EXPIRED = """\
Nov 20 10:00:00 mx1 smtpd[1]: 1111111111111111 smtp connected address=203.0.113.5 host=client.example
Nov 20 10:00:01 mx1 smtpd[1]: 1111111111111111 smtp authentication user=alice result=ok
Nov 20 10:00:02 mx1 smtpd[1]: 1111111111111111 smtp message msgid=9a3b2c1d size=1000 nrcpt=1 proto=ESMTP
Nov 20 10:00:02 mx1 smtpd[1]: 1111111111111111 smtp envelope evpid=9a3b2c1d00aa11bb from=<alice@example.org> to=<bob@example.net>
Nov 20 10:00:02 mx1 smtpd[1]: 1111111111111111 smtp disconnected reason=quit
Nov 20 10:05:00 mx1 smtpd[1]: 2222222222222222 mta delivery evpid=9a3b2c1d00aa11bb from=<alice@example.org> to=<bob@example.net> rcpt=<-> source="192.0.2.10" relay="198.51.100.7 (mx.example.net)" delay=5m result="TempFail" stat="421 4.7.0 try again later"
Nov 24 10:00:03 mx1 smtpd[1]: relay: Expire for 9a3b2c1d00aa11bb: from=<alice@example.org>, to=<bob@example.net>, rcpt=<->, delay=4d, stat=Envelope expired
"""


def test_an_envelope_the_queue_gave_up_on_is_expired(tmp_path):
    log = tmp_path / "maillog"
    log.write_text(EXPIRED)
    db = tmp_path / "x.duckdb"
    report = api.ingest([log], db=db, year=2026)
    assert report.totals()["lines_unparsed"] == 0
    con = duckdb.connect(str(db), read_only=True)
    (status, direction, result, n) = con.execute(
        "SELECT final_status, direction, final_result, n_hops FROM journeys").fetchone()
    stages = con.execute("SELECT stage, result, duration_s FROM hops ORDER BY seq").fetchall()
    con.close()
    assert (status, direction, result) == ("expired", "outbound", "Expired")
    assert stages[-1][:2] == ("mta_out", "Expired") and stages[-1][2] == 4 * 86400 + 1  # every retry inside


def test_two_builds_of_the_same_data_are_identical(sim_db, tmp_path):
    db = tmp_path / "twice.duckdb"
    shutil.copy(sim_db[0], db)
    con = store.connect(db)
    first = con.execute("SELECT * FROM hops ORDER BY journey_id, seq").fetchall()
    journeys.build(con, full=True)
    again = con.execute("SELECT * FROM hops ORDER BY journey_id, seq").fetchall()
    con.close()
    assert first == again


def test_trace_finds_raw_lines_from_any_directory(tmp_path):
    import subprocess
    import sys

    db = tmp_path / "sim.duckdb"
    mx = [sys.executable, "-m", "mxlog"]
    subprocess.run(mx + ["ingest", "samples/sim/mx2", "--db", str(db), "--year", "2026", "-q"], cwd=ROOT, check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    con = duckdb.connect(str(db), read_only=True)
    msgid = con.execute("SELECT msgids[1] FROM journeys WHERE len(msgids) > 0 ORDER BY journey_id LIMIT 1").fetchone()[0]
    con.close()
    r = subprocess.run(mx + ["trace", "--db", str(db), msgid], cwd=elsewhere, capture_output=True, text=True,
                       env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr
    assert "smtp message msgid=" + msgid in r.stdout and "line not available" not in r.stdout


def _tables(con):
    return (con.execute("SELECT * FROM hops ORDER BY ALL").fetchall(),
            con.execute("SELECT * EXCLUDE (journey_id) FROM journeys ORDER BY ALL").fetchall())


@pytest.mark.parametrize("collide", [False, True])
def test_hop_order_from_the_path_equals_the_window(sim_db, tmp_path, monkeypatch, collide):
    # build() numbers hops from the node's depth where journey ids name one path each, else with
    # row_number() over every hop: both give the same tables, also when two messages of one host
    # share a msgid and a recipient (a copy of a session under another id: the window's case)
    db = tmp_path / "seq.duckdb"
    shutil.copy(sim_db[0], db)
    con = store.connect(db)
    if collide:
        session = con.execute("SELECT session FROM smtpd_events WHERE event = 'message' AND subsystem = 'smtp' "
                              "ORDER BY ts, session LIMIT 1").fetchone()[0]
        con.execute("INSERT INTO smtpd_events SELECT * REPLACE ('f' || substr(session, 2) AS session, "
                    "ts + INTERVAL 1 HOUR AS ts) FROM smtpd_events WHERE session = ?", [session])
    journeys.build(con, full=True)
    fast = _tables(con)
    monkeypatch.setattr(journeys, "GENERIC_SEQ", True)
    journeys.build(con, full=True)
    assert _tables(con) == fast
    dup = con.execute("SELECT count(*) - count(DISTINCT journey_id) FROM journeys").fetchone()[0]
    con.close()
    assert (dup > 0) == collide
