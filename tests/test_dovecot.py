"""Dovecot declarations (parsers/dovecot.py): the generic declaration checks, the real fail2ban
corpus (every Dovecot line with a syslog header parses, every failJSON address is the parsed
`ip`), both line shapes (syslog and Dovecot's own log_path file), and attacker-controlled user
names that must not move the client address."""

import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mxlog.engine import Engine, parse_lines
from mxlog.selfcheck import check_parser
from parsers import REGISTRY
from parsers.dovecot import DOVECOT
from parsers.syslog import FrameState

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dovecot" / "fail2ban-dovecot.log"


def parse(lines):
    return parse_lines(lines, parsers=[DOVECOT], year=2005)


def one(line):
    result = parse([line])
    assert result.unparsed.select("raw", "reason").rows() == []
    (row,) = result.tables[DOVECOT.table].to_dicts()
    return row


def test_selfcheck():
    others = [p for p in REGISTRY if p.name != DOVECOT.name]
    assert check_parser(DOVECOT, others) == []


@pytest.fixture(scope="module")
def corpus():
    data = CORPUS.read_bytes()
    result = Engine([*[p for p in REGISTRY if p.name != "dovecot"], DOVECOT]).parse_chunk(data, FrameState(year=2005))
    return data.decode().split("\n"), result


def test_corpus_every_dovecot_line_parses(corpus):
    lines, result = corpus
    reasons = result.unparsed.group_by("reason").len().rows()
    assert "no-pattern-matched" not in dict(reasons)
    # the only lines without a header are fail2ban's comments and blank lines; the 4 tai64n
    # `@4000...` lines and the `2013-08-11 03:56:40` line are framed too
    no_header = result.unparsed.filter(pl.col("reason") == "no-syslog-header")["raw"].to_list()
    real = [r for r in no_header if r.strip() and not r.lstrip().startswith("#")]
    assert real == []
    # log_path idents with parentheses (`auth-worker(22401): Info: ...`) are framed as the
    # program before '(' with the whole prefix kept in the message
    other = result.unparsed.filter(pl.col("reason") == "other-program")["program"].to_list()
    assert other == []
    assert result.tables[DOVECOT.table].height == 67


def test_corpus_failjson_addresses(corpus):
    lines, result = corpus
    rows = {r["line_no"]: r for r in result.tables[DOVECOT.table].to_dicts()}
    unparsed = set(result.unparsed["line_no"].to_list())
    checked = 0
    for i, text in enumerate(lines):
        if not text.lstrip("#").strip().startswith("failJSON:"):
            continue
        expect = json.loads(text.split("failJSON:", 1)[1])
        line_no = i + 2  # the line after the comment, 1-based
        if "host" not in expect:
            continue
        if line_no in unparsed:
            continue
        assert rows[line_no]["ip"] == expect["host"], lines[line_no - 1]
        checked += 1
    assert checked == 61


def test_corpus_events(corpus):
    _, result = corpus
    counts = dict(result.tables[DOVECOT.table].group_by("event").len().rows())
    assert counts == {"login-failed": 19, "login-aborted": 26, "auth-failed": 21, "other": 1}


def test_log_path_shape_has_no_process_and_a_level():
    row = one("Jan 29 09:34:17 pop3-login: Info: Aborted login (auth failed, 1 attempts in 62 secs): "
              "user=<carl.matx@sxxxxxxx.net>, method=PLAIN, rip=1.2.3.4, TLS")
    assert (row["process"], row["level"], row["event"], row["ip"], row["tls"]) == (
        None, "info", "login-failed", "1.2.3.4", "TLS")


def test_syslog_shape_has_process_and_no_info_level():
    row = one("Jan 29 09:34:17 mx dovecot: pop3-login: Aborted login (auth failed, 1 attempts in 62 secs): "
              "user=<carl>, method=PLAIN, rip=192.0.2.9, TLS")
    assert (row["process"], row["level"]) == ("pop3-login", None)


def test_journald_double_ident():
    row = one("Jul 02 13:49:32 hostname dovecot[442]: dovecot: auth(default): pam(account@MYSERVERNAME.com,"
              "200.76.17.206): pam_authenticate() failed: User not known to the underlying authentication "
              "module: 2 Time(s)")
    assert (row["pid"], row["process"], row["service_user"], row["passdb"], row["ip"], row["event"]) == (
        442, "auth", "default", "pam", "200.76.17.206", "auth-failed")


@pytest.mark.parametrize(
    "msg, reason, attempts, secs, event",
    [
        ("Disconnected (auth failed, 2 attempts)", "Disconnected", 2, None, "login-failed"),
        ("Aborted login (auth failed, 1 attempts in 2 secs)", "Aborted login", 1, 2, "login-failed"),
        ("Disconnected: Inactivity (auth failed, 1 attempts in 178 secs)", "Inactivity", 1, 178, "login-failed"),
        ("Disconnected: Connection closed (auth failed, 1 attempts in 9 secs)", "Connection closed", 1, 9, "login-failed"),
        ("Disconnected: Aborted login by logging out (auth failed, 1 attempts in 3 secs)",
         "Aborted login by logging out", 1, 3, "login-failed"),
        ("Login aborted: Logged out (auth failed, 1 attempts in 10 secs) (auth_failed)", "Logged out", 1, 10, "login-failed"),
        ("Disconnected (no auth attempts in 10 secs)", "Disconnected", None, 10, "login-aborted"),
        ("Disconnected (disconnected before auth was ready, waited 0 secs)", "Disconnected", None, 0, "login-aborted"),
        ("Login aborted: Connection closed (no auth attempts in 1 secs) (no_auth_attempts)",
         "Connection closed", None, 1, "login-aborted"),
        ("Disconnected (tried to use disallowed plaintext auth)", "Disconnected", None, None, "login-aborted"),
        ("Client has quit the connection (auth failed, 1 attempts in 2 secs)",
         "Client has quit the connection", 1, 2, "login-failed"),
    ],
)
def test_login_closure_wordings(msg, reason, attempts, secs, event):
    row = one(f"Nov 24 10:01:00 mx1 dovecot: imap-login: {msg}: user=<u>, method=PLAIN, rip=203.0.113.5, "
              "lip=192.0.2.10, TLS, session=<kBvX2n8kHN/LqwAB>")
    assert (row["reason"], row["auth_attempts"], row["auth_secs"], row["event"], row["ip"]) == (
        reason, attempts, secs, event, "203.0.113.5")


def test_lmtp_session_suffixes():
    for sess in ("gH3kLxA4Q2cz6wAAbNv6Tg", "gH3kLxA4Q2cz6wAAbNv6Tg:T2", "gH3kLxA4Q2cz6wAAbNv6Tg:R2",
                 "gH3kLxA4Q2cz6wAAbNv6Tg:T2:R3", "gH3kLxA4Q2cz6wAAbNv6Tg:2"):
        row = one(f"Nov 24 10:00:08 mx1 dovecot: lmtp(alice@example.org)<60211><{sess}>: "
                  "msgid=<a@example.net>: saved mail to INBOX")
        assert (row["session"], row["mpid"], row["event"]) == (sess, 60211, "delivered")
    row = one("Nov 24 10:00:08 mx1 dovecot: lmtp(alice): msgid=<a@example.net>: saved mail to INBOX")
    assert (row["session"], row["service_user"], row["message_id"]) == (None, "alice", "<a@example.net>")


USER_TEXT = st.text(alphabet=st.sampled_from(list("ab ,<>():=rip.6TLS")), max_size=40)


@settings(max_examples=200, deadline=None)
@given(user=USER_TEXT)
def test_hostile_user_never_moves_the_address(user):
    line = (f"Nov 24 10:01:00 mx1 dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): "
            f"user=<{user}>, method=PLAIN, rip=203.0.113.5, lip=192.0.2.10, TLS, session=<kBvX2n8kHN/LqwAB>")
    row = one(line)
    assert (row["ip"], row["local_ip"], row["session"], row["user"]) == (
        "203.0.113.5", "192.0.2.10", "kBvX2n8kHN/LqwAB", user)
    line = f"Nov 24 10:01:00 mx1 dovecot: auth: passwd-file({user},203.0.113.5): unknown user"
    row = one(line)
    assert (row["ip"], row["user"]) == ("203.0.113.5", user)
