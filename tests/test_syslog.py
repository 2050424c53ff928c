"""Syslog framing (formats.md section 0)."""

import datetime as dt

import polars as pl
import pytest

from parsers.syslog import NO_HEADER, OK, REPEAT, FrameState, frame, infer_year, sanitize

UTC = dt.timezone.utc


def framed(text: bytes, **state):
    st = FrameState(**({"year": 2026} | state))
    chunk, bad = sanitize(text)
    return frame(chunk, st), st, bad


def ts(df, i):
    v = df["ts"][i]
    return None if v is None else dt.datetime.fromtimestamp(v / 1e6, UTC)


def test_bsd_header_fields():
    df, _, _ = framed(b"Nov 24 10:00:01 mx1 smtpd[41233]: 7e2a6c1d9b0f4a11 smtp connected address=local host=x\n")
    row = df.row(0, named=True)
    assert (row["host"], row["program"], row["pid"], row["status"]) == ("mx1", "smtpd", 41233, OK)
    assert row["msg"] == "7e2a6c1d9b0f4a11 smtp connected address=local host=x"
    assert ts(df, 0) == dt.datetime(2026, 11, 24, 10, 0, 1, tzinfo=UTC)


def test_space_padded_day_and_no_pid_ident():
    df, _, _ = framed(b"Nov  4 09:05:07 mx1 dovecot: imap-login: Login: user=<a>\n")
    assert ts(df, 0) == dt.datetime(2026, 11, 4, 9, 5, 7, tzinfo=UTC)
    assert df["program"][0] == "dovecot" and df["pid"][0] is None
    assert df["msg"][0] == "imap-login: Login: user=<a>"


def test_iso_timestamps_syslogd_Z_and_rfc3339():
    df, _, _ = framed(
        b"2018-10-26T17:12:00.271Z imap spampd[55849]: identified spam\n"
        b"2024-11-24T10:00:01.123456+01:00 mx2 smtpd[7]: x\n"
        b"2024-11-24T10:00:01-05:00 mx2 smtpd[7]: y\n"
    )
    assert ts(df, 0) == dt.datetime(2018, 10, 26, 17, 12, 0, 271000, tzinfo=UTC)
    assert ts(df, 1) == dt.datetime(2024, 11, 24, 9, 0, 1, 123456, tzinfo=UTC)
    assert ts(df, 2) == dt.datetime(2024, 11, 24, 15, 0, 1, tzinfo=UTC)
    assert df["host"].to_list() == ["imap", "mx2", "mx2"]
    assert df["program"].to_list() == ["spampd", "smtpd", "smtpd"]


def test_hostless_dovecot_log_path_line_takes_default_host():
    df, _, _ = framed(b"Jan 29 09:33:58 pop3-login: Info: Aborted login\n", default_host="mx1")
    assert (df["host"][0], df["program"][0], df["msg"][0]) == ("mx1", "pop3-login", "Info: Aborted login")


def test_year_advances_at_new_year():
    df, st, _ = framed(
        b"Dec 31 23:59:58 mx1 smtpd[1]: a\nDec 31 23:59:59 mx1 smtpd[1]: b\n"
        b"Jan  1 00:00:00 mx1 smtpd[1]: c\nJan  1 00:00:02 mx1 smtpd[1]: d\n",
        year=2025,
    )
    assert [ts(df, i).year for i in range(4)] == [2025, 2025, 2026, 2026]
    assert (st.year, st.last_month) == (2026, 1)


def test_year_carries_across_chunks():
    st = FrameState(year=2025)
    frame(b"Dec 31 23:59:59 mx1 smtpd[1]: a\n", st)
    df = frame(b"Jan  1 00:00:01 mx1 smtpd[1]: b\n", st)
    assert ts(df, 0).year == 2026


@pytest.mark.parametrize(
    "month, day, mtime, year",
    [
        (12, 30, dt.datetime(2027, 1, 2, tzinfo=UTC), 2026),  # file spans New Year, written in January
        (11, 24, dt.datetime(2026, 11, 25, tzinfo=UTC), 2026),
        (11, 24, dt.datetime(2026, 11, 24, tzinfo=UTC), 2026),
        (2, 29, dt.datetime(2025, 3, 1, tzinfo=UTC), 2024),
    ],
)
def test_infer_year_from_mtime(month, day, mtime, year):
    assert infer_year(month, day, mtime.timestamp()) == year


def test_time_zone_is_applied_per_file():
    df, _, _ = framed(b"Jul  6 06:01:40 mx1 smtpd[1]: a\nDec  6 06:01:40 mx1 smtpd[1]: b\n", tz="Europe/Berlin")
    assert ts(df, 0) == dt.datetime(2026, 7, 6, 4, 1, 40, tzinfo=UTC)  # CEST, +2
    assert ts(df, 1) == dt.datetime(2026, 12, 6, 5, 1, 40, tzinfo=UTC)  # CET, +1


def test_repeat_lines_are_marked_with_their_count():
    df, _, _ = framed(b"Nov 24 10:00:01 mx1 spamd[1]: x\nNov 24 10:00:31 mx1 last message repeated 12 times\n"
                      b"Nov 24 10:00:32 mx1 --- last message repeated 2 times ---\n")
    assert df["status"].to_list() == [OK, REPEAT, REPEAT]
    assert df["rep_n"].to_list() == [0, 12, 2]


def test_lines_without_header_crlf_and_vis_bytes():
    df, _, bad = framed(b"garbage\r\n\nNov 24 10:00:01 mx1 spamd[1]: 192.0.2.1: Subject: M-aM-^K\\240 x\r\n")
    assert df["status"].to_list() == [NO_HEADER, NO_HEADER, OK]
    assert df["msg"][2] == "192.0.2.1: Subject: M-aM-^K\\240 x"  # vis(3) bytes kept as they are
    assert bad == {}


def test_invalid_utf8_is_kept_recoverable():
    df, _, bad = framed(b"Nov 24 10:00:01 mx1 smtpd[1]: caf\xe9\nNov 24 10:00:02 mx1 smtpd[1]: ok\n")
    assert bad == {0: b"Nov 24 10:00:01 mx1 smtpd[1]: caf\xe9"}
    assert df["msg"].to_list() == ["caf\\xe9", "ok"]


def test_utf8_before_the_message_keeps_offsets_right():
    df, _, _ = framed("Nov 24 10:00:01 mx1 dovecot: imap-login: user=<hé> x\nNov 24 10:00:02 mx1 smtpd[9]: é\n".encode())
    assert df["msg"].to_list() == ["imap-login: user=<hé> x", "é"]
    assert df["pid"].to_list() == [None, 9]


def test_line_numbers_continue_across_chunks():
    st = FrameState(year=2026)
    frame(b"a\nb\n", st)
    df = frame(b"c\n", st)
    assert df["line_no"].to_list() == [3]


def test_dovecot_log_path_process_prefix_with_parentheses():
    df, _, _ = framed(b"Jan 29 13:54:06 auth-worker(22401): Info: sql(a,192.0.2.7): unknown user\n"
                      b"Jan 29 09:33:58 lmtp(123, bob): Info: x\n", default_host="mx1")
    assert df.select("host", "program", "pid", "msg").rows() == [
        ("mx1", "auth-worker", None, "auth-worker(22401): Info: sql(a,192.0.2.7): unknown user"),
        ("mx1", "lmtp", None, "lmtp(123, bob): Info: x"),
    ]


def test_tai64n_and_space_separated_iso_stamps():
    df, _, _ = framed(
        b"@400000004c91b044077a9e94 imap-login: Info: Aborted login\n"
        b"2013-08-11 03:56:40 auth-worker(default): Info: pam(u,192.0.2.4): failed\n"
        b"@40000000zz91b044077a9e94 imap-login: not hex\n",
        tz="Europe/Berlin", default_host="mx1",
    )
    # libtai labels are 2^62 + 10 + unix seconds (the 10 s TAI-UTC offset of 1970)
    assert ts(df, 0) == dt.datetime(2010, 9, 16, 5, 50, 50, 125476, tzinfo=UTC)
    assert ts(df, 1) == dt.datetime(2013, 8, 11, 1, 56, 40, tzinfo=UTC)  # wall clock in --tz (CEST)
    assert df.select("status", "program").rows() == [(OK, "imap-login"), (OK, "auth-worker"), (NO_HEADER, "")]
