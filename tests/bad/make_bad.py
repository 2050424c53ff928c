"""Generate the bad-input corpus (tests/test_bad_inputs.py) into a directory.

Run `python tests/bad/make_bad.py OUTDIR` to look at the files; the tests call `build(dir)`.
Every case is generated (seeded), so no binary is committed. Each case is one file (or one
directory) plus what ingest must do with it:

- `expect`: "read" (conservation holds, the good lines around the bad ones are in the event
  tables), "skipped" (recognised as not a log: no rows, no error), or "error" (cannot be read:
  a one-line error naming the file, exit code 3).
- `good`: (table, column, value) that must be in the database afterwards: the good lines
  written around the bad bytes.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import random
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Case:
    name: str
    path: Path
    expect: str  # read | skipped | error
    good: list = field(default_factory=list)  # (table, column, value)
    why: str = ""


def spamd_line(n: int, ts: str = "Nov 24 00:05:01") -> bytes:
    """A spamd connection line from 203.0.113.n: easy to find again in spamd_events."""
    return f"{ts} mx1 spamd[6874]: 203.0.113.{n}: connected (1/0)\n".encode()


def smtpd_line(n: int) -> bytes:
    return (f"Nov 24 00:20:21 mx1 smtpd[73264]: 9b8086e44fa535{n:02x} smtp connected "
            f"address=198.51.100.{n} host=out{n}.example.net\n").encode()


def _good(n: int) -> list:
    return [("spamd_events", "ip", f"203.0.113.{n}"), ("smtpd_events", "ip", f"198.51.100.{n}")]


def _log(n: int, middle: bytes, crlf: bool = False) -> bytes:
    """Good lines (n, n+1) around `middle`."""
    text = spamd_line(n) + smtpd_line(n) + middle + spamd_line(n + 1) + smtpd_line(n + 1)
    return text.replace(b"\n", b"\r\n") if crlf else text


def _corrupt(data: bytes, rng: random.Random, at: float = 0.5, n: int = 16) -> bytes:
    b = bytearray(data)
    start = int(len(b) * at)
    for i in range(start, min(start + n, len(b))):
        b[i] ^= rng.randrange(1, 256)
    return bytes(b)


# pflog capture pieces (formats.md 7): pcap file header, records, a 100-byte pfloghdr
def _ipv4_tcp(src: bytes, dport: int = 25) -> bytes:
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 40, 777, 0x4000, 51, 6, 0, src, b"\xc0\x00\x02\x0a")
    return ip + struct.pack(">HHIIBBHHH", 50000, dport, 1000, 0, 0x50, 0x02, 512, 0, 0)


def _pfloghdr(length: int = 100) -> bytes:
    head = struct.pack("BBBB16s16s", length, 2, 0, 0, b"vio0", b"") + struct.pack(">Ii", 4, -1)
    body = head + struct.pack("<IIII", 0xFFFFFFFF, 100000, 0, 4242) + struct.pack("B", 1)
    body += struct.pack("BB", 0, 2) + b"\0" + b"\0" * 32 + struct.pack(">HH", 0, 0)
    return body.ljust((max(length, 45) + 3) & ~3, b"\0")


def _pcap(records: list[bytes], magic: int = 0xA1B2C3D4) -> bytes:
    out = struct.pack("<IHHiIII", magic, 2, 4, 0, 0, 256, 117)
    for i, payload in enumerate(records):
        out += struct.pack("<IIII", 1795996800 + i, 0, len(payload), len(payload)) + payload
    return out


def _pcapng_block(btype: int, body: bytes) -> bytes:
    body = body.ljust((len(body) + 3) & ~3, b"\0")
    return struct.pack("<II", btype, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))


def build(root: Path, seed: int = 9) -> list[Case]:
    root = Path(root)
    rng = random.Random(seed)
    cases: list[Case] = []

    def put(name: str, data: bytes, expect: str, good=(), why="") -> Case:
        d = root / name  # one folder per case: the host of captures/dumps comes from the folder
        d.mkdir(parents=True, exist_ok=True)
        p = d / name
        p.write_bytes(data)
        c = Case(name, p, expect, list(good), why)
        cases.append(c)
        return c

    put("garbage.bin", bytes(rng.randrange(256) for _ in range(65536)), "skipped", why="random bytes")
    put("empty.log", b"", "skipped", why="empty file")
    put("nul.log", _log(1, b"Nov 24 00:05:02 mx1 spamd[6874]: 203.0.113.99\0\0\0: connected (1/0)\n\0\0\0\n"),
        "read", _good(1), "NUL bytes inside and as a line")
    put("crlf.log", _log(3, b"Nov 24 00:05:02 mx1 smtpd[73264]: garbage\n", crlf=True), "read", _good(3),
        "CRLF line ends")
    put("badutf8.log", _log(5, b"Nov 24 00:05:02 mx1 spamd[6874]: 203.0.113.98: Subject: \xff\xfe\xc3\x28 caf\xe9\n"
                            b"Nov 24 00:05:02 mx1 spamd[6874]: 203.0.113.97: Subject: \\M-^?\\^@\\M-C\\M-) vis(3)\n"
                            b"\xc0\xaf\xed\xa0\x80 overlong and surrogate\n"),
        "read", _good(5), "invalid UTF-8 and vis(3)-escaped bytes")
    put("longline.log", _log(7, b"Nov 24 00:05:02 mx1 spamd[6874]: 203.0.113.96: Subject: " + b"A" * (1 << 20) + b"\n"),
        "read", _good(7), "a 1 MB line")
    put("noeol.log", _log(9, b"").rstrip(b"\n") + b"\nNov 24 00:05:03 mx1 spamd[6874]: 203.0.113.95: conn",
        "read", _good(9), "an unfinished last line (left for the next run)")
    put("notalog.txt", b"Dear admin,\nthis is a letter, not a log.\n" * 50, "skipped", why="text that is not a log")
    put("program.py", b"import os\nprint(os.environ)\n" * 30, "skipped", why="source code")

    plain = b"".join(_log(20 + 2 * i, b"") for i in range(40))
    gz, bz, xz = gzip.compress(plain), bz2.compress(plain), lzma.compress(plain)
    put("ok.log.gz", gz, "read", _good(20), "a good gzip file (control)")
    put("truncated.log.gz", gz[: len(gz) // 2], "error", why="gzip cut in the middle")
    put("corrupt.log.gz", _corrupt(gz, rng), "error", why="gzip with flipped bytes in the middle")
    put("truncated.log.bz2", bz[: len(bz) // 2], "error", why="bzip2 cut in the middle")
    put("corrupt.log.bz2", _corrupt(bz, rng), "error", why="bzip2 with flipped bytes")
    put("truncated.log.xz", xz[: len(xz) // 2], "error", why="xz cut in the middle")
    put("corrupt.log.xz", _corrupt(xz, rng), "error", why="xz with flipped bytes")
    put("header-only.gz", gz[:10], "error", why="only a gzip header")

    pkt = _pfloghdr() + _ipv4_tcp(b"\xcb\x00\x71\x05")
    put("badmagic.pcap", b"\xde\xad\xbe\xef" + _pcap([pkt] * 3)[4:], "skipped", why="pcap with a bad magic")
    put("truncrec.pcap", _pcap([pkt] * 3)[:-20], "read", [("pflog_packets", "ip_src", "203.0.113.5")],
        "pcap whose last record is cut short")
    put("hdrlen.pcap", _pcap([pkt, b"\xff" + pkt[1:], b"\x03" + pkt[1:], pkt]), "read",
        [("pflog_packets", "ip_src", "203.0.113.5")], "pfloghdr length 255 and 3 (out of range)")
    put("shortfile.pcap", _pcap([])[:12], "read", why="pcap file header cut short")
    shb = _pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb = _pcapng_block(1, struct.pack("<HHI", 117, 0, 256))
    epb = _pcapng_block(6, struct.pack("<IIIII", 0, 0, 0, len(pkt), len(pkt)) + pkt)
    put("unknown.pcapng", shb + idb + _pcapng_block(0xBAD0, b"secret") + epb + _pcapng_block(0x0BAD, b"x" * 33) + epb,
        "read", [("pflog_packets", "ip_src", "203.0.113.5")], "pcapng with blocks of unknown types")
    put("spamdb.dump",
        b"GREY|198.51.100.23|mail.example.net|<a@example.net>|<bob@example.org>|1142400000|1142402100|1142414400|1|0\n"
        b"GREY|198.51.100.24|evil|<x@y>|helo|<a@example.net>|<carol@example.org>|1142400000|1142402100|1142414400|1|0\n"
        b"GREY|198.51.100.25|a|b|c|<a@example.net|<dave@example.org>|1142400000|1142402100|1142414400|1|0\n"
        b"WHITE|198.51.100.26|||1142400000|1142402100|1142414400|1|0\n",
        "read", [("spamdb_entries", "ip", "198.51.100.23"), ("spamdb_entries", "ip", "198.51.100.26"),
                 ("spamdb_entries", "helo", "evil|<x@y>|helo")], "spamdb dump with | inside a HELO")
    return cases


def unreadable(root: Path) -> tuple[Path, Path]:
    """A directory with one good log and one file nobody may read (chmod 000)."""
    d = Path(root) / "unreadable"
    d.mkdir(parents=True, exist_ok=True)
    (d / "good.log").write_bytes(_log(60, b""))
    secret = d / "secret.log"
    secret.write_bytes(_log(62, b""))
    secret.chmod(0)
    return d, secret


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "bad-corpus")
    for c in build(out):
        print(f"{c.expect:8} {c.path}  {c.why}")
