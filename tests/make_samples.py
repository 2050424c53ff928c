"""Writes the hand-made OpenSMTPD samples in samples/ (until `mxlog simulate` replaces them).

    python tests/make_samples.py

mx1/maillog.0.gz, mx1/maillog: two days of a primary MX in family E (OpenSMTPD 7.x) — inbound
mail through the spampd loop (10025 -> 10026) to LMTP, outbound submissions through dkimproxy
(10027 -> 10028), a TempFail then Ok, a PermFail with its bounce, local mail, failed logins,
a `last message repeated` line and other programs' lines. legacy/maillog: every sample line of
families A-D declared in parsers/smtpd.py (5.4 to 6.4), one after another.
Addresses are documentation ranges; deterministic.
"""

from __future__ import annotations

import gzip
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "samples"


class Day:
    def __init__(self, day: int, rng: random.Random):
        self.day, self.rng, self.t, self.lines = day, rng, 6 * 3600, []
        self.counter = rng.getrandbits(32)

    def sid(self) -> str:
        self.counter += 1
        return "%08x%08x" % (self.counter & 0xFFFFFFFF, self.rng.getrandbits(32))

    def msgid(self) -> str:
        return "%08x" % self.rng.getrandbits(32)

    def log(self, text: str, prog: str = "smtpd[75295]", dt: int = 0):
        self.t += dt
        t = self.t
        self.lines.append(f"Nov {self.day:2d} {t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d} mx1 {prog}: {text}")

    def inbound(self, ip, rdns, sender, rcpts, spam=False):
        s, relay, loop, lmtp = self.sid(), self.sid(), self.sid(), self.sid()
        m1, m2 = self.msgid(), self.msgid()
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
        self.log(f"{loop} smtp connected address=127.0.0.1 host=localhost", dt=2)
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
        self.log(f"{s} smtp connected address=198.51.100.23 host=<unknown>", dt=self.rng.randint(30, 900))
        self.log(f"{s} smtp tls ciphers=TLSv1.3:TLS_AES_256_GCM_SHA384:256", dt=1)
        self.log(f"{s} smtp authentication user={user} result=ok")
        self.log(f"{s} smtp message msgid={m1} size=4213 nrcpt=1 proto=ESMTP", dt=2)
        self.log(f"{s} smtp envelope evpid={ev1} from=<{sender}> to=<{rcpt}>")
        self.log(f"{s} smtp disconnected reason=quit")
        self.log(f"{relay} mta connecting address=smtp://127.0.0.1:10027 host=localhost", dt=1)
        self.log(f"{relay} mta connected")
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
        self.log(f"{s} smtp connected address=local host=mx1.example.org", dt=self.rng.randint(30, 900))
        self.log(f"{s} smtp message msgid={m} size=303 nrcpt=1 proto=ESMTP")
        self.log(f"{s} smtp envelope evpid={ev} from=<{frm}> to=<{to}>")
        self.log(f"{s} smtp disconnected reason=quit")
        self.log(f"{lmtp} mda delivery evpid={ev} from=<{frm}> to=<{to}> rcpt=<{to}> user={to.split('@')[0]} delay=0s result=Ok stat=Delivered")


def make_day(day: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    d = Day(day, rng)
    d.log("info: OpenSMTPD 7.8.0p1 starting", prog="smtpd[75290]")
    for i in range(6):
        d.inbound(f"203.0.113.{10 + i}", f"mail{i}.example.net", f"news{i}@example.net", ["alice@example.org"])
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
    return d.lines


def legacy_lines() -> list[str]:
    import sys

    sys.path.insert(0, str(HERE.parent))
    from parsers import smtpd

    return [s.line for p in smtpd.PARSER.patterns for s in p.samples if p.set.get("family", "E") != "E"]


def main(out: Path = HERE):
    (out / "mx1").mkdir(parents=True, exist_ok=True)
    (out / "legacy").mkdir(exist_ok=True)
    old = "\n".join(make_day(23, 23)) + "\n"
    with open(out / "mx1" / "maillog.0.gz", "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
        f.write(old.encode())
    (out / "mx1" / "maillog").write_text("\n".join(make_day(24, 24)) + "\n")
    (out / "legacy" / "maillog").write_text("\n".join(legacy_lines()) + "\n")


if __name__ == "__main__":
    main()
