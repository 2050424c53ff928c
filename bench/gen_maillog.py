"""Generate a large mixed maillog for benchmarks (OpenSMTPD family E sessions through the
seed's spampd and dkimproxy loops, LMTP deliveries, failures, other programs).

    python bench/gen_maillog.py OUT --mb 1024 [--seed 1]

Deterministic for a seed. Until `mxlog simulate` exists this is the benchmark input; it is not a
model of the mail system, only of its line mix.
"""

from __future__ import annotations

import argparse
import random
import sys


def day_stamps(start_day: int = 1):
    """Yield syslog stamps, advancing about 40 ms a line."""
    ms = 0
    while True:
        s = ms // 1000
        d = start_day + s // 86400
        yield f"Nov {d % 28 + 1:2d} {s // 3600 % 24:02d}:{s // 60 % 60:02d}:{s % 60:02d} mx1"
        ms += 40


def sessions(rng: random.Random):
    users = [f"user{i}" for i in range(200)]
    senders = [f"news{i}@list{i % 17}.example.net" for i in range(500)]
    hexs = lambda bits: "%0*x" % (bits // 4, rng.getrandbits(bits))  # noqa: E731
    while True:
        sid, sid2, sid3 = hexs(64), hexs(64), hexs(64)
        msgid, msgid2 = hexs(32), hexs(32)
        evp, evp2 = msgid + hexs(32), msgid2 + hexs(32)
        ip = f"{rng.choice(('198.51.100', '203.0.113'))}.{rng.randint(1, 254)}"
        frm, user = rng.choice(senders), rng.choice(users)
        to = f"{user}@example.org"
        kind = rng.random()
        if kind < 0.6:  # inbound through spampd, then LMTP
            yield [
                f"{sid} smtp connected address={ip} host=mail{rng.randint(1, 999)}.example.net",
                f"{sid} smtp tls ciphers=TLSv1.3:TLS_AES_256_GCM_SHA384:256",
                f"{sid} smtp message msgid={msgid} size={rng.randint(900, 200000)} nrcpt=1 proto=ESMTP",
                f"{sid} smtp envelope evpid={evp} from=<{frm}> to=<{to}>",
                f"{sid} smtp disconnected reason=quit",
                f"{sid2} mta connecting address=smtp://127.0.0.1:10025 host=localhost",
                f"{sid2} mta connected",
                f"{sid3} smtp connected address=127.0.0.1 host=localhost",
                f"{sid3} smtp message msgid={msgid2} size={rng.randint(900, 200000)} nrcpt=1 proto=ESMTP",
                f"{sid3} smtp envelope evpid={evp2} from=<{frm}> to=<{to}>",
                f'{sid2} mta delivery evpid={evp} from=<{frm}> to=<{to}> rcpt=<-> source="127.0.0.1" '
                f'relay="127.0.0.1 (localhost)" delay={rng.randint(1, 9)}s result="Ok" '
                f'stat="250 2.0.0 {msgid2} Message accepted for delivery"',
                f"{sid3} smtp disconnected reason=quit",
                f"{sid2} mta disconnected reason=quit messages=1",
                f"{hexs(64)} mda delivery evpid={evp2} from=<{frm}> to=<{to}> rcpt=<{to}> user={user} "
                f"delay={rng.randint(0, 3)}s result=Ok stat=Delivered",
            ]
        elif kind < 0.8:  # outbound through dkimproxy
            rcpt = f"friend{rng.randint(1, 99)}@example.com"
            yield [
                f"{sid} smtp connected address={ip} host=<unknown>",
                f"{sid} smtp tls ciphers=TLSv1.3:TLS_AES_256_GCM_SHA384:256",
                f"{sid} smtp authentication user={user} result=ok",
                f"{sid} smtp message msgid={msgid} size={rng.randint(900, 90000)} nrcpt=1 proto=ESMTP",
                f"{sid} smtp envelope evpid={evp} from=<{to}> to=<{rcpt}>",
                f"{sid} smtp disconnected reason=quit",
                f"{sid2} mta connecting address=smtp://203.0.113.{rng.randint(1, 254)}:25 host=mx.example.com",
                f"{sid2} mta connected",
                f"{sid2} mta tls ciphers=TLSv1.2:ECDHE-RSA-CHACHA20-POLY1305:256",
                f'{sid2} mta delivery evpid={evp} from=<{to}> to=<{rcpt}> rcpt=<-> source="192.0.2.10" '
                f'relay="203.0.113.5 (mx.example.com)" delay={rng.randint(1, 30)}s result="Ok" '
                f'stat="250 2.0.0 OK  1562385708 z11si6726563wmb.62 - gsmtp"',
                f"{sid2} mta disconnected reason=quit messages=1",
            ]
        elif kind < 0.9:  # brute force on submission
            yield [
                f"{sid} smtp connected address={ip} host=<unknown>",
                f"{sid} smtp authentication user=admin result=permfail",
                f'{sid} smtp failed-command command="AUTH LOGIN (password)" result="535 Authentication failed"',
                f"{sid} smtp disconnected reason=disconnect",
            ]
        else:  # other programs on the same host
            yield [
                f"(root) CMD (/usr/libexec/atrun)",
                f"Accepted publickey for admin from {ip} port {rng.randint(1024, 65535)} ssh2",
            ]


def generate(out, target_bytes: int, seed: int = 1) -> int:
    rng = random.Random(seed)
    stamps = day_stamps()
    written = lines = 0
    buf = []
    for group in sessions(rng):
        for msg in group:
            stamp = next(stamps)
            if msg.startswith("(root)"):
                line = f"{stamp} cron[{rng.randint(100, 99999)}]: {msg}\n"
            elif msg.startswith("Accepted"):
                line = f"{stamp} sshd[{rng.randint(100, 99999)}]: {msg}\n"
            else:
                line = f"{stamp} smtpd[41233]: {msg}\n"
            buf.append(line)
            written += len(line)
        if len(buf) > 50000:
            out.write("".join(buf))
            lines += len(buf)
            buf = []
        if written >= target_bytes:
            break
    out.write("".join(buf))
    return lines + len(buf)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--mb", type=int, default=1024)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    with open(a.out, "w") as f:
        n = generate(f, a.mb << 20, a.seed)
    print(f"{a.out}: {n} lines", file=sys.stderr)


if __name__ == "__main__":
    main()
