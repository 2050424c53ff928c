"""Journeys: every message's path, per recipient, end to end across hosts (tables `journeys`, `hops`).

Built in DuckDB from the event tables after each ingest, by id first (smtpd session, msgid and
evpid, the `250 2.0.0[:] <msgid>` DATA reply a proxy or the primary passes back), and by time
window only where no id exists (spampd and dkimproxy result lines, Dovecot's `saved mail to`,
PF's SYN, spamd's tuples). Every hop says how it was joined (`hops.link`); a link with several
equally good candidates is resolved by rule (the closest in time) and counted in
`journey_builds.ambiguous`, never silently.

Stage boundaries (issue 6; contiguous, so that the hops of a journey add up):

  pf              the logged SYN of the connection that carried the transaction (start = end)
  spamd           one per spamd connection of the journey: connected -> disconnected
  smtpd_in        smtp connected (or the previous transaction's end in a reused session) -> smtp message
  backup_queue    accepted on a backup MX -> its mta delivery Ok to the primary
  spampd, dkimproxy, filter
                  accepted -> the proxy's result line (filter: a local relay nothing else names)
  smtpd_reinject  the proxy's result -> the re-injected smtp message
  lmtp            accepted on the delivering host -> the final mda delivery result
  mta_out         accepted for relay -> the final mta delivery result (TempFail retries inside)
"""

from __future__ import annotations

import datetime as dt
import os
import time

# spamd's default greylist expiry (-G 25:4:864): a tuple's lines more than this apart are two attempts
GREY_GAP = "4 HOURS"
# how long before acceptance a (GREY) line can belong to the accepted message
GREY_REACH = "1 DAY"
# incremental builds re-read this much history before the previous watermark (smtpd's queue expiry is 4 days)
REBUILD_DAYS = 5

# which local relay port is which proxy (the seed: spampd 10025 -> 10026, dkimproxy 10027 -> 10028)
DEFAULT_PROXY_PORTS = {10025: "spampd", 10026: "spampd", 10027: "dkimproxy", 10028: "dkimproxy"}

ID_LINKS = ("origin", "session", "evpid", "reply-msgid", "message-id", "tuple")
LINK_RANK = {**{k: 0 for k in ID_LINKS}, "time-window": 1, "ambiguous": 2, "unlinked": 3}

_LINE = "struct_pack(file_id := {a}file_id, line_no := {a}line_no)"


def _line(alias: str = "") -> str:
    return _LINE.format(a=alias + "." if alias else "")


# Time-window joins are equi-joins on a 10-minute bucket as well as their keys: a key alone (a
# sender, a user, a relaying MX's address) can have thousands of rows a day, and a hash join on
# it alone would pair them all before the window filter.
BUCKET_S = 600


def _bucket(ts: str) -> str:
    return f"CAST(floor(epoch({ts}) / {BUCKET_S}) AS BIGINT)"


def _buckets(lo: str, hi: str) -> str:
    return f"unnest(range({_bucket(lo)}, {_bucket(hi)} + 1))"


def _steps(lo: str) -> list[tuple[str, str]]:
    """(name, sql) of the build, in order; `lo` is a SQL timestamp literal bounding the sources."""
    W = f"ts >= {lo}"
    return [
        # ------------------------------------------------------------------ smtpd
        ("sessions", f"""
CREATE OR REPLACE TEMP TABLE j_sess AS
SELECT host, session,
       min(ts) FILTER (WHERE event = 'connected') AS connected_ts,
       any_value(ip) FILTER (WHERE event = 'connected') AS client_ip,
       coalesce(any_value(address) FILTER (WHERE event = 'connected') = 'local', false) AS local_enqueue,
       any_value("user") FILTER (WHERE event = 'authentication' AND lower(result) = 'ok') AS auth_user,
       arg_min({_line()}, ts) FILTER (WHERE event = 'connected') AS conn_line
FROM smtpd_events
WHERE subsystem = 'smtp' AND session IS NOT NULL AND {W}
GROUP BY host, session"""),
        # msgids are 32 random bits: over months of a busy host they repeat, so a message is
        # (host, session, msgid) and every join by msgid alone is bounded in time
        ("messages", f"""
CREATE OR REPLACE TEMP TABLE j_msg AS
SELECT *, lag(accepted_ts) OVER (PARTITION BY host, session ORDER BY accepted_ts) AS prev_end
FROM (
    SELECT host, session, msgid, min(ts) AS accepted_ts, any_value(size) AS size,
           arg_min({_line()}, ts) AS msg_line
    FROM smtpd_events
    WHERE event = 'message' AND msgid IS NOT NULL AND msgid <> '' AND {W}
    GROUP BY host, session, msgid
)"""),
        ("envelopes", f"""
CREATE OR REPLACE TEMP TABLE j_env AS
SELECT row_number() OVER () AS node, *
FROM (
    SELECT host, session, msgid, rcpt_to, arg_min(evpid, ts) AS evpid, arg_min(mail_from, ts) AS mail_from,
           min(ts) AS ts, arg_min(env_line, ts) AS env_line
    FROM (
        SELECT host, session, evpid_msgid AS msgid, evpid, mail_from, rcpt_to, ts, {_line()} AS env_line
        FROM smtpd_events WHERE event = 'envelope' AND evpid IS NOT NULL AND {W}
        UNION ALL
        SELECT host, session, msgid, NULL, mail_from, rcpt_to, ts, {_line()}
        FROM smtpd_events
        WHERE event = 'message' AND rcpt_to IS NOT NULL AND msgid IS NOT NULL AND msgid <> '' AND {W}
    )
    GROUP BY host, session, msgid, rcpt_to
)"""),
        # delivery attempts of each accepted recipient: by evpid where the acceptance logged it
        # (6.6 on), else by msgid and recipient, the latest acceptance before the attempt
        ("attempts", f"""
CREATE OR REPLACE TEMP TABLE j_att AS
WITH d AS (
    SELECT host, subsystem AS agent, session, evpid, coalesce(evpid_msgid, msgid) AS msgid,
           CASE WHEN rcpt IS NULL OR rcpt IN ('', '-') THEN rcpt_to ELSE rcpt END AS rcpt_key,
           result, stat, ts, reply_msgid, relay, {_line()} AS line
    FROM smtpd_events WHERE event = 'delivery' AND subsystem IN ('mta', 'mda') AND {W}
    UNION ALL
    -- the queue gives up (`relay: Expire for <evpid>`) or the admin removes it (`Remove`)
    SELECT host, CASE envelope_type WHEN 'relay' THEN 'mta' ELSE 'mda' END, session, evpid,
           coalesce(evpid_msgid, substr(evpid, 1, 8)),
           CASE WHEN rcpt IS NULL OR rcpt IN ('', '-') THEN rcpt_to ELSE rcpt END,
           CASE event WHEN 'expire' THEN 'Expired' ELSE 'Removed' END, stat, ts, NULL, NULL, {_line()}
    FROM smtpd_events WHERE subsystem = 'queue' AND event IN ('expire', 'remove') AND evpid IS NOT NULL AND {W}
), by_evpid AS (
    SELECT e.node, e.rcpt_to AS rcpt, d.* EXCLUDE (msgid, rcpt_key)
    FROM d JOIN j_env e ON e.host = d.host AND e.evpid = d.evpid
    WHERE e.evpid IS NOT NULL
), by_msgid AS (
    SELECT e.node, e.rcpt_to AS rcpt, d.* EXCLUDE (msgid, rcpt_key)
    FROM d ASOF JOIN (SELECT * FROM j_env WHERE evpid IS NULL) e
      ON e.host = d.host AND e.msgid = d.msgid AND e.rcpt_to = d.rcpt_key AND d.ts >= e.ts
    WHERE d.ts - e.ts <= INTERVAL 8 DAY
)
SELECT * FROM by_evpid UNION ALL SELECT * FROM by_msgid"""),
        # a relay answered by smtpd's own DATA reply names the next message, on this host (a
        # proxy loop) or another (backup MX -> primary): the closest such message in time
        ("edges", f"""
CREATE OR REPLACE TEMP TABLE j_edge AS
SELECT a.node AS src, e2.node AS dst, a.ts AS relay_ts, a.session AS relay_session, a.line AS relay_line,
       a.host AS src_host, e2.host AS dst_host,
       count(*) OVER (PARTITION BY a.node, a.ts) AS candidates
FROM j_att a
JOIN j_msg m
  ON m.msgid = a.reply_msgid
 AND m.accepted_ts BETWEEN a.ts - INTERVAL 1 DAY AND a.ts + INTERVAL 5 MINUTE
JOIN j_env e2 ON e2.host = m.host AND e2.session = m.session AND e2.msgid = m.msgid AND e2.rcpt_to = a.rcpt
WHERE a.agent = 'mta' AND a.reply_msgid IS NOT NULL AND lower(a.result) = 'ok'
QUALIFY row_number() OVER (PARTITION BY a.node ORDER BY a.ts, abs(epoch(m.accepted_ts) - epoch(a.ts)), e2.host, e2.session) = 1"""),
        # the paths (root -> ... -> last node) and every node's fields, in one statement
        ("nodes", """
CREATE OR REPLACE TEMP TABLE j_nd AS
WITH RECURSIVE p(root, depth, node, prev, host, msgids, via_backup) AS (
    SELECT node, 0, node, NULL::BIGINT, host, [msgid], false FROM j_env WHERE node NOT IN (SELECT dst FROM j_edge)
    UNION ALL
    SELECT p.root, p.depth + 1, e.dst, p.node, e.dst_host, list_append(p.msgids, n.msgid), p.via_backup OR e.dst_host <> p.host
    FROM p JOIN j_edge e ON e.src = p.node JOIN j_env n ON n.node = e.dst
    WHERE p.depth < 16
),
-- the joins below read the paths from a materialized copy: read straight from the recursion they
-- run in one thread (1 M journeys: 3.0 s -> 1.8 s)
pm AS MATERIALIZED (SELECT * FROM p)
SELECT p.root, p.depth, p.node, p.msgids, p.via_backup, e.host, e.msgid, e.evpid, e.mail_from, e.rcpt_to, e.env_line,
       m.accepted_ts, m.size, m.session, m.msg_line, m.prev_end,
       s.connected_ts, s.client_ip, s.local_enqueue, s.auth_user, s.conn_line,
       ein.relay_ts AS in_relay_ts, ein.relay_session AS in_relay_session, ein.relay_line AS in_relay_line,
       ein.src_host AS prev_host, ein.candidates AS in_candidates,
       pm.accepted_ts AS prev_accepted_ts, pm.size AS prev_size,
       pe.mail_from AS prev_from, pe.msgid AS prev_msgid, pe.rcpt_to AS prev_rcpt,
       (eout.dst IS NULL) AS is_last
FROM pm p
JOIN j_env e ON e.node = p.node
LEFT JOIN j_msg m ON m.host = e.host AND m.session = e.session AND m.msgid = e.msgid
LEFT JOIN j_sess s ON s.host = e.host AND s.session = m.session
LEFT JOIN j_edge ein ON ein.dst = p.node AND p.depth > 0
LEFT JOIN j_edge eout ON eout.src = p.node
-- the previous node of the path (a join on its number, not a window over the whole path table)
LEFT JOIN j_env pe ON pe.node = p.prev
LEFT JOIN j_msg pm ON pm.host = pe.host AND pm.session = pe.session AND pm.msgid = pe.msgid"""),
        ("relay ports", f"""
CREATE OR REPLACE TEMP TABLE j_mta_port AS
SELECT host, session, any_value(port) AS port, min(ts) AS connecting_ts
FROM smtpd_events WHERE subsystem = 'mta' AND event = 'connecting' AND {W}
GROUP BY ALL"""),
        # ------------------------------------------------------------------ proxies
        # spampd's result line: the sender and recipient, within the relay's time; among several
        # (identical messages close in time), the one whose `processing` line (same Message-ID)
        # came when the relay's session connected, then the closest size, then the closest time
        ("spampd", f"""
CREATE OR REPLACE TEMP TABLE j_spampd AS
WITH w AS (
    SELECT n.node, n.host, n.prev_from, n.prev_rcpt, n.prev_size, n.in_relay_ts, mp.connecting_ts,
           n.prev_accepted_ts - INTERVAL 1 SECOND AS lo, n.in_relay_ts + INTERVAL 1 SECOND AS hi,
           {_buckets("n.prev_accepted_ts - INTERVAL 1 SECOND", "n.in_relay_ts + INTERVAL 1 SECOND")} AS b
    FROM j_nd n
    LEFT JOIN j_mta_port mp ON mp.host = n.host AND mp.session = n.in_relay_session
    WHERE n.depth > 0 AND n.prev_host = n.host
), s AS (
    SELECT *, {_bucket("ts")} AS b FROM spampd_events WHERE event = 'result' AND {W}
), proc AS (
    SELECT host, message_id, ts FROM spampd_events WHERE event = 'processing' AND {W}
), c AS (
    SELECT w.node, s.ts, s.verdict, s.score, s.message_id, {_line('s')} AS line,
           coalesce(EXISTS (SELECT 1 FROM proc p WHERE p.host = s.host AND p.message_id = s.message_id
                            AND p.ts BETWEEN w.connecting_ts AND w.connecting_ts + INTERVAL 1 SECOND), false) AS began,
           coalesce(abs(s.bytes - w.prev_size), 1e12) AS size_diff,
           abs(epoch(s.ts) - epoch(w.in_relay_ts)) AS dt
    FROM w
    JOIN s ON s.host = w.host AND s.sender = w.prev_from AND s.b = w.b
          AND s.ts BETWEEN w.lo AND w.hi AND list_contains(s.recipients, w.prev_rcpt)
)
SELECT *, count(*) OVER (PARTITION BY node, began, size_diff) AS tied
FROM c
QUALIFY row_number() OVER (PARTITION BY node ORDER BY began DESC, size_diff, dt, line.file_id, line.line_no) = 1"""),
        ("dkimproxy", f"""
CREATE OR REPLACE TEMP TABLE j_dkim AS
WITH w AS (
    SELECT n.node, n.host, n.prev_from, n.in_relay_ts,
           n.prev_accepted_ts - INTERVAL 1 SECOND AS lo, n.in_relay_ts + INTERVAL 1 SECOND AS hi,
           {_buckets("n.prev_accepted_ts - INTERVAL 1 SECOND", "n.in_relay_ts + INTERVAL 1 SECOND")} AS b
    FROM j_nd n WHERE n.depth > 0 AND n.prev_host = n.host
), k AS (
    SELECT *, signer AS who, {_bucket("ts")} AS b FROM dkimproxy_events
    WHERE event = 'signing' AND signer IS NOT NULL AND {W}
    UNION ALL
    SELECT *, address, {_bucket("ts")} FROM dkimproxy_events
    WHERE event = 'signing' AND address IS NOT NULL AND address IS DISTINCT FROM signer AND {W}
)
SELECT w.node, k.ts, k.result, k.message_id, {_line('k')} AS line, count(*) OVER (PARTITION BY w.node) AS tied
FROM w JOIN k ON k.host = w.host AND k.who = w.prev_from AND k.b = w.b AND k.ts BETWEEN w.lo AND w.hi
QUALIFY row_number() OVER (PARTITION BY w.node ORDER BY abs(epoch(k.ts) - epoch(w.in_relay_ts)), k.file_id, k.line_no) = 1"""),
        # ------------------------------------------------------------------ final delivery
        ("final", """
CREATE OR REPLACE TEMP TABLE j_final AS
SELECT node, root, l.agent, l.result, l.stat, l.relay, l.evpid, ts, lines, attempts
FROM (
    -- the last attempt's fields from one row (one aggregate, not one per field)
    SELECT n.node, n.root, arg_max(struct_pack(agent := a.agent, result := a.result, stat := a.stat, relay := a.relay,
                                               evpid := a.evpid), a.ts) AS l,
           max(a.ts) AS ts, list(a.line ORDER BY a.ts) AS lines, count(*) AS attempts
    FROM j_nd n JOIN j_att a ON a.node = n.node
    WHERE n.is_last
    GROUP BY n.node, n.root
)"""),
        ("dovecot", f"""
CREATE OR REPLACE TEMP TABLE j_dove AS
WITH w AS (
    SELECT f.node, n.host, lower(n.rcpt_to) AS rcpt, split_part(lower(n.rcpt_to), '@', 1) AS local, f.ts,
           {_buckets("f.ts - INTERVAL 30 SECOND", "f.ts + INTERVAL 1 SECOND")} AS b
    FROM j_final f JOIN j_nd n ON n.node = f.node
    WHERE f.agent = 'mda'
), v AS (
    SELECT *, lower(service_user) AS who, split_part(lower(service_user), '@', 1) AS local, {_bucket("ts")} AS b
    FROM dovecot_events WHERE process = 'lmtp' AND event = 'delivered' AND {W}
)
SELECT w.node, v.message_id, {_line('v')} AS line
FROM w JOIN v ON v.host = w.host AND v.local = w.local AND v.b = w.b
 AND v.ts BETWEEN w.ts - INTERVAL 30 SECOND AND w.ts + INTERVAL 1 SECOND
 AND (v.who = w.rcpt OR v.who NOT LIKE '%@%')
QUALIFY row_number() OVER (PARTITION BY w.node ORDER BY abs(epoch(v.ts) - epoch(w.ts)), v.file_id, v.line_no) = 1"""),
        # ------------------------------------------------------------------ spamd
        ("spamd connections", f"""
CREATE OR REPLACE TEMP TABLE j_spc AS
WITH conn AS (
    SELECT host, ip, ts, lists, {_line()} AS line FROM spamd_events
    WHERE event = 'connected' AND ip IS NOT NULL AND {W}
), disc AS (
    SELECT host, ip, ts, tarpit_s, lists, {_line()} AS line,
           ts - to_seconds(coalesce(tarpit_s, 0)) + INTERVAL 1 SECOND AS started_by
    FROM spamd_events WHERE event = 'disconnected' AND ip IS NOT NULL AND {W}
)
SELECT row_number() OVER (ORDER BY d.host, d.ts, d.ip, d.line.file_id, d.line.line_no) AS conn, d.host, d.ip,
       coalesce(c.ts, d.ts - to_seconds(coalesce(d.tarpit_s, 0))) AS connected_ts, d.ts AS disconnected_ts,
       coalesce(c.lists, d.lists) AS lists, list_filter([c.line, d.line], lambda x: x IS NOT NULL) AS lines
FROM disc d
ASOF LEFT JOIN conn c ON d.host = c.host AND d.ip = c.ip AND d.started_by >= c.ts"""),
        ("spamd tuples", f"""
CREATE OR REPLACE TEMP TABLE j_tup AS
WITH t AS (
    SELECT event, host, ip, lower(mail_from) AS mail_from, lower(rcpt_to) AS rcpt_to, ts, {_line()} AS line
    FROM spamd_events WHERE event IN ('grey', 'black') AND ip IS NOT NULL AND {W}
)
SELECT t.*, c.conn, regexp_replace(t.ip, '[.:][0-9a-f]*$', '') AS net
FROM t ASOF LEFT JOIN j_spc c ON t.host = c.host AND t.ip = c.ip AND t.ts >= c.connected_ts"""),
        ("spamd traps", f"""
CREATE OR REPLACE TEMP TABLE j_trap AS
SELECT DISTINCT c.conn, lower(t.rcpt_to) AS trap_rcpt, lower(t.mail_from) AS mail_from, t.helo
FROM spamd_events t
ASOF JOIN j_spc c ON t.host = c.host AND t.ip = c.ip AND t.ts + INTERVAL 2 SECOND >= c.connected_ts
WHERE t.event = 'trapped' AND t.{W}"""),
        # a (GREY) line belongs to the next acceptance of its sender and recipient from the same
        # address or its /24 (large senders retry from a pool) within a day
        ("grey claims", f"""
CREATE OR REPLACE TEMP TABLE j_claim AS
WITH r AS (
    SELECT host || ':' || msgid || ':' || rcpt_to AS journey_id, root AS jk, lower(mail_from) AS mail_from,
           lower(rcpt_to) AS rcpt_to, accepted_ts, regexp_replace(client_ip, '[.:][0-9a-f]*$', '') AS net
    FROM j_nd WHERE depth = 0 AND client_ip IS NOT NULL
)
SELECT g.*, r.journey_id, r.jk
FROM (SELECT * FROM j_tup WHERE event = 'grey') g
ASOF JOIN r ON g.mail_from = r.mail_from AND g.rcpt_to = r.rcpt_to AND g.net = r.net AND r.accepted_ts >= g.ts
WHERE r.accepted_ts - g.ts <= INTERVAL {GREY_REACH}"""),
        # HELO: spamd's grey.c `new entry` and `Trapping` lines (debug level) name it per tuple
        ("helo", f"""
CREATE OR REPLACE TEMP TABLE j_helo AS
SELECT ip, lower(mail_from) AS mail_from, lower(rcpt_to) AS rcpt_to, any_value(helo) AS helo
FROM spamd_events
WHERE event IN ('new-entry', 'trapped') AND helo IS NOT NULL AND ip IS NOT NULL AND {W}
GROUP BY ALL"""),
        ("whitelisting", f"""
CREATE OR REPLACE TEMP TABLE j_white AS
SELECT ip, ts, {_line()} AS line FROM spamd_events WHERE event = 'whitelisted' AND ip IS NOT NULL AND {W}"""),
        ("rejected", f"""
CREATE OR REPLACE TEMP TABLE j_rej AS
SELECT f.host || ':' || f.session || ':rejected:' || CAST(epoch(f.ts) AS BIGINT) || ':'
           || lower(regexp_extract(f.command, '<([^>]*)>', 1)) AS journey_id,
       -row_number() OVER () AS jk,
       f.host, f.session, f.ts, lower(regexp_extract(f.command, '<([^>]*)>', 1)) AS rcpt_to, f.result,
       s.connected_ts, s.client_ip, s.local_enqueue, s.auth_user, s.conn_line, {_line('f')} AS line,
       regexp_replace(s.client_ip, '[.:][0-9a-f]*$', '') AS net
FROM smtpd_events f
LEFT JOIN j_sess s ON s.host = f.host AND s.session = f.session
WHERE f.event = 'failed-command' AND f.command ILIKE 'RCPT TO:%' AND (f.result LIKE '5%' OR f.result IS NULL) AND f.{W}"""),
        # a rejected recipient (smtpd logs no sender for it) claims the (GREY) lines of its
        # address or /24 for that recipient in the day before
        ("rejected claims", f"""
CREATE OR REPLACE TEMP TABLE j_rclaim AS
SELECT g.*, r.journey_id, r.jk
FROM (SELECT * FROM j_tup t WHERE event = 'grey' AND NOT EXISTS (SELECT 1 FROM j_claim c WHERE c.line = t.line)) g
ASOF JOIN (SELECT * FROM j_rej WHERE client_ip IS NOT NULL) r
  ON g.rcpt_to = r.rcpt_to AND g.net = r.net AND r.ts >= g.ts
WHERE r.ts - g.ts <= INTERVAL {GREY_REACH}"""),
        ("origins", """
CREATE OR REPLACE TEMP TABLE j_root AS
SELECT root, host || ':' || msgid || ':' || rcpt_to AS jid, host, client_ip, connected_ts
FROM j_nd WHERE depth = 0"""),
        ("pf", f"""
CREATE OR REPLACE TEMP TABLE j_pf AS
WITH o AS (
    SELECT jid, root AS jk, host, client_ip, connected_ts FROM j_root WHERE client_ip IS NOT NULL
    UNION ALL
    SELECT journey_id, jk, host, client_ip, connected_ts FROM j_rej WHERE client_ip IS NOT NULL
)
SELECT o.jid, o.jk, o.host, p.ts, struct_pack(file_id := p.file_id, line_no := p.packet_no) AS line,
       count(*) OVER (PARTITION BY o.jid) AS tied
FROM (SELECT *, {_buckets("connected_ts - INTERVAL 1 SECOND", "connected_ts + INTERVAL 1 SECOND")} AS b FROM o) o
JOIN (SELECT *, {_bucket("ts")} AS b FROM pflog_packets
      WHERE dir_name = 'in' AND tcp_flags_text = 'S' AND {W}) p
  ON p.host = o.host AND p.ip_src = o.client_ip AND p.b = o.b
 AND p.ts >= o.connected_ts - INTERVAL 1 SECOND AND p.ts < o.connected_ts + INTERVAL 1 SECOND
-- syslog truncates the connect line to its second and the SYN comes a round trip before it:
-- the SYN closest to the middle of that second
QUALIFY row_number() OVER (PARTITION BY o.jid ORDER BY abs(epoch(p.ts) - epoch(o.connected_ts) - 0.5), p.file_id, p.packet_no) = 1"""),
        # ------------------------------------------------------------------ spamd-only journeys
        ("spamd-only journeys", f"""
CREATE OR REPLACE TEMP TABLE j_sponly AS
WITH g AS (
    SELECT *, sum(CASE WHEN gap IS NULL OR gap > INTERVAL {GREY_GAP} THEN 1 ELSE 0 END)
                  OVER (PARTITION BY net, mail_from, rcpt_to ORDER BY ts) AS attempt
    FROM (SELECT *, ts - lag(ts) OVER (PARTITION BY net, mail_from, rcpt_to ORDER BY ts) AS gap
          FROM j_tup t
          WHERE event = 'grey' AND NOT EXISTS (SELECT 1 FROM j_claim c WHERE c.line = t.line)
            AND NOT EXISTS (SELECT 1 FROM j_rclaim c WHERE c.line = t.line))
), grey AS (
    SELECT kind, net, mail_from, rcpt_to, attempt, first_ts, hi.host AS host, hi.ip AS ip, conns, lines, n
    FROM (
        SELECT 'grey' AS kind, net, mail_from, rcpt_to, attempt, min(ts) AS first_ts,
               arg_min(struct_pack(host, ip), ts) AS hi, list(DISTINCT conn) AS conns,
               list(struct_pack(conn := conn, line := line) ORDER BY ts) AS lines, count(*) AS n
        FROM g GROUP BY net, mail_from, rcpt_to, attempt
    )
), black AS (
    SELECT 'black' AS kind, net, mail_from, rcpt_to, conn AS attempt, min(ts) AS first_ts, any_value(host) AS host,
           any_value(ip) AS ip, [conn] AS conns,
           list(struct_pack(conn := conn, line := line) ORDER BY ts) AS lines, count(*) AS n
    FROM j_tup WHERE event = 'black' GROUP BY net, mail_from, rcpt_to, conn
), bare AS (
    SELECT 'black' AS kind, NULL AS net, NULL AS mail_from, NULL AS rcpt_to, conn AS attempt,
           connected_ts AS first_ts, host, ip, [conn] AS conns, []::STRUCT(conn BIGINT, line STRUCT(file_id INTEGER, line_no BIGINT))[] AS lines, 0 AS n
    FROM j_spc c
    WHERE len(lists) > 0 AND NOT EXISTS (SELECT 1 FROM j_tup t WHERE t.conn = c.conn AND t.event = 'black')
), trapped AS (
    SELECT 'trap' AS kind, NULL AS net, t.mail_from, t.trap_rcpt AS rcpt_to, t.conn AS attempt,
           c.connected_ts AS first_ts, c.host, c.ip, [t.conn] AS conns, []::STRUCT(conn BIGINT, line STRUCT(file_id INTEGER, line_no BIGINT))[] AS lines, 0 AS n
    FROM j_trap t JOIN j_spc c ON c.conn = t.conn
    WHERE NOT EXISTS (SELECT 1 FROM j_tup u WHERE u.conn = t.conn AND u.rcpt_to = t.trap_rcpt)
)
-- jk (the hops' partition key) from the id's hash, below the rejected ones' range; not a
-- row_number() over the whole table, which runs in one thread. build() checks that no two
-- collide and numbers the hops by the id itself if they do
SELECT *, -1000000000000 - CAST(hash(journey_id) >> 4 AS BIGINT) AS jk
FROM (
    SELECT *, host || ':spamd:' || ip || ':' || CAST(epoch(first_ts) AS BIGINT) || ':' || coalesce(rcpt_to, '') AS journey_id
    FROM (SELECT * FROM grey UNION ALL SELECT * FROM black UNION ALL SELECT * FROM bare UNION ALL SELECT * FROM trapped)
)"""),
    ]


# ------------------------------------------------------------------ hops
# A journey's hops in order (seq): first the attempts before smtpd (PF's SYN, spamd's connections:
# "pre" hops, ordered by time), then one hop per stage of its path, whose place follows from the
# node's depth: the acceptance (depth 0: 1), at each later depth d the proxy or backup queue (2d)
# and the re-injection or acceptance on the primary (2d + 1), and the final delivery (2d + 2).
# This equals row_number() over (journey, k, start, end, stage), k = 10 * depth + 1, 2 or 5 (pre:
# -10), whenever a journey id names one path (ids unique, at most one edge into a node), which
# build() checks; otherwise (GENERIC_SEQ) it numbers them with that window, over every column of
# every hop, several times slower. The fast path partitions by a number instead of the id string
# (jk: the root node; rejected recipients numbered below zero, spamd-only attempts a hash of their
# id below -10^12, which build() checks for collisions).
_HOPS_CTES = """
WITH px AS (
    SELECT n.root, n.depth, n.host, n.msgid, n.evpid, n.prev_accepted_ts, n.in_relay_ts, n.accepted_ts,
           n.in_relay_line, n.msg_line, n.env_line, n.conn_line,
           coalesce(pt.stage, CASE WHEN sp.node IS NOT NULL THEN 'spampd' WHEN dk.node IS NOT NULL THEN 'dkimproxy'
                                   ELSE 'filter' END) AS stage,
           sp.ts AS sp_ts, sp.tied AS sp_tied, sp.verdict, sp.line AS sp_line,
           dk.ts AS dk_ts, dk.tied AS dk_tied, dk.result AS dk_result, dk.line AS dk_line
    FROM j_nd n
    LEFT JOIN j_mta_port mp ON mp.host = n.host AND mp.session = n.in_relay_session
    LEFT JOIN j_ports pt ON pt.port = mp.port
    LEFT JOIN j_spampd sp ON sp.node = n.node
    LEFT JOIN j_dkim dk ON dk.node = n.node
    WHERE n.depth > 0 AND n.prev_host = n.host
), p2 AS (
    SELECT *,
           CASE stage WHEN 'spampd' THEN sp_ts WHEN 'dkimproxy' THEN dk_ts END AS p_ts,
           CASE stage WHEN 'spampd' THEN sp_tied WHEN 'dkimproxy' THEN dk_tied END AS p_tied,
           CASE stage WHEN 'spampd' THEN verdict WHEN 'dkimproxy' THEN dk_result END AS p_result,
           CASE stage WHEN 'spampd' THEN sp_line WHEN 'dkimproxy' THEN dk_line END AS p_line
    FROM px
), claims AS (
    SELECT journey_id, any_value(jk) AS jk, conn, list(line) AS glines
    FROM (SELECT journey_id, jk, conn, line FROM j_claim UNION ALL SELECT journey_id, jk, conn, line FROM j_rclaim)
    WHERE conn IS NOT NULL GROUP BY journey_id, conn
), r AS (SELECT root, jid FROM j_root),
pre AS MATERIALIZED (
    -- pf: the SYN of the first connection
    SELECT jid, p.jk, 'pf' AS stage, o.host, p.ts AS ts_start, p.ts AS ts_end, NULL AS msgid, NULL AS evpid,
           'pass' AS result, CASE WHEN p.tied > 1 THEN 'ambiguous' ELSE 'time-window' END AS link, [p.line] AS lines
    FROM j_pf p JOIN (SELECT jid, host FROM j_root UNION ALL SELECT journey_id, host FROM j_rej) o USING (jid)
    UNION ALL
    -- spamd connections whose tuples this accepted or rejected journey claimed
    SELECT c.journey_id, c.jk, 'spamd', s.host, s.connected_ts, s.disconnected_ts, NULL, NULL,
           CASE WHEN len(s.lists) > 0 THEN 'black' ELSE 'grey' END, 'tuple', s.lines || c.glines
    FROM claims c JOIN j_spc s ON s.conn = c.conn
    UNION ALL
    -- attempts that never reached smtpd
    SELECT o.journey_id, o.jk, 'spamd', s.host, s.connected_ts, s.disconnected_ts, NULL, NULL,
           CASE WHEN len(s.lists) > 0 THEN 'black' ELSE 'grey' END, CASE WHEN o.n > 0 THEN 'tuple' ELSE 'session' END,
           s.lines || list_transform(list_filter(o.lines, lambda x: x.conn = o.conn), lambda x: x.line)
    FROM (SELECT journey_id, jk, n, lines, unnest(conns) AS conn FROM j_sponly) o JOIN j_spc s ON s.conn = o.conn
), main AS (
    -- the first acceptance, and an acceptance on another host after a backup MX's relay
    SELECT r.jid, r.root AS jk, n.depth * 10 + 2 AS k, 2 * n.depth + 1 AS pos, 'smtpd_in' AS stage, n.host,
           coalesce(n.prev_end, n.connected_ts, n.accepted_ts) AS ts_start, n.accepted_ts AS ts_end,
           n.msgid, n.evpid, 'accepted' AS result,
           CASE WHEN n.depth = 0 THEN 'origin' WHEN n.in_candidates > 1 THEN 'ambiguous' ELSE 'reply-msgid' END AS link,
           list_filter([n.conn_line, n.msg_line, n.env_line], lambda x: x IS NOT NULL) AS lines
    FROM j_nd n JOIN r USING (root)
    WHERE n.depth = 0 OR n.prev_host <> n.host
    UNION ALL
    SELECT r.jid, r.root, n.depth * 10 + 1, 2 * n.depth, 'backup_queue', n.prev_host, n.prev_accepted_ts, n.in_relay_ts,
           n.prev_msgid, NULL, 'Ok', 'evpid', [n.in_relay_line]
    FROM j_nd n JOIN r USING (root)
    WHERE n.depth > 0 AND n.prev_host <> n.host
    UNION ALL
    -- a local proxy: from acceptance to its result line, then the re-injection
    SELECT r.jid, r.root, p.depth * 10 + 1, 2 * p.depth, p.stage, p.host, p.prev_accepted_ts, coalesce(p.p_ts, p.in_relay_ts),
           NULL, NULL, coalesce(p.p_result, 'relayed'),
           CASE WHEN p.stage = 'filter' THEN 'reply-msgid' WHEN p.p_ts IS NULL THEN 'unlinked'
                WHEN p.p_tied > 1 THEN 'ambiguous' ELSE 'time-window' END,
           list_filter([p.p_line], lambda x: x IS NOT NULL)
    FROM p2 p JOIN r USING (root)
    UNION ALL
    SELECT r.jid, r.root, p.depth * 10 + 2, 2 * p.depth + 1, 'smtpd_reinject', p.host, coalesce(p.p_ts, p.prev_accepted_ts),
           p.accepted_ts, p.msgid, p.evpid, 'accepted', 'reply-msgid',
           list_filter([p.in_relay_line, p.conn_line, p.msg_line, p.env_line], lambda x: x IS NOT NULL)
    FROM p2 p JOIN r USING (root)
    UNION ALL
    -- the last delivery: lmtp (mda) or a relay out (mta), every attempt inside
    SELECT r.jid, r.root, n.depth * 10 + 5, 2 * n.depth + 2, CASE f.agent WHEN 'mda' THEN 'lmtp' ELSE 'mta_out' END, n.host,
           n.accepted_ts, f.ts, n.msgid, f.evpid, f.result, 'evpid', f.lines || list_filter([d.line], lambda x: x IS NOT NULL)
    FROM j_final f JOIN j_nd n ON n.node = f.node JOIN r ON r.root = n.root LEFT JOIN j_dove d ON d.node = f.node
    UNION ALL
    -- rejected at RCPT
    SELECT journey_id, jk, 2, 1, 'smtpd_in', host, coalesce(connected_ts, ts), ts, NULL, NULL, result, 'session',
           list_filter([conn_line, line], lambda x: x IS NOT NULL)
    FROM j_rej
)"""

_HOP_COLS = "stage, host, ts_start, ts_end, msgid, evpid, result, link, lines"

_HOPS_FAST = _HOPS_CTES + f"""
SELECT jid, CAST(row_number() OVER (PARTITION BY jk ORDER BY ts_start, ts_end, stage) AS INTEGER) AS seq, {_HOP_COLS}
FROM pre
UNION ALL
SELECT m.jid, CAST(coalesce(n.n_pre, 0) + m.pos AS INTEGER), {_HOP_COLS}
FROM main m LEFT JOIN (SELECT jk, count(*) AS n_pre FROM pre GROUP BY jk) n USING (jk)"""

_HOPS_GENERIC = _HOPS_CTES + f"""
SELECT jid, CAST(row_number() OVER (PARTITION BY jid ORDER BY k, ts_start, ts_end, stage) AS INTEGER) AS seq, {_HOP_COLS}
FROM (SELECT jid, -10 AS k, {_HOP_COLS} FROM pre UNION ALL SELECT jid, k, {_HOP_COLS} FROM main)"""

# set by tests: number the hops with the window even where the path says their order
GENERIC_SEQ = False

# the journey's hops summed up, from `hops` (full build) or j_h (incremental); the weakest link,
# among equally weak ones the first hop's
_HOP_SUMMARY = """
CREATE OR REPLACE TEMP TABLE j_hagg AS
SELECT {jid} AS journey_id, min(ts_start) AS first_seen_ts, arg_min(host, seq) AS first_host,
       arg_max(host, seq) AS final_host, CAST(count(*) AS INTEGER) AS n_hops,
       arg_max(link, (CASE WHEN link = 'unlinked' THEN 3 WHEN link = 'ambiguous' THEN 2 WHEN link = 'time-window' THEN 1 ELSE 0 END)
                     * 1000000 - seq) AS weakest_link,
       count(*) FILTER (WHERE link = 'ambiguous') AS ambiguous, count(*) FILTER (WHERE link = 'unlinked') AS unlinked
FROM {src} GROUP BY {jid}"""

_JOURNEYS = f"""WITH n0 AS MATERIALIZED (SELECT * FROM j_nd WHERE depth = 0),
agg AS (
    -- the path carries them: the last node of a journey has its msgids and whether it crossed hosts
    SELECT root, msgids, via_backup FROM j_nd WHERE is_last
), sp AS (
    SELECT n.root, any_value(s.verdict) AS verdict, any_value(s.score) AS score, any_value(s.message_id) AS mid
    FROM j_spampd s JOIN j_nd n ON n.node = s.node GROUP BY n.root
), dk AS (
    SELECT n.root, any_value(k.message_id) AS mid FROM j_dkim k JOIN j_nd n ON n.node = k.node GROUP BY n.root
), dv AS (
    SELECT n.root, any_value(d.message_id) AS mid FROM j_dove d JOIN j_nd n ON n.node = d.node GROUP BY n.root
), gr AS (
    -- the (GREY) lines an accepted or a rejected journey claimed
    SELECT journey_id, min(ts) AS first_ts, CAST(count(DISTINCT conn) AS INTEGER) AS attempts,
           any_value(mail_from) AS mail_from
    FROM (SELECT journey_id, ts, conn, mail_from FROM j_claim
          UNION ALL SELECT journey_id, ts, conn, mail_from FROM j_rclaim)
    GROUP BY journey_id
), acc AS (
    SELECT r.jid AS journey_id,
           CASE WHEN n0.local_enqueue OR n0.auth_user IS NOT NULL
                THEN CASE WHEN f.agent = 'mta' THEN 'outbound' ELSE 'local' END ELSE 'inbound' END AS direction,
           agg.via_backup,
           CASE WHEN n0.local_enqueue THEN 'local' ELSE n0.client_ip END AS client_ip,
           n0.auth_user, n0.mail_from, n0.rcpt_to,
           coalesce(sp.mid, dk.mid, dv.mid) AS message_id, agg.msgids, n0.size,
           gr.first_ts IS NOT NULL AS greylisted, coalesce(gr.attempts, 0) AS grey_attempts, gr.first_ts AS grey_first_ts,
           n0.client_ip AS ip, n0.connected_ts,
           [] AS blacklists, sp.verdict AS spam_verdict, sp.score AS spam_score,
           n0.accepted_ts,
           CASE WHEN lower(f.result) = 'ok' THEN f.ts END AS delivered_ts,
           CASE WHEN f.node IS NULL THEN 'in_flight'
                WHEN lower(f.result) = 'ok' THEN 'delivered'
                WHEN f.result = 'Expired' OR (lower(f.result) = 'permfail' AND f.stat ILIKE '%expire%') THEN 'expired'
                WHEN f.result = 'Removed' THEN 'removed'
                WHEN lower(f.result) = 'permfail' THEN 'bounced'
                ELSE 'deferred' END AS final_status,
           f.result AS final_result, f.stat AS final_stat, f.relay
    FROM j_root r
    JOIN n0 ON n0.root = r.root
    JOIN agg ON agg.root = r.root
    LEFT JOIN j_final f ON f.root = r.root
    LEFT JOIN sp ON sp.root = r.root
    LEFT JOIN dk ON dk.root = r.root
    LEFT JOIN dv ON dv.root = r.root
    LEFT JOIN gr ON gr.journey_id = r.jid
), rej AS (
    SELECT j.journey_id, 'inbound' AS direction, false AS via_backup,
           CASE WHEN j.local_enqueue THEN 'local' ELSE j.client_ip END AS client_ip, j.auth_user,
           gr.mail_from, j.rcpt_to, NULL AS message_id, []::VARCHAR[] AS msgids, NULL::BIGINT AS size,
           gr.first_ts IS NOT NULL AS greylisted, coalesce(gr.attempts, 0) AS grey_attempts, gr.first_ts AS grey_first_ts,
           j.client_ip AS ip, j.connected_ts, [] AS blacklists, NULL AS spam_verdict, NULL::DOUBLE AS spam_score,
           NULL::TIMESTAMPTZ AS accepted_ts, NULL::TIMESTAMPTZ AS delivered_ts, 'rejected' AS final_status,
           NULL AS final_result, j.result AS final_stat, NULL AS relay
    FROM j_rej j LEFT JOIN gr ON gr.journey_id = j.journey_id
), spo AS (
    SELECT o.journey_id, 'inbound' AS direction, false AS via_backup, o.ip AS client_ip, NULL AS auth_user,
           o.mail_from, o.rcpt_to, NULL AS message_id, []::VARCHAR[] AS msgids, NULL::BIGINT AS size,
           (kind = 'grey' AND NOT trapped) AS greylisted,
           CAST(CASE WHEN kind = 'grey' AND NOT trapped THEN len(o.conns) ELSE 0 END AS INTEGER) AS grey_attempts,
           CASE WHEN kind = 'grey' AND NOT trapped THEN o.first_ts END AS grey_first_ts,
           o.ip, NULL::TIMESTAMPTZ AS connected_ts, lists AS blacklists, NULL AS spam_verdict, NULL::DOUBLE AS spam_score,
           NULL::TIMESTAMPTZ AS accepted_ts, NULL::TIMESTAMPTZ AS delivered_ts,
           CASE WHEN trapped THEN 'trapped' WHEN kind = 'black' THEN 'tarpitted' ELSE 'greylisted' END AS final_status,
           NULL AS final_result, NULL AS final_stat, NULL AS relay
    FROM (
        SELECT o.*, (o.kind = 'trap' OR coalesce(x.trapped, false)) AS trapped, coalesce(x.lists, []) AS lists
        FROM j_sponly o
        LEFT JOIN (
            SELECT u.journey_id, bool_or(t.conn IS NOT NULL) AS trapped,
                   list_distinct(flatten(list(s.lists))) AS lists
            FROM (SELECT journey_id, unnest(conns) AS conn FROM j_sponly) u
            LEFT JOIN j_spc s ON s.conn = u.conn
            LEFT JOIN (SELECT DISTINCT conn FROM j_trap) t ON t.conn = u.conn
            GROUP BY u.journey_id
        ) x ON x.journey_id = o.journey_id
    ) o
), allj AS MATERIALIZED (
    SELECT * FROM acc UNION ALL BY NAME SELECT * FROM rej UNION ALL BY NAME SELECT * FROM spo
)
SELECT a.journey_id, a.direction, a.via_backup, h.first_host,
       CASE WHEN a.final_status IN ('delivered', 'bounced', 'deferred', 'expired', 'removed') THEN h.final_host END AS final_host,
       a.client_ip, hl.helo, a.auth_user, a.mail_from, a.rcpt_to,
       CASE WHEN a.message_id IS NULL OR a.message_id LIKE '<%' THEN a.message_id ELSE '<' || a.message_id || '>' END AS message_id,
       a.msgids, a.size, a.greylisted, a.grey_attempts, a.grey_first_ts,
       CASE WHEN a.greylisted AND a.final_status <> 'greylisted'
            THEN coalesce(w.ts, CASE WHEN a.connected_ts >= a.grey_first_ts THEN a.connected_ts END) END AS grey_passed_ts,
       NULL::DOUBLE AS greylist_delay_s,
       CAST(a.blacklists AS VARCHAR[]) AS blacklists, a.spam_verdict, a.spam_score, h.first_seen_ts, a.accepted_ts, a.delivered_ts,
       a.final_status, a.final_result, a.final_stat, a.relay,
       epoch(a.delivered_ts) - epoch(h.first_seen_ts) AS total_latency_s, h.n_hops, h.weakest_link
FROM allj a
LEFT JOIN j_hagg h ON h.journey_id = a.journey_id
LEFT JOIN j_helo hl ON hl.ip = a.ip AND hl.mail_from = lower(a.mail_from) AND hl.rcpt_to = lower(a.rcpt_to)
LEFT JOIN (
    SELECT a2.journey_id, min(w.ts) AS ts
    FROM allj a2 JOIN j_white w ON w.ip = a2.ip AND w.ts >= a2.grey_first_ts
     AND w.ts <= coalesce(a2.accepted_ts, a2.grey_first_ts + INTERVAL {GREY_REACH})
    WHERE a2.greylisted GROUP BY a2.journey_id
) w ON w.journey_id = a.journey_id"""


def _lit(ts) -> str:
    return "'-infinity'::TIMESTAMPTZ" if ts is None else f"'{ts.isoformat()}'::TIMESTAMPTZ"


SOURCES = ("smtpd_events", "spamd_events", "spampd_events", "dkimproxy_events", "dovecot_events", "pflog_packets")


def _watermark(con):
    return con.execute(
        "SELECT max(ts) FROM (" + " UNION ALL ".join(f"SELECT max(ts) AS ts FROM {t}" for t in SOURCES) + ")"
    ).fetchone()[0]


def set_proxy_ports(con, ports: dict[int, str], source: str) -> None:
    """Record which relay port is which filter (from smtpd.conf); the next build uses them."""
    for port, stage in ports.items():
        con.execute("INSERT OR REPLACE INTO proxy_ports VALUES (?, ?, ?)", [port, stage, source])


def build(con, *, full: bool = False, proxy_ports: dict[int, str] | None = None, profile: dict | None = None,
          window: dt.timedelta = dt.timedelta(days=REBUILD_DAYS)) -> dict:
    """(Re)build `journeys` and `hops` from the event tables. Incremental unless `full` or no
    earlier build: journeys starting in the last REBUILD_DAYS before the previous build's
    watermark, and everything after it, are rebuilt; older ones are kept. Returns the
    journey_builds row as a dict."""
    started = dt.datetime.now(dt.timezone.utc)
    t0 = time.perf_counter()
    watermark = _watermark(con)
    max_file_id = con.execute("SELECT max(file_id) FROM files").fetchone()[0]
    prev = con.execute(
        "SELECT watermark, max_file_id FROM journey_builds WHERE mode <> 'unchanged' ORDER BY build_id DESC LIMIT 1"
    ).fetchone()
    have = con.execute("SELECT count(*) FROM journeys").fetchone()[0]
    if (not full and prev is not None and prev[0] is not None and prev[0] == watermark and prev[1] == max_file_id
            and have):
        return {"mode": "unchanged", "journeys": 0, "hops": 0, "seconds": time.perf_counter() - t0}
    if full or prev is None or prev[0] is None or not have:
        mode, since, lo = "full", None, None
    else:
        mode = "incremental"
        # new data starts after the previous watermark, or earlier where an older file came in since
        start = prev[0]
        older = con.execute("SELECT min(first_ts) FROM files WHERE file_id > ?", [prev[1] or 0]).fetchone()[0]
        if older is not None and older < start:
            start = older
        since = start - window
        lo = since - window
    # the build joins whole tables, and some of its operators (list aggregates, the recursive
    # path) cannot spill: it runs with DuckDB's own default (80 % of RAM) instead of the streaming
    # ingest's small limit, or with MXLOG_JOURNEYS_MEMORY; the ingest's limit is restored after
    saved_limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    wanted = os.environ.get("MXLOG_JOURNEYS_MEMORY")
    con.execute(f"SET memory_limit = '{wanted}'" if wanted else "RESET memory_limit")
    try:
        return _build(con, mode, since, lo, watermark, max_file_id, started, t0, proxy_ports, profile)
    finally:
        con.execute(f"SET memory_limit = '{saved_limit}'")


def _build(con, mode, since, lo, watermark, max_file_id, started, t0, proxy_ports, profile) -> dict:
    ports = dict(DEFAULT_PROXY_PORTS)
    ports.update(dict(con.execute("SELECT port, stage FROM proxy_ports").fetchall()))
    ports.update(proxy_ports or {})
    con.execute("CREATE OR REPLACE TEMP TABLE j_ports (port INTEGER, stage VARCHAR)")
    con.executemany("INSERT INTO j_ports VALUES (?, ?)", sorted(ports.items()))

    def step(name, sql):
        t = time.perf_counter()
        con.execute(sql)
        if profile is not None:
            profile[name] = profile.get(name, 0.0) + time.perf_counter() - t

    for name, sql in _steps(_lit(lo)):
        step(name, sql)
    t = time.perf_counter()
    generic = GENERIC_SEQ or not con.execute("""
SELECT (SELECT count(*) = count(DISTINCT dst) FROM j_edge)
   AND (SELECT count(*) = count(DISTINCT jid)
        FROM (SELECT jid FROM j_root UNION ALL SELECT journey_id FROM j_rej UNION ALL SELECT journey_id FROM j_sponly))
   AND (SELECT count(*) = count(DISTINCT jk) FROM j_sponly)""").fetchone()[0]
    if profile is not None:
        profile["hop order check"] = time.perf_counter() - t
    hops_sql = _HOPS_GENERIC if generic else _HOPS_FAST
    delay = ("* REPLACE (CASE WHEN grey_passed_ts IS NOT NULL THEN epoch(grey_passed_ts) - epoch(grey_first_ts) END "
             "AS greylist_delay_s)")
    hop_cols = ("seq, stage, host, ts_start, ts_end, epoch(ts_end) - epoch(ts_start) AS duration_s, msgid, evpid, result, "
                "link, lines")
    if mode != "full":
        step("hops", f"CREATE OR REPLACE TEMP TABLE j_h AS {hops_sql}")
        step("hop summary", _HOP_SUMMARY.format(jid="jid", src="j_h"))
        step("journeys", f"CREATE OR REPLACE TEMP TABLE j_jny AS {_JOURNEYS}")
    con.execute("BEGIN")
    try:
        if mode == "full":
            # everything is new: hops and journeys go straight into their tables, each written once
            con.execute("DELETE FROM hops")
            con.execute("DELETE FROM journeys")
            step("hops", f"INSERT INTO hops BY NAME SELECT jid AS journey_id, {hop_cols} FROM ({hops_sql})")
            step("hop summary", _HOP_SUMMARY.format(jid="journey_id", src="hops"))
            step("journeys", f"INSERT INTO journeys BY NAME SELECT {delay} FROM ({_JOURNEYS})")
            n_j = con.execute("SELECT count(*) FROM journeys").fetchone()[0]
            n_h = con.execute("SELECT count(*) FROM hops").fetchone()[0]
        else:
            # rebuilt: journeys from `since` on, and the ones still open (in flight, deferred,
            # greylisted) that started after `lo`, the start of the data read again; kept: the
            # rest. A journey rebuilt from a window that cuts its start off is never inserted.
            con.execute(f"""
CREATE OR REPLACE TEMP TABLE j_redo AS
SELECT journey_id FROM journeys
WHERE first_seen_ts >= {_lit(since)}
   OR (final_status IN ('in_flight', 'deferred', 'greylisted') AND first_seen_ts >= {_lit(lo)})""")
            con.execute("DELETE FROM hops WHERE journey_id IN (SELECT journey_id FROM j_redo)")
            con.execute("DELETE FROM journeys WHERE journey_id IN (SELECT journey_id FROM j_redo)")
            keep = (f"j.journey_id NOT IN (SELECT journey_id FROM journeys) "
                    f"AND (j.first_seen_ts >= {_lit(since)} OR j.journey_id IN (SELECT journey_id FROM j_redo))")
            t = time.perf_counter()
            con.execute(f"CREATE OR REPLACE TEMP TABLE j_keep AS SELECT journey_id FROM j_jny j WHERE {keep}")
            con.execute(f"INSERT INTO journeys BY NAME SELECT {delay} FROM j_jny SEMI JOIN j_keep USING (journey_id)")
            n_j = con.execute("SELECT count(*) FROM j_keep").fetchone()[0]
            if profile is not None:
                profile["write journeys"] = time.perf_counter() - t
            t = time.perf_counter()
            con.execute(f"INSERT INTO hops BY NAME SELECT jid AS journey_id, {hop_cols} "
                        "FROM j_h WHERE jid IN (SELECT journey_id FROM j_keep)")
            n_h = con.execute("SELECT sum(n_hops) FROM j_hagg SEMI JOIN j_keep USING (journey_id)").fetchone()[0] or 0
            if profile is not None:
                profile["write hops"] = time.perf_counter() - t
        ambiguous = con.execute("SELECT sum(ambiguous), sum(unlinked) FROM j_hagg").fetchone()
        build_id = con.execute("SELECT coalesce(max(build_id), 0) + 1 FROM journey_builds").fetchone()[0]
        row = {
            "build_id": build_id, "started_at": started, "seconds": time.perf_counter() - t0, "mode": mode,
            "since_ts": since, "watermark": watermark, "max_file_id": max_file_id, "journeys": n_j, "hops": n_h,
            "ambiguous": ambiguous[0], "unlinked": ambiguous[1],
        }
        con.execute(
            "INSERT INTO journey_builds BY NAME SELECT * FROM (SELECT ?::INTEGER AS build_id, ?::TIMESTAMPTZ AS started_at, "
            "?::DOUBLE AS seconds, ?::VARCHAR AS mode, ?::TIMESTAMPTZ AS since_ts, ?::TIMESTAMPTZ AS watermark, "
            "?::INTEGER AS max_file_id, ?::BIGINT AS journeys, ?::BIGINT AS hops, ?::BIGINT AS ambiguous, "
            "?::BIGINT AS unlinked)",
            [row[k] for k in ("build_id", "started_at", "seconds", "mode", "since_ts", "watermark", "max_file_id",
                              "journeys", "hops", "ambiguous", "unlinked")],
        )
        t = time.perf_counter()
        con.execute("COMMIT")
        if profile is not None:
            profile["commit"] = time.perf_counter() - t
    except BaseException:
        con.execute("ROLLBACK")
        raise
    for t in ("j_sess", "j_msg", "j_env", "j_att", "j_edge", "j_nd", "j_mta_port", "j_spampd", "j_dkim",
              "j_final", "j_dove", "j_spc", "j_tup", "j_trap", "j_claim", "j_white", "j_rej", "j_rclaim", "j_root",
              "j_pf", "j_sponly", "j_h", "j_hops", "j_hagg", "j_jny", "j_ports", "j_keep", "j_redo", "j_helo"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return row
