"""spamd / spamlogd (parsers/spamd.py): what the generic declaration walk cannot express --
a realistic /var/log/daemon excerpt checked field by field, every spamd/spamlogd line quoted in
formats.md section 2, spamd's `lists:` truncation simulated from loglists(), and hostile
client text (headers, body lines, MAIL/RCPT/HELO tokens) that must stay in its own field."""

import datetime as dt
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mxlog.engine import parse_lines
from mxlog.selfcheck import check_parser
from parsers import REGISTRY
from parsers.spamd import SPAMD, SPAMLOGD

BOTH = [SPAMD, SPAMLOGD]
HDR = "Nov 24 10:00:12 gw spamd[2922]: "


def parse(lines):
    return parse_lines(lines, parsers=BOTH, year=2024)


def spamd_rows(lines):
    result = parse(lines)
    assert result.unparsed.select("raw", "reason").rows() == []
    return result.tables["spamd_events"].to_dicts()


def one(msg):
    (row,) = spamd_rows([HDR + msg])
    return row


@pytest.mark.parametrize("parser", BOTH, ids=lambda p: p.name)
def test_selfcheck(parser):
    others = [p for p in REGISTRY + BOTH if p.name != parser.name]
    assert check_parser(parser, others) == []


# --- a night of /var/log/daemon on a backup MX with `daemon.debug` and spamd -v -------------

DAEMON_LOG = """\
Nov 24 03:59:58 gw spamlogd: Listening on pflog0 for all interfaces. 
Nov 24 04:00:01 gw spamd[2922]: listening for incoming connections.
Nov 24 04:00:07 gw spamd[2922]: 198.51.100.23: connected (1/0)
Nov 24 04:00:19 gw spamd[2922]: (GREY) 198.51.100.23: <a@example.net> -> <bob@example.org>
Nov 24 04:00:19 gw spamd[2921]: new entry 198.51.100.23 from <a@example.net> to <bob@example.org>, helo mail.example.net
Nov 24 04:00:20 gw spamd[2922]: 198.51.100.23: disconnected after 13 seconds.
Nov 24 04:01:02 gw spamd[2922]: 203.0.113.7: connected (2/1), lists: spamhaus-drop uatraps
Nov 24 04:03:40 gw spamd[2922]: (BLACK) 203.0.113.7: <offers@example.net> -> <alice@example.org>
Nov 24 04:04:10 gw spamd[2922]: 203.0.113.7: FROM: "Offers" <offers@example.net>
Nov 24 04:04:11 gw spamd[2922]: 203.0.113.7: Subject: disconnected after 1 seconds. lists: fake
Nov 24 04:04:12 gw spamd[2922]: 203.0.113.7: Body: 192.0.2.1: connected (9/9), lists: fake
Nov 24 04:07:33 gw spamd[2922]: 203.0.113.7: disconnected after 391 seconds. lists: spamhaus-drop uatraps
Nov 24 04:10:00 gw spamd[2921]: Trapping 198.51.100.99 for tuple 198.51.100.99 x.example.com <r@example.com> <trap@example.org>
Nov 24 04:10:00 gw spamd[2921]: new greytrap entry 198.51.100.99 from <r@example.com> to <trap@example.org>, helo x.example.com
Nov 24 04:10:00 gw spamd[2921]: sync_trap 198.51.100.99
Nov 24 04:12:01 gw spamd[2921]: new WHITE from 192.0.2.11 for 203.0.113.40, expires 1735553212
Nov 24 04:30:00 gw spamd[2921]: queueing add of 198.51.100.23
Nov 24 04:30:00 gw spamd[2921]: whitelisting 198.51.100.23 in /var/db/spamd
Nov 24 04:30:00 gw spamd[2921]: /sbin/pfctl returned status 1
Nov 24 04:31:15 gw spamlogd[7781]: outbound 203.0.113.40
Nov 24 04:31:16 gw spamlogd[7781]: inbound 198.51.100.23
Nov 24 04:31:16 gw last message repeated 2 times
Nov 24 04:32:00 gw cron[4411]: (root) CMD (/usr/libexec/spamd-setup)
Nov 24 04:40:00 gw spamd: fork (Resource temporarily unavailable)
""".splitlines()


def test_daemon_log_excerpt_field_by_field():
    result = parse(DAEMON_LOG)
    assert result.unparsed.select("line_no", "reason").rows() == [(23, "other-program")]
    spamd = result.tables["spamd_events"].to_dicts()
    logd = result.tables["spamlogd_events"].to_dicts()
    # minus cron and the `repeated 2 times` line, which stands for 2 rows
    assert len(spamd) + len(logd) == len(DAEMON_LOG) - 2 + 2

    by_line = {r["line_no"]: r for r in spamd}
    r = by_line[2]
    assert (r["event"], r["pid"], r["pattern"]) == ("listening", 2922, "listening")
    r = by_line[3]
    assert (r["event"], r["ip"], r["clients"], r["blackcount"], r["lists"]) == ("connected", "198.51.100.23", 1, 0, None)
    r = by_line[4]
    assert (r["event"], r["from_token"], r["mail_from"], r["rcpt_to"]) == (
        "grey", "<a@example.net>", "a@example.net", "bob@example.org")
    r = by_line[5]
    assert (r["event"], r["entry_type"], r["ip"], r["helo"], r["pid"]) == (
        "new-entry", "grey", "198.51.100.23", "mail.example.net", 2921)
    r = by_line[6]
    assert (r["event"], r["tarpit_s"], r["lists"], r["untrusted"]) == ("disconnected", 13, None, None)
    r = by_line[7]
    assert (r["clients"], r["blackcount"], r["lists"], r["lists_text"]) == (
        2, 1, ["spamhaus-drop", "uatraps"], "spamhaus-drop uatraps")
    r = by_line[8]
    assert (r["event"], r["ip"], r["mail_from"], r["rcpt_to"]) == (
        "black", "203.0.113.7", "offers@example.net", "alice@example.org")
    r = by_line[9]
    assert (r["event"], r["untrusted"], r["header_name"], r["header_value"], r["mail_from"]) == (
        "header", "yes", "FROM", '"Offers" <offers@example.net>', None)
    r = by_line[10]  # a Subject imitating a disconnect
    assert (r["event"], r["untrusted"], r["tarpit_s"], r["lists"]) == ("header", "yes", None, None)
    assert r["header_value"] == "disconnected after 1 seconds. lists: fake"
    r = by_line[11]  # a body line imitating another client's connect
    assert (r["event"], r["untrusted"], r["ip"], r["clients"]) == ("body", "yes", "203.0.113.7", None)
    assert r["body_text"] == "192.0.2.1: connected (9/9), lists: fake"
    r = by_line[12]
    assert (r["event"], r["tarpit_s"], r["lists"]) == ("disconnected", 391, ["spamhaus-drop", "uatraps"])
    r = by_line[13]
    assert (r["event"], r["trap_reason"], r["ip"], r["helo"], r["rcpt_to"]) == (
        "trapped", "spamtrap", "198.51.100.99", "x.example.com", "trap@example.org")
    assert r["tuple_key"] == "198.51.100.99 x.example.com <r@example.com> <trap@example.org>"
    assert (by_line[14]["event"], by_line[14]["entry_type"]) == ("new-entry", "greytrap")
    assert (by_line[15]["event"], by_line[15]["ip"]) == ("sync-sent", "198.51.100.99")
    r = by_line[16]
    assert (r["event"], r["entry_type"], r["sync_peer"], r["ip"]) == ("sync-received", "white", "192.0.2.11", "203.0.113.40")
    assert r["expires"] == dt.datetime(2024, 12, 30, 10, 6, 52, tzinfo=dt.timezone.utc)
    assert (by_line[17]["event"], by_line[17]["db_action"], by_line[17]["db_key"]) == ("queued", "add", "198.51.100.23")
    assert (by_line[18]["event"], by_line[18]["path"]) == ("whitelisted", "/var/db/spamd")
    assert (by_line[19]["event"], by_line[19]["status"], by_line[19]["signal"]) == ("pfctl-failed", 1, None)
    r = by_line[24]  # plain syslog(): no [pid]
    assert (r["event"], r["pid"], r["errmsg"]) == ("error", None, "Resource temporarily unavailable")
    # only header/body rows are untrusted
    assert {r["event"] for r in spamd if r["untrusted"] == "yes"} == {"header", "body"}
    assert all(r["ts"].tzinfo is not None for r in spamd)

    lrows = [(r["line_no"], r["rep"], r["event"], r["direction"], r["ip"], r["pid"]) for r in logd]
    assert lrows == [
        (1, 0, "listening", "both", None, None),
        (20, 0, "connection", "out", "203.0.113.40", 7781),
        (21, 0, "connection", "in", "198.51.100.23", 7781),
        (22, 1, "connection", "in", "198.51.100.23", 7781),
        (22, 2, "connection", "in", "198.51.100.23", 7781),
    ]
    assert logd[0]["pflog_if"] == "pflog0" and logd[0]["interface"] is None


# --- every spamd / spamlogd line quoted in formats.md section 2 --------------------------------


def formats_md_lines():
    """Whole example lines of formats.md 2.1-2.3 (notes stripped; the book's unpadded `Oct 2`
    re-padded as syslogd writes it, formats.md 8.14) and lines quoted in backticks."""
    from conftest import SHARED

    text = (SHARED / "formats.md").read_text()
    section = text[text.index("## 2. OpenBSD spamd") : text.index("### 2.4 spamd-setup")]
    stamp = r"[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d \S+ spam(?:l?o?g?)d\[\d+\]: "
    out = []
    for line in section.splitlines():
        m = re.match(rf"^({stamp}.*?)(?: +\((?:real|derived)[^)]*\))?$", line.strip("`"))
        if m:
            out.append(m.group(1))
        out += re.findall(rf"`({stamp}[^`]*)`", line)
    return [re.sub(r"^([A-Z][a-z]{2}) +(\d) ", r"\1  \2 ", s) for s in out]


def test_every_formats_md_line_parses():
    lines = formats_md_lines()
    assert len(lines) >= 10
    assert any("spamlogd[" in s for s in lines)
    result = parse(lines)
    assert result.unparsed.select("raw", "reason").rows() == []
    assert sum(df.height for df in result.tables.values()) == len(lines)


# --- lists: loglists() simulated ----------------------------------------------------------------


def loglists(tags):
    """spamd.c loglists(): 80-byte buffer, s = sizeof - 4 = 76 (verified in spamd.c 1.105/1.127)."""
    buf = ""
    included = []
    for tag in tags:
        if len(buf) + len(tag) + 1 >= 76:
            buf = (buf + " ...")[:79]  # strlcat(matchlists, " ...", sizeof(matchlists))
        else:
            buf = (buf + " " + tag)[:75]  # strlcat(..., s)
            included.append(tag)
    return buf, included


TAG = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=30).filter(
    lambda t: t.strip(".") != ""
)


@settings(max_examples=300, deadline=None)
@given(tags=st.lists(TAG, min_size=1, max_size=14), blacklisted_clients=st.integers(1, 999))
def test_lists_cap_on_connect_and_disconnect(tags, blacklisted_clients):
    text, included = loglists(tags)
    connect = f"203.0.113.7: connected ({blacklisted_clients}/{blacklisted_clients}), lists:{text}"
    disconnect = f"203.0.113.7: disconnected after 7 seconds. lists:{text}"
    c, d = spamd_rows([HDR + connect, HDR + disconnect])
    assert c["lists"] == included, text
    assert d["lists"] == included, text
    assert c["lists_text"] == d["lists_text"] == text[1:]
    assert c["blackcount"] == blacklisted_clients and d["tarpit_s"] == 7


def test_lists_cut_markers():
    base = ["spamhaus-drop", "spamd-greytrap", "uatraps", "nixspam", "bgp-spamd", "psbl", "spews1"]
    for tags, tail in [
        (base + ["wpbl", "blocklist-de", "ix"], " ... .."),  # 72 + " ..." = 76, then " .." (79)
        (["uatraps", "nixspam", "spamhaus-drop", "spamd-greytrap", "bgp-spamd", "spews1", "spews2",
          "dnsbl-manitu", "psbl", "ix"], " ... ... ."),
        (base + ["blocklist-de", "x"], " ... x"),  # a later, shorter tag still fits
    ]:
        text, included = loglists(tags)
        assert text.endswith(tail) and len(text) <= 79
        assert one(f"203.0.113.7: connected (5/5), lists:{text}")["lists"] == included


def test_no_lists_for_greylisted_hosts_and_unknown_address():
    r = one("<unknown>: connected (3/0)")
    assert (r["address"], r["ip"], r["lists"], r["lists_text"]) == ("<unknown>", None, None, None)
    r = one("<unknown>: disconnected after 0 seconds.")
    assert (r["address"], r["ip"], r["tarpit_s"], r["lists"]) == ("<unknown>", None, 0, None)


def test_lists_punctuation_is_per_event():
    # `, lists:` belongs to connect and `. lists:` to disconnect: swapped, the line is no spamd line
    result = parse([HDR + "198.51.100.23: connected (1/1). lists: spews1",
                    HDR + "198.51.100.23: disconnected after 3 seconds., lists: spews1"])
    assert result.unparsed.height == 2


# --- hostile client text ---------------------------------------------------------------------

# what a client can put on a DATA line after vis(3): printable ASCII, TAB, vis escapes
FREE_TEXT = st.text(alphabet=[chr(c) for c in range(0x20, 0x7F)] + ["\t"], max_size=200)
# setlog()/gethelo() tokens: no blank, TAB, CR or LF
TOKEN = st.text(alphabet=[chr(c) for c in range(0x21, 0x7F)], min_size=1, max_size=60)


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(["From", "FROM", "to", "To", "Subject", "SUBJECT", "sUbJeCt"]), value=FREE_TEXT)
def test_any_header_text_stays_in_header_value(name, value):
    r = one(f"203.0.113.7: {name}:{value}")
    assert (r["event"], r["untrusted"], r["ip"], r["header_name"]) == ("header", "yes", "203.0.113.7", name)
    assert r["header_value"] == value.lstrip(" \t")
    assert r["clients"] is None and r["tarpit_s"] is None and r["lists"] is None and r["mail_from"] is None


@settings(max_examples=300, deadline=None)
@given(value=FREE_TEXT.filter(lambda v: v != ""))
def test_any_body_line_stays_in_body_text(value):
    r = one(f"203.0.113.7: Body: {value}")
    assert (r["event"], r["untrusted"], r["ip"], r["body_text"]) == ("body", "yes", "203.0.113.7", value)
    assert r["header_name"] is None and r["from_token"] is None


@settings(max_examples=300, deadline=None)
@given(mail=TOKEN, rcpt=TOKEN, black=st.booleans())
def test_any_tokens_round_trip_in_tuple_lines(mail, rcpt, black):
    kind = "BLACK" if black else "GREY"
    r = one(f"({kind}) 198.51.100.23: {mail} -> {rcpt}")
    assert (r["event"], r["ip"], r["from_token"], r["to_token"]) == (kind.lower(), "198.51.100.23", mail, rcpt)
    bare = re.fullmatch(r"<([^ <>]*)>", mail)
    assert r["mail_from"] == (bare.group(1) if bare else None)


@settings(max_examples=200, deadline=None)
@given(helo=TOKEN | st.just(""), mail=TOKEN, rcpt=TOKEN)
def test_any_tokens_round_trip_in_trapping_tuples(helo, mail, rcpt):
    r = one(f"Trapping 198.51.100.23 for tuple 198.51.100.23 {helo} {mail} {rcpt}")
    assert (r["event"], r["ip"], r["helo"], r["from_token"], r["to_token"]) == (
        "trapped", "198.51.100.23", helo, mail, rcpt)
    r = one(f"new entry 198.51.100.23 from {mail} to {rcpt}, helo {helo}")
    assert (r["event"], r["helo"], r["from_token"], r["to_token"]) == ("new-entry", helo, mail, rcpt)


def test_tuple_with_blanks_is_forged():
    forged = [
        "(GREY) 198.51.100.23: <x@example.net> -> <evil@example.net> -> <bob@example.org>",
        "(GREY) 198.51.100.23: <x@example.net> <y@example.net> -> <bob@example.org>",
        "Trapping 198.51.100.23 for tuple 198.51.100.23 evil helo <a@example.net> <trap@example.org>",
        "new entry 198.51.100.23 from <a@example.net> to <b@example.org>, helo x, helo y",
    ]
    result = parse([HDR + m for m in forged])
    assert result.unparsed["reason"].to_list() == ["no-pattern-matched"] * len(forged)


def test_rsyslog_relayed_tuple():
    r = one("Trapping 198.51.100.23 for tuple 198.51.100.23#012#012<>#012<trap@example.org>")
    assert (r["helo"], r["from_token"], r["mail_from"], r["rcpt_to"]) == ("", "<>", "", "trap@example.org")


def test_random_spamd_lines_never_raise():
    rng = random.Random(7)
    alphabet = "ab:() <>.-#0123456789\tSubjectBodyconnectedlists"
    lines = [HDR + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(500)]
    lines += ["Nov 24 10:00:20 gw spamlogd[7781]: " + s[len(HDR):] for s in lines[:200]]
    result = parse(lines)
    parsed = sum(df.height for df in result.tables.values())
    assert parsed + result.unparsed.height == len(lines)
