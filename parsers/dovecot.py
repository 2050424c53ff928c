"""Dovecot (`dovecot:` / `dovecot[PID]:`, and Dovecot's own log_path file) -> `dovecot_events`.

Reference: /work/shared/formats.md section 5 (Dovecot), 0.1/0.2 (idents) and 8 (item 11).

Two line shapes reach this parser (formats.md 0.1, 5):
  (a) syslog: `host dovecot: imap-login: Login: ...` / `dovecot[PID]: ...` (journald adds the
      pid). Program `dovecot`; the message starts with the process prefix (`imap-login: `,
      `imap(alice)<12345><SESSION>: `, `lmtp(12345): `, `auth-worker(304): `, 2.4 `auth(user,ip,
      sasl:mech)<SESSION>: `); the level word is written for every level except Info.
      A journald copy may carry the ident twice (`dovecot[442]: dovecot: auth(default): ...`,
      real): one leading `dovecot: ` is skipped.
  (b) log_path file: `Jan 29 09:33:58 pop3-login: Info: Aborted login ...` (no host). The
      framing (parsers/syslog.py) takes the process name as the program and the message starts
      with the level word, which is written for every level. So in shape (b) the process prefix
      is NOT in the message and `process` is NULL (the program column of `unparsed` is not in
      the event table; `process` is only what the message itself says). Only process names
      without parentheses become a program the engine can route (`programs` below): prefixes
      like `imap(alice):`, `auth-worker(1234):`, `lmtp(123, bob):`, 2.4 `auth(u,ip)<s>:` yield
      programs such as `auth-worker(1234)` that no parser can list, and land in `unparsed` as
      other-program (a framing limitation, reported; not worked around here).

Fields shared by both shapes: `level` is the level word as written, lower-cased; NULL means
the line had none, i.e. Info in shape (a). Attacker-controlled text: `user=<...>` of login lines
(str_sanitize 80; may contain `, `, `>`, `(`, `: `), the user inside passdb prefixes
`pam(USER,IP): ` and 2.4 `auth(USER,IP...)`, PAM `ruser=`, Message-IDs and detail mailboxes of
deliveries. Every such capture is anchored from the side the attacker cannot write:
  * login element lists: `user=<(.*)>` is greedy up to the LAST `>, ` followed by a complete
    `[method=..., ]rip=IP[, lip=IP][, mpid=N][, TLS...][, session=<...>]` tail; the closure
    reason before it is lazy (the FIRST `(...): ` that leads to a valid element list);
  * passdb `name(USER,IP[,<session>]): ` takes the LAST `,IP): `; PAM takes the LAST ` rhost=`;
  * deliveries: the Message-ID is space-free `[^ ]*` (2.3.11+ always `<id@host>` or
    `unspecified`); a raw Message-ID with spaces (<= 2.3.10) falls to the catch-all.

Route keys (the `router` group): after an optional `dovecot: `, an optional process prefix
and an optional level word, the first words of the text: `Login: `, `Logged in: `,
`Login aborted: `, `Login failed: `, `Aborted login`, `Disconnected`, `Logged out`,
`Connection closed`, `Connect from `, `Disconnect from `, `msgid=`, `sieve: `, `proxy(`,
`Started proxying`, `conn unix:`, `pam_unix(`, passdb driver names (`passwd-file`, `pam`, `sql`,
`ldap`, ...), and '' for anything else (2.3 submission-login wordings such as `Client has
quit the connection (...)`, the old `SESSION: msgid=` delivery prefix, unknown passdb drivers,
hostile prefixes). The catch-all patterns are listed on every key, so a line of this parser
never ends in `unparsed` as no-pattern-matched.

What the engine must honour: first match wins within a key (login_failed before
login_aborted, the `*_failed` passdb patterns before the generic ones, `other_pid` before
`other`); lazy `.*?` and greedy `.*` keep their leftmost-first (Perl) priorities in Rust regex
and Java, which the anchoring above relies on; an empty capture is '' (`user=<>`), a group
that did not take part is NULL (no `user=` element in 2.0/2.1).
"""

from __future__ import annotations

from parsers.base import Field, Negative, Parser, Pattern, Sample

# --- building blocks ------------------------------------------------------------------------

DC = r"(?:dovecot: )?"  # the journald double ident (real)
LEVEL = r"(?:(?P<level>Debug|Info|Warning|Error|Fatal|Panic): )?"
# login processes: `imap-login: `, `pop3-login: `, `submission-login: `, `managesieve-login: `
LOGIN_PFX = DC + r"(?:(?P<process>[a-z][a-z0-9-]*-login): )?" + LEVEL
# mail processes (2.2 `imap(alice): `; 2.3/2.4 `imap(alice)<12345><SESSION>: `)
MAIL_PFX = (
    DC + r"(?:(?P<process>[a-z][a-z0-9-]*)\((?P<service_user>[^()]*)\)"
    r"(?:<(?P<mpid>[0-9]+)>)?(?:<(?P<session>[^<>]*)>)?: )?" + LEVEL
)
# deliveries: 2.0-2.2.14 `lmtp(PID, user): SESSION: `, 2.2.15-2.2.27 `lmtp(user): SESSION: `,
# 2.2.28+ `lmtp(user): `, 2.3/2.4 `lmtp(user)<PID><SESSION[:T2][:R3]>: ` (SESSION:2 in 2.2.27-2.3.17)
DELIV_PFX = (
    DC + r"(?:(?P<process>[a-z][a-z0-9-]*)\((?:(?P<process_pid>[0-9]+), )?(?P<service_user>[^()]*)\)"
    r"(?:<(?P<mpid>[0-9]+)>)?(?:(?:<|: )(?P<session>[A-Za-z0-9+/]{16,}(?::[TR]?[0-9]+)*)>?)?: )?"
    + LEVEL
)
# `lmtp(12345): ` (all versions) and `auth-worker(304): `
PID_PFX = DC + r"(?:(?P<process>[a-z][a-z0-9-]*)\((?P<process_pid>[0-9]+)\): )?" + LEVEL
# auth process (2.0-2.3): `auth: `, `auth-worker(304): `, 1.x/2.0 `auth(default): `
AUTH_PFX = (
    DC + r"(?:(?P<process>auth-worker|auth|dovecot-auth)"
    r"(?:\((?P<process_pid>[0-9]+)\)|\((?P<service_user>[^()]*)\))?: )?" + LEVEL
)
# 2.4 get_log_prefix(): `auth(user|?,ip[,sasl:mech][,master])[<pid>]<session>[: request [id]]: `
AUTH24_PFX = (
    DC + r"(?P<process>auth)\((?P<user>.*),(?P<ip>[0-9A-Fa-f.:]+)(?:,sasl:(?P<method>[A-Za-z0-9_-]+))?"
    r"(?:,master)?\)(?:<[0-9]+>)?<(?P<session>[^<>]*)>(?:: request \[[0-9]+\])?: " + LEVEL
)
IPX = r"[0-9A-Fa-f.:]+"
# login_log_format_elements "user=<%u> method=%m rip=%r lip=%l mpid=%e %c session=<%{session}>"
# (+ optional %k), empty elements dropped, joined with ", ".
ELEMENTS = (
    r"(?:user=<(?P<user>.*)>, )?(?:method=(?P<method>[A-Za-z0-9_-]+), )?"
    rf"rip=(?P<ip>{IPX})(?:, lip=(?P<local_ip>{IPX}))?(?:, mpid=(?P<mpid>[0-9]+))?"
    r"(?:, (?P<tls>TLS handshaking|TLS|TSL|secured)(?:: (?P<tls_error>.*?))?)?"
    r"(?:, session=<(?P<session>[^<>]*)>)?"
    r"(?:, (?P<tls_cipher>[^ ,]+ with cipher .*))?"
)
# closure wording: `Disconnected (...)`, `Disconnected: Inactivity (...)`, `Aborted login (...)`
# (<= 2.3.14), `Disconnected: <reason> (...)` (2.3.15+), `Login aborted: <reason> (...) (evt)` (2.4)
CLOSURE = r"(?:Disconnected: |Login aborted: )?(?P<reason>.*?)"
EVENT_REASON = r"(?: \((?P<event_reason>[a-z][a-z0-9_]*)\))?"
# passdb messages that say the authentication failed (auth_verbose)
AUTH_FAILED = (
    r"(?:unknown user|Password mismatch|invalid credentials|pam_authenticate\(\) failed"
    r"|pam_acct_mgmt\(\) failed|user not found|User not found|Invalid password|"
    r"[Uu]ser disabled|[Pp]assword expired|[Aa]ccount expired)"
)
PASSDB = (
    r"(?:conn [^ ]+ \([^()]*\): [a-z-]+<[0-9]+>: )?"
    rf"(?P<passdb>[a-z][a-z0-9_-]*)\((?P<user>.*),(?P<ip>{IPX})(?:,<(?P<session>[^<>]*)>|,)?\): "
)
PASSDB_DRIVERS = (
    "passwd-file", "pam", "sql", "ldap", "checkpassword", "passwd", "shadow", "bsdauth",
    "static", "oauth2", "lua", "imap", "vpopmail",
)  # fmt: skip

ROUTE_KEYS = (
    "Login: ", "Logged in: ", "Login aborted: ", "Login failed: ", "Aborted login",
    "Disconnected", "Logged out", "Connection closed", "Connect from ", "Disconnect from ",
    "msgid=", "sieve: ", "proxy(", "Started proxying", "conn unix:", "pam_unix(",
) + PASSDB_DRIVERS  # fmt: skip
ROUTER = (
    r"^(?:dovecot: )?(?:[a-z][a-z0-9-]*(?:\([^()]*\))?(?:<[^<>]*>){0,2}: )?"
    r"(?:(?:Debug|Info|Warning|Error|Fatal|Panic): )?("
    + "|".join(k.replace("(", r"\(") for k in ROUTE_KEYS)
    + "|)"
)
ALL = ROUTE_KEYS + ("",)
FAIL_KEYS = ("Disconnected", "Aborted login", "Login aborted: ", "")
AUTH_KEYS = PASSDB_DRIVERS + ("conn unix:", "")
LOGOUT_KEYS = ("Disconnected", "Logged out", "Connection closed", "")

# sample headers
SYS = "Nov 24 10:01:00 mx1 dovecot: "
JD = "Nov 24 10:01:00 mx1 dovecot[812]: "


def _s(line, origin="derived", **fields):
    return Sample(line, fields, origin)


def _ev(event, **more):
    return {"event": event, **more}


FIELDS = (
    Field(
        "process",
        "Dovecot process that logged the line, from the process prefix in the message: imap-login, "
        "pop3-login, submission-login, managesieve-login, imap, pop3, lmtp, lda, auth, auth-worker, "
        "master ... NULL in shape (b) (log_path file), where the process is the syslog ident and "
        "the message has no prefix",
    ),
    Field(
        "service_user",
        "the user of a mail process prefix: `imap(alice)`, `lmtp(alice@example.org)<..>` (the LMTP "
        "recipient), `lmtp(PID, user)` (2.0-2.2.14); the service name of 1.x/2.0 `auth(default)`. "
        "Catch-all rows: any non-numeric text in `name(...)`",
    ),
    Field(
        "process_pid",
        "pid written inside the prefix parentheses: `lmtp(12345)` (LMTP Connect/Disconnect lines, "
        "all versions), `lmtp(12345, user)` (2.0-2.2.14 deliveries), `auth-worker(304)`. For 2.3+ "
        "LMTP, join a connection's Connect line to its deliveries by process_pid = mpid",
        "int",
    ),
    Field(
        "mpid",
        "mail process pid: the `mpid=` element of a successful login, and the `<PID>` of the 2.3+ "
        "mail_log_prefix (`imap(alice)<12345><SESSION>`, `lmtp(...)<PID><...>`, `lda(...)<PID>`). "
        "Joins a login to the imap/pop3 process's later lines (with session)",
        "int",
    ),
    Field(
        "session",
        "Dovecot session id: login lines' `session=<...>`, the `<SESSION>` of 2.3+ mail prefixes "
        "(same id for a login and its imap/pop3 process), 2.4 auth prefixes, passdb `,<session>`, "
        "and LMTP delivery sessions incl. their suffixes as logged (`X:T2` 2nd transaction, `X:R2` "
        "2nd recipient (2.3.18+), `X:2` (2.2.27-2.3.17)); old `SESSION: msgid=` deliveries (2.0-2.2.27)",
    ),
    Field("level", "level word as written (lower-cased); NULL = none written, i.e. Info in syslog", "lower"),
    Field(
        "event",
        "login (`Login:`, 2.4 `Logged in:`); login-failed (a pre-login closure whose detail counts "
        "N>=1 auth attempts, or `Login failed:`); login-aborted (any other pre-login closure: no auth "
        "attempts, TLS handshake, proxy dest auth failed, disallowed plaintext auth ...); proxy (login "
        "proxy lines); auth-failed (passdb/PAM says unknown user, password mismatch, invalid "
        "credentials, pam_authenticate() failed ...); auth (other passdb lines); logout (imap/pop3 "
        "session end, every version's wording); lmtp-connect; lmtp-disconnect; delivered (`saved mail "
        "to`, sieve `stored mail into mailbox`); save-failed; rejected; discarded (Auto-submitted); "
        "delivery-other (other `msgid=` lines); sieve (other sieve msgid lines); other (catch-all)",
    ),
    Field(
        "user",
        "login name as sent by the client (ATTACKER-CONTROLLED: `user=<...>` of login lines, the user in "
        "`passdb(USER,IP)` / 2.4 `auth(USER,IP,...)` prefixes, PAM `ruser=`); '' for `user=<>` (no name "
        "sent, 2.2+); NULL when the element is absent (2.0/2.1 drop an empty user)",
    ),
    Field("method", "SASL mechanism: `method=PLAIN` of login lines, `sasl:login` of 2.4 auth prefixes, as logged"),
    Field("ip", "client address: `rip=` of login lines, the IP of passdb prefixes, PAM `rhost=` when it is an address, LMTP `Connect from` address (`local` -> NULL)", "ip"),
    Field("local_ip", "`lip=`: the server address the client connected to", "ip"),
    Field("tls", "the `%c` element: TLS, TLS handshaking, secured (trusted network), TSL (sic, 2.4.1); NULL when plaintext"),
    Field("tls_error", "the error after `TLS: ` / `TLS handshaking: ` in the `%c` element (e.g. `Disconnected`, `SSL_accept() failed: ...`)"),
    Field("tls_cipher", "the optional `%k` element: `TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)`"),
    Field(
        "reason",
        "closure reason: login lines: the text before the `(detail)` without the `Disconnected: ` / "
        "`Login aborted: ` wrapper (`Disconnected` and `Aborted login` for the <= 2.3.14 bare forms, "
        "`Inactivity`, `Connection closed: read(...) failed: ...`, `Logged out`, 2.3 submission "
        "`Client has quit the connection`), or the `Login failed:` reason; imap/pop3 logout: `Logged "
        "out`, `Connection closed[: error]`, `Disconnected for inactivity`, `Inactivity - no input for "
        "N secs` ...; LMTP disconnect: `Logged out`, `Client has quit the connection`, `Client quit`; "
        "save-failed/rejected/discarded: the error text",
    ),
    Field("detail", "the parenthesized extra reason of a pre-login closure: `auth failed, 1 attempts in 2 secs`, `no auth attempts in 10 secs`, `disconnected during TLS handshake` ..."),
    Field("event_reason", "2.4 snake_case event reason after the detail: auth_failed, no_auth_attempts, tls_handshake_not_finished ..."),
    Field("auth_attempts", "N of `N attempts` in the detail (login-failed rows)", "int"),
    Field("auth_secs", "seconds of `in N secs` / `waited N secs` in the detail", "int"),
    Field("passdb", "passdb/userdb driver of auth lines: pam, sql, ldap, passwd-file ...; `pam` for PAM's own pam_unix lines"),
    Field("message", "the passdb's message: `unknown user`, `Password mismatch`, `pam_authenticate() failed: ...` (may carry `(given password: ...)` with auth_verbose_passwords)"),
    Field("remote", "LMTP `Connect from` / `Disconnect from` client id (an address or `local`); PAM `rhost=` as logged"),
    Field("state", "session state: LMTP `(state=READY)` / `(state = READY)` / 2.0 `(in reset)`; imap `state=wait-input` of the command status"),
    Field("command_status", "imap logout: the running/finished command text in parentheses (`IDLE running for ... state=wait-input`, `No commands sent`)"),
    Field("in_bytes", "imap logout `in=` bytes received", "int"),
    Field("out_bytes", "imap logout `out=` bytes sent", "int"),
    Field("deleted", "imap logout 2.3+ `deleted=`", "int"),
    Field("expunged", "imap logout 2.3+ `expunged=`", "int"),
    Field("trashed", "imap logout 2.3+ `trashed=`", "int"),
    Field("hdr_count", "imap logout 2.3+ `hdr_count=`", "int"),
    Field("hdr_bytes", "imap logout 2.3+ `hdr_bytes=`", "int"),
    Field("body_count", "imap logout 2.3+ `body_count=`", "int"),
    Field("body_bytes", "imap logout 2.3+ `body_bytes=`", "int"),
    Field("top_count", "pop3 logout `top=N/_`", "int"),
    Field("top_bytes", "pop3 logout `top=_/N`", "int"),
    Field("retr_count", "pop3 logout `retr=N/_`", "int"),
    Field("retr_bytes", "pop3 logout `retr=_/N`", "int"),
    Field("del_count", "pop3 logout `del=N/_`: messages deleted", "int"),
    Field("del_total", "pop3 logout `del=_/N`: 2.2/2.3 the number of messages in the mailbox; 2.4 the deleted BYTES (commit 37c9d7802a)", "int"),
    Field("size", "pop3 logout `size=`: mailbox size in bytes", "int"),
    Field("message_id", "`msgid=` of deliveries as logged: `<id@host>` (2.3.11+), the raw first Message-ID header (<= 2.3.10, may lack <>), or `unspecified`"),
    Field("mailbox", "delivery target mailbox: `saved mail to INBOX`, `save failed to ...`, sieve `stored mail into mailbox '...'` (str_sanitize 80)"),
    Field("sieve_action", "sieve action named before `stored mail into mailbox` (fileinto); NULL for the implicit keep"),
    Field("text", "free text of proxy, delivery-other, sieve and catch-all rows (after the prefix and level)"),
)

# ============================================================================================
# Login processes (formats.md 5.2)
# ============================================================================================

LOGIN = (
    # login-common client_auth_result / client_log: login_log_format "%$: %s"
    # (2.2/2.3 `Login`, 2.4.0+ `Logged in`, commit cfaca55d93)
    Pattern(
        "login",
        ("Login: ", "Logged in: "),
        rf"^{LOGIN_PFX}(?:Login|Logged in): {ELEMENTS}$",
        '"Login" / 2.4 "Logged in" + ": " + login_log_format_elements',
        (
            _s(
                SYS + "imap-login: Login: user=<alice>, method=PLAIN, rip=203.0.113.5, "
                "lip=192.0.2.10, mpid=48213, TLS, session=<kBvX2n8kHN/LqwAB>",
                process="imap-login", user="alice", method="PLAIN", ip="203.0.113.5",
                local_ip="192.0.2.10", mpid=48213, tls="TLS", session="kBvX2n8kHN/LqwAB", level=None,
            ),
            _s(
                SYS + "imap-login: Logged in: user=<alice>, method=PLAIN, rip=203.0.113.5, "
                "lip=192.0.2.10, mpid=48213, TLS, session=<kBvX2n8kHN/LqwAB>",
                user="alice", ip="203.0.113.5", mpid=48213,
            ),
            _s(
                "Nov 24 10:01:00 pop3-login: Info: Login: user=<bob@example.org>, method=PLAIN, "
                "rip=2001:db8::5, lip=2001:db8::10, mpid=512, secured, session=<pQ3Xx8kHN/LqwAB>",
                process=None, level="info", user="bob@example.org", ip="2001:db8::5",
                local_ip="2001:db8::10", tls="secured",
            ),
        ),
        _ev("login"),
    ),
    # client_destroy(): closure + client_get_extra_disconnect_reason(), detail with N attempts
    Pattern(
        "login_failed",
        FAIL_KEYS,
        rf"^{LOGIN_PFX}{CLOSURE} \((?P<detail>[^()]*?(?P<auth_attempts>[1-9][0-9]*) attempts"
        rf"(?: in (?P<auth_secs>[0-9]+) secs)?)\){EVENT_REASON}: {ELEMENTS}$",
        '"Disconnected"|"Aborted login"|"Disconnected: %s"|"Login aborted: %s (%s)" + " (auth failed, '
        '%u attempts in %u secs)" (2.0: "(auth failed, %u attempts)") + ": " + elements',
        (
            _s(
                "Jun 13 16:30:54 platypus dovecot: imap-login: Disconnected (auth failed, 2 attempts): "
                "user=<username.bob>, method=PLAIN, rip=49.176.98.87, lip=113.212.99.194, TLS",
                "real", process="imap-login", reason="Disconnected", detail="auth failed, 2 attempts",
                auth_attempts=2, auth_secs=None, user="username.bob", ip="49.176.98.87", tls="TLS",
            ),
            _s(
                "Jun 12 19:07:29 hostname dovecot[241]: imap-login: Login aborted: Connection closed "
                "(auth failed, 3 attempts in 16 secs) (auth_failed): user=<test>, method=PLAIN, "
                "rip=192.0.2.241, lip=203.0.113.104, TLS, session=<9ZHq02g3J8S60fan>",
                "real", reason="Connection closed", auth_attempts=3, auth_secs=16,
                event_reason="auth_failed", session="9ZHq02g3J8S60fan", ip="192.0.2.241",
            ),
            _s(
                "Jan 29 09:33:58 pop3-login: Info: Aborted login (auth failed, 1 attempts in 2 secs): "
                "user=<grace>, method=PLAIN, rip=212.9.180.3",
                "real", process=None, level="info", reason="Aborted login", auth_attempts=1,
                auth_secs=2, user="grace", ip="212.9.180.3", local_ip=None,
            ),
        ),
        _ev("login-failed"),
    ),
    Pattern(
        "login_aborted",
        FAIL_KEYS,
        rf"^{LOGIN_PFX}{CLOSURE}(?: \((?P<detail>[^()]*? [^()]*?"
        rf"(?:(?: in|,? waited) (?P<auth_secs>[0-9]+) secs)?)\))?{EVENT_REASON}: {ELEMENTS}$",
        "the same closures with any other extra reason: (no auth attempts in %u secs), "
        "(disconnected before auth was ready, waited %u secs), (tried to use disallowed plaintext "
        "auth), 2.4 (disconnected during TLS handshake) (tls_handshake_not_finished) ...",
        (
            _s(
                "Jan 29 09:38:46 pop3-login: Info: Disconnected (no auth attempts in 10 secs): user=<>, "
                "rip=176.61.137.100, TLS handshaking: SSL_accept() failed: error:140760FC:SSL "
                "routines:SSL23_GET_CLIENT_HELLO:unknown protocol",
                "real", reason="Disconnected", detail="no auth attempts in 10 secs", auth_secs=10,
                auth_attempts=None, user="", ip="176.61.137.100", tls="TLS handshaking",
                tls_error="SSL_accept() failed: error:140760FC:SSL routines:SSL23_GET_CLIENT_HELLO:unknown protocol",
            ),
            _s(
                "Aug 22 12:09:41 server dovecot: imap-login: Login aborted: Connection closed: "
                "SSL_accept() failed: error:0A0000C1:SSL routines::no shared cipher (disconnected during "
                "TLS handshake) (tls_handshake_not_finished): user=<>, rip=192.0.2.7, lip=192.0.2.1, "
                "TLS handshaking: SSL_accept() failed: error:0A0000C1:SSL routines::no shared cipher, "
                "session=<Q23ybvY8RLSkXGoP>",
                "real",
                reason="Connection closed: SSL_accept() failed: error:0A0000C1:SSL routines::no shared cipher",
                detail="disconnected during TLS handshake", event_reason="tls_handshake_not_finished",
                ip="192.0.2.7", tls_error="SSL_accept() failed: error:0A0000C1:SSL routines::no shared cipher",
                session="Q23ybvY8RLSkXGoP",
            ),
            _s(
                "Aug 31 16:15:10 s166-62-100-187 dovecot: imap-login: Disconnected (client didn't finish "
                "SASL auth, waited 2 secs): user=<>, method=PLAIN, rip=192.0.2.6, lip=192.168.1.2, TLS: "
                "SSL_read() syscall failed: Connection reset by peer, TLSv1.2 with cipher "
                "DHE-RSA-AES256-GCM-SHA384 (256/256 bits)",
                "real", auth_secs=2, ip="192.0.2.6", tls="TLS",
                tls_error="SSL_read() syscall failed: Connection reset by peer",
                tls_cipher="TLSv1.2 with cipher DHE-RSA-AES256-GCM-SHA384 (256/256 bits)",
            ),
        ),
        _ev("login-aborted"),
    ),
    # 2.3.21 (auth_verbose) / 2.4.1: client_log() "Login failed: %s"
    Pattern(
        "login_failed_reason",
        ("Login failed: ",),
        rf"^{LOGIN_PFX}Login failed: (?P<reason>.*?)(?:: {ELEMENTS})?$",
        '"Login failed: %s" (SSL required for authentication, Plaintext/Cleartext authentication disabled) + elements',
        (
            _s(
                SYS + "imap-login: Login failed: Plaintext authentication disabled: user=<>, "
                "rip=203.0.113.5, lip=192.0.2.10, session=<kBvX2n8kHN/LqwAB>",
                reason="Plaintext authentication disabled", user="", ip="203.0.113.5",
            ),
        ),
        _ev("login-failed"),
    ),
    # 2.2 "proxy(%s): started proxying to %s:%u", 2.3 "Started proxying to <IP>..." ...
    Pattern(
        "login_proxy",
        ("proxy(", "Started proxying"),
        rf"^{LOGIN_PFX}(?P<text>(?:proxy\(|Started proxying).*?)(?:: {ELEMENTS})?$",
        '2.2 "proxy(%s): started proxying to %s:%u", 2.3 "Started proxying to %s", 2.4 "Started proxying to remote host"',
        (
            _s(
                SYS + "imap-login: proxy(alice): started proxying to 192.0.2.20:143: user=<alice>, "
                "method=PLAIN, rip=203.0.113.5, lip=192.0.2.10",
                text="proxy(alice): started proxying to 192.0.2.20:143", user="alice", ip="203.0.113.5",
            ),
        ),
        _ev("proxy"),
    ),
)

# ============================================================================================
# auth / auth-worker (formats.md 5.1)
# ============================================================================================

AUTH = (
    Pattern(
        "auth24_failed",
        AUTH_KEYS,
        rf"^{AUTH24_PFX}(?P<passdb>[a-z][a-z0-9_-]*): (?P<message>{AUTH_FAILED}.*)$",
        '2.4 get_log_prefix() "auth(%s,%s[,sasl:%s])<%s>: " + "<passdb>: <message>"',
        (
            _s(
                SYS + "auth(info@example.com,192.0.2.110,sasl:login)<CvN+E95Uf4e7eEnj>: sql: Password "
                "mismatch (given password: XxxxXXxx123)",
                process="auth", user="info@example.com", ip="192.0.2.110", method="login",
                session="CvN+E95Uf4e7eEnj", passdb="sql",
                message="Password mismatch (given password: XxxxXXxx123)",
            ),
        ),
        _ev("auth-failed"),
    ),
    Pattern(
        "auth24",
        AUTH_KEYS,
        rf"^{AUTH24_PFX}(?P<passdb>[a-z][a-z0-9_-]*): (?P<message>.*)$",
        '2.4 "auth(...)<%s>: <passdb>: <message>" (any other message)',
        (
            _s(
                SYS + "auth(alice,203.0.113.5)<kBvX2n8kHN/LqwAB>: Warning: ldap: Lookup failed: timeout",
                level="warning", passdb="ldap", message="Lookup failed: timeout", user="alice",
            ),
        ),
        _ev("auth"),
    ),
    Pattern(
        "passdb_failed",
        AUTH_KEYS,
        rf"^{AUTH_PFX}{PASSDB}(?P<message>{AUTH_FAILED}.*)$",
        '"%s(%s,%s): " (passdb, user, ip; 2.3 ",<%s>" session) + "unknown user" | "Password mismatch" | '
        '"pam_authenticate() failed: %s" ...',
        (
            _s(
                "Jan 29 05:13:50 mail dovecot: auth: passwd-file(username,1.2.3.4): unknown user",
                "real", process="auth", passdb="passwd-file", user="username", ip="1.2.3.4",
                message="unknown user", session=None,
            ),
            _s(
                "Jun 15 13:57:41 hostname dovecot: auth-worker(3270): conn unix:auth-worker "
                "(pid=27359,uid=97): auth-worker<128>: pam(webapps,192.0.2.7): pam_authenticate() "
                "failed: Authentication failure (Password mismatch?)",
                "real", process="auth-worker", process_pid=3270, passdb="pam", user="webapps", ip="192.0.2.7",
            ),
            _s(
                "Jan 29 13:54:06 auth: Info: sql(admin@example.de,192.0.2.5,<n4JLdHNVngZGpV2j>): unknown user",
                level="info", process=None, passdb="sql", user="admin@example.de", ip="192.0.2.5",
                session="n4JLdHNVngZGpV2j",
            ),
        ),
        _ev("auth-failed"),
    ),
    Pattern(
        "passdb",
        AUTH_KEYS,
        rf"^{AUTH_PFX}{PASSDB}(?P<message>.*)$",
        '"%s(%s,%s): %s" any other passdb/userdb message',
        (
            _s(
                SYS + "auth: Error: ldap(alice,203.0.113.5,<kBvX2n8kHN/LqwAB>): ldap_bind() failed: Timeout",
                level="error", passdb="ldap", user="alice", message="ldap_bind() failed: Timeout",
            ),
        ),
        _ev("auth"),
    ),
    # Linux-PAM pam_unix: "authentication failure; logname=%s uid=%d euid=%d tty=%s ruser=%s rhost=%s%s%s"
    Pattern(
        "pam_unix",
        ("pam_unix(", ""),
        r"^" + DC + r"(?:(?P<process>[a-z][a-z0-9-]*)(?:\((?P<service_user>[^()]*)\))?: )?" + LEVEL
        + r"pam_unix\([^()]*\): authentication failure; logname=\S* uid=[0-9]+ euid=[0-9]+ tty=\S* "
        rf"ruser=(?P<user>.*) rhost=(?P<remote>(?P<ip>{IPX})|\S*)(?:  user=\S*)?$",
        'pam_unix "authentication failure; logname=%s uid=%d euid=%d tty=%s ruser=%s rhost=%s%s%s"',
        (
            _s(
                "Apr 19 05:22:20 vm5 auth: pam_unix(dovecot:auth): authentication failure; logname= "
                "uid=0 euid=0 tty=dovecot ruser=informix rhost=80.255.3.104",
                "real", user="informix", ip="80.255.3.104", remote="80.255.3.104", passdb="pam",
            ),
            _s(
                "Sep 16 07:51:00 mail dovecot-auth: pam_unix(dovecot:auth): authentication failure; "
                "logname= uid=0 euid=0 tty=dovecot ruser=rhost=1.2.3.4 rhost=192.0.43.10",
                user="rhost=1.2.3.4", ip="192.0.43.10",
            ),
            _s(
                "Sep 16 07:51:00 mail dovecot-auth: pam_unix(dovecot:auth): authentication failure; "
                "logname= uid=0 euid=0 tty=dovecot ruser=root rhost=client.example.org  user=root",
                user="root", ip=None, remote="client.example.org",
            ),
        ),
        _ev("auth-failed", passdb="pam"),
    ),
)

# ============================================================================================
# LMTP and delivery (formats.md 5.4)
# ============================================================================================

LMTP = (
    Pattern(
        "lmtp_connect",
        ("Connect from ",),
        rf"^{PID_PFX}Connect from (?P<remote>(?P<ip>\S+))$",
        '"Connect from %s" (client_remote_id(): address or "local")',
        (
            _s("Mar 22 18:18:15 host dovecot: lmtp(22587): Connect from local", "real",
               process="lmtp", process_pid=22587, remote="local", ip=None),
            _s(SYS + "lmtp(60211): Connect from 192.0.2.25", remote="192.0.2.25", ip="192.0.2.25"),
        ),
        _ev("lmtp-connect"),
    ),
    Pattern(
        "lmtp_disconnect",
        ("Disconnect from ",),
        rf"^{PID_PFX}Disconnect from (?P<remote>(?P<ip>\S+?)): (?P<reason>.*?)"
        r"(?: \((?:in |state ?= ?)(?P<state>[A-Za-z][A-Za-z ]*)\))?$",
        '"Disconnect from %s: %s": 2.2 "Successful quit" / "%s (in %s)"; 2.3.0-2.3.2 " (state = %s)", '
        '2.3.3+ lib-smtp "%s (state=%s)"',
        (
            _s("Mar 22 18:18:16 host dovecot: lmtp(22587): Disconnect from local: Client quit (in reset)",
               "real", remote="local", reason="Client quit", state="reset"),
            _s(SYS + "lmtp(60211): Disconnect from local: Logged out (state=READY)",
               process_pid=60211, reason="Logged out", state="READY"),
            _s(SYS + "lmtp(60211): Disconnect from 2001:db8::25: Client has quit the connection (state = READY)",
               ip="2001:db8::25", reason="Client has quit the connection", state="READY"),
        ),
        _ev("lmtp-disconnect"),
    ),
    # deliver_log_format "msgid=%m: %$"; mail_deliver_save() "saved mail to %s"
    Pattern(
        "delivered",
        ("msgid=", ""),
        rf"^{DELIV_PFX}msgid=(?P<message_id>[^ ]*): saved mail to (?P<mailbox>.*)$",
        '"msgid=%m: " + "saved mail to %s"',
        (
            _s(
                "Mar 22 18:18:15 host dovecot: lmtp(22587, email1@example.com): 5GjrDafYTFE7WAAABf1gKA: "
                "msgid=<D4887A5E-DEAC-45CE-BDDF-3C89DEA84236@linode.com>: saved mail to INBOX",
                "real", process="lmtp", process_pid=22587, service_user="email1@example.com",
                session="5GjrDafYTFE7WAAABf1gKA",
                message_id="<D4887A5E-DEAC-45CE-BDDF-3C89DEA84236@linode.com>", mailbox="INBOX",
            ),
            _s(
                "Oct 19 14:14:38 host dovecot: lmtp(username): iUi8BBUI2FRbfgAAA15QOA: "
                "msgid=<E1YKcnl-0001q3-UM@example.com>: saved mail to INBOX",
                "real", service_user="username", process_pid=None, session="iUi8BBUI2FRbfgAAA15QOA",
            ),
            _s(
                SYS + "lmtp(alice@example.org)<60211><gH3kLxA4Q2cz6wAAbNv6Tg:T2>: "
                "msgid=<20241124090003.ABC@example.net>: saved mail to INBOX/Junk",
                service_user="alice@example.org", mpid=60211, session="gH3kLxA4Q2cz6wAAbNv6Tg:T2",
                message_id="<20241124090003.ABC@example.net>", mailbox="INBOX/Junk",
            ),
        ),
        _ev("delivered"),
    ),
    Pattern(
        "save_failed",
        ("msgid=", ""),
        rf"^{DELIV_PFX}msgid=(?P<message_id>[^ ]*): save failed to (?:open mailbox )?"
        r"(?P<mailbox>.*?): (?P<reason>.*)$",
        '"save failed to %s: %s", "save failed to open mailbox %s: %s"',
        (
            _s(
                SYS + "lmtp(bob@example.org)<60211><gH3kLxA4Q2cz6wAAbNv6Tg:R2>: Error: "
                "msgid=<20241124090003.ABC@example.net>: save failed to INBOX: Quota exceeded (mailbox for user is full)",
                level="error", session="gH3kLxA4Q2cz6wAAbNv6Tg:R2", mailbox="INBOX",
                reason="Quota exceeded (mailbox for user is full)",
            ),
        ),
        _ev("save-failed"),
    ),
    Pattern(
        "rejected",
        ("msgid=", ""),
        rf"^{DELIV_PFX}msgid=(?P<message_id>[^ ]*): rejected: (?P<reason>.*)$",
        'dovecot-lda "rejected: %s"',
        (
            _s(
                SYS + "lmtp(carol@example.org)<60211><gH3kLxA4Q2cz6wAAbNv6Tg:2>: "
                "msgid=<x1@example.net>: rejected: Quota exceeded (mailbox for user is full)",
                session="gH3kLxA4Q2cz6wAAbNv6Tg:2", message_id="<x1@example.net>",
                reason="Quota exceeded (mailbox for user is full)",
            ),
        ),
        _ev("rejected"),
    ),
    Pattern(
        "discarded",
        ("msgid=", ""),
        rf"^{DELIV_PFX}msgid=(?P<message_id>[^ ]*): Auto-submitted message discarded: (?P<reason>.*)$",
        '"msgid=%s: Auto-submitted message discarded: %s"',
        (
            _s(
                SYS + "lda(alice)<1640><8ntICTWUfmloBgAA8Bi3+g>: msgid=<x2@example.net>: "
                "Auto-submitted message discarded: Quota exceeded",
                process="lda", mpid=1640, reason="Quota exceeded",
            ),
        ),
        _ev("discarded"),
    ),
    Pattern(
        "delivery_other",
        ("msgid=", ""),
        rf"^{DELIV_PFX}msgid=(?P<message_id>[^ ]*): (?P<text>.*)$",
        '"msgid=%s: Return-Path missing, rejection reason: %s", "Permanently failed to send rejection: %s" ...',
        (
            _s(
                SYS + "lda(alice)<1640><8ntICTWUfmloBgAA8Bi3+g>: msgid=<x3@example.net>: Return-Path "
                "missing, rejection reason: Quota exceeded",
                text="Return-Path missing, rejection reason: Quota exceeded", message_id="<x3@example.net>",
            ),
        ),
        _ev("delivery-other"),
    ),
    # Pigeonhole (real sample only): "sieve: msgid=%s: [fileinto action: ]stored mail into mailbox '%s'"
    Pattern(
        "sieve_stored",
        ("sieve: ",),
        rf"^{DELIV_PFX}sieve: msgid=(?P<message_id>[^ ]*): (?:(?P<sieve_action>[a-z]+) action: )?"
        r"stored mail into mailbox '(?P<mailbox>.*)'$",
        "sieve: msgid=%s: [fileinto action: ]stored mail into mailbox '%s'",
        (
            _s(
                SYS + "lmtp(alice@example.org)<60211><gH3kLxA4Q2cz6wAAbNv6Tg>: sieve: "
                "msgid=<20241124090003.ABC@example.net>: stored mail into mailbox 'INBOX'",
                mailbox="INBOX", sieve_action=None, mpid=60211,
            ),
            _s(
                SYS + "lmtp(alice@example.org)<60211><gH3kLxA4Q2cz6wAAbNv6Tg:T2:R3>: sieve: "
                "msgid=<x4@example.net>: fileinto action: stored mail into mailbox 'Lists/dev ops'",
                mailbox="Lists/dev ops", sieve_action="fileinto", session="gH3kLxA4Q2cz6wAAbNv6Tg:T2:R3",
            ),
        ),
        _ev("delivered"),
    ),
    Pattern(
        "sieve_other",
        ("sieve: ",),
        rf"^{DELIV_PFX}sieve: msgid=(?P<message_id>[^ ]*): (?P<text>.*)$",
        "sieve: msgid=%s: <action result>",
        (
            _s(
                SYS + "lmtp(alice@example.org)<60211><gH3kLxA4Q2cz6wAAbNv6Tg>: sieve: "
                "msgid=<x5@example.net>: forwarded to <bob@example.net>",
                text="forwarded to <bob@example.net>",
            ),
        ),
        _ev("sieve"),
    ),
)

# ============================================================================================
# imap / pop3 logout (formats.md 5.3)
# ============================================================================================

LOGOUT = (
    Pattern(
        "imap_logout",
        LOGOUT_KEYS,
        rf"^{MAIL_PFX}(?:Disconnected: )?(?P<reason>.*?)"
        r"(?: \((?P<command_status>[^()]*?(?:, state=(?P<state>[a-z-]+))?)\))?"
        r" in=(?P<in_bytes>[0-9]+) out=(?P<out_bytes>[0-9]+)"
        r"(?: deleted=(?P<deleted>[0-9]+) expunged=(?P<expunged>[0-9]+) trashed=(?P<trashed>[0-9]+)"
        r" hdr_count=(?P<hdr_count>[0-9]+) hdr_bytes=(?P<hdr_bytes>[0-9]+)"
        r" body_count=(?P<body_count>[0-9]+) body_bytes=(?P<body_bytes>[0-9]+))?$",
        '2.2.0-2.2.19 "Disconnected: %s %s" (LOGOUT) / "%s %s"; 2.2.20-2.3.14 "%s %s"; 2.3.15+ '
        '"Disconnected: %s %s"; imap_logout_format "in=%i out=%o[ deleted=... body_bytes=...]"',
        (
            _s(
                SYS + "imap(alice)<48213><kBvX2n8kHN/LqwAB>: Disconnected: Logged out in=1234 out=5678 "
                "deleted=0 expunged=0 trashed=0 hdr_count=0 hdr_bytes=0 body_count=1 body_bytes=2345",
                process="imap", service_user="alice", mpid=48213, session="kBvX2n8kHN/LqwAB",
                reason="Logged out", in_bytes=1234, out_bytes=5678, body_count=1, body_bytes=2345,
            ),
            _s(SYS + "imap(alice): Logged out in=1234 out=5678", reason="Logged out", in_bytes=1234,
               deleted=None),
            _s(
                SYS + "imap(alice)<48213><kBvX2n8kHN/LqwAB>: Disconnected: Connection closed (IDLE running "
                "for 0.001 + waiting input for 1740.089 secs, 2 B in + 10 B out, state=wait-input) "
                "in=1200 out=45000 deleted=0 expunged=0 trashed=0 hdr_count=0 hdr_bytes=0 body_count=0 body_bytes=0",
                reason="Connection closed", state="wait-input",
                command_status="IDLE running for 0.001 + waiting input for 1740.089 secs, 2 B in + 10 B out, state=wait-input",
            ),
        ),
        _ev("logout"),
    ),
    Pattern(
        "pop3_logout",
        LOGOUT_KEYS,
        rf"^{MAIL_PFX}(?:Disconnected: )?(?P<reason>.*?) top=(?P<top_count>[0-9]+)/(?P<top_bytes>[0-9]+), "
        r"retr=(?P<retr_count>[0-9]+)/(?P<retr_bytes>[0-9]+), del=(?P<del_count>[0-9]+)/(?P<del_total>[0-9]+), "
        r"size=(?P<size>[0-9]+)$",
        'QUIT "Disconnected: %s %s", others "%s %s" (<= 2.3.14) / "Disconnected: %s %s" (2.3.15+); '
        'pop3_logout_format "top=%t/%p, retr=%r/%b, del=%d/%m, size=%s"',
        (
            _s(SYS + "pop3(bob): Disconnected: Logged out top=0/0, retr=1/2345, del=1/1, size=2345",
               process="pop3", service_user="bob", reason="Logged out", retr_count=1, retr_bytes=2345,
               del_count=1, del_total=1, size=2345),
            _s(SYS + "pop3(bob): Connection closed: Connection reset by peer top=0/0, retr=2/8233, del=2/2, size=8233",
               reason="Connection closed: Connection reset by peer", retr_count=2),
            _s(SYS + "pop3(bob)<5120><pQ3Xx8kHN/LqwAB>: Disconnected: Inactivity - no input for 600 secs "
               "top=0/0, retr=0/0, del=0/0, size=0", reason="Inactivity - no input for 600 secs", mpid=5120),
        ),
        _ev("logout"),
    ),
)

# ============================================================================================
# catch-all
# ============================================================================================

OTHER = (
    Pattern(
        "other_pid",
        ALL,
        r"^" + DC + r"(?P<process>[a-z][a-z0-9-]*)\((?P<process_pid>[0-9]+)\): " + LEVEL + r"(?P<text>.*)$",
        "any other line of a `name(PID): ` process (lmtp, auth-worker)",
        (
            _s(SYS + "auth-worker(304): Error: mysql(localhost): Connect failed to database (mail): Can't connect",
               process="auth-worker", process_pid=304, level="error",
               text="mysql(localhost): Connect failed to database (mail): Can't connect"),
        ),
        _ev("other"),
    ),
    Pattern(
        "other",
        ALL,
        r"^" + DC + r"(?:(?P<process>[a-z][a-z0-9-]*)(?:\((?P<service_user>[^()]*)\))?"
        r"(?:<(?P<mpid>[0-9]+)>)?(?:<(?P<session>[^<>]*)>)?: )?" + LEVEL + r"(?P<text>.*)$",
        "any other Dovecot line: [process prefix: ][Level: ]text",
        (
            _s(SYS + "master: Dovecot v2.3.21 (47349e2482) starting up for imap, lmtp",
               process="master", level=None, text="Dovecot v2.3.21 (47349e2482) starting up for imap, lmtp"),
            _s("Nov 24 10:01:00 master: Warning: Killed with signal 15 (by pid=1 uid=0 code=kill)",
               process=None, level="warning", text="Killed with signal 15 (by pid=1 uid=0 code=kill)"),
            _s(JD + "imap(alice)<48213><kBvX2n8kHN/LqwAB>: Error: Mailbox INBOX: UID 5 lost",
               process="imap", service_user="alice", mpid=48213, level="error", text="Mailbox INBOX: UID 5 lost"),
        ),
        _ev("other"),
    ),
)

NEGATIVES = (
    Negative(
        SYS + "imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<x>, rip=6.6.6.6>, "
        "method=PLAIN, rip=203.0.113.5, lip=192.0.2.10, TLS, session=<kBvX2n8kHN/LqwAB>",
        "a login name carrying `>, rip=` must not replace the client address: user runs to the LAST "
        "`>, ` that starts a complete element list",
        {"user": "x>, rip=6.6.6.6", "ip": "203.0.113.5", "method": "PLAIN", "auth_attempts": 1},
    ),
    Negative(
        SYS + "imap-login: Login: user=<a>, method=PLAIN, rip=6.6.6.6, lip=6.6.6.7, mpid=1, TLS, "
        "session=<evil>, method=PLAIN, rip=203.0.113.5, lip=192.0.2.10, mpid=48213, TLS, session=<kBvX2n8kHN/LqwAB>",
        "a login name faking a whole element list stays in user",
        {
            "user": "a>, method=PLAIN, rip=6.6.6.6, lip=6.6.6.7, mpid=1, TLS, session=<evil",
            "ip": "203.0.113.5", "mpid": 48213, "session": "kBvX2n8kHN/LqwAB",
        },
    ),
    Negative(
        SYS + "imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<x (auth failed, 9 "
        "attempts in 9 secs): user=<y>, rip=203.0.113.5, lip=192.0.2.10",
        "a login name faking a second closure detail: the detail is the FIRST one, the rest is user",
        {"auth_attempts": 1, "user": "x (auth failed, 9 attempts in 9 secs): user=<y", "ip": "203.0.113.5"},
    ),
    Negative(
        "Jan 29 05:13:50 mail dovecot: auth: passwd-file(x,6.6.6.6): unknown user,203.0.113.5): unknown user",
        "a passdb user carrying `,IP): unknown user` must not replace the address: the LAST `,IP): ` wins",
        {"user": "x,6.6.6.6): unknown user", "ip": "203.0.113.5", "event": "auth-failed"},
    ),
    Negative(
        SYS + "auth(x,6.6.6.6)<a>: sql: Password mismatch,203.0.113.5,sasl:plain)<kBvX2n8kHN/LqwAB>: sql: "
        "Password mismatch",
        "2.4 auth prefix: a user faking a whole prefix stays in user",
        {"user": "x,6.6.6.6)<a>: sql: Password mismatch", "ip": "203.0.113.5", "session": "kBvX2n8kHN/LqwAB"},
    ),
    Negative(
        "Sep 16 07:51:00 mail dovecot-auth: pam_unix(dovecot:auth): authentication failure; logname= uid=0 "
        "euid=0 tty=dovecot ruser=a rhost=6.6.6.6  user=b rhost=203.0.113.5  user=root",
        "PAM ruser faking rhost= and user=: the LAST ` rhost=` is the address",
        {"user": "a rhost=6.6.6.6  user=b", "ip": "203.0.113.5"},
    ),
    Negative(
        SYS + "lmtp(alice@example.org)<60211><gH3kLxA4Q2cz6wAAbNv6Tg>: msgid=<a>: saved mail to Spam: "
        "saved mail to INBOX",
        "a detail mailbox cannot fake the Message-ID; the space-free msgid ends at its first `: `",
        {"message_id": "<a>", "mailbox": "Spam: saved mail to INBOX", "event": "delivered"},
    ),
    Negative(
        SYS + "imap-login: Disconnected: a: a: a: a: a: a: a: a: a: a: a: a: a: a: a: a: a: a: a: a: a: a: test no match",
        "no element list (fail2ban GHSA-33wh-ccjc-p397): not a login row, kept by the catch-all",
        {"event": "other", "ip": None, "process": "imap-login"},
    ),
)

PROGRAMS = (
    "dovecot",
    # shape (b): process names of Dovecot's own log file (no parentheses, see module doc)
    "imap-login", "pop3-login", "submission-login", "managesieve-login", "imap-urlauth-login",
    "imap", "pop3", "submission", "managesieve", "lmtp", "lda", "dovecot-lda", "deliver",
    "auth", "auth-worker", "dovecot-auth", "master", "anvil", "indexer", "indexer-worker",
    "doveadm", "imap-hibernate", "imap-urlauth", "quota-status", "replicator", "director",
)  # fmt: skip

DOVECOT = Parser(
    name="dovecot",
    table="dovecot_events",
    description=(
        "Dovecot 2.0-2.4: logins and failed/aborted logins (every version's wording), auth/passdb "
        "failures, imap/pop3 logouts with counters, LMTP connections and deliveries, sieve "
        "deliveries, and any other Dovecot line (formats.md section 5)"
    ),
    programs=PROGRAMS,
    version="1",
    router=ROUTER,
    fields=FIELDS,
    patterns=LOGIN + AUTH + LMTP + LOGOUT + OTHER,
    negatives=NEGATIVES,
)
