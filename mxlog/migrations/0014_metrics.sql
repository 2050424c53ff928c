-- 0014: the metric views the report is drawn from (names fixed in DESIGN.md, columns in
-- mxlog/schema.py DERIVED_VIEWS). Days are UTC calendar days. Rows with host = 'all' are the union
-- over hosts (not the sum of the host rows where a count is of distinct things).
--
-- spamd's -G passtime and grey expiry are not in its logs: they are read from the DuckDB variables
-- spamd_passtime_s and spamd_greyexp_s when set (SET VARIABLE spamd_passtime_s = 1500), else the
-- seed's -G 2:4:864 (2 min, 4 h).

CREATE MACRO spamd_passtime_s() AS coalesce(getvariable('spamd_passtime_s'), 120)::DOUBLE;
CREATE MACRO spamd_greyexp_s() AS coalesce(getvariable('spamd_greyexp_s'), 14400)::DOUBLE;
-- nearest-rank percentile of a sorted list: the value at rank ceil(p * n)
CREATE MACRO nearest_rank(sorted, p) AS sorted[greatest(1, ceil(p * len(sorted)))::INTEGER];

-- one row per greylist tuple outcome, per host and for host = 'all' (the union over hosts: spamd
-- syncs its greylist, so a tuple first seen on mx2 and retried on mx1 is one tuple). A tuple is a
-- greylisted (ip, MAIL FROM, RCPT TO) from spamd -v `(GREY)` lines; a retry more than grey expiry
-- after the previous attempt starts a new tuple. Attempts of a connection that got the address
-- trapped (grey.c `Trapping <ip>` on that host within 10 minutes after: a RCPT to a spamtrap) are not
-- tuples: the address is trapped, not greylisted, and every later connection of it is tarpitted.
CREATE VIEW greylist_outcomes AS
WITH grey AS (
    SELECT g.host, g.ip, g.from_token, g.to_token, g.mail_from, g.rcpt_to, g.ts FROM spamd_events g
    WHERE g.event = 'grey' AND g.ip IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM spamd_events t WHERE t.event = 'trapped' AND t.host = g.host AND t.ip = g.ip
                      AND t.ts BETWEEN g.ts AND g.ts + INTERVAL 10 MINUTE)
), attempts AS (
    SELECT host AS scope, * FROM grey
    UNION ALL
    SELECT 'all' AS scope, * FROM grey
), segmented AS (
    SELECT *, sum(CASE WHEN prev_ts IS NULL OR epoch(ts) - epoch(prev_ts) > spamd_greyexp_s() THEN 1 ELSE 0 END)
                  OVER (PARTITION BY scope, ip, from_token, to_token ORDER BY ts) AS segment
    FROM (SELECT *, lag(ts) OVER (PARTITION BY scope, ip, from_token, to_token ORDER BY ts) AS prev_ts FROM attempts)
), tuples AS (
    SELECT scope, ip, from_token, to_token, segment,
           any_value(mail_from) AS mail_from, any_value(rcpt_to) AS rcpt_to,
           min(ts) AS first_seen_ts, max(ts) AS last_seen_ts, count(*) AS attempts,
           list(ts ORDER BY ts) AS attempt_ts
    FROM segmented GROUP BY ALL
), passing AS (
    SELECT *, list_filter(attempt_ts, lambda t: epoch(t) - epoch(first_seen_ts) > spamd_passtime_s())[1] AS passing_ts
    FROM tuples
), white AS (
    SELECT host AS scope, ip, ts FROM spamd_events WHERE event = 'whitelisted' AND ip IS NOT NULL
    UNION ALL
    SELECT 'all', ip, ts FROM spamd_events WHERE event = 'whitelisted' AND ip IS NOT NULL
), inbound AS (
    SELECT s.client_ip AS ip, e.mail_from, e.rcpt_to, e.accepted_ts
    FROM smtp_envelopes e JOIN smtp_sessions s ON s.host = e.host AND s.session = e.session
    WHERE s.client_ip IS NOT NULL
)
SELECT
    p.scope AS host, p.ip, p.from_token, p.to_token, p.mail_from, p.rcpt_to,
    p.first_seen_ts, p.last_seen_ts, p.attempts,
    p.passing_ts,
    (SELECT min(w.ts) FROM white w WHERE w.scope = p.scope AND w.ip = p.ip AND w.ts >= p.passing_ts) AS whitelisted_ts,
    (SELECT min(i.accepted_ts) FROM inbound i
      WHERE i.ip = p.ip AND i.mail_from = p.mail_from AND i.rcpt_to = p.rcpt_to AND i.accepted_ts > p.first_seen_ts) AS delivered_ts
FROM passing p;

-- one row per host and day (the day of a tuple's first attempt) plus host = 'all'
CREATE VIEW greylist_stats AS
WITH conns AS (
    SELECT host, connected_ts::DATE AS day, disposition FROM spamd_connections WHERE connected_ts IS NOT NULL
    UNION ALL
    SELECT host, connected_ts::DATE, 'white' FROM smtp_sessions
    WHERE client_ip IS NOT NULL AND client_ip NOT IN ('127.0.0.1', '::1') AND auth_user IS NULL
      AND auth_failures = 0 AND connected_ts IS NOT NULL
), conn_days AS (
    SELECT host, day, count(*) FILTER (WHERE disposition = 'grey') AS grey_connections,
           count(*) FILTER (WHERE disposition = 'black') AS black_connections,
           count(*) FILTER (WHERE disposition = 'white') AS white_connections
    FROM conns GROUP BY ALL
    UNION ALL
    SELECT 'all', day, count(*) FILTER (WHERE disposition = 'grey'), count(*) FILTER (WHERE disposition = 'black'),
           count(*) FILTER (WHERE disposition = 'white')
    FROM conns GROUP BY ALL
), white_days AS (
    SELECT host, ts::DATE AS day, count(DISTINCT ip) AS whitelisted_ips FROM spamd_events
    WHERE event = 'whitelisted' GROUP BY ALL
    UNION ALL
    SELECT 'all', ts::DATE, count(DISTINCT ip) FROM spamd_events WHERE event = 'whitelisted' GROUP BY ALL
), tuple_days AS (
    SELECT host, first_seen_ts::DATE AS day,
           count(*) AS tuples,
           count(*) FILTER (WHERE whitelisted_ts IS NOT NULL) AS tuples_passed,
           count(*) FILTER (WHERE attempts = 1) AS tuples_never_retried,
           count(*) FILTER (WHERE attempts > 1 AND passing_ts IS NULL) AS tuples_retried_before_passtime_only,
           count(*) FILTER (WHERE delivered_ts IS NOT NULL) AS tuples_delivered,
           list_sort(list(epoch(passing_ts) - epoch(first_seen_ts)) FILTER (WHERE whitelisted_ts IS NOT NULL)) AS delays
    FROM greylist_outcomes GROUP BY ALL
), keys AS (
    SELECT host, day FROM conn_days UNION SELECT host, day FROM tuple_days UNION SELECT host, day FROM white_days
)
SELECT
    k.host, k.day,
    coalesce(c.grey_connections, 0) AS grey_connections,
    coalesce(c.black_connections, 0) AS black_connections,
    coalesce(c.white_connections, 0) AS white_connections,
    coalesce(t.tuples, 0) AS tuples,
    coalesce(t.tuples_passed, 0) AS tuples_passed,
    coalesce(t.tuples_never_retried, 0) AS tuples_never_retried,
    coalesce(t.tuples_retried_before_passtime_only, 0) AS tuples_retried_before_passtime_only,
    coalesce(t.tuples, 0) - coalesce(t.tuples_passed, 0) AS tuples_never_passed,
    coalesce(t.tuples_delivered, 0) AS tuples_delivered,
    coalesce(w.whitelisted_ips, 0) AS whitelisted_ips,
    round(100.0 * (t.tuples - t.tuples_passed) / nullif(t.tuples, 0), 2) AS never_passed_pct,
    len(t.delays) AS pass_delay_n,
    nearest_rank(t.delays, 0.0) AS pass_delay_min_s,
    nearest_rank(t.delays, 0.25) AS pass_delay_p25_s,
    nearest_rank(t.delays, 0.50) AS pass_delay_p50_s,
    nearest_rank(t.delays, 0.75) AS pass_delay_p75_s,
    nearest_rank(t.delays, 0.90) AS pass_delay_p90_s,
    nearest_rank(t.delays, 0.95) AS pass_delay_p95_s,
    nearest_rank(t.delays, 0.98) AS pass_delay_p98_s,
    nearest_rank(t.delays, 0.99) AS pass_delay_p99_s,
    nearest_rank(t.delays, 1.0) AS pass_delay_max_s
FROM keys k
LEFT JOIN conn_days c ON c.host = k.host AND c.day = k.day
LEFT JOIN tuple_days t ON t.host = k.host AND t.day = k.day
LEFT JOIN white_days w ON w.host = k.host AND w.day = k.day;

-- per host (and 'all'), day and blacklist: a connection on several lists counts for each
CREATE VIEW blacklist_stats AS
WITH hits AS (
    SELECT host, connected_ts::DATE AS day, unnest(lists) AS list, ip, tarpit_s
    FROM spamd_connections WHERE disposition = 'black' AND connected_ts IS NOT NULL
)
SELECT host, day, list, count(*) AS connections, count(DISTINCT ip) AS unique_ips,
       coalesce(sum(tarpit_s), 0) AS tarpit_seconds
FROM hits GROUP BY ALL
UNION ALL
SELECT 'all', day, list, count(*), count(DISTINCT ip), coalesce(sum(tarpit_s), 0)
FROM hits GROUP BY ALL;

-- per host (and 'all'), day and stage: nearest-rank percentiles of hops.duration_s; stage
-- 'end_to_end' is journeys.total_latency_s by the journey's first host and first day
CREATE VIEW hop_latency AS
WITH d AS (
    SELECT host, ts_start::DATE AS day, stage, duration_s FROM hops
    WHERE duration_s IS NOT NULL AND ts_start IS NOT NULL
    UNION ALL
    SELECT first_host, first_seen_ts::DATE, 'end_to_end', total_latency_s FROM journeys
    WHERE total_latency_s IS NOT NULL AND first_seen_ts IS NOT NULL
), g AS (
    SELECT host, day, stage, list_sort(list(duration_s)) AS s FROM d GROUP BY ALL
    UNION ALL
    SELECT 'all', day, stage, list_sort(list(duration_s)) FROM d GROUP BY ALL
)
SELECT host, day, stage, len(s) AS n,
       nearest_rank(s, 0.50) AS p50_s, nearest_rank(s, 0.90) AS p90_s,
       nearest_rank(s, 0.99) AS p99_s, s[len(s)] AS max_s
FROM g;

-- ---------------------------------------------------------------- pflogsumm-style views
-- Loopback peers are the seed's proxy loops (spampd, dkimproxy): a message re-injected by a proxy
-- is the same mail again, so `received` counts only messages from outside or local enqueue, and
-- `relayed_out` only relays to a non-loopback peer (the backup MXs' relays to the primary included).

CREATE MACRO is_loopback(addr) AS addr IN ('127.0.0.1', '::1') OR addr LIKE '127.%';
CREATE MACRO relay_address(relay) AS split_part(relay, ' ', 1);
CREATE MACRO address_domain(addr) AS CASE WHEN addr LIKE '%@%' THEN lower(split_part(addr, '@', -1)) ELSE NULL END;

-- one row per message that entered the system on a host (not a proxy re-injection)
CREATE VIEW received_messages AS
SELECT m.host, m.msgid, m.accepted_ts, m.size, m.nrcpt, m.client_ip, m.local_enqueue, m.auth_user,
       e.mail_from, e.rcpts,
       CASE WHEN m.local_enqueue THEN 'local' WHEN m.auth_user IS NOT NULL THEN 'submission' ELSE 'inbound' END AS origin
FROM smtp_messages m
LEFT JOIN (SELECT host, msgid, any_value(mail_from) AS mail_from, list(DISTINCT rcpt_to) AS rcpts
           FROM smtp_envelopes GROUP BY ALL) e ON e.host = m.host AND e.msgid = m.msgid
WHERE m.local_enqueue OR NOT is_loopback(coalesce(m.client_ip, ''));

-- per host (and 'all') and day: pflogsumm's grand totals
CREATE VIEW traffic_daily AS
WITH r AS (
    SELECT host, accepted_ts::DATE AS day, count(*) AS received, coalesce(sum(size), 0) AS received_bytes,
           count(DISTINCT mail_from) AS senders, count(DISTINCT address_domain(mail_from)) AS sender_domains
    FROM received_messages GROUP BY ALL
    UNION ALL
    SELECT 'all', accepted_ts::DATE, count(*), coalesce(sum(size), 0), count(DISTINCT mail_from),
           count(DISTINCT address_domain(mail_from))
    FROM received_messages GROUP BY ALL
), rc AS (
    SELECT host, accepted_ts::DATE AS day, count(DISTINCT x) AS recipients,
           count(DISTINCT address_domain(x)) AS recipient_domains
    FROM (SELECT host, accepted_ts, unnest(rcpts) AS x FROM received_messages) GROUP BY ALL
    UNION ALL
    SELECT 'all', accepted_ts::DATE, count(DISTINCT x), count(DISTINCT address_domain(x))
    FROM (SELECT accepted_ts, unnest(rcpts) AS x FROM received_messages) GROUP BY ALL
), dl AS (
    SELECT host, ts::DATE AS day,
           count(*) FILTER (WHERE agent = 'mda' AND result = 'Ok') AS delivered_local,
           count(*) FILTER (WHERE agent = 'mta' AND result = 'Ok' AND NOT is_loopback(relay_address(relay))) AS relayed_out,
           count(*) FILTER (WHERE result = 'TempFail') AS deferred,
           count(*) FILTER (WHERE result = 'PermFail') AS bounced
    FROM deliveries GROUP BY ALL
), dla AS (
    SELECT * FROM dl
    UNION ALL
    SELECT 'all', day, sum(delivered_local), sum(relayed_out), sum(deferred), sum(bounced) FROM dl GROUP BY ALL
), rj AS (
    SELECT host, ts::DATE AS day, count(*) AS rejected FROM smtpd_events
    WHERE event = 'failed-command' AND (result LIKE '5%' OR result LIKE '4%') GROUP BY ALL
), rja AS (
    SELECT * FROM rj UNION ALL SELECT 'all', day, sum(rejected) FROM rj GROUP BY ALL
), keys AS (
    SELECT host, day FROM r UNION SELECT host, day FROM dla UNION SELECT host, day FROM rja
)
SELECT k.host, k.day,
       coalesce(r.received, 0) AS received, coalesce(r.received_bytes, 0) AS received_bytes,
       coalesce(dla.delivered_local, 0)::BIGINT AS delivered_local, coalesce(dla.relayed_out, 0)::BIGINT AS relayed_out,
       coalesce(dla.deferred, 0)::BIGINT AS deferred, coalesce(dla.bounced, 0)::BIGINT AS bounced,
       coalesce(rja.rejected, 0)::BIGINT AS rejected,
       coalesce(r.senders, 0) AS senders, coalesce(r.sender_domains, 0) AS sender_domains,
       coalesce(rc.recipients, 0) AS recipients, coalesce(rc.recipient_domains, 0) AS recipient_domains
FROM keys k
LEFT JOIN r ON r.host = k.host AND r.day = k.day
LEFT JOIN rc ON rc.host = k.host AND rc.day = k.day
LEFT JOIN dla ON dla.host = k.host AND dla.day = k.day
LEFT JOIN rja ON rja.host = k.host AND rja.day = k.day;

-- per host and hour: mail in and out, and spamd's connections by disposition
CREATE VIEW traffic_hourly AS
WITH ev AS (
    SELECT host, date_trunc('hour', accepted_ts) AS hour, 'received' AS what FROM received_messages
    UNION ALL
    SELECT host, date_trunc('hour', ts), CASE WHEN result = 'Ok' THEN 'delivered' WHEN result = 'TempFail'
           THEN 'deferred' ELSE 'bounced' END
    FROM deliveries WHERE agent = 'mda' OR NOT is_loopback(relay_address(coalesce(relay, '')))
    UNION ALL
    SELECT host, date_trunc('hour', connected_ts), 'spamd_' || disposition FROM spamd_connections
    WHERE connected_ts IS NOT NULL
)
SELECT host, hour,
       count(*) FILTER (WHERE what = 'received') AS received,
       count(*) FILTER (WHERE what = 'delivered') AS delivered,
       count(*) FILTER (WHERE what = 'deferred') AS deferred,
       count(*) FILTER (WHERE what = 'bounced') AS bounced,
       count(*) FILTER (WHERE what = 'spamd_grey') AS spamd_grey,
       count(*) FILTER (WHERE what = 'spamd_black') AS spamd_black
FROM ev WHERE hour IS NOT NULL GROUP BY ALL;

-- per host, day and envelope sender of received messages (top senders by count and size)
CREATE VIEW sender_stats AS
SELECT host, accepted_ts::DATE AS day, mail_from AS sender, address_domain(mail_from) AS domain,
       count(*) AS messages, coalesce(sum(size), 0) AS bytes
FROM received_messages WHERE mail_from IS NOT NULL GROUP BY ALL;

-- per host, day and recipient of received messages (a message's size counts for each recipient)
CREATE VIEW recipient_stats AS
SELECT host, accepted_ts::DATE AS day, rcpt AS recipient, address_domain(rcpt) AS domain,
       count(*) AS messages, coalesce(sum(size), 0) AS bytes
FROM (SELECT host, accepted_ts, size, unnest(rcpts) AS rcpt FROM received_messages) GROUP BY ALL;

-- deferrals and bounces grouped by reason (addresses, hex ids and IPv4 addresses in the status text masked)
CREATE VIEW delivery_problems AS
SELECT host, ts::DATE AS day, agent, result,
       trim(regexp_replace(regexp_replace(regexp_replace(coalesce(stat, ''), '<[^<>\s]*@[^<>\s]*>', '<addr>', 'g'),
                           '\b[0-9a-f]{8,16}\b', '<id>', 'g'), '\b\d+\.\d+\.\d+\.\d+\b', '<ip>', 'g')) AS reason,
       count(*) AS attempts, count(DISTINCT evpid) AS envelopes,
       count(DISTINCT address_domain(rcpt_to)) AS recipient_domains,
       min(ts) AS first_ts, max(ts) AS last_ts
FROM deliveries WHERE result IN ('TempFail', 'PermFail') GROUP BY ALL;

-- remote peers: clients that sent us mail (in) and servers we relayed to (out), loopback excluded
CREATE VIEW remote_relays AS
SELECT host, connected_ts::DATE AS day, 'in' AS direction, client_ip AS address,
       any_value(client_rdns) AS name, count(*) AS sessions, sum(messages) AS messages,
       0::BIGINT AS ok, 0::BIGINT AS tempfail, 0::BIGINT AS permfail
FROM smtp_sessions
WHERE client_ip IS NOT NULL AND NOT is_loopback(client_ip) AND connected_ts IS NOT NULL GROUP BY ALL
UNION ALL
SELECT host, ts::DATE, 'out', relay_address(relay), any_value(relay), count(DISTINCT evpid), count(*),
       count(*) FILTER (WHERE result = 'Ok'), count(*) FILTER (WHERE result = 'TempFail'),
       count(*) FILTER (WHERE result = 'PermFail')
FROM deliveries
WHERE agent = 'mta' AND relay IS NOT NULL AND NOT is_loopback(relay_address(relay)) GROUP BY ALL;

-- dkimproxy results per host, day, direction (out = signing), result and signing domain
CREATE VIEW dkim_stats AS
SELECT host, ts::DATE AS day, direction, result,
       CASE WHEN signer LIKE '%@%' THEN lower(split_part(signer, '@', -1)) ELSE lower(signer) END AS signer_domain,
       count(*) AS messages, count(*) FILTER (WHERE error IS NOT NULL) AS errors
FROM dkimproxy_events WHERE event IN ('signing', 'verify', 'signing-error', 'verify-error') GROUP BY ALL;

-- Dovecot logins per host, day and service (imap, pop3, submission ...)
CREATE VIEW dovecot_logins AS
SELECT host, ts::DATE AS day, replace(coalesce(process, 'unknown'), '-login', '') AS service,
       count(*) FILTER (WHERE event = 'login') AS logins,
       count(*) FILTER (WHERE event = 'login-failed') AS failed,
       count(*) FILTER (WHERE event = 'auth-failed') AS auth_failed,
       count(DISTINCT "user") FILTER (WHERE event = 'login') AS users,
       count(DISTINCT ip) FILTER (WHERE event = 'login') AS login_ips,
       count(DISTINCT ip) FILTER (WHERE event IN ('login-failed', 'auth-failed')) AS failed_ips
FROM dovecot_events WHERE event IN ('login', 'login-failed', 'auth-failed') GROUP BY ALL;

-- failed logins per source address: Dovecot login/auth failures and smtpd AUTH failures
CREATE VIEW login_failures AS
SELECT host, ts::DATE AS day, 'dovecot' AS service, ip, count(*) AS failures,
       count(DISTINCT "user") AS users, min(ts) AS first_ts, max(ts) AS last_ts
FROM dovecot_events WHERE event IN ('login-failed', 'auth-failed') AND ip IS NOT NULL GROUP BY ALL
UNION ALL
SELECT e.host, e.ts::DATE, 'smtpd', s.client_ip, count(*), count(DISTINCT e."user"), min(e.ts), max(e.ts)
FROM smtpd_events e JOIN smtp_sessions s ON s.host = e.host AND s.session = e.session
WHERE e.event = 'authentication' AND lower(e.result) <> 'ok' AND s.client_ip IS NOT NULL GROUP BY ALL;

-- spampd verdicts per host and day, with score percentiles
CREATE VIEW spam_verdicts AS
SELECT host, ts::DATE AS day, verdict, count(*) AS messages,
       round(avg(score), 2) AS avg_score, nearest_rank(list_sort(list(score)), 0.5) AS p50_score,
       min(score) AS min_score, max(score) AS max_score, round(avg(seconds), 2) AS avg_scan_s
FROM spampd_events WHERE event = 'result' AND verdict IS NOT NULL GROUP BY ALL;

-- one row per envelope a backup MX queued and relayed to another of our hosts (the primary): the
-- relay's DATA reply named the primary's msgid (message_links across hosts)
CREATE VIEW backup_relays AS
SELECT l.from_host AS host, l.to_host AS primary_host, l.from_msgid, l.from_evpid, l.to_msgid,
       m.accepted_ts, l.relayed_ts, epoch(l.relayed_ts) - epoch(m.accepted_ts) AS queued_s,
       (SELECT count(*) FROM deliveries d WHERE d.host = l.from_host AND d.evpid = l.from_evpid
          AND d.result = 'TempFail') AS deferred_attempts,
       l.file_id, l.line_no
FROM message_links l
JOIN smtp_messages m ON m.host = l.from_host AND m.msgid = l.from_msgid
WHERE l.from_host <> l.to_host;

-- per backup MX and UTC day (of the relay): what it queued for the primary and for how long
CREATE VIEW backup_queue_stats AS
SELECT host, primary_host, relayed_ts::DATE AS day, count(*) AS envelopes, count(DISTINCT from_msgid) AS messages,
       sum(deferred_attempts) AS deferred_attempts, min(accepted_ts) AS first_accepted_ts, max(relayed_ts) AS last_relayed_ts,
       nearest_rank(list_sort(list(queued_s)), 0.5) AS p50_queued_s,
       nearest_rank(list_sort(list(queued_s)), 0.9) AS p90_queued_s, max(queued_s) AS max_queued_s
FROM backup_relays GROUP BY ALL;
