-- 0015: the report's per-message and per-peer views choose the same values on every run.
-- OpenSMTPD msgids are 32 bits and repeat on a busy host: received_messages joined envelopes by
-- (host, msgid) only, so two messages that shared a msgid mixed their senders and recipients and
-- any_value() picked one at random. Envelopes are now joined by their session too (a msgid is
-- unique within a session), and the names shown for a peer are chosen by a rule (the smallest),
-- not by any_value().

CREATE OR REPLACE VIEW received_messages AS
SELECT m.host, m.msgid, m.accepted_ts, m.size, m.nrcpt, m.client_ip, m.local_enqueue, m.auth_user,
       e.mail_from, e.rcpts,
       CASE WHEN m.local_enqueue THEN 'local' WHEN m.auth_user IS NOT NULL THEN 'submission' ELSE 'inbound' END AS origin
FROM smtp_messages m
LEFT JOIN (SELECT host, session, msgid, min(mail_from) AS mail_from, list(DISTINCT rcpt_to ORDER BY rcpt_to) AS rcpts
           FROM smtp_envelopes GROUP BY ALL) e
       ON e.host = m.host AND e.msgid = m.msgid AND e.session IS NOT DISTINCT FROM m.session
WHERE m.local_enqueue OR NOT is_loopback(coalesce(m.client_ip, ''));

CREATE OR REPLACE VIEW remote_relays AS
SELECT host, connected_ts::DATE AS day, 'in' AS direction, client_ip AS address,
       min(client_rdns) AS name, count(*) AS sessions, sum(messages) AS messages,
       0::BIGINT AS ok, 0::BIGINT AS tempfail, 0::BIGINT AS permfail
FROM smtp_sessions
WHERE client_ip IS NOT NULL AND NOT is_loopback(client_ip) AND connected_ts IS NOT NULL GROUP BY ALL
UNION ALL
SELECT host, ts::DATE, 'out', relay_address(relay), min(relay), count(DISTINCT evpid), count(*),
       count(*) FILTER (WHERE result = 'Ok'), count(*) FILTER (WHERE result = 'TempFail'),
       count(*) FILTER (WHERE result = 'PermFail')
FROM deliveries
WHERE agent = 'mta' AND relay IS NOT NULL AND NOT is_loopback(relay_address(relay)) GROUP BY ALL;
