"""Ingest: conservation, idempotency, rotation, growth, crash safety, compression."""

import bz2
import gzip
import lzma
import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, write_maillog
from mxlog import api
from mxlog.ingest import detect_kind, discover, rotation_key
from mxlog.store import connect


def counts(db):
    con = connect(db, read_only=True)
    try:
        return {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("files", "smtpd_events", "unparsed")
        }
    finally:
        con.close()


def q(db, sql):
    con = connect(db, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def wc_l(path) -> int:
    with open(path, "rb") as f:
        return f.read().count(b"\n")


def test_conservation_and_line_counts_match_wc(tmp_path, db):
    log = tmp_path / "maillog"
    n = write_maillog(log, 200)
    with open(log, "a") as f:
        f.write("garbage without header\n\nNov 24 23:00:00 mx1 smtpd[1]: 0123456789abcdef smtp frobnicated\n")
    report = api.ingest([log], db=db)
    assert report.files[0].lines_read == n + 3 == wc_l(log)
    (ok, read) = q(db, "SELECT sum(lines_read) = sum(lines_parsed) + sum(lines_unparsed), sum(lines_read) FROM files")[0]
    assert ok and read == wc_l(log)
    reasons = dict(q(db, "SELECT reason, count(*) FROM unparsed GROUP BY 1"))
    assert reasons == {"other-program": 200, "no-syslog-header": 2, "no-pattern-matched": 1}
    assert q(db, "SELECT count(*) FROM smtpd_events")[0][0] == 200 * 6


def test_running_twice_adds_nothing(tmp_path, db):
    log = tmp_path / "maillog"
    write_maillog(log, 50)
    api.ingest([log], db=db)
    before = counts(db)
    report = api.ingest([log], db=db)
    assert counts(db) == before
    assert report.files[0].status == "unchanged"


def test_rotated_compressed_copy_adds_nothing_but_its_new_lines(tmp_path, db):
    log = tmp_path / "maillog"
    write_maillog(log, 50)
    api.ingest([log], db=db)
    before = counts(db)
    # logrotate: lines were appended after our run, then the file was rotated and compressed
    extra = "Nov 24 23:59:59 mx1 smtpd[41233]: 0123456789abcdef smtp disconnected reason=quit\n"
    content = log.read_bytes() + extra.encode()
    with gzip.open(tmp_path / "maillog.0.gz", "wb") as f:
        f.write(content)
    log.write_text("Nov 25 00:00:01 mx1 smtpd[41233]: 1123456789abcdef smtp disconnected reason=quit\n")
    report = api.ingest([tmp_path], db=db)
    after = counts(db)
    assert after["smtpd_events"] == before["smtpd_events"] + 2
    assert after["files"] == before["files"] + 1  # the new maillog; the .gz is the old stream
    by_name = {os.path.basename(f.path): f for f in report.files}
    assert by_name["maillog.0.gz"].same_as == str(log) and by_name["maillog.0.gz"].lines_read == 1
    # and the same again is a no-op
    api.ingest([tmp_path], db=db)
    assert counts(db) == after


def test_grown_file_is_read_from_where_it_stopped(tmp_path, db):
    log = tmp_path / "maillog"
    write_maillog(log, 30)
    api.ingest([log], db=db)
    with open(log, "a") as f:
        f.write("Nov 24 23:59:59 mx1 smtpd[41233]: 0123456789abcdef smtp disconnected reason=quit\n")
        f.write("Nov 24 23:59:59 mx1 smtpd[41233]: 0123456789abcdef smtp discon")  # being written
    report = api.ingest([log], db=db)
    assert report.files[0].lines_read == 1 and report.files[0].pending_bytes > 0
    with open(log, "a") as f:
        f.write("nected reason=quit\n")
    report = api.ingest([log], db=db)
    assert report.files[0].lines_read == 1
    assert q(db, "SELECT sum(lines_read) FROM files")[0][0] == wc_l(log)
    assert q(db, "SELECT count(*) FROM smtpd_events WHERE line_no = 212")[0][0] == 1


def test_small_file_growing_past_its_fingerprint(tmp_path, db):
    log = tmp_path / "maillog"
    log.write_text("Nov 24 10:00:00 mx1 smtpd[1]: 0123456789abcdef smtp disconnected reason=quit\n")
    api.ingest([log], db=db)
    write_maillog(tmp_path / "more", 100)
    with open(log, "a") as f:
        f.write((tmp_path / "more").read_text())
    api.ingest([log], db=db)
    assert q(db, "SELECT count(*), sum(lines_read) FROM files")[0] == (1, wc_l(log))
    api.ingest([log], db=db)
    assert q(db, "SELECT sum(lines_read) FROM files")[0][0] == wc_l(log)


@pytest.mark.parametrize("opener, suffix", [(gzip.open, ".gz"), (bz2.open, ".bz2"), (lzma.open, ".xz")])
def test_compressed_inputs_are_read_transparently(tmp_path, db, opener, suffix):
    plain = tmp_path / "plain"
    n = write_maillog(plain, 40)
    packed = tmp_path / ("maillog.1" + suffix)
    with opener(packed, "wb") as f:
        f.write(plain.read_bytes().rstrip(b"\n"))  # no newline after the last line
    report = api.ingest([packed], db=db)
    assert report.files[0].lines_read == n
    assert q(db, "SELECT compression, lines_read FROM files")[0][1] == n


def test_file_spanning_new_year_gets_right_years(tmp_path, db):
    log = tmp_path / "maillog"
    log.write_text(
        "Dec 31 23:59:59 mx1 smtpd[1]: 0123456789abcdef smtp disconnected reason=quit\n"
        "Jan  1 00:00:01 mx1 smtpd[1]: 1123456789abcdef smtp disconnected reason=quit\n"
    )
    os.utime(log, (time.mktime((2027, 1, 1, 12, 0, 0, 0, 0, 0)),) * 2)
    api.ingest([log], db=db)
    years = [r[0] for r in q(db, "SELECT year(ts) FROM smtpd_events ORDER BY line_no")]
    assert years == [2026, 2027]


def test_year_option_and_time_zone(tmp_path, db):
    log = tmp_path / "maillog"
    log.write_text("Jul  6 06:01:40 mx1 smtpd[1]: 0123456789abcdef smtp disconnected reason=quit\n")
    api.ingest([log], db=db, year=2019, tz="Europe/Berlin")
    assert str(q(db, "SELECT ts FROM smtpd_events")[0][0]) == "2019-07-06 04:01:40+00:00"


def test_other_kinds_are_detected_from_content_not_name(tmp_path):
    assert detect_kind(b"\xd4\xc3\xb2\xa1\x02\x00") == "pcap"
    assert detect_kind(b"\x0a\x0d\x0d\x0a") == "pcapng"
    assert detect_kind(b"GREY|192.0.2.1|mx.example.net|<a@b>|<c@d>|1|2|3|4\n") == "spamdb"
    assert detect_kind(b"Nov 24 10:00:01 mx1 smtpd[1]: x\n") == "syslog"
    assert detect_kind(b"\x00\x01\x02") == "binary"
    assert detect_kind(b"# just some text\n") == "text"


def test_rotated_sets_are_ordered_oldest_first(tmp_path):
    for name in ["maillog", "maillog.0.gz", "maillog.10.gz", "maillog.2.gz", "daemon", "daemon.0.gz"]:
        (tmp_path / name).write_bytes(b"")
    names = [p.name for p in discover([tmp_path])]
    assert names == ["daemon.0.gz", "daemon", "maillog.10.gz", "maillog.2.gz", "maillog.0.gz", "maillog"]
    assert rotation_key(tmp_path / "maillog-20261124.gz") < rotation_key(tmp_path / "maillog")


def test_unreadable_file_is_an_error_for_that_file_only(tmp_path, db):
    good = tmp_path / "maillog"
    write_maillog(good, 5)
    bad = tmp_path / "broken.gz"
    bad.write_bytes(gzip.compress(good.read_bytes())[:60])  # truncated gzip
    report = api.ingest([tmp_path], db=db)
    status = {os.path.basename(f.path): f.status for f in report.files}
    assert status["maillog"] == "read" and status["broken.gz"] == "error"


def _snapshot(db):
    return (
        q(db, "SELECT count(*), sum(hash(line_no, rep, ts, session, event, evpid, mail_from, stat)) FROM smtpd_events"),
        q(db, "SELECT count(*), sum(hash(line_no, raw, reason)) FROM unparsed"),
        q(db, "SELECT path, lines_read, lines_parsed, lines_unparsed, bytes_consumed FROM files ORDER BY path"),
    )


def test_kill_9_mid_ingest_then_rerun_equals_an_uninterrupted_run(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    write_maillog(logs / "maillog", 900, seed=1)
    write_maillog(logs / "maillog.0", 900, seed=2, day=23)
    env = dict(os.environ, MXLOG_CHUNK_BYTES="8192", PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "mxlog", "ingest", "-q", str(logs)]
    ref = tmp_path / "ref.duckdb"
    subprocess.run(cmd + ["--db", str(ref)], env=env, check=True, capture_output=True)

    crashed = tmp_path / "crashed.duckdb"
    rng = random.Random(7)
    kills = 0
    for _ in range(40):
        proc = subprocess.Popen(cmd + ["--db", str(crashed)], env=env, stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=rng.uniform(0.8, 4.0))
            break  # finished before we killed it
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
        if kills >= 6:
            break
    subprocess.run(cmd + ["--db", str(crashed)], env=env, check=True, capture_output=True)
    assert kills >= 1
    assert _snapshot(crashed) == _snapshot(ref)


def test_samples_are_what_make_samples_writes(tmp_path):
    import make_samples

    make_samples.main(tmp_path)
    for rel in ("lab1/maillog", "lab1/maillog.0.gz", "lab1/daemon", "lab1/spamdb.txt", "lab1/pflog1.pcap", "legacy/maillog"):
        assert (tmp_path / rel).read_bytes() == (ROOT / "samples" / "handmade" / rel).read_bytes(), f"regenerate {rel}"


def test_mixed_families_parse_without_a_miss(db):
    report = api.ingest([ROOT / "samples" / "handmade"], db=db)
    assert {f.path.split("handmade/")[1]: f.status for f in report.files} == {
        "legacy/maillog": "read", "lab1/maillog.0.gz": "read", "lab1/maillog": "read", "lab1/daemon": "read",
        "lab1/spamdb.txt": "read", "lab1/pflog1.pcap": "read"}
    # captures and dumps name no host: they take the syslog host of their directory
    assert q(db, "SELECT DISTINCT host FROM pflog_packets UNION SELECT DISTINCT host FROM spamdb_entries") == [("lab1",)]
    assert q(db, "SELECT count(*) FROM unparsed WHERE reason = 'no-pattern-matched'")[0][0] == 0
    assert [r[0] for r in q(db, "SELECT DISTINCT family FROM smtpd_events ORDER BY 1")] == list("ABCDE")


def test_spamdb_dump_is_read_as_a_snapshot(tmp_path, db):
    import datetime as dt

    dump = tmp_path / "spamdb.txt"
    dump.write_text(
        "GREY|198.51.100.23|mail.example.net|<a@example.net>|<bob@example.org>|1732442412|1732456812|1732456812|1|0\n"
        "WHITE|203.0.113.40|||1732442412|1732442412|1735553212|1|3\n"
        "TRAPPED|198.51.100.99|1732528812\n"
        "SPAMTRAP|trap@example.org\n"
    )
    at = dt.datetime(2024, 11, 25, 6, 0, tzinfo=dt.timezone.utc)
    report = api.ingest([dump], db=db, host="mx1", at=at)
    assert (report.files[0].kind, report.files[0].lines_parsed) == ("spamdb", 4)
    rows = q(db, "SELECT entry, host, ts, mail_from FROM spamdb_entries ORDER BY line_no")
    assert [r[0] for r in rows] == ["GREY", "WHITE", "TRAPPED", "SPAMTRAP"]
    assert {(r[1], r[2]) for r in rows} == {("mx1", at)}
    assert rows[0][3] == "a@example.net"
    api.ingest([dump], db=db, host="mx1", at=at)
    assert q(db, "SELECT count(*) FROM spamdb_entries")[0][0] == 4


def test_pflog_corpus_captures_ingest_with_truncations_counted(tmp_path, db):
    from conftest import SHARED

    caps = tmp_path / "caps"
    caps.mkdir()
    for f in (SHARED / "corpus" / "pflog").glob("*.pcap"):
        shutil.copy(f, caps / f.name)
    gz = caps / "pflog.0.gz"
    with gzip.open(gz, "wb") as out:
        out.write((SHARED / "corpus" / "pflog" / "pflog_tcp.pcap").read_bytes()[:24] + b"")  # header only: no packets
    report = api.ingest([caps], db=db, host="mx1")
    by_name = {os.path.basename(f.path): f for f in report.files}
    assert {n: f.kind for n, f in by_name.items()} == {n: "pcap" for n in by_name}
    assert by_name["pflog_udp.pcap"].lines_read == 1 and "truncated" in by_name["pflog_udp.pcap"].message
    rows = q(db, "SELECT count(*), count(*) FILTER (truncated), count(DISTINCT file_id) FROM pflog_packets")[0]
    assert rows == (8, 2, 8)
    tcp = q(db, "SELECT rulenr, action_name, dir_name, ifname, saddr, daddr, sport, dport, tcp_flags_text, p.host "
                "FROM pflog_packets p JOIN files USING (file_id) WHERE files.path LIKE '%pflog_tcp.pcap'")
    assert tcp == [(5, "block", "in", "vio0", "10.200.200.254", "10.200.200.154", 41917, 23, "S", "mx1")]
    (ok,) = q(db, "SELECT bool_and(lines_read = lines_parsed + lines_unparsed) FROM files")[0]
    assert ok
    api.ingest([caps], db=db, host="mx1")  # again: nothing new
    assert q(db, "SELECT count(*) FROM pflog_packets")[0][0] == 8


def test_three_hosts_in_one_command_with_per_source_counts(tmp_path, db):
    """maillog + daemon + pcap + spamdb dump of mx1, mx2, mx3 (spamd sync makes their dumps
    identical): one command, every host's rows, per-source counts in the summary."""
    src = ROOT / "samples" / "handmade" / "lab1"
    for n, host in enumerate(["mx1", "mx2", "mx3"]):
        d = tmp_path / "logs" / host
        d.mkdir(parents=True)
        for name in ("maillog", "daemon"):
            (d / name).write_text((src / name).read_text().replace(" lab1 ", f" {host} "))
        shutil.copy(src / "spamdb.txt", d / "spamdb.txt")
        pcap = bytearray((src / "pflog1.pcap").read_bytes())
        pcap[24] = (pcap[24] + n) % 256  # another host's capture differs in its first timestamp
        (d / "pflog1.pcap").write_bytes(bytes(pcap))
    r = subprocess.run([sys.executable, "-m", "mxlog", "ingest", str(tmp_path / "logs"), "--db", str(db)],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    total = r.stderr.strip().splitlines()[-2]  # the last line is the journeys build
    assert total.startswith("12 files,") and "pflog_packets 60" in total and "spamdb_entries 15" in total
    assert "spamd 198" in total
    hosts = q(db, "SELECT host, count(*) FROM spamdb_entries GROUP BY 1 ORDER BY 1")
    assert hosts == [("mx1", 5), ("mx2", 5), ("mx3", 5)]
    assert q(db, "SELECT count(DISTINCT host) FROM pflog_packets")[0][0] == 3
    assert q(db, "SELECT count(DISTINCT host) FROM smtpd_events")[0][0] == 3
