-- 0005: OpenBSD spamlogd (parsers/spamd.py): pf-logged inbound/outbound SMTP that keeps whitelist entries alive.

CREATE TABLE spamlogd_events (
    file_id          INTEGER,
    line_no          BIGINT,
    rep              INTEGER,
    ts               TIMESTAMPTZ,
    host             VARCHAR,
    pid              INTEGER,
    pattern          VARCHAR,
    "event"          VARCHAR,
    "ip"             VARCHAR,
    "direction"      VARCHAR,
    "hdr_len"        BIGINT,
    "min_hdr_len"    BIGINT,
    "caplen"         BIGINT,
    "pflog_if"       VARCHAR,
    "interface"      VARCHAR,
    "path"           VARCHAR,
    "text"           VARCHAR,
    "errmsg"         VARCHAR
);
