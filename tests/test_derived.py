"""The derived OpenSMTPD views against the simulator's ground truth (samples/sim)."""

import datetime as dt
import json

import duckdb
import pytest

from conftest import ROOT
from mxlog import api

SIM = ROOT / "samples" / "sim"


@pytest.fixture(scope="module")
def sim_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("sim") / "sim.duckdb"
    at = dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc)
    api.ingest([SIM / "mx1", SIM / "mx2", SIM / "mx3"], db=db, year=2026, at=at)
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def truth():
    return [json.loads(line) for line in (SIM / "truth" / "journeys.jsonl").read_text().splitlines()]


def test_every_accepted_recipient_is_an_envelope_of_its_first_message(sim_db, truth):
    envelopes = set(sim_db.execute("SELECT host, msgid, mail_from, rcpt_to FROM smtp_envelopes").fetchall())
    accepted = [j for j in truth if j["msgids"]]
    assert len(accepted) > 500
    def accepting_host(j):  # first_host is the first host contacted, maybe only by spamd
        return next(s["host"] for s in j["stages"] if s["stage"] == "smtpd_in")

    missing = [j["journey_id"] for j in accepted
               if (accepting_host(j), j["msgids"][0], j["mail_from"], j["rcpt_to"]) not in envelopes]
    assert missing == []


def test_message_links_follow_every_hop_of_the_truth(sim_db, truth):
    links = set(sim_db.execute("SELECT from_msgid, to_msgid FROM message_links").fetchall())
    chains = [j["msgids"] for j in truth if len(j["msgids"]) > 1]
    assert len(chains) > 300
    broken = [c for c in chains if any((a, b) not in links for a, b in zip(c, c[1:]))]
    assert broken == []
    # no link the truth does not know
    true_pairs = {(a, b) for c in chains for a, b in zip(c, c[1:])}
    assert links - true_pairs == set()


def test_final_deliveries_match_the_truth(sim_db, truth):
    delivered = [j for j in truth if j["final_status"] == "delivered"]
    rows = {
        (h, m, r): (agent, result, ts)
        for h, m, r, agent, result, ts in sim_db.execute(
            "SELECT host, msgid, rcpt_to, agent, result, ts FROM deliveries WHERE lower(result) = 'ok'"
        ).fetchall()
    }
    for j in delivered:
        key = (j["final_host"], j["msgids"][-1], j["rcpt_to"])
        assert key in rows, j["journey_id"]
        agent, _, ts = rows[key]
        assert agent == ("mta" if j["direction"] == "outbound" else "mda")
        truth_ts = dt.datetime.fromisoformat(j["delivered_ts"].replace("Z", "+00:00"))
        assert abs((ts - truth_ts).total_seconds()) <= 1


def test_sessions_carry_client_auth_and_disconnect(sim_db):
    (sessions, with_ip, authed, disconnected) = sim_db.execute(
        "SELECT count(*), count(client_ip) + count(*) FILTER (local_enqueue), count(auth_user), "
        "count(disconnected_ts) FROM smtp_sessions"
    ).fetchone()
    assert sessions > 500 and with_ip == sessions and authed > 50 and disconnected >= 0.99 * sessions


def _ts(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_spamd_connections_match_the_truths_spamd_stages(sim_db, truth):
    rows = sim_db.execute("SELECT host, connected_ts, disconnected_ts, disposition FROM spamd_connections").fetchall()
    by_host = {}
    for host, start, end, disposition in rows:
        by_host.setdefault(host, []).append((start, end, disposition))
    stages = [(j, s) for j in truth for s in j["stages"] if s["stage"] == "spamd"]
    assert len(stages) > 300
    for j, s in stages:
        start, end = _ts(s["ts_start"]), _ts(s["ts_end"])
        assert any(abs((a - start).total_seconds()) <= 1 and abs((b - end).total_seconds()) <= 1
                   for a, b, _ in by_host[s["host"]]), (j["journey_id"], s)
    tarpitted = {j["journey_id"] for j in truth if j["final_status"] == "tarpitted"}
    assert tarpitted and sim_db.execute("SELECT count(*) FROM spamd_connections WHERE disposition = 'black'").fetchone()[0] > 0


def test_greylist_tuples_match_the_truth(sim_db, truth):
    tuples = {
        (host, ip, f, t): (first, white)
        for host, ip, f, t, first, white in sim_db.execute(
            "SELECT host, ip, mail_from, rcpt_to, first_seen_ts, whitelisted_ts FROM greylist_tuples").fetchall()
    }
    grey = [j for j in truth if j["greylisted"] and j["grey_first_ts"]]
    assert len(grey) > 100
    for j in grey:
        ip = j["client_ips"][0]
        first_spamd_host = next(s["host"] for s in j["stages"] if s["stage"] == "spamd")
        key = (first_spamd_host, ip, j["mail_from"], j["rcpt_to"])
        assert key in tuples, j["journey_id"]
        first, _ = tuples[key]
        # the truth's grey_first_ts is the (GREY) line; syslog truncates to the second
        assert -1 < (first - _ts(j["grey_first_ts"])).total_seconds() <= 0, j["journey_id"]
