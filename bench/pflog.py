"""pflog decoding: parsers.pflog.decode beside scapy's PcapReader on the same capture.

    python bench/pflog.py [--packets 1000000] [--runs 3] [--write]

The capture repeats the records of samples/handmade/lab1/pflog1.pcap (100-byte OpenBSD pfloghdr, IPv4
TCP SYNs) to --packets. scapy is timed on the first 20,000 packets only (it manages a few
thousand per second); packets/s are compared.
"""

from __future__ import annotations

import argparse
import statistics
import struct
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import write_section  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BEGIN, END = "<!-- bench:pflog:begin -->", "<!-- bench:pflog:end -->"


def make_capture(packets: int) -> bytes:
    src = (ROOT / "samples" / "handmade" / "lab1" / "pflog1.pcap").read_bytes()
    header, records, off = src[:24], [], 24
    while off + 16 <= len(src):
        caplen = struct.unpack_from("<I", src, off + 8)[0]
        records.append(src[off : off + 16 + caplen])
        off += 16 + caplen
    body = b"".join(records)
    reps, rest = divmod(packets, len(records))
    return header + body * reps + b"".join(records[:rest])


def measure(packets: int, runs: int, scapy_packets: int = 20_000) -> dict:
    """Decode a capture of `packets` records `runs` times, and scapy on `scapy_packets`."""
    from parsers.pflog import decode

    data = make_capture(packets)
    times, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        df, problems = decode(data)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        assert df.height == packets and not problems, problems
    del df

    import scapy.layers.pflog  # noqa: F401  (registers DLT 117)
    from scapy.utils import PcapReader

    import tempfile

    with tempfile.TemporaryDirectory(prefix="mxlog-bench-") as tmp:
        sample = Path(tmp) / "pflog-scapy.pcap"
        sample.write_bytes(make_capture(scapy_packets))
        t = time.perf_counter()
        with PcapReader(str(sample)) as r:
            n = sum(1 for _ in r)
        scapy_s = time.perf_counter() - t
    return {"times": times, "cpu": cpu, "mb": len(data) / 1e6, "scapy_n": n, "scapy_s": scapy_s,
            "scapy_pps": n / scapy_s}


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--packets", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--write", action="store_true")
    a = ap.parse_args(argv)
    m = measure(a.packets, a.runs)
    ours, n, scapy_s = statistics.median(m["times"]), m["scapy_n"], m["scapy_s"]
    out = [
        BEGIN,
        f"{a.packets:,} packets ({m['mb']:,.0f} MB), median of {a.runs} runs:",
        "",
        "| decoder | packets | s | packets/s | ratio |",
        "|---|---:|---:|---:|---:|",
        f"| `parsers.pflog.decode` (all header and IP/TCP fields) | {a.packets:,} | {ours:.2f} | {a.packets / ours:,.0f} | {(a.packets / ours) / (n / scapy_s):.0f} × scapy |",
        f"| scapy `PcapReader` (objects only) | {n:,} | {scapy_s:.2f} | {n / scapy_s:,.0f} | 1 × |",
        "",
        f"Command: `python bench/pflog.py --packets {a.packets} --runs {a.runs} --write`. Target (performance "
        "issue): ≥ 2 M packets/s.",
        END,
    ]
    text = "\n".join(out)
    print(text)
    if a.write:
        write_section(BEGIN, END, text, '## pflog decoding (issue 4)')


if __name__ == "__main__":
    main()
