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
so the result is always the sequential walk; the common case, every chunk's lane on the chain,
is stitched in one vectorized pass). pcapng files are walked block by block in Python (about
1 us per block). Then, per block of 8192 packets (two threads share the blocks: numpy releases
the GIL), one fancy-index gather copies each record's header and the packet's first 160 bytes
into a small matrix that stays in cache, and every field is one strided, byte-swapping read of
it into its output column (IP and transport headers at other offsets, e.g. IPv4 options or
IPv6 extension headers, are gathered separately). Validity masks and Arrow/polars columns are
built once per column; text columns format each distinct key once (dictionary encoding) and are
one polars gather of those texts.
"""

from __future__ import annotations

import os
import socket
import struct
import threading
from concurrent.futures import ThreadPoolExecutor

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


def _name_table(tables) -> list[str]:
    return [t[v] if v < len(t) else f"unkn({v})" for t in tables for v in range(256)]


_ACTION_NAMES = _name_table(_ACTION_TABLES)
_REASON_NAMES = _name_table(_REASON_TABLES)
_DIR_NAMES = _name_table(_DIR_TABLES)
# tcpdump print-tcp.c tcp_flag_values, in table order; no flag prints "none".
_TCP_FLAG_LETTERS = [(0x01, "F"), (0x02, "S"), (0x04, "R"), (0x08, "P"), (0x10, "."),
                     (0x20, "U"), (0x40, "E"), (0x80, "W")]
_TCP_FLAG_TEXT = ["".join(c for bit, c in _TCP_FLAG_LETTERS if v & bit) or "none" for v in range(256)]

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

    def first_good(rows, width):
        """(chunk row, offset) of the first good candidate in the first `width` bytes of the
        windows of chunks `rows` (indices into starts), for the rows that have one."""
        at = starts[rows]
        if len(rows) == 0:
            return rows, at
        if len(rows) == len(starts):  # every chunk: strided windows over the file, no copy
            hl = np.ndarray((len(at), width), np.uint8, buf, int(at[0]) + rec_hdr, (chunk, 1))
            af = np.ndarray((len(at), width), np.uint8, buf, int(at[0]) + rec_hdr + 1, (chunk, 1))
        else:
            hl = buf[(at + rec_hdr)[:, None] + np.arange(width)]
            af = buf[(at + rec_hdr + 1)[:, None] + np.arange(width)]
        look = (hl >= MIN_HDRLEN) & (hl <= MAX_HDRLEN) & ((af == AF_INET) | (af == 24) | (af == 28) | (af == 30))
        row, col = np.nonzero(look)
        cand = at[row] + col
        p1 = cand + rec_hdr + u32[np.minimum(cand, last) + 8]
        p2 = p1 + rec_hdr + u32[np.minimum(p1, last) + 8]
        good = plausible(cand) & (plausible(p1) | (p1 > last)) & (plausible(p2) | (p2 > last))
        cand, row = cand[good], row[good]
        _, firsts = np.unique(row, return_index=True)  # first good candidate per chunk
        return rows[row[firsts]], cand[firsts]

    # most chunks have a record start in their first few hundred bytes: look there first, then
    # in the whole window for the chunks that have none (the same first candidate either way)
    narrow = min(window, 2 * rec_hdr + 256)
    lane_row, cand = first_good(np.arange(len(starts)), narrow)
    if narrow < window:
        rest = np.setdiff1d(np.arange(len(starts)), lane_row, assume_unique=True)
        more_row, more_cand = first_good(rest, window)
        order_ = np.argsort(np.concatenate([lane_row, more_row]), kind="stable")
        lane_row = np.concatenate([lane_row, more_row])[order_]
        cand = np.concatenate([cand, more_cand])[order_]
    lane_start = np.concatenate([[first], cand])
    lane_chunk = np.concatenate([[0], lane_row + 1])
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
    counts = (hist >= 0).sum(axis=1)  # a lane's offsets are a prefix of its row, increasing
    lane_of = dict(zip(lane_chunk.tolist(), range(len(lane_chunk))))
    pieces, off, resume = _stitch_prefix(hist, counts, lane_chunk, complete, pos, bounds, first, n)
    if resume and off > n - rec_hdr:
        return np.concatenate(pieces)
    for j in range(resume, nchunks):
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


def _stitch_prefix(hist, counts, lane_chunk, complete, pos, bounds, first: int, n: int):
    """The stitching loop of `_walk_pcap` done at once for its common case: the leading chunks
    each of which has a complete lane through the offset where the chain enters it (the end of
    the previous chunk's lane). Returns (pieces, offset after them, first chunk not done)."""
    lanes = int(np.flatnonzero(np.append(lane_chunk != np.arange(len(lane_chunk)), True))[0])
    if lanes == 0:  # chunk j's lane is lane j for chunks 0..lanes-1
        return [], first, 0
    stops = np.append(bounds, n)[1: lanes + 1]
    entry = np.concatenate([[first], pos[: lanes - 1]])  # where the chain enters each chunk
    sub = hist[:lanes]
    flat = sub[sub >= 0]  # increasing: lane j's offsets lie in chunk j
    rowid = np.repeat(np.arange(lanes), counts[:lanes])
    at = np.minimum(np.searchsorted(flat, entry), max(len(flat) - 1, 0))
    ok = complete[:lanes] & (entry < stops) & (flat[at] == entry) if len(flat) else np.zeros(lanes, bool)
    done = int(np.flatnonzero(np.append(~ok, True))[0])  # chunks 0..done-1 follow their lanes
    if done == 0:
        return [], first, 0
    keep = (rowid < done) & (flat >= entry[np.minimum(rowid, done - 1)])
    return [flat[keep]], int(pos[done - 1]), done


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
    if len(offs):
        last = int(offs[-1])
        caplen = struct.unpack_from(order + "I", data, last + 8)[0]
        end = last + rec_hdr + caplen
        if end > n:
            problems.append(f"record {len(offs)} at offset {last} truncated: header says "
                            f"{caplen} captured bytes, only {n - last - rec_hdr} in the file")
        tail = n - end
    else:
        tail = n - 24
    if 0 < tail < rec_hdr:
        problems.append(f"{tail} trailing byte(s) after the last record (incomplete record header)")
    # ts, caplen, wirelen and avail are read with the packets' first bytes (_decode_records)
    return dict(packet_no=np.arange(1, len(offs) + 1, dtype=np.uint32), rows_at=offs,
                skip=rec_hdr, pcap=(order, nanos), ts_valid=None, big_endian=order == ">")


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
    base = np.array(rows_base, np.int64)
    return dict(
        packet_no=np.array(rows_no, np.uint32), rows_at=base, skip=0, pcap=None,
        avail=np.array(rows_avail, np.int64), caplen=np.array(rows_cap, np.uint32),
        wirelen=np.array(rows_wire, np.uint32),
        ts=np.array([t or 0 for t in rows_ts], np.int64),
        ts_valid=None if ts_valid.all() else ts_valid, big_endian=np.array(rows_be, bool),
    )


# --- per-packet bytes ---------------------------------------------------------------------------

_BLOCK = 1 << 13  # packets per block: a block's gathered bytes (~1.4 MB) stay in the L2 cache
_THREADS = min(2, os.cpu_count() or 1)  # threads that decode blocks


class _Source:
    """Rows of 8-byte words copied from any byte offsets of the file with one numpy fancy index
    (`rows`); offsets near or past the end read a zero-padded copy of the file's last bytes, so
    nothing is read out of bounds and the bytes before the end are the file's own."""

    PAD = 512  # >= the widest row read (words * 8)

    def __init__(self, buf: np.ndarray):
        self.buf, self.n = buf, len(buf)
        self.tail_from = max(self.n - self.PAD, 0)
        self.tail = np.concatenate([buf[self.tail_from:], np.zeros(self.PAD, np.uint8)])
        self._views: dict = {}

    @staticmethod
    def _words(arr: np.ndarray, words: int):
        count = len(arr) - 8 * words + 1
        return np.ndarray((count, words), np.uint64, arr, 0, (1, 8)) if count > 0 else None

    def rows(self, at: np.ndarray, words: int) -> np.ndarray:
        """(len(at), 8 * words) uint8: the bytes at each offset of `at` (int64)."""
        views = self._views.get(words)
        if views is None:
            views = self._views[words] = (self._words(self.buf, words), self._words(self.tail, words))
        view, tail = views
        lim = self.n - 8 * words  # the last offset whose row lies wholly in the file
        if view is not None and (len(at) == 0 or int(at.max()) <= lim):
            return view[at].view(np.uint8)
        out = np.empty((len(at), words), np.uint64)
        near = at > lim
        if view is not None:
            out[~near] = view[at[~near]]
        out[near] = tail[np.clip(at[near] - self.tail_from, 0, len(tail) - 1)]
        return out.view(np.uint8)


def _at(m: np.ndarray, rel: int, dtype: str) -> np.ndarray:
    """The `dtype` value at byte `rel` of every row of the uint8 matrix `m` (a strided view)."""
    return np.ndarray((len(m),), np.dtype(dtype), m, rel, (m.strides[0],))


def _bits(valid: np.ndarray):
    """Arrow validity bitmap of a bool array; None when every row is valid."""
    return None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))


# --- text columns: distinct keys formatted once, then one gather per column --------------------

def _gather_text(texts: list, idx: np.ndarray) -> pl.Series:
    """texts[idx] as a polars String column; idx == len(texts) gives NULL."""
    column = pl.Series(texts + [None], dtype=pl.String)
    if len(idx) and (idx == idx[0]).all():  # one value (often: ifname, ruleset, action)
        return column.new_from_index(int(idx[0]), len(idx))
    return column[idx]


def _encode(keys: pa.Array) -> tuple[list, np.ndarray]:
    """(distinct keys as Python values, index of each row's key as uint32)."""
    encoded = pc.dictionary_encode(keys)
    return encoded.dictionary.to_pylist(), encoded.indices.to_numpy().astype(np.uint32, copy=False)


def _int_text(keys: np.ndarray, valid: np.ndarray, fmt) -> pl.Series:
    """String column from integer keys: `fmt(int) -> str` once per distinct valid key."""
    if len(keys) and (keys == keys[0]).all():  # one value: no hashing
        values, idx = [keys[0].item()], np.zeros(len(keys), np.uint32)
    else:
        values, idx = _encode(pa.array(np.where(valid, keys, keys[np.argmax(valid)])))
    texts = [fmt(v) for v in values]
    return _gather_text(texts, np.where(valid, idx, np.uint32(len(texts))))


def _bytes_text(keys: np.ndarray, valid: np.ndarray, fmt) -> tuple[list, np.ndarray]:
    """(texts, uint32 index per row) from (N, K) byte keys, `fmt(bytes)` once per distinct key;
    rows not valid get index len(texts)."""
    keys = np.ascontiguousarray(keys, np.uint8)
    nrows, width = keys.shape
    binary = pa.FixedSizeBinaryArray.from_buffers(pa.binary(width), nrows, [None, pa.py_buffer(keys)])
    values, idx = _encode(binary)
    texts = [fmt(k) for k in values]
    return texts, np.where(valid, idx, np.uint32(len(texts)))


def _c_string(key: bytes) -> str:
    return key.split(b"\0", 1)[0].decode("utf-8", "backslashreplace")


_NATIVE = "little" if np.little_endian else "big"


def _name_text(first8: np.ndarray, valid: np.ndarray, src: _Source, at: np.ndarray, wide: bool) -> pl.Series:
    """A NUL-padded char[16] (ifname, ruleset) as text: keyed by its first 8 bytes (native
    uint64) when no row has bytes in its last 8, else by all 16 bytes read again."""
    if not wide:
        return _int_text(first8, valid, lambda v: _c_string(v.to_bytes(8, _NATIVE)))
    texts, idx = _bytes_text(src.rows(at, 2), valid, _c_string)
    return _gather_text(texts, idx)


def _v4(v: int) -> str:
    return socket.inet_ntop(socket.AF_INET, v.to_bytes(4, "big"))


def _v6(key: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET6, key)


def _address_text(k4: np.ndarray, k6, is4: np.ndarray, is6: np.ndarray) -> pl.Series:
    """Address text typed per row: IPv4 dotted quad from the uint32 `k4`, IPv6 RFC 5952
    (inet_ntop, as tcpdump) from the (N, 16) bytes `k6` (None when no row is IPv6)."""
    if not is6.any():
        return _int_text(k4, is4, _v4)
    rows4 = np.flatnonzero(is4)
    texts4, idx4 = _encode(pa.array(k4[rows4])) if len(rows4) else ([], np.zeros(0, np.uint32))
    rows6 = np.flatnonzero(is6)
    texts6, idx6 = _bytes_text(k6[rows6], np.ones(len(rows6), bool), _v6)
    texts = [_v4(v) for v in texts4] + texts6
    idx = np.full(len(k4), len(texts), np.uint32)
    idx[rows4] = idx4
    idx[rows6] = idx6 + len(texts4)
    return _gather_text(texts, idx)


def _same_addresses(a: tuple, b: tuple) -> bool:
    """Do two (k4, k6, is4, is6) address columns give the same text on every row?"""
    (a4, a6, ais4, ais6), (b4, b6, bis4, bis6) = a, b
    if not (np.array_equal(ais4, bis4) and np.array_equal(ais6, bis6)):
        return False
    if not ((a4 == b4) | ~ais4).all():
        return False
    if not ais6.any():
        return True
    same = (a6.view(np.uint64) == b6.view(np.uint64)).all(axis=1)  # (N, 16) bytes as 2 words
    return bool((same | ~ais6).all())


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
    if rec is None or len(rec["rows_at"]) == 0:
        return _empty(), problems
    return _decode_records(data, rec, problems), problems


def _decode_records(data, rec: dict, problems: list) -> pl.DataFrame:
    """Every field of every record, block by block: per block of _BLOCK packets three row
    gathers from the file (the pfloghdr's first 104 bytes, 40 bytes at the IP header, 16 bytes
    at the transport header) into small matrices that stay in cache, then each field is one
    strided read of a matrix into its output column. Validity masks, text and Arrow/polars
    columns are then built once per column over all rows."""
    rows_at, skip, pcap_format = rec["rows_at"], rec["skip"], rec["pcap"]
    n = len(rows_at)
    src = _Source(np.frombuffer(data, np.uint8))
    words = (skip + 160) // 8  # the record header (pcap) and the packet's first 160 bytes
    width = 8 * words
    if pcap_format:
        order, nanos = pcap_format
        caplen, wirelen, ts, avail = np.empty(n, np.uint32), np.empty(n, np.uint32), np.empty(n, np.int64), np.empty(n, np.int64)
    else:
        caplen, wirelen, ts, avail = rec["caplen"], rec["wirelen"], rec["ts"], rec["avail"]
    big_endian = rec["big_endian"]
    per_row_order = isinstance(big_endian, np.ndarray)  # pcapng: byte order per section
    host_order = "<" if per_row_order else (">" if big_endian else "<")

    def new(dtype):
        return np.empty(n, dtype)

    hl, af, action, reason, direction = new(np.uint8), new(np.uint8), new(np.uint8), new(np.uint8), new(np.uint8)
    rewritten, naf, version, proto, ttl = new(np.uint8), new(np.uint8), new(np.uint8), new(np.uint8), new(np.uint8)
    ifname8, ruleset8 = new(np.uint64), new(np.uint64)
    rulenr, subrulenr = new(np.int32), new(np.int32)
    ids = {name: new(np.uint32) for name in ("uid", "pid", "rule_uid", "rule_pid")}
    saddr4, daddr4, ip_src4, ip_dst4 = new(np.uint32), new(np.uint32), new(np.uint32), new(np.uint32)
    sport, dport, ip_len, ip_id = new(np.uint16), new(np.uint16), new(np.uint16), new(np.uint16)
    src_port, dst_port, win = new(np.uint16), new(np.uint16), new(np.uint16)
    flags, seq, ack = new(np.uint8), new(np.uint32), new(np.uint32)
    in_range, vpresent, v4, v6, l4_ok = new(bool), new(bool), new(bool), new(bool), new(bool)
    l4 = new(np.int64)
    wide: dict[str, list] = {"ifname": [], "ruleset": []}  # any bytes in char[16]'s last 8, per block
    six: dict[str, np.ndarray] = {}  # 16-byte addresses, allocated at the first IPv6 block

    lock = threading.Lock()

    def put6(name, lo, hi, m, rel):
        if name not in six:
            with lock:
                if name not in six:
                    six[name] = np.zeros((n, 16), np.uint8)
        six[name][lo:hi] = m[:, rel: rel + 16]

    def block(lo: int) -> None:
        hi = min(lo + _BLOCK, n)
        h = src.rows(rows_at[lo:hi], words)
        b = rows_at[lo:hi] + skip
        if pcap_format:  # the record header: ts, caplen, wirelen
            cap = _at(h, 8, order + "u4")
            caplen[lo:hi], wirelen[lo:hi] = cap, _at(h, 12, order + "u4")
            frac = _at(h, 4, order + "u4").astype(np.int64)
            ts[lo:hi] = _at(h, 0, order + "u4").astype(np.int64) * 1_000_000 + (frac // 1000 if nanos else frac)
            avail[lo:hi] = a = np.minimum(cap.astype(np.int64), src.n - b)
        else:
            a = avail[lo:hi]
        p = skip  # pfloghdr fields at p + their offset
        hlb = h[:, p]
        hl[lo:hi] = hlb
        af[lo:hi] = afb = h[:, p + 1]
        action[lo:hi], reason[lo:hi] = h[:, p + 2], h[:, p + 3]
        ifname8[lo:hi], ruleset8[lo:hi] = _at(h, p + 4, "=u8"), _at(h, p + 20, "=u8")
        wide["ifname"].append(bool(_at(h, p + 12, "=u8").any()))
        wide["ruleset"].append(bool(_at(h, p + 28, "=u8").any()))
        rulenr[lo:hi], subrulenr[lo:hi] = _at(h, p + 36, ">i4"), _at(h, p + 40, ">i4")
        for name, rel in (("uid", 44), ("pid", 48), ("rule_uid", 52), ("rule_pid", 56)):
            ids[name][lo:hi] = _at(h, p + rel, host_order + "u4")
        direction[lo:hi] = np.where(hlb >= 61, h[:, p + 60], h[:, p + 44])
        rewritten[lo:hi], naf[lo:hi] = h[:, p + 61], h[:, p + 62]
        saddr4[lo:hi], daddr4[lo:hi] = _at(h, p + 64, ">u4"), _at(h, p + 80, ">u4")
        if ((afb == 24) | (afb == 28) | (afb == 30)).any():
            put6("saddr", lo, hi, h, p + 64)
            put6("daddr", lo, hi, h, p + 80)
        sport[lo:hi], dport[lo:hi] = _at(h, p + 96, ">u2"), _at(h, p + 98, ">u2")

        # embedded IP packet at BPF_WORDALIGN(length); dispatch on the version nibble, not on
        # af (af-to, formats.md 7.2)
        ip = (hlb.astype(np.int64) + 3) & ~3
        # 40 bytes: an IPv4 header without options, or IPv6's; in h when every packet of the
        # block has it at the same offset (one header length), else gathered from the file
        if (ip == ip[0]).all() and p + int(ip[0]) + 40 <= width:
            m, q = h, p + int(ip[0])
        else:
            m, q = src.rows(b + ip, 5), 0
        ver = m[:, q] >> 4
        version[lo:hi] = ver
        inr = (a >= 1) & (hlb >= MIN_HDRLEN) & (hlb <= MAX_HDRLEN)
        vp = inr & (a >= ip + 1)
        is4 = vp & (ver == 4) & (a >= ip + 20)
        is6 = vp & (ver == 6) & (a >= ip + 40)
        in_range[lo:hi], vpresent[lo:hi], v4[lo:hi], v6[lo:hi] = inr, vp, is4, is6
        ihl = (m[:, q] & 0x0F).astype(np.int64) * 4
        pr = np.where(is6, m[:, q + 6], m[:, q + 9]).astype(np.int64)
        at4 = ip + np.where(is6, 40, ihl)
        ok = (is4 & (ihl >= 20) & ((_at(m, q + 6, ">u2") & 0x1FFF) == 0)) | is6  # L4 only in a first fragment
        if is6.any():
            put6("ip_src", lo, hi, m, q + 8)
            put6("ip_dst", lo, hi, m, q + 24)
            pending = is6.copy()
            for _ in range(8):  # IPv6 extension headers: hop-by-hop, routing, fragment, AH, dest opts
                pending &= _IS_EXT[pr] & (a >= at4 + 8)
                if not pending.any():
                    break
                rows = np.flatnonzero(pending)
                ext = src.rows(b[rows] + at4[rows], 1)
                cur = pr[rows]
                hlen = ext[:, 1].astype(np.int64)
                size = np.where(cur == 44, 8, np.where(cur == 51, (hlen + 2) * 4, (hlen + 1) * 8))
                nonfirst = (cur == 44) & ((_at(ext, 2, ">u2") >> 3) != 0)
                ok[rows[nonfirst]] = False
                pr[rows] = ext[:, 0]
                at4[rows] += size
            ok &= ~(is6 & _IS_EXT[pr])
        proto[lo:hi], l4_ok[lo:hi], l4[lo:hi] = pr, ok, at4
        ttl[lo:hi] = np.where(is6, m[:, q + 7], m[:, q + 8])
        ip_len[lo:hi] = np.where(is6, _at(m, q + 4, ">u2"), _at(m, q + 2, ">u2"))
        ip_id[lo:hi] = _at(m, q + 4, ">u2")
        ip_src4[lo:hi], ip_dst4[lo:hi] = _at(m, q + 12, ">u4"), _at(m, q + 16, ">u4")

        # transport header bytes 0..15: in h likewise, else gathered
        if (at4 == at4[0]).all() and p + int(at4[0]) + 16 <= width:
            t, r = h, p + int(at4[0])
        else:
            t, r = src.rows(b + at4, 2), 0
        src_port[lo:hi], dst_port[lo:hi] = _at(t, r, ">u2"), _at(t, r + 2, ">u2")
        seq[lo:hi], ack[lo:hi] = _at(t, r + 4, ">u4"), _at(t, r + 8, ">u4")
        flags[lo:hi], win[lo:hi] = t[:, r + 13], _at(t, r + 14, ">u2")

    starts = range(0, n, _BLOCK)
    if _THREADS > 1 and len(starts) >= 2 * _THREADS:  # numpy releases the GIL in the gathers and casts
        with ThreadPoolExecutor(_THREADS) as pool:
            list(pool.map(block, starts))
    else:
        for lo in starts:
            block(lo)

    if per_row_order:  # the host-order fields of big-endian sections
        rows = np.flatnonzero(big_endian)
        for values in ids.values():
            values[rows] = values[rows].byteswap()

    # validity ---------------------------------------------------------------------------------
    cols: dict[str, object] = {}

    def put(name, values, valid=None):
        bitmap = None if valid is None else _bits(valid)
        arrow = pa.Array.from_buffers(_ARROW[COLUMNS[name][0]], n, [bitmap, pa.py_buffer(values)])
        cols[name] = pl.from_arrow(arrow)

    def has(end, cond):  # bytes [0, end) of the packet captured, and cond
        return cond & (avail >= end)

    put("packet_no", np.ascontiguousarray(rec["packet_no"], np.uint32))
    put("ts", ts, rec["ts_valid"])
    put("caplen", caplen)
    put("wirelen", wirelen)
    cols["truncated"] = pl.Series(avail < caplen)

    present = avail >= 1
    _report(problems, rec["packet_no"], hl, present, in_range)
    is100, is69 = in_range & (hl == 100), in_range & (hl == 69)
    has_ids = in_range & (hl >= 61)
    layout = np.where(is100, 0, np.where(is69, 256, 512)).astype(np.uint32)
    put("length", hl, present)
    put("af", af, has(2, in_range))
    valid = has(3, in_range)
    put("action", action, valid)
    cols["action_name"] = _gather_text(_ACTION_NAMES, np.where(valid, layout + action, np.uint32(768)))
    valid = has(4, in_range)
    put("reason", reason, valid)
    cols["reason_name"] = _gather_text(_REASON_NAMES, np.where(valid, layout + reason, np.uint32(768)))
    cols["ifname"] = _name_text(ifname8, has(20, in_range), src, rows_at + (skip + 4), any(wide["ifname"]))
    cols["ruleset"] = _name_text(ruleset8, has(36, in_range), src, rows_at + (skip + 20), any(wide["ruleset"]))
    put("rulenr", rulenr, has(40, in_range))
    put("subrulenr", subrulenr, has(44, in_range))
    for name, at in (("uid", 44), ("pid", 48), ("rule_uid", 52), ("rule_pid", 56)):
        put(name, ids[name], has(at + 4, has_ids))
    dir_valid = in_range & (avail >= np.where(has_ids, 61, 45))
    put("dir", direction, dir_valid)
    cols["dir_name"] = _gather_text(_DIR_NAMES, np.where(dir_valid, layout + direction, np.uint32(768)))
    put("rewritten", rewritten, has(62, is100))
    put("naf", naf, has(63, is100))
    a4 = af == AF_INET
    a6 = (af == 24) | (af == 28) | (af == 30)
    s_addr = (saddr4, six.get("saddr"), has(68, is100 & a4), has(80, is100 & a6))
    d_addr = (daddr4, six.get("daddr"), has(84, is100 & a4), has(96, is100 & a6))
    i_src = (ip_src4, six.get("ip_src"), v4, v6)
    i_dst = (ip_dst4, six.get("ip_dst"), v4, v6)
    cols["ip_src"] = _address_text(*i_src)
    cols["ip_dst"] = _address_text(*i_dst)
    # pfloghdr addresses are nearly always the packet's own (rewritten packets aside)
    cols["saddr"] = cols["ip_src"] if _same_addresses(s_addr, i_src) else _address_text(*s_addr)
    cols["daddr"] = cols["ip_dst"] if _same_addresses(d_addr, i_dst) else _address_text(*d_addr)
    put("sport", sport, has(98, is100))
    put("dport", dport, has(100, is100))
    put("ridentifier", saddr4, has(68, is69))  # the same bytes as saddr's first 4

    put("ip_version", version, vpresent)
    ip = v4 | v6
    put("ip_proto", proto, ip)
    put("ttl", ttl, ip)
    put("ip_len", ip_len, ip)
    put("ip_id", ip_id, v4)
    tcp = l4_ok & (proto == 6)
    ported = l4_ok & _HAS_PORTS[proto]
    icmp = l4_ok & (((proto == 1) & v4) | ((proto == 58) & v6))
    put("src_port", src_port, ported & (avail >= l4 + 2))
    put("dst_port", dst_port, ported & (avail >= l4 + 4))
    valid = tcp & (avail >= l4 + 14)
    put("tcp_flags", flags, valid)
    cols["tcp_flags_text"] = _gather_text(_TCP_FLAG_TEXT, np.where(valid, flags, np.uint32(256)).astype(np.uint32))
    put("seq", seq, tcp & (avail >= l4 + 8))
    put("ack", ack, tcp & (avail >= l4 + 12))
    put("win", win, tcp & (avail >= l4 + 16))
    # ICMP type and code: the bytes of the source port
    put("icmp_type", np.ascontiguousarray(src_port >> 8, np.uint8), icmp & (avail >= l4 + 1))
    put("icmp_code", np.ascontiguousarray(src_port & 0xFF, np.uint8), icmp & (avail >= l4 + 2))
    return pl.DataFrame([cols[name].alias(name) for name in COLUMNS])


_IPV6_EXT = (0, 43, 44, 51, 60)


def _table(values) -> np.ndarray:
    """bool lookup table over a byte: table[v] = v in values (one gather, not np.isin)."""
    table = np.zeros(256, bool)
    table[list(values)] = True
    return table


_IS_EXT = _table(_IPV6_EXT)
_HAS_PORTS = _table((6, 17, 33, 132, 136))  # TCP UDP DCCP SCTP UDP-Lite
_KNOWN_LENGTH = _table((45, 61, 69, 100))


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
    odd = np.flatnonzero(in_range & ~_KNOWN_LENGTH[hl])
    if len(odd):
        problems.append(f"{len(odd)} packet(s) with an unusual pfloghdr length (first: packet "
                        f"{packet_no[odd[0]]}, length {hl[odd[0]]}): decoded as the "
                        f"{61 if hl[odd[0]] >= 61 else 45}-byte layout")
