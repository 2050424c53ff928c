-- 0003: spamdb dumps (parsers/spamdb.py): one row per entry, keyed by host and snapshot time (ts).

CREATE TABLE spamdb_entries (
    file_id          INTEGER,
    line_no          BIGINT,
    rep              INTEGER,
    ts               TIMESTAMPTZ,
    host             VARCHAR,
    pid              INTEGER,
    pattern          VARCHAR,
    entry            VARCHAR,
    grey_fields      BIGINT,
    ip               VARCHAR,
    helo             VARCHAR,
    from_token       VARCHAR,
    to_token         VARCHAR,
    mail_from        VARCHAR,
    rcpt_to          VARCHAR,
    first_time       TIMESTAMPTZ,
    pass_time        TIMESTAMPTZ,
    expire_time      TIMESTAMPTZ,
    bcount           BIGINT,
    pcount           BIGINT,
    trap_address     VARCHAR
);
