-- 0012: derived spamd views: connections to spamd (greylisted or tarpitted) and greylist tuples.

-- one row per connection to spamd: `disconnected after N seconds` paired with the latest
-- `connected` of that address on that host at or before (disconnect - N s + 1 s): the same
-- address can hold several connections at once (a tarpitted one and a new one)
CREATE VIEW spamd_connections AS
WITH conn AS (
    SELECT host, ip, ts, lists, file_id, line_no FROM spamd_events WHERE event = 'connected' AND ip IS NOT NULL
), disc AS (
    SELECT host, ip, ts, tarpit_s, lists, file_id, line_no,
           ts - to_seconds(coalesce(tarpit_s, 0)) + INTERVAL 1 SECOND AS started_by
    FROM spamd_events WHERE event = 'disconnected' AND ip IS NOT NULL
)
SELECT
    d.host,
    d.ip,
    c.ts AS connected_ts,
    d.ts AS disconnected_ts,
    d.tarpit_s,
    coalesce(c.lists, d.lists) AS lists,
    CASE WHEN len(coalesce(c.lists, d.lists)) > 0 THEN 'black' ELSE 'grey' END AS disposition,
    list_contains(coalesce(c.lists, d.lists), 'spamd-greytrap') AS greytrapped,
    coalesce(c.file_id, d.file_id) AS file_id,
    coalesce(c.line_no, d.line_no) AS line_no
FROM disc d
ASOF LEFT JOIN conn c ON d.host = c.host AND d.ip = c.ip AND d.started_by >= c.ts;

-- one row per greylisted (host, ip, sender, recipient) tuple seen in spamd -v `(GREY)` lines,
-- with the attempts, and when spamd whitelisted the address (grey.c `whitelisting`, debug level)
CREATE VIEW greylist_tuples AS
WITH grey AS (
    SELECT host, ip, from_token, to_token, any_value(mail_from) AS mail_from, any_value(rcpt_to) AS rcpt_to,
           min(ts) AS first_seen_ts, max(ts) AS last_seen_ts, count(*) AS attempts,
           min(file_id) AS file_id, min(line_no) AS line_no
    FROM spamd_events WHERE event = 'grey'
    GROUP BY host, ip, from_token, to_token
), helo AS (
    SELECT host, ip, mail_from, rcpt_to, any_value(helo) AS helo
    FROM spamd_events WHERE event = 'new-entry' GROUP BY ALL
), white AS (
    SELECT host, ip, ts FROM spamd_events WHERE event = 'whitelisted'
)
SELECT
    g.host, g.ip, h.helo, g.from_token, g.to_token, g.mail_from, g.rcpt_to,
    g.first_seen_ts, g.last_seen_ts, g.attempts,
    (SELECT min(w.ts) FROM white w WHERE w.host = g.host AND w.ip = g.ip AND w.ts >= g.first_seen_ts) AS whitelisted_ts,
    g.file_id, g.line_no
FROM grey g
LEFT JOIN helo h ON h.host = g.host AND h.ip = g.ip AND h.mail_from = g.mail_from AND h.rcpt_to = g.rcpt_to;
