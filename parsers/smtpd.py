"""OpenSMTPD (`smtpd[PID]:`) — all five log-format families into one `smtpd_events` table.

Reference: /work/shared/formats.md section 1 (OpenSMTPD) and section 8. Families (1.1):

  A  5.4.x / 5.9.x   `smtp-in: New session ...`, `relay: Ok for ...`, `delivery: Ok for ...`
  B  5.7.x           `smtp-in: session X: ...`, `smtp-out: session X: ...`
  C  6.0.x           `X smtp event=connected ...` (`event=NAME`, session end is `closed`)
  D  6.4.x           `X smtp connected address=... host=...` (address/host repeated per line)
  E  6.6 .. 7.8      `X smtp connected ...`, later lines carry only the session id

The table is normalized across families so that SQL (journeys) need not know the family:
`subsystem` + `event` use the E vocabulary, A/B disconnect wordings are mapped to E reasons
(`Closing session` -> quit, `Received disconnect` -> disconnect, `session timeout` -> timeout,
`IO error: x` -> io-error with the detail in `reason_text`), and every family's recipient count
(`nrcpt=`, `ndest=`) lands in `nrcpt`.

Route keys (the `router` group): for `%016x <subsystem> ...` lines, the subsystem word and the
event word (`smtp connected`, `smtp event=connected`, `mta delivery`, `mta ssl_check_name`);
for A/B lines `smtp-in: <Word>` / `smtp-out: <Word>` (`smtp-in: New`, `smtp-in: session`,
`smtp-out: Error`); `relay:`, `delivery:`, `info:`, `warn:`, `queue:`, `Exiting`, `proxy 0x`;
and `: ` for any other `name: text` line (filter stderr, fatal(), getnameinfo:, trace).

What the engine must honour (checked against Python `re`, polars/Rust and java.util.regex):
* first match wins within a route: specific patterns precede deliberate catch-alls
  (`smtp_disconnected_io_error` before `smtp_disconnected`, `mda_delivery_d` (session 0) before
  `mda_delivery`, `a_in_timeout` before `a_in_disconnecting`, `warn_bounce` before `warn` ...);
* do not strip the message: B lines end with a space (`for user %s `, `verification %s `);
* an empty capture is '' not NULL (`from=<>`, queue `from=<@>` -> mail_from ''), while a group
  that did not take part is NULL (`rcpt=<->`, `source="-"`);
* `address` and `ip` are nested groups over the same text; Java group names cannot contain `_`,
  so the Spark translation must rename groups (e.g. `mail_from` -> `mailFrom`).
"""

from __future__ import annotations

from parsers.base import Derived, Field, Negative, Parser, Pattern, Sample

# --- building blocks (all in the RE2/Rust/Java/Python common subset) ------------------------

SID = r"(?P<session>[0-9a-f]{16})"  # %016"PRIx64"
MSGID = r"(?P<msgid>[0-9a-f]{8})"  # %08x
EVPID = r"(?P<evpid>[0-9a-f]{16})"
# address=%s (ss_to_text/sa_to_text): 192.0.2.1, local, IPv6:2001:db8::1 (<= 6.4),
# [2001:db8::1] (6.6+), [fe80::1%em0], [(unknown)] -- never contains a space.
ADDR = r"(?P<address>(?P<ip>\S+))"
HOST = r"(?P<rdns>\S+)"  # host=%s: PTR name, `<unknown>`, or the local hostname
# A/B "from host %s [%s]": the address inside the brackets (IPv4, IPv6:..., local)
HOST_BRACKET = r"host (?P<rdns>\S+) \[(?P<address>(?P<ip>[^ \]]*))\]"
# from=<%s%s%s> to=<%s%s%s> of smtp lines: validated (valid_localpart, res_hnok), no space/<>
FROM_TO = r"from=<(?P<mail_from>[^ <>]*)> to=<(?P<rcpt_to>[^ <>]*)>"
FROM_TO_COMMA = r"from=<(?P<mail_from>[^ <>]*)>, to=<(?P<rcpt_to>[^ <>]*)>"
RCPT_OR_DASH = r"rcpt=<(?:-|(?P<rcpt>[^ <>]*))>"  # `<->` -> rcpt NULL
DELAY = r"(?P<delay_s>-?[0-9dhms]+)"  # duration_to_text(): 0s, 1d2h3m4s, -3s
# E (6.6+): ssl_to_text/tls_to_text "%s:%s:%d"
TLS_E = r"(?P<tls_version>[^: ]+):(?P<tls_cipher>[^: ]+):(?P<tls_bits>\d+)"
# A/C/D: "version=%s, cipher=%s, bits=%d"
TLS_OLD = r"version=(?P<tls_version>[^ ,]+), cipher=(?P<tls_cipher>[^ ,]+), bits=(?P<tls_bits>\d+)"
# B (5.7): "version=%s (%s), cipher=%s, bits=%d" -- cipher version, then the protocol (kept)
TLS_B = (
    r"version=[^ ,]+ \((?P<tls_version>[^ ,()]+)\), "
    r"cipher=(?P<tls_cipher>[^ ,]+), bits=(?P<tls_bits>\d+)"
)
MTA_TARGET = r"(?P<scheme>[a-z+]+)://(?P<address>(?P<ip>\S+)):(?P<port>\d+)"  # port after LAST ':'

# Syslog headers for samples (formats.md 0.1: `Mmm dd HH:MM:SS host smtpd[pid]: `).
E_REAL = "Jul  6 06:01:40 ams-1 smtpd[75295]: "
E_HDR = "Nov 24 10:00:03 mx1 smtpd[41233]: "
D_HDR = "Oct 20 11:02:31 mx1 smtpd[8123]: "
C_HDR = "Mar  3 09:00:01 mx1 smtpd[311]: "
A_HDR = "Apr 12 14:03:11 mx1 smtpd[2201]: "
B_HDR = "Jun  5 08:15:00 mx2 smtpd[5150]: "

E, D, C, B, A = "E", "D", "C", "B", "A"


def _set(family, subsystem, event, **more):
    return {"family": family, "subsystem": subsystem, "event": event, **more}


def _s(header, msg, origin="derived", **fields):
    return Sample(header + msg, fields, origin)


FIELDS = (
    Field(
        "family",
        "OpenSMTPD log-format family: A (5.4/5.9 `smtp-in: New session`), B (5.7 `smtp-in: session "
        "X:`), C (6.0 `event=`), D (6.4), E (6.6-7.8). A line whose text is identical in several "
        "families is labelled with the latest of them, so the value is a lower bound of the version "
        "only for family-specific lines: `X smtp connected`, `mta connecting/connected/delivery/"
        "error/closing/disconnected/host-rejects-all-mails` are D and E (-> E); queue "
        "`Expire`/`Remove`, `info:`/`warn:` and `smtp-out: Error on session ... after`/`TLS Error`/"
        "opportunistic-TLS lines exist in all families (-> E); `smtp-out: Server certificate "
        "verification` is A, C and D (-> D); `mda delivery` with session 0000000000000000 is D "
        "(6.4 hard-codes 0), with a real session E; `delivery: ... for` and the AUTH `Failed "
        "command` lines are A and B (-> A, since 5.9 (A) came after 5.7 (B)).",
    ),
    Field(
        "subsystem",
        "smtp (inbound sessions), mta (outbound relaying), mda (local delivery), queue (Expire/"
        "Remove, bounces, `queue:` lines), smtpd (process-level info/warn/other lines). The sic "
        '`smtp cert-check result="no certificate presented"` (7.x) is logged by the mta code '
        "and gets mta.",
    ),
    Field(
        "event",
        "normalized event: smtp: connected, tls, cert-check, authentication, message (E: one per "
        "message; A-D: one PER RECIPIENT, with mail_from/rcpt_to), envelope, bad-input, "
        "failed-command, disconnected (C `closed`, A/B closing/disconnect lines), proxy, "
        "proxy-closed; mta: connecting, connected, tls, cert-check, error, closing, "
        "host-rejects-all-mails, disconnected (C `closed`), delivery, route (smtp-out routing "
        "lines); mda: delivery; queue: expire, remove, bounce, info; smtpd: starting, paused, "
        "resumed, info, warn, exiting, trace, other (`name: text`: filter stderr, fatal(), "
        "getnameinfo:).",
    ),
    Field(
        "session",
        "16-hex session id. smtp lines: the inbound session; mta lines: the outbound session "
        "(0000000000000000 for relay-level failures); mda lines: the mda session (always 0 in C/D); "
        "A `relay:` lines: the `session=` value (also in relay_session). NOT shared between the "
        "smtp session and the deliveries of its messages: join those by evpid / msgid.",
        "hexid",
    ),
    Field("msgid", "8-hex message id (`msgid=`, `Accepted message %08x`, bounce lines)", "hexid"),
    Field(
        "evpid", "16-hex envelope id; its first 8 hex digits are the msgid (evpid >> 32)", "hexid"
    ),
    Field(
        "address",
        "client (smtp) or server (mta connecting) address as logged: 192.0.2.1, local, "
        "IPv6:2001:db8::1 (<= 6.4), [2001:db8::1] (6.6+), [fe80::1%em0], [(unknown)]; for A/B "
        "`from host h [x]` the text inside the brackets; for mta connecting the part between "
        "`scheme://` and the last `:port`",
    ),
    Field(
        "ip",
        "the same text as `address` as an IP literal (`IPv6:` and brackets stripped, `local` -> NULL)",
        "ip",
    ),
    Field(
        "rdns",
        "host name: `host=` / `from host %s` PTR name (`<unknown>` kept as logged; the local "
        "hostname for local enqueue), the `(%s)` ptrname of smtp-out connecting lines (the numeric "
        "address when there is no PTR), the MX name in `mta ssl_check_name`",
    ),
    Field(
        "user",
        "authentication user (E-C: strnvis(VIS_WHITE|VIS_SAFE), so `\\040` for a space; A/B: raw, "
        "attacker-controlled) or the local delivery user of mda lines",
    ),
    Field(
        "result",
        "deliveries: Ok|TempFail|PermFail (also B `status=` of accepted messages and the bounce "
        "kind); authentication: ok|permfail|tempfail; failed-command/bad-input: smtpd's reply as "
        'logged (unescaped, may contain `"`); cert checks: verified|unchecked (smtp 7.x), '
        "valid|unverified (mta 7.x), success|failure (6.6-6.8), as logged (C/D), succeeded|failed "
        "(A/B and smtp-out), `no certificate presented`, no-name-match (ssl_check_name)",
    ),
    Field(
        "reason",
        "disconnect/close/error reason in the E vocabulary: quit, timeout, disconnect, io-error, "
        "tls-accept-failed, ca-failure, no-ca, no-client-cert, cert-invalid, cert-check-failed, "
        "tls-failure, tls-connect-failed ...; A/B wordings without an E equivalent are kept as "
        "logged (`rejected by filter`, `session not moving forward`, `too many failed RCPT`); mta "
        "`error` lines and smtp-out errors: the error text; proxy-closed: the quoted reason",
    ),
    Field(
        "reason_text",
        "detail accompanying a normalized reason: the text after `io-error: ` (C-E) or "
        "`IO error: ` (A/B)",
    ),
    Field(
        "command",
        'failed command line as logged (strnvis VIS_SAFE|VIS_CSTYLE; `"` NOT escaped; empty at '
        "connect phase when a filter rejects; `AUTH PLAIN (...)` etc. for AUTH). Attacker text.",
    ),
    Field(
        "stat",
        "delivery status text (last field, free text): the remote server's reply for mta "
        '(may contain `"` and double spaces), `Delivered`/`Error (...)` for mda, `Envelope '
        "expired`/`Removed by administrator` for queue lines, the error of bounce lines",
    ),
    Field(
        "mail_from", "envelope sender without <>; '' for the null sender (`<>`, and queue `<@>`)"
    ),
    Field(
        "rcpt_to",
        "envelope recipient (`to=`, the destination) without <>; bounce lines: the bounce's recipient",
    ),
    Field(
        "rcpt",
        "original recipient (`rcpt=<...>`) before alias/forward expansion; NULL when logged as "
        "`<->` or absent (5.x/6.0 omit it when equal to the destination; 6.4+ mda always logs it)",
    ),
    Field("size", "message size in bytes", "int"),
    Field(
        "nrcpt", "number of recipients: E `nrcpt=`, A-D `ndest=`, envelopes in a bounce line", "int"
    ),
    Field("proto", "SMTP or ESMTP (`proto=`)"),
    Field(
        "tls_version",
        "TLS protocol (TLSv1.3; 5.4: the cipher version e.g. TLSv1/SSLv3; 5.7: the protocol in parentheses)",
    ),
    Field("tls_cipher", "TLS cipher name"),
    Field("tls_bits", "TLS cipher strength in bits", "int"),
    Field("scheme", "mta connecting scheme: smtp, smtp+tls, smtps, lmtp, smtp+notls"),
    Field("port", "mta connecting port", "int"),
    Field(
        "relay", "`relay=` as logged: `ip (ptrname)`, `ip`, or the domain for relay-level failures"
    ),
    Field("source", "`source=` local source address of an mta delivery; NULL when logged as `-`"),
    Field("delay_s", "`delay=` (duration_to_text: 1d2h3m4s, 0s, -3s) in seconds", "duration"),
    Field("method", "C/A/B mda delivery method: mbox, maildir, file, mda, lmtp"),
    Field(
        "messages",
        "number of messages sent on an mta session (`messages=`, `%zu message(s) sent`)",
        "int",
    ),
    Field("fingerprint", "certificate fingerprint of 7.x cert-check lines"),
    Field("level", "log level word of process-level lines: info, warn, debug (trace)"),
    Field(
        "text",
        "free text of info/warn/queue/route/trace/other lines (after the `info: `/`warn: `/"
        "`smtp-out: `/`name: ` prefix); `OpenSMTPD 7.8.0p1` for the starting line",
    ),
    Field(
        "relay_session",
        "the mta session named inside A `relay: ... session=X,` lines (also copied to session)",
        "hexid",
    ),
    Field(
        "envelope_type",
        "queue Expire/Remove lines: relay (MTA envelope) or delivery (MDA envelope)",
    ),
    Field(
        "proxy_id",
        "the `%p` pointer naming a PROXY-protocol connection in `proxy 0x... event=closed` lines",
    ),
    Field(
        "proc",
        "the `name` of `name: text` lines: filter name (filter stderr), process name (fatal), getnameinfo/getaddrinfo",
    ),
    Field(
        "reply_msgid",
        "derived from stat: the msgid in smtpd's own DATA reply `250 2.0.0: <msgid> Message accepted "
        "for delivery` (<= 6.4) / `250 2.0.0 <msgid> ...` (6.6+) returned through a proxy loop or by "
        "a primary MX: the msgid of the NEXT hop (formats.md 1.6b)",
        "hexid",
    ),
    Field("evpid_msgid", "derived: first 8 hex digits of evpid (= evpid >> 32 = msgid)", "hexid"),
)

# ============================================================================================
# Families D and E: `%016x smtp|mta|mda <event> ...` (smtp_session.c, mta_session.c, mta.c,
# mda.c; E verified at 7.8.0p1 HEAD 3153385b and 6.6.4p1/v6.8.0p2/7.3.0p2, D at 6.4.2p1).
# ============================================================================================

SMTP_ED = (
    # smtp_session.c (D 6.4.2p1 and E 6.6+: identical text)
    Pattern(
        "smtp_connected",
        ("smtp connected",),
        rf"^{SID} smtp connected address={ADDR} host={HOST}$",
        '"%016"PRIx64" smtp connected address=%s host=%s"',
        (
            _s(
                E_REAL,
                "5df87c903d709659 smtp connected address=local host=poolp.org",
                "real",
                session="5df87c903d709659",
                address="local",
                ip=None,
                rdns="poolp.org",
            ),
            _s(
                E_HDR,
                "7e2a6c1d9b0f4a11 smtp connected address=[2001:db8::1] host=<unknown>",
                address="[2001:db8::1]",
                ip="2001:db8::1",
                rdns="<unknown>",
            ),
            _s(
                D_HDR,
                "4f1e2d3c4b5a6978 smtp connected address=IPv6:2001:db8::25 host=mail.example.net",
                address="IPv6:2001:db8::25",
                ip="2001:db8::25",
                rdns="mail.example.net",
            ),
        ),
        _set(E, "smtp", "connected"),
    ),
    # smtp_session.c E: "smtp tls ciphers=%s", ssl_to_text()/tls_to_text() "%s:%s:%d"
    Pattern(
        "smtp_tls",
        ("smtp tls",),
        rf"^{SID} smtp tls ciphers={TLS_E}$",
        '"%016"PRIx64" smtp tls ciphers=%s"',
        (
            _s(
                E_HDR,
                "7e2a6c1d9b0f4a11 smtp tls ciphers=TLSv1.3:TLS_AES_256_GCM_SHA384:256",
                session="7e2a6c1d9b0f4a11",
                tls_version="TLSv1.3",
                tls_cipher="TLS_AES_256_GCM_SHA384",
                tls_bits=256,
            ),
        ),
        _set(E, "smtp", "tls"),
    ),
    # smtp_session.c D 6.4.2p1; briefly "smtp tls address=..." before 79f63b05 (commit 0624b608)
    Pattern(
        "smtp_starttls_d",
        ("smtp starttls", "smtp tls"),
        rf'^{SID} smtp (?:starttls|tls) address={ADDR} host={HOST} ciphers="{TLS_OLD}"$',
        '"%016"PRIx64" smtp starttls address=%s host=%s ciphers=\\"%s\\"" (%s = "version=%s, cipher=%s, bits=%d")',
        (
            _s(
                D_HDR,
                "4f1e2d3c4b5a6978 smtp starttls address=203.0.113.9 host=mail.example.net "
                'ciphers="version=TLSv1.2, cipher=ECDHE-RSA-AES256-GCM-SHA384, bits=256"',
                session="4f1e2d3c4b5a6978",
                ip="203.0.113.9",
                rdns="mail.example.net",
                tls_version="TLSv1.2",
                tls_cipher="ECDHE-RSA-AES256-GCM-SHA384",
                tls_bits=256,
            ),
            _s(
                D_HDR,
                "4f1e2d3c4b5a6978 smtp tls address=IPv6:2001:db8::9 host=<unknown> "
                'ciphers="version=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256"',
                ip="2001:db8::9",
                tls_version="TLSv1.3",
            ),
        ),
        _set(D, "smtp", "tls"),
    ),
    # mta_session.c 7.x: sic, the mta code logs with the word "smtp" -> subsystem mta
    Pattern(
        "smtp_cert_check_mta_sic",
        ("smtp cert-check",),
        rf'^{SID} smtp cert-check result="(?P<result>no certificate presented)"$',
        '"%016"PRIx64" smtp cert-check result=\\"no certificate presented\\"" (mta_session.c, 7.x)',
        (
            _s(
                E_HDR,
                '6a7b8c9d0e1f2a3b smtp cert-check result="no certificate presented"',
                session="6a7b8c9d0e1f2a3b",
                result="no certificate presented",
                subsystem="mta",
            ),
        ),
        _set(E, "mta", "cert-check"),
    ),
    # smtp_session.c 7.x
    Pattern(
        "smtp_cert_check",
        ("smtp cert-check",),
        rf'^{SID} smtp cert-check result="(?P<result>[^"]*)" fingerprint="(?P<fingerprint>[^"]*)"$',
        '"%016"PRIx64" smtp cert-check result=\\"%s\\" fingerprint=\\"%s\\"" (verified|unchecked)',
        (
            _s(
                E_HDR,
                '7e2a6c1d9b0f4a11 smtp cert-check result="verified" '
                'fingerprint="SHA256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"',
                result="verified",
                fingerprint="SHA256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9",
            ),
        ),
        _set(E, "smtp", "cert-check"),
    ),
    # smtp_session.c 6.6-6.8
    Pattern(
        "smtp_client_cert_check",
        ("smtp client-cert-check",),
        rf'^{SID} smtp client-cert-check result="(?P<result>[^"]*)"$',
        '"%016"PRIx64" smtp client-cert-check result=\\"%s\\"" (success|failure) [6.6-6.8]',
        (_s(E_HDR, '7e2a6c1d9b0f4a11 smtp client-cert-check result="failure"', result="failure"),),
        _set(E, "smtp", "cert-check"),
    ),
    # smtp_session.c D 6.4.2p1
    Pattern(
        "smtp_client_cert_check_d",
        ("smtp client-cert-check",),
        rf'^{SID} smtp client-cert-check address={ADDR} host={HOST} result="(?P<result>[^"]*)"$',
        '"%016"PRIx64" smtp client-cert-check address=%s host=%s result=\\"%s\\""',
        (
            _s(
                D_HDR,
                "4f1e2d3c4b5a6978 smtp client-cert-check address=203.0.113.9 "
                'host=mail.example.net result="success"',
                ip="203.0.113.9",
                result="success",
            ),
        ),
        _set(D, "smtp", "cert-check"),
    ),
    # smtp_session.c E; user = strnvis(VIS_WHITE|VIS_SAFE): no raw spaces
    Pattern(
        "smtp_authentication",
        ("smtp authentication",),
        rf"^{SID} smtp authentication user=(?P<user>\S*) result=(?P<result>ok|permfail|tempfail)$",
        '"%016"PRIx64" smtp authentication user=%s result=ok|permfail|tempfail"',
        (
            _s(
                E_HDR,
                "7e2a6c1d9b0f4a11 smtp authentication user=alice result=permfail",
                session="7e2a6c1d9b0f4a11",
                user="alice",
                result="permfail",
            ),
            _s(
                E_HDR,
                "7e2a6c1d9b0f4a11 smtp authentication user=bob\\040smith@example.org result=ok",
                user="bob\\040smith@example.org",
                result="ok",
            ),
        ),
        _set(E, "smtp", "authentication"),
    ),
    Pattern(
        "smtp_authentication_d",
        ("smtp authentication",),
        rf"^{SID} smtp authentication user=(?P<user>\S*) address={ADDR} host={HOST} "
        r"result=(?P<result>ok|permfail|tempfail)$",
        '"%016"PRIx64" smtp authentication user=%s address=%s host=%s result=ok|permfail|tempfail"',
        (
            _s(
                D_HDR,
                "4f1e2d3c4b5a6978 smtp authentication user=alice address=192.0.2.44 "
                "host=client.example.org result=tempfail",
                user="alice",
                ip="192.0.2.44",
                rdns="client.example.org",
                result="tempfail",
            ),
        ),
        _set(D, "smtp", "authentication"),
    ),
    Pattern(
        "smtp_message",
        ("smtp message",),
        rf"^{SID} smtp message msgid={MSGID} size=(?P<size>\d+) nrcpt=(?P<nrcpt>\d+) proto=(?P<proto>\S+)$",
        '"%016"PRIx64" smtp message msgid=%08x size=%zu nrcpt=%zu proto=%s"',
        (
            _s(
                E_REAL,
                "5df87c903d709659 smtp message msgid=c405e39a size=303 nrcpt=1 proto=ESMTP",
                "real",
                session="5df87c903d709659",
                msgid="c405e39a",
                size=303,
                nrcpt=1,
                proto="ESMTP",
            ),
        ),
        _set(E, "smtp", "message"),
    ),
    # D: one line PER RECIPIENT
    Pattern(
        "smtp_message_d",
        ("smtp message",),
        rf"^{SID} smtp message address={ADDR} host={HOST} msgid={MSGID} {FROM_TO} "
        r"size=(?P<size>\d+) ndest=(?P<nrcpt>\d+) proto=(?P<proto>\S+)$",
        '"%016"PRIx64" smtp message address=%s host=%s msgid=%08x from=<%s%s%s> to=<%s%s%s> '
        'size=%zu ndest=%zu proto=%s"',
        (
            _s(
                D_HDR,
                "4f1e2d3c4b5a6978 smtp message address=203.0.113.9 host=mail.example.net "
                "msgid=1a2b3c4d from=<news@example.net> to=<alice@example.org> size=5120 ndest=1 proto=ESMTP",
                ip="203.0.113.9",
                msgid="1a2b3c4d",
                mail_from="news@example.net",
                rcpt_to="alice@example.org",
                size=5120,
                nrcpt=1,
                proto="ESMTP",
            ),
            _s(
                D_HDR,
                "4f1e2d3c4b5a6978 smtp message address=203.0.113.9 host=<unknown> "
                "msgid=1a2b3c4e from=<> to=<postmaster@example.org> size=812 ndest=1 proto=SMTP",
                mail_from="",
                rcpt_to="postmaster@example.org",
                proto="SMTP",
            ),
        ),
        _set(D, "smtp", "message"),
    ),
    Pattern(
        "smtp_envelope",
        ("smtp envelope",),
        rf"^{SID} smtp envelope evpid={EVPID} {FROM_TO}$",
        '"%016"PRIx64" smtp envelope evpid=%016"PRIx64" from=<%s%s%s> to=<%s%s%s>"',
        (
            _s(
                E_REAL,
                "5df87c903d709659 smtp envelope evpid=c405e39ad6bbc64f from=<gilles@poolp.org> "
                "to=<gilles@poolp.org>",
                "real",
                session="5df87c903d709659",
                evpid="c405e39ad6bbc64f",
                evpid_msgid="c405e39a",
                mail_from="gilles@poolp.org",
                rcpt_to="gilles@poolp.org",
            ),
            _s(
                E_HDR,
                "7e2a6c1d9b0f4a11 smtp envelope evpid=9a3b2c1d00aa11bb from=<> to=<bob@example.net>",
                mail_from="",
                rcpt_to="bob@example.net",
            ),
        ),
        _set(E, "smtp", "envelope"),
    ),
    Pattern(
        "smtp_bad_input",
        ("smtp bad-input",),
        rf'^{SID} smtp bad-input result="(?P<result>.*)"$',
        '"%016"PRIx64" smtp bad-input result=\\"%.*s\\""',
        (
            _s(
                E_HDR,
                '7e2a6c1d9b0f4a11 smtp bad-input result="500 5.5.1 Invalid command: Pipelining not supported"',
                result="500 5.5.1 Invalid command: Pipelining not supported",
            ),
        ),
        _set(E, "smtp", "bad-input"),
    ),
    Pattern(
        "smtp_bad_input_d",
        ("smtp bad-input",),
        rf'^{SID} smtp bad-input address={ADDR} host={HOST} result="(?P<result>.*)"$',
        '"%016"PRIx64" smtp bad-input address=%s host=%s result=\\"%.*s\\""',
        (
            _s(
                D_HDR,
                "4f1e2d3c4b5a6978 smtp bad-input address=198.51.100.7 host=<unknown> "
                'result="500 5.0.0: Command line too long"',
                ip="198.51.100.7",
                result="500 5.0.0: Command line too long",
            ),
        ),
        _set(D, "smtp", "bad-input"),
    ),
    # command and result are both unescaped: greedy command -> split at the LAST `" result="`
    Pattern(
        "smtp_failed_command",
        ("smtp failed-command",),
        rf'^{SID} smtp failed-command command="(?P<command>.*)" result="(?P<result>.*)"$',
        '"%016"PRIx64" smtp failed-command command=\\"%s\\" result=\\"%.*s\\"" (+ AUTH PLAIN (...), '
        "AUTH LOGIN (username)/(password))",
        (
            _s(
                E_HDR,
                '7e2a6c1d9b0f4a11 smtp failed-command command="AUTH LOGIN (password)" '
                'result="535 Authentication failed"',
                command="AUTH LOGIN (password)",
                result="535 Authentication failed",
            ),
            _s(
                E_HDR,
                '7e2a6c1d9b0f4a11 smtp failed-command command="" result="550 no rDNS please fix"',
                command="",
                result="550 no rDNS please fix",
            ),
            _s(
                E_HDR,
                '7e2a6c1d9b0f4a11 smtp failed-command command="RCPT TO:<info@example.org> " '
                'result="550 Invalid recipient: <info@example.org>"',
                command="RCPT TO:<info@example.org> ",
                result="550 Invalid recipient: <info@example.org>",
            ),
        ),
        _set(E, "smtp", "failed-command"),
    ),
    Pattern(
        "smtp_failed_command_d",
        ("smtp failed-command",),
        rf'^{SID} smtp failed-command address={ADDR} host={HOST} command="(?P<command>.*)" '
        r'result="(?P<result>.*)"$',
        '"%016"PRIx64" smtp failed-command address=%s host=%s command=\\"%s\\" result=\\"%.*s\\""',
        (
            _s(
                D_HDR,
                "4f1e2d3c4b5a6978 smtp failed-command address=198.51.100.7 host=<unknown> "
                'command="AUTH PLAIN (...)" result="535 Authentication failed"',
                ip="198.51.100.7",
                rdns="<unknown>",
                command="AUTH PLAIN (...)",
                result="535 Authentication failed",
            ),
        ),
        _set(D, "smtp", "failed-command"),
    ),
    Pattern(
        "smtp_disconnected_io_error",
        ("smtp disconnected",),
        rf'^{SID} smtp disconnected reason="io-error: (?P<reason_text>.*)"$',
        '"%016"PRIx64" smtp disconnected reason=\\"io-error: %s\\""',
        (
            _s(
                E_HDR,
                '7e2a6c1d9b0f4a11 smtp disconnected reason="io-error: Connection reset by peer"',
                reason="io-error",
                reason_text="Connection reset by peer",
            ),
        ),
        _set(E, "smtp", "disconnected", reason="io-error"),
    ),
    # 6.6-6.8 cert verify path: TWO spaces before reason=
    Pattern(
        "smtp_disconnected_cert",
        ("smtp disconnected",),
        rf"^{SID} smtp disconnected  reason=(?P<reason>\S+)$",
        '"%016"PRIx64" smtp disconnected " " reason=%s" (no-ca|no-client-cert|cert-invalid|cert-check-failed)',
        (
            _s(
                E_HDR,
                "7e2a6c1d9b0f4a11 smtp disconnected  reason=no-client-cert",
                reason="no-client-cert",
            ),
        ),
        _set(E, "smtp", "disconnected"),
    ),
    Pattern(
        "smtp_disconnected",
        ("smtp disconnected",),
        rf'^{SID} smtp disconnected reason="?(?P<reason>.*?)"?$',
        '"%016"PRIx64" smtp disconnected reason=quit|timeout|disconnect|tls-accept-failed|ca-failure"',
        (
            _s(
                E_REAL,
                "5df87c903d709659 smtp disconnected reason=quit",
                "real",
                session="5df87c903d709659",
                reason="quit",
            ),
            _s(
                E_HDR,
                "7e2a6c1d9b0f4a11 smtp disconnected reason=tls-accept-failed",
                reason="tls-accept-failed",
            ),
        ),
        _set(E, "smtp", "disconnected"),
    ),
    Pattern(
        "smtp_disconnected_io_error_d",
        ("smtp disconnected",),
        rf'^{SID} smtp disconnected address={ADDR} host={HOST} reason="io-error: (?P<reason_text>.*)"$',
        '"%016"PRIx64" smtp disconnected address=%s host=%s reason=\\"io-error: %s\\""',
        (
            _s(
                D_HDR,
                "4f1e2d3c4b5a6978 smtp disconnected address=203.0.113.9 host=mail.example.net "
                'reason="io-error: Connection reset by peer"',
                ip="203.0.113.9",
                reason="io-error",
                reason_text="Connection reset by peer",
            ),
        ),
        _set(D, "smtp", "disconnected", reason="io-error"),
    ),
    Pattern(
        "smtp_disconnected_d",
        ("smtp disconnected",),
        rf'^{SID} smtp disconnected address={ADDR} host={HOST} reason="?(?P<reason>.*?)"?$',
        '"%016"PRIx64" smtp disconnected address=%s host=%s reason=quit|timeout|disconnect|ca-failure|'
        'cert-check-failed|no-client-cert"',
        (
            _s(
                D_HDR,
                "4f1e2d3c4b5a6978 smtp disconnected address=203.0.113.9 host=mail.example.net reason=quit",
                ip="203.0.113.9",
                rdns="mail.example.net",
                reason="quit",
            ),
        ),
        _set(D, "smtp", "disconnected"),
    ),
    # proxy.c (6.6+), keeps the old event= style
    Pattern(
        "smtp_proxy",
        ("smtp event=proxy",),
        rf"^{SID} smtp event=proxy address={ADDR}$",
        '"%016"PRIx64" smtp event=proxy address=%s" (proxy.c)',
        (_s(E_HDR, "7e2a6c1d9b0f4a11 smtp event=proxy address=198.51.100.23", ip="198.51.100.23"),),
        _set(E, "smtp", "proxy"),
    ),
    Pattern(
        "proxy_closed",
        ("proxy 0x",),
        rf'^proxy (?P<proxy_id>0x[0-9a-f]+) event=closed address={ADDR} reason="(?P<reason>.*)"$',
        '"proxy %p event=closed address=%s reason=\\"%s (%s)\\"" | "... reason=\\"%s\\"" (proxy.c)',
        (
            _s(
                E_HDR,
                "proxy 0x1f2e3d4c5b6a event=closed address=198.51.100.23 "
                'reason="protocol error (invalid header)"',
                proxy_id="0x1f2e3d4c5b6a",
                ip="198.51.100.23",
                reason="protocol error (invalid header)",
            ),
        ),
        _set(E, "smtp", "proxy-closed"),
    ),
)

MTA_ED = (
    # mta_session.c (D and E identical): "%016"PRIx64" mta connecting address=%s%s:%d host=%s"
    Pattern(
        "mta_connecting",
        ("mta connecting",),
        rf"^{SID} mta connecting address={MTA_TARGET} host={HOST}$",
        '"%016"PRIx64" mta connecting address=%s%s:%d host=%s"',
        (
            _s(
                "Jul  6 06:01:46 ams-1 smtpd[75295]: ",
                "5df87c9ffd0e785d mta connecting "
                "address=smtp://173.194.76.27:25 host=ws-in-f27.1e100.net",
                "real",
                session="5df87c9ffd0e785d",
                scheme="smtp",
                address="173.194.76.27",
                ip="173.194.76.27",
                port=25,
                rdns="ws-in-f27.1e100.net",
            ),
            _s(
                E_HDR,
                "6a7b8c9d0e1f2a3b mta connecting address=smtp+tls://[2001:db8::25]:587 "
                "host=mx.example.com",
                scheme="smtp+tls",
                address="[2001:db8::25]",
                ip="2001:db8::25",
                port=587,
            ),
            _s(
                D_HDR,
                "6a7b8c9d0e1f2a3b mta connecting address=lmtp://IPv6:2001:db8::1:24 "
                "host=2001:db8::1",
                scheme="lmtp",
                address="IPv6:2001:db8::1",
                ip="2001:db8::1",
                port=24,
                rdns="2001:db8::1",
            ),
        ),
        _set(E, "mta", "connecting"),
    ),
    Pattern(
        "mta_connected",
        ("mta connected",),
        rf"^{SID} mta connected$",
        '"%016"PRIx64" mta connected"',
        (_s(E_HDR, "6a7b8c9d0e1f2a3b mta connected", session="6a7b8c9d0e1f2a3b"),),
        _set(E, "mta", "connected"),
    ),
    Pattern(
        "mta_tls",
        ("mta tls",),
        rf"^{SID} mta tls ciphers={TLS_E}$",
        '"%016"PRIx64" mta tls ciphers=%s"',
        (
            _s(
                "Jul  6 06:01:47 ams-1 smtpd[75295]: ",
                "5df87c9ffd0e785d mta tls ciphers=TLSv1.2:ECDHE-RSA-CHACHA20-POLY1305:256",
                "real",
                session="5df87c9ffd0e785d",
                tls_version="TLSv1.2",
                tls_cipher="ECDHE-RSA-CHACHA20-POLY1305",
                tls_bits=256,
            ),
        ),
        _set(E, "mta", "tls"),
    ),
    # D 6.4.2p1: the cipher text is NOT quoted and contains ", "
    Pattern(
        "mta_starttls_d",
        ("mta starttls",),
        rf"^{SID} mta starttls ciphers={TLS_OLD}$",
        '"%016"PRIx64" mta starttls ciphers=%s" (%s = "version=%s, cipher=%s, bits=%d", unquoted)',
        (
            _s(
                "Oct 20 11:03:10 mx1 smtpd[8123]: ",
                "6a7b8c9d0e1f2a3b mta starttls "
                "ciphers=version=TLSv1.2, cipher=ECDHE-RSA-AES256-GCM-SHA384, bits=256",
                tls_version="TLSv1.2",
                tls_cipher="ECDHE-RSA-AES256-GCM-SHA384",
                tls_bits=256,
            ),
        ),
        _set(D, "mta", "tls"),
    ),
    Pattern(
        "mta_cert_check",
        ("mta cert-check",),
        rf'^{SID} mta cert-check result="(?P<result>[^"]*)" fingerprint="(?P<fingerprint>[^"]*)"$',
        '"%016"PRIx64" mta cert-check result=\\"%s\\" fingerprint=\\"%s\\"" (valid|unverified) [7.x]',
        (
            _s(
                E_HDR,
                '6a7b8c9d0e1f2a3b mta cert-check result="valid" '
                'fingerprint="SHA256:9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0"',
                result="valid",
            ),
        ),
        _set(E, "mta", "cert-check"),
    ),
    Pattern(
        "mta_server_cert_check",
        ("mta server-cert-check",),
        rf'^{SID} mta server-cert-check result="(?P<result>[^"]*)"$',
        '"%016"PRIx64" mta server-cert-check result=\\"%s\\"" (success|failure) [6.6-6.8]',
        (_s(E_HDR, '6a7b8c9d0e1f2a3b mta server-cert-check result="success"', result="success"),),
        _set(E, "mta", "cert-check"),
    ),
    Pattern(
        "mta_host_rejects_all_mails",
        ("mta host-rejects-all-mails",),
        rf"^{SID} mta host-rejects-all-mails$",
        '"%016"PRIx64" mta host-rejects-all-mails"',
        (_s(E_HDR, "6a7b8c9d0e1f2a3b mta host-rejects-all-mails", session="6a7b8c9d0e1f2a3b"),),
        _set(E, "mta", "host-rejects-all-mails"),
    ),
    Pattern(
        "mta_error",
        ("mta error",),
        rf"^{SID} mta error reason=(?P<reason>.*)$",
        '"%016"PRIx64" mta error reason=%s"',
        (
            _s(
                E_HDR,
                "6a7b8c9d0e1f2a3b mta error reason=Connection refused",
                reason="Connection refused",
            ),
        ),
        _set(E, "mta", "error"),
    ),
    Pattern(
        "mta_closing",
        ("mta closing",),
        rf"^{SID} mta closing reason=(?P<reason>\S+)$",
        '"%016"PRIx64" mta closing reason=tls-failure|tls-connect-failed|ca-failure"',
        (
            _s(
                E_HDR,
                "6a7b8c9d0e1f2a3b mta closing reason=tls-connect-failed",
                reason="tls-connect-failed",
            ),
            _s(D_HDR, "6a7b8c9d0e1f2a3b mta closing reason=ca-failure", reason="ca-failure"),
        ),
        _set(E, "mta", "closing"),
    ),
    # v6.8.0p2 (6.7-6.8 only)
    Pattern(
        "mta_ssl_check_name",
        ("mta ssl_check_name",),
        rf"^{SID} mta ssl_check_name: no match for '(?P<rdns>.*)' in cert$",
        '"%016"PRIx64" mta ssl_check_name: no match for \'%s\' in cert"',
        (
            _s(
                E_HDR,
                "6a7b8c9d0e1f2a3b mta ssl_check_name: no match for 'mx.example.com' in cert",
                rdns="mx.example.com",
                result="no-name-match",
            ),
        ),
        _set(E, "mta", "cert-check", result="no-name-match"),
    ),
    Pattern(
        "mta_disconnected",
        ("mta disconnected",),
        rf"^{SID} mta disconnected reason=(?P<reason>\S+) messages=(?P<messages>\d+)$",
        '"%016"PRIx64" mta disconnected reason=quit messages=%zu"',
        (
            _s(
                "Jul  6 06:01:58 ams-1 smtpd[75295]: ",
                "5df87c9ffd0e785d mta disconnected reason=quit messages=1",
                "real",
                session="5df87c9ffd0e785d",
                reason="quit",
                messages=1,
            ),
        ),
        _set(E, "mta", "disconnected"),
    ),
    # mta.c mta_log(): result, stat, source, relay QUOTED; stat is last and free text
    Pattern(
        "mta_delivery",
        ("mta delivery",),
        rf"^{SID} mta delivery evpid={EVPID} {FROM_TO} {RCPT_OR_DASH} "
        r'source="(?:-|(?P<source>[^"]*))" relay="(?P<relay>[^"]*)" delay='
        + DELAY
        + r' result="(?P<result>[A-Za-z]+)" stat="(?P<stat>.*)"$',
        '"%016"PRIx64" mta delivery evpid=%016"PRIx64" from=<%s> to=<%s> rcpt=<%s> source=\\"%s\\" '
        'relay=\\"%s\\" delay=%s result=\\"%s\\" stat=\\"%s\\""',
        (
            _s(
                "Jul  6 06:01:48 ams-1 smtpd[75295]: ",
                "5df87c9ffd0e785d mta delivery "
                "evpid=f6e94209918f7e7b from=<gilles@poolp.org> to=<gilles.chehade@gmail.com> rcpt=<-> "
                'source="212.83.129.132" relay="173.194.76.27 (ws-in-f27.1e100.net)" delay=2s '
                'result="Ok" stat="250 2.0.0 OK  1562385708 z11si6726563wmb.62 - gsmtp"',
                "real",
                session="5df87c9ffd0e785d",
                evpid="f6e94209918f7e7b",
                evpid_msgid="f6e94209",
                mail_from="gilles@poolp.org",
                rcpt_to="gilles.chehade@gmail.com",
                rcpt=None,
                source="212.83.129.132",
                relay="173.194.76.27 (ws-in-f27.1e100.net)",
                delay_s=2,
                result="Ok",
                stat="250 2.0.0 OK  1562385708 z11si6726563wmb.62 - gsmtp",
                reply_msgid=None,
            ),
            _s(
                "Nov 24 10:05:00 mx1 smtpd[41233]: ",
                "0000000000000000 mta delivery "
                "evpid=9a3b2c1d00aa11bb from=<alice@example.org> to=<bob@example.net> rcpt=<-> "
                'source="-" relay="example.net" delay=5m result="TempFail" '
                'stat="Network error on destination MXs"',
                session="0000000000000000",
                source=None,
                relay="example.net",
                delay_s=300,
                result="TempFail",
                stat="Network error on destination MXs",
            ),
            _s(
                E_HDR,
                "3d4e5f60718293a4 mta delivery evpid=2b3c4d5e6f708192 from=<a@example.net> "
                'to=<bob@example.org> rcpt=<bob@example.org> source="127.0.0.1" '
                'relay="127.0.0.1 (localhost)" delay=1s result="Ok" '
                'stat="250 2.0.0 f6e94209 Message accepted for delivery"',
                rcpt="bob@example.org",
                source="127.0.0.1",
                reply_msgid="f6e94209",
                delay_s=1,
            ),
        ),
        _set(E, "mta", "delivery"),
    ),
)

MDA_ED = (
    # mda.c 6.4.2p1: session argument hard-coded (uint64_t)0, rcpt=<%s> always present
    Pattern(
        "mda_delivery_d",
        ("mda delivery",),
        rf"^(?P<session>0{{16}}) mda delivery evpid={EVPID} {FROM_TO} (?:rcpt=<(?P<rcpt>[^ <>]*)> )?"
        rf"user=(?P<user>\S+) delay={DELAY} result=(?P<result>[A-Za-z]+) stat=(?P<stat>.*)$",
        '"%016"PRIx64" mda delivery evpid=%016" PRIx64 " from=<%s> to=<%s> %suser=%s delay=%s '
        'result=%s stat=%s" (session (uint64_t)0)',
        (
            _s(
                "Oct 20 11:02:34 mx1 smtpd[8123]: ",
                "0000000000000000 mda delivery "
                "evpid=1a2b3c4d5e6f7081 from=<news@example.net> to=<alice@example.org> "
                "rcpt=<alice@example.org> user=alice delay=1s result=Ok stat=Delivered",
                session="0000000000000000",
                evpid="1a2b3c4d5e6f7081",
                mail_from="news@example.net",
                rcpt_to="alice@example.org",
                rcpt="alice@example.org",
                user="alice",
                delay_s=1,
                result="Ok",
                stat="Delivered",
            ),
            _s(
                D_HDR,
                "0000000000000000 mda delivery evpid=1a2b3c4d5e6f7082 from=<news@example.net> "
                "to=<carol@example.org> rcpt=<carol@example.org> user=carol delay=0s result=TempFail "
                "stat=Error (temporary failure)",
                result="TempFail",
                stat="Error (temporary failure)",
            ),
        ),
        _set(D, "mda", "delivery"),
    ),
    # mda.c HEAD l.680; result/stat unquoted, stat is last
    Pattern(
        "mda_delivery",
        ("mda delivery",),
        rf"^{SID} mda delivery evpid={EVPID} {FROM_TO} (?:rcpt=<(?P<rcpt>[^ <>]*)> )?"
        rf"user=(?P<user>\S+) delay={DELAY} result=(?P<result>[A-Za-z]+) stat=(?P<stat>.*)$",
        '"%016"PRIx64" mda delivery evpid=%016" PRIx64 " from=<%s> to=<%s> %suser=%s delay=%s '
        'result=%s stat=%s" (%s = "rcpt=<%s> ")',
        (
            _s(
                E_REAL,
                "5df87c9250bba470 mda delivery evpid=c405e39ad6bbc64f from=<gilles@poolp.org> "
                "to=<gilles@poolp.org> rcpt=<gilles@poolp.org> user=gilles delay=0s result=Ok "
                "stat=Delivered",
                "real",
                session="5df87c9250bba470",
                evpid="c405e39ad6bbc64f",
                mail_from="gilles@poolp.org",
                rcpt_to="gilles@poolp.org",
                rcpt="gilles@poolp.org",
                user="gilles",
                delay_s=0,
                result="Ok",
                stat="Delivered",
            ),
            _s(
                "Nov 24 10:06:00 mx1 smtpd[41233]: ",
                "3c1f0e9d8b7a6543 mda delivery "
                "evpid=5b4a39281f2e3d4c from=<x@example.net> to=<alice@example.org> "
                "rcpt=<alice@example.org> user=alice delay=1s result=TempFail stat=Error (temporary "
                'failure: "mail.lmtp: LMTP server error: 452 4.2.2 <alice@example.org> Quota exceeded")',
                result="TempFail",
                stat='Error (temporary failure: "mail.lmtp: LMTP server error: '
                '452 4.2.2 <alice@example.org> Quota exceeded")',
            ),
        ),
        _set(E, "mda", "delivery"),
    ),
)

# ============================================================================================
# Family C: `%016x smtp|mta|mda event=NAME ...` (verified at opensmtpd-6.0.3p1).
# ============================================================================================

FAMILY_C = (
    Pattern(
        "c_smtp_connected",
        ("smtp event=connected",),
        rf"^{SID} smtp event=connected address={ADDR} host={HOST}$",
        '"%016"PRIx64" smtp event=connected address=%s host=%s"',
        (
            _s(
                C_HDR,
                "5f3e2a1b0c9d8e7f smtp event=connected address=198.51.100.7 host=<unknown>",
                session="5f3e2a1b0c9d8e7f",
                address="198.51.100.7",
                ip="198.51.100.7",
                rdns="<unknown>",
            ),
        ),
        _set(C, "smtp", "connected"),
    ),
    Pattern(
        "c_smtp_starttls",
        ("smtp event=starttls",),
        rf'^{SID} smtp event=starttls address={ADDR} host={HOST} ciphers="{TLS_OLD}"$',
        '"%016"PRIx64" smtp event=starttls address=%s host=%s ciphers=\\"%s\\""',
        (
            _s(
                C_HDR,
                "5f3e2a1b0c9d8e7f smtp event=starttls address=198.51.100.7 host=<unknown> "
                'ciphers="version=TLSv1.2, cipher=ECDHE-RSA-AES128-GCM-SHA256, bits=128"',
                tls_version="TLSv1.2",
                tls_cipher="ECDHE-RSA-AES128-GCM-SHA256",
                tls_bits=128,
            ),
        ),
        _set(C, "smtp", "tls"),
    ),
    Pattern(
        "c_smtp_client_cert_check",
        ("smtp event=client-cert-check",),
        rf'^{SID} smtp event=client-cert-check address={ADDR} host={HOST} result="(?P<result>[^"]*)"$',
        '"%016"PRIx64" smtp event=client-cert-check address=%s host=%s result=\\"%s\\""',
        (
            _s(
                C_HDR,
                "5f3e2a1b0c9d8e7f smtp event=client-cert-check address=198.51.100.7 "
                'host=<unknown> result="failure"',
                result="failure",
            ),
        ),
        _set(C, "smtp", "cert-check"),
    ),
    Pattern(
        "c_smtp_authentication",
        ("smtp event=authentication",),
        rf"^{SID} smtp event=authentication user=(?P<user>\S*) address={ADDR} host={HOST} "
        r"result=(?P<result>ok|permfail|tempfail)$",
        '"%016"PRIx64" smtp event=authentication user=%s address=%s host=%s result=ok|permfail|tempfail"',
        (
            _s(
                C_HDR,
                "5f3e2a1b0c9d8e7f smtp event=authentication user=alice address=192.0.2.44 "
                "host=client.example.org result=ok",
                user="alice",
                ip="192.0.2.44",
                result="ok",
            ),
        ),
        _set(C, "smtp", "authentication"),
    ),
    Pattern(
        "c_smtp_message",
        ("smtp event=message",),
        rf"^{SID} smtp event=message address={ADDR} host={HOST} msgid={MSGID} {FROM_TO} "
        r"size=(?P<size>\d+) ndest=(?P<nrcpt>\d+) proto=(?P<proto>\S+)$",
        '"%016"PRIx64" smtp event=message address=%s host=%s msgid=%08x from=<%s%s%s> to=<%s%s%s> '
        'size=%zu ndest=%zu proto=%s"',
        (
            _s(
                C_HDR,
                "5f3e2a1b0c9d8e7f smtp event=message address=198.51.100.7 host=<unknown> "
                "msgid=2b3c4d5e from=<a@example.net> to=<bob@example.org> size=2048 ndest=1 proto=ESMTP",
                msgid="2b3c4d5e",
                mail_from="a@example.net",
                rcpt_to="bob@example.org",
                size=2048,
                nrcpt=1,
                proto="ESMTP",
            ),
        ),
        _set(C, "smtp", "message"),
    ),
    Pattern(
        "c_smtp_bad_input",
        ("smtp event=bad-input",),
        rf'^{SID} smtp event=bad-input address={ADDR} host={HOST} result="(?P<result>.*)"$',
        '"%016"PRIx64" smtp event=bad-input address=%s host=%s result=\\"%.*s\\""',
        (
            _s(
                C_HDR,
                "5f3e2a1b0c9d8e7f smtp event=bad-input address=198.51.100.7 host=<unknown> "
                'result="500 5.0.0: Line too long"',
                result="500 5.0.0: Line too long",
            ),
        ),
        _set(C, "smtp", "bad-input"),
    ),
    Pattern(
        "c_smtp_failed_command",
        ("smtp event=failed-command",),
        rf'^{SID} smtp event=failed-command address={ADDR} host={HOST} command="(?P<command>.*)" '
        r'result="(?P<result>.*)"$',
        '"%016"PRIx64" smtp event=failed-command address=%s host=%s command=\\"%s\\" result=\\"%.*s\\""',
        (
            _s(
                C_HDR,
                "5f3e2a1b0c9d8e7f smtp event=failed-command address=198.51.100.7 host=<unknown> "
                'command="RCPT TO:<nobody@example.org>" result="550 Invalid recipient"',
                command="RCPT TO:<nobody@example.org>",
                result="550 Invalid recipient",
            ),
        ),
        _set(C, "smtp", "failed-command"),
    ),
    Pattern(
        "c_smtp_closed_io_error",
        ("smtp event=closed",),
        rf'^{SID} smtp event=closed address={ADDR} host={HOST} reason="io-error: (?P<reason_text>.*)"$',
        '"%016"PRIx64" smtp event=closed address=%s host=%s reason=\\"io-error: %s\\""',
        (
            _s(
                C_HDR,
                "5f3e2a1b0c9d8e7f smtp event=closed address=198.51.100.7 host=<unknown> "
                'reason="io-error: Broken pipe"',
                reason="io-error",
                reason_text="Broken pipe",
            ),
        ),
        _set(C, "smtp", "disconnected", reason="io-error"),
    ),
    Pattern(
        "c_smtp_closed",
        ("smtp event=closed",),
        rf'^{SID} smtp event=closed address={ADDR} host={HOST} reason="?(?P<reason>.*?)"?$',
        '"%016"PRIx64" smtp event=closed address=%s host=%s reason=quit|timeout|disconnect|..."',
        (
            _s(
                "Mar  3 09:00:09 mx1 smtpd[311]: ",
                "5f3e2a1b0c9d8e7f smtp event=closed "
                "address=198.51.100.7 host=<unknown> reason=quit",
                ip="198.51.100.7",
                reason="quit",
            ),
        ),
        _set(C, "smtp", "disconnected"),
    ),
    Pattern(
        "c_mta_connecting",
        ("mta event=connecting",),
        rf"^{SID} mta event=connecting address={MTA_TARGET} host={HOST}$",
        '"%016"PRIx64" mta event=connecting address=%s%s:%d host=%s"',
        (
            _s(
                C_HDR,
                "6b7c8d9e0f1a2b3c mta event=connecting address=smtp://198.51.100.25:25 "
                "host=mx.example.com",
                scheme="smtp",
                ip="198.51.100.25",
                port=25,
                rdns="mx.example.com",
            ),
        ),
        _set(C, "mta", "connecting"),
    ),
    Pattern(
        "c_mta_connected",
        ("mta event=connected",),
        rf"^{SID} mta event=connected$",
        '"%016"PRIx64" mta event=connected"',
        (_s(C_HDR, "6b7c8d9e0f1a2b3c mta event=connected", session="6b7c8d9e0f1a2b3c"),),
        _set(C, "mta", "connected"),
    ),
    Pattern(
        "c_mta_starttls",
        ("mta event=starttls",),
        rf"^{SID} mta event=starttls ciphers={TLS_OLD}$",
        '"%016"PRIx64" mta event=starttls ciphers=%s" (unquoted)',
        (
            _s(
                C_HDR,
                "6b7c8d9e0f1a2b3c mta event=starttls ciphers=version=TLSv1.2, "
                "cipher=ECDHE-RSA-AES256-GCM-SHA384, bits=256",
                tls_version="TLSv1.2",
                tls_bits=256,
            ),
        ),
        _set(C, "mta", "tls"),
    ),
    Pattern(
        "c_mta_closed",
        ("mta event=closed",),
        rf"^{SID} mta event=closed reason=(?P<reason>\S+) messages=(?P<messages>\d+)$",
        '"%016"PRIx64" mta event=closed reason=quit messages=%zu"',
        (
            _s(
                C_HDR,
                "6b7c8d9e0f1a2b3c mta event=closed reason=quit messages=3",
                reason="quit",
                messages=3,
            ),
        ),
        _set(C, "mta", "disconnected"),
    ),
    Pattern(
        "c_mta_error",
        ("mta event=error",),
        rf"^{SID} mta event=error reason=(?P<reason>.*)$",
        '"%016"PRIx64" mta event=error reason=%s"',
        (
            _s(
                C_HDR,
                "6b7c8d9e0f1a2b3c mta event=error reason=Connection timeout",
                reason="Connection timeout",
            ),
        ),
        _set(C, "mta", "error"),
    ),
    Pattern(
        "c_mta_closing",
        ("mta event=closing",),
        rf"^{SID} mta event=closing reason=(?P<reason>\S+)$",
        '"%016"PRIx64" mta event=closing reason=ca-failure"',
        (_s(C_HDR, "6b7c8d9e0f1a2b3c mta event=closing reason=ca-failure", reason="ca-failure"),),
        _set(C, "mta", "closing"),
    ),
    Pattern(
        "c_mta_host_rejects_all_mails",
        ("mta event=host-rejects-all-mails",),
        rf"^{SID} mta event=host-rejects-all-mails$",
        '"%016"PRIx64" mta event=host-rejects-all-mails"',
        (
            _s(
                C_HDR,
                "6b7c8d9e0f1a2b3c mta event=host-rejects-all-mails",
                session="6b7c8d9e0f1a2b3c",
            ),
        ),
        _set(C, "mta", "host-rejects-all-mails"),
    ),
    Pattern(
        "c_mta_delivery",
        ("mta event=delivery",),
        rf"^{SID} mta event=delivery evpid={EVPID} {FROM_TO} {RCPT_OR_DASH} "
        r'source="(?:-|(?P<source>[^"]*))" relay="(?P<relay>[^"]*)" delay='
        + DELAY
        + r' result="(?P<result>[A-Za-z]+)" stat="(?P<stat>.*)"$',
        '"%016"PRIx64" mta event=delivery evpid=%016x from=<%s> to=<%s> rcpt=<%s> source=\\"%s\\" '
        'relay=\\"%s\\" delay=%s result=\\"%s\\" stat=\\"%s\\""',
        (
            _s(
                C_HDR,
                "6b7c8d9e0f1a2b3c mta event=delivery evpid=3c4d5e6f708192a3 from=<bob@example.org> "
                'to=<carol@example.com> rcpt=<-> source="192.0.2.10" relay="198.51.100.25 (mx.example.com)" '
                'delay=1h2m3s result="PermFail" stat="550 5.1.1 <carol@example.com>: Recipient address rejected"',
                evpid="3c4d5e6f708192a3",
                rcpt=None,
                source="192.0.2.10",
                delay_s=3723,
                result="PermFail",
                stat="550 5.1.1 <carol@example.com>: Recipient address rejected",
            ),
            _s(
                C_HDR,
                "6b7c8d9e0f1a2b3c mta event=delivery evpid=3c4d5e6f708192a4 from=<bob@example.org> "
                'to=<bob@example.org> rcpt=<-> source="127.0.0.1" relay="127.0.0.1 (localhost)" '
                'delay=0s result="Ok" stat="250 2.0.0: 7d8e9fa0 Message accepted for delivery"',
                reply_msgid="7d8e9fa0",
                delay_s=0,
            ),
        ),
        _set(C, "mta", "delivery"),
    ),
    # 6.0.3p1 mda.c: optional "rcpt=<%s>, " (sic, WITH a comma), method= present
    Pattern(
        "c_mda_delivery",
        ("mda event=delivery",),
        rf"^{SID} mda event=delivery evpid={EVPID} {FROM_TO} (?:rcpt=<(?P<rcpt>[^ <>]*)>, )?"
        rf"user=(?P<user>\S+) method=(?P<method>\S+) delay={DELAY} result=(?P<result>[A-Za-z]+) "
        r"stat=(?P<stat>.*)$",
        '"%016"PRIx64" mda event=delivery evpid=%016x from=<%s> to=<%s> %suser=%s method=%s delay=%s '
        'result=%s stat=%s" (%s = "" | "rcpt=<%s>, ")',
        (
            _s(
                "Mar  3 09:00:02 mx1 smtpd[311]: ",
                "0000000000000000 mda event=delivery "
                "evpid=2b3c4d5e6f708192 from=<a@example.net> to=<bob@example.org> user=bob method=mbox "
                "delay=0s result=Ok stat=Delivered",
                session="0000000000000000",
                rcpt=None,
                user="bob",
                method="mbox",
                delay_s=0,
                result="Ok",
                stat="Delivered",
            ),
            _s(
                C_HDR,
                "0000000000000000 mda event=delivery evpid=2b3c4d5e6f708193 from=<a@example.net> "
                "to=<bob@example.org> rcpt=<postmaster@example.org>, user=bob method=maildir delay=2s "
                "result=Ok stat=Delivered",
                rcpt="postmaster@example.org",
                rcpt_to="bob@example.org",
                user="bob",
                method="maildir",
            ),
        ),
        _set(C, "mda", "delivery"),
    ),
)

# ============================================================================================
# `smtp-out: ...` lines without `session X:` (mta_session.c / mta.c). Some exist in every
# family up to 6.4 or even 7.x (see the `family` field), the rest are A (5.4.6 / 5.9.2).
# ============================================================================================

SMTP_OUT = (
    # A 5.4.6, C 6.0.3, D 6.4.2 (mta_session.c)
    Pattern(
        "out_server_cert",
        ("smtp-out: Server",),
        rf"^smtp-out: Server certificate verification (?P<result>succeeded|failed) on session {SID}$",
        '"smtp-out: Server certificate verification %s on session %016"PRIx64',
        (
            _s(
                D_HDR,
                "smtp-out: Server certificate verification failed on session 6a7b8c9d0e1f2a3b",
                result="failed",
                session="6a7b8c9d0e1f2a3b",
            ),
        ),
        _set(D, "mta", "cert-check"),
    ),
    # A, C, D, 6.6.0
    Pattern(
        "out_tls_error",
        ("smtp-out: TLS",),
        rf"^smtp-out: TLS Error on session {SID}: (?P<reason>.*)$",
        '"smtp-out: TLS Error on session %016"PRIx64": TLS failed, downgrading to plain"',
        (
            _s(
                D_HDR,
                "smtp-out: TLS Error on session 6a7b8c9d0e1f2a3b: TLS failed, downgrading to plain",
                reason="TLS failed, downgrading to plain",
            ),
        ),
        _set(E, "mta", "error"),
    ),
    # all families up to 7.8 (mta_session.c)
    Pattern(
        "out_error_after",
        ("smtp-out: Error",),
        rf"^smtp-out: Error on session {SID} after (?P<messages>\d+) messages? sent: (?P<reason>.*)$",
        '"smtp-out: Error on session %016"PRIx64" after %zu message%s sent: %s"',
        (
            _s(
                E_HDR,
                "smtp-out: Error on session 6a7b8c9d0e1f2a3b after 2 messages sent: "
                "Connection closed unexpectedly",
                messages=2,
                reason="Connection closed unexpectedly",
            ),
            _s(
                A_HDR,
                "smtp-out: Error on session 4b5c6d7e8f901234 after 1 message sent: IO Error: "
                "Connection reset by peer",
                messages=1,
                reason="IO Error: Connection reset by peer",
            ),
        ),
        _set(E, "mta", "error"),
    ),
    Pattern(
        "out_error_tls_downgrade",
        ("smtp-out: Error",),
        rf"^smtp-out: Error on session {SID}: (?P<reason>opportunistic TLS failed, downgrading to plain)$",
        '"smtp-out: Error on session %016"PRIx64": opportunistic TLS failed, downgrading to plain"',
        (
            _s(
                E_HDR,
                "smtp-out: Error on session 6a7b8c9d0e1f2a3b: opportunistic TLS failed, "
                "downgrading to plain",
                reason="opportunistic TLS failed, downgrading to plain",
            ),
        ),
        _set(E, "mta", "error"),
    ),
    # A 5.4.6: any other text
    Pattern(
        "out_error_session",
        ("smtp-out: Error",),
        rf"^smtp-out: Error on session {SID}: (?P<reason>.*)$",
        '"smtp-out: Error on session %016"PRIx64": %s"',
        (
            _s(
                A_HDR,
                "smtp-out: Error on session 4b5c6d7e8f901234: Connection refused",
                reason="Connection refused",
            ),
        ),
        _set(A, "mta", "error"),
    ),
    # mta.c routing messages (all families; B prefixes them with "routing: ", see b_out_routing)
    Pattern(
        "out_route",
        (
            "smtp-out: Enabling",
            "smtp-out: Disabling",
            "smtp-out: Error",
            "smtp-out: back",
            "smtp-out: hiwat",
            "smtp-out: Failed",
            "smtp-out: No",
            "smtp-out: Address",
        ),
        r"^smtp-out: (?P<text>(?:Enabling route|Disabling route|Error on|back to lowat on|"
        r"hiwat reached on|Failed to resolve MX for|No MX found for|Address family mismatch on|"
        r"No valid route for) .*)$",
        '"smtp-out: Enabling route %s per admin request" / "smtp-out: Error on %s: %s" / "smtp-out: '
        'back to lowat on %s: releasing" / "smtp-out: hiwat reached on %s: holding envelopes" / '
        '"smtp-out: Failed to resolve MX for %s: %s" / "smtp-out: Disabling route %s for %llus" / '
        '"smtp-out: Enabling route %s" / "smtp-out: No MX found for %s" / "smtp-out: Address family '
        'mismatch on %s" / "smtp-out: No valid route for %s"',
        (
            _s(
                E_HDR,
                "smtp-out: Disabling route [] <-> 198.51.100.25 (mx.example.com) for 15s",
                text="Disabling route [] <-> 198.51.100.25 (mx.example.com) for 15s",
            ),
            _s(
                E_HDR,
                "smtp-out: No MX found for example.invalid",
                text="No MX found for example.invalid",
            ),
            _s(
                E_HDR,
                "smtp-out: Failed to resolve MX for example.net: Temporary failure in name resolution",
                text="Failed to resolve MX for example.net: Temporary failure in name resolution",
            ),
        ),
        _set(E, "mta", "route"),
    ),
    # --- A only (5.4.6 mta_session.c) ---
    Pattern(
        "a_out_connecting",
        ("smtp-out: Connecting",),
        rf"^smtp-out: Connecting to {MTA_TARGET} \((?P<rdns>[^ ]*)\) on session {SID}\.\.\.$",
        '"smtp-out: Connecting to %s%s:%d (%s) on session %016"PRIx64"..."',
        (
            _s(
                A_HDR,
                "smtp-out: Connecting to smtp+tls://198.51.100.25:25 (mx.example.com) on session "
                "4b5c6d7e8f901234...",
                scheme="smtp+tls",
                ip="198.51.100.25",
                port=25,
                rdns="mx.example.com",
                session="4b5c6d7e8f901234",
            ),
            _s(
                A_HDR,
                "smtp-out: Connecting to smtp://IPv6:2001:db8::25:25 (mx6.example.com) on session "
                "4b5c6d7e8f901235...",
                address="IPv6:2001:db8::25",
                ip="2001:db8::25",
                port=25,
            ),
        ),
        _set(A, "mta", "connecting"),
    ),
    Pattern(
        "a_out_connected",
        ("smtp-out: Connected",),
        rf"^smtp-out: Connected on session {SID}$",
        '"smtp-out: Connected on session %016"PRIx64',
        (_s(A_HDR, "smtp-out: Connected on session 4b5c6d7e8f901234", session="4b5c6d7e8f901234"),),
        _set(A, "mta", "connected"),
    ),
    Pattern(
        "a_out_tls",
        ("smtp-out: Started",),
        rf"^smtp-out: Started TLS on session {SID}: {TLS_OLD}$",
        '"smtp-out: Started TLS on session %016"PRIx64": %s"',
        (
            _s(
                A_HDR,
                "smtp-out: Started TLS on session 4b5c6d7e8f901234: version=TLSv1/SSLv3, "
                "cipher=ECDHE-RSA-AES256-GCM-SHA384, bits=256",
                tls_version="TLSv1/SSLv3",
                tls_cipher="ECDHE-RSA-AES256-GCM-SHA384",
                tls_bits=256,
            ),
        ),
        _set(A, "mta", "tls"),
    ),
    Pattern(
        "a_out_closing",
        ("smtp-out: Closing",),
        rf"^smtp-out: Closing session {SID}: (?P<messages>\d+) messages? sent\.$",
        '"smtp-out: Closing session %016"PRIx64": %zu message%s sent."',
        (
            _s(
                A_HDR,
                "smtp-out: Closing session 4b5c6d7e8f901234: 1 message sent.",
                messages=1,
                reason="quit",
            ),
        ),
        _set(A, "mta", "disconnected", reason="quit"),
    ),
    Pattern(
        "a_out_ca_failure",
        ("smtp-out: Disconnecting",),
        rf"^smtp-out: Disconnecting session {SID}: CA failure$",
        '"smtp-out: Disconnecting session %016"PRIx64": CA failure"',
        (
            _s(
                A_HDR,
                "smtp-out: Disconnecting session 4b5c6d7e8f901234: CA failure",
                reason="ca-failure",
            ),
        ),
        _set(A, "mta", "closing", reason="ca-failure"),
    ),
    Pattern(
        "a_out_rejects_all_mails",
        ("smtp-out: Remote",),
        rf"^smtp-out: Remote host seems to reject all mails on session {SID}$",
        '"smtp-out: Remote host seems to reject all mails on session %016"PRIx64',
        (
            _s(
                A_HDR,
                "smtp-out: Remote host seems to reject all mails on session 4b5c6d7e8f901234",
                session="4b5c6d7e8f901234",
            ),
        ),
        _set(A, "mta", "host-rejects-all-mails"),
    ),
)

# ============================================================================================
# A/B deliveries and queue lines (mta.c, mda.c, queue.c).
# ============================================================================================

OLD_DELIVERIES = (
    # queue.c, identical in every family up to 7.8: from=<%s@%s> -> `<@>` for the null sender.
    # `(?P<mail_from>|[^ <>]+)@?` tries the empty alternative first, so `<@>` yields ''.
    Pattern(
        "queue_expire",
        ("relay:", "delivery:"),
        r"^(?P<envelope_type>relay|delivery): Expire for "
        + EVPID
        + r": from=<(?P<mail_from>|[^ <>]+)@?>, to=<(?P<rcpt_to>[^ <>]+)>, "
        + RCPT_OR_DASH
        + r", delay="
        + DELAY
        + r", stat=(?P<stat>.*)$",
        '"%s: %s for %016" PRIx64 ": from=<%s@%s>, to=<%s@%s>, rcpt=<%s>, delay=%s, stat=%s" (Expire)',
        (
            _s(
                E_HDR,
                "relay: Expire for 9a3b2c1d00aa11bb: from=<alice@example.org>, to=<bob@example.net>, "
                "rcpt=<->, delay=4d, stat=Envelope expired",
                envelope_type="relay",
                evpid="9a3b2c1d00aa11bb",
                mail_from="alice@example.org",
                rcpt_to="bob@example.net",
                rcpt=None,
                delay_s=345600,
                stat="Envelope expired",
            ),
            _s(
                E_HDR,
                "relay: Expire for 9a3b2c1d00aa11bc: from=<@>, to=<bob@example.net>, "
                "rcpt=<->, delay=4d1s, stat=Envelope expired",
                mail_from="",
                delay_s=345601,
            ),
        ),
        _set(E, "queue", "expire"),
    ),
    Pattern(
        "queue_remove",
        ("relay:", "delivery:"),
        r"^(?P<envelope_type>relay|delivery): Remove for "
        + EVPID
        + r": from=<(?P<mail_from>|[^ <>]+)@?>, to=<(?P<rcpt_to>[^ <>]+)>, "
        + RCPT_OR_DASH
        + r", delay="
        + DELAY
        + r", stat=(?P<stat>.*)$",
        '"%s: %s for %016" PRIx64 ": from=<%s@%s>, to=<%s@%s>, rcpt=<%s>, delay=%s, stat=%s" (Remove)',
        (
            _s(
                A_HDR,
                "delivery: Remove for 0c1d2e3f4a5b6c7e: from=<news@example.net>, "
                "to=<alice@example.org>, rcpt=<postmaster@example.org>, delay=2h, "
                "stat=Removed by administrator",
                envelope_type="delivery",
                rcpt="postmaster@example.org",
                delay_s=7200,
                stat="Removed by administrator",
            ),
        ),
        _set(E, "queue", "remove"),
    ),
    # A mta.c mta_log() 5.4.6 / 5.9.2: values UNQUOTED; `session=` is the mta session
    Pattern(
        "a_relay_delivery",
        ("relay:",),
        r"^relay: (?P<result>Ok|TempFail|PermFail) for "
        + EVPID
        + r": session=(?P<session>(?P<relay_session>[0-9a-f]{16})), "
        + FROM_TO_COMMA
        + ", "
        + RCPT_OR_DASH
        + r", source=(?:-|(?P<source>[^ ,]*)), relay=(?P<relay>[^,]*), delay="
        + DELAY
        + r", stat=(?P<stat>.*)$",
        '"relay: %s for %016" PRIx64 ": session=%016"PRIx64", from=<%s>, to=<%s>, rcpt=<%s>, '
        'source=%s, relay=%s, delay=%s, stat=%s"',
        (
            _s(
                "Apr 12 14:05:02 mx1 smtpd[2203]: ",
                "relay: TempFail for 0d1e2f304152637a: "
                "session=4b5c6d7e8f901234, from=<alice@example.org>, to=<bob@example.com>, rcpt=<->, "
                "source=192.0.2.10, relay=198.51.100.25 (mx.example.com), delay=2s, "
                "stat=421 4.7.0 Try again later",
                result="TempFail",
                evpid="0d1e2f304152637a",
                session="4b5c6d7e8f901234",
                relay_session="4b5c6d7e8f901234",
                mail_from="alice@example.org",
                rcpt_to="bob@example.com",
                rcpt=None,
                source="192.0.2.10",
                relay="198.51.100.25 (mx.example.com)",
                delay_s=2,
                stat="421 4.7.0 Try again later",
            ),
            _s(
                A_HDR,
                "relay: Ok for 0d1e2f304152637b: session=4b5c6d7e8f901235, from=<alice@example.org>, "
                "to=<alice@example.org>, rcpt=<->, source=-, relay=127.0.0.1 (localhost), delay=1s, "
                "stat=250 2.0.0: f6e94209 Message accepted for delivery",
                result="Ok",
                source=None,
                reply_msgid="f6e94209",
            ),
        ),
        _set(A, "mta", "delivery"),
    ),
    # mda.c 5.4.6 / 5.9.2 and 5.7.3 (unchanged)
    Pattern(
        "a_mda_delivery",
        ("delivery:",),
        r"^delivery: (?P<result>Ok|TempFail|PermFail) for "
        + EVPID
        + ": "
        + FROM_TO_COMMA
        + r", (?:rcpt=<(?P<rcpt>[^ <>]*)>, )?user=(?P<user>[^ ,]*), method=(?P<method>[^ ,]*), delay="
        + DELAY
        + r", stat=(?P<stat>.*)$",
        '"delivery: %s for %016" PRIx64 ": from=<%s>, to=<%s>, %suser=%s, method=%s, delay=%s, stat=%s"',
        (
            _s(
                "Apr 12 14:03:14 mx1 smtpd[2204]: ",
                "delivery: Ok for 0c1d2e3f4a5b6c7d: "
                "from=<news@example.net>, to=<alice@example.org>, user=alice, method=mbox, delay=1s, "
                "stat=Delivered",
                result="Ok",
                evpid="0c1d2e3f4a5b6c7d",
                evpid_msgid="0c1d2e3f",
                rcpt=None,
                user="alice",
                method="mbox",
                delay_s=1,
                stat="Delivered",
            ),
            _s(
                A_HDR,
                "delivery: TempFail for 0c1d2e3f4a5b6c7f: from=<>, to=<bob@example.org>, "
                "rcpt=<root@example.org>, user=bob, method=mda, delay=3m, stat=Error (exited abnormally)",
                mail_from="",
                rcpt="root@example.org",
                method="mda",
                delay_s=180,
                stat="Error (exited abnormally)",
            ),
        ),
        _set(A, "mda", "delivery"),
    ),
)

# ============================================================================================
# Family A smtp-in (smtp_session.c, 5.4.6p1 and 5.9.2p1).
# ============================================================================================

A_IN = "^smtp-in: "


def _a_disconnecting(name, wording, reason, sample_session="3a4b5c6d7e8f9012"):
    """`smtp-in: Disconnecting session %016x: <wording>` mapped to an E reason."""
    return Pattern(
        name,
        ("smtp-in: Disconnecting",),
        rf"{A_IN}Disconnecting session {SID}: {wording}$",
        f'"smtp-in: Disconnecting session %016" PRIx64 ": {wording}"',
        (_s(A_HDR, f"smtp-in: Disconnecting session {sample_session}: {wording}", reason=reason),),
        _set(A, "smtp", "disconnected", reason=reason),
    )


FAMILY_A_IN = (
    Pattern(
        "a_in_new_session",
        ("smtp-in: New",),
        rf"{A_IN}New session {SID} from {HOST_BRACKET}$",
        '"smtp-in: New session %016"PRIx64" from host %s [%s]"',
        (
            _s(
                A_HDR,
                "smtp-in: New session 3a4b5c6d7e8f9012 from host mail.example.net [203.0.113.9]",
                session="3a4b5c6d7e8f9012",
                rdns="mail.example.net",
                address="203.0.113.9",
                ip="203.0.113.9",
            ),
            _s(
                A_HDR,
                "smtp-in: New session 3a4b5c6d7e8f9014 from host <unknown> [IPv6:2001:db8::77]",
                rdns="<unknown>",
                address="IPv6:2001:db8::77",
                ip="2001:db8::77",
            ),
        ),
        _set(A, "smtp", "connected"),
    ),
    Pattern(
        "a_in_message",
        ("smtp-in: Accepted",),
        rf"{A_IN}Accepted message {MSGID} on session {SID}: {FROM_TO_COMMA}, size=(?P<size>\d+), "
        r"ndest=(?P<nrcpt>\d+), proto=(?P<proto>\S+)$",
        '"smtp-in: Accepted message %08x on session %016"PRIx64": from=<%s%s%s>, to=<%s%s%s>, '
        'size=%zu, ndest=%zu, proto=%s"',
        (
            _s(
                "Apr 12 14:03:13 mx1 smtpd[2201]: ",
                "smtp-in: Accepted message 0c1d2e3f on session "
                "3a4b5c6d7e8f9012: from=<news@example.net>, to=<alice@example.org>, size=5120, ndest=1, "
                "proto=ESMTP",
                msgid="0c1d2e3f",
                session="3a4b5c6d7e8f9012",
                mail_from="news@example.net",
                rcpt_to="alice@example.org",
                size=5120,
                nrcpt=1,
                proto="ESMTP",
            ),
        ),
        _set(A, "smtp", "message"),
    ),
    # user: not escaped in 5.x -> greedy, the session id is the LAST " on session X"
    Pattern(
        "a_in_auth_ok",
        ("smtp-in: Accepted",),
        rf"{A_IN}Accepted authentication for user (?P<user>.*) on session {SID}$",
        '"smtp-in: Accepted authentication for user %s on session %016"PRIx64',
        (
            _s(
                A_HDR,
                "smtp-in: Accepted authentication for user alice on session 3a4b5c6d7e8f9012",
                user="alice",
                result="ok",
            ),
        ),
        _set(A, "smtp", "authentication", result="ok"),
    ),
    Pattern(
        "a_in_auth_tempfail",
        ("smtp-in: Authentication",),
        rf"{A_IN}Authentication temporarily failed for user (?P<user>.*) on session {SID}$",
        '"smtp-in: Authentication temporarily failed for user %s on session %016"PRIx64',
        (
            _s(
                A_HDR,
                "smtp-in: Authentication temporarily failed for user alice on session 3a4b5c6d7e8f9012",
                user="alice",
                result="tempfail",
            ),
        ),
        _set(A, "smtp", "authentication", result="tempfail"),
    ),
    Pattern(
        "a_in_auth_permfail",
        ("smtp-in: Authentication",),
        rf"{A_IN}Authentication failed for user (?P<user>.*) on session {SID}$",
        '"smtp-in: Authentication failed for user %s on session %016"PRIx64',
        (
            _s(
                "Apr 12 14:06:00 mx1 smtpd[2201]: ",
                "smtp-in: Authentication failed for user alice on session 3a4b5c6d7e8f9013",
                user="alice",
                session="3a4b5c6d7e8f9013",
                result="permfail",
            ),
        ),
        _set(A, "smtp", "authentication", result="permfail"),
    ),
    Pattern(
        "a_in_tls",
        ("smtp-in: Started",),
        rf"{A_IN}Started TLS on session {SID}: {TLS_OLD}$",
        '"smtp-in: Started TLS on session %016"PRIx64": %s" (%s = "version=%s, cipher=%s, bits=%d")',
        (
            _s(
                "Apr 12 14:03:12 mx1 smtpd[2201]: ",
                "smtp-in: Started TLS on session 3a4b5c6d7e8f9012: "
                "version=TLSv1/SSLv3, cipher=ECDHE-RSA-AES256-GCM-SHA384, bits=256",
                tls_version="TLSv1/SSLv3",
                tls_cipher="ECDHE-RSA-AES256-GCM-SHA384",
                tls_bits=256,
            ),
        ),
        _set(A, "smtp", "tls"),
    ),
    Pattern(
        "a_in_client_cert",
        ("smtp-in: Client",),
        rf"{A_IN}Client certificate verification (?P<result>succeeded|failed) on session {SID}$",
        '"smtp-in: Client certificate verification %s on session %016"PRIx64',
        (
            _s(
                A_HDR,
                "smtp-in: Client certificate verification succeeded on session 3a4b5c6d7e8f9012",
                result="succeeded",
            ),
        ),
        _set(A, "smtp", "cert-check"),
    ),
    Pattern(
        "a_in_closing",
        ("smtp-in: Closing",),
        rf"{A_IN}Closing session {SID}$",
        '"smtp-in: Closing session %016" PRIx64 (after QUIT)',
        (
            _s(
                "Apr 12 14:03:13 mx1 smtpd[2201]: ",
                "smtp-in: Closing session 3a4b5c6d7e8f9012",
                session="3a4b5c6d7e8f9012",
                reason="quit",
            ),
        ),
        _set(A, "smtp", "disconnected", reason="quit"),
    ),
    Pattern(
        "a_in_received_disconnect",
        ("smtp-in: Received",),
        rf"{A_IN}Received disconnect from session {SID}$",
        '"smtp-in: Received disconnect from session %016"PRIx64',
        (
            _s(
                A_HDR,
                "smtp-in: Received disconnect from session 3a4b5c6d7e8f9012",
                reason="disconnect",
            ),
        ),
        _set(A, "smtp", "disconnected", reason="disconnect"),
    ),
    _a_disconnecting("a_in_timeout", "session timeout", "timeout"),
    Pattern(
        "a_in_io_error",
        ("smtp-in: Disconnecting",),
        rf"{A_IN}Disconnecting session {SID}: IO error: (?P<reason_text>.*)$",
        '"smtp-in: Disconnecting session %016"PRIx64": IO error: %s"',
        (
            _s(
                A_HDR,
                "smtp-in: Disconnecting session 3a4b5c6d7e8f9012: IO error: Connection reset by peer",
                reason="io-error",
                reason_text="Connection reset by peer",
            ),
        ),
        _set(A, "smtp", "disconnected", reason="io-error"),
    ),
    _a_disconnecting("a_in_ca_failure", "CA failure", "ca-failure"),
    _a_disconnecting("a_in_cert_check_failed", "SSL certificate check failed", "cert-check-failed"),
    _a_disconnecting("a_in_no_client_cert", "client did not present certificate", "no-client-cert"),
    # no E equivalent: `rejected by filter`, `session not moving forward` (5.4) -> kept as logged
    Pattern(
        "a_in_disconnecting",
        ("smtp-in: Disconnecting",),
        rf"{A_IN}Disconnecting session {SID}: (?P<reason>.*)$",
        '"smtp-in: Disconnecting session %016" PRIx64 ": rejected by filter" | ": session not moving forward"',
        (
            _s(
                A_HDR,
                "smtp-in: Disconnecting session 3a4b5c6d7e8f9012: rejected by filter",
                reason="rejected by filter",
            ),
        ),
        _set(A, "smtp", "disconnected"),
    ),
    Pattern(
        "a_in_ending",
        ("smtp-in: Ending",),
        rf"{A_IN}Ending session {SID}: (?P<reason>.*)$",
        '"smtp-in: Ending session %016"PRIx64 ": too many failed RCPT" (5.4 only)',
        (
            _s(
                A_HDR,
                "smtp-in: Ending session 3a4b5c6d7e8f9012: too many failed RCPT",
                reason="too many failed RCPT",
            ),
        ),
        _set(A, "smtp", "disconnected"),
    ),
    Pattern(
        "a_in_bad_input",
        ("smtp-in: Bad",),
        rf"{A_IN}Bad input on session {SID}: (?P<result>.*)$",
        '"smtp-in: Bad input on session %016"PRIx64": %.*s"',
        (
            _s(
                A_HDR,
                "smtp-in: Bad input on session 3a4b5c6d7e8f9012: 500 5.0.0: Line too long",
                result="500 5.0.0: Line too long",
            ),
        ),
        _set(A, "smtp", "bad-input"),
    ),
    # command unescaped, reply unescaped: split at the LAST `" => ` (greedy command)
    Pattern(
        "a_in_failed_command",
        ("smtp-in: Failed",),
        rf'{A_IN}Failed command on session {SID}: "(?P<command>.*)" => (?P<result>.*)$',
        '"smtp-in: Failed command on session %016"PRIx64": \\"%s\\" => %.*s" (+ "AUTH [...]" 5.4, '
        '"AUTH PLAIN (...)" 5.9 and 5.7)',
        (
            _s(
                A_HDR,
                'smtp-in: Failed command on session 3a4b5c6d7e8f9012: "RCPT TO:<nobody@example.org>" '
                "=> 550 Invalid recipient",
                command="RCPT TO:<nobody@example.org>",
                result="550 Invalid recipient",
            ),
            _s(
                A_HDR,
                'smtp-in: Failed command on session 3a4b5c6d7e8f9012: "AUTH [...]" => 535 '
                "Authentication failed",
                command="AUTH [...]",
                result="535 Authentication failed",
            ),
        ),
        _set(A, "smtp", "failed-command"),
    ),
)

# ============================================================================================
# Family B smtp-in / smtp-out (5.7.3p2): `smtp-in: session X: ...`, `smtp-out: session X...`
# ============================================================================================

B_IN = rf"^smtp-in: session {SID}: "
B_OUT = rf"^smtp-out: session {SID}"
B_CLOSED = rf"{B_IN}connection from {HOST_BRACKET} closed "
B_CLOSED_FMT = '"smtp-in: session %016"PRIx64": connection from host %s [%s] closed '


def _b_closed(name, wording, reason):
    """`... closed (<wording>)` mapped to an E reason."""
    return Pattern(
        name,
        ("smtp-in: session",),
        rf"{B_CLOSED}\({wording}\)$",
        f'{B_CLOSED_FMT}({wording})"',
        (
            _s(
                B_HDR,
                f"smtp-in: session 5e6f708192a3b4c5: connection from host mail.example.net "
                f"[203.0.113.9] closed ({wording})",
                reason=reason,
                rdns="mail.example.net",
                ip="203.0.113.9",
            ),
        ),
        _set(B, "smtp", "disconnected", reason=reason),
    )


FAMILY_B = (
    Pattern(
        "b_in_connected",
        ("smtp-in: session",),
        rf"{B_IN}connection from {HOST_BRACKET} established$",
        '"smtp-in: session %016"PRIx64": connection from host %s [%s] established"',
        (
            _s(
                B_HDR,
                "smtp-in: session 5e6f708192a3b4c5: connection from host mail.example.net "
                "[203.0.113.9] established",
                session="5e6f708192a3b4c5",
                rdns="mail.example.net",
                address="203.0.113.9",
                ip="203.0.113.9",
            ),
        ),
        _set(B, "smtp", "connected"),
    ),
    Pattern(
        "b_in_message",
        ("smtp-in: session",),
        rf"{B_IN}msgid={MSGID}, status=(?P<result>[A-Za-z]+), {FROM_TO_COMMA}, size=(?P<size>\d+), "
        r"ndest=(?P<nrcpt>\d+), proto=(?P<proto>\S+)$",
        '"smtp-in: session %016"PRIx64": msgid=%08x, status=Ok, from=<%s%s%s>, to=<%s%s%s>, size=%zu, '
        'ndest=%zu, proto=%s"',
        (
            _s(
                B_HDR,
                "smtp-in: session 5e6f708192a3b4c5: msgid=6f708192, status=Ok, from=<news@example.net>, "
                "to=<alice@example.org>, size=4096, ndest=2, proto=ESMTP",
                msgid="6f708192",
                result="Ok",
                mail_from="news@example.net",
                rcpt_to="alice@example.org",
                size=4096,
                nrcpt=2,
            ),
        ),
        _set(B, "smtp", "message"),
    ),
    Pattern(
        "b_in_auth_ok",
        ("smtp-in: session",),
        rf"{B_IN}authentication successful for user (?P<user>.*) $",
        '"smtp-in: session %016"PRIx64": authentication successful for user %s " (trailing space)',
        (
            _s(
                B_HDR,
                "smtp-in: session 5e6f708192a3b4c5: authentication successful for user alice ",
                user="alice",
                result="ok",
            ),
        ),
        _set(B, "smtp", "authentication", result="ok"),
    ),
    Pattern(
        "b_in_auth_tempfail",
        ("smtp-in: session",),
        rf"{B_IN}authentication temporary failure for user (?P<user>.*)$",
        '"smtp-in: session %016"PRIx64": authentication temporary failure for user %s"',
        (
            _s(
                B_HDR,
                "smtp-in: session 5e6f708192a3b4c5: authentication temporary failure for user alice",
                user="alice",
                result="tempfail",
            ),
        ),
        _set(B, "smtp", "authentication", result="tempfail"),
    ),
    Pattern(
        "b_in_auth_permfail",
        ("smtp-in: session",),
        rf"{B_IN}authentication failure for user (?P<user>.*)$",
        '"smtp-in: session %016"PRIx64": authentication failure for user %s"',
        (
            _s(
                B_HDR,
                "smtp-in: session 5e6f708192a3b4c5: authentication failure for user alice",
                user="alice",
                result="permfail",
            ),
        ),
        _set(B, "smtp", "authentication", result="permfail"),
    ),
    Pattern(
        "b_in_too_many_rcpt",
        ("smtp-in: session",),
        rf"{B_IN}closing, (?P<reason>too many failed RCPT)$",
        '"smtp-in: session %016"PRIx64": closing, too many failed RCPT"',
        (
            _s(
                B_HDR,
                "smtp-in: session 5e6f708192a3b4c5: closing, too many failed RCPT",
                reason="too many failed RCPT",
            ),
        ),
        _set(B, "smtp", "disconnected"),
    ),
    Pattern(
        "b_in_client_cert",
        ("smtp-in: session",),
        rf"{B_IN}client certificate verification (?P<result>succeeded|failed) $",
        '"smtp-in: session %016"PRIx64": client certificate verification %s " (trailing space)',
        (
            _s(
                B_HDR,
                "smtp-in: session 5e6f708192a3b4c5: client certificate verification failed ",
                result="failed",
            ),
        ),
        _set(B, "smtp", "cert-check"),
    ),
    Pattern(
        "b_in_tls",
        ("smtp-in: session",),
        rf"{B_IN}TLS started {TLS_B}$",
        '"smtp-in: session %016"PRIx64": TLS started %s" (%s = "version=%s (%s), cipher=%s, bits=%d")',
        (
            _s(
                B_HDR,
                "smtp-in: session 5e6f708192a3b4c5: TLS started version=TLSv1/SSLv3 (TLSv1.2), "
                "cipher=ECDHE-RSA-AES256-GCM-SHA384, bits=256",
                tls_version="TLSv1.2",
                tls_cipher="ECDHE-RSA-AES256-GCM-SHA384",
                tls_bits=256,
            ),
        ),
        _set(B, "smtp", "tls"),
    ),
    _b_closed("b_in_closed_quit", "client sent QUIT", "quit"),
    _b_closed("b_in_closed_timeout", "session timeout", "timeout"),
    _b_closed("b_in_closed_disconnect", "client disconnected", "disconnect"),
    Pattern(
        "b_in_closed_io_error",
        ("smtp-in: session",),
        rf"{B_CLOSED}\(IO error: (?P<reason_text>.*)\)$",
        f'{B_CLOSED_FMT}(IO error: %s)"',
        (
            _s(
                B_HDR,
                "smtp-in: session 5e6f708192a3b4c5: connection from host <unknown> [198.51.100.7] "
                "closed (IO error: Connection reset by peer)",
                reason="io-error",
                reason_text="Connection reset by peer",
                rdns="<unknown>",
                ip="198.51.100.7",
            ),
        ),
        _set(B, "smtp", "disconnected", reason="io-error"),
    ),
    _b_closed(
        "b_in_closed_cert_check_failed", "certificate verification failed", "cert-check-failed"
    ),
    _b_closed("b_in_closed_no_client_cert", "client certificate not presented", "no-client-cert"),
    # no E equivalent: (filter rejection) (too many failed RCPT) (session not moving forward)
    # (TLS failure: no PKI suitable for %s) -> kept as logged
    Pattern(
        "b_in_closed",
        ("smtp-in: session",),
        rf"{B_CLOSED}\((?P<reason>.*)\)$",
        f'{B_CLOSED_FMT}(%s)" (filter rejection, too many failed RCPT, session not moving forward, '
        "TLS failure: no PKI suitable for %s)",
        (
            _s(
                B_HDR,
                "smtp-in: session 5e6f708192a3b4c5: connection from host mail.example.net "
                "[203.0.113.9] closed (TLS failure: no PKI suitable for mx1.example.org)",
                reason="TLS failure: no PKI suitable for mx1.example.org",
            ),
        ),
        _set(B, "smtp", "disconnected"),
    ),
    Pattern(
        "b_in_bad_input",
        ("smtp-in: session",),
        rf"{B_IN}received invalid input: (?P<result>.*)$",
        '"smtp-in: session %016"PRIx64": received invalid input: %.*s"',
        (
            _s(
                B_HDR,
                "smtp-in: session 5e6f708192a3b4c5: received invalid input: 500 5.0.0: Line too long",
                result="500 5.0.0: Line too long",
            ),
        ),
        _set(B, "smtp", "bad-input"),
    ),
    # the reply is NOT logged (non-AUTH failures); AUTH failures use the A form (a_in_failed_command)
    Pattern(
        "b_in_failed_command",
        ("smtp-in: session",),
        rf'{B_IN}received invalid command: "(?P<command>.*)"$',
        '"smtp-in: session %016"PRIx64": received invalid command: \\"%s\\""',
        (
            _s(
                B_HDR,
                'smtp-in: session 5e6f708192a3b4c5: received invalid command: "MAIL FROM:<a b@example.net>"',
                command="MAIL FROM:<a b@example.net>",
                result=None,
            ),
        ),
        _set(B, "smtp", "failed-command"),
    ),
    # --- smtp-out (mta_session.c 5.7.3p2) ---
    Pattern(
        "b_out_connecting",
        ("smtp-out: session",),
        rf"{B_OUT}: connecting to {MTA_TARGET} \((?P<rdns>[^ ]*)\)$",
        '"smtp-out: session %016" PRIx64 ": connecting to %s%s:%d (%s)"',
        (
            _s(
                B_HDR,
                "smtp-out: session 708192a3b4c5d6e7: connecting to smtp://198.51.100.25:25 "
                "(mx.example.com)",
                session="708192a3b4c5d6e7",
                scheme="smtp",
                ip="198.51.100.25",
                port=25,
                rdns="mx.example.com",
            ),
        ),
        _set(B, "mta", "connecting"),
    ),
    Pattern(
        "b_out_tls",
        ("smtp-out: session",),
        rf"{B_OUT}: TLS started {TLS_B}$",
        '"smtp-out: session %016"PRIx64": TLS started %s"',
        (
            _s(
                B_HDR,
                "smtp-out: session 708192a3b4c5d6e7: TLS started version=TLSv1/SSLv3 (TLSv1.2), "
                "cipher=ECDHE-RSA-AES128-GCM-SHA256, bits=128",
                tls_version="TLSv1.2",
                tls_bits=128,
            ),
        ),
        _set(B, "mta", "tls"),
    ),
    Pattern(
        "b_out_closed",
        ("smtp-out: session",),
        rf"{B_OUT}: connection closed, (?P<messages>\d+) messages? sent\.$",
        '"smtp-out: session %016"PRIx64": connection closed, %zu message%s sent."',
        (
            _s(
                B_HDR,
                "smtp-out: session 708192a3b4c5d6e7: connection closed, 2 messages sent.",
                messages=2,
                reason="quit",
            ),
        ),
        _set(B, "mta", "disconnected", reason="quit"),
    ),
    # sic: no ": " between the session id and the text
    Pattern(
        "b_out_rejects_all_mails",
        ("smtp-out: session",),
        rf"{B_OUT}remote host seems to reject all mails$",
        '"smtp-out: session %016"PRIx64"remote host seems to reject all mails"',
        (
            _s(
                B_HDR,
                "smtp-out: session 708192a3b4c5d6e7remote host seems to reject all mails",
                session="708192a3b4c5d6e7",
            ),
        ),
        _set(B, "mta", "host-rejects-all-mails"),
    ),
    Pattern(
        "b_out_error_after",
        ("smtp-out: session",),
        rf"{B_OUT}: error after (?P<messages>\d+) messages? sent: (?P<reason>.*)$",
        '"smtp-out: session %016"PRIx64": error after %zu message%s sent: %s"',
        (
            _s(
                B_HDR,
                "smtp-out: session 708192a3b4c5d6e7: error after 1 message sent: Connection timeout",
                messages=1,
                reason="Connection timeout",
            ),
        ),
        _set(B, "mta", "error"),
    ),
    Pattern(
        "b_out_error",
        ("smtp-out: session",),
        rf"{B_OUT}: error: (?P<reason>.*)$",
        '"smtp-out: session %016"PRIx64": error: %s"',
        (
            _s(
                B_HDR,
                "smtp-out: session 708192a3b4c5d6e7: error: opportunistic TLS failed, downgrading to plain",
                reason="opportunistic TLS failed, downgrading to plain",
            ),
        ),
        _set(B, "mta", "error"),
    ),
    Pattern(
        "b_out_server_cert",
        ("smtp-out: session",),
        rf"{B_OUT}: server certificate verification (?P<result>succeeded|failed)$",
        '"smtp-out: session %016"PRIx64": server certificate verification %s"',
        (
            _s(
                B_HDR,
                "smtp-out: session 708192a3b4c5d6e7: server certificate verification succeeded",
                result="succeeded",
            ),
        ),
        _set(B, "mta", "cert-check"),
    ),
    Pattern(
        "b_out_ca_failure",
        ("smtp-out: session",),
        rf"{B_OUT}: disconnected \(CA failure\)$",
        '"smtp-out: session %016"PRIx64": disconnected (CA failure)"',
        (
            _s(
                B_HDR,
                "smtp-out: session 708192a3b4c5d6e7: disconnected (CA failure)",
                reason="ca-failure",
            ),
        ),
        _set(B, "mta", "closing", reason="ca-failure"),
    ),
    Pattern(
        "b_out_delivery",
        ("smtp-out: session",),
        rf"{B_OUT}: evpid={EVPID}, status=(?P<result>[A-Za-z]+), {FROM_TO_COMMA}, {RCPT_OR_DASH}, "
        r"source=(?:-|(?P<source>[^ ,]*)), relay=(?P<relay>[^,]*), delay="
        + DELAY
        + r", stat=(?P<stat>.*)$",
        '"smtp-out: session %016"PRIx64": evpid=%016" PRIx64 ", status=%s, from=<%s>, to=<%s>, '
        'rcpt=<%s>, source=%s, relay=%s, delay=%s, stat=%s"',
        (
            _s(
                B_HDR,
                "smtp-out: session 708192a3b4c5d6e7: evpid=8192a3b4c5d6e7f8, status=Ok, "
                "from=<alice@example.org>, to=<bob@example.com>, rcpt=<->, source=192.0.2.10, "
                "relay=198.51.100.25 (mx.example.com), delay=12s, stat=250 2.0.0 Ok: queued as 4XyZ1",
                evpid="8192a3b4c5d6e7f8",
                result="Ok",
                rcpt=None,
                source="192.0.2.10",
                relay="198.51.100.25 (mx.example.com)",
                delay_s=12,
                stat="250 2.0.0 Ok: queued as 4XyZ1",
            ),
        ),
        _set(B, "mta", "delivery"),
    ),
    Pattern(
        "b_out_routing",
        ("smtp-out: routing",),
        r"^smtp-out: routing: (?P<text>.*)$",
        '"smtp-out: routing: ..." (all mta.c routing messages)',
        (
            _s(
                B_HDR,
                "smtp-out: routing: No MX found for example.invalid",
                text="No MX found for example.invalid",
            ),
        ),
        _set(B, "mta", "route"),
    ),
)

# ============================================================================================
# Process-level lines (all families; formats.md 1.2 "Other"): info:, warn:, queue:, Exiting,
# bounces, filter stderr `name: text`, fatal() `procname: msg`.
# ============================================================================================

PROCESS = (
    # smtpd.c: log_info("info: %s %s starting", SMTPD_NAME, SMTPD_VERSION)
    Pattern(
        "info_starting",
        ("info:",),
        r"^info: (?P<text>\S+ \S+) starting$",
        '"info: %s %s starting"',
        (_s(E_HDR, "info: OpenSMTPD 7.8.0p1 starting", text="OpenSMTPD 7.8.0p1"),),
        _set(E, "smtpd", "starting", level="info"),
    ),
    # control.c
    Pattern(
        "info_paused_resumed",
        ("info:",),
        r"^info: (?P<subsystem>mda|mta|smtp) (?P<event>paused|resumed)$",
        '"info: mda paused" | "info: mta paused" | "info: smtp paused", and "... resumed"',
        (
            _s(E_HDR, "info: smtp paused", subsystem="smtp", event="paused"),
            _s(E_HDR, "info: mta resumed", subsystem="mta", event="resumed"),
        ),
        {"family": E, "level": "info"},
    ),
    Pattern(
        "info",
        ("info:",),
        r"^info: (?P<text>.*)$",
        '"info: %s" (e.g. "info: Table \\"%s\\" successfully updated")',
        (
            _s(
                E_HDR,
                'info: Table "aliases" successfully updated',
                text='Table "aliases" successfully updated',
            ),
        ),
        _set(E, "smtpd", "info", level="info"),
    ),
    # bounce.c: %s = TempFail|PermFail; `to <%s>` is the bounce recipient (the original sender)
    Pattern(
        "warn_bounce",
        ("warn:",),
        rf"^warn: (?P<result>TempFail|PermFail) injecting failure report on message {MSGID} to "
        r"<(?P<rcpt_to>[^ <>]*)> for (?P<nrcpt>\d+) envelopes?: (?P<stat>.*)$",
        '"warn: %s injecting failure report on message %08x to <%s> for %zu envelope%s: %s"',
        (
            _s(
                E_HDR,
                "warn: PermFail injecting failure report on message 9a3b2c1d to <alice@example.org> "
                "for 1 envelope: 550 5.1.1 <bob@example.net>: Recipient address rejected",
                result="PermFail",
                msgid="9a3b2c1d",
                rcpt_to="alice@example.org",
                nrcpt=1,
                stat="550 5.1.1 <bob@example.net>: Recipient address rejected",
            ),
        ),
        _set(E, "queue", "bounce", level="warn"),
    ),
    Pattern(
        "warn",
        ("warn:",),
        r"^warn: (?P<text>.*)$",
        '"warn: %s" (smtp.c, lka.c, mta.c, smtpd.c ...; log_warn() appends ": <strerror>")',
        (
            _s(E_HDR, "warn: loop detected", text="loop detected"),
            _s(
                E_HDR,
                "warn: Disabling incoming SMTP connections: Client limit reached",
                text="Disabling incoming SMTP connections: Client limit reached",
            ),
        ),
        _set(E, "smtpd", "warn", level="warn"),
    ),
    # also a fatal() of the queue process ("queue: <msg>") lands here
    Pattern(
        "queue_info",
        ("queue:",),
        r"^queue: (?P<text>.*)$",
        '"queue: queue compression enabled" / "queue: queue encryption enabled"',
        (_s(E_HDR, "queue: queue compression enabled", text="queue compression enabled"),),
        _set(E, "queue", "info"),
    ),
    Pattern(
        "exiting",
        ("Exiting",),
        r"^Exiting$",
        '"Exiting"',
        (_s(E_HDR, "Exiting", event="exiting"),),
        _set(E, "smtpd", "exiting"),
    ),
    # `smtpctl trace` output (log_trace); formats.md: real, book
    Pattern(
        "trace",
        (": ",),
        r"^(?P<proc>[a-z-]+): (?P<text>0x[0-9a-f]+: .*)$",
        '"smtp: %p: >>> %s" / "smtp: %p: <<< %s" (trace)',
        (
            _s(
                E_HDR,
                "smtp: 0x15d760462000: >>> 220 mx1.example.org ESMTP OpenSMTPD",
                proc="smtp",
                text="0x15d760462000: >>> 220 mx1.example.org ESMTP OpenSMTPD",
            ),
        ),
        _set(E, "smtpd", "trace", level="debug"),
    ),
    # filter stderr: log_warnx("%s: %s", name, line) (lka_proc.c 6.6.4p1, lka_filter.c 6.8+);
    # fatal(): "<procname>: <msg>[: <strerror>]"; "getnameinfo: %s: %s", "getaddrinfo: %s: %s"
    Pattern(
        "other",
        (": ",),
        r"^(?P<proc>[^ :]+): (?P<text>.*)$",
        '"%s: %s" (filter name, line) | "<procname>: <msg>[: <strerror>]" | "getnameinfo: %s: %s"',
        (
            _s(
                E_HDR,
                "rspamd: connection refused by rspamd at 127.0.0.1:11333",
                proc="rspamd",
                text="connection refused by rspamd at 127.0.0.1:11333",
            ),
            _s(
                E_HDR,
                "lka: imsg_read: Connection reset by peer",
                proc="lka",
                text="imsg_read: Connection reset by peer",
            ),
            _s(
                E_HDR,
                "getnameinfo: 192.0.2.1: host name not found",
                proc="getnameinfo",
                text="192.0.2.1: host name not found",
            ),
        ),
        _set(E, "smtpd", "other"),
    ),
)

# One anchored regex; group 1 = route key. `%016x <subsystem> [event=]<word>` lines key on
# subsystem + event word; A/B on `smtp-in: <Word>` / `smtp-out: <Word>`; then the literal
# prefixes; any other `name: text` line gets the key `: `. The optional name `(?:[^ :]+)??` is
# lazy, so it is skipped whenever a literal key matches at the start of the message, and when it
# is taken it spans the WHOLE name first (greedy inside), so `getnameinfo: ...` keys on `: `, not
# on the `info:` inside the name.
ROUTER = (
    r"^(?:[0-9a-f]{16} )?(?:[^ :]+)??("
    r"(?:smtp|mta|mda) (?:event=)?[a-z_-]+"
    r"|smtp-(?:in|out): [A-Za-z]+"
    r"|(?:relay|delivery|info|warn|queue):"
    r"|Exiting|proxy 0x|: )"
)

NEGATIVES = (
    Negative(
        E_HDR
        + '7e2a6c1d9b0f4a11 smtp failed-command command="MAIL FROM:<a@example.net>" result="250 ok" '
        'result="553 5.1.0 Sender address syntax error"',
        'command is not quote-escaped: a client that sends `" result="250 ok` must not fake smtpd\'s '
        'reply; the split is at the LAST `" result="`',
        {
            "pattern": "smtp_failed_command",
            "command": 'MAIL FROM:<a@example.net>" result="250 ok',
            "result": "553 5.1.0 Sender address syntax error",
        },
    ),
    Negative(
        E_HDR
        + '7e2a6c1d9b0f4a11 smtp failed-command command="AUTH X"Y" result="504 5.7.4 Security '
        'features not supported: AUTH method "X"Y" not supported"',
        "the reply echoes the attacker's AUTH method (quotes included, no space): it stays in result",
        {
            "command": 'AUTH X"Y',
            "result": '504 5.7.4 Security features not supported: AUTH method "X"Y" not supported',
        },
    ),
    Negative(
        D_HDR + "4f1e2d3c4b5a6978 smtp failed-command address=192.0.2.1 host=client.example.org "
        'command="HELO x address=198.51.100.66 host=evil" result="501 5.5.4 Invalid command"',
        "a HELO argument carrying ` address=... host=...` must not move the client address",
        {
            "address": "192.0.2.1",
            "ip": "192.0.2.1",
            "rdns": "client.example.org",
            "command": "HELO x address=198.51.100.66 host=evil",
            "result": "501 5.5.4 Invalid command",
        },
    ),
    Negative(
        E_HDR
        + "7e2a6c1d9b0f4a11 smtp authentication user=bob\\040address=198.51.100.66\\040host=evil "
        "result=ok",
        "AUTH user is strnvis(VIS_WHITE): the spaces of an injected ` address=` arrive as \\040 and "
        "the whole thing stays in user",
        {
            "pattern": "smtp_authentication",
            "user": "bob\\040address=198.51.100.66\\040host=evil",
            "address": None,
            "result": "ok",
        },
    ),
    Negative(
        D_HDR
        + "4f1e2d3c4b5a6978 smtp authentication user=x\\040address=198.51.100.66 address=192.0.2.1 "
        "host=client.example.org result=permfail",
        "D: an escaped injected address in the user name does not replace the real address",
        {"user": "x\\040address=198.51.100.66", "ip": "192.0.2.1", "result": "permfail"},
    ),
    Negative(
        A_HDR
        + "smtp-in: Accepted authentication for user evil on session 1111111111111111 on session "
        "3a4b5c6d7e8f9012",
        "5.x user names are not escaped: the session is the LAST ` on session X`",
        {"user": "evil on session 1111111111111111", "session": "3a4b5c6d7e8f9012", "result": "ok"},
    ),
    Negative(
        A_HDR
        + 'smtp-in: Failed command on session 3a4b5c6d7e8f9012: "MAIL FROM:<x> " => 250 Ok" => '
        "553 5.1.7 Sender address syntax error",
        'A form: the command may contain `" => `; split at the last one',
        {"command": 'MAIL FROM:<x> " => 250 Ok', "result": "553 5.1.7 Sender address syntax error"},
    ),
    Negative(
        E_HDR + "6a7b8c9d0e1f2a3b mta delivery evpid=9a3b2c1d00aa11bb from=<alice@example.org> "
        'to=<bob@example.net> rcpt=<-> source="192.0.2.10" relay="198.51.100.25 (mx.example.net)" '
        'delay=2s result="TempFail" stat="451 4.3.0 x" result="Ok" stat="250 2.0.0 Ok"',
        'the remote reply (stat) is unescaped and last: an injected `" result="Ok` stays in stat',
        {"result": "TempFail", "stat": '451 4.3.0 x" result="Ok" stat="250 2.0.0 Ok', "delay_s": 2},
    ),
    Negative(
        E_HDR + "3c1f0e9d8b7a6543 mda delivery evpid=5b4a39281f2e3d4c from=<x@example.net> "
        "to=<alice@example.org> rcpt=<alice@example.org> user=alice delay=1s result=PermFail "
        'stat=Error (user unknown: "x result=Ok stat=Delivered")',
        "MDA output inside mda stat= (unquoted, last) cannot change result",
        {"result": "PermFail", "stat": 'Error (user unknown: "x result=Ok stat=Delivered")'},
    ),
    Negative(
        E_HDR + "7e2a6c1d9b0f4a11 smtp envelope evpid=9a3b2c1d00aa11bb from=<a>b@example.net> "
        "to=<c@example.org>",
        "smtpd rejects `<>` inside addresses (valid_localpart); such a line is forged: unparsed",
        None,
    ),
    Negative(
        E_HDR + "7e2a6c1d9b0f4a11 smtp envelope evpid=9a3b2c1d00aa11bb from=<a@example.net> "
        "to=<evil@example.net> to=<c@example.org>",
        "a second to=<...> cannot come from smtpd (no spaces in addresses): unparsed",
        None,
    ),
    Negative(
        A_HDR
        + "smtp-in: New session 3a4b5c6d7e8f9012 from host evil [198.51.100.66] x [203.0.113.9]",
        "a host name cannot contain spaces: a line faking a second `[address]` is unparsed",
        None,
    ),
    Negative(
        E_HDR + "7e2a6c1d9b0f4a1 smtp connected address=192.0.2.1 host=a.example.org",
        "15-digit session id: not an smtpd line",
        None,
    ),
)

PARSER = Parser(
    name="smtpd",
    table="smtpd_events",
    description=(
        "OpenSMTPD: smtp sessions, mta relaying, mda/LMTP delivery, queue expiry/removal and "
        "process messages, from all five log-format families (5.4 .. 7.8), normalized to one "
        "vocabulary (formats.md section 1)"
    ),
    programs=("smtpd",),
    version="1",
    router=ROUTER,
    fields=FIELDS,
    patterns=SMTP_ED
    + MTA_ED
    + MDA_ED
    + FAMILY_C
    + SMTP_OUT
    + OLD_DELIVERIES
    + FAMILY_A_IN
    + FAMILY_B
    + PROCESS,
    derived=(
        Derived(
            "reply_msgid", "stat", r"^250 2\.0\.0:? ([0-9a-f]{8}) Message accepted for delivery"
        ),
        Derived("evpid_msgid", "evpid", r"^([0-9a-f]{8})"),
    ),
    negatives=NEGATIVES,
)
