"""dkimproxy (`dkimproxy.out[PID]:` signs, `dkimproxy.in[PID]:` verifies) — `dkimproxy_events`.

Reference: /work/shared/formats.md section 4; re-read in `andrewaylett/dkimproxy`
scripts/dkimproxy.out and .in (HEAD d21319a = 1.4.1, tags 1.1rc1, 1.2, 1.3) and Mail::DKIM
`Mail::DKIM::Common::message_attributes` / `message_id`.

  DKIM signing - <result>[ (<details>)]; <attributes>     (.out, info)
  DKIM verify - <result>[ (<details>)]; <attributes>      (.in, info)
  signing error: <text> / verify error: <text>          (warning; newlines of $@ -> spaces)
  connect from <ip> (1.2+) / got connection from <ip> (1.1rc1)   (debug, both programs)

`direction` (out|in) is a constant of each pattern: the program name is not part of the message
the regexes see, and the message text decides it for every line but the connect lines, which
both programs write identically — direction is NULL there. The rows carry no program column;
a connect row's direction can be recovered from the next result/error row of the same host and
pid (each connection is handled by one dkimproxy process).

Route keys: `DKIM signing`, `DKIM verify`, `signing error`, `verify error`, `connect from`,
`got connection from`. Nothing else is claimed: any other dkimproxy line is a real miss.

<attributes> = join(", ", message-id=<ID>, signer=<IDENTITY>, sender=<ADDR> | from=<ADDR>), each
present only when known, so the line may end in `; ` (trailing space). What the patterns honour:
* ID is the Message-ID header with ONE outer `<...>` removed by a greedy `^\\s*<(.*)>\\s*$`: any
  sender can put `>, signer=<@bank.example` or `>, from=<ceo@...` inside it. IDENTITY is the
  signature's i= (or `@d=`) — attacker-chosen on .in, but a tag value (no `;`). ADDR is
  Mail::Address->address (normally no `>`).
* So the attributes are parsed FROM THE END: the message-id is greedy and the fields after it are
  `[^>]*`, i.e. the LAST `>, signer=<` / `>, from=<` of the line starts the real field. One
  pattern per layout, the fullest first (first match wins): id?+signer+address, id?+signer,
  id?+address, id-or-nothing. A fake `signer=` inside the message-id therefore only survives
  when the line has no real signer — and the signer layouts are only tried for results that
  always come from a signature (signing: `signed`; verify: `pass|fail|invalid|temperror|
  permerror`), never for `none`/`skipped`/unknown results.
  Residual risks (documented, tested): an `invalid` result without a parseable signature (no real
  signer) and a From address with a quoted local part containing `>, signer=<`.
* <details> (`fail (body has been altered)`, `invalid (public key: not available)`) is `[^;]*`:
  Mail::DKIM's messages and the tag values they quote carry no `;`, while the attributes after
  `; ` are attacker text.
"""

from __future__ import annotations

from parsers.base import Field, Negative, Parser, Pattern, Sample

# --- building blocks ------------------------------------------------------------------------

DETAILS = r"(?: \((?P<result_detail>[^;]*)\))?"
MID = r"(?:message-id=<(?P<message_id>.*)>, )?"  # greedy: a fake `>, signer=<` stays inside
SIGNER = r"signer=<(?P<signer>[^>]*)>"
ADDRESS = r"(?P<address_header>from|sender)=<(?P<address>[^>]*)>"
REST = r";(?: (?:message-id=<(?P<message_id>.*)>)?)?$"  # `; ` alone when no attribute is known

OUT = "Nov 24 10:00:06 mx1 dkimproxy.out[2368]: "
IN = "Nov 24 10:00:06 mx1 dkimproxy.in[5520]: "


def _s(header, msg, origin="derived", **fields):
    return Sample(header + msg, fields, origin)


FIELDS = (
    Field(
        "event",
        "signing (.out result line), verify (.in result line), signing-error, verify-error, connect",
    ),
    Field(
        "direction",
        "out (dkimproxy.out, signing) | in (dkimproxy.in, verifying); NULL on connect lines, which "
        "both programs log in the same words",
    ),
    Field(
        "result",
        "signing: signed | skipped; verify: pass | fail | invalid | none (temperror/permerror "
        "accepted if a Mail::DKIM ever logs them)",
    ),
    Field(
        "result_detail",
        "the text in parentheses after the result (`body has been altered`, `public key: not "
        "available`); NULL when none",
    ),
    Field(
        "message_id",
        "Message-ID header without its outer <> (`message-id=<...>`); NULL when the header is "
        "missing or not bracketed. Attacker text, may contain `>, ` (kept here, never moved on).",
    ),
    Field(
        "signer",
        "signature identity (`signer=<...>`, the i= tag or `@` + d=); NULL when no signature. On "
        ".in chosen by whoever signed.",
    ),
    Field(
        "address",
        "From: (or Sender:, see address_header) address of the message (`from=<...>`/`sender=<...>`)",
    ),
    Field("address_header", "which header `address` came from: from | sender (Sender: wins when present)"),
    Field("error", "signing/verify error text (Perl $@, newlines turned into spaces)"),
    Field("client_ip", "connect lines: $ENV{REMOTE_ADDR}, the SMTP client of the proxy", "ip"),
)


def _results(event, direction, prefix, header, signer_results, samples):
    """The four attribute layouts of one direction, fullest first (see module doc)."""
    head = rf"^DKIM {prefix} - "
    any_result = rf"(?P<result>[a-z]+){DETAILS}"
    signed_result = rf"(?P<result>{signer_results}){DETAILS}"
    fmt = (
        f'"DKIM {prefix} - $result_detail; " . join(", ", $dkim->message_attributes) '
        f"(scripts/dkimproxy.{direction})"
    )
    st = {"event": event, "direction": direction}
    return (
        Pattern(
            f"{event}_signer_address",
            (f"DKIM {prefix}",),
            rf"{head}{signed_result}; {MID}{SIGNER}, {ADDRESS}$",
            fmt + " — message-id?, signer, from|sender",
            samples[0],
            st,
        ),
        Pattern(
            f"{event}_signer",
            (f"DKIM {prefix}",),
            rf"{head}{signed_result}; {MID}{SIGNER}$",
            fmt + " — message-id?, signer (no From:/Sender:, or a Mail::DKIM without from=)",
            samples[1],
            st,
        ),
        Pattern(
            f"{event}_address",
            (f"DKIM {prefix}",),
            rf"{head}{any_result}; {MID}{ADDRESS}$",
            fmt + " — message-id?, from|sender (no signature)",
            samples[2],
            st,
        ),
        Pattern(
            f"{event}_bare",
            (f"DKIM {prefix}",),
            rf"{head}{any_result}{REST}",
            fmt + " — message-id or nothing (line ends `; `)",
            samples[3],
            st,
        ),
    )


SIGNING = _results(
    "signing",
    "out",
    "signing",
    OUT,
    "signed",
    (
        (
            Sample(
                "Mar 30 21:52:57 dimitry dkimproxy.out[2368]: DKIM signing - signed; "
                "message-id=<47F00BB8.9060605@arrivalalert.com>, signer=<noreply@arrivalalert.com>, "
                "from=<noreply@arrivalalert.com>",
                {
                    "event": "signing",
                    "direction": "out",
                    "result": "signed",
                    "result_detail": None,
                    "message_id": "47F00BB8.9060605@arrivalalert.com",
                    "signer": "noreply@arrivalalert.com",
                    "address_header": "from",
                    "address": "noreply@arrivalalert.com",
                },
                "real",
            ),
            _s(
                OUT,
                "DKIM signing - signed; signer=<@example.org>, sender=<list-owner@example.org>",
                message_id=None,
                signer="@example.org",
                address_header="sender",
                address="list-owner@example.org",
            ),
        ),
        (
            _s(
                OUT,
                "DKIM signing - signed; message-id=<20241124.1@example.org>, signer=<@example.org>",
                result="signed",
                message_id="20241124.1@example.org",
                signer="@example.org",
                address=None,
            ),
        ),
        (
            _s(
                OUT,
                "DKIM signing - skipped; message-id=<20241124.2@example.org>, from=<alice@example.org>",
                result="skipped",
                message_id="20241124.2@example.org",
                signer=None,
                address="alice@example.org",
            ),
        ),
        (
            _s(OUT, "DKIM signing - skipped; ", result="skipped", message_id=None, signer=None, address=None),
            _s(OUT, "DKIM signing - skipped; message-id=<x@example.org>", message_id="x@example.org"),
        ),
    ),
)

VERIFY = _results(
    "verify",
    "in",
    "verify",
    IN,
    "pass|fail|invalid|temperror|permerror",
    (
        (
            _s(
                IN,
                "DKIM verify - pass; message-id=<CAF1x@mail.gmail.com>, signer=<@gmail.com>, "
                "from=<someone@gmail.com>",
                event="verify",
                direction="in",
                result="pass",
                result_detail=None,
                message_id="CAF1x@mail.gmail.com",
                signer="@gmail.com",
                address_header="from",
                address="someone@gmail.com",
            ),
            _s(
                IN,
                "DKIM verify - fail (body has been altered); message-id=<a.b@example.net>, "
                "signer=<news@example.net>, from=<news@example.net>",
                result="fail",
                result_detail="body has been altered",
                signer="news@example.net",
            ),
            _s(
                IN,
                "DKIM verify - invalid (public key: not available); signer=<@example.com>, "
                "sender=<bounce@example.com>",
                result="invalid",
                result_detail="public key: not available",
                message_id=None,
                address_header="sender",
            ),
        ),
        (
            _s(
                IN,
                "DKIM verify - pass; message-id=<old.0.13@example.net>, signer=<@example.net>",
                result="pass",
                signer="@example.net",
                address=None,
            ),
        ),
        (
            _s(
                IN,
                "DKIM verify - none; message-id=<20241124.123@example.net>, from=<x@example.net>",
                result="none",
                message_id="20241124.123@example.net",
                signer=None,
                address_header="from",
                address="x@example.net",
            ),
            _s(
                IN,
                "DKIM verify - invalid (missing v tag); from=<y@example.net>",
                result="invalid",
                result_detail="missing v tag",
                signer=None,
                address="y@example.net",
            ),
        ),
        (
            _s(IN, "DKIM verify - none; ", result="none", message_id=None, address=None),
        ),
    ),
)

OTHER = (
    # dkimproxy.out: eval { syslog("warning", '%s', "signing error: $E") }  ($E =~ s/\n/ /gs)
    Pattern(
        "signing_error",
        ("signing error",),
        r"^signing error: (?P<error>.*)$",
        "syslog(\"warning\", '%s', \"signing error: $E\") (scripts/dkimproxy.out)",
        (
            _s(
                OUT,
                "signing error: can't open /etc/dkimproxy/private.key: No such file or directory "
                "at /usr/local/bin/dkimproxy.out line 370. ",
                error="can't open /etc/dkimproxy/private.key: No such file or directory at "
                "/usr/local/bin/dkimproxy.out line 370. ",
            ),
        ),
        {"event": "signing-error", "direction": "out"},
    ),
    Pattern(
        "verify_error",
        ("verify error",),
        r"^verify error: (?P<error>.*)$",
        "syslog(\"warning\", '%s', \"verify error: $E\") (scripts/dkimproxy.in)",
        (_s(IN, "verify error: Timed out", error="Timed out"),),
        {"event": "verify-error", "direction": "in"},
    ),
    # 1.2+: syslog("debug", '%s', "connect from $ENV{REMOTE_ADDR}")
    Pattern(
        "connect",
        ("connect from",),
        r"^connect from (?P<client_ip>[^ ]+)$",
        "syslog(\"debug\", '%s', \"connect from $ENV{REMOTE_ADDR}\") (1.2+, both programs)",
        (
            _s(OUT, "connect from 127.0.0.1", client_ip="127.0.0.1", direction=None),
            _s(IN, "connect from 2001:db8::25", client_ip="2001:db8::25"),
        ),
        {"event": "connect"},
    ),
    # 1.1rc1: syslog("debug", '%s', "got connection from $ENV{REMOTE_ADDR}")
    Pattern(
        "connect_v11",
        ("got connection from",),
        r"^got connection from (?P<client_ip>[^ ]+)$",
        "syslog(\"debug\", '%s', \"got connection from $ENV{REMOTE_ADDR}\") (1.1rc1)",
        (_s(OUT, "got connection from 192.0.2.10", client_ip="192.0.2.10", direction=None),),
        {"event": "connect"},
    ),
)

ROUTER = r"^(DKIM signing|DKIM verify|signing error|verify error|connect from|got connection from)"

NEGATIVES = (
    Negative(
        IN
        + "DKIM verify - pass; message-id=<x>, signer=<@bank.example>, signer=<@evil.example>, "
        "from=<a@evil.example>",
        "Message-ID `<x>, signer=<@bank.example>`: the real signer is the LAST one",
        {"message_id": "x>, signer=<@bank.example", "signer": "@evil.example", "address": "a@evil.example"},
    ),
    Negative(
        IN + "DKIM verify - none; message-id=<x>, signer=<@bank.example>, from=<a@evil.example>",
        "an unsigned message (`none`) has no signer: a `signer=` inside its Message-ID stays there",
        {"message_id": "x>, signer=<@bank.example", "signer": None, "address": "a@evil.example"},
    ),
    Negative(
        IN
        + "DKIM verify - fail (bad RSA signature); message-id=<x>, from=<ceo@example.org>, "
        "signer=<@evil.example>, from=<a@evil.example>",
        "a fake `from=` inside the Message-ID does not replace the From: address",
        {
            "message_id": "x>, from=<ceo@example.org",
            "signer": "@evil.example",
            "address": "a@evil.example",
            "result_detail": "bad RSA signature",
        },
    ),
    Negative(
        IN + "DKIM verify - none; message-id=<x>, sender=<ceo@example.org>, from=<a@evil.example>",
        "a fake `sender=` inside the Message-ID: the last address attribute is the real one",
        {"message_id": "x>, sender=<ceo@example.org", "address_header": "from", "address": "a@evil.example"},
    ),
    Negative(
        IN + "DKIM verify - none; message-id=<a); pass (x>, from=<a@evil.example>",
        "`); ` in the Message-ID cannot fake the result or its details",
        {"result": "none", "result_detail": None, "message_id": "a); pass (x", "address": "a@evil.example"},
    ),
    Negative(
        OUT + "DKIM signing - skipped; message-id=<x>, signer=<@example.org>",
        "`skipped` never has a signer: a Message-ID ending in `>, signer=<...` stays the message-id",
        {"message_id": "x>, signer=<@example.org", "signer": None},
    ),
    Negative(
        OUT + "connect from 192.0.2.1 evil",
        "REMOTE_ADDR is one address; anything after it is not a connect line",
        None,
    ),
)

DKIMPROXY = Parser(
    name="dkimproxy",
    table="dkimproxy_events",
    description=(
        "dkimproxy 1.x: DKIM signing (dkimproxy.out) and verification (dkimproxy.in) results with "
        "message-id, signer and From:/Sender: address, error and connect lines (formats.md section 4)"
    ),
    programs=("dkimproxy.out", "dkimproxy.in"),
    version="1",
    router=ROUTER,
    fields=FIELDS,
    patterns=SIGNING + VERIFY + OTHER,
    negatives=NEGATIVES,
)
