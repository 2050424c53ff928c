"""dkimproxy (formats.md section 4): a realistic excerpt of both programs through the engine,
the attribute layouts, hostile Message-IDs / identities, and render-then-parse round trips."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mxlog.engine import parse_lines
from mxlog.selfcheck import check_parser
from parsers.dkimproxy import DKIMPROXY

OUT = "Nov 24 10:00:06 mx1 dkimproxy.out[2368]: "
IN = "Nov 24 10:00:06 mx1 dkimproxy.in[5520]: "


def rows(lines):
    result = parse_lines(lines, parsers=[DKIMPROXY])
    table = result.tables.get("dkimproxy_events")
    return (table.to_dicts() if table is not None else []), result.unparsed


def one(line):
    got, unparsed = rows([line])
    assert unparsed.height == 0, unparsed["reason"].to_list()
    assert len(got) == 1
    return got[0]


def test_selfcheck_is_clean():
    assert check_parser(DKIMPROXY) == []


def test_realistic_excerpt_both_directions():
    lines = [
        "Nov 24 10:00:01 mx1 dkimproxy.in[5520]: connect from 127.0.0.1",
        "Nov 24 10:00:02 mx1 dkimproxy.in[5520]: DKIM verify - pass; message-id=<CAF1x@mail.gmail.com>, "
        "signer=<@gmail.com>, from=<someone@gmail.com>",
        "Nov 24 10:00:03 mx1 dkimproxy.in[5521]: DKIM verify - none; message-id=<20241124.123@example.net>, "
        "from=<x@example.net>",
        "Nov 24 10:00:04 mx1 dkimproxy.in[5522]: DKIM verify - invalid (public key: not available); "
        "message-id=<q@example.com>, signer=<@example.com>, from=<a@example.com>",
        "Nov 24 10:00:05 mx1 dkimproxy.in[5523]: verify error: Timed out",
        "Nov 24 10:00:06 mx1 dkimproxy.out[2368]: connect from 127.0.0.1",
        "Nov 24 10:00:06 mx1 dkimproxy.out[2368]: DKIM signing - signed; message-id=<r@example.org>, "
        "signer=<@example.org>, from=<alice@example.org>",
        "Nov 24 10:00:07 mx1 dkimproxy.out[2369]: DKIM signing - skipped; ",
        "Nov 24 10:00:08 mx1 dkimproxy.out[2370]: signing error: key file not found ",
    ]
    got, unparsed = rows(lines)
    assert unparsed.height == 0
    assert [(r["event"], r["direction"], r["result"]) for r in got] == [
        ("connect", None, None),
        ("verify", "in", "pass"),
        ("verify", "in", "none"),
        ("verify", "in", "invalid"),
        ("verify-error", "in", None),
        ("connect", None, None),
        ("signing", "out", "signed"),
        ("signing", "out", "skipped"),
        ("signing-error", "out", None),
    ]
    assert got[3]["result_detail"] == "public key: not available"
    assert got[6]["signer"] == "@example.org" and got[6]["address"] == "alice@example.org"
    assert got[7]["message_id"] is None and got[7]["signer"] is None


def test_connect_direction_is_null_but_pid_links_it():
    got, _ = rows([
        OUT + "connect from 192.0.2.10",
        OUT + "DKIM signing - signed; signer=<@example.org>, from=<a@example.org>",
    ])
    assert got[0]["direction"] is None and got[0]["pid"] == got[1]["pid"] == 2368


def test_old_mail_dkim_without_from_and_1_1rc1_connect():
    r = one(IN + "DKIM verify - pass; message-id=<m@example.net>, signer=<@example.net>")
    assert (r["pattern"], r["signer"], r["address"]) == ("verify_signer", "@example.net", None)
    r = one(OUT + "got connection from 192.0.2.10")
    assert (r["event"], r["client_ip"]) == ("connect", "192.0.2.10")


def test_line_ending_without_trailing_space():
    # `; ` is what dkimproxy writes; a copy that lost the trailing space still parses
    assert one(IN + "DKIM verify - none;")["result"] == "none"


@pytest.mark.parametrize(
    "line, expected",
    [
        (
            IN + "DKIM verify - pass; message-id=<x>, signer=<@bank.example>, signer=<@evil.example>, "
            "from=<a@evil.example>",
            {"signer": "@evil.example", "message_id": "x>, signer=<@bank.example"},
        ),
        (
            IN + "DKIM verify - none; message-id=<x>, signer=<@bank.example>, from=<a@evil.example>",
            {"signer": None, "message_id": "x>, signer=<@bank.example", "address": "a@evil.example"},
        ),
        (
            IN + "DKIM verify - pass; message-id=<x>, signer=<@a.example>, from=<ceo@a.example>, "
            "signer=<@evil.example>, from=<a@evil.example>",
            {"signer": "@evil.example", "address": "a@evil.example"},
        ),
        (
            IN + "DKIM verify - none; message-id=<x; y) (z>, from=<a@evil.example>",
            {"result": "none", "result_detail": None, "message_id": "x; y) (z"},
        ),
        (
            IN + "DKIM verify - none; message-id=<<a@b>>",
            {"message_id": "<a@b>", "address": None},
        ),
    ],
)
def test_hostile_message_ids(line, expected):
    r = one(line)
    assert {k: r[k] for k in expected} == expected


def test_residual_invalid_without_signature_is_a_known_limit():
    # An unparseable DKIM-Signature gives `invalid` with no signer attribute; a Message-ID ending
    # in `>, signer=<...` is then read as the signer (the text is identical to a genuine line).
    r = one(IN + "DKIM verify - invalid (missing v tag); message-id=<x>, signer=<@bank.example>, "
            "from=<a@evil.example>")
    assert r["signer"] == "@bank.example"


ADDR = st.from_regex(r"\A[a-z0-9.]{1,8}@example\.(org|net|com)\Z")
HOSTILE_ID = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)


@settings(max_examples=80, deadline=None)
@given(
    verify=st.booleans(),
    msgid=st.one_of(st.none(), HOSTILE_ID),
    signer=st.one_of(st.none(), ADDR, st.from_regex(r"\A@[a-z]{1,8}\.example\Z")),
    addr=st.one_of(st.none(), st.tuples(st.sampled_from(["from", "sender"]), ADDR)),
    detail=st.one_of(st.none(), st.sampled_from(["body has been altered", "bad RSA signature", "public key: not available"])),
)
def test_rendered_line_parses_back(verify, msgid, signer, addr, detail):
    # result follows the rule the parser relies on: a signer exists iff there was a signature
    if verify:
        result = ("fail" if detail else "pass") if signer else "none"
    else:
        result, detail = ("signed" if signer else "skipped"), None
    # without a real From:/Sender:, a Message-ID ending in `>, from=<...` is textually a genuine
    # line (nothing to anchor on): outside the property, see the negatives
    assume(addr or not msgid or not any(f">, {h}=<" in msgid for h in ("from", "sender")))
    attrs = []
    if msgid:  # Mail::DKIM: if (my $message_id = ...) -- '' is false
        attrs.append(f"message-id=<{msgid}>")
    if signer:
        attrs.append(f"signer=<{signer}>")
    if addr:
        attrs.append(f"{addr[0]}=<{addr[1]}>")
    result_detail = result + (f" ({detail})" if detail else "")
    line = (IN if verify else OUT) + f"DKIM {'verify' if verify else 'signing'} - {result_detail}; " + ", ".join(attrs)
    r = one(line)
    assert (r["direction"], r["result"], r["result_detail"]) == ("in" if verify else "out", result, detail)
    assert r["message_id"] == (msgid or None)
    assert r["signer"] == signer
    assert (r["address_header"], r["address"]) == (addr if addr else (None, None))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200).filter(lambda s: "\n" not in s and "\r" not in s))
def test_any_message_never_raises(text):
    parse_lines([IN + "DKIM verify - " + text, OUT + text], parsers=[DKIMPROXY])
