"""The report's data: one dict drawn from the metric views (migration 0014), the same for every
rendering. Keys are stable (documented in docs/report.md); numbers are what the views say."""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import math

from mxlog.report.period import Period
from mxlog.templates import template_sql

REPORT_VERSION = 1
TOP = 10

# published figures set beside ours (issue 7)
BASELINES = {
    "spamd_defaults": "spamd -G 25:4:864: passtime 25 min, grey expiry 4 h, white expiry 864 h (36 days); "
                      "the seed's -G 2:4:864 passes after 2 min",
    "devnull_2007": "devnull.fr 2007: 61 % of 1.2 M greylisted messages were never delivered",
    "conman_2007": "conman.org 2007: 0.3 % of 8,217 greylisted tuples were whitelisted",
    "rfc5321_retry": "RFC 5321 4.5.4.1: retry interval at least 30 min; give up after 4-5 days",
    "pagani_2016": "Pagani et al., DSN 2016: webmail retry schedules differ widely, e.g. gmail retried "
                   "after 6:02, 29:02 and 56:36 min from 7 different IPs",
}

SUMMARY_KEYS = [
    ("received", "messages received (from outside, submission, local)"),
    ("delivered_local", "delivered to mailboxes"),
    ("relayed_out", "relayed to remote servers"),
    ("deferred", "deferred delivery attempts"),
    ("bounced", "bounced delivery attempts"),
    ("rejected", "rejected SMTP commands"),
    ("grey_connections", "spamd: greylisted connections"),
    ("black_connections", "spamd: tarpitted connections (blacklisted)"),
    ("white_connections", "smtpd: direct connections (whitelisted)"),
    ("tuples", "greylisted tuples"),
    ("tuples_passed", "tuples that passed greylisting"),
    ("never_passed_pct", "% of tuples greylisting stopped"),
    ("spam", "spampd: spam"),
    ("clean", "spampd: clean"),
    ("login_failures", "failed logins (Dovecot, smtpd AUTH)"),
]


def _value(v):
    if isinstance(v, (dt.datetime,)):
        return v.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, list):
        return [_value(x) for x in v]
    return v


def rows(con, sql: str, params=()) -> list[dict]:
    cur = con.execute(sql, list(params))
    cols = [d[0] for d in cur.description]
    return [{c: _value(v) for c, v in zip(cols, r)} for r in cur.fetchall()]


class Scope:
    """Which hosts: all of them (the views' host = 'all' rows) or the ones given."""

    def __init__(self, hosts: list[str] | None):
        self.hosts = sorted(set(hosts)) if hosts else None

    def agg(self, column: str = "host") -> tuple[str, list]:
        """Filter on views that have host = 'all' rows."""
        if self.hosts is None:
            return f"{column} = 'all'", []
        return f"{column} IN ({', '.join('?' * len(self.hosts))})", list(self.hosts)

    def raw(self, column: str = "host") -> tuple[str, list]:
        """Filter on views and tables with one row per real host."""
        if self.hosts is None:
            return f"{column} <> 'all'", []
        return f"{column} IN ({', '.join('?' * len(self.hosts))})", list(self.hosts)


def _days(p: Period, column: str = "day") -> tuple[str, list]:
    return f"{column} >= ? AND {column} < ?", [p.start, p.end]


def _where(*parts: tuple[str, list]) -> tuple[str, list]:
    return " AND ".join(s for s, _ in parts), [x for _, ps in parts for x in ps]


def summary_numbers(con, p: Period, scope: Scope) -> dict:
    w, ps = _where(scope.agg(), _days(p))
    t = rows(con, f"""SELECT coalesce(sum(received), 0) AS received, coalesce(sum(delivered_local), 0) AS delivered_local,
        coalesce(sum(relayed_out), 0) AS relayed_out, coalesce(sum(deferred), 0) AS deferred,
        coalesce(sum(bounced), 0) AS bounced, coalesce(sum(rejected), 0) AS rejected FROM traffic_daily WHERE {w}""", ps)[0]
    g = rows(con, f"""SELECT coalesce(sum(grey_connections), 0) AS grey_connections,
        coalesce(sum(black_connections), 0) AS black_connections, coalesce(sum(white_connections), 0) AS white_connections,
        coalesce(sum(tuples), 0) AS tuples, coalesce(sum(tuples_passed), 0) AS tuples_passed,
        coalesce(sum(tuples_never_passed), 0) AS tuples_never_passed FROM greylist_stats WHERE {w}""", ps)[0]
    w2, ps2 = _where(scope.raw(), _days(p))
    s = dict(con.execute(f"SELECT verdict, sum(messages) FROM spam_verdicts WHERE {w2} GROUP BY 1", ps2).fetchall())
    fails = con.execute(f"SELECT coalesce(sum(failures), 0) FROM login_failures WHERE {w2}", ps2).fetchone()[0]
    out = t | g
    out["never_passed_pct"] = round(100.0 * g["tuples_never_passed"] / g["tuples"], 2) if g["tuples"] else None
    out["spam"] = int(s.get("spam", 0))
    out["clean"] = int(s.get("clean", 0))
    out["login_failures"] = int(fails)
    return {k: _value(v) for k, v in out.items()}


def _has_data(con, p: Period) -> bool:
    w, ps = _days(p)
    return con.execute(f"SELECT count(*) FROM traffic_daily WHERE {w}", ps).fetchone()[0] + \
        con.execute(f"SELECT count(*) FROM greylist_stats WHERE {w}", ps).fetchone()[0] > 0


def summary(con, p: Period, scope: Scope) -> dict:
    now = summary_numbers(con, p, scope)
    prev_p = p.previous()
    prev = summary_numbers(con, prev_p, scope) if _has_data(con, prev_p) else None
    items = []
    for key, label in SUMMARY_KEYS:
        before = prev[key] if prev else None
        change = None
        if before is not None and now[key] is not None:
            change = round(now[key] - before, 2)
        items.append({"key": key, "label": label, "value": now[key], "previous": before, "change": change})
    return {"previous_period": prev_p.as_dict() if prev else None, "items": items}


def greylisting(con, p: Period, scope: Scope) -> dict:
    w, ps = _where(scope.agg(), _days(p))
    by_day = rows(con, f"SELECT * FROM greylist_stats WHERE {w} ORDER BY day, host", ps)
    wh, psh = _where(scope.raw(), _days(p))
    by_host = rows(con, f"""SELECT host, sum(grey_connections) AS grey_connections, sum(tuples) AS tuples,
        sum(tuples_passed) AS tuples_passed, sum(tuples_never_retried) AS tuples_never_retried,
        sum(tuples_retried_before_passtime_only) AS tuples_retried_before_passtime_only,
        sum(tuples_delivered) AS tuples_delivered, sum(whitelisted_ips) AS whitelisted_ips
        FROM greylist_stats WHERE {wh} GROUP BY host ORDER BY host""", psh)
    wo, pso = _where(scope.agg(), _days(p, "first_seen_ts::DATE"))
    delays = [r[0] for r in con.execute(
        f"""SELECT epoch(passing_ts) - epoch(first_seen_ts) FROM greylist_outcomes
            WHERE {wo} AND whitelisted_ts IS NOT NULL ORDER BY 1""", pso).fetchall()]
    pct = {}
    for q in (0, 25, 50, 75, 90, 95, 98, 100):
        pct[f"p{q}"] = delays[max(1, math.ceil(q / 100 * len(delays))) - 1] if delays else None
    to_delivery = [r[0] for r in con.execute(
        f"""SELECT epoch(delivered_ts) - epoch(first_seen_ts) FROM greylist_outcomes
            WHERE {wo} AND delivered_ts IS NOT NULL ORDER BY 1""", pso).fetchall()]
    deliv = {f"p{q}": to_delivery[max(1, math.ceil(q / 100 * len(to_delivery))) - 1] if to_delivery else None
             for q in (0, 25, 50, 75, 90, 95, 98, 100)}
    multi_ip = rows(con, f"""SELECT coalesce(mail_from, from_token) AS sender, count(DISTINCT ip) AS ips, count(*) AS tuples,
            count(whitelisted_ts) AS passed, max(epoch(passing_ts) - epoch(first_seen_ts)) AS worst_pass_delay_s
        FROM greylist_outcomes WHERE {wo} GROUP BY ALL HAVING count(DISTINCT ip) > 1
        ORDER BY ips DESC, sender LIMIT {TOP}""", pso)
    return {
        "definition": "A tuple is a greylisted (ip, MAIL FROM, RCPT TO) in spamd -v (GREY) lines; passed = retried "
                      "after passtime and then whitelisted by grey.c; never retried = exactly one attempt; pass delay = "
                      "first attempt to the retry that passed. Host 'all' is the union over hosts (spamd syncs).",
        "baselines": [BASELINES[k] for k in ("spamd_defaults", "devnull_2007", "conman_2007", "rfc5321_retry", "pagani_2016")],
        "by_day": by_day,
        "by_host": by_host,
        "pass_delay_s": {"n": len(delays)} | pct,
        "first_grey_to_delivery_s": {"n": len(to_delivery)} | deliv,
        "pass_delays": delays,
        "senders_from_several_ips": multi_ip,
    }


def blacklists(con, p: Period, scope: Scope) -> dict:
    w, ps = _where(scope.agg(), _days(p))
    lists = rows(con, f"""SELECT list, sum(connections) AS connections, sum(unique_ips) AS unique_ips,
        sum(tarpit_seconds) AS tarpit_seconds FROM blacklist_stats WHERE {w} GROUP BY list ORDER BY connections DESC, list""", ps)
    totals = summary_numbers(con, p, scope)
    port25 = totals["grey_connections"] + totals["black_connections"] + totals["white_connections"]
    for r in lists:
        r["share_of_port25_pct"] = round(100.0 * r["connections"] / port25, 2) if port25 else None
        r["tarpit_seconds_per_ip"] = round(r["tarpit_seconds"] / r["unique_ips"], 1) if r["unique_ips"] else None
    wr, psr = _where(scope.raw(), _days(p, "connected_ts::DATE"))
    top_ips = rows(con, f"""SELECT ip, count(*) AS connections, sum(tarpit_s) AS tarpit_seconds,
        list_sort(list_distinct(flatten(list(lists)))) AS lists FROM spamd_connections
        WHERE disposition = 'black' AND {wr} GROUP BY ip ORDER BY tarpit_seconds DESC, ip LIMIT {TOP}""", psr)
    overlap = rows(con, f"""WITH l AS (SELECT DISTINCT ip, unnest(lists) AS list FROM spamd_connections
            WHERE disposition = 'black' AND {wr})
        SELECT a.list AS list_a, b.list AS list_b, count(*) AS ips FROM l a JOIN l b ON a.ip = b.ip AND a.list < b.list
        GROUP BY ALL ORDER BY ips DESC, list_a, list_b""", psr)
    we, pse = _where(scope.raw(), _days(p, "ts::DATE"))
    traps = rows(con, f"""SELECT count(*) AS trap_events, count(DISTINCT ip) AS trapped_ips FROM spamd_events
        WHERE event = 'trapped' AND {we}""", pse)[0]
    bgp = rows(con, f"SELECT event, count(*) AS lines FROM bgpd_events WHERE {we} GROUP BY event ORDER BY lines DESC, event", pse)
    return {
        "definition": "Connections spamd tarpitted because the address was on a blacklist; a connection on several "
                      "lists counts for each. Share = connections / all port-25 connections (grey + black + direct).",
        "port25_connections": port25,
        "lists": lists,
        "top_ips": top_ips,
        "overlap": overlap,
        "spamtraps": traps,
        "bgpd_events": bgp,
    }


def latency(con, p: Period, scope: Scope) -> dict:
    journeys = con.execute("SELECT count(*) FROM journeys").fetchone()[0]
    out = {
        "definition": "Nearest-rank percentiles of hops.duration_s per stage; end_to_end is journeys.total_latency_s "
                      "(inbound: first contact to mailbox; outbound: submission to remote accept).",
        "journeys": journeys,
        "available": journeys > 0,
        "note": None if journeys else "No journeys in the database: mxlog.journeys.build() has not filled the "
                                      "journeys and hops tables, so there is no per-hop latency or correlation yet.",
    }
    w, ps = _where(scope.agg(), _days(p))
    out["by_stage"] = rows(con, f"SELECT * FROM hop_latency WHERE {w} ORDER BY day, host, stage", ps)
    wh, psh = _where(scope.raw("h.host"), _days(p, "h.ts_start::DATE"))
    out["durations"] = {}
    for stage, durs in con.execute(f"""SELECT stage, list(duration_s ORDER BY duration_s) FROM hops h
            WHERE duration_s IS NOT NULL AND {wh} GROUP BY stage ORDER BY stage""", psh).fetchall():
        out["durations"][stage] = durs
    wj, psj = _where(scope.raw("first_host"), _days(p, "first_seen_ts::DATE"))
    out["slowest"] = rows(con, f"""SELECT journey_id, direction, first_host, final_host, mail_from, rcpt_to,
        total_latency_s, final_status, weakest_link, 'mxlog trace ' || journey_id AS trace
        FROM journeys WHERE total_latency_s IS NOT NULL AND {wj}
        ORDER BY total_latency_s DESC, journey_id LIMIT {TOP}""", psj)
    wc, psc = scope.raw()
    out["correlation"] = rows(con, f"SELECT * FROM correlation_completeness WHERE {wc} ORDER BY host, stage", psc)
    out["spam_beat_greylisting"] = rows(con, f"""SELECT count(*) AS journeys FROM journeys
        WHERE greylisted AND spam_verdict = 'spam' AND {wj}""", psj)[0]["journeys"] if journeys else None
    return out


def traffic(con, p: Period, scope: Scope) -> dict:
    w, ps = _where(scope.agg(), _days(p))
    wr, psr = _where(scope.raw(), _days(p))
    wh, psh = _where(scope.raw(), ("hour >= ? AND hour < ?", [
        dt.datetime.combine(p.start, dt.time(), dt.timezone.utc), dt.datetime.combine(p.end, dt.time(), dt.timezone.utc)]))
    hourly = rows(con, f"""SELECT hour, sum(received) AS received, sum(delivered) AS delivered, sum(deferred) AS deferred,
        sum(bounced) AS bounced, sum(spamd_grey) AS spamd_grey, sum(spamd_black) AS spamd_black
        FROM traffic_hourly WHERE {wh} GROUP BY hour ORDER BY hour""", psh)

    def top(view, key, order):
        return rows(con, f"""SELECT {key}, sum(messages) AS messages, sum(bytes) AS bytes FROM {view}
            WHERE {wr} AND {key} IS NOT NULL GROUP BY {key} ORDER BY {order} DESC, {key} LIMIT {TOP}""", psr)

    return {
        "definition": "Received = messages that entered from outside, by submission or local enqueue (a proxy loop's "
                      "re-injection is the same mail and not counted again); relayed out = Ok to a non-loopback peer.",
        "by_day": rows(con, f"SELECT * FROM traffic_daily WHERE {w} ORDER BY day, host", ps),
        "by_host": rows(con, f"""SELECT host, sum(received) AS received, sum(received_bytes) AS received_bytes,
            sum(delivered_local) AS delivered_local, sum(relayed_out) AS relayed_out, sum(deferred) AS deferred,
            sum(bounced) AS bounced, sum(rejected) AS rejected FROM traffic_daily WHERE {wr} GROUP BY host ORDER BY host""", psr),
        "hourly": hourly,
        "top_senders": top("sender_stats", "sender", "messages"),
        "top_senders_by_size": top("sender_stats", "sender", "bytes"),
        "top_sender_domains": top("sender_stats", "domain", "messages"),
        "top_recipients": top("recipient_stats", "recipient", "messages"),
        "top_recipients_by_size": top("recipient_stats", "recipient", "bytes"),
        "top_recipient_domains": top("recipient_stats", "domain", "messages"),
        "delivery_problems": rows(con, f"""SELECT host, agent, result, reason, sum(attempts) AS attempts,
            sum(envelopes) AS envelopes FROM delivery_problems WHERE {wr} GROUP BY ALL
            ORDER BY attempts DESC, host, reason LIMIT {2 * TOP}""", psr),
        "remote_relays_in": rows(con, f"""SELECT address, min(name) AS name, sum(sessions) AS sessions,
            sum(messages) AS messages FROM remote_relays WHERE direction = 'in' AND {wr} GROUP BY address
            ORDER BY sessions DESC, address LIMIT {TOP}""", psr),
        "remote_relays_out": rows(con, f"""SELECT address, min(name) AS name, sum(messages) AS attempts,
            sum(ok) AS ok, sum(tempfail) AS tempfail, sum(permfail) AS permfail FROM remote_relays
            WHERE direction = 'out' AND {wr} GROUP BY address ORDER BY attempts DESC, address LIMIT {TOP}""", psr),
        "backup_queue": rows(con, f"""SELECT host, primary_host, sum(envelopes) AS envelopes, sum(messages) AS messages,
            sum(deferred_attempts) AS deferred_attempts, min(first_accepted_ts) AS first_accepted_ts,
            max(last_relayed_ts) AS last_relayed_ts, max(max_queued_s) AS max_queued_s FROM backup_queue_stats
            WHERE {wr} GROUP BY ALL ORDER BY host, primary_host""", psr),
        "dkim": rows(con, f"""SELECT host, direction, result, signer_domain, sum(messages) AS messages,
            sum(errors) AS errors FROM dkim_stats WHERE {wr} GROUP BY ALL ORDER BY messages DESC, host""", psr),
    }


def spam(con, p: Period, scope: Scope) -> dict:
    wr, psr = _where(scope.raw(), _days(p))
    we, pse = _where(scope.raw(), _days(p, "ts::DATE"))
    return {
        "verdicts": rows(con, f"SELECT * FROM spam_verdicts WHERE {wr} ORDER BY day, host, verdict", psr),
        "scores": [r[0] for r in con.execute(
            f"SELECT score FROM spampd_events WHERE event = 'result' AND score IS NOT NULL AND {we} ORDER BY score", pse
        ).fetchall()],
    }


def logins(con, p: Period, scope: Scope) -> dict:
    wr, psr = _where(scope.raw(), _days(p))
    return {
        "dovecot": rows(con, f"""SELECT host, service, sum(logins) AS logins, sum(failed) AS failed,
            sum(auth_failed) AS auth_failed FROM dovecot_logins WHERE {wr} GROUP BY ALL ORDER BY host, service""", psr),
        "failure_sources": rows(con, f"""SELECT ip, service, sum(failures) AS failures, max(users) AS users,
            min(first_ts) AS first_ts, max(last_ts) AS last_ts FROM login_failures WHERE {wr} GROUP BY ALL
            ORDER BY failures DESC, ip LIMIT {TOP}""", psr),
    }


def unparsed(con, p: Period, scope: Scope) -> dict:
    we, pse = _where(scope.raw(), _days(p, "ts::DATE"))
    return {
        "templates": rows(con, f"""SELECT count(*) AS lines, reason, program, {template_sql('raw')} AS template
            FROM unparsed WHERE reason <> 'other-program' AND {we} GROUP BY ALL ORDER BY lines DESC, template LIMIT {TOP}""", pse),
        "other_programs": rows(con, f"""SELECT program, count(*) AS lines FROM unparsed WHERE reason = 'other-program'
            AND {we} GROUP BY program ORDER BY lines DESC, program LIMIT {TOP}""", pse),
    }


def latest_day(con) -> dt.date | None:
    d = con.execute("""SELECT max(day) FROM (SELECT max(day) AS day FROM traffic_daily
        UNION ALL SELECT max(day) FROM greylist_stats)""").fetchone()[0]
    return d


def hosts_in(con) -> list[str]:
    """The hosts the report names: every host a file was read from, and every host in the metric views
    (of the window collect() reads: a host silent for the whole window is still listed, from files)."""
    return [h for (h,) in con.execute("SELECT DISTINCT host FROM files WHERE host IS NOT NULL UNION "
                                      "SELECT DISTINCT host FROM traffic_daily WHERE host <> 'all' UNION "
                                      "SELECT DISTINCT host FROM greylist_stats WHERE host <> 'all' ORDER BY 1").fetchall()]


# The views the sections read more than once, directly or through other views, in dependency order.
# collect() evaluates each once into a TEMP table of the same name: DuckDB resolves a name in the
# temp schema before main, also inside the views' bodies, so every later view and every section
# query reads the materialized rows instead of re-running the joins and groupings under it. The
# views stay the one definition of every number; the temp tables are dropped when collect ends.
# (deliveries and smtp_envelopes are plain filters of smtpd_events: copying every column of them
# costs more than the column scans of their readers.)
MATERIALIZE = (
    "smtp_sessions", "smtp_messages", "spamd_connections", "received_messages", "greylist_outcomes",
    "greylist_stats", "traffic_daily", "spam_verdicts", "login_failures",
)

# The event tables under those views. Before materializing, each is cut to the report's window by a
# TEMP VIEW of the same name (rows from `since` on; the name resolves to it inside the views' bodies
# as above), so a report of one day reads the days it needs, not the whole database: the nightly
# report costs the same on the first day and after a year of logs. Every number of the period and
# of the previous period is the one the whole tables give (tests/test_report.py proves it on a
# several-day database), because the window starts margin() before the previous period:
# - a smtp session that began before midnight is whole (sessions last minutes, not an hour);
# - a greylist tuple's retries are at most grey expiry apart (a longer gap starts a new tuple): a
#   tuple cut in two by `since` starts again less than grey expiry after it, inside the margin;
# - a spamd connection's `connected` line comes before its `disconnected` one; the ASOF join finds
#   it or, when cut, no row (never an earlier connection of the address);
# - nothing after the period is cut: a tuple's whitelisting and delivery may come any time later.
# One thing the views need reaches further back: a backup MX's relay to the primary names a message
# accepted when the primary went down, up to smtpd's queue expiry (4 days by default) or more
# earlier. The cut keeps the older `smtp message` lines and TempFail attempts of every message
# relayed within the window (a semi-join over the whole table's ids: a column scan, not the views).
CUT = ("smtpd_events", "spamd_events", "spampd_events", "dovecot_events", "dkimproxy_events")


def margin(con) -> dt.timedelta:
    """How far before the previous period the window starts: grey expiry (the spamd_greyexp_s variable
    the views read, spamd's -G, 4 h by default) and an hour, at least two hours."""
    greyexp = con.execute("SELECT spamd_greyexp_s()").fetchone()[0]
    return dt.timedelta(seconds=max(float(greyexp), 3600.0) + 3600)


def window_start(con, period: Period) -> dt.datetime:
    """The first instant collect() must read for `period` (and its previous period) to be exact."""
    return dt.datetime.combine(period.previous().start, dt.time(), dt.timezone.utc) - margin(con)


def _ts(t: dt.datetime) -> str:
    return f"TIMESTAMPTZ '{t.astimezone(dt.timezone.utc).isoformat()}'"


def _cut_sql(db: str, name: str, since: dt.datetime) -> str:
    """`db`: the database's catalog, quoted (in a TEMP view, main.x names the temp schema's x)."""
    s = _ts(since)
    t = f"{db}.main.{name}"
    base = f"SELECT * FROM {t} WHERE ts >= {s} UNION ALL SELECT * FROM {t} WHERE ts IS NULL"
    if name != "smtpd_events":
        return base
    # backup queueing (see CUT): the relays of the window, and the older lines of what they relayed
    return f"""WITH relays AS MATERIALIZED (
        SELECT DISTINCT host, coalesce(evpid_msgid, msgid) AS msgid, evpid FROM {t}
        WHERE ts >= {s} AND event = 'delivery' AND subsystem = 'mta' AND reply_msgid IS NOT NULL)
    {base}
    UNION ALL
    SELECT * FROM {t} e WHERE e.ts < {s} AND e.event = 'message'
        AND (e.host, e.msgid) IN (SELECT host, msgid FROM relays)
    UNION ALL
    SELECT * FROM {t} e WHERE e.ts < {s} AND e.event = 'delivery' AND e.result = 'TempFail'
        AND (e.host, e.evpid) IN (SELECT host, evpid FROM relays WHERE evpid IS NOT NULL)"""


def _temporary(con) -> dict[str, str]:
    return {n: t for n, t in con.execute("""SELECT table_name, 'table' FROM duckdb_tables() WHERE temporary
        UNION ALL SELECT view_name, 'view' FROM duckdb_views() WHERE temporary AND NOT internal""").fetchall()}


def _window(con) -> dt.datetime | None:
    """The `since` of the materialized window now in place (None: the whole tables)."""
    v = con.execute("SELECT getvariable('mxlog_report_since')").fetchone()[0]
    return None if v is None or v == "all" else dt.datetime.fromisoformat(v)


@contextlib.contextmanager
def materialized(con, since: dt.datetime | None = None):
    """Within: the MATERIALIZE views are TEMP tables of the same name, evaluated over the event
    tables cut to rows from `since` on (None: the whole tables); dropped on the way out. Reentrant:
    a window in place that starts no later than `since` serves; a narrower one is replaced."""
    temp = _temporary(con)
    if all(temp.get(n) == "table" for n in MATERIALIZE):
        have = _window(con)
        if have is None or (since is not None and have <= since):
            yield con
            return
    _drop(con, temp)
    try:
        con.execute(f"SET VARIABLE mxlog_report_since = '{since.isoformat() if since else 'all'}'")
        db = '"' + con.execute("SELECT current_database()").fetchone()[0].replace('"', '""') + '"'
        for name in CUT if since is not None else ():
            first = con.execute(f"SELECT min(ts) FROM {db}.main.{name}").fetchone()[0]
            if first is not None and first < since:
                con.execute(f"CREATE TEMP VIEW {name} AS {_cut_sql(db, name, since)}")
        for name in MATERIALIZE:
            con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {db}.main.{name}")
        yield con
    finally:
        _drop(con, _temporary(con))
        con.execute("RESET VARIABLE mxlog_report_since")


def _drop(con, temp: dict[str, str]) -> None:
    for name in reversed(MATERIALIZE):
        if temp.get(name) == "table":
            con.execute(f"DROP TABLE temp.{name}")
    for name in CUT:
        if temp.get(name) == "view":
            con.execute(f"DROP VIEW temp.{name}")


@contextlib.contextmanager
def latest_window(con):
    """Yields the latest day with data (latest_day), with the views materialized over the window that
    day's report needs. The last day of the files read gives a first guess; a day the cut views give
    is certain when it lies a margin after the cut (a later one would be there too); when the views
    have no day so late, the whole tables decide."""
    last = con.execute("SELECT max(last_ts) FROM files").fetchone()[0]
    day = None
    if last is not None:
        d0 = last.astimezone(dt.timezone.utc).date()
        since = window_start(con, Period(d0, d0 + dt.timedelta(days=1)))
        with materialized(con, since):
            day = latest_day(con)
            if day is not None and window_start(con, Period(day, day + dt.timedelta(days=1))) >= since:
                yield day
                return
        if day is not None and dt.datetime.combine(day, dt.time(), dt.timezone.utc) < since + margin(con):
            day = None
    with materialized(con, window_start(con, Period(day, day + dt.timedelta(days=1))) if day else None):
        yield latest_day(con)


def collect(con, period: Period, hosts: list[str] | None = None, generated_at: dt.datetime | None = None) -> dict:
    """Everything the renderings show, as plain JSON-able values."""
    scope = Scope(hosts)
    generated_at = generated_at or dt.datetime.now(dt.timezone.utc)
    with materialized(con, window_start(con, period)):
        return _collect(con, period, scope, generated_at)


def _collect(con, period: Period, scope: Scope, generated_at: dt.datetime) -> dict:
    return {
        "report_version": REPORT_VERSION,
        "generated_at": _value(generated_at.replace(microsecond=0)),
        "period": period.as_dict(),
        "hosts": scope.hosts or hosts_in(con),
        "host_filter": scope.hosts,
        "summary": summary(con, period, scope),
        "greylisting": greylisting(con, period, scope),
        "blacklists": blacklists(con, period, scope),
        "latency": latency(con, period, scope),
        "traffic": traffic(con, period, scope),
        "spam": spam(con, period, scope),
        "logins": logins(con, period, scope),
        "unparsed": unparsed(con, period, scope),
    }
