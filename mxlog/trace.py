"""`mxlog trace`: a message's journey hop by hop, with the raw log lines of every hop.

A query is a Message-ID, an smtpd msgid (8 hex digits) or evpid (16), an address, an IP, or a
journey_id; the raw lines are read back from the files by (file_id, line_no), from whichever
path of that content still holds it (its fingerprint is checked), so a rotated and compressed
file still answers."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import re
from pathlib import Path

from mxlog import ingest as _ingest

MSGID = re.compile(r"^[0-9a-f]{8}$")
EVPID = re.compile(r"^[0-9a-f]{16}$")


def _where(query: str) -> tuple[str, list]:
    q = query.strip()
    low = q.lower()
    if MSGID.match(low):
        return "list_contains(j.msgids, ?)", [low]
    if EVPID.match(low):
        return ("list_contains(j.msgids, ?) OR j.journey_id IN (SELECT journey_id FROM hops WHERE evpid = ?)",
                [low[:8], low])
    try:
        ipaddress.ip_address(q)
        return "j.client_ip = ?", [q]
    except ValueError:
        pass
    if q.startswith("<") and q.endswith(">"):
        return "j.message_id = ? OR lower(j.mail_from) = ? OR lower(j.rcpt_to) = ?", [q, low[1:-1], low[1:-1]]
    if "@" in q:
        return ("lower(j.mail_from) = ? OR lower(j.rcpt_to) = ? OR j.message_id = ?", [low, low, f"<{q}>"])
    return "j.journey_id = ?", [q]


def find(con, query: str, *, limit: int = 20) -> tuple[list[dict], int]:
    """(journeys with their hops, oldest first, at most `limit`; how many matched in all)."""
    where, params = _where(query)
    total = con.execute(f"SELECT count(*) FROM journeys j WHERE {where}", params).fetchone()[0]
    cur = con.execute(f"SELECT * FROM journeys j WHERE {where} ORDER BY first_seen_ts, journey_id LIMIT {int(limit)}",
                      params)
    cols = [d[0] for d in cur.description]
    journeys = [dict(zip(cols, r)) for r in cur.fetchall()]
    if not journeys:
        return [], total
    ids = [j["journey_id"] for j in journeys]
    cur = con.execute("SELECT * FROM hops WHERE list_contains(?, journey_id) ORDER BY journey_id, seq", [ids])
    hcols = [d[0] for d in cur.description]
    hops: dict[str, list] = {}
    for r in cur.fetchall():
        h = dict(zip(hcols, r))
        hops.setdefault(h["journey_id"], []).append(h)
    wanted = {(ln["file_id"], ln["line_no"]) for hs in hops.values() for h in hs for ln in (h["lines"] or [])}
    raw = raw_lines(con, wanted)
    for j in journeys:
        j["hops"] = hops.get(j["journey_id"], [])
        for h in j["hops"]:
            lines = sorted({(ln["file_id"], ln["line_no"]) for ln in (h.pop("lines") or [])})
            h["raw"] = [raw.get(key, (None, "(line not available: its file moved or was rotated away)")) for key in lines]
    return journeys, total


def _packet_text(row) -> str:
    ts, action, dirn, ifname, rulenr, src, sport, dst, dport, flags = row
    return (f"{ts:%b %d %H:%M:%S.%f} rule {rulenr}: {action} {dirn} on {ifname}: "
            f"{src}.{sport} > {dst}.{dport}: Flags [{flags}]")


def raw_lines(con, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], tuple[str, str]]:
    """{(file_id, line_no): (where, text)} for text files and pflog captures."""
    out: dict = {}
    by_file: dict[int, set[int]] = {}
    for f, n in wanted:
        by_file.setdefault(f, set()).add(n)
    for file_id, numbers in by_file.items():
        info = con.execute("SELECT kind, fingerprint, fp_len, path FROM files WHERE file_id = ?", [file_id]).fetchone()
        if info is None:
            continue
        kind, fingerprint, fp_len, first_path = info
        name = Path(first_path).name
        if kind in ("pcap", "pcapng"):
            for n in numbers:
                row = con.execute(
                    "SELECT ts, action_name, dir_name, ifname, rulenr, ip_src, src_port, ip_dst, dst_port, "
                    "tcp_flags_text FROM pflog_packets WHERE file_id = ? AND packet_no = ?", [file_id, n]).fetchone()
                if row:
                    out[(file_id, n)] = (f"{name}#{n}", _packet_text(row))
            continue
        paths = [p for (p,) in con.execute(
            "SELECT path FROM file_paths WHERE file_id = ? ORDER BY seen_at DESC", [file_id]).fetchall()] or [first_path]
        for path in paths:
            got = _read_lines(Path(path), fingerprint, fp_len, numbers)
            if got is not None:
                for n, text in got.items():
                    out[(file_id, n)] = (f"{Path(path).name}:{n}", text)
                break
    return out


def _read_lines(path: Path, fingerprint: str, fp_len: int, numbers: set[int]) -> dict[int, str] | None:
    """The numbered lines of `path` if it still holds the content with that fingerprint."""
    try:
        stream, _ = _ingest.open_content(path)
        want, out = max(numbers), {}
        with stream:
            if hashlib.sha256(stream.read(fp_len)).hexdigest() != fingerprint:
                return None
            stream.seek(0)  # the head again (a compressed stream restarts at its start: cheap)
            for n, line in enumerate(stream, 1):
                if n in numbers:
                    out[n] = line.rstrip(b"\n").rstrip(b"\r").decode("utf-8", "backslashreplace")
                if n >= want:
                    break
        return out
    except (OSError, EOFError, ValueError):
        return None


def _dur(s) -> str:
    if s is None:
        return ""
    s = float(s)
    if s < 60:
        return f"{s:.0f}s"
    m, sec = divmod(int(round(s)), 60)
    if m < 60:
        return f"{m}m{sec:02d}s"
    h, m = divmod(m, 60)
    if h < 48:
        return f"{h}h{m:02d}m"
    d, h = divmod(h, 24)
    return f"{d}d{h:02d}h"


def _t(ts) -> str:
    return "" if ts is None else f"{ts.astimezone(dt.timezone.utc):%Y-%m-%d %H:%M:%S}"


def render_text(journeys: list[dict], total: int, *, raw: bool = True) -> str:
    out = []
    for j in journeys:
        arrow = f"<{j['mail_from'] or ''}> -> <{j['rcpt_to'] or ''}>" if j["rcpt_to"] or j["mail_from"] else ""
        out.append(f"journey {j['journey_id']}  {j['direction']}  {j['final_status']}"
                   + (" via backup MX" if j["via_backup"] else ""))
        facts = [f"client {j['client_ip']}" if j["client_ip"] else "", arrow]
        out.append("  " + "  ".join(f for f in facts if f))
        ids = []
        if j["message_id"]:
            ids.append(f"message-id {j['message_id']}")
        if j["msgids"]:
            ids.append("msgids " + " -> ".join(j["msgids"]))
        if ids:
            out.append("  " + "  ".join(ids))
        more = []
        if j["greylisted"]:
            passed = f"passed after {_dur(j['greylist_delay_s'])}" if j["greylist_delay_s"] is not None else "never passed"
            more.append(f"greylisted {j['grey_attempts']}x, {passed}")
        if j["blacklists"]:
            more.append("lists " + ",".join(j["blacklists"]))
        if j["spam_verdict"]:
            more.append(f"spampd {j['spam_verdict']} {j['spam_score']}")
        if j["total_latency_s"] is not None:
            more.append(f"end to end {_dur(j['total_latency_s'])}")
        if more:
            out.append("  " + "  ".join(more))
        out.append(f"  {'seq':>3}  {'stage':<14} {'host':<6} {'start':<19}  {'end':<19}  {'took':>6}  {'msgid':<8}  "
                   f"{'result':<10} link")
        for h in j["hops"]:
            out.append(f"  {h['seq']:>3}  {h['stage']:<14} {h['host'] or '':<6} {_t(h['ts_start']):<19}  "
                       f"{_t(h['ts_end']):<19}  {_dur(h['duration_s']):>6}  {h['msgid'] or '':<8}  "
                       f"{(h['result'] or '')[:10]:<10} {h['link']}")
            if raw:
                for where, text in h["raw"]:
                    out.append(f"         {where or '?'}  {text}")
        out.append("")
    if total > len(journeys):
        out.append(f"({total - len(journeys)} more journeys match: narrow the query or raise --limit)")
    return "\n".join(out).rstrip("\n") + "\n"


def to_json(journeys: list[dict]) -> list[dict]:
    def conv(v):
        if isinstance(v, dt.datetime):
            return v.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
        if isinstance(v, list):
            return [conv(x) for x in v]
        if isinstance(v, tuple):
            return {"where": v[0], "text": v[1]}
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        return v

    return [conv(j) for j in journeys]
