"""spampd (`spampd[PID]:`), the SpamAssassin SMTP/LMTP proxy — into one `spampd_events` table.

Reference: /work/shared/formats.md section 3 and section 8 item 12; re-read in `mpaperno/spampd`
(spampd.pl at HEAD b023c3b = v2.62, previous-versions/spampd-2.00 .. 2.40.pl) and Net::Server
(`rhandom/perl-net-server`, lib/Net/Server.pm, PreFork.pm at v2.009 and HEAD).

The per-message result line changed four times; one pattern per form, the pattern name says which:

  result_v261   2.61+  `... from <s> for R in 0.84s, 5120 bytes, with rules v1917487`  (no period)
  result_v220   2.20-2.60 `... from <s> for R in 3.07s, 11524 bytes.`
  result_v210   2.10-2.13 `... <id> (score/thr) for R in 3.00 seconds, 11524 bytes.`  (no `from`)
  result_v200   2.00   `clean message (0.0/5.0) in 1.0 seconds.`  (no id, no addresses, `%.1f`)

Other statements: `processing message`, `skipped large message (<Perl float>KB)` (2.00:
`Scanning skipped due to size (...KB)`), `rules hit for <id>: A,B,C`, the three `WARNING!!` lines,
the 2.61+ `SpamPD v... starting|reloading with: <args> ` line, `Loading config from file(s):`,
`CONFIG ERROR!`/`CONFIG WARNING!`, Net::Server's `Starting "N" children`, `Child Preforked (PID)`
and `CONNECT` lines (0.x `"ip:port"`, 2.x `"[ip]:port"`, UNIX sockets), then two catch-alls:
SpamAssassin logger lines `facility: text` (2.60+ routes SA's own messages to spampd's syslog tag)
and `other` (everything else: Net::Server start-up chatter, debug lines, Perl warnings).

Route keys (router group 1, after an optional Net::Server `YYYY/MM/DD-HH:MM:SS ` stamp):
`identified spam`, `clean message`, `processing message`, `skipped large message`,
`Scanning skipped`, `rules hit for`, `WARNING!!`, `SpamPD v`, `Loading config`, `CONFIG ERROR!`,
`CONFIG WARNING!`, `Starting "`, `Child Preforked`, `CONNECT`, and '' (the empty last alternative)
for everything else, which only the two catch-alls read. A keyed line that its patterns reject
(e.g. a result line cut at LOG_MAXLINE) is therefore a real miss, not an `other` row.

Facts the patterns honour (formats.md 3, checked in spampd.pl):
* Message-ID: 2.20+ removes comments, keeps the `<...>` content, replaces every byte outside
  0x21-0x7e and every stray `<`/`>` by `?` and re-brackets it; 2.10-2.13 keep the first
  whitespace-free token of the header as is. Either way it contains NO space, which is what makes
  the line parseable: `message_id` is `[^ ]*` between optional `<>`, `(unknown)` -> NULL.
* sender: the first `<...>` of the MAIL FROM argument (`<.*?>`): may contain spaces, `<`,
  ` for <` ... but never `>`; `<>` -> '' (null sender), `(unknown)` -> NULL.
* recipients: the raw RCPT TO arguments (ESMTP parameters included, so `,` `;` and spaces occur
  inside one argument) joined by `,` without a space — attacker text. They are followed by the
  fixed tail ` in %.2fs, %d bytes...`, so the tail is matched at the END of the line (greedy
  `.+` before it): recipients that contain a fake ` in 0.01s, 1 bytes.` stay in the recipients.
  The text is captured once into three nested groups: `recipients_raw` (as logged),
  `recipients` (rcpt_list converter: addresses without <>), `recipient_params` (rcpt_params: the
  ESMTP parameters of each argument, '' when none). The converters split before each `,<`, so an
  ORCPT value that itself contains `,<` (legal xtext) adds a phantom element: recipients_raw is
  the faithful copy.
* scores are `sprintf("%.2f")` (2.00: `%.1f`) and may be negative; seconds `%.2f`;
  `skipped large message` prints `$size / 1024` with Perl's number formatting (`250.1181640625`,
  `300`).
* the verdict words `identified spam` / `clean message` are captured in `result_text`; the
  Derived `verdict` takes `spam`/`clean` out of them (a regex group cannot rename text).
* 2.60+ with SpamAssassin >= 3.1 logs through Mail::SpamAssassin::Logger, which collapses runs of
  spaces and turns control characters into `_`: patterns accept one or two spaces where Net::Server
  writes two (`(peerhost)  Local:`) and optional trailing spaces (`... with: <args> `).
"""

from __future__ import annotations

from parsers.base import Derived, Field, Negative, Parser, Pattern, Sample

# --- building blocks (all in the RE2/Rust/Java/Python common subset) ------------------------

# $msgid: `<id>` (2.20+: no space, no inner <>), first header token (2.10-2.13), `(unknown)`.
MSGID = r"(?:\(unknown\)|<?(?P<message_id>[^ ]*?)>?)"
# $sender: first `<...>` of MAIL FROM (`<.*?>`, never contains `>`), or `(unknown)`
SENDER = r"(?:<(?P<sender>[^>]*)>|\(unknown\))"
# $recips: raw RCPT TO arguments joined by ',' (attacker text; anchored by what follows it)
RCPTS = r"(?P<recipients_raw>(?P<recipients>(?P<recipient_params>.+)))"
SCORES = r"\((?P<score>-?\d+\.\d+)/(?P<threshold>-?\d+\.\d+)\)"
VERDICT = r"(?P<result_text>identified spam|clean message)"
RULES_VERSION = r"(?:\(unknown\)|(?P<rules_version>[^ ]+))"
NS_TIME = r"(?P<server_time>\d{4}/\d\d/\d\d-\d\d:\d\d:\d\d)"  # Net::Server log_time()

HDR = "Nov 24 10:00:05 mx1 spampd[3141]: "
OLD_HDR = "Mar  3 09:00:01 mx1 spampd[811]: "  # lines of 2.1x / 2.00
NS_HDR = "Feb  9 13:18:42 mx1 spampd[8020]: "


def _s(header, msg, origin="derived", **fields):
    return Sample(header + msg, fields, origin)


FIELDS = (
    Field(
        "event",
        "normalized event: result (one per scanned message), processing, skipped (too large), "
        "rules-hit, sa-error, request-error, tempfile-error (the three `WARNING!!` lines), starting, "
        "reloading (2.61+ start-up/HUP line), config (`Loading config from file(s)`), config-error, "
        "config-warning, children-starting, child-preforked, connect (Net::Server), sa-log "
        "(SpamAssassin `facility: text`), other",
    ),
    Field(
        "result_text",
        "the verdict words as logged: `identified spam` | `clean message` (see verdict)",
    ),
    Field("verdict", "derived from result_text: spam | clean"),
    Field(
        "message_id",
        "Message-ID as logged by spampd without the <> (2.20+: bytes outside 0x21-0x7e and stray "
        "<> replaced by `?`; 2.10-2.13: the first token of the header); NULL for `(unknown)` and "
        "on 2.00 result lines (which carry no id). Attacker text.",
    ),
    Field("score", "SpamAssassin score (`%.2f`, 2.00 `%.1f`; may be negative)", "float"),
    Field("threshold", "required score (`%.2f`, 2.00 `%.1f`)", "float"),
    Field(
        "sender",
        "envelope sender: the first `<...>` of the MAIL FROM argument, without <>; '' for the "
        "null sender `<>`; NULL for `(unknown)` and before 2.20 (not logged). Attacker text, never "
        "contains `>`.",
    ),
    Field(
        "recipients_raw",
        "the RCPT TO arguments as logged: joined by `,` without space, each with its ESMTP "
        "parameters (`<bob@example.org> ORCPT=rfc822;bob@example.org`); `(unknown)` kept as logged. "
        "Attacker text; the faithful copy when recipients/recipient_params mis-split.",
    ),
    Field(
        "recipients",
        "recipient addresses without <> (recipients_raw split before each `,<`); NULL for `(unknown)`",
        "rcpt_list",
    ),
    Field(
        "recipient_params",
        "ESMTP parameters of each RCPT TO argument, in the order of recipients ('' when none); "
        "NULL for `(unknown)`",
        "rcpt_params",
    ),
    Field("seconds", "scan time in seconds (`%.2f`; integral before 2.20; 2.00 `%.1f`)", "float"),
    Field("bytes", "size of the spooled message in bytes", "int"),
    Field(
        "rules_version",
        "SpamAssassin rules update version (RULESVERSION, e.g. 1917487) of 2.61+ result and "
        "start-up lines; NULL when logged as `(unknown)`",
    ),
    Field(
        "size_kb",
        "skipped lines: message size / 1024 as Perl prints it (`250.1181640625`, `300`)",
        "float",
    ),
    Field("rules", "names of the SpamAssassin tests hit (`rules hit for`); NULL when none", "list_comma"),
    Field(
        "error",
        "text of the WARNING!! lines (Perl's $@ / $!; may contain attacker text), CONFIG ERROR!/"
        "WARNING! messages",
    ),
    Field("spampd_version", "start-up line: spampd version (2.62)"),
    Field("perl_version", "start-up line: Perl version (5.32.1)"),
    Field("net_server_type", "start-up line: Net::Server personality (PreFork, PreForkSimple)"),
    Field("net_server_version", "start-up line: Net::Server version (2.009)"),
    Field("sa_version", "start-up line: SpamAssassin version (3.004006)"),
    Field(
        "startup_args",
        "start-up line: the command line / config-file options, space-separated ('' when none)",
    ),
    Field(
        "text",
        "free text: config file list of `Loading config from file(s)`, the message of sa-log and "
        "other lines",
    ),
    Field("facility", "SpamAssassin logger facility of sa-log lines (`logger`, `config`, `plugin` ...)"),
    Field("children", "Net::Server `Starting \"N\" children`: N", "int"),
    Field("child_pid", "Net::Server `Child Preforked (PID)`: the child's pid", "int"),
    Field(
        "server_time",
        "Net::Server CONNECT lines: its own log_time() stamp `YYYY/MM/DD-HH:MM:SS`, local time, as logged",
    ),
    Field("proto", "Net::Server CONNECT lines: TCP, UDP, SSL, UNIX ..."),
    Field("peer_ip", "Net::Server CONNECT lines: client address (brackets of 2.x removed)", "ip"),
    Field("peer_port", "Net::Server CONNECT lines: client port", "int"),
    Field(
        "peer_host",
        "Net::Server >= 2.x CONNECT lines: the client's reverse-DNS name when looked up (`(name)`); "
        "DNS-controlled text",
    ),
    Field("local_ip", "Net::Server CONNECT lines: local address (brackets of 2.x removed)", "ip"),
    Field("local_port", "Net::Server CONNECT lines: local port", "int"),
    Field("socket", "Net::Server CONNECT lines on a UNIX socket: the socket path"),
)

# ============================================================================================
# The per-message result line, four forms (first match wins, the forms are disjoint: they end
# differently and only 2.20+ has `from`).
# ============================================================================================

RESULTS = (
    # spampd.pl 2.61/2.62:1058
    Pattern(
        "result_v261",
        ("identified spam", "clean message"),
        rf"^{VERDICT} {MSGID} {SCORES} from {SENDER} for {RCPTS} "
        rf"in (?P<seconds>\d+\.\d+)s, (?P<bytes>\d+) bytes, with rules v{RULES_VERSION}$",
        '"$was_it_spam $msgid ($msg_score/$msg_threshold) from $sender for $recips in '
        '${proc_time}s, $size bytes, with rules v$sa_rls_ver" (2.61+, spampd.pl:1058 at 2.62)',
        (
            _s(
                HDR,
                "clean message <20241124090003.ABC@example.net> (-0.10/5.00) from <news@example.net> "
                "for <alice@example.org>,<bob@example.org> in 0.84s, 5120 bytes, with rules v1917487",
                result_text="clean message",
                verdict="clean",
                message_id="20241124090003.ABC@example.net",
                score=-0.1,
                threshold=5.0,
                sender="news@example.net",
                recipients_raw="<alice@example.org>,<bob@example.org>",
                recipients=["alice@example.org", "bob@example.org"],
                recipient_params=["", ""],
                seconds=0.84,
                bytes=5120,
                rules_version="1917487",
            ),
            _s(
                HDR,
                "identified spam (unknown) (12.30/5.00) from <> for <bob@example.org> "
                "ORCPT=rfc822;bob@example.org,<carol@example.org> in 2.10s, 3012 bytes, with rules "
                "v(unknown)",
                verdict="spam",
                message_id=None,
                score=12.3,
                sender="",
                recipients=["bob@example.org", "carol@example.org"],
                recipient_params=["ORCPT=rfc822;bob@example.org", ""],
                seconds=2.1,
                bytes=3012,
                rules_version=None,
            ),
        ),
        {"event": "result"},
    ),
    # spampd 2.20 .. 2.60
    Pattern(
        "result_v220",
        ("identified spam", "clean message"),
        rf"^{VERDICT} {MSGID} {SCORES} from {SENDER} for {RCPTS} "
        rf"in (?P<seconds>\d+\.\d+)s, (?P<bytes>\d+) bytes\.$",
        '"$was_it_spam $msgid ($msg_score/$msg_threshold) from $sender for $recips in " . '
        '$proc_time . "s, $size bytes." (2.20 .. 2.60)',
        (
            Sample(
                "2018-10-26T17:12:00.271Z imap spampd[55849]: identified spam "
                "<9bf701d46d3e$710eeaf0$9acf4af3@PaulWilson> (18.41/4.00) from "
                "<PaulWilson@pinebrook-farms.com> for <user@domain.se> in 3.07s, 11524 bytes.",
                {
                    "event": "result",
                    "result_text": "identified spam",
                    "verdict": "spam",
                    "message_id": "9bf701d46d3e$710eeaf0$9acf4af3@PaulWilson",
                    "score": 18.41,
                    "threshold": 4.0,
                    "sender": "PaulWilson@pinebrook-farms.com",
                    "recipients_raw": "<user@domain.se>",
                    "recipients": ["user@domain.se"],
                    "recipient_params": [""],
                    "seconds": 3.07,
                    "bytes": 11524,
                    "rules_version": None,
                },
                "real",
            ),
            Sample(
                "Aug 30 18:40:31 imap spampd[47664]: identified spam "
                "<E4CA5DC67C47D42E541F57DD9AE0B5D5@gtwadncdx.net> (16.59/4.00) from "
                "<bkxmsoab@gtwadncdx.net> for <user.domain> in 1.28s, 7093 bytes.",
                {
                    "verdict": "spam",
                    "message_id": "E4CA5DC67C47D42E541F57DD9AE0B5D5@gtwadncdx.net",
                    "score": 16.59,
                    "sender": "bkxmsoab@gtwadncdx.net",
                    "recipients": ["user.domain"],
                    "seconds": 1.28,
                    "bytes": 7093,
                },
                "real",
            ),
            _s(
                HDR,
                "clean message <a1b2c3@example.net> (-1.20/5.00) from <> for (unknown) in 0.31s, "
                "2048 bytes.",
                verdict="clean",
                score=-1.2,
                sender="",
                recipients_raw="(unknown)",
                recipients=None,
                recipient_params=None,
            ),
        ),
        {"event": "result"},
    ),
    # spampd 2.10 .. 2.13 (previous-versions/spampd-2.10.pl:528, 2.13.pl:521)
    Pattern(
        "result_v210",
        ("identified spam", "clean message"),
        rf"^{VERDICT} {MSGID} {SCORES} for {RCPTS} "
        rf"in (?P<seconds>\d+\.\d+) seconds, (?P<bytes>\d+) bytes\.$",
        '"$was_it_spam $msgid ($msg_score/$msg_threshold) for $recips in $proc_time seconds, '
        '$size bytes." (2.10 .. 2.13; $msgid = first token of the Message-ID header)',
        (
            _s(
                OLD_HDR,
                "identified spam <20030303.1234@example.net> (7.20/5.00) for "
                "<alice@example.org>,<bob@example.org> in 3.00 seconds, 4711 bytes.",
                result_text="identified spam",
                verdict="spam",
                message_id="20030303.1234@example.net",
                score=7.2,
                threshold=5.0,
                sender=None,
                recipients=["alice@example.org", "bob@example.org"],
                seconds=3.0,
                bytes=4711,
            ),
            _s(
                OLD_HDR,
                "clean message (unknown) (0.00/5.00) for <carol@example.org> in 1.00 seconds, 880 bytes.",
                verdict="clean",
                message_id=None,
                recipients=["carol@example.org"],
                bytes=880,
            ),
        ),
        {"event": "result"},
    ),
    # spampd 2.00 (previous-versions/spampd-2.00.pl:471)
    Pattern(
        "result_v200",
        ("identified spam", "clean message"),
        rf"^{VERDICT} {SCORES} in (?P<seconds>\d+\.\d+) seconds\.$",
        '"$was_it_spam ($msg_score/$msg_threshold) in " . sprintf("%.1f", time - $start) . '
        '" seconds." (2.00; score and threshold sprintf("%.1f"))',
        (
            _s(
                OLD_HDR,
                "clean message (0.3/5.0) in 1.0 seconds.",
                result_text="clean message",
                verdict="clean",
                score=0.3,
                threshold=5.0,
                seconds=1.0,
                message_id=None,
            ),
            _s(OLD_HDR, "identified spam (-2.5/-1.0) in 0.0 seconds.", verdict="spam", score=-2.5, threshold=-1.0),
        ),
        {"event": "result"},
    ),
)

# ============================================================================================
# Other per-message lines
# ============================================================================================

MESSAGE = (
    # spampd.pl:977 (all versions since 2.10)
    Pattern(
        "processing",
        ("processing message",),
        rf"^processing message {MSGID} for {RCPTS}$",
        '"processing message $msgid for " . $recips',
        (
            _s(
                HDR,
                "processing message <20241124090003.ABC@example.net> for <alice@example.org> "
                "ORCPT=rfc822;alice@example.org",
                message_id="20241124090003.ABC@example.net",
                recipients_raw="<alice@example.org> ORCPT=rfc822;alice@example.org",
                recipients=["alice@example.org"],
                recipient_params=["ORCPT=rfc822;alice@example.org"],
            ),
            _s(
                HDR,
                "processing message (unknown) for <a@example.org> NOTIFY=SUCCESS,FAILURE "
                "ORCPT=rfc822;a@example.org,<b@example.org>,<c@example.org> NOTIFY=NEVER",
                message_id=None,
                recipients=["a@example.org", "b@example.org", "c@example.org"],
                recipient_params=["NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a@example.org", "", "NOTIFY=NEVER"],
            ),
        ),
        {"event": "processing"},
    ),
    # spampd.pl:919 (2.10+)
    Pattern(
        "skipped",
        ("skipped large message",),
        r"^skipped large message \((?P<size_kb>\d+(?:\.\d+)?(?:e[+-]?\d+)?)KB\)$",
        '"skipped large message (" . $size / 1024 . "KB)"',
        (
            _s(HDR, "skipped large message (250.1181640625KB)", size_kb=250.1181640625),
            _s(HDR, "skipped large message (300KB)", size_kb=300.0),
        ),
        {"event": "skipped"},
    ),
    # previous-versions/spampd-2.00.pl:478
    Pattern(
        "skipped_v200",
        ("Scanning skipped",),
        r"^Scanning skipped due to size \((?P<size_kb>\d+(?:\.\d+)?(?:e[+-]?\d+)?)KB\)$",
        '"Scanning skipped due to size (" . $size / 1024 . "KB)" (2.00)',
        (_s(OLD_HDR, "Scanning skipped due to size (312.5KB)", size_kb=312.5),),
        {"event": "skipped"},
    ),
    # spampd.pl:1062 (with --log-rules-hit); get_names_of_tests_hit joins with ','
    Pattern(
        "rules_hit",
        ("rules hit for",),
        rf"^rules hit for {MSGID}: ?(?P<rules>[^ ]+)?$",
        '"rules hit for $msgid: " . $status->get_names_of_tests_hit',
        (
            _s(
                HDR,
                "rules hit for <20241124090003.ABC@example.net>: BAYES_00,DKIM_SIGNED,DKIM_VALID,SPF_PASS",
                message_id="20241124090003.ABC@example.net",
                rules=["BAYES_00", "DKIM_SIGNED", "DKIM_VALID", "SPF_PASS"],
            ),
            _s(HDR, "rules hit for (unknown): ", message_id=None, rules=None),
        ),
        {"event": "rules-hit"},
    ),
    # spampd.pl:1073, 1200, 1144
    Pattern(
        "sa_error",
        ("WARNING!!",),
        rf"^WARNING!! SpamAssassin error on message {MSGID}: (?P<error>.*)$",
        '"WARNING!! SpamAssassin error on message $msgid: $@"',
        (
            _s(
                HDR,
                "WARNING!! SpamAssassin error on message <20241124090003.ABC@example.net>: Timed out! ",
                message_id="20241124090003.ABC@example.net",
                error="Timed out! ",
            ),
        ),
        {"event": "sa-error"},
    ),
    Pattern(
        "request_error",
        ("WARNING!!",),
        r"^WARNING!! Error in process_request eval block: (?P<error>.*)$",
        '"WARNING!! Error in process_request eval block: $@"',
        (
            _s(
                HDR,
                "WARNING!! Error in process_request eval block: Can't stat mail file: No such file or "
                "directory at /usr/local/sbin/spampd line 915.",
                error="Can't stat mail file: No such file or directory at /usr/local/sbin/spampd line 915.",
            ),
        ),
        {"event": "request-error"},
    ),
    Pattern(
        "tempfile_error",
        ("WARNING!!",),
        r"^WARNING!! Couldn't close smtp_server->\{data\} temp file: (?P<error>.*)$",
        '"WARNING!! Couldn\'t close smtp_server->{data} temp file: $!"',
        (
            _s(
                HDR,
                "WARNING!! Couldn't close smtp_server->{data} temp file: No space left on device",
                error="No space left on device",
            ),
        ),
        {"event": "tempfile-error"},
    ),
)

# ============================================================================================
# Process lines: spampd start-up / config (2.61+), Net::Server
# ============================================================================================

PROCESS = (
    # spampd.pl:589-590: ref($self) . sprintf_named(' v%spampd_ver [Perl %perl_ver, Net::Server::%ns_typ
    # %ns_ver, SA %sa_ver, rules v%sa_rls_ver] ') . ("reloading"|"starting") . " with: @startup_args \n"
    Pattern(
        "startup",
        ("SpamPD v",),
        r"^SpamPD v(?P<spampd_version>[^ ]+) \[Perl (?P<perl_version>[^ ,]+), "
        r"Net::Server::(?P<net_server_type>[^ ,]+) (?P<net_server_version>[^ ,]+), "
        rf"SA (?P<sa_version>[^ ,]+), rules v{RULES_VERSION}\] "
        r"(?P<event>starting|reloading) with: ?(?P<startup_args>.*?) *$",
        "ref($self) . ' v%spampd_ver [Perl %perl_ver, Net::Server::%ns_typ %ns_ver, SA %sa_ver, "
        "rules v%sa_rls_ver] ' . ($self->is_reloading() ? \"reloading\" : \"starting\") . "
        '" with: @startup_args \\n" (2.61+, spampd.pl:590)',
        (
            _s(
                HDR,
                "SpamPD v2.62 [Perl 5.32.1, Net::Server::PreFork 2.009, SA 3.004006, rules v1917487] "
                "starting with: --port=10025 --relayhost=127.0.0.1:10026 --tagall ",
                event="starting",
                spampd_version="2.62",
                perl_version="5.32.1",
                net_server_type="PreFork",
                net_server_version="2.009",
                sa_version="3.004006",
                rules_version="1917487",
                startup_args="--port=10025 --relayhost=127.0.0.1:10026 --tagall",
            ),
            _s(
                HDR,
                "SpamPD v2.61 [Perl 5.30.0, Net::Server::PreForkSimple 2.009, SA 3.004004, rules "
                "v(unknown)] reloading with: ",
                event="reloading",
                net_server_type="PreForkSimple",
                rules_version=None,
                startup_args="",
            ),
        ),
    ),
    # spampd.pl:655
    Pattern(
        "loading_config",
        ("Loading config",),
        r"^Loading config from file\(s\): (?P<text>.*?) *$",
        '"Loading config from file(s): @{$spd_p->{config_files}} \\n"',
        (
            _s(
                HDR,
                "Loading config from file(s): /etc/spampd.conf /etc/spampd.local.conf ",
                text="/etc/spampd.conf /etc/spampd.local.conf",
            ),
        ),
        {"event": "config"},
    ),
    # spampd.pl:538, 542
    Pattern(
        "config_error",
        ("CONFIG ERROR!",),
        r"^CONFIG ERROR! (?P<error>.*?) *$",
        '"CONFIG ERROR! ".$_."\\n"',
        (
            _s(
                HDR,
                "CONFIG ERROR! Option --maxsize must be a positive integer",
                error="Option --maxsize must be a positive integer",
            ),
        ),
        {"event": "config-error"},
    ),
    Pattern(
        "config_warning",
        ("CONFIG WARNING!",),
        r"^CONFIG WARNING! (?P<error>.*?) *$",
        '"CONFIG WARNING! ".$_."\\n"',
        (_s(HDR, "CONFIG WARNING! --dose is deprecated, use --debug", error="--dose is deprecated, use --debug"),),
        {"event": "config-warning"},
    ),
    # Net::Server::PreFork / PreForkSimple: log(3, "Starting \"$n\" children")
    Pattern(
        "children_starting",
        ('Starting "',),
        r'^Starting "(?P<children>\d+)" children$',
        '"Starting \\"$n\\" children" (Net::Server::PreFork, log level 3)',
        (_s(NS_HDR, 'Starting "1" children', children=1),),
        {"event": "children-starting"},
    ),
    # Net::Server::PreFork: log(4, "Child Preforked ($$)")
    Pattern(
        "child_preforked",
        ("Child Preforked",),
        r"^Child Preforked \((?P<child_pid>\d+)\)$",
        '"Child Preforked ($$)" (Net::Server::PreFork, log level 4)',
        (_s(NS_HDR, "Child Preforked (8023)", child_pid=8023),),
        {"event": "child-preforked"},
    ),
    # Net::Server >= 2 (lib/Net/Server.pm get_client_info; `(peerhost) ` since d32ed42 2012 with
    # reverse lookups); the 2.x form must precede the 0.x one (bracketed text would fit 0.x's).
    Pattern(
        "connect_v2",
        ("CONNECT",),
        rf'^{NS_TIME} CONNECT (?P<proto>[^ ]+) Peer: "\[(?P<peer_ip>[^"\]]*)\]:(?P<peer_port>\d+)"'
        r"(?: \((?P<peer_host>.*)\) ?)? "
        r'Local: "\[(?P<local_ip>[^"\]]*)\]:(?P<local_port>\d+)"$',
        '$self->log_time." CONNECT ".$client->NS_proto." Peer: \\"[$peeraddr]:$peerport\\"" . '
        '($peerhost ? " ($peerhost) " : "") . " Local: \\"[$sockaddr]:$sockport\\"" (Net::Server 2.x, level 3)',
        (
            _s(
                NS_HDR,
                '2024/11/24-10:00:04 CONNECT TCP Peer: "[127.0.0.1]:36479" Local: "[127.0.0.1]:10025"',
                server_time="2024/11/24-10:00:04",
                proto="TCP",
                peer_ip="127.0.0.1",
                peer_port=36479,
                peer_host=None,
                local_ip="127.0.0.1",
                local_port=10025,
            ),
            _s(
                NS_HDR,
                '2024/11/24-10:00:04 CONNECT TCP Peer: "[2001:db8::25]:50112" (mx.example.net)  '
                'Local: "[2001:db8::1]:10025"',
                peer_ip="2001:db8::25",
                peer_host="mx.example.net",
                local_ip="2001:db8::1",
            ),
        ),
        {"event": "connect"},
    ),
    # Net::Server 0.x (real, 2009)
    Pattern(
        "connect_v0",
        ("CONNECT",),
        rf'^{NS_TIME} CONNECT (?P<proto>[^ ]+) Peer: "(?P<peer_ip>[^"\[\]]*):(?P<peer_port>\d+)" '
        r'Local: "(?P<local_ip>[^"\[\]]*):(?P<local_port>\d+)"$',
        '$self->log_time." CONNECT ".$proto." Peer: \\"$peeraddr:$peerport\\" Local: \\"$sockaddr:$sockport\\"" '
        "(Net::Server 0.x, level 3)",
        (
            # the message is real (formats.md 3); the syslog header is supplied
            _s(
                NS_HDR,
                '2009/02/09-13:18:42 CONNECT TCP Peer: "127.0.0.1:36479" Local: "127.0.0.1:783"',
                "real",
                server_time="2009/02/09-13:18:42",
                proto="TCP",
                peer_ip="127.0.0.1",
                peer_port=36479,
                local_ip="127.0.0.1",
                local_port=783,
            ),
        ),
        {"event": "connect"},
    ),
    Pattern(
        "connect_unix",
        ("CONNECT",),
        rf'^{NS_TIME} CONNECT (?P<proto>UNIX[^ ]*) Socket: "(?P<socket>.*)"$',
        '$self->log_time." CONNECT ".$client->NS_proto." Socket: \\"".$client->NS_port."\\"" (Net::Server 2.x)',
        (
            _s(
                NS_HDR,
                '2024/11/24-10:00:04 CONNECT UNIX Socket: "/var/run/spampd.sock"',
                proto="UNIX",
                socket="/var/run/spampd.sock",
            ),
        ),
        {"event": "connect"},
    ),
    # catch-alls (route ''): SpamAssassin's logger, then anything else
    Pattern(
        "sa_log",
        ("",),
        r"^(?P<facility>[a-z][a-z0-9_.-]*): (?P<text>.*)$",
        'Mail::SpamAssassin::Logger::Syslog: syslog($level, "%s", $msg) — SA messages are "facility: text"',
        (
            _s(HDR, "logger: removing stderr method", facility="logger", text="removing stderr method"),
            _s(
                HDR,
                "config: failed to parse line, skipping, in \"/etc/mail/spamassassin/local.cf\": use_bayes_rulez 1",
                facility="config",
            ),
        ),
        {"event": "sa-log"},
    ),
    Pattern(
        "other",
        ("",),
        r"^(?P<text>.*)$",
        "any other line: Net::Server start-up (`Binding to TCP port ...`, `Setting uid to ...`), "
        "debug lines, Perl warnings",
        (
            _s(
                NS_HDR,
                "Binding to TCP port 10025 on host 127.0.0.1 with IPv4",
                event="other",
                text="Binding to TCP port 10025 on host 127.0.0.1 with IPv4",
            ),
            _s(HDR, "WARNING! Option '--logsock' parameter \"x\" not recognized, reverting to default."),
        ),
        {"event": "other"},
    ),
)

ROUTER = (
    r"^(?:\d{4}/\d\d/\d\d-\d\d:\d\d:\d\d )?("
    r"identified spam|clean message|processing message|skipped large message|Scanning skipped"
    r"|rules hit for|WARNING!!|SpamPD v|Loading config|CONFIG ERROR!|CONFIG WARNING!"
    r'|Starting "|Child Preforked|CONNECT|)'
)

NEGATIVES = (
    Negative(
        HDR
        + "identified spam <x?from?<evil@example.com>?for?<bob@example.com>> (9.00/5.00) from "
        "<real@example.net> for <alice@example.org> in 1.00s, 100 bytes.",
        "2.20+ turns the spaces of a hostile Message-ID into `?`: ` from <` inside it cannot become "
        "the sender",
        {
            "message_id": "x?from?<evil@example.com>?for?<bob@example.com>",
            "sender": "real@example.net",
            "recipients": ["alice@example.org"],
            "score": 9.0,
        },
    ),
    Negative(
        HDR
        + "identified spam <a from <evil@example.com> for <x@example.com> in 0.10s, 1 bytes.> "
        "(9.00/5.00) from <real@example.net> for <alice@example.org> in 1.00s, 100 bytes.",
        "a Message-ID with spaces is not something spampd writes: the line is left unparsed rather "
        "than letting ` from <`/` for <` in it shift sender and recipients",
        None,
    ),
    Negative(
        OLD_HDR
        + "identified spam <a>(0.00/9.00)_from_<x> (9.00/5.00) for <alice@example.org> in 1.00 "
        "seconds, 100 bytes.",
        "2.10-2.13 log the first header token as is: a token with `(score) from` stays the "
        "message_id, the score is the one after it",
        {"message_id": "a>(0.00/9.00)_from_<x", "score": 9.0, "recipients": ["alice@example.org"]},
    ),
    Negative(
        HDR
        + "clean message <id@example.net> (0.00/5.00) from <x for <evil@example.com> for "
        "<bob@example.org> in 0.50s, 900 bytes.",
        "MAIL FROM:<x for <evil@example.com> — spampd logs the first <...> of the argument, which "
        "can hold ` for <` but never `>`: it stays in sender",
        {"sender": "x for <evil@example.com", "recipients": ["bob@example.org"], "bytes": 900},
    ),
    Negative(
        HDR
        + "clean message <id@example.net> (0.00/5.00) from <a@example.net> for <bob@example.org> in "
        "0.01s, 1 bytes. in 2.00s, 4000 bytes.",
        "RCPT TO:<bob@example.org> in 0.01s, 1 bytes. — a fake tail in the recipients: the real tail "
        "is the last one",
        {
            "recipients_raw": "<bob@example.org> in 0.01s, 1 bytes.",
            "recipients": ["bob@example.org"],
            "recipient_params": ["in 0.01s, 1 bytes."],
            "seconds": 2.0,
            "bytes": 4000,
        },
    ),
    Negative(
        HDR
        + "identified spam <id@example.net> (9.00/5.00) from <a@example.net> for <bob@example.org> "
        "in 0.01s, 1 bytes, with rules v1 in 2.00s, 4000 bytes, with rules v1917487",
        "2.61+: a fake `, with rules v` tail inside the recipients does not move seconds/bytes/rules",
        {"seconds": 2.0, "bytes": 4000, "rules_version": "1917487", "recipients": ["bob@example.org"]},
    ),
    Negative(
        HDR + "processing message <id@example.net> for <bob@example.org> from <ceo@example.com>",
        "processing lines have no sender: a ` from <` in a RCPT argument stays a recipient parameter",
        {
            "message_id": "id@example.net",
            "sender": None,
            "recipients": ["bob@example.org"],
            "recipient_params": ["from <ceo@example.com>"],
        },
    ),
    Negative(
        NS_HDR
        + '2024/11/24-10:00:04 CONNECT TCP Peer: "[192.0.2.7]:4000" (evil) Local: "[198.51.100.1]:1") '
        'Local: "[127.0.0.1]:10025"',
        "a PTR name carrying `) Local: \"[...]\"` stays in peer_host: Local is the last one",
        {"peer_ip": "192.0.2.7", "local_ip": "127.0.0.1", "local_port": 10025},
    ),
    Negative(
        HDR + "identified spam <id@example.net> (9.00/5.00) from <a@example.net> for <b@example.org> in 1.00s, 99",
        "a result line cut short (LOG_MAXLINE) is a real miss, not an `other` row",
        None,
    ),
)

SPAMPD = Parser(
    name="spampd",
    table="spampd_events",
    description=(
        "spampd (SpamAssassin proxy): per-message verdicts with score, sender, recipients and "
        "timing in all result-line forms 2.00 .. 2.62, processing/skip/rules-hit/error lines, "
        "start-up and Net::Server lines, SpamAssassin logger lines (formats.md section 3)"
    ),
    programs=("spampd",),
    version="1",
    router=ROUTER,
    fields=FIELDS,
    patterns=RESULTS + MESSAGE + PROCESS,
    derived=(Derived("verdict", "result_text", r"(spam|clean)"),),
    negatives=NEGATIVES,
)
