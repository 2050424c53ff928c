"""`mxlog simulate`: a deterministic simulator of the logs of the seed's mail system.

    from mxlog.simulate import simulate
    summary = simulate(Path("out"), seed=1, days=1, rate=60.0)

Writes OUT/mx1, OUT/mx2, OUT/mx3 (maillog, daemon, pflog1.pcap, spamdb.txt) and the ground
truth OUT/truth/journeys.jsonl and OUT/truth/summary.json; see docs/simulate.md.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["simulate", "DEFAULT_START"]

DEFAULT_START = datetime(2026, 11, 24, tzinfo=timezone.utc)


def simulate(
    out: Path,
    *,
    seed: int = 1,
    days: int = 1,
    start: datetime = DEFAULT_START,
    rate: float = 60.0,
    smtpd_format: str = "E",
    dovecot: str = "2.3",
    spamd_verbose: bool = True,
    spamd_debug: bool = True,
) -> dict:
    """Simulate `days` days of mx1 (primary MX) and mx2, mx3 (backup MXs) from `start` (UTC) and
    write their logs under `out`. Deterministic: the same arguments give byte-identical files.

    rate: inbound messages (legitimate + spam attempts) per hour at the daily mean; the hourly
    rate follows a diurnal curve. spamd_verbose: spamd -v lines ((GREY)/(BLACK) tuples, headers);
    spamd_debug: grey.c LOG_DEBUG lines (new entry, Trapping, whitelisting, sync).

    smtpd_format: OpenSMTPD log family, "A" (5.4/5.9, written as 5.9.2), "B" (5.7), "C" (6.0),
    "D" (6.4) or "E" (6.6 .. 7.8); dovecot: "2.2" (2.2.28+), "2.3" (2.3.15+) or "2.4". The same
    simulated events (and the same truth) are written in that version's lines; other values raise
    ValueError("... not simulated ...").

    Returns the summary written to out/truth/summary.json, plus a "written" section (files,
    lines, bytes, seconds)."""
    from mxlog.simulate.core import Sim

    from mxlog.simulate.formats import DOVECOT, SMTPD

    if smtpd_format not in SMTPD:
        raise ValueError(f"smtpd_format {smtpd_format!r} not simulated (one of {', '.join(sorted(SMTPD))})")
    if dovecot not in DOVECOT:
        raise ValueError(f"dovecot {dovecot!r} not simulated (one of {', '.join(sorted(DOVECOT))})")
    if days < 1:
        raise ValueError("days must be >= 1")
    if rate <= 0:
        raise ValueError("rate must be > 0")
    if start.tzinfo is None:
        start = start.replace(tzinfo=timezone.utc)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    sim = Sim(out, seed, days, start, rate, spamd_verbose, spamd_debug, smtpd_format, dovecot)
    sim.run()
    summary = sim.summary()
    summary["parameters"] = {"seed": seed, "days": days, "start": start.astimezone(timezone.utc).isoformat(),
                             "rate": rate, "smtpd_format": smtpd_format, "dovecot": dovecot,
                             "spamd_verbose": spamd_verbose, "spamd_debug": spamd_debug}
    (out / "truth" / "summary.json").write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    files = {}
    for h in sim.hosts.values():
        for f in (h.maillog, h.daemon):
            files[str(f.path.relative_to(out))] = {"lines": f.lines, "bytes": f.bytes}
        files[str(h.pflog.path.relative_to(out))] = {"packets": h.pflog.packets, "bytes": h.pflog.bytes}
    for p in sorted(out.glob("*/spamdb.txt")) + sorted((out / "truth").glob("*")):
        files.setdefault(str(p.relative_to(out)), {"bytes": p.stat().st_size})
    result = dict(summary)
    result["written"] = {"files": files, "bytes": sum(v["bytes"] for v in files.values()),
                         "seconds": round(time.perf_counter() - t0, 3)}
    return result
