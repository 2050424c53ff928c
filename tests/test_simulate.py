"""mxlog.simulate: deterministic output, parsed by the real engine, consistent with its truth."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from mxlog import api
from mxlog.simulate import simulate

RATE = 40.0


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    out = tmp_path_factory.mktemp("sim") / "out"
    summary = simulate(out, seed=7, rate=RATE)
    db = out.parent / "s.duckdb"
    api.ingest([out], db=db)
    con = duckdb.connect(str(db), read_only=True)
    journeys = [json.loads(line) for line in (out / "truth" / "journeys.jsonl").open()]
    yield out, summary, con, journeys
    con.close()


def ts(s: str) -> float:
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def test_layout_and_summary_written(sim):
    out, summary, _, _ = sim
    for host in ("mx1", "mx2", "mx3"):
        for name in ("maillog", "daemon", "pflog1.pcap", "spamdb.txt"):
            assert (out / host / name).stat().st_size > 0, (host, name)
    on_disk = json.loads((out / "truth" / "summary.json").read_text())
    assert on_disk["final_status"] == summary["final_status"]
    assert summary["written"]["bytes"] > 0


def test_deterministic(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    start = datetime(2026, 3, 1, tzinfo=timezone.utc)
    simulate(a, seed=3, rate=15, start=start)
    simulate(b, seed=3, rate=15, start=start)
    simulate(c, seed=4, rate=15, start=start)
    fa, fb, fc = _files(a), _files(b), _files(c)
    assert fa.keys() == fb.keys()
    assert all(fa[k] == fb[k] for k in fa if k != "truth/summary.json")
    assert fa["mx1/maillog"] != fc["mx1/maillog"]
    assert fa["truth/journeys.jsonl"] != fc["truth/journeys.jsonl"]


def test_unsupported_options(tmp_path):
    with pytest.raises(ValueError, match="not simulated"):
        simulate(tmp_path, smtpd_format="F")
    with pytest.raises(ValueError, match="not simulated"):
        simulate(tmp_path, dovecot="2.1")


def test_everything_parses(sim):
    _, _, con, _ = sim
    bad = con.execute("SELECT reason, program, raw FROM unparsed WHERE reason <> 'other-program' LIMIT 5").fetchall()
    assert bad == []
    other = dict(con.execute("SELECT program, count(*) FROM unparsed GROUP BY ALL").fetchall())
    assert set(other) <= {"cron", "sshd"}
    for table in ("smtpd_events", "spamd_events", "spamlogd_events", "spampd_events", "dkimproxy_events",
                  "dovecot_events", "bgpd_events", "pflog_packets", "spamdb_entries"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0, table
    hosts = {h for (h,) in con.execute("SELECT DISTINCT host FROM pflog_packets").fetchall()}
    assert hosts == {"mx1", "mx2", "mx3"}


def test_summary_counts_match_journeys(sim):
    _, summary, _, journeys = sim
    assert summary["journeys"] == len(journeys)
    assert dict(Counter(j["final_status"] for j in journeys)) == summary["final_status"]
    assert dict(Counter(j["direction"] for j in journeys)) == summary["direction"]
    assert len({j["journey_id"] for j in journeys}) == len(journeys)
    # every kind of fate is present in a day
    for status in ("delivered", "greylisted", "tarpitted", "trapped", "bounced", "rejected"):
        assert summary["final_status"].get(status, 0) > 0, status
    assert any(j["via_backup"] and j["final_status"] == "delivered" for j in journeys)


def test_delivered_inbound_matches_parsed_rows(sim):
    _, _, con, journeys = sim
    delivered = [j for j in journeys if j["direction"] == "inbound" and j["final_status"] == "delivered"]
    sample = random.Random(1).sample(delivered, min(40, len(delivered)))
    for j in sample:
        for m in j["msgids"]:
            rows = con.execute(
                "SELECT mail_from, rcpt_to, ts FROM smtpd_events WHERE event = 'envelope' AND evpid_msgid = ? AND rcpt_to = ?",
                [m, j["rcpt_to"]]).fetchall()
            assert len(rows) == 1, (j["journey_id"], m)
            assert rows[0][0] == j["mail_from"]
        first = con.execute("SELECT min(ts) FROM smtpd_events WHERE event = 'envelope' AND evpid_msgid = ?",
                            [j["msgids"][0]]).fetchone()[0]
        assert abs(first.timestamp() - ts(j["accepted_ts"])) <= 1
        sp = con.execute("SELECT verdict, score FROM spampd_events WHERE message_id = ? AND score IS NOT NULL",
                         [j["message_id"].strip("<>")]).fetchall()
        assert len(sp) == 1
        assert sp[0][1] == pytest.approx(j["spam_score"])
        assert ("spam" in sp[0][0]) == (j["spam_verdict"] == "spam")
        dv = con.execute("SELECT ts FROM dovecot_events WHERE message_id = ? AND service_user = ?",
                         [j["message_id"], j["rcpt_to"]]).fetchall()
        assert len(dv) == 1, j["journey_id"]
        assert abs(dv[0][0].timestamp() - ts(j["delivered_ts"])) <= 1
        # the relay into the next hop names its msgid in the reply
        for prev, nxt in zip(j["msgids"], j["msgids"][1:]):
            n = con.execute("SELECT count(*) FROM smtpd_events WHERE event = 'delivery' AND evpid_msgid = ? "
                            "AND stat LIKE ?", [prev, f"250 2.0.0 {nxt} Message accepted%"]).fetchone()[0]
            assert n >= 1, (j["journey_id"], prev, nxt)


def test_greylisted_journeys_have_grey_rows(sim):
    _, _, con, journeys = sim
    grey = [j for j in journeys if j["greylisted"]]
    passed = [j for j in grey if j["final_status"] == "delivered"]
    assert passed and len(grey) > len(passed)
    for j in random.Random(2).sample(passed, min(25, len(passed))):
        ips = j["client_ips"]
        placeholders = ",".join("?" * len(ips))
        rows = con.execute(
            f"SELECT min(ts), count(*) FROM spamd_events WHERE event = 'grey' AND ip IN ({placeholders}) "
            "AND mail_from = ? AND rcpt_to = ?", [*ips, j["mail_from"], j["rcpt_to"]]).fetchone()
        assert rows[1] >= 1, j["journey_id"]
        assert rows[0].timestamp() < ts(j["accepted_ts"])
        assert abs(rows[0].timestamp() - ts(j["grey_first_ts"])) <= 2
        wl = con.execute("SELECT count(*) FROM spamd_events WHERE event = 'whitelisted' AND ip IN "
                         f"({placeholders})", ips).fetchone()[0]
        assert wl >= 1


def test_tarpitted_and_trapped(sim):
    _, summary, con, journeys = sim
    black = con.execute("SELECT count(*) FROM spamd_events WHERE event = 'disconnected' AND lists IS NOT NULL "
                        "AND len(lists) > 0").fetchone()[0]
    assert black == summary["blacklist"]["connections"]
    trapped_ips = {ip for j in journeys if j["final_status"] == "trapped" for ip in j["client_ips"]}
    logged = {ip for (ip,) in con.execute("SELECT ip FROM spamd_events WHERE event = 'trapped'").fetchall()}
    assert trapped_ips == logged
    dump = {ip for (ip,) in con.execute("SELECT DISTINCT ip FROM spamdb_entries WHERE entry = 'TRAPPED'").fetchall()}
    assert dump <= trapped_ips and dump


def test_samples_sim_is_what_its_command_writes(tmp_path):
    """samples/sim is `mxlog simulate --out samples/sim --seed 1 --days 1 --rate 20` (samples/README.md)."""
    from conftest import ROOT
    from mxlog.simulate import simulate as run

    run(tmp_path, seed=1, days=1, rate=20.0)  # the CLI passes a float
    committed = ROOT / "samples" / "sim"
    names = sorted(str(p.relative_to(committed)) for p in committed.rglob("*") if p.is_file())
    assert names == sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    for name in names:
        assert (tmp_path / name).read_bytes() == (committed / name).read_bytes(), f"regenerate samples/sim/{name}"


# ---------------------------------------------------------------------------- other versions

VERSIONS = [("A", "2.3"), ("B", "2.3"), ("C", "2.3"), ("D", "2.3"), ("E", "2.2"), ("E", "2.4")]
V_SEED, V_RATE = 5, 10.0
# Rows the parser labels with another family because their text is identical in several families
# (parsers/smtpd.py `family` field): process-level lines (info/warn: subsystem smtpd/queue) -> E
# everywhere; D's `smtp connected` and `mta connecting/connected/delivery/disconnected` -> E;
# B's `delivery:` (mda) and AUTH `Failed command` lines -> A.
SHARED = {
    "A": set(),
    "B": {("A", "mda", "delivery"), ("A", "smtp", "failed-command")},
    "C": set(),
    "D": {("E", "smtp", "connected"), ("E", "mta", "connecting"), ("E", "mta", "connected"),
          ("E", "mta", "delivery"), ("E", "mta", "disconnected")},
    "E": set(),
}


def _run(root: Path, fmt: str, dv: str):
    out = root / f"{fmt}-{dv}"
    simulate(out, seed=V_SEED, rate=V_RATE, smtpd_format=fmt, dovecot=dv)
    db = root / f"{fmt}-{dv}.duckdb"
    api.ingest([out / "mx1", out / "mx2", out / "mx3"], db=db)
    return out, duckdb.connect(str(db), read_only=True)


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    root = tmp_path_factory.mktemp("versions")
    runs = {v: _run(root, *v) for v in VERSIONS + [("E", "2.3")]}
    yield runs
    for _, con in runs.values():
        con.close()


@pytest.mark.parametrize("fmt,dv", VERSIONS)
def test_version_everything_parses(versions, fmt, dv):
    _, con = versions[(fmt, dv)]
    bad = con.execute("SELECT reason, program, raw FROM unparsed WHERE reason <> 'other-program' LIMIT 5").fetchall()
    assert bad == []


@pytest.mark.parametrize("fmt", "ABCD")
def test_version_smtpd_family(versions, fmt):
    _, con = versions[(fmt, "2.3")]
    rows = con.execute("SELECT family, subsystem, event, count(*) FROM smtpd_events GROUP BY ALL").fetchall()
    other = {(f, s, e) for f, s, e, _ in rows if f != fmt and s not in ("smtpd", "queue")}
    assert other <= SHARED[fmt], other
    assert {(f, s) for f, s, _, _ in rows if s in ("smtpd", "queue")} <= {("E", "smtpd"), ("E", "queue")}
    mine = {(s, e) for f, s, e, _ in rows if f == fmt}
    # the family-specific lines of every kind of event are there
    for need in [("smtp", "message"), ("smtp", "tls"), ("smtp", "authentication"), ("smtp", "disconnected"),
                 ("mta", "tls")] + ([] if fmt == "D" else [("mta", "connecting"), ("mta", "delivery")]) + \
            ([] if fmt == "B" else [("mda", "delivery")]):
        assert need in mine, need
    # same events as family E: one message row per recipient in A-D = one envelope row per recipient in E
    _, econ = versions[("E", "2.3")]
    n_env = econ.execute("SELECT count(*) FROM smtpd_events WHERE event = 'envelope'").fetchone()[0]
    n_msg = con.execute("SELECT count(*) FROM smtpd_events WHERE event = 'message'").fetchone()[0]
    assert n_msg == n_env
    for sub, ev in (("mta", "delivery"), ("mda", "delivery"), ("smtp", "connected")):
        q = "SELECT count(*) FROM smtpd_events WHERE subsystem = ? AND event = ?"
        assert con.execute(q, [sub, ev]).fetchone()[0] == econ.execute(q, [sub, ev]).fetchone()[0], (sub, ev)


@pytest.mark.parametrize("fmt", "ABCD")
def test_version_truth_msgids_in_rows(versions, fmt):
    out, con = versions[(fmt, "2.3")]
    journeys = [json.loads(line) for line in (out / "truth" / "journeys.jsonl").open()]
    delivered = [j for j in journeys if j["final_status"] == "delivered"]
    assert any(j["via_backup"] for j in delivered)
    sample = random.Random(3).sample(delivered, min(40, len(delivered)))
    sample += [j for j in delivered if j["via_backup"]][:5]
    for j in sample:
        for m in j["msgids"]:
            n = con.execute("SELECT count(*) FROM smtpd_events WHERE msgid = ? OR evpid_msgid = ? OR reply_msgid = ?",
                            [m, m, m]).fetchone()[0]
            assert n >= 1, (fmt, j["journey_id"], m)
        if j["direction"] == "inbound":
            # accepted at the first hop: the family's message row names msgid and recipient
            n = con.execute("SELECT count(*) FROM smtpd_events WHERE event = 'message' AND msgid = ? AND rcpt_to = ? "
                            "AND mail_from = ?", [j["msgids"][0], j["rcpt_to"], j["mail_from"]]).fetchone()[0]
            assert n == 1, (fmt, j["journey_id"])
        # each relay names the next hop's msgid in smtpd's DATA reply (5.x-6.4: `250 2.0.0: <msgid> ...`)
        for prev, nxt in zip(j["msgids"], j["msgids"][1:]):
            n = con.execute("SELECT count(*) FROM smtpd_events WHERE event = 'delivery' AND evpid_msgid = ? "
                            "AND reply_msgid = ?", [prev, nxt]).fetchone()[0]
            assert n >= 1, (fmt, j["journey_id"], prev, nxt)


@pytest.mark.parametrize("fmt,dv", VERSIONS)
def test_version_same_events_and_truth(versions, fmt, dv):
    """Only the text of the smtpd (A-D) or dovecot (2.2/2.4) lines differs from E / 2.3."""
    out, _ = versions[(fmt, dv)]
    ref, _ = versions[("E", "2.3")]
    a, b = _files(out), _files(ref)
    assert a.keys() == b.keys()
    differ = {k for k in a if a[k] != b[k]}
    assert differ <= {"truth/summary.json", "mx1/maillog", "mx2/maillog", "mx3/maillog"}, differ
    assert "mx1/maillog" in differ
    sa, sb = json.loads(a["truth/summary.json"]), json.loads(b["truth/summary.json"])
    assert sa.pop("parameters") != sb.pop("parameters")
    assert sa == sb


@pytest.mark.parametrize("dv", ["2.2", "2.4"])
def test_version_dovecot(versions, dv):
    out, con = versions[("E", dv)]
    _, ref = versions[("E", "2.3")]
    q = "SELECT event, count(*) FROM dovecot_events GROUP BY ALL"
    assert dict(con.execute(q).fetchall()) == dict(ref.execute(q).fetchall())
    text = (out / "mx1" / "maillog").read_text()
    if dv == "2.2":
        assert "imap-login: Login: " in text and "Disconnect from local: Successful quit" in text
        assert " Disconnected (auth failed, 1 attempts in 2 secs): " in text
        assert "Disconnected: Logged out in=" not in text and "lmtp(alice@example.org)<" not in text
        assert ": Logged out in=" in text and "lmtp(alice@example.org): msgid=<" in text
    else:
        assert "imap-login: Logged in: " in text and "imap-login: Login: " not in text
        assert con.execute("SELECT count(*) FROM dovecot_events WHERE event = 'login-failed' "
                           "AND event_reason = 'auth_failed'").fetchone()[0] > 0
    journeys = [json.loads(line) for line in (out / "truth" / "journeys.jsonl").open()]
    lmtp = [j for j in journeys if j["final_status"] == "delivered" and j["direction"] != "outbound"]
    for j in random.Random(4).sample(lmtp, min(40, len(lmtp))):
        dvr = con.execute("SELECT ts FROM dovecot_events WHERE event = 'delivered' AND message_id = ? "
                          "AND service_user = ?", [j["message_id"], j["rcpt_to"]]).fetchall()
        assert len(dvr) == 1, j["journey_id"]
        assert abs(dvr[0][0].timestamp() - ts(j["delivered_ts"])) <= 1


@pytest.mark.parametrize("fmt,dv", VERSIONS)
def test_version_deterministic(tmp_path, versions, fmt, dv):
    out, _ = versions[(fmt, dv)]
    simulate(tmp_path / "again", seed=V_SEED, rate=V_RATE, smtpd_format=fmt, dovecot=dv)
    a, b = _files(out), _files(tmp_path / "again")
    assert a.keys() == b.keys()
    assert all(a[k] == b[k] for k in a if k != "truth/summary.json")
