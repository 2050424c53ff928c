"""Writes the hand-made samples in samples/handmade/ (samples/sim/ is `mxlog simulate`'s).

    python tests/make_samples.py

lab1/maillog.0.gz, lab1/maillog: two days of a small primary MX ("lab1") in family E
(OpenSMTPD 7.x) — inbound mail through the spampd loop (10025 -> 10026) to LMTP, outbound submissions through dkimproxy
(10027 -> 10028), a TempFail then Ok, a PermFail with its bounce, local mail, failed logins,
a `last message repeated` line and other programs' lines. legacy/maillog: every sample line of
families A-D declared in parsers/smtpd.py (5.4 to 6.4), one after another.
Addresses are documentation ranges; deterministic.
"""

from __future__ import annotations

import calendar
import gzip
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "samples" / "handmade"


class Day:
    def __init__(self, day: int, rng: random.Random):
        self.day, self.rng, self.t, self.lines = day, rng, 6 * 3600, []
        self.daemon = []  # /var/log/daemon: spamd, spamlogd, bgpd
        self.counter = rng.getrandbits(32)
        self.lmtp_pid = 60211

    def sid(self) -> str:
        self.counter += 1
        return "%08x%08x" % (self.counter & 0xFFFFFFFF, self.rng.getrandbits(32))

    def msgid(self) -> str:
        return "%08x" % self.rng.getrandbits(32)

    def log(self, text: str, prog: str = "smtpd[75295]", dt: int = 0):
        self.t += dt
        t = self.t
        self.lines.append(f"Nov {self.day:2d} {t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d} lab1 {prog}: {text}")

    def lines_with_time(self):
        for line in self.lines:
            hms = line[7:15]
            yield int(hms[:2]) * 3600 + int(hms[3:5]) * 60 + int(hms[6:8]), line

    def stamp(self, t: int) -> str:
        return f"Nov {self.day:2d} {t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d} lab1"

    def dlog(self, text: str, prog: str, t: int):
        self.daemon.append((t, f"{self.stamp(t)} {prog}: {text}"))

    def greylisted_first(self, ip, helo, sender, rcpt):
        """spamd saw this sender 25 minutes earlier, greylisted it, then whitelisted it."""
        t0 = self.t - 1500
        self.dlog(f"{ip}: connected (1/0)", "spamd[2922]", t0)
        self.dlog(f"(GREY) {ip}: <{sender}> -> <{rcpt}>", "spamd[2922]", t0 + 2)
        self.dlog(f"{ip}: disconnected after 3 seconds.", "spamd[2922]", t0 + 3)
        self.dlog(f"new entry {ip} from <{sender}> to <{rcpt}>, helo {helo}", "spamd[2921]", t0 + 3)
        self.dlog(f"{ip}: connected (1/0)", "spamd[2922]", t0 + 1200)
        self.dlog(f"(GREY) {ip}: <{sender}> -> <{rcpt}>", "spamd[2922]", t0 + 1202)
        self.dlog(f"{ip}: disconnected after 2 seconds.", "spamd[2922]", t0 + 1203)
        self.dlog(f"whitelisting {ip} in /var/db/spamd", "spamd[2921]", t0 + 1260)
        self.dlog(f"inbound {ip}", "spamlogd[7781]", self.t + 1)

    def inbound(self, ip, rdns, sender, rcpts, spam=False):
        s, relay, loop, lmtp = self.sid(), self.sid(), self.sid(), self.sid()
        m1, m2 = self.msgid(), self.msgid()
        header_id = f"<{self.day}{self.t:05d}.{m1}@{sender.split('@')[1]}>"
        ev1 = {r: m1 + "%08x" % self.rng.getrandbits(32) for r in rcpts}
        ev2 = {r: m2 + "%08x" % self.rng.getrandbits(32) for r in rcpts}
        size = self.rng.randint(2000, 80000)
        self.log(f"{s} smtp connected address={ip} host={rdns}", dt=self.rng.randint(30, 900))
        self.log(f"{s} smtp tls ciphers=TLSv1.3:TLS_AES_256_GCM_SHA384:256", dt=1)
        self.log(f"{s} smtp message msgid={m1} size={size} nrcpt={len(rcpts)} proto=ESMTP", dt=1)
        for r in rcpts:
            self.log(f"{s} smtp envelope evpid={ev1[r]} from=<{sender}> to=<{r}>")
        self.log(f"{s} smtp disconnected reason=quit")
        self.log(f"{relay} mta connecting address=smtp://127.0.0.1:10025 host=localhost", dt=1)
        self.log(f"{relay} mta connected")
        rcpt_text = ",".join(f"<{r}>" for r in rcpts)
        self.log(f"processing message {header_id} for {rcpt_text}", prog="spampd[3141]")
        score = self.rng.choice(["-0.10", "1.20", "0.00", "2.35"])
        self.log(
            f"clean message {header_id} ({score}/5.00) from <{sender}> for {rcpt_text} in 1.02s, {size} bytes, "
            f"with rules v1917487", prog="spampd[3141]", dt=1,
        )
        self.log(f"{loop} smtp connected address=127.0.0.1 host=localhost", dt=1)
        self.log(f"{loop} smtp message msgid={m2} size={size + 612} nrcpt={len(rcpts)} proto=ESMTP")
        for r in rcpts:
            self.log(f"{loop} smtp envelope evpid={ev2[r]} from=<{sender}> to=<{r}>")
        for r in rcpts:
            self.log(
                f'{relay} mta delivery evpid={ev1[r]} from=<{sender}> to=<{r}> rcpt=<-> source="127.0.0.1" '
                f'relay="127.0.0.1 (localhost)" delay=3s result="Ok" stat="250 2.0.0 {m2} Message accepted for delivery"'
            )
        self.log(f"{loop} smtp disconnected reason=quit")
        self.log(f"{relay} mta disconnected reason=quit messages=1", dt=1)
        self.lmtp_pid += 1
        lp = self.lmtp_pid
        session = "gH3kLxA4Q2cz6wAA%08x" % self.rng.getrandbits(32)
        self.log(f"lmtp({lp}): Connect from local", prog="dovecot")
        for i, r in enumerate(rcpts):
            suffix = f":R{i + 1}" if i else ""
            self.log(f"lmtp({r})<{lp}><{session}{suffix}>: msgid={header_id}: saved mail to INBOX", prog="dovecot")
        self.log(f"lmtp({lp}): Disconnect from local: Logged out (state=READY)", prog="dovecot")
        for r in rcpts:
            user = r.split("@")[0]
            self.log(
                f"{lmtp} mda delivery evpid={ev2[r]} from=<{sender}> to=<{r}> rcpt=<{r}> user={user} "
                f"delay=1s result=Ok stat=Delivered"
            )

    def outbound(self, user, rcpt, remote_ip, remote_name, outcome="ok"):
        s, relay, loop, out = self.sid(), self.sid(), self.sid(), self.sid()
        m1, m2 = self.msgid(), self.msgid()
        ev1, ev2 = m1 + "%08x" % self.rng.getrandbits(32), m2 + "%08x" % self.rng.getrandbits(32)
        sender = f"{user}@example.org"
        self.log(
            f"imap-login: Login: user=<{user}>, method=PLAIN, rip=198.51.100.23, lip=192.0.2.10, "
            f"mpid={self.rng.randint(40000, 49999)}, TLS, session=<kBvX2n8kHN{self.rng.getrandbits(24):06x}>",
            prog="dovecot", dt=self.rng.randint(30, 900),
        )
        self.log(f"{s} smtp connected address=198.51.100.23 host=<unknown>", dt=5)
        self.log(f"{s} smtp tls ciphers=TLSv1.3:TLS_AES_256_GCM_SHA384:256", dt=1)
        self.log(f"{s} smtp authentication user={user} result=ok")
        self.log(f"{s} smtp message msgid={m1} size=4213 nrcpt=1 proto=ESMTP", dt=2)
        self.log(f"{s} smtp envelope evpid={ev1} from=<{sender}> to=<{rcpt}>")
        self.log(f"{s} smtp disconnected reason=quit")
        self.log(f"{relay} mta connecting address=smtp://127.0.0.1:10027 host=localhost", dt=1)
        self.log(f"{relay} mta connected")
        self.log(
            f"DKIM signing - signed; message-id=<{self.day}{self.t:05d}.{m1}@example.org>, signer=<{sender}>, "
            f"from=<{sender}>", prog="dkimproxy.out[5519]"
        )
        self.log(f"{loop} smtp connected address=127.0.0.1 host=localhost")
        self.log(f"{loop} smtp message msgid={m2} size=5101 nrcpt=1 proto=ESMTP")
        self.log(f"{loop} smtp envelope evpid={ev2} from=<{sender}> to=<{rcpt}>")
        self.log(
            f'{relay} mta delivery evpid={ev1} from=<{sender}> to=<{rcpt}> rcpt=<-> source="127.0.0.1" '
            f'relay="127.0.0.1 (localhost)" delay=1s result="Ok" stat="250 2.0.0 {m2} Message accepted for delivery"'
        )
        self.log(f"{loop} smtp disconnected reason=quit")
        self.log(f"{relay} mta disconnected reason=quit messages=1")
        self.log(f"{out} mta connecting address=smtp://{remote_ip}:25 host={remote_name}", dt=1)
        self.log(f"{out} mta connected")
        self.log(f"{out} mta tls ciphers=TLSv1.2:ECDHE-RSA-CHACHA20-POLY1305:256")
        base = f"{out} mta delivery evpid={ev2} from=<{sender}> to=<{rcpt}> rcpt=<-> source=\"192.0.2.10\" relay=\"{remote_ip} ({remote_name})\""
        if outcome == "tempfail":
            self.log(f'{base} delay=2s result="TempFail" stat="421 4.7.0 Try again later"', dt=1)
            self.log(f"{out} mta disconnected reason=quit messages=0")
            out2 = self.sid()
            self.log(f"{out2} mta connecting address=smtp://{remote_ip}:25 host={remote_name}", dt=900)
            self.log(f"{out2} mta connected")
            self.log(
                f"{out2} mta delivery evpid={ev2} from=<{sender}> to=<{rcpt}> rcpt=<-> source=\"192.0.2.10\" "
                f'relay="{remote_ip} ({remote_name})" delay=15m2s result="Ok" stat="250 2.0.0 Ok: queued as 4XyZ"',
                dt=1,
            )
            self.log(f"{out2} mta disconnected reason=quit messages=1")
        elif outcome == "permfail":
            self.log(
                f'{base} delay=2s result="PermFail" stat="550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown"',
                dt=1,
            )
            self.log(f"{out} mta disconnected reason=quit messages=0")
            self.log(f"warn: PermFail injecting failure report on message {m2} to <{sender}> for 1 envelope: 550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown")
        else:
            self.log(f'{base} delay=2s result="Ok" stat="250 2.0.0 OK  1562385708 z11si6726563wmb.62 - gsmtp"', dt=1)
            self.log(f"{out} mta disconnected reason=quit messages=1")

    def brute_force(self, ip, users):
        s = self.sid()
        self.log(f"{s} smtp connected address={ip} host=<unknown>", dt=self.rng.randint(30, 900))
        for u in users:
            self.log(f"{s} smtp authentication user={u} result=permfail", dt=2)
            self.log(f'{s} smtp failed-command command="AUTH LOGIN (password)" result="535 Authentication failed"')
        self.log(f"{s} smtp disconnected reason=disconnect", dt=1)

    def local(self, frm, to):
        s, lmtp = self.sid(), self.sid()
        m = self.msgid()
        ev = m + "%08x" % self.rng.getrandbits(32)
        self.log(f"{s} smtp connected address=local host=lab1.example.org", dt=self.rng.randint(30, 900))
        self.log(f"{s} smtp message msgid={m} size=303 nrcpt=1 proto=ESMTP")
        self.log(f"{s} smtp envelope evpid={ev} from=<{frm}> to=<{to}>")
        self.log(f"{s} smtp disconnected reason=quit")
        self.log(f"{lmtp} mda delivery evpid={ev} from=<{frm}> to=<{to}> rcpt=<{to}> user={to.split('@')[0]} delay=0s result=Ok stat=Delivered")


def make_day(day: int, seed: int) -> "Day":
    rng = random.Random(seed)
    d = Day(day, rng)
    d.log("info: OpenSMTPD 7.8.0p1 starting", prog="smtpd[75290]")
    d.dlog("neighbor 192.0.2.201 (spamd-bgp): state change OpenConfirm -> Established, reason: KEEPALIVE message received",
           "bgpd[1702]", d.t - 3000)
    d.dlog("listening for incoming connections.", "spamd[2922]", d.t - 2990)
    for i in range(6):
        d.t += d.rng.randint(1800, 2400)
        if i % 2 == 0:
            d.greylisted_first(f"203.0.113.{10 + i}", f"mail{i}.example.net", f"news{i}@example.net", "alice@example.org")
        d.inbound(f"203.0.113.{10 + i}", f"mail{i}.example.net", f"news{i}@example.net", ["alice@example.org"])
    # a blacklisted spammer, tarpitted by spamd, and a bot that never retried
    t = d.t + 60
    d.dlog("198.51.100.66: connected (1/1), lists: bgp-spamd nixspam", "spamd[2922]", t)
    d.dlog("(BLACK) 198.51.100.66: <winner@example.com> -> <alice@example.org>", "spamd[2922]", t + 120)
    d.dlog("198.51.100.66: Subject: You have WON", "spamd[2922]", t + 300)
    d.dlog("198.51.100.66: disconnected after 404 seconds. lists: bgp-spamd nixspam", "spamd[2922]", t + 404)
    d.dlog("198.51.100.77: connected (1/0)", "spamd[2922]", t + 500)
    d.dlog("(GREY) 198.51.100.77: <bot@example.com> -> <bob@example.org>", "spamd[2922]", t + 503)
    d.dlog("198.51.100.77: disconnected after 4 seconds.", "spamd[2922]", t + 504)
    d.dlog("new entry 198.51.100.77 from <bot@example.com> to <bob@example.org>, helo example.com", "spamd[2921]", t + 504)
    d.inbound("198.51.100.77", "lists.example.com", "owner-list@example.com",
              ["alice@example.org", "bob@example.org", "carol@example.org"])
    d.outbound("alice", "friend@example.com", "203.0.113.50", "mx.example.com")
    d.outbound("bob", "partner@example.net", "203.0.113.51", "mx.example.net", outcome="tempfail")
    d.outbound("carol", "nobody@example.com", "203.0.113.50", "mx.example.com", outcome="permfail")
    d.brute_force("192.0.2.200", ["admin", "test", "info"])
    d.local("root@example.org", "alice@example.org")
    d.log("(root) CMD (/usr/libexec/atrun)", prog="cron[8812]", dt=60)
    d.log("(root) CMD (/usr/libexec/atrun)", prog="cron[8812]", dt=600)
    d.log("last message repeated 2 times", prog="", dt=600)
    d.lines[-1] = d.lines[-1].replace(" : ", " ")  # syslogd's own line has no ident
    d.log("Accepted publickey for admin from 198.51.100.23 port 51515 ssh2", prog="sshd[4411]", dt=30)
    return d


def pflog_capture(days: list) -> bytes:
    """pflog1 as the seed's pf.conf logs it: SYNs to port 25 passed to smtpd (rule 4, senders in
    <spamd-white>) and passed out to remote MXs (rule 9). A pcap with the 100-byte OpenBSD
    pfloghdr, written by a little-endian host (uid/pid in host order)."""
    import socket
    import struct

    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 160, 117)]
    for day in days:
        for t, line in day.lines_with_time():
            if " smtp connected address=203.0.113." in line or " mta connecting address=smtp://203." in line:
                inbound = " smtp connected " in line
                ip = line.split("address=")[1].split()[0].removeprefix("smtp://").rsplit(":", 1)[0]
                src, dst = (ip, "192.0.2.10") if inbound else ("192.0.2.10", ip)
                sport, dport = (40000 + t % 20000, 25) if inbound else (50000 + t % 10000, 25)
                hdr = struct.pack(
                    "!BBBB16s16sIi", 100, 2, 0, 0, b"vio0", b"", 4 if inbound else 9, -1
                ) + struct.pack("<iIII", -1, 100000, 0, 31337) + struct.pack(
                    "!BBBB16s16sHH", 1 if inbound else 2, 0, 2, 0, socket.inet_aton(src), socket.inet_aton(dst),
                    sport, dport)
                ip_hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 60, t % 65536, 0x4000, 64, 6, 0,
                                     socket.inet_aton(src), socket.inet_aton(dst))
                tcp = struct.pack("!HHIIBBHHH", sport, dport, t * 7919 % 2**32, 0, 0xA0, 0x02, 16384, 0, 0)
                pkt = hdr + ip_hdr + tcp
                epoch = calendar.timegm((2026, 11, day.day, 0, 0, 0)) + t - 1
                out.append(struct.pack("<IIII", epoch, 0, len(pkt), len(pkt) + 20) + pkt)
    return b"".join(out)


def spamdb_dump(day: "Day") -> str:
    """What `spamdb` prints at the end of the day: whitelisted senders, the greylisted bot."""
    base = calendar.timegm((2026, 11, day.day, 0, 0, 0))
    lines = []
    for i in range(0, 6, 2):
        first = base + 6 * 3600 + i * 2000
        lines.append(f"WHITE|203.0.113.{10 + i}|||{first}|{first + 1260}|{first + 1260 + 3110400}|2|1")
    first = base + 20 * 3600
    lines.append(f"GREY|198.51.100.77|example.com|<bot@example.com>|<bob@example.org>|{first}|{first + 14400}|{first + 14400}|1|0")
    lines.append("SPAMTRAP|trap@example.org")
    return "\n".join(lines) + "\n"


def legacy_lines() -> list[str]:
    import sys

    sys.path.insert(0, str(HERE.parent))
    from parsers import smtpd

    return [s.line for p in smtpd.PARSER.patterns for s in p.samples if p.set.get("family", "E") != "E"]


def main(out: Path = HERE):
    (out / "lab1").mkdir(parents=True, exist_ok=True)
    (out / "legacy").mkdir(exist_ok=True)
    old, new = make_day(23, 23), make_day(24, 24)
    with open(out / "lab1" / "maillog.0.gz", "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
        f.write(("\n".join(old.lines) + "\n").encode())
    (out / "lab1" / "maillog").write_text("\n".join(new.lines) + "\n")
    daemon = [line for _, line in sorted(old.daemon + new.daemon, key=lambda x: x[0] + x[1].startswith("Nov 24") * 86400)]
    (out / "lab1" / "daemon").write_text("\n".join(daemon) + "\n")
    (out / "lab1" / "spamdb.txt").write_text(spamdb_dump(new))
    (out / "lab1" / "pflog1.pcap").write_bytes(pflog_capture([old, new]))
    (out / "legacy" / "maillog").write_text("\n".join(legacy_lines()) + "\n")


if __name__ == "__main__":
    main()
