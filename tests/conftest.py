import os
import random
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))


def smtpd_session(rng: random.Random, t: int, day: int = 24, month: str = "Nov", host: str = "mx1") -> list[str]:
    """A family-E inbound session: connected, tls, message, envelope, disconnected, relay, lmtp."""
    sid = "%016x" % rng.getrandbits(64)
    msgid = "%08x" % rng.getrandbits(32)
    evpid = msgid + "%08x" % rng.getrandbits(32)
    stamp = f"{month} {day:2d} {t // 3600 % 24:02d}:{t // 60 % 60:02d}:{t % 60:02d} {host}"
    ip = f"203.0.113.{rng.randint(1, 254)}"
    p = f"{stamp} smtpd[41233]: "
    return [
        f"{p}{sid} smtp connected address={ip} host=mail{rng.randint(1, 99)}.example.net",
        f"{p}{sid} smtp tls ciphers=TLSv1.3:TLS_AES_256_GCM_SHA384:256",
        f"{p}{sid} smtp message msgid={msgid} size={rng.randint(300, 90000)} nrcpt=1 proto=ESMTP",
        f"{p}{sid} smtp envelope evpid={evpid} from=<news@example.net> to=<alice@example.org>",
        f"{p}{sid} smtp disconnected reason=quit",
        f'{p}{sid[:8]}00000001 mta delivery evpid={evpid} from=<news@example.net> to=<alice@example.org> '
        f'rcpt=<-> source="127.0.0.1" relay="127.0.0.1 (localhost)" delay=2s result="Ok" '
        f'stat="250 2.0.0 {"%08x" % rng.getrandbits(32)} Message accepted for delivery"',
        f"{stamp} cron[99]: (root) CMD (/usr/libexec/atrun)",
    ]


def write_maillog(path: Path, sessions: int, seed: int = 1, start: int = 36000, **kw) -> int:
    rng = random.Random(seed)
    lines = []
    for i in range(sessions):
        lines += smtpd_session(rng, start + i, **kw)
    path.write_text("\n".join(lines) + "\n")
    return len(lines)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "t.duckdb"


@pytest.fixture(autouse=True)
def _no_user_db(monkeypatch, tmp_path):
    monkeypatch.delenv("MXLOG_DB", raising=False)
    monkeypatch.chdir(tmp_path)
