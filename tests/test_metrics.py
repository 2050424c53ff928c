"""The metric views (migration 0014) against the simulator's ground truth (samples/sim), and
hop_latency / end-to-end percentiles against hand-made journeys and hops."""

import datetime as dt
import json
import math

import duckdb
import pytest

from conftest import ROOT
from mxlog import api
from mxlog.store import connect

SIM = ROOT / "samples" / "sim"
TRUTH = json.loads((SIM / "truth" / "summary.json").read_text())


@pytest.fixture(scope="module")
def sim_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("sim") / "sim.duckdb"
    at = dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc)
    api.ingest([SIM / "mx1", SIM / "mx2", SIM / "mx3"], db=db, year=2026, at=at)
    con = duckdb.connect(str(db), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    yield con
    con.close()


def _row(con, sql, *params):
    cur = con.execute(sql, list(params))
    cols = [d[0] for d in cur.description]
    return dict(zip(cols, cur.fetchone()))


def test_greylist_stats_equal_the_truth(sim_db):
    g = TRUTH["greylist"]
    row = _row(sim_db, "SELECT * FROM greylist_stats WHERE host = 'all'")
    assert row["grey_connections"] == g["connections"]
    assert row["black_connections"] == TRUTH["blacklist"]["connections"]
    assert row["white_connections"] == TRUTH["smtpd_inbound_sessions"]
    assert row["tuples"] == g["tuples"]
    assert row["tuples_passed"] == g["tuples_passed"]
    assert row["tuples_never_passed"] == g["tuples_never_passed"]
    assert row["tuples_never_retried"] == g["tuples_never_retried"]
    assert row["whitelisted_ips"] == g["whitelisted_ips"]
    assert abs(row["never_passed_pct"] - 100 * g["tuples_never_passed"] / g["tuples"]) < 0.5
    # the retries that passed and those that never did partition the retried tuples
    assert row["tuples_retried_before_passtime_only"] == g["tuples"] - g["tuples_passed"] - g["tuples_never_retried"]
    assert row["tuples_delivered"] <= row["tuples_passed"]
    d = g["pass_delay_s"]
    assert row["pass_delay_n"] == d["n"]
    # logs have whole seconds; the truth interpolates, the view takes nearest ranks
    for col, key in [("pass_delay_min_s", "min"), ("pass_delay_p50_s", "p50"), ("pass_delay_p90_s", "p90"),
                     ("pass_delay_p99_s", "p99"), ("pass_delay_max_s", "max")]:
        assert abs(row[col] - d[key]) <= 1, (col, row[col], d[key])


def test_greylist_stats_hosts_add_up_for_connections(sim_db):
    per_host = sim_db.execute(
        "SELECT sum(grey_connections), sum(black_connections), sum(white_connections) FROM greylist_stats WHERE host <> 'all'"
    ).fetchone()
    total = sim_db.execute(
        "SELECT grey_connections, black_connections, white_connections FROM greylist_stats WHERE host = 'all'"
    ).fetchone()
    assert tuple(per_host) == tuple(total)
    # a tuple first seen on a backup MX and retried on the primary is two host tuples, one 'all' tuple
    hosts = sim_db.execute("SELECT sum(tuples) FROM greylist_stats WHERE host <> 'all'").fetchone()[0]
    assert hosts >= TRUTH["greylist"]["tuples"]


def test_blacklist_stats_equal_the_truth(sim_db):
    got = dict(sim_db.execute("SELECT list, connections FROM blacklist_stats WHERE host = 'all'").fetchall())
    assert got == TRUTH["blacklist"]["hits_per_list"]
    # per host rows add up to 'all' for connections and tarpit seconds
    a = sim_db.execute("SELECT sum(connections), sum(tarpit_seconds) FROM blacklist_stats WHERE host = 'all'").fetchone()
    h = sim_db.execute("SELECT sum(connections), sum(tarpit_seconds) FROM blacklist_stats WHERE host <> 'all'").fetchone()
    assert a == h
    tarpit = sim_db.execute(
        "SELECT sum(tarpit_s) FROM spamd_connections, unnest(lists) WHERE disposition = 'black'").fetchone()[0]
    assert a[1] == tarpit


def test_pflogsumm_views_match_their_sources(sim_db):
    t = _row(sim_db, "SELECT * FROM traffic_daily WHERE host = 'all'")
    assert t["delivered_local"] == sim_db.execute(
        "SELECT count(*) FROM deliveries WHERE agent = 'mda' AND result = 'Ok'").fetchone()[0]
    assert t["bounced"] == sim_db.execute("SELECT count(*) FROM deliveries WHERE result = 'PermFail'").fetchone()[0]
    # the dovecot deliveries are the LMTP deliveries
    assert t["delivered_local"] == sim_db.execute(
        "SELECT count(*) FROM dovecot_events WHERE event = 'delivered'").fetchone()[0]
    hourly = sim_db.execute("SELECT sum(received), sum(spamd_grey), sum(spamd_black) FROM traffic_hourly").fetchone()
    assert hourly == (t["received"], TRUTH["greylist"]["connections"], TRUTH["blacklist"]["connections"])
    assert sim_db.execute("SELECT sum(messages) FROM sender_stats").fetchone()[0] == t["received"]
    spam = dict(sim_db.execute("SELECT verdict, sum(messages) FROM spam_verdicts GROUP BY 1").fetchall())
    assert spam == TRUTH["spampd"]
    logins = sim_db.execute("SELECT sum(logins), sum(failed) FROM dovecot_logins").fetchone()
    assert logins == (TRUTH["imap_logins"], TRUTH["imap_failures"])
    assert sim_db.execute("SELECT sum(messages) FROM dkim_stats WHERE result = 'signed'").fetchone()[0] == \
        TRUTH["direction"]["outbound"]


def _nearest_rank(values, p):
    v = sorted(values)
    return v[max(1, math.ceil(p * len(v))) - 1]


def test_hop_latency_is_nearest_rank_over_hand_made_hops(db):
    con = connect(db)
    t0 = dt.datetime(2026, 11, 24, 10, tzinfo=dt.timezone.utc)
    durations = [0.3, 1.0, 2.5, 4.0, 250.0, 7.0, 0.0, 3.0, 12.0, 9.5, 30.0]
    for i, d in enumerate(durations):
        host = "mx1" if i % 2 else "mx2"
        ts = t0 + dt.timedelta(minutes=i)
        con.execute("INSERT INTO journeys (journey_id, first_host, first_seen_ts, total_latency_s) VALUES (?, ?, ?, ?)",
                    [f"j{i}", host, ts, d * 2])
        con.execute("INSERT INTO hops (journey_id, seq, stage, host, ts_start, ts_end, duration_s, link) "
                    "VALUES (?, 1, 'spamd', ?, ?, ?, ?, 'origin')",
                    [f"j{i}", host, ts, ts + dt.timedelta(seconds=d), d])
    rows = {(h, s): (n, p50, p90, p99, mx) for h, s, n, p50, p90, p99, mx in con.execute(
        "SELECT host, stage, n, p50_s, p90_s, p99_s, max_s FROM hop_latency").fetchall()}
    want = (len(durations), _nearest_rank(durations, .5), _nearest_rank(durations, .9),
            _nearest_rank(durations, .99), max(durations))
    assert rows[("all", "spamd")] == want
    assert rows[("all", "end_to_end")] == tuple([want[0]] + [2 * x for x in want[1:]])
    mx1 = [d for i, d in enumerate(durations) if i % 2]
    assert rows[("mx1", "spamd")] == (len(mx1), _nearest_rank(mx1, .5), _nearest_rank(mx1, .9),
                                      _nearest_rank(mx1, .99), max(mx1))
    con.close()


def test_passtime_is_a_variable(sim_db):
    """spamd -G is not in the logs: a site with the default 25 min passtime says so."""
    default = sim_db.execute("SELECT tuples_passed FROM greylist_stats WHERE host = 'all'").fetchone()[0]
    sim_db.execute("SET VARIABLE spamd_passtime_s = 1500")
    try:
        longer = sim_db.execute("SELECT tuples_passed FROM greylist_stats WHERE host = 'all'").fetchone()[0]
    finally:
        sim_db.execute("RESET VARIABLE spamd_passtime_s")
    assert longer < default


def test_backup_relays_equal_the_truths_backup_queue_stages(sim_db):
    def ts(text):
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))

    truth = {}
    for line in (SIM / "truth" / "journeys.jsonl").read_text().splitlines():
        j = json.loads(line)
        for s in j["stages"]:
            if s["stage"] == "backup_queue":
                truth[(s["host"], s["msgid"], j["rcpt_to"])] = (ts(s["ts_end"]) - ts(s["ts_start"])).total_seconds()
    assert len(truth) == TRUTH["hop_latency_s"]["backup_queue"]["n"]
    got = {(h, m, r): q for h, m, r, q in sim_db.execute(
        "SELECT b.host, b.from_msgid, d.rcpt_to, b.queued_s FROM backup_relays b "
        "JOIN deliveries d ON d.host = b.host AND d.evpid = b.from_evpid AND d.ts = b.relayed_ts").fetchall()}
    assert got.keys() == truth.keys()
    assert all(abs(got[k] - truth[k]) <= 1 for k in truth)
    n, mx = sim_db.execute("SELECT sum(envelopes), max(max_queued_s) FROM backup_queue_stats").fetchone()
    assert n == len(truth) and abs(mx - TRUTH["hop_latency_s"]["backup_queue"]["max"]) <= 1


def test_hop_latency_equals_the_truths_stages_when_journeys_are_built(tmp_path):
    """Runs once mxlog.journeys (the builder) is in the tree. The truth's summary interpolates its
    percentiles; hop_latency takes nearest ranks (issue 7), so the truth's own stages are ranked the
    same way here. Log stamps are whole seconds, so each order statistic is within 1 s."""
    journeys = pytest.importorskip("mxlog.journeys")
    db = tmp_path / "j.duckdb"
    api.ingest([SIM / "mx1", SIM / "mx2", SIM / "mx3"], db=db, year=2026, at=dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc))
    con = connect(db)
    if con.execute("SELECT count(*) FROM journeys").fetchone()[0] == 0:
        journeys.build(con)
    got = {s: r for s, *r in con.execute(
        "SELECT stage, n, p50_s, p90_s, p99_s, max_s FROM hop_latency WHERE host = 'all'").fetchall()}
    con.close()

    def ts(text):
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()

    durations = {}
    for line in (SIM / "truth" / "journeys.jsonl").read_text().splitlines():
        j = json.loads(line)
        for s in j["stages"]:
            durations.setdefault(s["stage"], []).append(ts(s["ts_end"]) - ts(s["ts_start"]))
        if j["delivered_ts"]:
            durations.setdefault("end_to_end", []).append(ts(j["delivered_ts"]) - ts(j["first_seen_ts"]))
    assert set(got) == set(durations)
    for stage, values in durations.items():
        n, *pcts = got[stage]
        assert n == len(values), stage
        want = [_nearest_rank(values, .5), _nearest_rank(values, .9), _nearest_rank(values, .99), max(values)]
        assert all(abs(a - b) <= 1 for a, b in zip(pcts, want)), (stage, pcts, want)
