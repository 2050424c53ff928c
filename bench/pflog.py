"""pflog decoding: parsers.pflog.decode beside dpkt and scapy's PcapReader on the same capture.

    python bench/pflog.py [--packets 1000000] [--runs 3] [--before REV] [--write]

The capture repeats the records of samples/handmade/lab1/pflog1.pcap (100-byte OpenBSD pfloghdr, IPv4
TCP SYNs) to --packets. A second, "mixed" capture of the same size repeats the records of the
real captures in ../shared/corpus/pflog (IPv4 and IPv6; TCP, UDP and ICMP; 152-220 bytes per
record, two of them cut short by the snap length), so that the figure does not rest on records
of one size. dpkt is timed on the first --dpkt-packets packets and scapy on the first
--scapy-packets (they manage ~100 k and a few thousand per second); packets/s are compared.

dpkt has no pfloghdr class: the reference declares one as a `dpkt.Packet` (the 100-byte
layout of formats.md 7.1) and decodes the packet after it with `dpkt.ip.IP` / `dpkt.ip6.IP6`
(which decode TCP, UDP and ICMP in turn), reading every field mxlog stores and formatting the
four addresses with `socket.inet_ntop`, as mxlog does.

--before REV also times parsers/pflog.py as it is in git revision REV, alternating with this
tree run by run in the same process, on the same capture (before/after under the same load).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import write_section  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BEGIN, END = "<!-- bench:pflog:begin -->", "<!-- bench:pflog:end -->"
CORPUS = ROOT.parent / "shared" / "corpus" / "pflog"


def _records(path: Path) -> tuple[bytes, list[bytes]]:
    src = path.read_bytes()
    header, records, off = src[:24], [], 24
    while off + 16 <= len(src):
        caplen = struct.unpack_from("<I", src, off + 8)[0]
        records.append(src[off : off + 16 + caplen])
        off += 16 + caplen
    return header, records


def make_capture(packets: int, mixed: bool = False) -> bytes:
    """A pcap of `packets` records: lab1's IPv4 TCP SYNs, or (mixed) the corpus captures' records."""
    if mixed and sorted(CORPUS.glob("*.pcap")):
        header, records = None, []
        for p in sorted(CORPUS.glob("*.pcap")):
            h, recs = _records(p)
            header = header or h[:16] + struct.pack("<II", 65535, 117)  # snaplen covers them all
            for r in recs:  # the corpus' truncated captures: cut the record to what is present
                caplen = struct.unpack_from("<I", r, 8)[0]
                if len(r) - 16 < caplen:
                    r = r[:8] + struct.pack("<I", len(r) - 16) + r[12:]
                records.append(r)
    else:
        header, records = _records(ROOT / "samples" / "handmade" / "lab1" / "pflog1.pcap")
    body = b"".join(records)
    reps, rest = divmod(packets, len(records))
    return header + body * reps + b"".join(records[:rest])


def _dpkt_decoder():
    import dpkt

    class PFLog(dpkt.Packet):  # struct pfloghdr, OpenBSD 4.9+ (formats.md 7.1)
        __hdr__ = (("length", "B", 0), ("af", "B", 0), ("action", "B", 0), ("reason", "B", 0),
                   ("ifname", "16s", b""), ("ruleset", "16s", b""), ("rulenr", "i", 0),
                   ("subrulenr", "i", 0), ("uid", "I", 0), ("pid", "I", 0), ("rule_uid", "I", 0),
                   ("rule_pid", "I", 0), ("dir", "B", 0), ("rewritten", "B", 0), ("naf", "B", 0),
                   ("pad", "B", 0), ("saddr", "16s", b""), ("daddr", "16s", b""), ("sport", "H", 0),
                   ("dport", "H", 0))

    ntop = socket.inet_ntop

    def decode(path: str) -> int:
        n = 0
        with open(path, "rb") as f:
            for ts, buf in dpkt.pcap.Reader(f):
                hdr = PFLog(buf)
                fields = (ts, len(buf), hdr.length, hdr.af, hdr.action, hdr.reason,
                          hdr.ifname.split(b"\0", 1)[0].decode(), hdr.ruleset.split(b"\0", 1)[0].decode(),
                          hdr.rulenr, hdr.subrulenr, hdr.uid, hdr.pid, hdr.rule_uid, hdr.rule_pid,
                          hdr.dir, hdr.rewritten, hdr.naf, hdr.sport, hdr.dport)
                family = socket.AF_INET if hdr.af == 2 else socket.AF_INET6
                alen = 4 if hdr.af == 2 else 16
                fields += (ntop(family, hdr.saddr[:alen]), ntop(family, hdr.daddr[:alen]))
                payload = buf[(hdr.length + 3) & ~3:]
                if payload[:1] and payload[0] >> 4 == 6:
                    ip = dpkt.ip6.IP6(payload)
                    fields += (ntop(socket.AF_INET6, ip.src), ntop(socket.AF_INET6, ip.dst), ip.nxt, ip.hlim, ip.plen)
                else:
                    ip = dpkt.ip.IP(payload)
                    fields += (ntop(socket.AF_INET, ip.src), ntop(socket.AF_INET, ip.dst), ip.p, ip.ttl, ip.len, ip.id)
                l4 = ip.data
                if isinstance(l4, dpkt.tcp.TCP):
                    fields += (l4.sport, l4.dport, l4.flags, l4.seq, l4.ack, l4.win)
                elif isinstance(l4, dpkt.udp.UDP):
                    fields += (l4.sport, l4.dport)
                elif isinstance(l4, (dpkt.icmp.ICMP, dpkt.icmp6.ICMP6)):
                    fields += (l4.type, l4.code)
                n += 1
        return n

    return decode


def _load(rev: str):
    """parsers/pflog.py as it is in git revision `rev`, as a module."""
    text = subprocess.run(["git", "show", f"{rev}:parsers/pflog.py"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp(prefix="mxlog-bench-")) / f"pflog_{rev}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(f"pflog_{rev}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _time(decode, data: bytes, packets: int) -> tuple[float, float]:
    t, c = time.perf_counter(), time.process_time()
    df, problems = decode(data)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    assert df.height == packets, (df.height, packets, problems)
    return wall, cpu


def measure(packets: int, runs: int, scapy_packets: int = 20_000, dpkt_packets: int = 100_000,
            before: str | None = None, mixed: bool = True) -> dict:
    """Decode a capture of `packets` records `runs` times (alternating with revision `before`
    if given), the mixed capture likewise, dpkt on `dpkt_packets` and scapy on `scapy_packets`."""
    from parsers.pflog import decode

    old = _load(before).decode if before else None
    out: dict = {"packets": packets, "runs": runs}
    for name in ("same", "mixed") if mixed else ("same",):
        data = make_capture(packets, mixed=name == "mixed")
        res = {"times": [], "cpu": [], "before_times": [], "before_cpu": [], "mb": len(data) / 1e6}
        for _ in range(runs):
            for key, fn in (("", decode), ("before_", old)):
                if fn is None:
                    continue
                wall, cpu = _time(fn, data, packets)
                res[key + "times"].append(wall)
                res[key + "cpu"].append(cpu)
        out[name] = res
        del data
    out.update(out["same"])  # bench/run.py reads times, cpu, mb at the top level

    with tempfile.TemporaryDirectory(prefix="mxlog-bench-") as tmp:
        sample = Path(tmp) / "pflog-dpkt.pcap"
        sample.write_bytes(make_capture(dpkt_packets))
        dpkt_decode = _dpkt_decoder()
        t, c = time.perf_counter(), time.process_time()
        n = dpkt_decode(str(sample))
        out.update(dpkt_n=n, dpkt_s=time.perf_counter() - t, dpkt_cpu=time.process_time() - c)
        out["dpkt_pps"] = n / out["dpkt_s"]

        import scapy.layers.pflog  # noqa: F401  (registers DLT 117)
        from scapy.utils import PcapReader

        sample = Path(tmp) / "pflog-scapy.pcap"
        sample.write_bytes(make_capture(scapy_packets))
        t, c = time.perf_counter(), time.process_time()
        with PcapReader(str(sample)) as r:
            n = sum(1 for _ in r)
        out.update(scapy_n=n, scapy_s=time.perf_counter() - t, scapy_cpu=time.process_time() - c)
        out["scapy_pps"] = n / out["scapy_s"]
    return out


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--packets", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dpkt-packets", type=int, default=100_000)
    ap.add_argument("--scapy-packets", type=int, default=20_000)
    ap.add_argument("--before", help="git revision whose parsers/pflog.py is timed alternately with this tree")
    ap.add_argument("--write", action="store_true")
    a = ap.parse_args(argv)
    load_before = os.getloadavg()[1]
    m = measure(a.packets, a.runs, a.scapy_packets, a.dpkt_packets, a.before)
    load_after = os.getloadavg()[1]
    p = a.packets
    dpkt_pps, scapy_pps = m["dpkt_pps"], m["scapy_pps"]

    def rows(res, label):
        s, c = statistics.median(res["times"]), statistics.median(res["cpu"])
        runs = ", ".join(f"{t:.2f}" for t in res["times"])
        out = [f"| `parsers.pflog.decode` ({label}) | {p:,} | {s:.2f} | {runs} | {c:.2f} | {p / s:,.0f} | {p / c:,.0f} | "
               f"{(p / s) / dpkt_pps:.0f} × dpkt |"]
        if res["before_times"]:
            bs, bc = statistics.median(res["before_times"]), statistics.median(res["before_cpu"])
            bruns = ", ".join(f"{t:.2f}" for t in res["before_times"])
            out.append(f"| same, parsers/pflog.py of {a.before} ({label}) | {p:,} | {bs:.2f} | {bruns} | {bc:.2f} | "
                       f"{p / bs:,.0f} | {p / bc:,.0f} | this tree {bs / s:.1f} × faster (CPU {bc / c:.1f} ×) |")
        return out

    out = [
        BEGIN,
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {os.cpu_count()} cores; "
        f"{p:,}-packet captures ({m['same']['mb']:,.0f} MB lab1 IPv4 TCP SYNs; {m['mixed']['mb']:,.0f} MB mixed corpus records), "
        f"median of {a.runs} runs{', before/after alternating run by run' if a.before else ''}; "
        f"5-minute load average {load_before:.1f} before, {load_after:.1f} after (other jobs share the machine):",
        "",
        "| decoder (capture) | packets | median s | runs s | median CPU s | packets/s | packets per CPU-s | ratio |",
        "|---|---:|---:|---|---:|---:|---:|---:|",
        *rows(m["same"], "lab1 SYNs"),
        *rows(m["mixed"], "mixed corpus records"),
        f"| dpkt `pcap.Reader` + pfloghdr `dpkt.Packet` + `IP`/`IP6` (every field, addresses as text) | {m['dpkt_n']:,} | "
        f"{m['dpkt_s']:.2f} | 1 run | {m['dpkt_cpu']:.2f} | {dpkt_pps:,.0f} | {m['dpkt_n'] / m['dpkt_cpu']:,.0f} | 1 × |",
        f"| scapy `PcapReader` (objects only) | {m['scapy_n']:,} | {m['scapy_s']:.2f} | 1 run | {m['scapy_cpu']:.2f} | "
        f"{scapy_pps:,.0f} | {m['scapy_n'] / m['scapy_cpu']:,.0f} | {scapy_pps / dpkt_pps:.2f} × dpkt |",
        "",
        f"Command: `python bench/pflog.py --packets {p} --runs {a.runs}{f' --before {a.before}' if a.before else ''} --write`. "
        "Target (issue 8): ≥ 2 M packets/s.",
        END,
    ]
    text = "\n".join(out)
    print(text)
    if a.write:
        write_section(BEGIN, END, text, '## pflog decoding (issues 4 and 8)')


if __name__ == "__main__":
    main()
