"""spamdb dumps (parsers/spamdb.py, formats.md 2.5): the declaration's own checks, a realistic
dump of every entry type parsed field by field, and the ambiguity rules for unescaped `|`."""

import datetime

import pytest

from mxlog.engine import check_pattern_dialect, parse_lines
from mxlog.selfcheck import check_negative, check_parser, check_sample
from parsers.spamdb import SPAMDB

SNAPSHOT_US = 1_732_460_000_000_000  # 2024-11-24T14:53:20Z, the dump's --at time
SNAPSHOT = datetime.datetime(2024, 11, 24, 14, 53, 20, tzinfo=datetime.timezone.utc)
UTC = datetime.timezone.utc


def t(epoch):
    return datetime.datetime.fromtimestamp(epoch, UTC)


def parse(lines):
    return parse_lines(lines, kind="spamdb", snapshot_us=SNAPSHOT_US, host="mx1", parsers=[SPAMDB])


def rows(lines):
    result = parse(lines)
    assert result.unparsed.height == 0, result.unparsed["raw"].to_list()
    return result.tables["spamdb_entries"].rows(named=True)


SAMPLES = [(pat, s) for pat in SPAMDB.patterns for s in pat.samples]


def test_declaration_is_valid():
    assert SPAMDB.validate() == []
    assert (SPAMDB.name, SPAMDB.table, SPAMDB.kind, SPAMDB.programs) == (
        "spamdb",
        "spamdb_entries",
        "spamdb",
        (),
    )


def test_selfcheck_has_no_problem():
    assert check_parser(SPAMDB) == []


@pytest.mark.parametrize("pattern", SPAMDB.patterns, ids=lambda p: p.name)
def test_pattern_dialect(pattern):
    assert check_pattern_dialect(pattern.regex) == []


@pytest.mark.parametrize("pattern, sample", SAMPLES, ids=[f"{p.name}:{s.line[:40]}" for p, s in SAMPLES])
def test_sample(pattern, sample):
    assert check_sample(SPAMDB, pattern, sample) == []


@pytest.mark.parametrize("negative", SPAMDB.negatives, ids=lambda n: n.why[:50])
def test_negative(negative):
    assert check_negative(SPAMDB, negative) == []


# A dump as `spamdb > /var/db/spamdb.txt` writes it on an OpenBSD 7.x gateway (hash order).
DUMP = """\
WHITE|203.0.113.40|||1732442412|1732442412|1735553212|1|3
GREY|198.51.100.23|mail.example.net|<a@example.net>|<bob@example.org>|1732442412|1732456812|1732456812|1|0
SPAMTRAP|trap@example.org
TRAPPED|198.51.100.99|1732528812
GREY|198.51.100.24|[198.51.100.24]|<>|<carol@example.org>|1732442412|1732444212|1732456812|2|0
WHITE|192.0.2.10|||1732000000|1732001800|1735110400|4|17
GREY|192.0.2.7||<news@example.net>|<dave@example.org>|1732450000|1732464400|1732464400|1|0
SPAMTRAP|honeypot@example.net
TRAPPED|203.0.113.66|1732500000
GREY|198.51.100.66|evil|x|<a@example.net>|<bob@example.org>|1732442412|1732456812|1732456812|1|0
WHITE|2001:db8::25|||1732100000|1732100000|1735210400|0|0
GREY|198.51.100.31|bulk.example.com|promo@example.com|<frank@example.org>|1732442412|1732456812|1732456812|3|0
GREY|198.51.100.40|mx.example.com|<list|bounce@example.com>|<eve@example.org>|1732442412|1732456812|1732456812|1|0
TRAPPED|192.0.2.200|1732555555
GREY|203.0.113.5|EHLO-NAME|<Bob.Smith@Example.COM>|<BOB@example.org>|1732443000|1732457400|1732457400|1|0
WHITE|198.51.100.77|||1732300000|1732301500|1735410400|2|1
GREY|198.51.100.66|<evil@example.com>|<a@example.net>|<bob@example.org>|1732442412|1732456812|1732456812|1|0
SPAMTRAP|spam.me@example.org
GREY|198.51.100.50|relay.example.net|<x@example.net>|<y@example.org>|1732440000|1732444000|1732454400|5|0
WHITE|203.0.113.41|||1732442412|1732442412|1735553212|1|0
""".splitlines()

NULL_GREY = dict.fromkeys(("helo", "from_token", "to_token", "mail_from", "rcpt_to"), None)


def grey(pattern, fields, ip, helo, frm, to, mf, rt, first, pas, exp, b, p):
    return {
        "entry": "GREY", "pattern": pattern, "grey_fields": fields, "ip": ip, "helo": helo,
        "from_token": frm, "to_token": to, "mail_from": mf, "rcpt_to": rt,
        "first_time": t(first), "pass_time": t(pas), "expire_time": t(exp),
        "bcount": b, "pcount": p, "trap_address": None,
    }


def white(ip, first, pas, exp, b, p):
    return {
        "entry": "WHITE", "pattern": "white", "grey_fields": None, "ip": ip, **NULL_GREY,
        "first_time": t(first), "pass_time": t(pas), "expire_time": t(exp),
        "bcount": b, "pcount": p, "trap_address": None,
    }


def trapped(ip, exp):
    return {
        "entry": "TRAPPED", "pattern": "trapped", "grey_fields": None, "ip": ip, **NULL_GREY,
        "first_time": None, "pass_time": None, "expire_time": t(exp),
        "bcount": None, "pcount": None, "trap_address": None,
    }


def spamtrap(address):
    return {
        "entry": "SPAMTRAP", "pattern": "spamtrap", "grey_fields": None, "ip": None, **NULL_GREY,
        "first_time": None, "pass_time": None, "expire_time": None,
        "bcount": None, "pcount": None, "trap_address": address,
    }


EXPECTED = [
    white("203.0.113.40", 1732442412, 1732442412, 1735553212, 1, 3),
    grey("grey", 9, "198.51.100.23", "mail.example.net", "<a@example.net>", "<bob@example.org>",
         "a@example.net", "bob@example.org", 1732442412, 1732456812, 1732456812, 1, 0),
    spamtrap("trap@example.org"),
    trapped("198.51.100.99", 1732528812),
    grey("grey", 9, "198.51.100.24", "[198.51.100.24]", "<>", "<carol@example.org>",
         "", "carol@example.org", 1732442412, 1732444212, 1732456812, 2, 0),
    white("192.0.2.10", 1732000000, 1732001800, 1735110400, 4, 17),
    grey("grey", 9, "192.0.2.7", "", "<news@example.net>", "<dave@example.org>",
         "news@example.net", "dave@example.org", 1732450000, 1732464400, 1732464400, 1, 0),
    spamtrap("honeypot@example.net"),
    trapped("203.0.113.66", 1732500000),
    grey("grey", 9, "198.51.100.66", "evil|x", "<a@example.net>", "<bob@example.org>",
         "a@example.net", "bob@example.org", 1732442412, 1732456812, 1732456812, 1, 0),
    white("2001:db8::25", 1732100000, 1732100000, 1735210400, 0, 0),
    grey("grey_unbracketed", 9, "198.51.100.31", "bulk.example.com", "promo@example.com",
         "<frank@example.org>", "promo@example.com", "frank@example.org",
         1732442412, 1732456812, 1732456812, 3, 0),
    grey("grey", 9, "198.51.100.40", "mx.example.com", "<list|bounce@example.com>", "<eve@example.org>",
         "list|bounce@example.com", "eve@example.org", 1732442412, 1732456812, 1732456812, 1, 0),
    trapped("192.0.2.200", 1732555555),
    grey("grey", 9, "203.0.113.5", "EHLO-NAME", "<Bob.Smith@Example.COM>", "<BOB@example.org>",
         "Bob.Smith@Example.COM", "BOB@example.org", 1732443000, 1732457400, 1732457400, 1, 0),
    white("198.51.100.77", 1732300000, 1732301500, 1735410400, 2, 1),
    grey("grey", 9, "198.51.100.66", "<evil@example.com>", "<a@example.net>", "<bob@example.org>",
         "a@example.net", "bob@example.org", 1732442412, 1732456812, 1732456812, 1, 0),
    spamtrap("spam.me@example.org"),
    grey("grey", 9, "198.51.100.50", "relay.example.net", "<x@example.net>", "<y@example.org>",
         "x@example.net", "y@example.org", 1732440000, 1732444000, 1732454400, 5, 0),
    white("203.0.113.41", 1732442412, 1732442412, 1735553212, 1, 0),
]


def test_realistic_dump_field_by_field():
    got = rows(DUMP)
    assert len(got) == len(DUMP) == len(EXPECTED) == 20
    for i, (row, want) in enumerate(zip(got, EXPECTED, strict=True), start=1):
        assert row["line_no"] == i
        assert row["ts"] == SNAPSHOT
        assert row["host"] == "mx1"
        assert row["pid"] is None
        assert row["rep"] == 0
        for name, value in want.items():
            assert row[name] == value, f"line {i} {name}: {row[name]!r} != {value!r}"


def test_dump_counts_by_entry():
    got = rows(DUMP)
    counts = {}
    for r in got:
        counts[r["entry"]] = counts.get(r["entry"], 0) + 1
    assert counts == {"GREY": 9, "WHITE": 5, "TRAPPED": 3, "SPAMTRAP": 3}


OLD_DUMP = """\
WHITE|192.0.2.44|||1142400000|1142402100|1145510500|2|0
GREY|198.51.100.23|<a@example.net>|<bob@example.org>|1142400000|1142414400|1142414400|1|0
GREY|203.0.113.8|<>|<erin@example.org>|1142400000|1142402100|1142414400|3|0
GREY|198.51.100.31|promo@example.com|<frank@example.org>|1142400000|1142414400|1142414400|1|0
GREY|198.51.100.66|<a|b@example.net>|<bob@example.org>|1142400000|1142414400|1142414400|1|0
TRAPPED|203.0.113.66|1142486400
SPAMTRAP|trap@example.org
""".splitlines()


def test_old_dump_without_helo():
    """spamdb v1.15 (2006): GREY has no HELO (8 fields), times printed with %d."""
    got = rows(OLD_DUMP)
    greys = [r for r in got if r["entry"] == "GREY"]
    assert [r["pattern"] for r in greys] == ["grey_old", "grey_old", "grey_old_unbracketed", "grey_old"]
    assert all(r["grey_fields"] == 8 and r["helo"] is None for r in greys)
    assert [(r["mail_from"], r["rcpt_to"]) for r in greys] == [
        ("a@example.net", "bob@example.org"),
        ("", "erin@example.org"),
        ("promo@example.com", "frank@example.org"),
        ("a|b@example.net", "bob@example.org"),
    ]
    assert greys[1]["pass_time"] == t(1142402100) and greys[1]["bcount"] == 3
    assert got[0]["expire_time"] == t(1145510500)
    assert got[5]["expire_time"] == t(1142486400)


def test_new_grey_entry_has_pass_equal_expire():
    """formats.md 2.5: a new GREY entry has pass == expire; a retry after passtime sets
    pass = now, so pass < expire (the SQL `retried after passtime` test)."""
    got = rows(DUMP)
    retried = {r["ip"] for r in got if r["entry"] == "GREY" and r["pass_time"] < r["expire_time"]}
    assert retried == {"198.51.100.24", "198.51.100.50"}


@pytest.mark.parametrize(
    "line, helo, from_token, to_token, fields",
    [
        # the 9-field form: helo is everything between ip and the last two bracketed tokens
        ("GREY|192.0.2.1|h|<f@example.net>|<t@example.org>", "h", "<f@example.net>", "<t@example.org>", 9),
        ("GREY|192.0.2.1|a|b|<f@example.net>|<t@example.org>", "a|b", "<f@example.net>", "<t@example.org>", 9),
        ("GREY|192.0.2.1|h|<f|g@example.net>|<t|u@example.org>", "h", "<f|g@example.net>", "<t|u@example.org>", 9),
        ("GREY|192.0.2.1|||<f@example.net>|<t@example.org>", "|", "<f@example.net>", "<t@example.org>", 9),
        # the 8-field form: exactly two bracketed tokens after ip
        ("GREY|192.0.2.1|<f@example.net>|<t@example.org>", None, "<f@example.net>", "<t@example.org>", 8),
        ("GREY|192.0.2.1|<f|g@example.net>|<t@example.org>", None, "<f|g@example.net>", "<t@example.org>", 8),
        # ambiguous: an old from token `<x>|<y>` is indistinguishable from helo `<x>` + from `<y>`
        ("GREY|192.0.2.1|<x@example.com>|<y@example.com>|<t@example.org>", "<x@example.com>", "<y@example.com>", "<t@example.org>", 9),
        # unbracketed tokens without `|`: field count decides
        ("GREY|192.0.2.1|h|f@example.net|t@example.org", "h", "f@example.net", "t@example.org", 9),
        ("GREY|192.0.2.1|f@example.net|t@example.org", None, "f@example.net", "t@example.org", 8),
        ("GREY|192.0.2.1|h|<f@example.net|t@example.org>", "h", "<f@example.net", "t@example.org>", 9),
    ],
)
def test_grey_ambiguity_rules(line, helo, from_token, to_token, fields):
    (row,) = rows([line + "|1732442412|1732456812|1732456812|1|0"])
    assert (row["helo"], row["from_token"], row["to_token"], row["grey_fields"]) == (helo, from_token, to_token, fields)
    assert row["mail_from"] == from_token.strip("<>") and row["rcpt_to"] == to_token.strip("<>")


@pytest.mark.parametrize(
    "line",
    [
        "",
        "GREY",
        "GREY|",
        "GREY|192.0.2.1|h|a|b@example.net|<t@example.org>|1|2|3|4|5",  # `|` in an unbracketed token
        "GREY|192.0.2.1|h|a<b@example.net|<t@example.org>|1|2|3|4|5",  # stray `<`
        "GREY|192.0.2.1|<t@example.org>|1|2|3|4|5",  # no to
        "GREY|192.0.2.1|h|<f@example.net>|<t@example.org>|1|2|3|4|5|6",  # extra number
        "GREY|192.0.2.1|h|<f@example.net>|<t@example.org>|1|2|3|4|",  # missing pcount
        "GREY|192.0.2.1|h|<f@example.net>|<t@example.org>|-1|2|3|4|5",  # negative time
        "GREY |192.0.2.1|h|<f@example.net>|<t@example.org>|1|2|3|4|5",
        "WHITE|192.0.2.1|||1|2|3|4",
        "WHITE|192.0.2.1|x||1|2|3|4|5",
        "WHITE||||1|2|3|4|5",
        "TRAPPED|192.0.2.1",
        "TRAPPED|192.0.2.1|1|2",
        "TRAPPED|host.example.org|1732528812",
        "SPAMTRAP|",
        "SPAMTRAP|two words@example.org",
        "DOMAIN|example.org",
        "  WHITE|203.0.113.40|||1732442412|1732442412|1735553212|1|3",
        "\x00\x01garbage",
        "usage: spamdb [-dGTt] [-a keys] [-d keys] [-Y synctarget] [-y synclisten]",
    ],
)
def test_garbage_does_not_parse(line):
    result = parse([line])
    assert not any(df.height for df in result.tables.values())
    assert result.unparsed.height == 1


def test_crlf_dump_parses():
    (row,) = rows(["TRAPPED|198.51.100.99|1732528812\r"])
    assert row["ip"] == "198.51.100.99" and row["expire_time"] == t(1732528812)
