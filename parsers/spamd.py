"""OpenBSD spamd (`spamd[PID]:`) and spamlogd (`spamlogd[PID]:`) -> `spamd_events`, `spamlogd_events`.

Reference: /work/shared/formats.md sections 0.2, 2.1 (spamd.c), 2.2 (grey.c), 2.3 (spamlogd.c)
and 8 (gotchas 7, 9, 14). Formats are the same from spamd.c 1.105 (2009) to 1.165 and grey.c
1.57 to 1.67 (`%ld` -> `%lld` only). Both daemons log to LOG_DAEMON (/var/log/daemon); the
grey.c lines, `Body:` and spamlogd's `inbound`/`outbound`/`Listening` are LOG_DEBUG and appear
only with `daemon.debug` in syslog.conf. Lines logged with plain syslog() before/outside
openlog_r() come as `spamd:` / `spamlogd:` WITHOUT [pid] (pid NULL): spamd's `pipe (%m)`,
`fork (%m)`, `fdopen (%m)`, `socketpair (%m)`, `blackcheck: ...`; spamlogd's `Listening on ...`
and the pcap init errors. Same patterns, same tables.

spamd `event` vocabulary (spamd_events):
  connected        `%s: connected (%d/%d)[, lists: ...]` (clients, blackcount after counting it)
  disconnected     `%s: disconnected after %lld seconds.[ lists: ...]` (tarpit_s)
  grey / black     `-v` tuple line `(GREY)|(BLACK) %s: <from> -> <to>`, once per RCPT
  header           `-v` DATA header `%s: From:|To:|Subject: ...` (any case) -- ATTACKER TEXT
  body             `-v` DATA body line `%s: Body: ...` (<= 9 lines) -- ATTACKER TEXT
  listening        startup (`listening for incoming connections.`)
  new-entry        grey.c `new [greytrap ]entry ...` (entry_type grey | greytrap)
  trapped          grey.c `Trapping %s for tuple ...` (trap_reason spamtrap | low-prio-mx)
  whitelisted      grey.c greyscan: `whitelisting %s in /var/db/spamd` (tuple passed)
  unwhitelisted    grey.c 1.67: `%s blacklisted, removing from whitelist`
  sync-received    grey.c `new TRAP|WHITE from <peer> for <ip>, expires <epoch>`
  sync-sent        grey.c `sync_trap %s`
  queued           grey.c `queueing add|deletion of <db key>`
  suffix           grey.c `got suffix %s` (a line of spamd.alloweddomains; LOG_ERR although benign)
  scan-failed      grey.c `scan of %s failed`
  pfctl-failed     grey.c `/sbin/pfctl returned status %d` / `died on signal %d`
  db-error         grey.c `can't add|delete %s to|from spamd db (%m)`
  error            every other error/notice line formats.md lists (text = the whole message)

Attacker-controlled text, and how it is contained:
* `header` and `body` rows carry `untrusted = 'yes'` (NULL on every other row): header_value and
  body_text are whatever the SMTP client sent, unescaped except for syslogd's vis(3). Reports
  must never read an address, a count or a verdict out of them. They are matched from the start
  of the message (`<addr>: <Name>:` / `<addr>: Body: `), which spamd writes, so no header text can
  make a line look like another event: the route key is decided before the attacker's text.
* MAIL/RCPT/HELO tokens (from_token, to_token, helo, and the tokens inside grey.c tuple keys)
  are client text cut at the first blank by spamd (setlog()/gethelo()): they never contain a
  space, so every space-separated position is fixed. A line whose token would need a space
  (`<a> -> <b> -> <c>`, a HELO with spaces in a Trapping tuple) cannot come from spamd and is
  left unparsed. mail_from / rcpt_to are the token without its brackets only when the token is
  exactly `<...>` with no `<`, `>` or space inside (`<>` -> ''); otherwise NULL, the raw token
  staying in from_token / to_token.

What the engine must honour:
* The client address (`address`) is IPv4 dotted quad (spamd is IPv4 only) or `<unknown>`
  (getnameinfo() failure, v1.160+); `ip` is the same text through the ip converter
  (`<unknown>` -> NULL).
* `lists:` (loglists(), 80-byte buffer): `, lists: a b` on connect, `. lists: a` on disconnect,
  absent for greylisted (not blacklisted) hosts. A tag that would pass 75 chars becomes ` ...`
  (repeatable, and a later shorter tag may still follow); the hard 79-char cap can cut the last
  ` ...` to ` ..`, ` .` or ` `. The regex leaves a final ` ..`/` .` out of `lists` (the words
  converter drops `...`, `.` and '' but not `..`); lists_text keeps the text as logged.
* grey.c tuple keys are `ip\\nhelo\\nfrom\\nto`: syslogd turns `\\n` into a space; a non-OpenBSD
  relay (rsyslog) writes `#012`. Both separators are accepted, one per line (patterns `*_012`):
  a tuple mixing them cannot come from one relay and is left unparsed. HELO may be empty (two
  spaces, or `#012#012`).
* Route keys (the router's group 1): `: connected`, `: disconnected`, `: Body:`, `:` (header
  lines), ` blacklisted,`, ` returned status`, ` died on signal` (after an address or a path);
  `(GREY)`, `(BLACK)`, `new entry`, `new greytrap`, `new TRAP`, `new WHITE`; else the first word.
  No spamd catch-all: an unknown spamd line is a real miss and lands in `unparsed`.

spamlogd `event` vocabulary (spamlogd_events): connection (`inbound %s` / `outbound %s`,
direction in|out; spamlogd then adds/refreshes a WHITE entry), bad-header (the two pflog header
length warnings), listening (direction both|in), exiting, error. Route keys: the fixed message
starts, and '' for anything else, which only the `pcap_error` catch-all reads (spamlogd logs
pcap_geterr() text verbatim as `"%s"` during init).
"""

from __future__ import annotations

import datetime as dt

from parsers.base import Field, Negative, Parser, Pattern, Sample

# --- building blocks (RE2/Rust/Java/Python common subset) ----------------------------------

IPV4 = r"(?:[0-9]{1,3}\.){3}[0-9]{1,3}"
# spamd.c cp->addr: getnameinfo(NI_NUMERICHOST) of an AF_INET peer, or `<unknown>` (v1.160+)
ADDR = rf"(?P<address>(?P<ip>{IPV4}|<unknown>))"
# setlog(): text after the first ':' of MAIL/RCPT, leading blanks skipped, cut at blank/CR/LF
FROM_TOKEN = r"(?P<from_token><(?P<mail_from>[^ <>]*)>|\S+)"
TO_TOKEN = r"(?P<to_token><(?P<rcpt_to>[^ <>]*)>|\S+)"
# grey.c key "%s\n%s\n%s\n%s" (ip, helo, from, to); '\n' -> ' ' (syslogd) or '#012' (rsyslog).
# One relay writes every '\n' of a line the same way, so a tuple is read with one separator
# throughout (a pattern per separator): a mixed reading would let a token swallow a separator
# (HELO ' ' in a #012 tuple read as from_token '#012<>').
SEP = r"(?: |#012)"


def _tuple(sep: str) -> str:
    return rf"(?P<tuple_key>{IPV4}{sep}(?P<helo>\S*?){sep}{FROM_TOKEN}{sep}{TO_TOKEN})"


TUPLE = _tuple(" ")
TUPLE_012 = _tuple("#012")
# loglists(): " tag"... or " ..." items; a final item may be cut by the 79-char cap
LISTS = r"lists: (?P<lists_text>(?P<lists>.*?)(?: \.\.?)?)"

# Syslog headers for samples (formats.md 0.1; `Nov  6` space-padded, see 8.14)
HDR = "Nov 24 10:00:12 gw spamd[2922]: "
GREY_HDR = "Nov 24 10:30:00 gw spamd[2921]: "  # the greylister parent (greyscan, pfctl)
NOPID = "Nov 24 09:59:58 gw spamd: "
LOGD = "Nov 24 10:00:20 gw spamlogd[7781]: "
LOGD_NOPID = "Nov 24 09:59:50 gw spamlogd: "

UNTRUSTED = "yes"


def _s(header, msg, origin="derived", **fields):
    return Sample(header + msg, fields, origin)


def _ev(event, **more):
    return {"event": event, **more}


SPAMD_FIELDS = (
    Field(
        "event",
        "normalized event: connected, disconnected, grey, black, header, body, listening, "
        "new-entry, trapped, whitelisted, unwhitelisted, sync-received, sync-sent, queued, suffix, "
        "scan-failed, pfctl-failed, db-error, error (see the module doc). header and body rows "
        "are attacker-written text (untrusted = 'yes').",
    ),
    Field(
        "address",
        "client address as spamd.c logged it: IPv4 dotted quad, or `<unknown>` (v1.160+ when "
        "getnameinfo() fails). Only on spamd.c lines (connected .. body).",
    ),
    Field(
        "ip",
        "IPv4 address the event is about: the client (spamd.c lines, NULL for `<unknown>`), the "
        "greylisted/trapped/whitelisted host (grey.c), the host a sync message is about, the "
        "first part of a queued db key",
        "ip",
    ),
    Field("clients", "connected: open connections after counting this one", "int"),
    Field(
        "blackcount",
        "connected: open connections from blacklisted hosts after counting this one",
        "int",
    ),
    Field(
        "lists",
        "blacklists (spamd.conf tags) the client matched, in order; `...` truncation markers "
        "dropped, so the list may be incomplete (check lists_text); NULL for greylisted hosts",
        "words",
    ),
    Field(
        "lists_text",
        "the `lists:` text as logged (tags and ` ...` markers, 79 chars at most incl. the "
        "leading space spamd adds); LIKE '%...%' or ending in ` .`/` ..` means truncated",
    ),
    Field(
        "tarpit_s",
        "disconnected: seconds the client was held (`disconnected after %lld seconds.`)",
        "int",
    ),
    Field(
        "from_token",
        "MAIL FROM token exactly as the client sent it (no blanks; normally `<user@domain>`, "
        "may be `<>`, unbracketed or garbage). Attacker text.",
    ),
    Field(
        "to_token",
        "RCPT TO token exactly as the client sent it (no blanks). Attacker text.",
    ),
    Field(
        "mail_from",
        "envelope sender without <> when from_token is exactly `<...>` ('' for `<>`), else NULL",
    ),
    Field(
        "rcpt_to",
        "envelope recipient without <> when to_token is exactly `<...>`, else NULL",
    ),
    Field(
        "helo",
        "HELO/EHLO word the client sent (grey.c new-entry and tuple keys; '' when the client "
        "sent MAIL without HELO). Attacker text.",
    ),
    Field(
        "tuple_key",
        "trapped: the greylist key `ip helo from to` as logged (newlines shown as spaces, or "
        "`#012` through a non-OpenBSD relay)",
    ),
    Field(
        "header_name",
        "header: `From`, `To` or `Subject` in the case the client wrote it (`FROM`, `subject`); "
        "compare with lower()",
    ),
    Field(
        "header_value",
        "header: the header text after the colon and its leading blanks, verbatim (vis-encoded "
        "by syslogd, possibly cut where the client's read() chunk ended). Attacker text: never "
        "parse addresses or verdicts out of it.",
    ),
    Field(
        "body_text",
        "body: one non-empty body line as sent by the client (LOG_DEBUG, at most 9 per "
        "message). Attacker text.",
    ),
    Field(
        "untrusted",
        "'yes' on header and body rows (text written by the SMTP client), NULL otherwise",
    ),
    Field(
        "entry_type",
        "spamdb entry the event is about: new-entry grey|greytrap (a greytrap entry is keyed by "
        "ip and shows as TRAPPED in spamdb), sync-received trap|white (from TRAP|WHITE), "
        "sync-sent trap",
        "lower",
    ),
    Field(
        "trap_reason",
        "trapped: spamtrap (the RCPT is a spamdb SPAMTRAP address, or matches no "
        "spamd.alloweddomains suffix) or low-prio-mx (first contact went to the -M address)",
    ),
    Field("low_prio_mx", "trapped (low-prio-mx): the spamd -M address the client tried first", "ip"),
    Field("sync_peer", "sync-received: address of the spamd sync peer that sent the update", "ip"),
    Field("expires", "sync-received: expiry time carried by the sync message", "epoch"),
    Field(
        "db_action",
        "queued: add | deletion (as logged); db-error: add | delete (as logged)",
    ),
    Field(
        "db_key",
        "queued/db-error: spamdb key as logged: an IPv4 address, or a greylist tuple "
        "`ip helo from to` (newlines shown as spaces)",
    ),
    Field(
        "path",
        "file or program named by the line: the spamd db (whitelisting, scan-failed, create/chown/"
        "open of), spamd.alloweddomains (line too long), pfctl (pfctl-failed, can't exec)",
    ),
    Field("status", "pfctl-failed: pfctl exit status", "int"),
    Field("signal", "pfctl-failed: signal that killed pfctl", "int"),
    Field(
        "text",
        "error/suffix lines: the whole message (error), the alloweddomains suffix (suffix)",
    ),
    Field("errmsg", "the strerror(3) text (`%m`) of error lines"),
)

# ============================================================================================
# spamd.c (formats.md 2.1): connections, -v tuple/header/body lines, startup
# ============================================================================================

SPAMD_C = (
    Pattern(
        "connected",
        (": connected",),
        rf"^{ADDR}: connected \((?P<clients>[0-9]+)/(?P<blackcount>[0-9]+)\)(?:, {LISTS})?$",
        '"%s: connected (%d/%d)%s%s" (addr, clients, blackcount, ", lists:" | "", loglists() | "")',
        (
            Sample(
                "Oct  2 19:53:21 delilah spamd[26905]: 65.210.185.131: connected (1/1), lists: spews1",
                _ev(
                    "connected",
                    address="65.210.185.131",
                    ip="65.210.185.131",
                    clients=1,
                    blackcount=1,
                    lists=["spews1"],
                    lists_text="spews1",
                    untrusted=None,
                ),
                "real",
            ),
            _s(
                HDR,
                "198.51.100.23: connected (12/3)",
                address="198.51.100.23",
                ip="198.51.100.23",
                clients=12,
                blackcount=3,
                lists=None,
                lists_text=None,
            ),
            _s(
                HDR,
                "203.0.113.7: connected (40/31), lists: spamhaus-drop spamd-greytrap uatraps "
                "nixspam bgp-spamd psbl spews1 ... x y",
                clients=40,
                blackcount=31,
                lists=[
                    "spamhaus-drop",
                    "spamd-greytrap",
                    "uatraps",
                    "nixspam",
                    "bgp-spamd",
                    "psbl",
                    "spews1",
                    "x",
                    "y",
                ],
                lists_text="spamhaus-drop spamd-greytrap uatraps nixspam bgp-spamd psbl spews1 ... x y",
            ),
        ),
        _ev("connected"),
    ),
    Pattern(
        "disconnected",
        (": disconnected",),
        rf"^{ADDR}: disconnected after (?P<tarpit_s>-?[0-9]+) seconds\.(?: {LISTS})?$",
        '"%s: disconnected after %lld seconds.%s%s" (addr, secs, " lists:" | "", loglists() | "")',
        (
            Sample(
                "Oct  2 20:00:05 delilah spamd[26905]: 65.210.185.131: disconnected after 404 "
                "seconds. lists: spews1",
                _ev("disconnected", ip="65.210.185.131", tarpit_s=404, lists=["spews1"]),
                "real",
            ),
            Sample(
                "Oct  2 20:03:48 delilah spamd[26905]: 222.240.6.118: disconnected after 0 seconds.",
                _ev("disconnected", ip="222.240.6.118", tarpit_s=0, lists=None, lists_text=None),
                "real",
            ),
            _s(
                HDR,
                "<unknown>: disconnected after 391 seconds. lists: spamhaus-drop spamd-greytrap "
                "uatraps nixspam bgp-spamd psbl spews1 wpbl ... ..",
                address="<unknown>",
                ip=None,
                tarpit_s=391,
                lists=[
                    "spamhaus-drop",
                    "spamd-greytrap",
                    "uatraps",
                    "nixspam",
                    "bgp-spamd",
                    "psbl",
                    "spews1",
                    "wpbl",
                ],
                lists_text="spamhaus-drop spamd-greytrap uatraps nixspam bgp-spamd psbl spews1 wpbl ... ..",
            ),
        ),
        _ev("disconnected"),
    ),
    Pattern(
        "grey",
        ("(GREY)",),
        rf"^\(GREY\) {ADDR}: {FROM_TOKEN} -> {TO_TOKEN}$",
        '"(%s) %s: %s -> %s" ("GREY", addr, mail token, rcpt token; -v, once per RCPT)',
        (
            Sample(
                "Oct  2 19:55:05 delilah spamd[26905]: (GREY) 83.23.213.115: "
                "<gilbert@keyholes.net> -> <wkitp98zpu.fsf@datadok.no>",
                _ev(
                    "grey",
                    ip="83.23.213.115",
                    from_token="<gilbert@keyholes.net>",
                    to_token="<wkitp98zpu.fsf@datadok.no>",
                    mail_from="gilbert@keyholes.net",
                    rcpt_to="wkitp98zpu.fsf@datadok.no",
                ),
                "real",
            ),
            _s(
                HDR,
                "(GREY) 198.51.100.23: <> -> bob@example.org",
                ip="198.51.100.23",
                from_token="<>",
                mail_from="",
                to_token="bob@example.org",
                rcpt_to=None,
            ),
        ),
        _ev("grey"),
    ),
    Pattern(
        "black",
        ("(BLACK)",),
        rf"^\(BLACK\) {ADDR}: {FROM_TOKEN} -> {TO_TOKEN}$",
        '"(%s) %s: %s -> %s" ("BLACK", addr, mail token, rcpt token; -v, once per RCPT)',
        (
            _s(
                HDR,
                "(BLACK) 203.0.113.7: <offers@example.net> -> <alice@example.org>",
                ip="203.0.113.7",
                from_token="<offers@example.net>",
                mail_from="offers@example.net",
                to_token="<alice@example.org>",
                rcpt_to="alice@example.org",
            ),
            _s(
                HDR,
                "(BLACK) 203.0.113.7: <a<b>@example.net> -> <alice@example.org>SIZE=100",
                from_token="<a<b>@example.net>",
                mail_from=None,
                to_token="<alice@example.org>SIZE=100",
                rcpt_to=None,
            ),
        ),
        _ev("black"),
    ),
    Pattern(
        "body",
        (": Body:",),
        rf"^{ADDR}: Body: (?P<body_text>.*)$",
        '"%s: Body: %s" (addr, body line; -v, LOG_DEBUG)',
        (
            _s(
                HDR,
                "203.0.113.7: Body: Dear friend, CLICK HERE to claim your M-CM-)prize",
                ip="203.0.113.7",
                body_text="Dear friend, CLICK HERE to claim your M-CM-)prize",
                untrusted="yes",
            ),
        ),
        _ev("body", untrusted=UNTRUSTED),
    ),
    Pattern(
        "header",
        (":",),
        rf"^{ADDR}: (?P<header_name>[Ff][Rr][Oo][Mm]|[Tt][Oo]|[Ss][Uu][Bb][Jj][Ee][Cc][Tt]):"
        r"[ \t]*(?P<header_value>.*)$",
        '"%s: %s" (addr, DATA header line starting case-insensitively with FROM:, TO:, SUBJECT:; -v)',
        (
            Sample(
                "Oct  2 19:58:50 delilah spamd[26905]: 65.210.185.131: Subject: Start SAVlNG "
                "M0NEY on Auto lnsurance",
                _ev(
                    "header",
                    ip="65.210.185.131",
                    header_name="Subject",
                    header_value="Start SAVlNG M0NEY on Auto lnsurance",
                    untrusted="yes",
                ),
                "real",
            ),
            _s(
                HDR,
                '203.0.113.7: FROM: "Best Offers" <offers@example.net>',
                ip="203.0.113.7",
                header_name="FROM",
                header_value='"Best Offers" <offers@example.net>',
            ),
            _s(
                HDR,
                "203.0.113.7: to:",
                header_name="to",
                header_value="",
                untrusted="yes",
            ),
        ),
        _ev("header", untrusted=UNTRUSTED),
    ),
    Pattern(
        "listening",
        ("listening",),
        r"^listening for incoming connections\.$",
        '"listening for incoming connections." (LOG_WARNING, startup)',
        (_s(HDR, "listening for incoming connections.", event="listening", ip=None),),
        _ev("listening"),
    ),
)

# ============================================================================================
# grey.c (formats.md 2.2): greylister, trap, whitelist, sync (LOG_DEBUG unless noted)
# ============================================================================================

GREY_C = (
    Pattern(
        "new_entry",
        ("new entry",),
        rf"^new entry (?P<ip>{IPV4}) from {FROM_TOKEN} to {TO_TOKEN}, helo (?P<helo>\S*)$",
        '"new %sentry %s from %s to %s, helo %s" ("", ip, from, to, helo)',
        (
            _s(
                HDR,
                "new entry 198.51.100.23 from <a@example.net> to <bob@example.org>, helo "
                "mail.example.net",
                event="new-entry",
                entry_type="grey",
                ip="198.51.100.23",
                from_token="<a@example.net>",
                mail_from="a@example.net",
                to_token="<bob@example.org>",
                rcpt_to="bob@example.org",
                helo="mail.example.net",
            ),
            _s(
                HDR,
                "new entry 198.51.100.23 from <> to <bob@example.org>,, helo [198.51.100.23]",
                mail_from="",
                to_token="<bob@example.org>,",
                rcpt_to=None,
                helo="[198.51.100.23]",
            ),
        ),
        _ev("new-entry", entry_type="grey"),
    ),
    Pattern(
        "new_greytrap_entry",
        ("new greytrap",),
        rf"^new greytrap entry (?P<ip>{IPV4}) from {FROM_TOKEN} to {TO_TOKEN}, helo (?P<helo>\S*)$",
        '"new %sentry %s from %s to %s, helo %s" ("greytrap ", ip, from, to, helo)',
        (
            _s(
                HDR,
                "new greytrap entry 198.51.100.99 from <x@example.net> to <trap@example.org>, "
                "helo localhost",
                event="new-entry",
                entry_type="greytrap",
                ip="198.51.100.99",
                mail_from="x@example.net",
                rcpt_to="trap@example.org",
                helo="localhost",
            ),
        ),
        _ev("new-entry", entry_type="greytrap"),
    ),
    Pattern(
        "trapping",
        ("Trapping",),
        rf"^Trapping (?P<ip>{IPV4}) for tuple {TUPLE}$",
        '"Trapping %s for tuple %s" (ip, key "ip\\nhelo\\nfrom\\nto")',
        (
            _s(
                HDR,
                "Trapping 198.51.100.23 for tuple 198.51.100.23 mail.example.net <a@example.net> "
                "<trap@example.org>",
                event="trapped",
                trap_reason="spamtrap",
                ip="198.51.100.23",
                tuple_key="198.51.100.23 mail.example.net <a@example.net> <trap@example.org>",
                helo="mail.example.net",
                from_token="<a@example.net>",
                mail_from="a@example.net",
                to_token="<trap@example.org>",
                rcpt_to="trap@example.org",
            ),
            _s(
                HDR,
                "Trapping 198.51.100.23 for tuple 198.51.100.23  <a@example.net> <trap@example.org>",
                helo="",
                mail_from="a@example.net",
                rcpt_to="trap@example.org",
            ),
        ),
        _ev("trapped", trap_reason="spamtrap"),
    ),
    Pattern(
        "trapping_012",
        ("Trapping",),
        rf"^Trapping (?P<ip>{IPV4}) for tuple {TUPLE_012}$",
        '"Trapping %s for tuple %s" (ip, key "ip\\nhelo\\nfrom\\nto") through a relay that writes '
        "'\\n' as #012 (rsyslog)",
        (
            _s(
                HDR,
                "Trapping 198.51.100.23 for tuple 198.51.100.23#012mail.example.net#012<>#012"
                "<trap@example.org>",
                event="trapped",
                trap_reason="spamtrap",
                tuple_key="198.51.100.23#012mail.example.net#012<>#012<trap@example.org>",
                helo="mail.example.net",
                mail_from="",
                rcpt_to="trap@example.org",
            ),
            _s(
                HDR,
                "Trapping 198.51.100.23 for tuple 198.51.100.23#012#012<a@example.net>#012<trap@example.org>",
                helo="",
                mail_from="a@example.net",
                rcpt_to="trap@example.org",
            ),
        ),
        _ev("trapped", trap_reason="spamtrap"),
    ),
    Pattern(
        "trapping_low_prio_mx",
        ("Trapping",),
        rf"^Trapping (?P<ip>{IPV4}) for trying (?P<low_prio_mx>\S+) first for tuple {TUPLE}$",
        '"Trapping %s for trying %s first for tuple %s" (ip, low_prio_mx_ip (-M), key)',
        (
            _s(
                HDR,
                "Trapping 198.51.100.31 for trying 192.0.2.26 first for tuple 198.51.100.31 "
                "bulk.example.net <promo@example.net> <bob@example.org>",
                event="trapped",
                trap_reason="low-prio-mx",
                ip="198.51.100.31",
                low_prio_mx="192.0.2.26",
                helo="bulk.example.net",
                mail_from="promo@example.net",
                rcpt_to="bob@example.org",
            ),
        ),
        _ev("trapped", trap_reason="low-prio-mx"),
    ),
    Pattern(
        "trapping_low_prio_mx_012",
        ("Trapping",),
        rf"^Trapping (?P<ip>{IPV4}) for trying (?P<low_prio_mx>\S+) first for tuple {TUPLE_012}$",
        '"Trapping %s for trying %s first for tuple %s" (ip, low_prio_mx_ip (-M), key) through a '
        "relay that writes '\\n' as #012 (rsyslog)",
        (
            _s(
                HDR,
                "Trapping 198.51.100.31 for trying 192.0.2.26 first for tuple 198.51.100.31#012"
                "bulk.example.net#012<promo@example.net>#012<bob@example.org>",
                event="trapped",
                trap_reason="low-prio-mx",
                low_prio_mx="192.0.2.26",
                helo="bulk.example.net",
                mail_from="promo@example.net",
                rcpt_to="bob@example.org",
            ),
        ),
        _ev("trapped", trap_reason="low-prio-mx"),
    ),
    Pattern(
        "whitelisting",
        ("whitelisting",),
        rf"^whitelisting (?P<ip>{IPV4}) in (?P<path>\S+)$",
        '"whitelisting %s in %s" (ip, dbname)',
        (
            _s(
                GREY_HDR,
                "whitelisting 198.51.100.24 in /var/db/spamd",
                event="whitelisted",
                ip="198.51.100.24",
                path="/var/db/spamd",
            ),
        ),
        _ev("whitelisted"),
    ),
    Pattern(
        "unwhitelisted",
        (" blacklisted,",),
        rf"^(?P<ip>{IPV4}) blacklisted, removing from whitelist$",
        '"%s blacklisted, removing from whitelist" (addr; in grey.c 1.67, not in 1.63)',
        (
            _s(
                GREY_HDR,
                "203.0.113.7 blacklisted, removing from whitelist",
                event="unwhitelisted",
                ip="203.0.113.7",
            ),
        ),
        _ev("unwhitelisted"),
    ),
    Pattern(
        "sync_received",
        ("new TRAP", "new WHITE"),
        rf"^new (?P<entry_type>TRAP|WHITE) from (?P<sync_peer>{IPV4}) for (?P<ip>{IPV4}), "
        r"expires (?P<expires>[0-9]+)$",
        '"new %s from %s for %s, expires %s" (TRAP|WHITE, sync peer, ip, expiry epoch)',
        (
            _s(
                HDR,
                "new TRAP from 192.0.2.11 for 198.51.100.99, expires 1732528812",
                event="sync-received",
                entry_type="trap",
                sync_peer="192.0.2.11",
                ip="198.51.100.99",
                expires=dt.datetime(2024, 11, 25, 10, 0, 12, tzinfo=dt.timezone.utc),
            ),
            _s(
                HDR,
                "new WHITE from 192.0.2.12 for 203.0.113.40, expires 1735553212",
                entry_type="white",
                sync_peer="192.0.2.12",
                ip="203.0.113.40",
                expires=dt.datetime(2024, 12, 30, 10, 6, 52, tzinfo=dt.timezone.utc),
            ),
        ),
        _ev("sync-received"),
    ),
    Pattern(
        "sync_trap",
        ("sync_trap",),
        rf"^sync_trap (?P<ip>{IPV4})$",
        '"sync_trap %s" (ip; sent to the sync peers)',
        (
            _s(HDR, "sync_trap 198.51.100.99", event="sync-sent", entry_type="trap", ip="198.51.100.99"),
        ),
        _ev("sync-sent", entry_type="trap"),
    ),
    Pattern(
        "queueing",
        ("queueing",),
        rf"^queueing (?P<db_action>add|deletion) of (?P<db_key>(?P<ip>{IPV4})(?:{SEP}.*)?|.*)$",
        '"queueing %s of %s" ("add"|"deletion", db key; the key may contain \\n)',
        (
            _s(
                GREY_HDR,
                "queueing add of 198.51.100.24",
                event="queued",
                db_action="add",
                db_key="198.51.100.24",
                ip="198.51.100.24",
            ),
            _s(
                GREY_HDR,
                "queueing deletion of 198.51.100.23 mail.example.net <a@example.net> <bob@example.org>",
                db_action="deletion",
                db_key="198.51.100.23 mail.example.net <a@example.net> <bob@example.org>",
                ip="198.51.100.23",
            ),
        ),
        _ev("queued"),
    ),
    Pattern(
        "got_suffix",
        ("got",),
        r"^got suffix (?P<text>.*)$",
        '"got suffix %s" (LOG_ERR; each line of /etc/mail/spamd.alloweddomains)',
        (_s(HDR, "got suffix @example.org", event="suffix", text="@example.org"),),
        _ev("suffix"),
    ),
    Pattern(
        "scan_failed",
        ("scan",),
        r"^scan of (?P<path>\S+) failed$",
        '"scan of %s failed" (LOG_NOTICE, PATH_SPAMD_DB)',
        (_s(GREY_HDR, "scan of /var/db/spamd failed", event="scan-failed", path="/var/db/spamd"),),
        _ev("scan-failed"),
    ),
    Pattern(
        "pfctl_failed",
        (" returned status", " died on signal"),
        r"^(?P<path>/\S*) (?:returned status (?P<status>[0-9]+)|died on signal (?P<signal>[0-9]+))$",
        '"%s returned status %d" / "%s died on signal %d" (LOG_ERR, PATH_PFCTL)',
        (
            _s(
                GREY_HDR,
                "/sbin/pfctl returned status 1",
                event="pfctl-failed",
                path="/sbin/pfctl",
                status=1,
                signal=None,
            ),
            _s(GREY_HDR, "/sbin/pfctl died on signal 9", path="/sbin/pfctl", status=None, signal=9),
        ),
        _ev("pfctl-failed"),
    ),
    Pattern(
        "db_error",
        ("can't",),
        r"^(?P<text>can't (?P<db_action>add|delete) (?P<db_key>.*) (?:to|from) spamd db "
        r"\((?P<errmsg>[^()]*)\))$",
        '"can\'t add %s to spamd db (%m)" / "can\'t delete %s from spamd db (%m)" (LOG_ERR)',
        (
            _s(
                GREY_HDR,
                "can't add 198.51.100.24 to spamd db (No space left on device)",
                event="db-error",
                db_action="add",
                db_key="198.51.100.24",
                errmsg="No space left on device",
                text="can't add 198.51.100.24 to spamd db (No space left on device)",
            ),
            _s(
                GREY_HDR,
                "can't delete 198.51.100.23 mail.example.net <a@example.net> <bob@example.org> "
                "from spamd db (Inappropriate file type or format)",
                db_action="delete",
                db_key="198.51.100.23 mail.example.net <a@example.net> <bob@example.org>",
                errmsg="Inappropriate file type or format",
            ),
        ),
        _ev("db-error"),
    ),
)

# ============================================================================================
# Error / notice lines of spamd.c and grey.c (formats.md 2.1, 2.2), text = the whole message
# ============================================================================================

ERRORS = (
    Pattern(
        "error_errno",
        (
            "read_configline",
            "pipe",
            "socketpair",
            "fork",
            "fdopen",
            "dbopen",
            "unveil",
            "pledge",
            "greyreader",
            "configure_spamd",
            "failed",
            "create",
            "chown",
            "open",
        ),
        r"^(?P<text>(?:read_configline: fgetln|pipe|socketpair|fork|fdopen"
        r"|(?:dbopen|pipe|fork|fdopen|unveil|pledge|greyreader|configure_spamd: fflush) failed"
        r"|failed to drop privs|(?:create|chown|open of) (?P<path>\S+) failed)"
        r" \((?P<errmsg>[^()]*)\))$",
        '"read_configline: fgetln (%m)", "pipe (%m)", "socketpair (%m)", "fork (%m)", "fdopen (%m)" '
        '(spamd.c; the last four as `spamd:` without pid); "dbopen|pipe|fork|fdopen failed (%m)", '
        '"configure_spamd: fflush failed (%m)", "failed to drop privs (%m)", "create|chown %s failed '
        '(%m)", "open of %s failed (%m)", "unveil|pledge|greyreader failed (%m)" (grey.c)',
        (
            _s(
                NOPID,
                "fork (Resource temporarily unavailable)",
                event="error",
                text="fork (Resource temporarily unavailable)",
                errmsg="Resource temporarily unavailable",
                path=None,
            ),
            _s(
                GREY_HDR,
                "dbopen failed (Permission denied)",
                text="dbopen failed (Permission denied)",
                errmsg="Permission denied",
            ),
            _s(
                GREY_HDR,
                "open of /var/db/spamd failed (Permission denied)",
                path="/var/db/spamd",
                errmsg="Permission denied",
            ),
        ),
        _ev("error"),
    ),
    Pattern(
        "error_colon",
        ("setsockopt", "open", "blackcheck", "addwhiteaddr"),
        r"^(?P<text>(?:setsockopt|open /dev/pf|blackcheck: (?:recv|send)|addwhiteaddr: send): "
        r"(?P<errmsg>.*))$",
        '"setsockopt: %m" (LOG_DEBUG), "open /dev/pf: %m" (LOG_ERR), "blackcheck: recv|send: %m" '
        '(`spamd:` without pid), "addwhiteaddr: send: %m" (grey.c "%s: send: %m", __func__)',
        (
            _s(
                HDR,
                "open /dev/pf: Permission denied",
                event="error",
                text="open /dev/pf: Permission denied",
                errmsg="Permission denied",
            ),
            _s(
                NOPID,
                "blackcheck: recv: Connection reset by peer",
                text="blackcheck: recv: Connection reset by peer",
                errmsg="Connection reset by peer",
            ),
        ),
        _ev("error"),
    ),
    Pattern(
        "cant_exec",
        ("can't",),
        r"^(?P<text>can't exec (?P<path>[^ :]+):(?P<errmsg>.*))$",
        '"can\'t exec %s:%m" (LOG_ERR, PATH_PFCTL; no space after the colon)',
        (
            _s(
                GREY_HDR,
                "can't exec /sbin/pfctl:No such file or directory",
                event="error",
                path="/sbin/pfctl",
                errmsg="No such file or directory",
            ),
        ),
        _ev("error"),
    ),
    Pattern(
        "error_fixed",
        ("bogus", "malloc", "Unrecognized", "No", "cannot", "blackcheck", "line"),
        r"^(?P<text>bogus entry in spamd database|malloc failed \(queue change\)"
        r"|Unrecognized db change|No greylist pipe stream! ?|cannot chdir to /var/empty\."
        r"|blackcheck: invalid size -?[0-9]+|blackcheck: bad family [0-9]+"
        r"|line too long in (?P<path>\S+) - file ignored)$",
        '"bogus entry in spamd database", "malloc failed (queue change)", "Unrecognized db change", '
        '"No greylist pipe stream!\\n" (newline -> space), "line too long in %s - file ignored" '
        '(grey.c); "blackcheck: invalid size %zd", "blackcheck: bad family %d" (`spamd:`); '
        '"cannot chdir to /var/empty." (spamd.c 1.105, plain syslog())',
        (
            _s(
                GREY_HDR,
                "bogus entry in spamd database",
                event="error",
                text="bogus entry in spamd database",
                path=None,
            ),
            _s(NOPID, "No greylist pipe stream! ", text="No greylist pipe stream! "),
            _s(
                HDR,
                "line too long in /etc/mail/spamd.alloweddomains - file ignored",
                path="/etc/mail/spamd.alloweddomains",
            ),
        ),
        _ev("error"),
    ),
)

SPAMD_ROUTER = (
    r"^(?:(?:[0-9]{1,3}\.){3}[0-9]{1,3}|<unknown>|/\S*)?("
    r": connected|: disconnected|: Body:|:| blacklisted,| returned status| died on signal"
    r"|\((?:GREY|BLACK)\)|new [A-Za-z]+|[A-Za-z_']+)"
)

H = HDR + "203.0.113.7: "  # a blacklisted client's -v lines

SPAMD_NEGATIVES = (
    Negative(
        HDR + "(GREY) 198.51.100.23: <x@example.net> -> <evil@example.net> -> <bob@example.org>",
        "setlog() cuts tokens at the first blank: a MAIL token carrying ` -> <` cannot come from "
        "spamd, so the forged second arrow is not split into a fake recipient: unparsed",
        None,
    ),
    Negative(
        HDR + "(GREY) 198.51.100.23: <x@example.net>-><evil@example.net> -> <bob@example.org>",
        "without blanks the arrow stays inside the raw MAIL token, and mail_from stays NULL",
        {
            "event": "grey",
            "from_token": "<x@example.net>-><evil@example.net>",
            "mail_from": None,
            "rcpt_to": "bob@example.org",
        },
    ),
    Negative(
        H + "Subject: disconnected after 5 seconds. lists: spews1",
        "a Subject faking a disconnect stays a header row: the route is decided by `<addr>: "
        "Subject:` before the attacker's text",
        {
            "event": "header",
            "untrusted": "yes",
            "header_value": "disconnected after 5 seconds. lists: spews1",
            "tarpit_s": None,
            "lists": None,
        },
    ),
    Negative(
        H + "Subject: x\tspamd[2922]: 192.0.2.1: connected (1/1), lists: uatraps",
        "a Subject carrying a whole fake syslog message (TAB passes through vis) stays in "
        "header_value; ip is the real client",
        {
            "event": "header",
            "ip": "203.0.113.7",
            "header_value": "x\tspamd[2922]: 192.0.2.1: connected (1/1), lists: uatraps",
            "clients": None,
        },
    ),
    Negative(
        H + "Body: (BLACK) 192.0.2.1: <a@example.net> -> <b@example.org>",
        "a body line imitating a tuple line is a body row",
        {"event": "body", "untrusted": "yes", "ip": "203.0.113.7", "from_token": None},
    ),
    Negative(
        H + "Body: 192.0.2.1: Subject: hi",
        "a body line imitating a header line (with another address) is a body row of the real client",
        {"event": "body", "ip": "203.0.113.7", "header_name": None, "body_text": "192.0.2.1: Subject: hi"},
    ),
    Negative(
        H + "X-Subject: free",
        "only From:/To:/Subject: are logged by spamd; any other header text is not a spamd line",
        None,
    ),
    Negative(
        HDR + "Trapping 198.51.100.23 for tuple 198.51.100.23 evil helo <a@example.net> <trap@example.org>",
        "gethelo() cuts the HELO at the first blank: a tuple with a 5th word is forged: unparsed",
        None,
    ),
    Negative(
        HDR + "new entry 198.51.100.23 from <a@example.net> to <b@example.org>, helo x, helo y",
        "a HELO with blanks (faking a second `, helo`) cannot come from grey.c: unparsed",
        None,
    ),
    Negative(
        HDR + "new entry 198.51.100.23 from <a@example.net>,to to <b@example.org>, helo x",
        "blank-free tokens keep their place: `,to` stays in the MAIL token",
        {
            "from_token": "<a@example.net>,to",
            "mail_from": None,
            "rcpt_to": "b@example.org",
            "helo": "x",
        },
    ),
    Negative(
        HDR + "198.51.100.23: connected (1/1), lists: spews1 ... ... .",
        "truncation markers are not list names",
        {"lists": ["spews1"], "lists_text": "spews1 ... ... ."},
    ),
    Negative(
        HDR + "2001:db8::1: connected (1/0)",
        "spamd is IPv4 only (errx for other families): not a spamd line",
        None,
    ),
)

SPAMD = Parser(
    name="spamd",
    table="spamd_events",
    description=(
        "OpenBSD spamd: tarpit/greylist connections with the blacklists they matched, -v "
        "envelope tuples and (attacker-written, untrusted) DATA headers and body lines, and the "
        "greylister's debug lines (new entries, traps, whitelisting, sync) and errors "
        "(formats.md sections 2.1, 2.2)"
    ),
    programs=("spamd",),
    version="1",
    router=SPAMD_ROUTER,
    fields=SPAMD_FIELDS,
    patterns=SPAMD_C + GREY_C + ERRORS,
    negatives=SPAMD_NEGATIVES,
)

# ============================================================================================
# spamlogd.c (formats.md 2.3)
# ============================================================================================

SPAMLOGD_FIELDS = (
    Field(
        "event",
        "normalized event: connection (`inbound %s` / `outbound %s`: pf logged a passed SMTP SYN "
        "and spamlogd adds or refreshes the host's WHITE spamdb entry), bad-header (pflog header "
        "length warnings, packet dropped), listening (startup), exiting, error",
    ),
    Field(
        "ip",
        "connection: the remote host (source of an inbound SYN, destination of an outbound one)",
        "ip",
    ),
    Field(
        "direction",
        "connection: in | out; listening: in (-I, inbound only) | both",
    ),
    Field(
        "hdr_len",
        "bad-header: pflog header length (hdr->length for `invalid`, its BPF_WORDALIGN for "
        "`larger than caplen`)",
        "int",
    ),
    Field("min_hdr_len", "bad-header: MIN_PFLOG_HDRLEN (45) the length was below", "int"),
    Field("caplen", "bad-header: captured length the header did not fit in", "int"),
    Field("pflog_if", "listening: the pflog interface read (-l, default pflog0)"),
    Field("interface", "listening: the -i interface filtered on; NULL for `all interfaces.`"),
    Field("path", "error: the spamd db that could not be opened"),
    Field("text", "error/exiting lines: the whole message"),
    Field("errmsg", "error: the strerror(3) / pcap error text"),
)

LOGD_ERRORS = (
    Pattern(
        "init_failed",
        ("Failed to initialize", "BIOCLOCK"),
        r"^(?P<text>(?:Failed to initialize|BIOCLOCK): (?P<errmsg>.*))$",
        '"Failed to initialize: %s" (pcap errbuf), "BIOCLOCK: %s" (strerror) (LOG_ERR, `spamlogd:`)',
        (
            _s(
                LOGD_NOPID,
                "Failed to initialize: pflog1: No such device",
                event="error",
                text="Failed to initialize: pflog1: No such device",
                errmsg="pflog1: No such device",
            ),
            _s(LOGD_NOPID, "BIOCLOCK: Operation not permitted", errmsg="Operation not permitted"),
        ),
        _ev("error"),
    ),
    Pattern(
        "db_open_failed",
        ("Can not open db",),
        r"^(?P<text>Can not open db (?P<path>\S+): (?P<errmsg>.*))$",
        '"Can not open db %s: %s" (LOG_ERR; dbname, strerror)',
        (
            _s(
                LOGD,
                "Can not open db /var/db/spamd: Resource temporarily unavailable",
                event="error",
                path="/var/db/spamd",
                errmsg="Resource temporarily unavailable",
            ),
        ),
        _ev("error"),
    ),
    Pattern(
        "db_failed",
        ("db->get", "db->put"),
        r"^(?P<text>db->(?:get|put) failed \((?P<errmsg>[^()]*)\))$",
        '"db->get failed (%m)" / "db->put failed (%m)" (LOG_NOTICE)',
        (
            _s(
                LOGD,
                "db->put failed (No space left on device)",
                event="error",
                text="db->put failed (No space left on device)",
                errmsg="No space left on device",
            ),
        ),
        _ev("error"),
    ),
    Pattern(
        "error_fixed",
        ("Invalid",),
        r"^(?P<text>Invalid datalink type|Invalid IP address \S*)$",
        '"Invalid datalink type" (LOG_ERR, `spamlogd:`), "Invalid IP address %s" (LOG_NOTICE)',
        (
            _s(LOGD_NOPID, "Invalid datalink type", event="error", text="Invalid datalink type"),
            _s(LOGD, "Invalid IP address 203.0.113.", text="Invalid IP address 203.0.113."),
        ),
        _ev("error"),
    ),
    Pattern(
        "exiting",
        ("exiting",),
        r"^exiting$",
        '"exiting" (LOG_NOTICE, after pcap_loop() returns)',
        (_s(LOGD, "exiting", event="exiting"),),
        _ev("exiting"),
    ),
    Pattern(
        "pcap_error",
        ("",),
        r"^(?P<text>.+)$",
        '"%s" (LOG_ERR, pcap_geterr() after pcap_compile()/pcap_setfilter(), `spamlogd:`): any '
        "message that starts with none of the fixed spamlogd texts",
        (
            _s(
                LOGD_NOPID,
                "syntax error in filter expression",
                event="error",
                text="syntax error in filter expression",
            ),
        ),
        _ev("error"),
    ),
)

SPAMLOGD_PATTERNS = (
    Pattern(
        "connection",
        ("inbound", "outbound"),
        rf"^(?P<direction>in|out)bound (?P<ip>{IPV4})$",
        '"inbound %s" / "outbound %s" (LOG_DEBUG; outbound suppressed with -I)',
        (
            _s(LOGD, "outbound 203.0.113.40", event="connection", direction="out", ip="203.0.113.40"),
            _s(LOGD, "inbound 198.51.100.24", event="connection", direction="in", ip="198.51.100.24"),
        ),
        _ev("connection"),
    ),
    Pattern(
        "bad_header_length",
        ("invalid pflog header",),
        r"^invalid pflog header length \((?P<hdr_len>[0-9]+)/(?P<min_hdr_len>[0-9]+)\)\. packet dropped\.$",
        '"invalid pflog header length (%u/%u). packet dropped." (LOG_WARNING; hdr->length, MIN_PFLOG_HDRLEN)',
        (
            _s(
                LOGD,
                "invalid pflog header length (40/45). packet dropped.",
                event="bad-header",
                hdr_len=40,
                min_hdr_len=45,
                caplen=None,
            ),
        ),
        _ev("bad-header"),
    ),
    Pattern(
        "header_larger_than_caplen",
        ("pflog header larger",),
        r"^pflog header larger than caplen \((?P<hdr_len>[0-9]+)/(?P<caplen>[0-9]+)\)\. packet dropped\.$",
        '"pflog header larger than caplen (%u/%u). packet dropped." (LOG_WARNING; hdrlen, caplen)',
        (
            _s(
                LOGD,
                "pflog header larger than caplen (64/48). packet dropped.",
                event="bad-header",
                hdr_len=64,
                caplen=48,
                min_hdr_len=None,
            ),
        ),
        _ev("bad-header"),
    ),
    Pattern(
        "listening",
        ("Listening on",),
        r"^Listening on (?P<pflog_if>\S+) for (?:all interfaces\.|(?P<interface>\S+)) ?$",
        '"Listening on %s for %s %s" (LOG_DEBUG, `spamlogd:`; pflogif, "all interfaces." | ifname, '
        '"" -> trailing space, accepted without it when a relay strips it)',
        (
            _s(
                LOGD_NOPID,
                "Listening on pflog0 for all interfaces. ",
                event="listening",
                pflog_if="pflog0",
                interface=None,
                direction="both",
            ),
            _s(LOGD_NOPID, "Listening on pflog1 for em0 ", pflog_if="pflog1", interface="em0"),
        ),
        _ev("listening", direction="both"),
    ),
    Pattern(
        "listening_inbound",
        ("Listening on",),
        r"^Listening on (?P<pflog_if>\S+) for (?:all interfaces\.|(?P<interface>\S+)) "
        r"Inbound direction only\.$",
        '"Listening on %s for %s %s" (-I: "Inbound direction only.")',
        (
            _s(
                LOGD_NOPID,
                "Listening on pflog0 for all interfaces. Inbound direction only.",
                event="listening",
                pflog_if="pflog0",
                interface=None,
                direction="in",
            ),
            _s(
                LOGD_NOPID,
                "Listening on pflog0 for em1 Inbound direction only.",
                interface="em1",
                direction="in",
            ),
        ),
        _ev("listening", direction="in"),
    ),
) + LOGD_ERRORS

SPAMLOGD_ROUTER = (
    r"^(inbound|outbound|invalid pflog header|pflog header larger|Listening on"
    r"|Failed to initialize|BIOCLOCK|Can not open db|db->get|db->put|Invalid|exiting|)"
)

SPAMLOGD_NEGATIVES = (
    Negative(
        LOGD + "outbound 2001:db8::25",
        "spamlogd's BPF filter is `ip and ...` (IPv4 only): an IPv6 connection line is not spamlogd's",
        None,
    ),
    Negative(
        LOGD + "inbound 198.51.100.24 extra",
        "a connection line with trailing text is malformed; it must not be swallowed by the pcap catch-all",
        None,
    ),
    Negative(
        LOGD_NOPID + "Listening on pflog0 for all interfaces.",
        "spamlogd always writes the trailing blank (`%s ` with \"\"), but a relay may strip it: "
        "still the listening line",
        {"event": "listening", "direction": "both", "interface": None},
    ),
    Negative(
        LOGD_NOPID + "Listening on pflog0 for em0 em1 ",
        "-i names one interface: a second word is not spamlogd's",
        None,
    ),
)

SPAMLOGD = Parser(
    name="spamlogd",
    table="spamlogd_events",
    description=(
        "OpenBSD spamlogd: passed SMTP connections seen on pflog (inbound/outbound) that "
        "refresh spamd's whitelist, pflog header warnings, startup and errors (formats.md 2.3)"
    ),
    programs=("spamlogd",),
    version="1",
    router=SPAMLOGD_ROUTER,
    fields=SPAMLOGD_FIELDS,
    patterns=SPAMLOGD_PATTERNS,
    negatives=SPAMLOGD_NEGATIVES,
)
