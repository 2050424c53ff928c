"""What the CLI does, as functions a notebook can call."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from mxlog.errors import MxlogError, NoInput
from mxlog.store import connect
from mxlog.templates import template_sql

SAMPLES = Path(os.environ.get("MXLOG_SAMPLES", Path(__file__).resolve().parent.parent / "samples"))


def ingest(
    paths, *, db=None, host=None, year=None, tz="UTC", at=None, on_file=None, progress=None,
    journeys: bool = True, smtpd_conf=None, spamd_headers: bool = True,
) -> _ingest.IngestReport:
    """Ingest files/directories, then bring `journeys`/`hops` up to date (incrementally; skip
    with journeys=False). `at`: snapshot time of spamdb dumps (datetime or epoch seconds; default
    each file's mtime). `smtpd_conf`: the site's smtpd.conf, to know which relay port is which
    content filter (remembered in the database). spamd_headers=False deletes spamd's logged
    header lines (`spamd_events` rows with event 'header': From/To/Subject text a stranger wrote)
    after reading; the file counters still count them as parsed."""
    from mxlog import ingest as _ingest
    from mxlog import journeys as _journeys
    from mxlog import smtpdconf

    ports = smtpdconf.read(smtpd_conf) if smtpd_conf else None
    if hasattr(at, "timestamp"):
        at = at.timestamp()
    options = _ingest.IngestOptions(host=host, year=year, tz=tz, at=at)
    from mxlog.store import db_path

    # absolute: `mxlog trace` reads raw lines back from these paths, from any working directory
    files = _ingest.discover([Path(p).absolute() for p in paths])  # fail on missing paths before touching the database
    own = db_path(db).resolve()
    files = [f for f in files if f.resolve() not in (own, own.with_name(own.name + ".wal"))]
    if not files:
        raise NoInput("no files to read", hint="give log files or directories that contain some")
    con = connect(db)
    try:
        if ports:
            _journeys.set_proxy_ports(con, ports, str(smtpd_conf))
        report = _ingest.ingest(con, files, options, on_file=on_file, progress=progress)
        if not spamd_headers:
            report.spamd_headers_dropped = drop_spamd_headers(con)
        if journeys:
            report.journeys = _journeys.build(con, full=bool(ports))
        return report
    finally:
        con.close()


def drop_spamd_headers(con) -> int:
    """Delete spamd's logged header lines (event 'header'); returns how many were deleted."""
    (n,) = con.execute("SELECT count(*) FROM spamd_events WHERE event = 'header'").fetchone()
    if n:
        con.execute("DELETE FROM spamd_events WHERE event = 'header'")
    return n


def build_journeys(*, db=None, full=False, smtpd_conf=None) -> dict:
    """Rebuild journeys/hops (all of them with full=True)."""
    from mxlog import journeys as _journeys
    from mxlog import smtpdconf

    ports = smtpdconf.read(smtpd_conf) if smtpd_conf else None
    con = connect(db)
    try:
        if ports:
            _journeys.set_proxy_ports(con, ports, str(smtpd_conf))
        return _journeys.build(con, full=full or bool(ports))
    finally:
        con.close()


def query(sql: str, *, db=None, pseudonymize: bool = False, pseudonym_key: str | None = None) -> tuple[list[str], list[tuple]]:
    """Run SQL read-only. pseudonymize: addresses and IPs in the result, and the host, domain and
    login names of the columns privacy.NAME_COLUMNS lists, replaced by keyed tokens
    (mxlog/privacy.py; the same tokens as `mxlog report --pseudonymize` with the same key)."""
    con = connect(db, read_only=True)
    try:
        pz = None
        if pseudonymize:
            from mxlog import privacy

            pz = privacy.Pseudonymizer(privacy.resolve_key(pseudonym_key, con, create=False))
        cur = con.execute(sql)
        columns = [d[0] for d in cur.description] if cur.description else []
        rows = cur.fetchall() if columns else []
        return columns, [pz.row(columns, r) for r in rows] if pz else rows
    finally:
        con.close()


@dataclass
class CheckResult:
    counts: list[tuple[str, str, int]] = field(default_factory=list)
    lines_read: int = 0
    lines_parsed: int = 0
    lines_unparsed: int = 0
    other_program: int = 0
    missed_lines: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def missed(self) -> int:
        return self.lines_unparsed - self.other_program


def check(path, *, host=None, year=None, tz="UTC") -> CheckResult:
    """Parse a file without a database: per-pattern counts and the lines that did not parse."""
    import polars as pl

    from mxlog import ingest as _ingest
    from mxlog.engine import Engine
    from parsers.syslog import FrameState

    path = Path(path)
    if not path.is_file():
        raise NoInput(f"no such file: {path}")
    engine = Engine()
    stream, compression = _ingest.open_content(path)
    state = FrameState(default_host=host or "", tz=tz, mtime=path.stat().st_mtime, year=year)
    counts: Counter = Counter()
    result = CheckResult()
    with stream:
        for chunk, _ in _ingest.LineChunks(stream, b"", _ingest.CHUNK_BYTES, complete=True):
            r = engine.parse_chunk(chunk, state)
            result.lines_read += r.lines
            result.lines_unparsed += r.lines_unparsed
            for table, df in r.tables.items():
                for pattern, n in df.group_by("pattern").len().iter_rows():
                    counts[(table, pattern)] += n
            miss = r.unparsed.filter(pl.col("reason") != "other-program")
            result.other_program += r.unparsed.height - miss.height
            result.missed_lines += miss.select("line_no", "reason", "raw").rows()
    result.lines_parsed = result.lines_read - result.lines_unparsed
    result.counts = sorted(((t, p, n) for (t, p), n in counts.items()), key=lambda x: (x[0], -x[2], x[1]))
    return result


def unparsed_templates(*, db=None, top=20, reason=None) -> tuple[list[str], list[tuple]]:
    """Unparsed lines grouped by (reason, program, template), commonest first."""
    con = connect(db, read_only=True)
    try:
        where = "WHERE reason = ?" if reason else ""
        cur = con.execute(
            f"""SELECT count(*) AS lines, reason, program, {template_sql("raw")} AS template, min(raw) AS example
                FROM unparsed {where} GROUP BY ALL ORDER BY lines DESC, template LIMIT ?""",
            ([reason] if reason else []) + [top],
        )
        return [d[0] for d in cur.description], cur.fetchall()
    finally:
        con.close()


def demo(*, db=None, report_dir=Path("reports") / "demo") -> str:
    """Ingest samples/, describe what is in it, and write the report of the simulated day."""
    if not SAMPLES.is_dir():
        raise MxlogError(f"no samples directory at {SAMPLES}", hint="set MXLOG_SAMPLES to the samples/ folder")
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        target = db or Path(tmp) / "demo.duckdb"
        # every log, capture and dump; not the simulator's ground truth (truth/)
        inputs = sorted(p for p in SAMPLES.rglob("*") if p.is_file() and "truth" not in p.relative_to(SAMPLES).parts
                        and p.suffix not in (".md", ".py"))
        report = ingest(inputs, db=target, on_file=None)
        by_dir: dict = {}
        for fr in report.files:
            d = str(Path(fr.path).parent.relative_to(SAMPLES.parent))
            n = by_dir.setdefault(d, [0, 0, 0, 0])
            n[0] += 1
            n[1] += fr.lines_read
            n[2] += fr.lines_unparsed - fr.other_program
            n[3] += fr.other_program
        for d, (files, read, missed, other) in by_dir.items():
            lines.append(f"{d}: {files} file{'s' * (files != 1)}, {read:,} lines read, {missed} missed, {other} of other programs")
        t = report.totals()
        lines.append(
            f"\n{t['files']} files, {t['lines_read']:,} lines: {t['lines_parsed']:,} parsed, "
            f"{t['lines_unparsed']:,} unparsed, {t['rows']:,} rows{report.by_table_text()}"
        )
        con = connect(target, read_only=True)
        try:
            lines.append("")
            lines += _demo_facts(con)
            # the report of the busiest day (the simulated one)
            (day,) = con.execute("SELECT CAST(CAST(first_seen_ts AS DATE) AS VARCHAR) FROM journeys "
                                 "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()
        finally:
            con.close()
        from mxlog import report as _report

        written = _report.write(target, report_dir, ["html", "md", "json"], day=day)
        lines.append(f"report of {day}: {written['files']['html']} (open it in a browser; also report.md, report.json)")
    lines.append("Next: `mxlog ingest /var/log/maillog*` then `mxlog sql \"SELECT ...\"` (see `mxlog schema`).")
    return "\n".join(lines)


def _demo_facts(con) -> list[str]:
    """A few numbers an admin asks first, straight from the public tables."""
    one = lambda sql: con.execute(sql).fetchall()  # noqa: E731
    fams = ", ".join(f"{f} {n}" for f, n in one("SELECT family, count(*) FROM smtpd_events GROUP BY 1 ORDER BY 1"))
    out = [f"smtpd events by log-format family: {fams}"]
    (sessions, clients, messages) = one(
        "SELECT count(DISTINCT session) FILTER (event = 'connected' AND subsystem = 'smtp'), "
        "count(DISTINCT ip) FILTER (event = 'connected' AND subsystem = 'smtp' AND ip <> '127.0.0.1'), "
        "count(DISTINCT msgid) FILTER (event = 'message') FROM smtpd_events WHERE family = 'E'"
    )[0]
    out.append(f"OpenSMTPD 7.x: {sessions} smtp sessions from {clients} outside addresses, {messages} messages accepted")
    for sub, results in one(
        "SELECT subsystem, string_agg(result || ' ' || n, ', ' ORDER BY result) FROM "
        "(SELECT subsystem, result, count(*) n FROM smtpd_events WHERE event = 'delivery' AND family = 'E' GROUP BY ALL) "
        "GROUP BY 1 ORDER BY 1"
    ):
        out.append(f"  {'relayed (mta)' if sub == 'mta' else 'delivered locally (mda)'}: {results}")
    loops = one(
        "SELECT count(*) FROM smtpd_events a JOIN smtpd_events b ON b.event = 'message' AND b.msgid = a.reply_msgid "
        "WHERE a.event = 'delivery' AND a.subsystem = 'mta'"
    )[0][0]
    out.append(f"  {loops} relays into a local proxy or MX named the msgid of the next hop (reply_msgid)")
    auth = one(
        "SELECT count(*) FILTER (result = 'ok'), count(*) FILTER (result = 'permfail') "
        "FROM smtpd_events WHERE event = 'authentication' AND family = 'E'"
    )[0]
    out.append(f"  logins: {auth[0]} ok, {auth[1]} failed")
    spamd = one(
        "SELECT count(*) FILTER (event = 'connected'), count(*) FILTER (event = 'connected' AND len(lists) > 0), "
        "coalesce(sum(tarpit_s) FILTER (event = 'disconnected' AND len(lists) > 0), 0), "
        "count(DISTINCT ip) FILTER (event = 'whitelisted') FROM spamd_events"
    )[0]
    out.append(
        f"spamd: {spamd[0]} connections, {spamd[1]} from blacklisted addresses (tarpitted {spamd[2]} s), "
        f"{spamd[3]} addresses whitelisted after greylisting"
    )
    verdicts = ", ".join(f"{v} {n}" for v, n in one(
        "SELECT verdict, count(*) FROM spampd_events WHERE verdict IS NOT NULL GROUP BY 1 ORDER BY 1"))
    signed = one("SELECT count(*) FROM dkimproxy_events WHERE result = 'signed'")[0][0]
    saved = one("SELECT count(*) FROM dovecot_events WHERE event = 'delivered'")[0][0]
    out.append(f"spampd verdicts: {verdicts}; dkimproxy signed {signed}; Dovecot saved {saved} messages")
    dump = one(
        "SELECT host, string_agg(entry || ' ' || n, ', ' ORDER BY entry) FROM "
        "(SELECT host, entry, count(*) n FROM spamdb_entries GROUP BY ALL) GROUP BY 1 ORDER BY 1"
    )
    out.append("spamdb dumps: " + "; ".join(f"{h} {text}" for h, text in dump))
    pf = one(
        "SELECT count(*) FILTER (dir_name = 'in' AND dport = 25), count(*) FILTER (dir_name = 'out' AND dport = 25), "
        "string_agg(DISTINCT host, ',') FROM pflog_packets WHERE tcp_flags_text = 'S'"
    )[0]
    out.append(f"pflog ({pf[2]}): {pf[0]} SYNs passed in to smtpd, {pf[1]} passed out to remote MXs")
    by_status = ", ".join(f"{st} {n:,}" for st, n in one(
        "SELECT final_status, count(*) FROM journeys GROUP BY 1 ORDER BY 2 DESC, 1"))
    backup, p50 = one("SELECT count(*) FILTER (via_backup), median(total_latency_s) FILTER (direction = 'inbound') "
                      "FROM journeys")[0]
    out.append(f"journeys (one per message and recipient, across hosts): {by_status}; {backup} via a backup MX; "
               f"inbound median {p50 or 0:.0f} s from first contact to mailbox")
    by_id, hops = one("SELECT count(*) FILTER (link IN ('origin', 'session', 'evpid', 'reply-msgid', 'message-id', "
                      "'tuple')), count(*) FROM hops")[0]
    out.append(f"  {hops:,} hops, {100 * by_id / max(hops, 1):.1f} % linked by ids; try `mxlog trace ADDRESS|MSGID|IP`")
    ok = one("SELECT sum(lines_read) = sum(lines_parsed) + sum(lines_unparsed) FROM files")[0][0]
    out.append(f"lines read = parsed + unparsed: {ok}")
    return out
