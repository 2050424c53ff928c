-- 0011: derived OpenSMTPD views, the same for every log-format family (first layer of the
-- journeys: sessions, messages, accepted recipients, delivery attempts, and the links a relay's
-- reply makes to the next hop's message).

-- one row per smtp session (a client connection to smtpd) on a host
CREATE VIEW smtp_sessions AS
SELECT
    host,
    session,
    any_value(family) AS family,
    min(ts) FILTER (WHERE event = 'connected') AS connected_ts,
    max(ts) FILTER (WHERE event = 'disconnected') AS disconnected_ts,
    any_value(ip) FILTER (WHERE event = 'connected') AS client_ip,
    any_value(rdns) FILTER (WHERE event = 'connected') AS client_rdns,
    coalesce(any_value(address) FILTER (WHERE event = 'connected') = 'local', false) AS local_enqueue,
    any_value(tls_version) FILTER (WHERE event = 'tls') AS tls_version,
    any_value(tls_cipher) FILTER (WHERE event = 'tls') AS tls_cipher,
    any_value("user") FILTER (WHERE event = 'authentication' AND lower(result) = 'ok') AS auth_user,
    count(*) FILTER (WHERE event = 'authentication' AND lower(result) <> 'ok') AS auth_failures,
    count(DISTINCT msgid) FILTER (WHERE event = 'message') AS messages,
    count(*) FILTER (WHERE event = 'failed-command') AS failed_commands,
    any_value(reason) FILTER (WHERE event = 'disconnected') AS disconnect_reason,
    min(file_id) AS file_id,
    min(line_no) AS first_line_no
FROM smtpd_events
WHERE subsystem = 'smtp' AND session IS NOT NULL
GROUP BY host, session;

-- one row per message accepted by smtpd (smtp message), with its client
CREATE VIEW smtp_messages AS
SELECT
    m.host,
    m.msgid,
    m.session,
    min(m.ts) AS accepted_ts,
    any_value(m.size) AS size,
    max(m.nrcpt) AS nrcpt,
    any_value(m.proto) AS proto,
    any_value(m.family) AS family,
    any_value(s.client_ip) AS client_ip,
    any_value(s.local_enqueue) AS local_enqueue,
    any_value(s.auth_user) AS auth_user,
    min(m.file_id) AS file_id,
    min(m.line_no) AS line_no
FROM smtpd_events m
LEFT JOIN smtp_sessions s ON s.host = m.host AND s.session = m.session
WHERE m.event = 'message' AND m.msgid IS NOT NULL AND m.msgid <> ''
GROUP BY m.host, m.msgid, m.session;

-- one row per accepted recipient: family E logs `smtp envelope` (with the evpid); A-D log one
-- `smtp message` line per recipient (no evpid until delivery)
CREATE VIEW smtp_envelopes AS
SELECT host, session, evpid_msgid AS msgid, evpid, mail_from, rcpt_to, ts AS accepted_ts, family, file_id, line_no
FROM smtpd_events
WHERE event = 'envelope' AND evpid IS NOT NULL
UNION ALL
SELECT host, session, msgid, NULL AS evpid, mail_from, rcpt_to, ts AS accepted_ts, family, file_id, line_no
FROM smtpd_events
WHERE event = 'message' AND rcpt_to IS NOT NULL AND msgid IS NOT NULL AND msgid <> '';

-- one row per delivery attempt: relay (mta) or local delivery (mda), every family
CREATE VIEW deliveries AS
SELECT
    host,
    subsystem AS agent,
    evpid,
    coalesce(evpid_msgid, msgid) AS msgid,
    mail_from,
    rcpt_to,
    rcpt AS original_rcpt,
    result,
    stat,
    delay_s,
    ts,
    reply_msgid,
    relay,
    source,
    "user" AS local_user,
    method,
    family,
    file_id,
    line_no
FROM smtpd_events
WHERE event = 'delivery' AND subsystem IN ('mta', 'mda');

-- a relay whose peer answered with smtpd's own DATA reply names the next hop's message: a
-- local proxy loop (spampd, dkimproxy, clamsmtp) re-injects on the same host, a backup MX's
-- relay lands on the primary. The next message is the one with that msgid accepted at or
-- after the relay's delivery was started, on any host, closest in time.
CREATE VIEW message_links AS
SELECT
    d.host AS from_host,
    d.msgid AS from_msgid,
    d.evpid AS from_evpid,
    m.host AS to_host,
    m.msgid AS to_msgid,
    d.ts AS relayed_ts,
    m.accepted_ts AS to_accepted_ts,
    'reply-msgid' AS link,
    d.file_id,
    d.line_no
FROM deliveries d
JOIN smtp_messages m
  ON m.msgid = d.reply_msgid
 AND m.accepted_ts BETWEEN d.ts - INTERVAL 1 DAY AND d.ts + INTERVAL 5 MINUTE
WHERE d.agent = 'mta' AND d.reply_msgid IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY d.host, d.evpid, d.ts ORDER BY abs(epoch(d.ts) - epoch(m.accepted_ts))) = 1;
