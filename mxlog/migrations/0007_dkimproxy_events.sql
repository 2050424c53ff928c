-- 0007: dkimproxy (parsers/dkimproxy.py): DKIM signing (out) and verifying (in) results.

CREATE TABLE dkimproxy_events (
    file_id          INTEGER,
    line_no          BIGINT,
    rep              INTEGER,
    ts               TIMESTAMPTZ,
    host             VARCHAR,
    pid              INTEGER,
    pattern          VARCHAR,
    "event"          VARCHAR,
    "direction"      VARCHAR,
    "result"         VARCHAR,
    "result_detail"  VARCHAR,
    "message_id"     VARCHAR,
    "signer"         VARCHAR,
    "address"        VARCHAR,
    "address_header" VARCHAR,
    "error"          VARCHAR,
    "client_ip"      VARCHAR
);
