"""parsers/pflog.py against real captures (formats.md 7, tcpdump 4.99.3 output, scapy) and
small synthetic captures built here with struct (other byte orders, layouts, pcapng)."""

from __future__ import annotations

import random
import re
import struct
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from parsers import pflog

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pflog"
CAPTURES = sorted(p.name for p in CORPUS.glob("*.pcap"))
TRUNCATED = {"pflog_udp.pcap": (130, 128), "pflog_icmp.pcap": (184, 128)}


def decode_file(name: str) -> tuple[dict, list[str]]:
    df, problems = pflog.decode((CORPUS / name).read_bytes())
    assert len(df) == 1
    return df.row(0, named=True), problems


# --- declaration -----------------------------------------------------------------------------------

def test_columns_declaration():
    assert list(pflog.COLUMNS)[:4] == ["packet_no", "ts", "caplen", "wirelen"]
    for name, (sql_type, description) in pflog.COLUMNS.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name)
        assert sql_type in {"UTINYINT", "USMALLINT", "UINTEGER", "INTEGER", "BIGINT", "VARCHAR",
                            "TIMESTAMPTZ", "BOOLEAN"}
        assert description


@pytest.mark.parametrize("name", CAPTURES)
def test_schema_is_columns(name):
    df, _ = pflog.decode((CORPUS / name).read_bytes())
    assert df.columns == list(pflog.COLUMNS)
    assert df.schema == pl.Schema(pflog.SCHEMA)
    assert df.schema["ts"] == pl.Datetime("us", "UTC")


# --- formats.md 7.1 worked example (pflog_tcp.pcap) ------------------------------------------------

def test_worked_example_pflog_tcp():
    row, problems = decode_file("pflog_tcp.pcap")
    assert problems == []
    expected = dict(
        packet_no=1, caplen=164, wirelen=164, truncated=False,
        length=100, af=2, action=1, action_name="block", reason=0, reason_name="match",
        ifname="vio0", ruleset="", rulenr=5, subrulenr=-1,
        uid=0xFFFFFFFF, pid=pflog.NO_PID, rule_uid=0, rule_pid=86916,  # host order: LE
        dir=1, dir_name="in", rewritten=0, naf=2,
        saddr="10.200.200.254", daddr="10.200.200.154", sport=41917, dport=23, ridentifier=None,
        ip_version=4, ip_src="10.200.200.254", ip_dst="10.200.200.154", ip_proto=6, ttl=64,
        ip_len=64, ip_id=25518, src_port=41917, dst_port=23, tcp_flags=0x02, tcp_flags_text="S",
        seq=3368671730, ack=0, win=16384, icmp_type=None, icmp_code=None,
    )
    assert {k: row[k] for k in expected} == expected
    assert row["ts"] == datetime(2020, 12, 7, 13, 13, 45, 511869, tzinfo=timezone.utc)


def test_rule_pids_of_the_corpus():
    """formats.md 7.1: every corpus capture has uid -1, pid NO_PID, rule_uid 0, rewritten 0."""
    pids = set()
    for name in CAPTURES:
        row, _ = decode_file(name)
        assert (row["uid"], row["pid"], row["rule_uid"], row["rewritten"]) == (0xFFFFFFFF, 100000, 0, 0)
        assert row["naf"] == row["af"]
        pids.add(row["rule_pid"])
    assert pids == {86916, 41097, 34212, 2265, 56187}


# --- against tcpdump 4.99.3 -n -e (and -v) ---------------------------------------------------------

def tcpdump_lines() -> dict[str, dict]:
    """The `-n -e` line and the `-v` details of every capture tcpdump could read."""
    out, name, verbose = {}, None, False
    for line in (CORPUS / "tcpdump-4.99.3-output.txt").read_text().splitlines():
        if m := re.match(r"### tcpdump -n -e (-v )?-r (\S+)", line):
            verbose, name = bool(m.group(1)), m.group(2)
            continue
        m = re.match(r"\d\d:\d\d:\d\d\.\d{6} rule (\d+)/(\d+)\((\S+)\): (\S+) (\S+) on (\S+): (.*)", line)
        if m and not verbose:
            out[name] = dict(time=line[:15], rulenr=int(m[1]), reason=int(m[2]), reason_name=m[3],
                             action_name=m[4], dir_name=m[5], ifname=m[6], rest=m[7])
        elif name in out and verbose:
            out[name]["verbose"] = out[name].get("verbose", "") + line
    return out


TCPDUMP = tcpdump_lines()


def test_tcpdump_output_covers_the_readable_captures():
    assert set(TCPDUMP) == set(CAPTURES) - set(TRUNCATED)


@pytest.mark.parametrize("name", sorted(TCPDUMP))
def test_against_tcpdump(name):
    td = TCPDUMP[name]
    row, problems = decode_file(name)
    assert problems == []
    assert row["ts"].strftime("%H:%M:%S.%f") == td["time"]  # tcpdump ran with TZ=UTC
    for key in ("rulenr", "reason", "reason_name", "action_name", "dir_name", "ifname"):
        assert row[key] == td[key], key
    rest = td["rest"]
    if m := re.match(r"(\S+)\.(\d+) > (\S+)\.(\d+): (.*)", rest):  # TCP/UDP
        src, sport, dst, dport, tail = m.groups()
        assert (row["ip_src"], row["src_port"], row["ip_dst"], row["dst_port"]) == (src, int(sport), dst, int(dport))
        assert (row["saddr"], row["sport"], row["daddr"], row["dport"]) == (src, int(sport), dst, int(dport))
        if f := re.match(r"Flags \[(\S+)\], seq (\d+), win (\d+)", tail):
            assert row["ip_proto"] == 6
            assert (row["tcp_flags_text"], row["seq"], row["win"]) == (f[1], int(f[2]), int(f[3]))
        else:
            assert tail.startswith("UDP") and row["ip_proto"] == 17 and row["tcp_flags"] is None
    else:  # ICMP6 neighbor solicitation: addresses without ports
        m = re.match(r"(\S+) > (\S+): ICMP6, neighbor solicitation", rest)
        assert m, rest
        assert (row["ip_src"], row["ip_dst"]) == (m[1], m[2])
        assert (row["ip_proto"], row["icmp_type"], row["icmp_code"]) == (58, 135, 0)
        assert row["src_port"] is None
    v = td["verbose"]
    if m := re.search(r"hlim (\d+), next-header \S+ \((\d+)\) payload length: (\d+)", v):
        assert (row["ip_version"], row["ttl"], row["ip_proto"], row["ip_len"]) == (6, int(m[1]), int(m[2]), int(m[3]))
    else:
        m = re.search(r"ttl (\d+), id (\d+), offset 0, flags \[DF\], proto \S+ \((\d+)\), length (\d+)", v)
        assert (row["ip_version"], row["ttl"], row["ip_id"], row["ip_proto"], row["ip_len"]) == tuple(map(int, (4,) + m.groups()))


def test_matrix_ipv4_ipv6_tcp_udp_icmp_pass_block():
    seen = set()
    for name in CAPTURES:
        row, _ = decode_file(name)
        l4 = {6: "tcp", 17: "udp", 1: "icmp", 58: "icmp"}[row["ip_proto"]]
        seen.add((row["ip_version"], l4, row["action_name"]))
    assert {(4, "tcp", "block"), (4, "udp", "block"), (4, "icmp", "block"),
            (6, "tcp", "block"), (6, "tcp", "pass"), (6, "udp", "block"),
            (6, "icmp", "block"), (6, "icmp", "pass")} == seen


# --- truncated captures ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(TRUNCATED))
def test_truncated_capture_keeps_its_packet(name):
    declared, present = TRUNCATED[name]
    row, problems = decode_file(name)
    assert problems == [f"record 1 at offset 24 truncated: header says {declared} captured bytes, "
                        f"only {present} in the file"]
    assert (row["caplen"], row["truncated"]) == (declared, True)
    assert (row["ip_version"], row["ip_src"], row["ip_dst"]) == (4, "10.200.200.254", "10.200.200.154")
    if name == "pflog_udp.pcap":  # 100 + 20 + 8 bytes present: the whole UDP header
        assert (row["ip_proto"], row["src_port"], row["dst_port"], row["sport"]) == (17, 43275, 23, 43275)
    else:  # echo request; pf's virtual ports are the ICMP id and type
        assert (row["ip_proto"], row["icmp_type"], row["icmp_code"]) == (1, 8, 0)
        assert (row["sport"], row["dport"], row["src_port"]) == (5707, 8, None)


# --- scapy as a reference decoder ---------------------------------------------------------------

@pytest.mark.parametrize("name", CAPTURES)
def test_against_scapy(name):
    import scapy.layers.pflog  # noqa: F401  (registers DLT 117)
    from scapy.layers.inet import IP, TCP, UDP
    from scapy.layers.inet6 import IPv6
    from scapy.utils import rdpcap

    (pkt,) = rdpcap(str(CORPUS / name))
    hdr = pkt["PFLog"]
    row, _ = decode_file(name)
    assert (row["rulenr"], row["subrulenr"]) == (hdr.rulenumber, hdr.subrulenumber)
    assert (row["saddr"], row["daddr"], row["sport"], row["dport"]) == (hdr.saddr, hdr.daddr, hdr.sport, hdr.dport)
    assert (row["length"], row["af"], row["action"], row["reason"]) == (
        hdr.hdrlen, hdr.addrfamily, hdr.action, hdr.reason)
    assert row["ifname"] == hdr.iface.rstrip(b"\0").decode()
    ip = pkt[IP] if IP in pkt else pkt[IPv6]
    assert (row["ip_src"], row["ip_dst"]) == (ip.src, ip.dst)
    for layer in (TCP, UDP):
        if layer in pkt:
            assert (row["src_port"], row["dst_port"]) == (pkt[layer].sport, pkt[layer].dport)
    if TCP in pkt:
        assert (row["seq"], row["win"], row["tcp_flags"]) == (pkt[TCP].seq, pkt[TCP].window, int(pkt[TCP].flags))
    # scapy reads the host-order fields big-endian: wrong on this little-endian capture
    assert row["pid"] == 100000 and hdr.pid == 2693136640 != row["pid"]
    assert hdr.rulepid != row["rule_pid"]
    assert hdr.rulepid == int.from_bytes(row["rule_pid"].to_bytes(4, "little"), "big")


# --- synthetic captures ---------------------------------------------------------------------------

def ipv4_tcp(src=b"\xc0\x00\x02\x01", dst=b"\xc6\x33\x64\x07", sport=50000, dport=25, flags=0x12,
             seq=1000, ack=2000, win=512) -> bytes:
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 40, 777, 0x4000, 51, 6, 0, src, dst)
    return ip + struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 0x50, flags, win, 0, 0)


def pfloghdr(length=100, order="<", af=2, action=0, reason=0, ifname=b"em0", ruleset=b"",
             rulenr=7, subrulenr=-1, uid=0xFFFFFFFF, pid=100000, rule_uid=0, rule_pid=4242,
             dirn=2, ridentifier=0, saddr=b"\xc0\x00\x02\x01", daddr=b"\xc6\x33\x64\x07",
             sport=50000, dport=25) -> bytes:
    """struct pfloghdr in one of the layouts of formats.md 7.2, padded to (length + 3) & ~3."""
    head = struct.pack("BBBB16s16s", length, af, action, reason, ifname, ruleset)
    head += struct.pack(">Ii", rulenr, subrulenr)
    if length == 45:
        body = head + struct.pack("B", dirn)
    else:
        body = head + struct.pack(order + "IIII", uid, pid, rule_uid, rule_pid) + struct.pack("B", dirn)
        if length == 69:
            body += b"\0" * 3 + struct.pack(">I", ridentifier) + b"\0"
        elif length == 100:
            body += struct.pack("BB", 0, af) + b"\0" + saddr.ljust(16, b"\0") + daddr.ljust(16, b"\0")
            body += struct.pack(">HH", sport, dport)
    return body.ljust((length + 3) & ~3, b"\0")


def pcap(records, order="<", nanos=False, linktype=117, snaplen=160) -> bytes:
    magic = 0xA1B23C4D if nanos else 0xA1B2C3D4
    out = struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)
    for sec, frac, payload in records:
        out += struct.pack(order + "IIII", sec, frac, len(payload), len(payload)) + payload
    return out


def pcapng_block(btype: int, body: bytes, order="<") -> bytes:
    body = body.ljust((len(body) + 3) & ~3, b"\0")
    size = 12 + len(body)
    return struct.pack(order + "II", btype, size) + body + struct.pack(order + "I", size)


def test_big_endian_pcap_decodes_host_fields_big_endian():
    data = pcap([(1700000000, 250000, pfloghdr(order=">", pid=4321, rule_pid=77) + ipv4_tcp())], order=">")
    assert data[:4] == b"\xa1\xb2\xc3\xd4"
    df, problems = pflog.decode(data)
    row = df.row(0, named=True)
    assert problems == []
    assert (row["pid"], row["rule_pid"], row["uid"], row["rulenr"], row["subrulenr"]) == (4321, 77, 0xFFFFFFFF, 7, -1)
    assert row["ts"] == datetime(2023, 11, 14, 22, 13, 20, 250000, tzinfo=timezone.utc)
    assert (row["action_name"], row["dir_name"], row["ifname"]) == ("pass", "out", "em0")
    assert (row["saddr"], row["daddr"], row["ip_src"], row["ip_dst"]) == (
        "192.0.2.1", "198.51.100.7", "192.0.2.1", "198.51.100.7")
    assert (row["tcp_flags"], row["tcp_flags_text"], row["seq"], row["ack"], row["win"]) == (0x12, "S.", 1000, 2000, 512)
    assert (row["ip_id"], row["ttl"], row["ip_len"]) == (777, 51, 40)


def test_nanosecond_magic():
    data = pcap([(1700000000, 123456789, pfloghdr() + ipv4_tcp())], nanos=True)
    df, problems = pflog.decode(data)
    assert problems == []
    assert df["ts"][0] == datetime(2023, 11, 14, 22, 13, 20, 123456, tzinfo=timezone.utc)


@pytest.mark.parametrize("flags,text", [(0x02, "S"), (0x12, "S."), (0x11, "F."), (0x04, "R"),
                                        (0x14, "R."), (0x18, "P."), (0x19, "FP."), (0, "none"),
                                        (0xC2, "SEW")])
def test_tcp_flags_text_as_tcpdump(flags, text):
    df, _ = pflog.decode(pcap([(0, 0, pfloghdr() + ipv4_tcp(flags=flags))]))
    assert (df["tcp_flags"][0], df["tcp_flags_text"][0]) == (flags, text)


def test_pcapng_with_unknown_block_and_tsresol():
    shb = pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    tsresol = struct.pack("<HHB", 9, 1, 9) + b"\0" * 3 + struct.pack("<HH", 0, 0)  # 10^-9 s
    idb = pcapng_block(1, struct.pack("<HHI", 117, 0, 160) + tsresol)
    payload = pfloghdr(action=1, reason=4) + ipv4_tcp(flags=0x02)
    ts = 1700000000_123456789
    epb = pcapng_block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(payload), len(payload)) + payload)
    odd = pcapng_block(0x0BADC0DE, b"hello")
    df, problems = pflog.decode(shb + idb + odd + epb + epb)
    assert problems == ["pcapng: skipped 1 block(s) of unknown type 0x0badc0de"]
    assert df["packet_no"].to_list() == [1, 2]
    row = df.row(0, named=True)
    assert row["ts"] == datetime(2023, 11, 14, 22, 13, 20, 123456, tzinfo=timezone.utc)
    assert (row["action_name"], row["reason_name"], row["pid"], row["rule_pid"]) == ("block", "normalize", 100000, 4242)
    assert (row["ip_src"], row["src_port"], row["tcp_flags_text"]) == ("192.0.2.1", 50000, "S")


def test_pcapng_non_pflog_interface_is_a_problem():
    shb = pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb = pcapng_block(1, struct.pack("<HHI", 1, 0, 0))
    epb = pcapng_block(6, struct.pack("<IIIII", 0, 0, 0, 4, 4) + b"abcd")
    df, problems = pflog.decode(shb + idb + epb)
    assert len(df) == 0 and df.columns == list(pflog.COLUMNS)
    assert problems == ["pcapng: skipped 1 packet(s) on an interface of link type 1 is not DLT_PFLOG (117)"]


def test_freebsd_69_byte_header():
    hdr = pfloghdr(length=69, af=28, action=12, reason=15, ridentifier=123456, pid=100000, dirn=1)
    assert len(hdr) == 72
    v6 = struct.pack(">IHBB16s16s", 0x60000000, 8, 17, 64, bytes.fromhex("20010db8" + "0" * 23 + "1"),
                     bytes.fromhex("20010db8" + "0" * 22 + "53")) + struct.pack(">HHHH", 5353, 53, 8, 0)
    df, problems = pflog.decode(pcap([(0, 0, hdr + v6)]))
    row = df.row(0, named=True)
    assert problems == []
    assert (row["length"], row["af"], row["ridentifier"], row["dir"], row["dir_name"]) == (69, 28, 123456, 1, "in")
    assert (row["action_name"], row["reason_name"]) == ("match", "map-failed")  # FreeBSD tables
    assert (row["pid"], row["rule_pid"]) == (100000, 4242)
    assert (row["saddr"], row["rewritten"], row["naf"], row["sport"]) == (None, None, None, None)
    assert (row["ip_version"], row["ip_src"], row["ip_dst"]) == (6, "2001:db8::1", "2001:db8::53")
    assert (row["ip_proto"], row["src_port"], row["dst_port"], row["ttl"], row["ip_len"]) == (17, 5353, 53, 64, 8)


def test_61_and_45_byte_headers():
    df, problems = pflog.decode(pcap([(0, 0, pfloghdr(length=61, dirn=2, rule_pid=99) + ipv4_tcp()),
                                      (0, 0, pfloghdr(length=45, dirn=1) + ipv4_tcp(dport=587))]))
    assert problems == []
    a, b = df.rows(named=True)
    assert len(pfloghdr(length=61)) == 64 and len(pfloghdr(length=45)) == 48
    assert (a["length"], a["dir_name"], a["rule_pid"], a["ridentifier"], a["saddr"]) == (61, "out", 99, None, None)
    assert (a["ip_src"], a["dst_port"]) == ("192.0.2.1", 25)
    assert (b["length"], b["dir_name"], b["uid"], b["pid"], b["rulenr"]) == (45, "in", None, None, 7)
    assert (b["ip_dst"], b["dst_port"]) == ("198.51.100.7", 587)


def test_header_length_out_of_range():
    bad = bytearray(pfloghdr() + ipv4_tcp())
    bad[0] = 120
    df, problems = pflog.decode(pcap([(0, 0, pfloghdr() + ipv4_tcp()), (0, 0, bytes(bad)), (0, 0, b"\x10" + bytes(40))]))
    assert problems == ["2 packet(s) with pfloghdr length outside 45..100 (first: packet 2, length 120): "
                        "fields after length left NULL"]
    assert df["packet_no"].to_list() == [1, 2, 3]
    assert df["length"].to_list() == [100, 120, 16]
    assert df["rulenr"].to_list() == [7, None, None]
    assert df["ip_src"].to_list() == ["192.0.2.1", None, None]
    assert df["action_name"].to_list() == ["pass", None, None]


def test_snaplen_truncation_leaves_later_fields_null():
    full = pfloghdr() + ipv4_tcp()
    df, problems = pflog.decode(pcap([(0, 0, full[:124]), (0, 0, full[:110])]))
    assert problems == []
    a, b = df.rows(named=True)
    assert (a["src_port"], a["dst_port"], a["seq"], a["tcp_flags"]) == (50000, 25, None, None)
    assert (b["ip_version"], b["ip_src"], b["ip_proto"], b["rulenr"]) == (4, None, None, 7)


def test_ipv4_fragment_has_no_ports():
    pkt = bytearray(ipv4_tcp())
    pkt[6:8] = struct.pack(">H", 0x0010)  # fragment offset 16
    df, _ = pflog.decode(pcap([(0, 0, pfloghdr() + bytes(pkt))]))
    assert (df["ip_proto"][0], df["src_port"][0], df["tcp_flags"][0]) == (6, None, None)


def test_ipv6_extension_headers_are_walked():
    hop = struct.pack(">BB6s", 6, 0, b"\0" * 6)  # hop-by-hop, then TCP
    ip6 = struct.pack(">IHBB16s16s", 0x60000000, 28, 0, 64, b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\1",
                      b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\2")
    tcp = ipv4_tcp()[20:]
    df, _ = pflog.decode(pcap([(0, 0, pfloghdr(af=24) + ip6 + hop + tcp)], snaplen=512))
    row = df.row(0, named=True)
    assert (row["ip_proto"], row["src_port"], row["tcp_flags_text"]) == (6, 50000, "S.")
    assert (row["ip_src"], row["ip_dst"], row["ip_len"], row["ttl"]) == ("2001:db8::1", "2001:db8::2", 28, 64)
    assert row["saddr"] == "c000:201::"  # af 24: pf_addr read as IPv6, whatever its bytes


def test_bad_magic_raises():
    with pytest.raises(ValueError, match="not a pcap or pcapng capture: bad magic 00010203"):
        pflog.decode(bytes(range(40)))
    with pytest.raises(ValueError, match="gzip"):
        pflog.decode(b"\x1f\x8b\x08\x00" + bytes(30))
    with pytest.raises(ValueError, match="empty file"):
        pflog.decode(b"")


def test_other_link_type_and_short_files_are_problems():
    df, problems = pflog.decode(pcap([(0, 0, b"x" * 20)], linktype=1))
    assert len(df) == 0 and problems == ["link type 1 is not DLT_PFLOG (117); no packets decoded"]
    df, problems = pflog.decode(pcap([], linktype=17))
    assert problems == ["link type 17 (DLT_OLD_PFLOG, OpenBSD <= 3.3) is not supported; no packets decoded"]
    df, problems = pflog.decode(b"\xd4\xc3\xb2\xa1" + bytes(8))
    assert len(df) == 0 and problems == ["pcap file header truncated: 12 of 24 bytes"]
    data = pcap([(0, 0, pfloghdr() + ipv4_tcp())]) + bytes(7)
    df, problems = pflog.decode(data)
    assert len(df) == 1 and problems == ["7 trailing byte(s) after the last record (incomplete record header)"]


def test_garbage_never_raises():
    rng = random.Random(7)
    good = pcap([(0, 0, pfloghdr() + ipv4_tcp())] * 3)
    for _ in range(300):
        data = bytearray(good)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(24, len(data))] = rng.randrange(256)
        data = bytes(data[: rng.randrange(24, len(data) + 1)])
        df, problems = pflog.decode(data)
        assert df.columns == list(pflog.COLUMNS)


# --- the lane walk equals the sequential walk ----------------------------------------------------

@pytest.mark.parametrize("seed", range(6))
def test_lane_walk_is_the_sequential_walk(seed):
    rng = random.Random(seed)
    records, expected = [], []
    for i in range(3000):
        payload = pfloghdr(rulenr=i) + ipv4_tcp(seq=i)
        payload = payload[: rng.choice([60, 130, 140, 160, len(payload)])]
        if rng.random() < 0.01:  # odd records the lanes reject: the chunk falls back to the loop
            payload = b"\x05" + payload[1:]
        records.append((i, 0, payload))
        expected.append(None if payload[0] == 5 else i)
    data = pcap(records)
    data = data[: len(data) - rng.randrange(0, 40)]  # maybe a truncated last record
    reference: list[int] = []
    pflog._walk_sequential(data, 24, len(data), 16, "<", reference)
    # (snaplen 65535: the first record start is looked for in a narrow window, then the whole one)
    for chunk, window, snaplen in ((256, 64, 160), (1024, None, 160), (4096, 200, 160), (2048, None, 65535)):
        offsets = pflog._walk_pcap(data, 24, 16, "<", snaplen, 10**6, chunk=chunk, window=window)
        assert np.array_equal(offsets, np.array(reference)), (chunk, window, snaplen)
    df, _ = pflog.decode(data)
    assert df["rulenr"].to_list() == expected[: len(df)]
    assert len(df) == len(reference)


# --- blocks and threads: the result does not depend on how the packets are cut ---------------

def varied_records(rng: random.Random) -> list[bytes]:
    """pfloghdr layouts 45/61/69/100, IPv4 TCP/UDP/ICMP (some with options or fragments),
    IPv6 with and without a hop-by-hop header, records cut by the snap length, long ifnames."""
    hop = struct.pack(">BB6s", 6, 0, b"\0" * 6)
    out = []
    for i in range(600):
        length = rng.choice([100, 100, 100, 69, 61, 45])
        v6 = rng.random() < 0.3
        hdr = pfloghdr(length=length, af=24 if v6 else 2, action=rng.randrange(14), reason=rng.randrange(18),
                       ifname=rng.choice([b"em0", b"vio0", b"averyverylongif0"]), rulenr=i,
                       saddr=bytes(rng.randrange(256) for _ in range(16 if v6 else 4)))
        if v6:
            ext = hop if rng.random() < 0.3 else b""
            tcp = ipv4_tcp(sport=i, seq=i)[20:]
            pkt = struct.pack(">IHBB16s16s", 0x60000000, len(ext) + 20, 0 if ext else 6, 64,
                              bytes(rng.randrange(256) for _ in range(16)), b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\1") + ext + tcp
        else:
            pkt = bytearray(ipv4_tcp(src=bytes(rng.randrange(256) for _ in range(4)), sport=i, seq=i))
            pkt[9] = rng.choice([6, 6, 17, 1])
            if rng.random() < 0.1:
                pkt[0], pkt[20:20] = 0x46, b"\1\1\1\0"  # 4 bytes of options
            if rng.random() < 0.05:
                pkt[6:8] = struct.pack(">H", 0x0010)  # not a first fragment
            pkt = bytes(pkt)
        record = hdr + pkt
        out.append(record[: rng.choice([len(record)] * 8 + [110, 130, 140])])
    return out


@pytest.mark.parametrize("container", ["pcap", "pcapng"])
def test_blocks_and_threads_decode_like_one_block(container, monkeypatch):
    rng = random.Random(11)
    records = varied_records(rng)
    if container == "pcap":
        data = pcap([(1700000000 + i, i, r) for i, r in enumerate(records)], snaplen=65535)
    else:  # a little-endian section, then a big-endian one: host-order fields per row
        data = b""
        for order, part in (("<", records[:300]), (">", records[300:])):
            data += pcapng_block(0x0A0D0D0A, struct.pack(order + "IHHq", 0x1A2B3C4D, 1, 0, -1), order)
            data += pcapng_block(1, struct.pack(order + "HHI", 117, 0, 0), order)
            for r in part:
                data += pcapng_block(6, struct.pack(order + "IIIII", 0, 0, 1, len(r), len(r)) + r, order)
    whole, problems = pflog.decode(data)  # 600 packets: one block, no threads
    assert len(whole) == 600 and whole["rulenr"].drop_nulls().len() > 0
    assert whole["ip_version"].to_list().count(6) > 100 and whole["ifname"].to_list().count("averyverylongif0") > 100
    for block in (7, 64):
        monkeypatch.setattr(pflog, "_BLOCK", block)
        cut, cut_problems = pflog.decode(data)
        assert cut_problems == problems
        assert cut.equals(whole), block

