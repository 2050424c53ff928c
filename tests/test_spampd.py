"""spampd (formats.md section 3): what the generic declaration walk cannot express — a realistic
excerpt through the engine, version drift of the result line, recipient splitting with ESMTP
parameters, hostile Message-IDs / senders / recipients, and render-then-parse round trips."""

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mxlog.engine import parse_lines
from mxlog.selfcheck import check_parser
from parsers.spampd import SPAMPD

H = "Nov 24 10:00:05 mx1 spampd[3141]: "


def rows(lines):
    result = parse_lines(lines, parsers=[SPAMPD])
    table = result.tables.get("spampd_events")
    return (table.to_dicts() if table is not None else []), result.unparsed


def one(msg, header=H):
    got, unparsed = rows([header + msg])
    assert unparsed.height == 0, unparsed["reason"].to_list()
    assert len(got) == 1
    return got[0]


def test_selfcheck_is_clean():
    assert check_parser(SPAMPD) == []


def test_realistic_excerpt_v262():
    lines = [
        "Nov 24 09:59:58 mx1 spampd[3100]: SpamPD v2.62 [Perl 5.36.0, Net::Server::PreFork 2.014, "
        "SA 4.000000, rules v1917487] starting with: --port=10025 --relayhost=127.0.0.1:10026 ",
        'Nov 24 09:59:58 mx1 spampd[3100]: Starting "3" children',
        "Nov 24 09:59:58 mx1 spampd[3141]: Child Preforked (3141)",
        "Nov 24 09:59:59 mx1 spampd[3100]: logger: removing stderr method",
        'Nov 24 10:00:04 mx1 spampd[3141]: 2024/11/24-10:00:04 CONNECT TCP Peer: "[127.0.0.1]:36479" '
        'Local: "[127.0.0.1]:10025"',
        "Nov 24 10:00:04 mx1 spampd[3141]: processing message <20241124090003.ABC@example.net> for "
        "<alice@example.org>,<bob@example.org> ORCPT=rfc822;bob@example.org",
        "Nov 24 10:00:05 mx1 spampd[3141]: clean message <20241124090003.ABC@example.net> (-0.10/5.00) "
        "from <news@example.net> for <alice@example.org>,<bob@example.org> ORCPT=rfc822;bob@example.org "
        "in 0.84s, 5120 bytes, with rules v1917487",
        "Nov 24 10:00:05 mx1 spampd[3141]: rules hit for <20241124090003.ABC@example.net>: "
        "BAYES_00,DKIM_SIGNED,SPF_PASS",
        "Nov 24 10:01:12 mx1 spampd[3142]: identified spam <0a1b@spam.example> (18.41/5.00) from <> for "
        "<carol@example.org> in 3.07s, 11524 bytes, with rules v1917487",
        "Nov 24 10:02:00 mx1 spampd[3142]: skipped large message (5000.9765625KB)",
        "Nov 24 10:02:30 mx1 spampd[3143]: WARNING!! SpamAssassin error on message "
        "<x@example.net>: Timed out! ",
        "Nov 24 10:03:00 mx1 spampd[3100]: Server closing!",
    ]
    got, unparsed = rows(lines)
    assert unparsed.height == 0
    assert [r["event"] for r in got] == [
        "starting", "children-starting", "child-preforked", "sa-log", "connect", "processing",
        "result", "rules-hit", "result", "skipped", "sa-error", "other",
    ]
    results = [r for r in got if r["event"] == "result"]
    assert [(r["verdict"], r["score"], r["sender"]) for r in results] == [
        ("clean", -0.1, "news@example.net"),
        ("spam", 18.41, ""),
    ]
    assert results[0]["recipients"] == ["alice@example.org", "bob@example.org"]
    assert results[0]["recipient_params"] == ["", "ORCPT=rfc822;bob@example.org"]
    # the processing line and the result line of one message share message_id and pid
    processing = got[5]
    assert (processing["message_id"], processing["pid"]) == (results[0]["message_id"], results[0]["pid"])
    assert got[0]["rules_version"] == "1917487" and got[0]["net_server_version"] == "2.014"
    assert got[9]["size_kb"] == 5000.9765625


# one message as each spampd version logs it
DRIFT = [
    ("result_v261", "clean message <m@example.net> (-1.20/5.00) from <a@example.net> for "
     "<b@example.org>,<c@example.org> in 0.50s, 999 bytes, with rules v1917487"),
    ("result_v220", "clean message <m@example.net> (-1.20/5.00) from <a@example.net> for "
     "<b@example.org>,<c@example.org> in 0.50s, 999 bytes."),
    ("result_v210", "clean message <m@example.net> (-1.20/5.00) for <b@example.org>,<c@example.org> "
     "in 0.50 seconds, 999 bytes."),
    ("result_v200", "clean message (-1.2/5.0) in 0.5 seconds."),
]


@pytest.mark.parametrize("pattern, msg", DRIFT, ids=[d[0] for d in DRIFT])
def test_version_drift_same_verdict(pattern, msg):
    r = one(msg)
    assert r["pattern"] == pattern
    assert (r["event"], r["verdict"], r["score"], r["threshold"], r["seconds"]) == ("result", "clean", -1.2, 5.0, 0.5)
    if pattern != "result_v200":
        assert r["message_id"] == "m@example.net"
        assert r["recipients"] == ["b@example.org", "c@example.org"]
        assert r["bytes"] == 999
    assert r["sender"] == ("a@example.net" if pattern in ("result_v261", "result_v220") else None)
    assert r["rules_version"] == ("1917487" if pattern == "result_v261" else None)


def test_trailing_period_decides_between_220_and_261():
    # 2.61+ has no period; a 2.20 line never ends in `, with rules v...`
    assert one(DRIFT[1][1])["rules_version"] is None
    assert one(DRIFT[1][1][:-1] + ", with rules v(unknown)")["pattern"] == "result_v261"


def test_recipient_params_with_commas():
    r = one(
        "processing message <m@example.net> for <a@example.org> NOTIFY=SUCCESS,DELAY "
        "ORCPT=rfc822;a@example.org,<b@example.org>,b2@example.org,<c@example.org> ORCPT=rfc822;x,y"
    )
    assert r["recipients"] == ["a@example.org", "b@example.org", "c@example.org"]
    assert r["recipient_params"] == ["NOTIFY=SUCCESS,DELAY ORCPT=rfc822;a@example.org", "", "ORCPT=rfc822;x,y"]
    # the split is only before `,<`: an unbracketed argument (`RCPT TO: b2@example.org`) stays
    # glued to the previous one and is not listed; recipients_raw keeps it
    assert ",b2@example.org," in r["recipients_raw"]
    assert len(r["recipients"]) == len(r["recipient_params"])


def test_unknown_recipients_and_sender():
    r = one("identified spam (unknown) (5.10/5.00) from (unknown) for (unknown) in 1.00s, 10 bytes.")
    assert (r["message_id"], r["sender"], r["recipients"], r["recipient_params"]) == (None, None, None, None)
    assert r["recipients_raw"] == "(unknown)"


def test_orcpt_containing_comma_bracket_is_a_known_limit():
    # ORCPT is xtext: `,<` is legal inside it, and spampd's ',' join loses the boundary. The
    # converters then report a phantom recipient; recipients_raw keeps the truth.
    r = one(
        "clean message <m@example.net> (0.00/5.00) from <a@example.net> for "
        "<bob@example.org> ORCPT=rfc822;x,<ghost@example.com> in 0.10s, 10 bytes."
    )
    assert r["recipients"] == ["bob@example.org", "ghost@example.com"]
    assert r["recipients_raw"] == "<bob@example.org> ORCPT=rfc822;x,<ghost@example.com>"


@pytest.mark.parametrize(
    "msgid",
    [
        "x?from?<evil@example.com>?for?<bob@example.com>",  # 2.20+ rendering of ` from <` / ` for <`
        "a)?from?<evil@example.com>",  # `) from`
        "(0.00/1.00)?from?<evil@example.com>?for?<v@example.com>?in?0.01s,?1?bytes.",
        "",  # `<>` cannot be produced (re-bracketing needs text) but must not break the line
    ],
)
def test_hostile_message_ids_do_not_move_fields(msgid):
    r = one(
        f"identified spam <{msgid}> (9.00/5.00) from <real@example.net> for <alice@example.org> "
        "in 1.00s, 100 bytes."
    )
    assert r["message_id"] == msgid
    assert (r["sender"], r["recipients"], r["score"], r["bytes"]) == ("real@example.net", ["alice@example.org"], 9.0, 100)


def test_message_id_with_spaces_is_not_parsed():
    got, unparsed = rows([
        H + "identified spam <a from <evil@example.com> for <x@example.com>) (9.00/5.00) from "
        "<real@example.net> for <alice@example.org> in 1.00s, 100 bytes."
    ])
    assert got == [] and unparsed["reason"].to_list() == ["no-pattern-matched"]


def test_hostile_rules_hit_and_warning_ids():
    r = one("rules hit for <a?b:>: X,Y")
    assert (r["message_id"], r["rules"]) == ("a?b:", ["X", "Y"])
    r = one("WARNING!! SpamAssassin error on message <a:b>: Timed out! at x: y")
    assert (r["message_id"], r["error"]) == ("a:b", "Timed out! at x: y")


def test_iso_header_and_negative_threshold():
    r = one("clean message <m@example.net> (-3.00/-1.00) from <> for <a@example.org> in 0.01s, 1 bytes.",
            header="2018-10-26T17:12:00.271Z imap spampd[55849]: ")
    assert (r["host"], r["pid"], r["threshold"], r["sender"]) == ("imap", 55849, -1.0, "")


# --- render from the format string, parse back ----------------------------------------------

ADDR = st.from_regex(r"\A[a-z0-9.]{1,8}@example\.(org|net)\Z")
PARAMS = st.sampled_from(["", " ORCPT=rfc822;{a}", " NOTIFY=SUCCESS,FAILURE", " NOTIFY=NEVER ORCPT=rfc822;{a}"])
MSGID_CHARS = "".join(c for c in string.printable if 0x21 <= ord(c) <= 0x7E and c not in "<>")


@settings(max_examples=60, deadline=None)
@given(
    spam=st.booleans(),
    msgid=st.text(MSGID_CHARS, min_size=1, max_size=30),
    score=st.floats(-50, 50),
    sender=st.one_of(st.just(""), ADDR, st.from_regex(r"\A[a-z <]{0,12}\Z")),
    rcpts=st.lists(st.tuples(ADDR, PARAMS), min_size=1, max_size=4),
    secs=st.floats(0, 500),
    size=st.integers(0, 10**8),
    v261=st.booleans(),
)
def test_rendered_result_line_parses_back(spam, msgid, score, sender, rcpts, secs, size, v261):
    # spampd.pl: local ($") = ","; "$was_it_spam $msgid ($msg_score/$msg_threshold) from $sender ..."
    args = [f"<{a}>{p.format(a=a)}" for a, p in rcpts]
    msg = (
        f"{'identified spam' if spam else 'clean message'} <{msgid}> ({score:.2f}/5.00) from <{sender}> "
        f"for {','.join(args)} in {secs:.2f}s, {size} bytes"
        + (", with rules v1917487" if v261 else ".")
    )
    r = one(msg)
    assert r["verdict"] == ("spam" if spam else "clean")
    assert r["message_id"] == msgid
    assert r["score"] == float(f"{score:.2f}")
    assert r["sender"] == sender
    assert r["recipients"] == [a for a, _ in rcpts]
    assert r["recipient_params"] == [p.format(a=a).strip() for a, p in rcpts]
    assert r["recipients_raw"] == ",".join(args)
    assert (r["seconds"], r["bytes"]) == (float(f"{secs:.2f}"), size)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200).filter(lambda s: "\n" not in s and "\r" not in s))
def test_any_message_never_raises(text):
    parse_lines([H + text], parsers=[SPAMPD])
