-- 0013: journeys and hops, materialized by mxlog.journeys.build() after each ingest (they join
-- every source across hosts; a view would re-join on every query). journey_build records what
-- each build covered, and the ambiguities it resolved, so that they are counted, not hidden.

-- one row per message per recipient, end to end, including attempts that never reached smtpd
-- (no PRIMARY KEY: DuckDB's index makes bulk inserts and deletes slow; build() keeps ids unique)
CREATE TABLE journeys (
    journey_id        VARCHAR,
    direction         VARCHAR,
    via_backup        BOOLEAN,
    first_host        VARCHAR,
    final_host        VARCHAR,
    client_ip         VARCHAR,
    helo              VARCHAR,
    auth_user         VARCHAR,
    mail_from         VARCHAR,
    rcpt_to           VARCHAR,
    message_id        VARCHAR,
    msgids            VARCHAR[],
    size              BIGINT,
    greylisted        BOOLEAN,
    grey_attempts     INTEGER,
    grey_first_ts     TIMESTAMPTZ,
    grey_passed_ts    TIMESTAMPTZ,
    greylist_delay_s  DOUBLE,
    blacklists        VARCHAR[],
    spam_verdict      VARCHAR,
    spam_score        DOUBLE,
    first_seen_ts     TIMESTAMPTZ,
    accepted_ts       TIMESTAMPTZ,
    delivered_ts      TIMESTAMPTZ,
    final_status      VARCHAR,
    final_result      VARCHAR,
    final_stat        VARCHAR,
    relay             VARCHAR,
    total_latency_s   DOUBLE,
    n_hops            INTEGER,
    weakest_link      VARCHAR
);

-- one row per stage of a journey
CREATE TABLE hops (
    journey_id  VARCHAR,
    seq         INTEGER,
    stage       VARCHAR,
    host        VARCHAR,
    ts_start    TIMESTAMPTZ,
    ts_end      TIMESTAMPTZ,
    duration_s  DOUBLE,
    msgid       VARCHAR,
    evpid       VARCHAR,
    result      VARCHAR,
    link        VARCHAR,
    lines       STRUCT(file_id INTEGER, line_no BIGINT)[]
);

CREATE TABLE journey_builds (
    build_id      INTEGER PRIMARY KEY,
    started_at    TIMESTAMPTZ,
    seconds       DOUBLE,
    mode          VARCHAR,
    since_ts      TIMESTAMPTZ,
    watermark     TIMESTAMPTZ,
    max_file_id   INTEGER,
    journeys      BIGINT,
    hops          BIGINT,
    ambiguous     BIGINT,
    unlinked      BIGINT
);

-- which local relay port is which content filter (mxlog ingest --smtpd-conf); the seed's
-- defaults (10025 spampd, 10027 dkimproxy) apply to ports not listed
CREATE TABLE proxy_ports (
    port    INTEGER PRIMARY KEY,
    stage   VARCHAR NOT NULL,
    source  VARCHAR
);

-- per stage and host: how the hops were joined to the journey (ids, time windows, or not at all)
CREATE VIEW correlation_completeness AS
SELECT
    h.host,
    h.stage,
    count(*) AS hops,
    count(*) FILTER (WHERE h.link IN ('origin', 'session', 'evpid', 'reply-msgid', 'message-id', 'tuple')) AS by_id,
    count(*) FILTER (WHERE h.link = 'time-window') AS by_time,
    count(*) FILTER (WHERE h.link = 'unlinked' OR h.link IS NULL) AS unlinked,
    count(*) FILTER (WHERE h.link = 'ambiguous') AS ambiguous,
    round(100.0 * count(*) FILTER (WHERE h.link IN ('origin', 'session', 'evpid', 'reply-msgid', 'message-id', 'tuple')) / count(*), 2) AS pct_by_id,
    round(100.0 * count(*) FILTER (WHERE h.link = 'time-window') / count(*), 2) AS pct_by_time
FROM hops h
GROUP BY ALL;
