"""Time-ordered, streaming writers for the simulator: syslog text files (with syslogd's
duplicate suppression), pflog pcaps, and the truth files."""

from __future__ import annotations

import heapq
import socket
import struct
import time as _time
from pathlib import Path

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MAXSVLINE = 120  # syslogd: only messages shorter than this are suppressed as duplicates
REPEAT_WINDOW = 30  # first back-off step of syslogd's repeatinterval[]


class SyslogFile:
    """A /var/log file of one host. Lines are pushed with an integer epoch second (any order
    at or after the writer's horizon) and written in time order by `flush(upto)`.

    Applies OpenBSD syslogd's duplicate suppression (formats.md 0.1): an identical message
    (same host, text < 120 bytes) following the previous one is counted, and flushed as
    `last message repeated N times` (N >= 2) or re-written verbatim (N == 1) on the next
    different message, or when a further duplicate comes more than 30 s later."""

    def __init__(self, path: Path, host: str):
        self.path, self.host = path, host
        self.fh = open(path, "w", encoding="utf-8", newline="\n")
        self.heap: list = []
        self.seq = 0
        self._stamp_t = None
        self._stamp = ""
        self.prev_msg = None
        self.prev_count = 0
        self.prev_first_t = 0
        self.prev_last_t = 0
        self.lines = 0
        self.bytes = 0
        self.last_t = 0

    def push(self, t: int, msg: str):
        self.seq += 1
        heapq.heappush(self.heap, (t, self.seq, msg))

    def stamp(self, t: int) -> str:
        if t != self._stamp_t:
            g = _time.gmtime(t)
            self._stamp = f"{MONTHS[g.tm_mon - 1]} {g.tm_mday:2d} {g.tm_hour:02d}:{g.tm_min:02d}:{g.tm_sec:02d}"
            self._stamp_t = t
        return self._stamp

    def _write(self, t: int, msg: str):
        line = f"{self.stamp(t)} {self.host} {msg}\n"
        self.fh.write(line)
        self.lines += 1
        self.bytes += len(line.encode())
        self.last_t = t

    def _flush_repeats(self):
        if self.prev_count == 1:
            self._write(self.prev_last_t, self.prev_msg)
        elif self.prev_count >= 2:
            self._write(self.prev_last_t, f"last message repeated {self.prev_count} times")
        self.prev_count = 0

    def _emit(self, t: int, msg: str):
        if msg == self.prev_msg and len(msg) < MAXSVLINE:
            if self.prev_count and t - self.prev_first_t > REPEAT_WINDOW:
                self._flush_repeats()
            if self.prev_count == 0:
                self.prev_first_t = t
            self.prev_count += 1
            self.prev_last_t = t
            return
        self._flush_repeats()
        self._write(t, msg)
        self.prev_msg = msg

    def flush(self, upto: float | None = None):
        heap = self.heap
        while heap and (upto is None or heap[0][0] < upto):
            t, _, msg = heapq.heappop(heap)
            self._emit(t, msg)

    def close(self):
        self.flush(None)
        self._flush_repeats()
        self.fh.close()


class PflogFile:
    """pflog1 capture: pcap, DLT_PFLOG (117), snaplen 160, written by a little-endian host, with
    the 100-byte OpenBSD pfloghdr (formats.md 7.1)."""

    def __init__(self, path: Path, host: str):
        self.path, self.host = path, host
        self.fh = open(path, "wb")
        self.fh.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 160, 117))
        self.heap: list = []
        self.seq = 0
        self.packets = 0
        self.bytes = 24

    def syn(self, t: float, src: str, dst: str, sport: int, dport: int, *, inbound: bool, rulenr: int,
            rule_pid: int, ip_id: int, isn: int):
        hdr = struct.pack("!BBBB16s16sIi", 100, 2, 0, 0, b"vio0", b"", rulenr, -1) + struct.pack(
            "<iIII", -1, 100000, 0, rule_pid) + struct.pack(
            "!BBBB4s12x4s12xHH", 1 if inbound else 2, 0, 2, 0, socket.inet_aton(src), socket.inet_aton(dst),
            sport, dport)
        ip_hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 60, ip_id, 0x4000, 64, 6, 0,
                             socket.inet_aton(src), socket.inet_aton(dst))
        tcp = struct.pack("!HHIIBBHHH", sport, dport, isn, 0, 0xA0, 0x02, 16384, 0, 0)
        opts = b"\x02\x04\x05\xb4\x01\x03\x03\x06\x01\x01\x08\x0a" + struct.pack("!II", isn ^ 0x5A5A, 0)
        pkt = hdr + ip_hdr + tcp + opts  # 100 + 20 + 20 + 20 = 160 bytes = the snaplen
        sec = int(t)
        usec = int(round((t - sec) * 1e6)) % 1000000
        rec = struct.pack("<IIII", sec, usec, len(pkt), len(pkt)) + pkt
        self.seq += 1
        heapq.heappush(self.heap, (sec, usec, self.seq, rec))

    def flush(self, upto: float | None = None):
        heap = self.heap
        while heap and (upto is None or heap[0][0] < upto):
            rec = heapq.heappop(heap)[3]
            self.fh.write(rec)
            self.packets += 1
            self.bytes += len(rec)

    def close(self):
        self.flush(None)
        self.fh.close()
