"""PF packet logs (`pflogd` / `tcpdump -w` on pflog0): pcap and pcapng captures of link type
DLT_PFLOG (117), decoded into one row per packet for the `pflog_packets` table.

Reference: /work/shared/formats.md section 7. This is a binary decoder, not a regex parser:
`COLUMNS` is the declaration (name -> DuckDB type, description; the integrator adds file_id and
host) and `decode(data)` returns (polars.DataFrame with exactly these columns, problems).

struct pfloghdr, OpenBSD sys/net/if_pflog.h 1.29 (formats.md 7.1), `length` = 100:

    off  size  field                           byte order
      0     1  u_int8_t   length               sizeof(struct pfloghdr) (45/61/69/100, 7.2)
      1     1  sa_family_t af                  2 AF_INET, 24/28/30 AF_INET6 (Open/Free/Darwin)
      2     1  u_int8_t   action               PF_PASS.. (7.4)
      3     1  u_int8_t   reason               PFRES_* (7.4)
      4    16  char       ifname[IFNAMSIZ]     NUL padded
     20    16  char       ruleset[16]          anchor, '' for the main ruleset
     36     4  u_int32_t  rulenr               network (htonl)
     40     4  u_int32_t  subrulenr            network, -1 outside an anchor
     44     4  uid_t      uid                  HOST order of the logging machine
     48     4  pid_t      pid                  HOST order, NO_PID = 100000
     52     4  uid_t      rule_uid             HOST order
     56     4  pid_t      rule_pid             HOST order
     60     1  u_int8_t   dir                  PF_INOUT 0, PF_IN 1, PF_OUT 2, PF_FWD 3
     61     1  u_int8_t   rewritten
     62     1  sa_family_t naf
     63     1  u_int8_t   pad[1]
     64    16  struct pf_addr saddr            v4 in the first 4 bytes
     80    16  struct pf_addr daddr
     96     2  u_int16_t  sport                network
     98     2  u_int16_t  dport                network
    100        packet (IPv4/IPv6) at BPF_WORDALIGN(length)

Other layouts, chosen by `length` (formats.md 7.2): 69 = FreeBSD (dir at 60, then pad[3] and a
big-endian `ridentifier` at 64); 61..99 other than 69 = OpenBSD 3.8-4.8 / NetBSD / Darwin / old
FreeBSD (uid..rule_pid, dir at 60, no addresses); 45..60 = OpenBSD 3.4-4.0 (dir at 44, no
uid/pid). The host-order fields are decoded with the byte order of the capture's file header
(the writer's host order; pcapng: the section's). Payload offset = (length + 3) & ~3.

Speed (see `decode`): no per-packet Python objects. pcap record headers are chained (each
offset depends on the previous caplen), so they are walked in lock-step "lanes": the file is
cut into chunks, every plausible record start near each chunk boundary walks its chunk in
parallel as numpy vectors, and the lanes are stitched exactly where the chain from the file
header enters each chunk (any chunk whose lane is missing is walked by a plain Python loop,
so the result is always the sequential walk). Fields are then numpy gathers at those offsets
through unaligned strided views; text columns are built as Arrow string buffers directly.
pcapng files are walked block by block in Python (about 1 us per block).
"""

from __future__ import annotations

import socket
import struct

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

VERSION = "1"  # bump when a change alters the rows decoded from the same capture
DLT_PFLOG = 117
DLT_OLD_PFLOG = 17
NO_PID = 100000  # OpenBSD tcpdump `#define NO_PID (99999+1)`
UID_NONE = 0xFFFFFFFF  # UID_MAX / -1: no socket lookup was done
MIN_HDRLEN, MAX_HDRLEN = 45, 100  # spamlogd MIN_PFLOG_HDRLEN 45 .. sizeof(struct pfloghdr)
AF_INET, AF_INET6 = 2, (24, 28, 30)  # AF_INET6: OpenBSD 24, FreeBSD 28, Darwin 30

COLUMNS = {
    "packet_no": ("UINTEGER", "1-based index of the packet record in the file (pcapng: packet blocks)"),
    "ts": ("TIMESTAMPTZ", "capture time (pcap record header / pcapng if_tsresol, if_tsoffset); NULL for pcapng simple packet blocks"),
    "caplen": ("UINTEGER", "captured length declared by the record header (pfloghdr + packet bytes)"),
    "wirelen": ("UINTEGER", "original length on the pflog interface (pfloghdr + packet)"),
    "truncated": ("BOOLEAN", "record cut short by the end of the file: fields decoded from the bytes present"),
    "length": ("UTINYINT", "pfloghdr.length: header length, 100 OpenBSD 4.9+, 69 FreeBSD, 61 older/NetBSD/Darwin, 45 OpenBSD 3.4-4.0"),
    "af": ("UTINYINT", "pfloghdr.af: 2 AF_INET, 24 AF_INET6 (OpenBSD; 28 FreeBSD, 30 Darwin)"),
    "action": ("UTINYINT", "pfloghdr.action: PF_* action code"),
    "action_name": ("VARCHAR", "action as tcpdump names it (pass, block, match, ...; unkn(N))"),
    "reason": ("UTINYINT", "pfloghdr.reason: PFRES_* code"),
    "reason_name": ("VARCHAR", "reason as tcpdump names it (match, bad-offset, ..., translate, no-route; unkn(N))"),
    "ifname": ("VARCHAR", "pfloghdr.ifname: interface the packet was seen on"),
    "ruleset": ("VARCHAR", "pfloghdr.ruleset: anchor name, '' for the main ruleset"),
    "rulenr": ("INTEGER", "pfloghdr.rulenr (network order); -1 for the default rule"),
    "subrulenr": ("INTEGER", "pfloghdr.subrulenr (network order); -1 when not inside an anchor"),
    "uid": ("UINTEGER", "pfloghdr.uid (writer's host order); 4294967295 = no socket lookup (OpenBSD 7.8+: only with `log (user)`); NULL for length 45"),
    "pid": ("UINTEGER", "pfloghdr.pid (writer's host order); 100000 = NO_PID; NULL for length 45"),
    "rule_uid": ("UINTEGER", "pfloghdr.rule_uid (writer's host order): uid that loaded the rule"),
    "rule_pid": ("UINTEGER", "pfloghdr.rule_pid (writer's host order): pid that loaded the rule"),
    "dir": ("UTINYINT", "pfloghdr.dir: 0 in/out, 1 in, 2 out, 3 fwd"),
    "dir_name": ("VARCHAR", "direction as tcpdump names it (in/out, in, out, fwd; unkn(N))"),
    "rewritten": ("UTINYINT", "pfloghdr.rewritten (length 100 only): 1 if pf translated the packet"),
    "naf": ("UTINYINT", "pfloghdr.naf (length 100 only): address family after af-to (= af normally)"),
    "saddr": ("VARCHAR", "pfloghdr.saddr (length 100 only), typed by af; post- or pre-translation, see formats.md 7.1"),
    "daddr": ("VARCHAR", "pfloghdr.daddr (length 100 only), typed by af"),
    "sport": ("USMALLINT", "pfloghdr.sport (length 100 only; ICMP: pf's virtual port = ICMP id)"),
    "dport": ("USMALLINT", "pfloghdr.dport (length 100 only; ICMP: pf's virtual port)"),
    "ridentifier": ("UINTEGER", "pfloghdr.ridentifier (FreeBSD, length 69 only; network order)"),
    "ip_version": ("UTINYINT", "IP version nibble of the logged packet (4 or 6; other values leave the IP fields NULL)"),
    "ip_src": ("VARCHAR", "source address of the logged packet"),
    "ip_dst": ("VARCHAR", "destination address of the logged packet"),
    "ip_proto": ("UTINYINT", "IPv4 protocol / IPv6 upper-layer next header after extension headers (the last one captured if cut)"),
    "ttl": ("UTINYINT", "IPv4 TTL / IPv6 hop limit"),
    "ip_len": ("USMALLINT", "IPv4 total length / IPv6 payload length, as in the header"),
    "ip_id": ("USMALLINT", "IPv4 identification (NULL for IPv6)"),
    "src_port": ("USMALLINT", "TCP/UDP (also SCTP, DCCP, UDP-Lite) source port; NULL for non-first fragments"),
    "dst_port": ("USMALLINT", "TCP/UDP (also SCTP, DCCP, UDP-Lite) destination port"),
    "tcp_flags": ("UTINYINT", "TCP flags byte (th_flags: FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32, ECE 64, CWR 128)"),
    "tcp_flags_text": ("VARCHAR", "TCP flags as tcpdump prints them inside Flags [...]: S, S., F., R, P., none"),
    "seq": ("UINTEGER", "TCP sequence number (raw, not relative)"),
    "ack": ("UINTEGER", "TCP acknowledgment field (raw; present even without the ACK flag)"),
    "win": ("USMALLINT", "TCP window (unscaled)"),
    "icmp_type": ("UTINYINT", "ICMP (IPv4 proto 1) / ICMPv6 (IPv6 next header 58) type"),
    "icmp_code": ("UTINYINT", "ICMP / ICMPv6 code"),
}

_POLARS = {
    "UTINYINT": pl.UInt8, "USMALLINT": pl.UInt16, "UINTEGER": pl.UInt32, "INTEGER": pl.Int32,
    "BIGINT": pl.Int64, "VARCHAR": pl.String, "BOOLEAN": pl.Boolean,
    "TIMESTAMPTZ": pl.Datetime("us", "UTC"),
}
_ARROW = {
    "UTINYINT": pa.uint8(), "USMALLINT": pa.uint16(), "UINTEGER": pa.uint32(), "INTEGER": pa.int32(),
    "BIGINT": pa.int64(), "VARCHAR": pa.string(), "BOOLEAN": pa.bool_(),
    "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
}
SCHEMA = {name: _POLARS[t] for name, (t, _) in COLUMNS.items()}

# --- value tables (formats.md 7.4; tcpdump master print-pflog.c names) ---------------------

_ACTIONS = ["pass", "block", "scrub", "noscrub", "nat", "nonat", "binat", "nobinat", "rdr",
            "nordr", "synproxy-drop", "defer", "match", "divert", "rt", "afrt"]
_REASONS = ["match", "bad-offset", "fragment", "short", "normalize", "memory", "bad-timestamp",
            "congestion", "ip-option", "proto-cksum", "state-mismatch", "state-insert",
            "state-limit", "src-limit", "synproxy"]
_DIRS = ["in/out", "in", "out"]
# Name tables per layout: 0 = OpenBSD (length 100), 1 = FreeBSD (69), 2 = other lengths.
_ACTION_TABLES = (_ACTIONS, _ACTIONS[:13], _ACTIONS[:11])
_REASON_TABLES = (_REASONS + ["translate", "no-route"], _REASONS + ["map-failed"], _REASONS)
_DIR_TABLES = (_DIRS + ["fwd"], _DIRS, _DIRS)


def _name_table(tables) -> pa.Array:
    return pa.array([t[v] if v < len(t) else f"unkn({v})" for t in tables for v in range(256)])


_ACTION_NAMES = _name_table(_ACTION_TABLES)
_REASON_NAMES = _name_table(_REASON_TABLES)
_DIR_NAMES = _name_table(_DIR_TABLES)
# tcpdump print-tcp.c tcp_flag_values, in table order; no flag prints "none".
_TCP_FLAG_LETTERS = [(0x01, "F"), (0x02, "S"), (0x04, "R"), (0x08, "P"), (0x10, "."),
                     (0x20, "U"), (0x40, "E"), (0x80, "W")]
_TCP_FLAG_TEXT = pa.array(["".join(c for bit, c in _TCP_FLAG_LETTERS if v & bit) or "none"
                           for v in range(256)])

# Decimal text of an octet, left-aligned in 3 bytes, for IPv4 formatting.
_OCTET_CHARS = np.zeros((256, 3), np.uint8)
_OCTET_MASK = np.zeros((256, 3), bool)
for _v in range(256):
    _s = str(_v).encode()
    _OCTET_CHARS[_v, : len(_s)] = np.frombuffer(_s, np.uint8)
    _OCTET_MASK[_v, : len(_s)] = True

_PCAP_MAGICS = {  # first 4 bytes -> (byte order, nanoseconds, record header size)
    b"\xd4\xc3\xb2\xa1": ("<", False, 16), b"\xa1\xb2\xc3\xd4": (">", False, 16),
    b"\x4d\x3c\xb2\xa1": ("<", True, 16), b"\xa1\xb2\x3c\x4d": (">", True, 16),
    # Alexey Kuznetsov's "modified" pcap: 8 more bytes per record (ifindex, protocol, type)
    b"\x34\xcd\xb2\xa1": ("<", False, 24), b"\xa1\xb2\xcd\x34": (">", False, 24),
}
_PCAPNG_SHB = 0x0A0D0D0A
_PCAPNG_SILENT = {4: "name resolution", 5: "interface statistics", 9: "systemd journal",
                  10: "decryption secrets", 0xBAD: "custom", 0x40000BAD: "custom"}


# --- strided views: a typed value at ANY byte offset ----------------------------------------------

def _view(buf: np.ndarray, dtype: str) -> np.ndarray:
    """buf (uint8) seen as `dtype` items starting at every byte offset (stride 1, unaligned)."""
    dt = np.dtype(dtype)
    count = max(len(buf) - dt.itemsize + 1, 0)
    return np.ndarray((count,), dtype=dt, buffer=buf, offset=0, strides=(1,))


def _native(a: np.ndarray) -> np.ndarray:
    return a.astype(a.dtype.newbyteorder("="), copy=True)


# --- record walking -----------------------------------------------------------------------------

def _walk_sequential(data: bytes, off: int, stop: int, rec_hdr: int, order: str, out: list) -> int:
    """Append record offsets from `off` while off < stop and a full record header fits; return
    the offset after the last record."""
    caplen_at = struct.Struct(order + "I").unpack_from
    end = len(data) - rec_hdr
    append = out.append
    while off < stop and off <= end:
        append(off)
        off += rec_hdr + caplen_at(data, off + 8)[0]
    return off


def _walk_pcap(data: bytes, first: int, rec_hdr: int, order: str, snaplen: int,
               frac_limit: int, chunk: int = 1 << 15, window: int | None = None) -> np.ndarray:
    """Offsets of all pcap record headers from `first`; always identical to the sequential walk.

    The file is cut into chunks. In a window at the start of each chunk, the first position that
    looks like a pflog record header and whose next two records also do becomes a lane; all
    lanes walk their chunk together (one numpy step per record). The chain from the file header
    then takes, chunk by chunk, the lane that passes through the offset where it enters the
    chunk; a chunk without such a lane is walked by the Python loop. `chunk`/`window` are
    parameters for the tests."""
    n = len(data)
    if n - first < 8 * chunk:
        out: list[int] = []
        _walk_sequential(data, first, n, rec_hdr, order, out)
        return np.array(out, np.int64)
    buf = np.frombuffer(data, np.uint8)
    u32 = _view(buf, order + "u4")
    caplen_limit = max(snaplen, 0x40000)
    if window is None:
        window = rec_hdr + (min(snaplen, 2048) if snaplen > 0 else 2048)
    window = min(window, chunk)
    last = n - rec_hdr - 2  # a plausible record has its header and 2 pfloghdr bytes

    def plausible(p):
        q = np.minimum(p, last)
        caplen = u32[q + 8]
        return ((p <= last) & (caplen >= 2) & (caplen <= caplen_limit) & (u32[q + 12] >= caplen)
                & (u32[q + 4] < frac_limit))

    bounds = np.arange(first, n, chunk, dtype=np.int64)  # chunk j = [bounds[j], bounds[j+1])
    nchunks = len(bounds)
    # candidates: pfloghdr length byte in 45..100 and a known af, read through strided windows
    starts = bounds[1:][bounds[1:] + window + rec_hdr + 2 <= n]  # chunks whose window fits
    hl = np.ndarray((len(starts), window), np.uint8, buf, int(starts[0]) + rec_hdr, (chunk, 1))
    af = np.ndarray((len(starts), window), np.uint8, buf, int(starts[0]) + rec_hdr + 1, (chunk, 1))
    look = (hl >= MIN_HDRLEN) & (hl <= MAX_HDRLEN) & ((af == AF_INET) | (af == 24) | (af == 28) | (af == 30))
    lane_row, lane_col = np.nonzero(look)
    cand = starts[lane_row] + lane_col
    p1 = cand + rec_hdr + u32[np.minimum(cand, last) + 8]
    p2 = p1 + rec_hdr + u32[np.minimum(p1, last) + 8]
    good = plausible(cand) & (plausible(p1) | (p1 > last)) & (plausible(p2) | (p2 > last))
    cand, lane_row = cand[good], lane_row[good]
    _, firsts = np.unique(lane_row, return_index=True)  # first good candidate per chunk
    lane_start = np.concatenate([[first], cand[firsts]])
    lane_chunk = np.concatenate([[0], lane_row[firsts] + 1])
    lane_stop = np.append(bounds, n)[lane_chunk + 1]
    pos = lane_start.copy()
    active = np.ones(len(pos), bool)
    complete = np.zeros(len(pos), bool)
    history = []
    lim = n - rec_hdr
    while True:
        history.append(np.where(active, pos, -1))
        caplen = u32[np.minimum(pos, lim) + 8]
        pos = np.where(active, pos + rec_hdr + caplen, pos)
        done = active & ((pos >= lane_stop) | (pos > lim))
        complete |= done
        # a lane on garbage dies (its chunk then falls back to the loop)
        active &= ~done & (caplen >= 2) & (caplen <= caplen_limit)
        if not active.any():
            break
    hist = np.stack(history, axis=1)
    counts = (hist >= 0).sum(axis=1)
    lane_of = dict(zip(lane_chunk.tolist(), range(len(lane_chunk))))
    pieces = []
    off = first
    for j in range(nchunks):
        stop = int(bounds[j + 1]) if j + 1 < nchunks else n
        if off >= stop:
            continue
        lane = lane_of.get(j)
        at = -1
        if lane is not None and complete[lane]:
            row = hist[lane, : counts[lane]]
            at = int(np.searchsorted(row, off))
            if at >= len(row) or row[at] != off:
                at = -1
        if at >= 0:
            pieces.append(row[at:])
            off = int(pos[lane])
        else:
            out = []
            off = _walk_sequential(data, off, stop, rec_hdr, order, out)
            pieces.append(np.array(out, np.int64))
        if off > n - rec_hdr:
            break
    return np.concatenate(pieces)


def _read_pcap(data: bytes, problems: list) -> dict | None:
    order, nanos, rec_hdr = _PCAP_MAGICS[data[:4]]
    if len(data) < 24:
        problems.append(f"pcap file header truncated: {len(data)} of 24 bytes")
        return None
    major, minor, _zone, _sigfigs, snaplen, linktype = struct.unpack_from(order + "HHiIII", data, 4)
    if (major, minor) != (2, 4):
        problems.append(f"pcap version {major}.{minor} (expected 2.4); decoded as 2.4")
    linktype &= 0xFFFF
    if linktype != DLT_PFLOG:
        problems.append(_linktype_problem(linktype))
        return None
    n = len(data)
    offs = _walk_pcap(data, 24, rec_hdr, order, snaplen, 10**9 if nanos else 10**6)
    u32 = _view(np.frombuffer(data, np.uint8), order + "u4")
    sec = u32[offs].astype(np.int64)
    frac = u32[offs + 4].astype(np.int64)
    ts = sec * 1_000_000 + (frac // 1000 if nanos else frac)
    caplen = _native(u32[offs + 8])
    base = offs + rec_hdr
    avail = np.minimum(caplen.astype(np.int64), n - base)
    if len(offs):
        end = int(offs[-1]) + rec_hdr + int(caplen[-1])
        if end > n:
            problems.append(f"record {len(offs)} at offset {offs[-1]} truncated: header says "
                            f"{caplen[-1]} captured bytes, only {n - base[-1]} in the file")
        tail = n - int(offs[-1]) - rec_hdr - int(caplen[-1])
    else:
        tail = n - 24
    if 0 < tail < rec_hdr:
        problems.append(f"{tail} trailing byte(s) after the last record (incomplete record header)")
    return dict(packet_no=np.arange(1, len(offs) + 1, dtype=np.uint32), base=base, avail=avail,
                caplen=caplen, wirelen=_native(u32[offs + 12]), ts=ts,
                ts_valid=None, big_endian=order == ">")


def _linktype_problem(linktype: int) -> str:
    if linktype == DLT_OLD_PFLOG:
        return "link type 17 (DLT_OLD_PFLOG, OpenBSD <= 3.3) is not supported; no packets decoded"
    return f"link type {linktype} is not DLT_PFLOG (117); no packets decoded"


def _pcapng_ts_us(ts: int, resol: int, offset_s: int) -> int:
    exp = resol & 0x7F
    if resol & 0x80:
        us = (ts * 1_000_000) >> exp
    elif exp <= 6:
        us = ts * 10 ** (6 - exp)
    else:
        us = ts // 10 ** (exp - 6)
    return us + offset_s * 1_000_000


def _read_pcapng(data: bytes, problems: list) -> dict:
    """Walk pcapng blocks (Python loop, one iteration per block)."""
    n = len(data)
    off = 0
    order = "<"
    ifaces: list[tuple[int, int, int, int]] = []  # linktype, snaplen, tsresol, tsoffset
    rows_no, rows_base, rows_avail, rows_cap, rows_wire, rows_ts, rows_be = [], [], [], [], [], [], []
    unknown: dict[int, int] = {}
    skipped_link: dict[int, int] = {}
    packet_no = 0
    while off < n:
        if n - off < 12:
            problems.append(f"pcapng: {n - off} trailing byte(s) at offset {off} (incomplete block)")
            break
        btype = struct.unpack_from(order + "I", data, off)[0]
        if btype == _PCAPNG_SHB:
            bom = data[off + 8: off + 12]
            if bom == b"\x4d\x3c\x2b\x1a":
                order = "<"
            elif bom == b"\x1a\x2b\x3c\x4d":
                order = ">"
            else:
                problems.append(f"pcapng: bad byte-order magic {bom.hex()} at offset {off}; stopped")
                break
            ifaces = []
        blen = struct.unpack_from(order + "I", data, off + 4)[0]
        if blen < 12 or blen % 4 or off + blen > n:
            problems.append(f"pcapng: block type 0x{btype:08x} at offset {off} has length {blen} "
                            f"({n - off} bytes left); stopped")
            break
        body = off + 8
        off += blen
        if btype == 1:  # Interface Description Block
            linktype, _res, snaplen = struct.unpack_from(order + "HHI", data, body)
            tsresol, tsoffset = 6, 0
            o, end = body + 8, off - 4
            while o + 4 <= end:
                code, olen = struct.unpack_from(order + "HH", data, o)
                if code == 0:
                    break
                if code == 9 and olen >= 1:
                    tsresol = data[o + 4]
                elif code == 14 and olen >= 8:
                    tsoffset = struct.unpack_from(order + "q", data, o + 4)[0]
                o += 4 + ((olen + 3) & ~3)
            ifaces.append((linktype, snaplen, tsresol, tsoffset))
        elif btype in (6, 2, 3):  # Enhanced / obsolete Packet Block / Simple Packet Block
            packet_no += 1
            if btype == 3:
                ifid, ts = 0, None
                (wire,) = struct.unpack_from(order + "I", data, body)
                data_at, room = body + 4, blen - 16
                cap = min(wire, room)
                if ifaces and ifaces[0][1]:
                    cap = min(cap, ifaces[0][1])
            else:
                if btype == 6:
                    ifid, hi, lo, cap, wire = struct.unpack_from(order + "IIIII", data, body)
                else:
                    ifid, _drops, hi, lo, cap, wire = struct.unpack_from(order + "HHIIII", data, body)
                ts = (hi << 32) | lo
                data_at, room = body + 20, blen - 32
            if ifid >= len(ifaces):
                problems.append(f"pcapng: packet {packet_no} names interface {ifid}, "
                                f"only {len(ifaces)} described; skipped")
                continue
            linktype, _snap, tsresol, tsoffset = ifaces[ifid]
            if linktype != DLT_PFLOG:
                skipped_link[linktype] = skipped_link.get(linktype, 0) + 1
                continue
            if cap > room:
                problems.append(f"pcapng: packet {packet_no} says {cap} captured bytes, block "
                                f"holds {room}; decoded from the bytes present")
            rows_no.append(packet_no)
            rows_base.append(data_at)
            rows_avail.append(min(cap, room))
            rows_cap.append(cap)
            rows_wire.append(wire)
            rows_ts.append(None if ts is None else _pcapng_ts_us(ts, tsresol, tsoffset))
            rows_be.append(order == ">")
        elif btype not in _PCAPNG_SILENT and btype != _PCAPNG_SHB:
            unknown[btype] = unknown.get(btype, 0) + 1
    for btype, count in sorted(unknown.items()):
        problems.append(f"pcapng: skipped {count} block(s) of unknown type 0x{btype:08x}")
    for linktype, count in sorted(skipped_link.items()):
        problems.append(f"pcapng: skipped {count} packet(s) on an interface of "
                        + _linktype_problem(linktype).split("; ")[0])
    ts_valid = np.array([t is not None for t in rows_ts], bool)
    return dict(
        packet_no=np.array(rows_no, np.uint32), base=np.array(rows_base, np.int64),
        avail=np.array(rows_avail, np.int64), caplen=np.array(rows_cap, np.uint32),
        wirelen=np.array(rows_wire, np.uint32),
        ts=np.array([t or 0 for t in rows_ts], np.int64),
        ts_valid=None if ts_valid.all() else ts_valid, big_endian=np.array(rows_be, bool),
    )


# --- per-packet bytes ---------------------------------------------------------------------------

class _Packets:
    """The first `width` bytes of every packet (from the pfloghdr on) copied into one (N, width)
    matrix with a single gather, so that each field is then a strided read of that matrix
    instead of a cache-missing gather over the whole file. Fields past `width` (long IPv4
    options, IPv6 extension headers) are read from the file for those rows only."""

    MAX_WIDTH = 160  # pfloghdr 100 + IPv6 40 + the TCP fields 16 (v4 options, v6 ext: file reads)

    def __init__(self, data: bytes, base: np.ndarray, avail: np.ndarray):
        buf = np.frombuffer(data, np.uint8)
        n, rows = len(buf), len(base)
        width = (min(max(int(avail.max()), 8), self.MAX_WIDTH) + 7) & ~7
        self.data, self.base, self.width, self.rows = buf, base, width, rows
        inside = base <= n - width
        words = width // 8  # gathering 8-byte words is steadier than bytes
        if inside.all():
            view = np.ndarray((n - width + 1, words), np.uint64, buf, 0, (1, 8))
            self.m = view[base].view(np.uint8)
        else:  # the last packets: read them from a zero-padded copy of the file's tail
            self.m = np.empty((rows, width), np.uint8)
            k = int(inside.sum())
            # records come in file order, so the rows inside are a prefix: fill it through a
            # slice (a boolean-mask assignment of a 2-D block is ~10x slower)
            prefix = not inside[k:].any()
            tail_rows = slice(k, None) if prefix else ~inside
            if k:
                view = np.ndarray((n - width + 1, words), np.uint64, buf, 0, (1, 8))
                if prefix:
                    self.m[:k] = view[base[:k]].view(np.uint8)
                else:
                    self.m[inside] = view[base[inside]].view(np.uint8)
            tail_from = int(base[tail_rows].min())
            tail = np.concatenate([buf[tail_from:], np.zeros(width, np.uint8)])
            view = np.ndarray((len(tail) - width + 1, words), np.uint64, tail, 0, (1, 8))
            self.m[tail_rows] = view[base[tail_rows] - tail_from].view(np.uint8)

    def _file(self, dtype: str, at: np.ndarray) -> np.ndarray:
        v = _view(self.data, dtype)
        return _native(v[np.clip(at, 0, max(len(v) - 1, 0))]) if len(v) else np.zeros(len(at), dtype)

    def _column(self, dtype: str, rel: int) -> np.ndarray:
        dt = np.dtype(dtype)
        if rel + dt.itemsize <= self.width:
            return _native(np.ndarray((self.rows,), dt, self.m, rel, (self.width,)))
        return self._file(dtype, self.base + rel)

    def get(self, dtype: str, rel) -> np.ndarray:
        """Value of `dtype` at byte `rel` of each packet; `rel` is an int or one per packet.
        Rows whose `rel` lies past their captured bytes get garbage: callers mask them."""
        if np.isscalar(rel):
            return self._column(dtype, int(rel))
        size = np.dtype(dtype).itemsize
        key = np.clip(rel, 0, self.width - size + 1)  # the last key: "not in the matrix"
        values = np.flatnonzero(np.bincount(key))
        if len(values) == 1 and values[0] <= self.width - size:
            return self._column(dtype, int(values[0]))
        out = np.empty(self.rows, np.dtype(dtype).newbyteorder("="))
        for v in values.tolist():
            rows = np.flatnonzero(key == v)
            if v > self.width - size:
                out[rows] = self._file(dtype, self.base[rows] + rel[rows])
            else:
                out[rows] = self._column(dtype, v)[rows]
        return out

    def raw(self, rel, size: int) -> np.ndarray:
        """(N, size) bytes at `rel` (int or one per packet)."""
        return self.get(f"V{size}", rel).view(np.uint8).reshape(self.rows, size)


# --- text columns: dictionary-encode fixed-size keys, format the distinct ones -----------------

def _dict_text(keys: np.ndarray, valid: np.ndarray, fmt) -> pa.Array:
    """String column from (N, K) byte keys: Arrow hashes the keys, `fmt(bytes) -> str` runs once
    per distinct key (Python, about 0.5 us each), and the texts are gathered back."""
    keys = np.array(keys, np.uint8, order="C")
    keys[~valid] = 0
    nrows, width = keys.shape
    binary = pa.FixedSizeBinaryArray.from_buffers(pa.binary(width), nrows, [None, pa.py_buffer(keys)])
    encoded = pc.dictionary_encode(binary)
    texts = pa.array([fmt(k) for k in encoded.dictionary.to_pylist()], pa.string())
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    return pc.take(texts, pa.array(indices, mask=None if valid.all() else ~valid))


def _c_string(key: bytes) -> str:
    return key.split(b"\0", 1)[0].decode("utf-8", "backslashreplace")


def _ip_text(key: bytes) -> str | None:
    if key[0] == 4:
        return socket.inet_ntop(socket.AF_INET, key[1:5])
    if key[0] == 6:
        return socket.inet_ntop(socket.AF_INET6, key[1:17])
    return None


def _addresses(pk: _Packets, rel4, rel6, is4: np.ndarray, is6: np.ndarray) -> pa.Array:
    """Address text typed per row: IPv4 dotted quad, IPv6 RFC 5952 (inet_ntop, as tcpdump)."""
    if not is6.any():  # IPv4 only: hash the 4 bytes as one integer, not 17-byte keys
        valid = is4
        quad = pk.get(">u4", rel4)
        encoded = pc.dictionary_encode(pa.array(quad, pa.uint32(), mask=None if valid.all() else ~valid))
        texts = pa.array([socket.inet_ntop(socket.AF_INET, v.to_bytes(4, "big"))
                          for v in encoded.dictionary.to_pylist()], pa.string())
        return pc.take(texts, encoded.indices)
    keys = np.empty((pk.rows, 17), np.uint8)
    keys[:, 0] = np.where(is4, 4, np.where(is6, 6, 0))
    keys[:, 1:] = pk.raw(rel6, 16) if is6.any() else 0
    keys[:, 5:] *= is6[:, None]
    if is4.any():
        keys[:, 1:5] = pk.raw(rel4, 4) if not is6.any() else np.where(is4[:, None], pk.raw(rel4, 4), keys[:, 1:5])
    return _dict_text(keys, is4 | is6, _ip_text)


def _names(table: pa.Array, layout: np.ndarray, code: np.ndarray, valid: np.ndarray) -> pa.Array:
    idx = pa.array(layout.astype(np.int32) * 256 + code, mask=None if valid.all() else ~valid)
    return pc.take(table, idx)


# --- decoding -----------------------------------------------------------------------------------

def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)


def decode(data: bytes) -> tuple[pl.DataFrame, list[str]]:
    """Decode a whole pcap/pcapng file of link type DLT_PFLOG into one row per packet.

    Raises ValueError for a file that is neither pcap nor pcapng (bad magic); every other
    defect becomes a problem string and the good packets are kept."""
    problems: list[str] = []
    magic = bytes(data[:4])
    if magic in _PCAP_MAGICS:
        rec = _read_pcap(data, problems)
    elif len(magic) == 4 and struct.unpack("<I", magic)[0] == _PCAPNG_SHB:
        rec = _read_pcapng(data, problems)
    else:
        hint = " (gzip-compressed: decompress it first)" if magic[:2] == b"\x1f\x8b" else ""
        shown = magic.hex() if magic else "(empty file)"
        raise ValueError(f"not a pcap or pcapng capture: bad magic {shown}{hint}")
    if rec is None or len(rec["base"]) == 0:
        return _empty(), problems
    return _decode_records(data, rec, problems), problems


def _decode_records(data: bytes, rec: dict, problems: list) -> pl.DataFrame:
    base, avail = rec["base"], rec["avail"]
    pk = _Packets(data, base, avail)
    cols: dict[str, pa.Array] = {}

    def put(name, values, valid=None):
        mask = None if valid is None or valid.all() else ~valid
        cols[name] = pa.array(values, _ARROW[COLUMNS[name][0]], mask=mask)

    def has(end, cond):  # bytes [0, end) of the packet captured, and cond
        return cond & (avail >= end)

    put("packet_no", rec["packet_no"])
    put("ts", rec["ts"], rec["ts_valid"])
    put("caplen", rec["caplen"])
    put("wirelen", rec["wirelen"])
    put("truncated", avail < rec["caplen"])

    # pfloghdr ------------------------------------------------------------------------------
    hl = pk.get("u1", 0).astype(np.int64)
    present = avail >= 1
    in_range = present & (hl >= MIN_HDRLEN) & (hl <= MAX_HDRLEN)
    _report(problems, rec["packet_no"], hl, present, in_range)
    is100, is69 = in_range & (hl == 100), in_range & (hl == 69)
    has_ids = in_range & (hl >= 61)
    layout = np.where(is100, 0, np.where(is69, 1, 2))
    put("length", hl.astype(np.uint8), present)
    af, action, reason = pk.get("u1", 1), pk.get("u1", 2), pk.get("u1", 3)
    put("af", af, has(2, in_range))
    put("action", action, has(3, in_range))
    cols["action_name"] = _names(_ACTION_NAMES, layout, action, has(3, in_range))
    put("reason", reason, has(4, in_range))
    cols["reason_name"] = _names(_REASON_NAMES, layout, reason, has(4, in_range))
    cols["ifname"] = _dict_text(pk.raw(4, 16), has(20, in_range), _c_string)
    cols["ruleset"] = _dict_text(pk.raw(20, 16), has(36, in_range), _c_string)
    put("rulenr", pk.get(">i4", 36), has(40, in_range))
    put("subrulenr", pk.get(">i4", 40), has(44, in_range))
    big_endian = rec["big_endian"]
    for name, at in (("uid", 44), ("pid", 48), ("rule_uid", 52), ("rule_pid", 56)):
        if isinstance(big_endian, np.ndarray):  # pcapng: byte order per section
            value = np.where(big_endian, pk.get(">u4", at), pk.get("<u4", at))
        else:
            value = pk.get(">u4" if big_endian else "<u4", at)
        put(name, value, has(at + 4, has_ids))
    dir_at = np.where(has_ids, 60, 44)
    dir_valid = in_range & (avail >= dir_at + 1)
    direction = pk.get("u1", dir_at)
    put("dir", direction, dir_valid)
    cols["dir_name"] = _names(_DIR_NAMES, layout, direction, dir_valid)
    put("rewritten", pk.get("u1", 61), has(62, is100))
    put("naf", pk.get("u1", 62), has(63, is100))
    a4 = af == AF_INET
    a6 = (af == 24) | (af == 28) | (af == 30)
    cols["saddr"] = _addresses(pk, 64, 64, has(68, is100 & a4), has(80, is100 & a6))
    cols["daddr"] = _addresses(pk, 80, 80, has(84, is100 & a4), has(96, is100 & a6))
    put("sport", pk.get(">u2", 96), has(98, is100))
    put("dport", pk.get(">u2", 98), has(100, is100))
    put("ridentifier", pk.get(">u4", 64), has(68, is69))

    # embedded IP packet: dispatch on the version nibble, not on af (af-to, formats.md 7.2) ---
    ip = (hl + 3) & ~3  # BPF_WORDALIGN(length)
    first = pk.get("u1", ip)
    version = first >> 4
    vpresent = in_range & (avail >= ip + 1)
    v4 = vpresent & (version == 4) & (avail >= ip + 20)
    v6 = vpresent & (version == 6) & (avail >= ip + 40)
    put("ip_version", version, vpresent)
    cols["ip_src"] = _addresses(pk, ip + 12, ip + 8, v4, v6)
    cols["ip_dst"] = _addresses(pk, ip + 16, ip + 24, v4, v6)
    ihl = (first & 0x0F).astype(np.int64) * 4
    frag4 = pk.get(">u2", ip + 6) & 0x1FFF
    proto = np.where(v6, pk.get("u1", ip + 6), pk.get("u1", ip + 9)).astype(np.int64)
    l4 = np.where(v6, ip + 40, ip + ihl)
    l4_ok = (v4 & (ihl >= 20) & (frag4 == 0)) | v6  # only a first fragment has the L4 header
    pending = v6.copy()
    for _ in range(8):  # IPv6 extension headers: hop-by-hop, routing, fragment, AH, dest opts
        pending &= np.isin(proto, _IPV6_EXT) & (avail >= l4 + 8)
        if not pending.any():
            break
        rows = np.flatnonzero(pending)
        at = base[rows] + l4[rows]
        cur = proto[rows]
        nxt = pk._file("u1", at).astype(np.int64)
        hlen = pk._file("u1", at + 1).astype(np.int64)
        size = np.where(cur == 44, 8, np.where(cur == 51, (hlen + 2) * 4, (hlen + 1) * 8))
        nonfirst = (cur == 44) & ((pk._file(">u2", at + 2) >> 3) != 0)
        l4_ok[rows[nonfirst]] = False
        proto[rows] = nxt
        l4[rows] += size
    l4_ok &= ~(v6 & np.isin(proto, _IPV6_EXT))
    put("ip_proto", proto.astype(np.uint8), v4 | v6)
    put("ttl", np.where(v6, pk.get("u1", ip + 7), pk.get("u1", ip + 8)), v4 | v6)
    put("ip_len", np.where(v6, pk.get(">u2", ip + 4), pk.get(">u2", ip + 2)), v4 | v6)
    put("ip_id", pk.get(">u2", ip + 4), v4)
    tcp = l4_ok & (proto == 6)
    ported = l4_ok & np.isin(proto, (6, 17, 33, 132, 136))  # TCP UDP DCCP SCTP UDP-Lite
    icmp = l4_ok & (((proto == 1) & v4) | ((proto == 58) & v6))
    put("src_port", pk.get(">u2", l4), ported & (avail >= l4 + 2))
    put("dst_port", pk.get(">u2", l4 + 2), ported & (avail >= l4 + 4))
    flags = pk.get("u1", l4 + 13)
    flags_valid = tcp & (avail >= l4 + 14)
    put("tcp_flags", flags, flags_valid)
    cols["tcp_flags_text"] = pc.take(_TCP_FLAG_TEXT, pa.array(flags, mask=~flags_valid))
    put("seq", pk.get(">u4", l4 + 4), tcp & (avail >= l4 + 8))
    put("ack", pk.get(">u4", l4 + 8), tcp & (avail >= l4 + 12))
    put("win", pk.get(">u2", l4 + 14), tcp & (avail >= l4 + 16))
    put("icmp_type", pk.get("u1", l4), icmp & (avail >= l4 + 1))
    put("icmp_code", pk.get("u1", l4 + 1), icmp & (avail >= l4 + 2))
    return pl.from_arrow(pa.table({name: cols[name] for name in COLUMNS}))


_IPV6_EXT = (0, 43, 44, 51, 60)


def _report(problems: list, packet_no: np.ndarray, hl: np.ndarray, present: np.ndarray,
            in_range: np.ndarray) -> None:
    """Header-length problems, one line per kind (not per packet)."""
    empty = np.flatnonzero(~present)
    if len(empty):
        problems.append(f"{len(empty)} packet(s) with no captured bytes (first: packet "
                        f"{packet_no[empty[0]]})")
    bad = np.flatnonzero(present & ~in_range)
    if len(bad):
        problems.append(f"{len(bad)} packet(s) with pfloghdr length outside {MIN_HDRLEN}..{MAX_HDRLEN} "
                        f"(first: packet {packet_no[bad[0]]}, length {hl[bad[0]]}): "
                        "fields after length left NULL")
    odd = np.flatnonzero(in_range & ~np.isin(hl, (45, 61, 69, 100)))
    if len(odd):
        problems.append(f"{len(odd)} packet(s) with an unusual pfloghdr length (first: packet "
                        f"{packet_no[odd[0]]}, length {hl[odd[0]]}): decoded as the "
                        f"{61 if hl[odd[0]] >= 61 else 45}-byte layout")
