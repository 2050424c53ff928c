"""The schema reference, made from the declarations (parsers) and the core tables."""

from __future__ import annotations

from parsers import REGISTRY
from parsers.base import COMMON_COLUMNS, Parser

CORE_TABLES = {
    "files": (
        "one row per input content stream (a file and its rotated/compressed copies)",
        {
            "file_id": "id referenced by every event row",
            "path": "path the content was first read from (every path: file_paths)",
            "host": "--host, else the most frequent syslog HOSTNAME of its first lines",
            "kind": "syslog | pcap | pcapng | spamdb | binary | text (detected from content)",
            "compression": "gzip | bzip2 | xz, or NULL",
            "fingerprint": "sha256 of the first fp_len content bytes: the stream's identity",
            "fp_len": "bytes covered by the fingerprint (up to 4096)",
            "size": "bytes on disk at the last read",
            "mtime": "modification time at the last read",
            "bytes_consumed": "content bytes read so far (whole lines only)",
            "lines_read": "lines read; always lines_parsed + lines_unparsed",
            "lines_parsed": "lines some pattern claimed",
            "lines_unparsed": "lines in `unparsed`",
            "rows": "event rows written (a repeated line counts once per repeat)",
            "first_ts": "earliest line time, UTC",
            "last_ts": "latest line time, UTC",
            "parser_versions": "JSON {parser: version} of the parsers that made its rows",
            "status": "reading | complete | skipped",
            "message": "why a file was skipped",
            "tz": "time zone its BSD timestamps were read in",
            "frame_state": "JSON carried between runs: year, last month, last line per host",
            "created_at": "when mxlog first saw it",
            "updated_at": "last time rows were added",
        },
    ),
    "file_paths": (
        "every path a content stream was seen under",
        {"file_id": "files.file_id", "path": "a path", "seen_at": "first seen at this path"},
    ),
    "unparsed": (
        "every line read that no pattern claimed, with the reason",
        {
            "file_id": "files.file_id",
            "line_no": "1-based line number",
            "ts": "line time, UTC (NULL without a syslog header)",
            "host": "syslog HOSTNAME",
            "program": "syslog ident without [pid]",
            "raw": "the line as read; bytes that are not UTF-8 as \\xNN",
            "raw_bytes": "the original bytes, only for lines that are not UTF-8",
            "reason": "no-syslog-header | other-program | no-pattern-matched | repeat-without-previous",
        },
    ),
}


PROVENANCE = {"file_id": "files.file_id of its first line", "first_line_no": "line_no of its first line",
              "line_no": "line_no of the line it comes from"}

DERIVED_VIEWS = {
    "smtp_sessions": (
        "view: one row per smtp session (a client connection to smtpd) per host, every log-format family",
        {
            "host": "host", "session": "smtpd session id", "family": "log-format family (smtpd_events.family)",
            "connected_ts": "smtp connected", "disconnected_ts": "smtp disconnected (any reason)",
            "client_ip": "client address (NULL for local enqueue)", "client_rdns": "client PTR name or <unknown>",
            "local_enqueue": "true for `address=local` (sendmail/local delivery)",
            "tls_version": "TLS version, when the session started TLS", "tls_cipher": "TLS cipher",
            "auth_user": "user of a successful AUTH", "auth_failures": "AUTH attempts that did not succeed",
            "messages": "messages accepted in the session", "failed_commands": "failed-command lines",
            "disconnect_reason": "quit | timeout | disconnect | io-error | ...",
        } | PROVENANCE,
    ),
    "smtp_messages": (
        "view: one row per message accepted by smtpd (`smtp message`), with its session's client",
        {
            "host": "host", "msgid": "smtpd msgid (8 hex digits)", "session": "smtp session id",
            "accepted_ts": "when smtpd accepted it", "size": "bytes", "nrcpt": "recipients",
            "proto": "SMTP | ESMTP", "family": "log-format family", "client_ip": "the session's client",
            "local_enqueue": "the session was a local enqueue", "auth_user": "the session's authenticated user",
        } | PROVENANCE,
    ),
    "smtp_envelopes": (
        "view: one row per accepted recipient (family E `smtp envelope`; A-D one `smtp message` line per recipient)",
        {
            "host": "host", "session": "smtp session id", "msgid": "smtpd msgid", "evpid": "envelope id (E only)",
            "mail_from": "envelope sender ('' for <>)", "rcpt_to": "recipient", "accepted_ts": "when it was accepted",
            "family": "log-format family",
        } | PROVENANCE,
    ),
    "deliveries": (
        "view: one row per delivery attempt, relay (mta) or local (mda), every log-format family",
        {
            "host": "host", "agent": "mta (relay) | mda (local delivery)", "evpid": "envelope id",
            "msgid": "smtpd msgid of the message (evpid >> 32)", "mail_from": "envelope sender",
            "rcpt_to": "destination", "original_rcpt": "original recipient before aliasing, if logged",
            "result": "Ok | TempFail | PermFail", "stat": "the reply or local status",
            "delay_s": "seconds since the message was queued", "ts": "when the attempt ended",
            "reply_msgid": "msgid named by the peer smtpd's DATA reply (proxy loop or primary MX)",
            "relay": "relay as logged", "source": "source address as logged", "local_user": "mda user",
            "method": "mda method (C/A-B)", "family": "log-format family",
        } | PROVENANCE,
    ),
    "spamd_connections": (
        "view: one row per connection to spamd (greylisted or tarpitted): connect paired with its disconnect",
        {
            "host": "host", "ip": "client address", "connected_ts": "spamd `connected`",
            "disconnected_ts": "spamd `disconnected after N seconds`", "tarpit_s": "N: seconds spamd held it",
            "lists": "blacklists the address was on", "disposition": "black (on a list: tarpitted) | grey",
            "greytrapped": "on the spamd-greytrap list",
        } | PROVENANCE,
    ),
    "greylist_tuples": (
        "view: one row per greylisted (host, ip, sender, recipient) tuple from spamd -v `(GREY)` lines",
        {
            "host": "host", "ip": "client address", "helo": "HELO from grey.c `new entry` (debug level)",
            "from_token": "MAIL FROM token as sent", "to_token": "RCPT TO token as sent",
            "mail_from": "sender without <>", "rcpt_to": "recipient without <>",
            "first_seen_ts": "first (GREY) line", "last_seen_ts": "last (GREY) line",
            "attempts": "(GREY) lines: connections that tried this tuple",
            "whitelisted_ts": "first grey.c `whitelisting` of the address on that host after first_seen_ts",
        } | PROVENANCE,
    ),
    "journeys": (
        "table (mxlog.journeys.build, after each ingest): one row per message per recipient, end to end across "
        "hosts, including attempts that never reached smtpd (greylisted, tarpitted, trapped, rejected)",
        {
            "journey_id": "stable id: host:msgid:recipient of the first accepting smtpd, or host:spamd:ip:epoch:recipient",
            "direction": "inbound (from the Internet) | outbound (authenticated submission relayed out) | local",
            "via_backup": "accepted first by a backup MX and relayed to the primary",
            "first_host": "first host that saw the attempt (spamd or smtpd)",
            "final_host": "host of the last hop (the delivering host)",
            "client_ip": "the sending client's address ('local' for a local enqueue)",
            "helo": "HELO/EHLO name where spamd logged it (grey.c `new entry` and `Trapping`, debug level)", "auth_user": "authenticated submitter",
            "mail_from": "envelope sender ('' for <>)", "rcpt_to": "recipient as the client gave it",
            "message_id": "Message-ID header, where spampd, dkimproxy or Dovecot logged it",
            "msgids": "every smtpd msgid of the journey in order, on every host",
            "size": "bytes as first accepted",
            "greylisted": "spamd greylisted this (ip, sender, recipient) before acceptance",
            "grey_attempts": "spamd (GREY) lines for the tuple",
            "grey_first_ts": "first spamd (GREY) line for the client IP, sender and recipient",
            "grey_passed_ts": "spamd `whitelisting` of the IP (debug level), else the first connection that bypassed spamd",
            "greylist_delay_s": "grey_passed_ts - grey_first_ts",
            "blacklists": "spamd lists the client IP was on", "spam_verdict": "spampd: spam | clean",
            "spam_score": "SpamAssassin score", "first_seen_ts": "start of the first hop",
            "accepted_ts": "first `smtp message` of the journey",
            "delivered_ts": "mda delivery Ok (inbound, local) or the remote mta delivery Ok (outbound)",
            "final_status": "delivered | bounced | deferred | expired | removed (by the admin) | greylisted | tarpitted | trapped | rejected | in_flight",
            "final_result": "result of the last delivery attempt (Ok, TempFail, PermFail, ...)",
            "final_stat": "stat/reply text of the last delivery attempt", "relay": "relay of the last mta attempt",
            "total_latency_s": "delivered_ts - first_seen_ts", "n_hops": "rows in hops",
            "weakest_link": "the least certain link of its hops: id kinds < time-window < ambiguous < unlinked",
        },
    ),
    "hops": (
        "table: one row per stage of a journey: pf, spamd, smtpd_in, spampd, dkimproxy, smtpd_reinject, "
        "backup_queue, lmtp, mta_out (boundaries in docs/journeys.md)",
        {
            "journey_id": "journeys.journey_id", "seq": "1.. in path order", "stage": "stage name",
            "host": "host of the stage", "ts_start": "start (see the stage boundaries)", "ts_end": "end",
            "duration_s": "ts_end - ts_start", "msgid": "smtpd msgid (smtpd stages, the queue hops)",
            "evpid": "envelope id where one was logged", "result": "the stage's outcome",
            "link": "how the hop was joined to the previous one: origin, session, evpid, reply-msgid, "
                    "message-id, tuple, time-window, ambiguous, unlinked",
            "lines": "(file_id, line_no) of the raw lines that make the hop",
        },
    ),
    "journey_builds": (
        "table: one row per journeys build (full or incremental)",
        {
            "build_id": "1..", "started_at": "when", "seconds": "wall time", "mode": "full | incremental",
            "since_ts": "journeys starting before this were kept (incremental)",
            "watermark": "latest event time the build saw (the next incremental build starts from it)",
            "max_file_id": "newest file the build saw: an older file ingested later widens the next build", "journeys": "journeys (re)built",
            "hops": "hops (re)built", "ambiguous": "links with several equally good candidates, resolved by rule",
            "unlinked": "hops whose source line was not found",
        },
    ),
    "proxy_ports": (
        "table: which local relay port is which content filter, from `mxlog ingest --smtpd-conf` "
        "(ports not listed: 10025/10026 spampd, 10027/10028 dkimproxy, else `filter`)",
        {"port": "TCP port smtpd relays to on loopback", "stage": "spampd | dkimproxy | clamsmtp | filter",
         "source": "the smtpd.conf it was read from"},
    ),
    "correlation_completeness": (
        "view: per host and stage, how many hops were linked by id, by time window, or not at all",
        {
            "host": "host", "stage": "stage", "hops": "hops", "by_id": "linked by an id",
            "by_time": "linked by a time window", "unlinked": "stage known to exist, its line not found",
            "ambiguous": "several candidates, resolved by rule", "pct_by_id": "percent by id",
            "pct_by_time": "percent by time window",
        },
    ),
    "message_links": (
        "view: a relay whose peer named its own msgid in the DATA reply, linked to that next message",
        {
            "from_host": "host that relayed", "from_msgid": "relayed message", "from_evpid": "relayed envelope",
            "to_host": "host that accepted the next message", "to_msgid": "the next message",
            "relayed_ts": "the relay's delivery line", "to_accepted_ts": "when the next message was accepted",
            "link": "reply-msgid",
        } | PROVENANCE,
    ),
    "greylist_outcomes": (
        "view (0014): one row per greylisted tuple per host, and for host = 'all' (the union over hosts: spamd "
        "syncs its greylist). A tuple is an (ip, MAIL FROM, RCPT TO) from spamd -v `(GREY)` lines; a retry more "
        "than grey expiry (variable spamd_greyexp_s, default 4 h) after the previous attempt starts a new one; attempts "
        "of a connection that got the address trapped (grey.c `Trapping` within 10 min) are not tuples",
        {
            "host": "host, or 'all'", "ip": "client address", "from_token": "MAIL FROM token as sent (attacker text)",
            "to_token": "RCPT TO token as sent (attacker text)", "mail_from": "sender without <>",
            "rcpt_to": "recipient without <>", "first_seen_ts": "first (GREY) attempt",
            "last_seen_ts": "last (GREY) attempt", "attempts": "(GREY) attempts",
            "passing_ts": "first attempt more than passtime (variable spamd_passtime_s, default 120 s, the seed's "
                          "-G 2:4:864) after the first: the retry that passes",
            "whitelisted_ts": "grey.c `whitelisting` of the ip at or after passing_ts (on that host; any host for 'all'): "
                              "the tuple passed",
            "delivered_ts": "first smtpd envelope with the same client ip, sender and recipient after the first "
                            "attempt, on any host",
        },
    ),
    "greylist_stats": (
        "view (0014): greylisting per host and UTC day (tuples by the day of their first attempt), plus host = 'all'",
        {
            "host": "host, or 'all' (the union over hosts)", "day": "UTC day",
            "grey_connections": "spamd connections from addresses on no blacklist (greylisted or trapped)",
            "black_connections": "spamd connections from blacklisted addresses (tarpitted)",
            "white_connections": "smtpd sessions from outside addresses without AUTH: whitelisted, straight to smtpd",
            "tuples": "greylisted tuples (greylist_outcomes)",
            "tuples_passed": "retried after passtime and then whitelisted",
            "tuples_never_retried": "exactly one attempt",
            "tuples_retried_before_passtime_only": "retried, but never after passtime",
            "tuples_never_passed": "tuples - tuples_passed: mail greylisting stopped (or not yet passed)",
            "tuples_delivered": "later accepted by smtpd from the same ip, sender and recipient",
            "whitelisted_ips": "distinct addresses grey.c whitelisted that day",
            "never_passed_pct": "100 * tuples_never_passed / tuples",
            "pass_delay_n": "passed tuples with a pass delay (passing_ts - first_seen_ts)",
            "pass_delay_min_s": "smallest pass delay, seconds",
            "pass_delay_p25_s": "nearest-rank 25th percentile of the pass delay",
            "pass_delay_p50_s": "nearest-rank median", "pass_delay_p75_s": "nearest-rank 75th percentile",
            "pass_delay_p90_s": "nearest-rank 90th percentile", "pass_delay_p95_s": "nearest-rank 95th percentile",
            "pass_delay_p98_s": "nearest-rank 98th percentile", "pass_delay_p99_s": "nearest-rank 99th percentile",
            "pass_delay_max_s": "largest pass delay",
        },
    ),
    "blacklist_stats": (
        "view (0014): tarpitted spamd connections per host (and 'all'), UTC day and blacklist; a connection on "
        "several lists counts for each",
        {
            "host": "host, or 'all'", "day": "UTC day of the connect", "list": "spamd.conf list tag (bgp-spamd, nixspam ...)",
            "connections": "connections from addresses on the list", "unique_ips": "distinct addresses",
            "tarpit_seconds": "seconds spamd held them (`disconnected after N seconds`)",
        },
    ),
    "hop_latency": (
        "view (0014): per host (and 'all'), UTC day and stage, nearest-rank percentiles of hops.duration_s; "
        "stage 'end_to_end' is journeys.total_latency_s by first_host and the day of first_seen_ts",
        {
            "host": "host, or 'all'", "day": "UTC day of the hop's start", "stage": "hops.stage, or end_to_end",
            "n": "hops with a duration", "p50_s": "nearest-rank median, seconds", "p90_s": "nearest-rank 90th percentile",
            "p99_s": "nearest-rank 99th percentile", "max_s": "largest",
        },
    ),
    "received_messages": (
        "view (0014): one row per message that entered the system (from outside, by submission or local enqueue); "
        "proxy re-injections from loopback are not counted again",
        {
            "host": "host", "msgid": "smtpd msgid", "accepted_ts": "when accepted", "size": "bytes",
            "nrcpt": "recipients", "client_ip": "client address", "local_enqueue": "local enqueue",
            "auth_user": "authenticated submitter", "mail_from": "envelope sender", "rcpts": "accepted recipients",
            "origin": "inbound | submission | local",
        },
    ),
    "traffic_daily": (
        "view (0014): pflogsumm's grand totals per host (and 'all') and UTC day",
        {
            "host": "host, or 'all'", "day": "UTC day", "received": "received_messages",
            "received_bytes": "their bytes", "delivered_local": "mda deliveries Ok (LMTP, mbox ...)",
            "relayed_out": "mta deliveries Ok to a non-loopback peer (remote MXs; backup MX to primary)",
            "deferred": "delivery attempts TempFail", "bounced": "delivery attempts PermFail",
            "rejected": "smtpd failed-command lines with a 4xx/5xx reply (rejected RCPT, AUTH ...)",
            "senders": "distinct envelope senders", "sender_domains": "distinct sender domains",
            "recipients": "distinct recipients", "recipient_domains": "distinct recipient domains",
        },
    ),
    "traffic_hourly": (
        "view (0014): per host and hour, mail in and out and spamd connections",
        {
            "host": "host", "hour": "hour (UTC)", "received": "received_messages",
            "delivered": "final deliveries Ok (mda, or mta to a non-loopback peer)", "deferred": "final TempFail",
            "bounced": "final PermFail", "spamd_grey": "spamd connections, greylisted", "spamd_black": "spamd connections, tarpitted",
        },
    ),
    "sender_stats": (
        "view (0014): per host, UTC day and envelope sender of received messages",
        {"host": "host", "day": "UTC day", "sender": "envelope sender ('' for <>; attacker text)",
         "domain": "its domain, lower case", "messages": "messages", "bytes": "their bytes"},
    ),
    "recipient_stats": (
        "view (0014): per host, UTC day and recipient of received messages (a message counts for each recipient)",
        {"host": "host", "day": "UTC day", "recipient": "recipient (attacker text)", "domain": "its domain",
         "messages": "messages", "bytes": "their bytes"},
    ),
    "delivery_problems": (
        "view (0014): deferrals and bounces per host, UTC day and reason (mail addresses, hex ids and IPv4 addresses masked)",
        {"host": "host", "day": "UTC day", "agent": "mta | mda", "result": "TempFail | PermFail",
         "reason": "the status text with mail addresses as <addr>, ids as <id>, IPv4 addresses as <ip> (remote text)", "attempts": "attempts",
         "envelopes": "distinct envelopes", "recipient_domains": "distinct recipient domains",
         "first_ts": "first attempt", "last_ts": "last attempt"},
    ),
    "remote_relays": (
        "view (0014): remote peers per host and UTC day: clients that connected to smtpd (in) and servers "
        "smtpd relayed to (out); loopback (the proxy loops) left out",
        {"host": "host", "day": "UTC day", "direction": "in | out", "address": "peer address",
         "name": "in: the client's PTR name; out: relay as logged", "sessions": "in: smtp sessions; out: envelopes",
         "messages": "in: messages accepted; out: delivery attempts", "ok": "out: attempts Ok",
         "tempfail": "out: attempts TempFail", "permfail": "out: attempts PermFail"},
    ),
    "dkim_stats": (
        "view (0014): dkimproxy results per host, UTC day, direction, result and signing domain",
        {"host": "host", "day": "UTC day", "direction": "out (signing) | in (verifying)",
         "result": "signed | skipped | pass | fail | ...", "signer_domain": "domain of the signer",
         "messages": "result lines", "errors": "lines with an error"},
    ),
    "dovecot_logins": (
        "view (0014): Dovecot logins per host, UTC day and service",
        {"host": "host", "day": "UTC day", "service": "imap | pop3 | submission | managesieve ...",
         "logins": "successful logins", "failed": "login-failed closures", "auth_failed": "passdb failures",
         "users": "distinct users logged in", "login_ips": "distinct addresses logged in from",
         "failed_ips": "distinct addresses that failed"},
    ),
    "login_failures": (
        "view (0014): failed logins per host, UTC day, service and source address (Dovecot, smtpd AUTH)",
        {"host": "host", "day": "UTC day", "service": "dovecot | smtpd", "ip": "source address",
         "failures": "failed attempts", "users": "distinct user names tried (attacker text)",
         "first_ts": "first failure", "last_ts": "last failure"},
    ),
    "backup_relays": (
        "view (0014): one row per envelope a backup MX queued and relayed to another of our hosts (the primary), "
        "found by the msgid the primary's DATA reply named (message_links across hosts)",
        {"host": "the backup MX", "primary_host": "the host that accepted the relay", "from_msgid": "msgid on the backup",
         "from_evpid": "envelope on the backup", "to_msgid": "msgid on the primary",
         "accepted_ts": "when the backup accepted the message", "relayed_ts": "the relay's delivery line (Ok)",
         "queued_s": "relayed_ts - accepted_ts: time in the backup's queue",
         "deferred_attempts": "TempFail attempts of the envelope on the backup before (or besides) the relay",
         "file_id": "files.file_id of the relay line", "line_no": "line_no of the relay line"},
    ),
    "backup_queue_stats": (
        "view (0014): per backup MX, primary and UTC day of the relay: what the backup queued during outages",
        {"host": "the backup MX", "primary_host": "the primary", "day": "UTC day of the relay",
         "envelopes": "envelopes relayed", "messages": "messages relayed", "deferred_attempts": "TempFail attempts",
         "first_accepted_ts": "earliest acceptance on the backup", "last_relayed_ts": "latest relay",
         "p50_queued_s": "nearest-rank median time in the queue", "p90_queued_s": "nearest-rank 90th percentile",
         "max_queued_s": "longest"},
    ),
    "spam_verdicts": (
        "view (0014): spampd verdicts per host and UTC day with SpamAssassin score summary",
        {"host": "host", "day": "UTC day", "verdict": "spam | clean", "messages": "messages scanned",
         "avg_score": "mean score", "p50_score": "nearest-rank median score", "min_score": "lowest score",
         "max_score": "highest score", "avg_scan_s": "mean scan time, seconds"},
    ),
}


def _quoted(name: str) -> str:
    return '"' + name + '"'


def create_table_sql(parser: Parser) -> str:
    """The CREATE TABLE statement for a parser's event table (used to write its migration;
    a test checks the migrated table has exactly these columns)."""
    cols = [f"    {name:<16} {sql}" for name, (sql, _) in COMMON_COLUMNS.items()]
    # quoted: field names such as `offset` or `user` are SQL keywords
    cols += [f"    {_quoted(f.name):<16} {f.sql_type}" for f in parser.fields]
    return f"CREATE TABLE {parser.table} (\n" + ",\n".join(cols) + "\n);\n"


def parser_columns(parser: Parser) -> list[tuple[str, str, str]]:
    cols = [(name, sql, desc) for name, (sql, desc) in COMMON_COLUMNS.items()]
    cols += [(f.name, f.sql_type, f.description) for f in parser.fields]
    return cols


def reference() -> list[dict]:
    """Every public table with its columns as migrated: [{table, description, columns:
    [(name, type, description)]}]. Types come from a scratch database built by the migrations."""
    from mxlog.store import connect, table_columns

    con = connect(":memory:")
    described = {t: (d, cols) for t, (d, cols) in CORE_TABLES.items()}
    for p in REGISTRY:
        described[p.table] = (p.description, {n: d for n, _, d in parser_columns(p)})
    described |= DERIVED_VIEWS
    from parsers import pflog

    described["pflog_packets"] = (
        "one row per packet of a pflog capture (pcap/pcapng, DLT_PFLOG): pfloghdr and IP/TCP/UDP/ICMP fields",
        {"file_id": "the capture (files.file_id)", "host": "--host of the ingest (captures name no host)"}
        | {n: d for n, (_, d) in pflog.COLUMNS.items()},
    )
    out = []
    for table, (desc, cols) in described.items():
        columns = [(name, typ, cols.get(name, "")) for name, typ in table_columns(con, table)]
        out.append({"table": table, "description": desc, "columns": columns})
    con.close()
    return out


def markdown() -> str:
    lines = []
    for t in reference():
        lines.append(f"### `{t['table']}`\n\n{t['description']}\n")
        lines.append("| column | type | description |\n|---|---|---|")
        for name, typ, desc in t["columns"]:
            desc = desc.replace("|", "\\|")
            lines.append(f"| `{name}` | {typ} | {desc} |")
        lines.append("")
    return "\n".join(lines)
