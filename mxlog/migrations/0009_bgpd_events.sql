-- 0009: OpenBGPD (parsers/bgpd.py): session state changes and notifications of the bgp-spamd feed.

CREATE TABLE bgpd_events (
    file_id          INTEGER,
    line_no          BIGINT,
    rep              INTEGER,
    ts               TIMESTAMPTZ,
    host             VARCHAR,
    pid              INTEGER,
    pattern          VARCHAR,
    "event"          VARCHAR,
    "peer"           VARCHAR,
    "ip"             VARCHAR,
    "masklen"        BIGINT,
    "descr"          VARCHAR,
    "old_state"      VARCHAR,
    "new_state"      VARCHAR,
    "reason"         VARCHAR,
    "direction"      VARCHAR,
    "error"          VARCHAR,
    "suberror"       VARCHAR,
    "capability"     VARCHAR,
    "errcode"        BIGINT,
    "subcode"        BIGINT,
    "offset"         BIGINT,
    "hex"            VARCHAR,
    "text"           VARCHAR
);
