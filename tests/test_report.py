"""`mxlog report`: the three renderings of samples/sim, numbers equal to the SQL views, the
journeys sections with and without journeys, previous-day comparison, and hostile strings escaped."""

import base64
import datetime as dt
import json
import re
import shutil

import duckdb
import pytest
from typer.testing import CliRunner

from conftest import ROOT, write_maillog
from mxlog import api
from mxlog.cli import app
from mxlog.report import period as period_mod
from mxlog.store import connect

SIM = ROOT / "samples" / "sim"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def sim_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("sim") / "sim.duckdb"
    at = dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc)
    api.ingest([SIM / "mx1", SIM / "mx2", SIM / "mx3"], db=db, year=2026, at=at)
    return db


@pytest.fixture(scope="module")
def sim_report(sim_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    r = run("report", "--db", sim_db, "--out", out)
    assert r.exit_code == 0, r.output
    assert r.stdout.split() == [str(out / "index.html"), str(out / "report.md"), str(out / "report.json")]
    return out


def test_report_on_samples_sim_writes_all_three_formats(sim_report):
    html = (sim_report / "index.html").read_text()
    md = (sim_report / "report.md").read_text()
    data = json.loads((sim_report / "report.json").read_text())
    assert data["period"] == {"start": "2026-11-24", "end": "2026-11-25", "days": 1, "label": "2026-11-24"}
    assert data["hosts"] == ["mx1", "mx2", "mx3"]
    for title in ("Summary", "Greylisting", "Blacklists", "Latency per hop", "Correlation completeness",
                  "Traffic (pflogsumm)", "Spam verdicts (spampd)", "Logins", "Unparsed lines"):
        assert f">{title}</h2>" in html and f"## {title}\n" in md
    # self-contained: charts are data: PNGs, nothing is fetched, no script can run
    images = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", html)
    assert len(images) >= 4 and all(base64.b64decode(i)[:8] == b"\x89PNG\r\n\x1a\n" for i in images)
    assert "<script" not in html.lower() and "http://" not in html and "https://" not in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    # the published baselines stand beside our figures
    assert "devnull.fr 2007" in md and "conman.org 2007" in html and "RFC 5321" in md


def _view(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    cur = con.execute(sql)
    cols = [d[0] for d in cur.description]
    out = [dict(zip(cols, r)) for r in cur.fetchall()]
    con.close()
    return out


def test_json_numbers_equal_the_sql_views(sim_db, sim_report):
    data = json.loads((sim_report / "report.json").read_text())
    summary = {i["key"]: i["value"] for i in data["summary"]["items"]}
    g = _view(sim_db, "SELECT * FROM greylist_stats WHERE host = 'all' AND day = DATE '2026-11-24'")[0]
    for key in ("grey_connections", "black_connections", "white_connections", "tuples", "tuples_passed",
                "never_passed_pct"):
        assert summary[key] == g[key], key
    [row] = data["greylisting"]["by_day"]
    assert {k: row[k] for k in ("tuples_never_retried", "tuples_delivered", "pass_delay_p50_s", "pass_delay_max_s")} == \
        {k: g[k] for k in ("tuples_never_retried", "tuples_delivered", "pass_delay_p50_s", "pass_delay_max_s")}
    assert data["greylisting"]["pass_delay_s"]["p50"] == g["pass_delay_p50_s"]
    assert data["greylisting"]["pass_delay_s"]["p100"] == g["pass_delay_max_s"]
    lists = {r["list"]: (r["connections"], r["unique_ips"], r["tarpit_seconds"]) for r in data["blacklists"]["lists"]}
    assert lists == {r["list"]: (r["connections"], r["unique_ips"], r["tarpit_seconds"])
                     for r in _view(sim_db, "SELECT * FROM blacklist_stats WHERE host = 'all'")}
    t = _view(sim_db, "SELECT * FROM traffic_daily WHERE host = 'all'")[0]
    for key in ("received", "delivered_local", "relayed_out", "deferred", "bounced", "rejected"):
        assert summary[key] == t[key], key
    truth = json.loads((SIM / "truth" / "summary.json").read_text())
    assert summary["spam"] == truth["spampd"]["spam"] and summary["clean"] == truth["spampd"]["clean"]


def test_without_journeys_the_report_says_so(sim_db, tmp_path, monkeypatch):
    import mxlog.report

    db = tmp_path / "nj.duckdb"
    shutil.copy(sim_db, db)
    con = connect(db)
    con.execute("DELETE FROM hops")
    con.execute("DELETE FROM journeys")
    con.close()
    monkeypatch.setattr(mxlog.report, "build_journeys", lambda con: False)  # as without mxlog.journeys
    out = tmp_path / "r"
    assert run("report", "--db", db, "--out", out).exit_code == 0
    data = json.loads((out / "report.json").read_text())
    assert data["latency"]["available"] is False and data["latency"]["journeys"] == 0
    assert "mxlog.journeys.build() has not filled" in data["latency"]["note"]
    assert "has not filled the journeys and hops tables" in (out / "report.md").read_text()
    assert "No hops in the database yet" in (out / "index.html").read_text()


def test_journeys_sections_from_hand_made_journeys_and_hops(sim_db, tmp_path):
    db = tmp_path / "j.duckdb"
    shutil.copy(sim_db, db)
    con = connect(db)
    con.execute("DELETE FROM hops")  # only the hand-made ones below, whether or not a builder ran
    con.execute("DELETE FROM journeys")
    t0 = dt.datetime(2026, 11, 24, 8, tzinfo=dt.timezone.utc)
    stages = [("spamd", 3.0, "origin"), ("smtpd_in", 2.0, "tuple"), ("spampd", 1.5, "time-window"), ("lmtp", 0.3, "evpid")]
    for j in range(3):
        jid = f"mx1:aaaa000{j}:alice@example.org"
        total = sum(d for _, d, _ in stages) * (j + 1)
        con.execute("INSERT INTO journeys (journey_id, direction, first_host, final_host, first_seen_ts, "
                    "total_latency_s, final_status, greylisted, spam_verdict, weakest_link) "
                    "VALUES (?, 'inbound', 'mx1', 'mx1', ?, ?, 'delivered', ?, ?, 'time-window')",
                    [jid, t0, total, j == 0, "spam" if j == 0 else "clean"])
        for seq, (stage, d, link) in enumerate(stages, 1):
            con.execute("INSERT INTO hops (journey_id, seq, stage, host, ts_start, ts_end, duration_s, link) "
                        "VALUES (?, ?, ?, 'mx1', ?, ?, ?, ?)", [jid, seq, stage, t0, t0, d * (j + 1), link])
    con.close()
    out = tmp_path / "r"
    r = run("report", "--db", db, "--out", out, "--day", "2026-11-24")
    assert r.exit_code == 0, r.output
    data = json.loads((out / "report.json").read_text())
    lat = data["latency"]
    assert lat["available"] and lat["note"] is None and lat["spam_beat_greylisting"] == 1
    want = {(x["host"], x["stage"]): x for x in _view(db, "SELECT * FROM hop_latency WHERE host = 'all'")}
    assert {(x["host"], x["stage"]): x["p50_s"] for x in lat["by_stage"]} == \
        {k: v["p50_s"] for k, v in want.items()}
    assert want[("all", "spampd")]["max_s"] == 4.5 and want[("all", "end_to_end")]["n"] == 3
    assert lat["slowest"][0]["trace"] == "mxlog trace mx1:aaaa0002:alice@example.org"
    corr = {x["stage"]: x for x in lat["correlation"]}
    assert corr["spampd"]["by_time"] == 3 and corr["lmtp"]["by_id"] == 3
    html = (out / "index.html").read_text()
    assert "mxlog trace mx1:aaaa0002:alice@example.org" in html and "Latency per hop" in html
    assert html.count("data:image/png") >= 5  # the per-hop latency chart too


HOSTILE = """\
Nov 24 10:00:00 mx1 spamd[100]: 203.0.113.9: connected (1/0)
Nov 24 10:00:01 mx1 spamd[100]: (GREY) 203.0.113.9: <<script>alert(1)</script>@example.net> -> <alice@example.org>
Nov 24 10:00:02 mx1 spamd[100]: 203.0.113.9: disconnected after 2 seconds.
Nov 24 10:05:00 mx1 spamd[100]: 203.0.113.8: connected (1/0)
Nov 24 10:05:01 mx1 spamd[100]: (GREY) 203.0.113.8: <<script>alert(1)</script>@example.net> -> <alice@example.org>
Nov 24 10:05:02 mx1 spamd[100]: 203.0.113.8: disconnected after 2 seconds.
Nov 24 10:05:02 mx1 spamd[101]: new entry 203.0.113.9 from <x@example.net> to <alice@example.org>, helo <img src=x onerror=alert(2)>
Nov 24 10:06:00 mx1 spamd[100]: 203.0.113.7: connected (1/1), lists: <svg/onload=alert(4)> bgp-spamd
Nov 24 10:07:00 mx1 spamd[100]: 203.0.113.7: disconnected after 60 seconds. lists: <svg/onload=alert(4)> bgp-spamd
Nov 24 10:11:00 mx1 smtpd[1]: 0123456789abcdef smtp connected address=203.0.113.10 host=<b>evil</b>.example.net
Nov 24 10:11:01 mx1 smtpd[1]: 0123456789abcdef smtp message msgid=aaaabbbb size=1234 nrcpt=1 proto=ESMTP
Nov 24 10:11:01 mx1 smtpd[1]: 0123456789abcdef smtp envelope evpid=aaaabbbb00000001 from=<a"onmouseover="alert(3)|x@example.net> to=<alice@example.org>
Nov 24 10:11:02 mx1 smtpd[1]: 0123456789abcdef smtp disconnected reason=quit
"""


def test_hostile_strings_are_escaped(tmp_path, db):
    log = tmp_path / "maillog"
    log.write_text(HOSTILE)
    assert run("ingest", log, "--db", db, "--year", "2026").exit_code == 0
    out = tmp_path / "r"
    r = run("report", "--db", db, "--out", out)
    assert r.exit_code == 0, r.output
    html = (out / "index.html").read_text()
    md = (out / "report.md").read_text()
    data = json.loads((out / "report.json").read_text())
    # they are shown (escaped), never as markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;@example.net" in html
    assert "&lt;b&gt;evil&lt;/b&gt;.example.net" in html
    assert "&lt;svg/onload=alert(4)&gt;" in html
    assert "&quot;onmouseover=&quot;alert(3)" in html
    for raw in ("<script>", "<b>evil", "<svg", "<img src=x", '"onmouseover="'):
        assert raw not in html, raw
    for raw in ("<script>", "<b>evil", "<svg", "<img src=x"):  # a quote outside a tag is harmless text
        assert raw not in md, raw
    # the Markdown tables are not broken by a `|` in a sender
    assert 'a"onmouseover="alert(3)\\|x@example.net' in md
    # JSON keeps the raw text (it is data, escaped by whoever renders it)
    senders = [s["sender"] for s in data["traffic"]["top_senders"]]
    assert 'a"onmouseover="alert(3)|x@example.net' in senders


def test_summary_compares_with_the_previous_day(tmp_path, db):
    for day in (23, 24):
        log = tmp_path / f"maillog.{day}"
        write_maillog(log, 3 if day == 23 else 5, seed=day, day=day)
        assert run("ingest", log, "--db", db, "--year", "2026", "-q").exit_code == 0
    out = tmp_path / "r"
    r = run("report", "--db", db, "--out", out, "--format", "json")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["report.json"]
    data = json.loads((out / "report.json").read_text())
    assert data["period"]["label"] == "2026-11-24"
    assert data["summary"]["previous_period"]["label"] == "2026-11-23"
    received = next(i for i in data["summary"]["items"] if i["key"] == "received")
    assert (received["value"], received["previous"], received["change"]) == (5, 3, 2)
    r = run("report", "--db", db, "--out", out, "--since", "2026-11-23", "--until", "2026-11-24", "-f", "json")
    data = json.loads((out / "report.json").read_text())
    assert data["period"]["days"] == 2
    assert next(i for i in data["summary"]["items"] if i["key"] == "received")["value"] == 8


def test_report_errors_are_one_line_with_a_hint(tmp_path, sim_db):
    r = run("report", "--db", tmp_path / "none.duckdb")
    assert r.exit_code == 5 and r.output.startswith("Error: no database at")
    for args, message in [(["--day", "2026-11-31"], "Error: --day '2026-11-31' is not a date"),
                          (["--format", "pdf"], "Error: unknown report format pdf"),
                          (["--day", "2026-11-24", "--last", "24h"], "Error: give one of --day"),
                          (["--last", "soon"], "Error: --last 'soon' is not a duration"),
                          (["--host", "mx9"], "Error: no host mx9 in")]:
        r = run("report", "--db", sim_db, "--out", tmp_path / "x", *args)
        assert r.exit_code == 2, (args, r.output)
        assert r.output.startswith(message) and "\nHint: " in r.output, r.output


def test_last_covers_the_days_it_touches():
    now = dt.datetime(2026, 11, 25, 6, tzinfo=dt.timezone.utc)
    p = period_mod.choose(last="24h", now=now)
    assert (p.start, p.end) == (dt.date(2026, 11, 24), dt.date(2026, 11, 26))
    assert period_mod.choose(latest=dt.date(2026, 11, 24)).slug == "2026-11-24"
    assert period_mod.choose(since="2026-11-20", latest=dt.date(2026, 11, 24)).slug == "2026-11-20_2026-11-24"


def test_report_has_help_and_is_in_the_readme():
    r = run("report", "--help")
    assert r.exit_code == 0 and "Usage" in r.output and "--last" in r.output
    assert "mxlog report" in (ROOT / "README.md").read_text()


def test_readme_report_excerpts_are_real_output(sim_db, sim_report, tmp_path):
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Report\n", 1)[1].split("\n## ", 1)[0]
    md = (sim_report / "report.md").read_text()
    shown_md = section.split("```markdown\n", 1)[1].split("```", 1)[0]
    assert shown_md in md, "README's report.md excerpt is stale: paste the new summary table"
    cmd = 'mxlog sql "SELECT host, tuples, tuples_passed, tuples_never_retried, never_passed_pct, pass_delay_p50_s ' \
          'FROM greylist_stats ORDER BY host" --db sim.duckdb\n'
    shown_sql = section.split("$ " + cmd, 1)[1].split("```", 1)[0]
    r = run("sql", "SELECT host, tuples, tuples_passed, tuples_never_retried, never_passed_pct, pass_delay_p50_s "
            "FROM greylist_stats ORDER BY host", "--db", sim_db)
    assert r.exit_code == 0 and r.stdout == shown_sql
    # the console block: what `mxlog report` prints, run where the README runs it
    shown = section.split("$ mxlog report --db sim.duckdb\n", 1)[1].split("```", 1)[0]
    shutil.copy(sim_db, tmp_path / "sim.duckdb")
    r = run("report", "--db", tmp_path / "sim.duckdb")  # conftest chdirs into tmp_path
    assert r.exit_code == 0 and r.output == shown
    for key in json.loads((sim_report / "report.json").read_text()):
        assert f"`{key}`" in section, key


def test_spam_trends_notebook_runs_end_to_end():
    """Executes the notebook's code cells in order, in one namespace (no Jupyter needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    nb = json.loads((ROOT / "notebooks" / "spam_trends.ipynb").read_text())
    ns = {"__name__": "__notebook__"}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert not cell["outputs"], "commit the notebook without outputs"
            exec(compile("".join(cell["source"]), "spam_trends.ipynb", "exec"), ns)
    plt.close("all")
    grey = ns["grey"]
    assert len(grey) == 3 and (grey["tuples"] > 0).all()
    assert len(ns["pivot"]) == 3
    assert set(ns["spam"]["verdict"]) == {"spam", "clean"}


def test_report_on_an_empty_database_says_nothing_happened(db, tmp_path):
    connect(db).close()
    r = run("report", "--db", db, "--out", tmp_path / "r", "--day", "2026-11-24")
    assert r.exit_code == 0, r.output
    md = (tmp_path / "r" / "report.md").read_text()
    assert "nothing in this period" in md and "has not filled the journeys" in md
    assert "data:image/png" not in (tmp_path / "r" / "index.html").read_text()


def test_backup_queueing_is_in_the_report(sim_report):
    data = json.loads((sim_report / "report.json").read_text())
    rows = {r["host"]: r for r in data["traffic"]["backup_queue"]}
    truth = json.loads((SIM / "truth" / "summary.json").read_text())["hop_latency_s"]["backup_queue"]
    assert set(rows) == {"mx2", "mx3"} and sum(r["envelopes"] for r in rows.values()) == truth["n"]
    assert "backup MX queueing" in (sim_report / "index.html").read_text()


@pytest.fixture(scope="module")
def days5_db(tmp_path_factory):
    """Five simulated days, mx1 down for an hour on the first."""
    tmp = tmp_path_factory.mktemp("days5")
    r = run("simulate", "--out", tmp / "sim", "--seed", "3", "--days", "5", "--rate", "20", "--start", "2026-11-21")
    assert r.exit_code == 0, r.output
    db = tmp / "sim.duckdb"
    api.ingest([tmp / "sim" / h for h in ("mx1", "mx2", "mx3")], db=db, year=2026,
               at=dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc))
    return db, json.loads((tmp / "sim" / "truth" / "summary.json").read_text())


def test_report_of_a_day_reads_its_window_and_gives_the_whole_tables_numbers(days5_db, monkeypatch):
    """collect() cuts the event tables to the period's window (the previous period and a margin
    before it): every number of every day's report, previous-day comparison included, is the one
    the whole tables give; the later days are really cut; the default period's window too."""
    from mxlog.report import data as report_data

    db, _ = days5_db
    at = dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc)
    con = connect(db)
    try:
        days = [d for (d,) in con.execute("SELECT DISTINCT day FROM traffic_daily ORDER BY 1").fetchall()]
        assert len(days) == 5
        cut = {}
        for d in days:
            p = period_mod.choose(day=d.isoformat())
            since = report_data.window_start(con, p)
            with report_data.materialized(con, since):
                views = {n for n, t in report_data._temporary(con).items() if t == "view"}
            assert views == (set(report_data.CUT) if d >= days[2] else set()), d
            cut[d] = report_data.collect(con, p, generated_at=at)
        with report_data.latest_window(con) as latest:
            assert latest == days[-1] and "smtpd_events" in report_data._temporary(con)
        assert report_data._temporary(con) == {}
        monkeypatch.setattr(report_data, "window_start", lambda con, p: None)
        for d in days:
            whole = report_data.collect(con, period_mod.choose(day=d.isoformat()), generated_at=at)
            assert cut[d] == whole, d
            assert d == days[0] or whole["summary"]["previous_period"]
        with report_data.materialized(con, None):
            assert report_data.latest_day(con) == days[-1]
    finally:
        con.close()


def test_window_keeps_what_a_backup_mx_relays_after_it_started(days5_db):
    """A window that starts while the primary is down (the backup MXs queue): every relay of the
    backups within it has its message, acceptance time and deferrals, though these came before."""
    from mxlog.report import data as report_data

    db, truth = days5_db
    (outage,) = truth["outages"]
    start, end = (dt.datetime.fromisoformat(outage[k].replace("Z", "+00:00")) for k in ("start", "end"))
    since = start + (end - start) / 2
    q = f"""SELECT * FROM backup_relays WHERE relayed_ts >= TIMESTAMPTZ '{since.isoformat()}'
            ORDER BY host, from_evpid, relayed_ts"""
    con = connect(db)
    try:
        whole = con.execute(q).fetchall()
        with report_data.materialized(con, since):
            assert con.execute("""SELECT min(ts) FROM smtpd_events WHERE event <> 'message'
                AND NOT (event = 'delivery' AND result = 'TempFail')""").fetchone()[0] >= since
            windowed = con.execute(q).fetchall()
    finally:
        con.close()
    before = [r for r in whole if r[5] < since]  # accepted_ts
    assert len(before) >= 3 and any(r[8] > 0 for r in before)  # deferred_attempts
    assert windowed == whole


def test_collect_reads_views_evaluated_once_and_leaves_nothing_behind(sim_db, monkeypatch):
    """collect() copies the heavy views into same-named TEMP tables for its duration: the dict is the
    one the views give when read directly, and the connection has no TEMP table afterwards."""
    from mxlog.report import data as report_data
    from mxlog.report import render

    p = period_mod.choose(day="2026-11-24")
    at = dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc)
    con = connect(sim_db)
    try:
        fast = report_data.collect(con, p, generated_at=at)
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone()[0] == 0
        monkeypatch.setattr(report_data, "MATERIALIZE", ())
        direct = report_data.collect(con, p, generated_at=at)
    finally:
        con.close()
    assert fast == direct
    text = render.to_json(fast)
    assert text == json.dumps(fast, indent=1, ensure_ascii=False) + "\n"
    assert len(fast["latency"]["durations"]) and len(fast["spam"]["scores"])
