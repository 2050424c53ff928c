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
