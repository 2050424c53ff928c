-- 0001: bookkeeping. One row per input content stream, its paths, every line no parser claimed.

CREATE SEQUENCE files_seq START 1;

CREATE TABLE files (
    file_id          INTEGER PRIMARY KEY DEFAULT nextval('files_seq'),
    path             VARCHAR NOT NULL,      -- path it was first read from (all paths: file_paths)
    host             VARCHAR,               -- --host, else the most frequent syslog HOSTNAME
    kind             VARCHAR NOT NULL,      -- syslog | pcap | pcapng | spamdb | binary | empty
    compression      VARCHAR,               -- gzip | bzip2 | xz | NULL
    fingerprint      VARCHAR,               -- sha256 of the first fp_len bytes of the content
    fp_len           INTEGER,
    size             BIGINT,                -- bytes on disk at the last read
    mtime            TIMESTAMPTZ,
    bytes_consumed   BIGINT NOT NULL DEFAULT 0,  -- content bytes read, up to the last whole line
    lines_read       BIGINT NOT NULL DEFAULT 0,
    lines_parsed     BIGINT NOT NULL DEFAULT 0,
    lines_unparsed   BIGINT NOT NULL DEFAULT 0,
    rows             BIGINT NOT NULL DEFAULT 0,  -- event rows written (repeats expanded)
    first_ts         TIMESTAMPTZ,
    last_ts          TIMESTAMPTZ,
    parser_versions  VARCHAR,               -- JSON {parser: version} used for its rows
    status           VARCHAR NOT NULL,      -- reading | complete | skipped | error
    message          VARCHAR,               -- why skipped / error text
    tz               VARCHAR NOT NULL DEFAULT 'UTC',
    frame_state      VARCHAR,               -- JSON: year, last month, last line per host
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE file_paths (
    file_id   INTEGER NOT NULL,
    path      VARCHAR NOT NULL,
    seen_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (file_id, path)
);

CREATE TABLE unparsed (
    file_id    INTEGER NOT NULL,
    line_no    BIGINT NOT NULL,
    ts         TIMESTAMPTZ,
    host       VARCHAR,
    program    VARCHAR,
    raw        VARCHAR NOT NULL,     -- the line; bytes that are not UTF-8 as \xNN
    raw_bytes  BLOB,                 -- the original bytes, only when the line is not UTF-8
    reason     VARCHAR NOT NULL      -- no-syslog-header | other-program | no-pattern-matched | ...
);

CREATE TABLE ingest_runs (
    run_id      INTEGER PRIMARY KEY,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    argv        VARCHAR,
    files       INTEGER,
    lines_read  BIGINT,
    rows        BIGINT,
    status      VARCHAR
);
