"""Per-version log line formatters for the simulator (formats.md 1.1-1.6b, 5).

`SMTPD[family]` writes one simulated smtpd event in the lines an OpenSMTPD family logs;
`DOVECOT[version]` does the same for Dovecot. The simulation (core.py) calls the same methods in
the same order for every family and never draws randomness here, so the event stream (and the
truth) is identical across families; family E / Dovecot 2.3 reproduce the original output.

Families: A 5.4/5.9 (written as 5.9.2: `version=TLSv1.2` from SSL_get_version), B 5.7.3,
C 6.0.3, D 6.4.2, E 6.6..7.8.
"""

from __future__ import annotations

# formats.md 1.1: old OpenSSL/LibreSSL has no TLSv1.3; the E cipher list maps to these
_OLD_CIPHERS = {"TLS_AES_256_GCM_SHA384": "ECDHE-RSA-AES256-GCM-SHA384",
                "TLS_CHACHA20_POLY1305_SHA256": "ECDHE-RSA-CHACHA20-POLY1305"}


def _old_tls(e_text: str) -> tuple[str, str, str]:
    """"TLSv1.3:TLS_AES_256_GCM_SHA384:256" -> ("TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384", "256")."""
    _, cipher, bits = e_text.split(":")
    return "TLSv1.2", _OLD_CIPHERS.get(cipher, cipher), bits


def addr_text(ip: str, family: str) -> str:
    """ss_to_text(): IPv6 is `IPv6:2001:db8::1` up to 6.4 (A-D), `[2001:db8::1]` from 6.6 (E)."""
    if ":" in ip:
        return f"[{ip}]" if family == "E" else f"IPv6:{ip}"
    return ip


class SmtpdE:
    """OpenSMTPD 6.6 .. 7.8 (formats.md 1.2)."""

    family = "E"
    version = "7.8.0p1"

    def __init__(self):
        self.sessions: dict[str, tuple[str, str]] = {}  # smtp session -> (address, host)

    # -- helpers
    @staticmethod
    def push(h, t, text):
        h.smtpd(t, text)

    def ah(self, s):
        a, n = self.sessions.get(s, ("-", "-"))
        return f"address={a} host={n}"

    def data_reply(self, msgid: str) -> str:
        """smtpd's DATA reply (1.6b): no colon from 6.6 on."""
        return f"250 2.0.0 {msgid} Message accepted for delivery"

    def invalid_rcpt(self, rc: str) -> str:
        return f"550 Invalid recipient: <{rc}>"

    # -- process
    def starting(self, h, t):
        self.push(h, t, f"info: OpenSMTPD {self.version} starting")

    # -- smtp (inbound)
    def connected(self, h, t, s, addr, rdns):
        addr = addr_text(addr, self.family)
        self.sessions[s] = (addr, rdns)
        self.push(h, t, f"{s} smtp connected address={addr} host={rdns}")

    def tls(self, h, t, s, tls):
        self.push(h, t, f"{s} smtp tls ciphers={tls}")

    def auth(self, h, t, s, user, result):
        self.push(h, t, f"{s} smtp authentication user={user} result={result}")

    def auth_failed_command(self, h, t, s, command):
        self.push(h, t, f'{s} smtp failed-command command="{command}" result="535 Authentication failed"')

    def rcpt_rejected(self, h, t, s, rc):
        self.push(h, t, f'{s} smtp failed-command command="RCPT TO:<{rc}>" result="{self.invalid_rcpt(rc)}"')

    def accepted(self, h, t, s, msgid, evpids, sender, rcpts, size):
        self.push(h, t, f"{s} smtp message msgid={msgid} size={size} nrcpt={len(rcpts)} proto=ESMTP")
        for ev, rc in zip(evpids, rcpts):
            self.push(h, t, f"{s} smtp envelope evpid={ev} from=<{sender}> to=<{rc}>")

    def disconnected(self, h, t, s, reason="quit"):
        self.push(h, t, f"{s} smtp disconnected reason={reason}")
        self.sessions.pop(s, None)

    # -- mta (relaying)
    def mta_connecting(self, h, t, s, ip, port, name):
        self.push(h, t, f"{s} mta connecting address=smtp://{addr_text(ip, self.family)}:{port} host={name}")

    def mta_connected(self, h, t, s):
        self.push(h, t, f"{s} mta connected")

    def mta_tls(self, h, t, s, tls):
        self.push(h, t, f"{s} mta tls ciphers={tls}")

    def mta_delivery(self, h, t, s, evpid, frm, to, source, relay, delay, result, stat):
        self.push(h, t, f'{s} mta delivery evpid={evpid} from=<{frm}> to=<{to}> rcpt=<-> source="{source}" '
                        f'relay="{relay}" delay={delay} result="{result}" stat="{stat}"')

    def mta_disconnected(self, h, t, s, messages):
        self.push(h, t, f"{s} mta disconnected reason=quit messages={messages}")

    # -- mda (local delivery through LMTP)
    def mda_delivery(self, h, t, s, evpid, frm, to, user, delay):
        self.push(h, t, f"{s} mda delivery evpid={evpid} from=<{frm}> to=<{to}> rcpt=<{to}> user={user} "
                        f"delay={delay} result=Ok stat=Delivered")


class SmtpdD(SmtpdE):
    """OpenSMTPD 6.4.x (formats.md 1.3)."""

    family = "D"
    version = "6.4.2p1"

    def data_reply(self, msgid):
        return f"250 2.0.0: {msgid} Message accepted for delivery"

    def invalid_rcpt(self, rc):
        return "550 Invalid recipient"

    @staticmethod
    def tls_text(tls):
        v, c, b = _old_tls(tls)
        return f"version={v}, cipher={c}, bits={b}"

    def tls(self, h, t, s, tls):
        self.push(h, t, f'{s} smtp starttls {self.ah(s)} ciphers="{self.tls_text(tls)}"')

    def auth(self, h, t, s, user, result):
        self.push(h, t, f"{s} smtp authentication user={user} {self.ah(s)} result={result}")

    def auth_failed_command(self, h, t, s, command):
        self.push(h, t, f'{s} smtp failed-command {self.ah(s)} command="{command}" result="535 Authentication failed"')

    def rcpt_rejected(self, h, t, s, rc):
        self.push(h, t, f'{s} smtp failed-command {self.ah(s)} command="RCPT TO:<{rc}>" result="{self.invalid_rcpt(rc)}"')

    def accepted(self, h, t, s, msgid, evpids, sender, rcpts, size):
        for rc in rcpts:  # one line per recipient, no evpid
            self.push(h, t, f"{s} smtp message {self.ah(s)} msgid={msgid} from=<{sender}> to=<{rc}> "
                            f"size={size} ndest={len(rcpts)} proto=ESMTP")

    def disconnected(self, h, t, s, reason="quit"):
        self.push(h, t, f"{s} smtp disconnected {self.ah(s)} reason={reason}")
        self.sessions.pop(s, None)

    def mta_tls(self, h, t, s, tls):
        self.push(h, t, f"{s} mta starttls ciphers={self.tls_text(tls)}")  # unquoted (1.1)

    def mda_delivery(self, h, t, s, evpid, frm, to, user, delay):
        # 6.4 hard-codes the session argument to 0
        self.push(h, t, f"0000000000000000 mda delivery evpid={evpid} from=<{frm}> to=<{to}> rcpt=<{to}> "
                        f"user={user} delay={delay} result=Ok stat=Delivered")


class SmtpdC(SmtpdD):
    """OpenSMTPD 6.0.x (formats.md 1.4): `event=NAME`, session end `closed`."""

    family = "C"
    version = "6.0.3p1"

    def connected(self, h, t, s, addr, rdns):
        addr = addr_text(addr, self.family)
        self.sessions[s] = (addr, rdns)
        self.push(h, t, f"{s} smtp event=connected address={addr} host={rdns}")

    def tls(self, h, t, s, tls):
        self.push(h, t, f'{s} smtp event=starttls {self.ah(s)} ciphers="{self.tls_text(tls)}"')

    def auth(self, h, t, s, user, result):
        self.push(h, t, f"{s} smtp event=authentication user={user} {self.ah(s)} result={result}")

    def auth_failed_command(self, h, t, s, command):
        self.push(h, t, f'{s} smtp event=failed-command {self.ah(s)} command="{command}" '
                        f'result="535 Authentication failed"')

    def rcpt_rejected(self, h, t, s, rc):
        self.push(h, t, f'{s} smtp event=failed-command {self.ah(s)} command="RCPT TO:<{rc}>" '
                        f'result="{self.invalid_rcpt(rc)}"')

    def accepted(self, h, t, s, msgid, evpids, sender, rcpts, size):
        for rc in rcpts:
            self.push(h, t, f"{s} smtp event=message {self.ah(s)} msgid={msgid} from=<{sender}> to=<{rc}> "
                            f"size={size} ndest={len(rcpts)} proto=ESMTP")

    def disconnected(self, h, t, s, reason="quit"):
        self.push(h, t, f"{s} smtp event=closed {self.ah(s)} reason={reason}")
        self.sessions.pop(s, None)

    def mta_connecting(self, h, t, s, ip, port, name):
        self.push(h, t, f"{s} mta event=connecting address=smtp://{addr_text(ip, self.family)}:{port} host={name}")

    def mta_connected(self, h, t, s):
        self.push(h, t, f"{s} mta event=connected")

    def mta_tls(self, h, t, s, tls):
        self.push(h, t, f"{s} mta event=starttls ciphers={self.tls_text(tls)}")  # unquoted

    def mta_delivery(self, h, t, s, evpid, frm, to, source, relay, delay, result, stat):
        self.push(h, t, f'{s} mta event=delivery evpid={evpid} from=<{frm}> to=<{to}> rcpt=<-> source="{source}" '
                        f'relay="{relay}" delay={delay} result="{result}" stat="{stat}"')

    def mta_disconnected(self, h, t, s, messages):
        self.push(h, t, f"{s} mta event=closed reason=quit messages={messages}")

    def mda_delivery(self, h, t, s, evpid, frm, to, user, delay, rcpt=None):
        # 6.0: rcpt omitted when equal to the destination; otherwise the "rcpt=<%s>, " comma quirk
        rc = f"rcpt=<{rcpt}>, " if rcpt and rcpt != to else ""
        self.push(h, t, f"0000000000000000 mda event=delivery evpid={evpid} from=<{frm}> to=<{to}> {rc}"
                        f"user={user} method=lmtp delay={delay} result=Ok stat=Delivered")


class SmtpdA(SmtpdD):
    """OpenSMTPD 5.4 / 5.9 (formats.md 1.5), written as 5.9.2."""

    family = "A"
    version = "5.9.2p1"

    def connected(self, h, t, s, addr, rdns):
        addr = addr_text(addr, self.family)
        self.sessions[s] = (addr, rdns)
        self.push(h, t, f"smtp-in: New session {s} from host {rdns} [{addr}]")

    def tls(self, h, t, s, tls):
        self.push(h, t, f"smtp-in: Started TLS on session {s}: {self.tls_text(tls)}")

    def auth(self, h, t, s, user, result):
        if result == "ok":
            self.push(h, t, f"smtp-in: Accepted authentication for user {user} on session {s}")
        else:
            self.push(h, t, f"smtp-in: Authentication failed for user {user} on session {s}")

    def auth_failed_command(self, h, t, s, command):
        self.push(h, t, f'smtp-in: Failed command on session {s}: "{command}" => 535 Authentication failed')

    def rcpt_rejected(self, h, t, s, rc):
        self.push(h, t, f'smtp-in: Failed command on session {s}: "RCPT TO:<{rc}>" => {self.invalid_rcpt(rc)}')

    def accepted(self, h, t, s, msgid, evpids, sender, rcpts, size):
        for rc in rcpts:
            self.push(h, t, f"smtp-in: Accepted message {msgid} on session {s}: from=<{sender}>, to=<{rc}>, "
                            f"size={size}, ndest={len(rcpts)}, proto=ESMTP")

    def disconnected(self, h, t, s, reason="quit"):
        if reason == "quit":
            self.push(h, t, f"smtp-in: Closing session {s}")
        else:
            self.push(h, t, f"smtp-in: Received disconnect from session {s}")
        self.sessions.pop(s, None)

    def mta_connecting(self, h, t, s, ip, port, name):
        self.push(h, t, f"smtp-out: Connecting to smtp://{addr_text(ip, self.family)}:{port} ({name}) on session {s}...")

    def mta_connected(self, h, t, s):
        self.push(h, t, f"smtp-out: Connected on session {s}")

    def mta_tls(self, h, t, s, tls):
        self.push(h, t, f"smtp-out: Started TLS on session {s}: {self.tls_text(tls)}")

    def mta_delivery(self, h, t, s, evpid, frm, to, source, relay, delay, result, stat):
        self.push(h, t, f"relay: {result} for {evpid}: session={s}, from=<{frm}>, to=<{to}>, rcpt=<->, "
                        f"source={source}, relay={relay}, delay={delay}, stat={stat}")

    def mta_disconnected(self, h, t, s, messages):
        self.push(h, t, f"smtp-out: Closing session {s}: {messages} message{'' if messages == 1 else 's'} sent.")

    def mda_delivery(self, h, t, s, evpid, frm, to, user, delay, rcpt=None):
        rc = f"rcpt=<{rcpt}>, " if rcpt and rcpt != to else ""
        self.push(h, t, f"delivery: Ok for {evpid}: from=<{frm}>, to=<{to}>, {rc}user={user}, method=lmtp, "
                        f"delay={delay}, stat=Delivered")


class SmtpdB(SmtpdA):
    """OpenSMTPD 5.7.x (formats.md 1.6)."""

    family = "B"
    version = "5.7.3p2"

    @staticmethod
    def tls_text(tls):
        v, c, b = _old_tls(tls)
        return f"version=TLSv1/SSLv3 ({v}), cipher={c}, bits={b}"

    def connected(self, h, t, s, addr, rdns):
        addr = addr_text(addr, self.family)
        self.sessions[s] = (addr, rdns)
        self.push(h, t, f"smtp-in: session {s}: connection from host {rdns} [{addr}] established")

    def tls(self, h, t, s, tls):
        self.push(h, t, f"smtp-in: session {s}: TLS started {self.tls_text(tls)}")

    def auth(self, h, t, s, user, result):
        if result == "ok":
            self.push(h, t, f"smtp-in: session {s}: authentication successful for user {user} ")  # sic, space
        else:
            self.push(h, t, f"smtp-in: session {s}: authentication failure for user {user}")

    def rcpt_rejected(self, h, t, s, rc):
        # 5.7 logs the command only, not the reply
        self.push(h, t, f'smtp-in: session {s}: received invalid command: "RCPT TO:<{rc}>"')

    def accepted(self, h, t, s, msgid, evpids, sender, rcpts, size):
        for rc in rcpts:
            self.push(h, t, f"smtp-in: session {s}: msgid={msgid}, status=Ok, from=<{sender}>, to=<{rc}>, "
                            f"size={size}, ndest={len(rcpts)}, proto=ESMTP")

    def disconnected(self, h, t, s, reason="quit"):
        addr, rdns = self.sessions.pop(s, ("-", "-"))
        why = "client sent QUIT" if reason == "quit" else "client disconnected"
        self.push(h, t, f"smtp-in: session {s}: connection from host {rdns} [{addr}] closed ({why})")

    def mta_connecting(self, h, t, s, ip, port, name):
        self.push(h, t, f"smtp-out: session {s}: connecting to smtp://{addr_text(ip, self.family)}:{port} ({name})")

    def mta_connected(self, h, t, s):
        pass  # 5.7 has no "connected" line

    def mta_tls(self, h, t, s, tls):
        self.push(h, t, f"smtp-out: session {s}: TLS started {self.tls_text(tls)}")

    def mta_delivery(self, h, t, s, evpid, frm, to, source, relay, delay, result, stat):
        self.push(h, t, f"smtp-out: session {s}: evpid={evpid}, status={result}, from=<{frm}>, to=<{to}>, "
                        f"rcpt=<->, source={source}, relay={relay}, delay={delay}, stat={stat}")

    def mta_disconnected(self, h, t, s, messages):
        self.push(h, t, f"smtp-out: session {s}: connection closed, {messages} message{'' if messages == 1 else 's'} sent.")


SMTPD = {"A": SmtpdA, "B": SmtpdB, "C": SmtpdC, "D": SmtpdD, "E": SmtpdE}


# ------------------------------------------------------------------------------------ Dovecot


class Dovecot23:
    """Dovecot 2.3.15+ (formats.md 5)."""

    version = "2.3"
    login_word = "Login"

    def login(self, proto, user, mech, rip, lip, mpid, sess):
        return (f"{proto}-login: {self.login_word}: user=<{user}>, method={mech}, rip={rip}, lip={lip}, "
                f"mpid={mpid}, TLS, session=<{sess}>")

    def auth_failed(self, user, rip, lip, sess):
        return (f"imap-login: Disconnected: Connection closed (auth failed, 1 attempts in 2 secs): "
                f"user=<{user}>, method=PLAIN, rip={rip}, lip={lip}, TLS, session=<{sess}>")

    def mail_prefix(self, proto, user, mpid, sess):
        return f"{proto}({user})<{mpid}><{sess}>: "

    def imap_logout(self, user, mpid, sess, i, o, bc, bb):
        return (f"{self.mail_prefix('imap', user, mpid, sess)}Disconnected: Logged out in={i} out={o} deleted=0 "
                f"expunged=0 trashed=0 hdr_count=0 hdr_bytes=0 body_count={bc} body_bytes={bb}")

    def pop3_logout(self, user, mpid, sess, n, b):
        return f"{self.mail_prefix('pop3', user, mpid, sess)}Disconnected: Logged out top=0/0, retr={n}/{b}, del={n}/{n}, size={b}"

    def lmtp_connect(self, lp):
        return f"lmtp({lp}): Connect from local"

    def lmtp_saved(self, rc, lp, sess, i, message_id, mailbox):
        suffix = f":R{i + 1}" if i else ""
        return f"lmtp({rc})<{lp}><{sess}{suffix}>: msgid={message_id}: saved mail to {mailbox}"

    def lmtp_disconnect(self, lp):
        return f"lmtp({lp}): Disconnect from local: Logged out (state=READY)"


class Dovecot22(Dovecot23):
    """Dovecot 2.2.28 .. 2.2.36: `user(name): ` prefixes without pid/session, logout without
    `Disconnected:` (imap, 2.2.20+), 2.2 `imap_logout_format`, LMTP `Successful quit`."""

    version = "2.2"

    def auth_failed(self, user, rip, lip, sess):
        return (f"imap-login: Disconnected (auth failed, 1 attempts in 2 secs): "
                f"user=<{user}>, method=PLAIN, rip={rip}, lip={lip}, TLS, session=<{sess}>")

    def mail_prefix(self, proto, user, mpid, sess):
        return f"{proto}({user}): "

    def imap_logout(self, user, mpid, sess, i, o, bc, bb):
        return f"imap({user}): Logged out in={i} out={o}"

    def pop3_logout(self, user, mpid, sess, n, b):
        # QUIT logs "Disconnected: %s %s" in all versions
        return f"pop3({user}): Disconnected: Logged out top=0/0, retr={n}/{b}, del={n}/{n}, size={b}"

    def lmtp_saved(self, rc, lp, sess, i, message_id, mailbox):
        return f"lmtp({rc}): msgid={message_id}: saved mail to {mailbox}"

    def lmtp_disconnect(self, lp):
        return f"lmtp({lp}): Disconnect from local: Successful quit"


class Dovecot24(Dovecot23):
    """Dovecot 2.4: `Logged in:`, `Login aborted: ... (auth_failed)`; mail/lmtp prefixes as 2.3."""

    version = "2.4"
    login_word = "Logged in"

    def auth_failed(self, user, rip, lip, sess):
        return (f"imap-login: Login aborted: Connection closed (auth failed, 1 attempts in 2 secs) (auth_failed): "
                f"user=<{user}>, method=PLAIN, rip={rip}, lip={lip}, TLS, session=<{sess}>")


DOVECOT = {"2.2": Dovecot22, "2.3": Dovecot23, "2.4": Dovecot24}
