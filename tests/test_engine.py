"""The engine: converters, repeats, headerless kinds, the self-check used by parser authors."""

import datetime as dt

import polars as pl
import pytest

from mxlog.convert import convert
from mxlog.engine import parse_lines, wrap_regex
from mxlog.selfcheck import main as selfcheck_main
from parsers.base import Field, Parser, Pattern, Sample

UTC = dt.timezone.utc


def conv(values, converter):
    return pl.DataFrame({"v": values}, schema={"v": pl.String}).select(convert(pl.col("v"), converter).alias("v"))["v"].to_list()


def test_duration_seconds():
    assert conv(["0s", "2h", "5m12s", "1d2h3m4s", "-3s", "", "soon", None], "duration") == [
        0, 7200, 312, 93784, -3, None, None, None]


def test_ip_literal():
    assert conv(["192.0.2.1", "IPv6:2001:db8::1", "[2001:db8::1]", "local", "[(unknown)]", "<unknown>"], "ip") == [
        "192.0.2.1", "2001:db8::1", "2001:db8::1", None, None, None]


def test_list_converters():
    assert conv([" spews1 uatraps ... nixspam . ... ..", ""], "words") == [["spews1", "uatraps", "nixspam"], []]
    assert conv(["a,b", "x"], "list_comma") == [["a", "b"], ["x"]]
    raw = ["<a@example.org> ORCPT=rfc822;a@example.org,x,<b@example.org>", "(unknown)"]
    assert conv(raw, "rcpt_list") == [["a@example.org", "b@example.org"], None]
    assert conv(raw, "rcpt_params") == [["ORCPT=rfc822;a@example.org,x", ""], None]


def test_epoch():
    assert conv(["1732442412", "x"], "epoch") == [dt.datetime(2024, 11, 24, 10, 0, 12, tzinfo=UTC), None]


def test_wrapped_regex_tells_a_match_from_empty_optional_groups():
    wrapped = wrap_regex(r"^a(?P<x>b)?$")
    got = pl.Series(["a", "c"]).str.extract_groups(wrapped).struct.field("mxlog_matched").to_list()
    assert got == ["a", None]


def test_repeated_line_becomes_n_rows_with_rep():
    line = "Nov 24 10:00:01 mx1 smtpd[1]: 0123456789abcdef smtp disconnected reason=quit"
    r = parse_lines([line, "Nov 24 10:00:31 mx1 last message repeated 3 times"])
    ev = r.tables["smtpd_events"]
    assert ev.select("line_no", "rep", "event").rows() == [(1, 0, "disconnected"), (2, 1, "disconnected"),
                                                          (2, 2, "disconnected"), (2, 3, "disconnected")]
    assert r.lines == 2 and r.lines_unparsed == 0 and r.rows == 4


DUMP = Parser(
    name="dump", table="dump_events", description="test", programs=(), version="1", kind="dump",
    router=r"^([A-Z]+)\|",
    fields=(Field("entry", "entry type"), Field("ip", "address", "ip"), Field("first", "first seen", "epoch")),
    patterns=(Pattern("white", ("WHITE",), r"^(?P<entry>WHITE)\|(?P<ip>[^|]*)\|\|\|(?P<first>\d+)\|.*$", "WHITE|%s|||%lld|...", (
        Sample("WHITE|203.0.113.40|||1732442412|1732442412|1735553212|1|3", {"entry": "WHITE", "ip": "203.0.113.40"}),)),),
)


def test_headerless_kind_uses_snapshot_time_and_host():
    snap = 1_732_442_412_000_000
    r = parse_lines(["WHITE|203.0.113.40|||1732442412|1732442412|1735553212|1|3", "junk"],
                    kind="dump", snapshot_us=snap, host="mx1", parsers=[DUMP])
    row = r.tables["dump_events"].row(0, named=True)
    assert (row["host"], row["ts"], row["first"]) == ("mx1", dt.datetime(2024, 11, 24, 10, 0, 12, tzinfo=UTC),
                                                     dt.datetime(2024, 11, 24, 10, 0, 12, tzinfo=UTC))
    assert r.unparsed.select("line_no", "reason").rows() == [(2, "no-pattern-matched")]


def test_selfcheck_passes_on_the_registry_and_fails_on_a_bad_sample(capsys):
    assert selfcheck_main(["parsers.smtpd:PARSER"]) == 0
    bad = Parser(
        name="bad", table="bad_events", description="", programs=("bad",), version="1", router=r"^(\w+)",
        fields=(Field("word", "w"),),
        patterns=(Pattern("w", ("hello",), r"^(?P<word>hello)$", "hello",
                          (Sample("Nov 24 10:00:01 mx1 bad[1]: hello", {"word": "goodbye"}),)),),
    )
    from mxlog.selfcheck import check_parser

    assert check_parser(bad) == ["bad.w: 'Nov 24 10:00:01 mx1 bad[1]: hello': word = 'hello', expected 'goodbye'"]


@pytest.mark.parametrize("regex, why", [(r"^(?=a)$", "look-ahead"), (r"^(a)\1$", "back-reference")])
def test_dialect_check(regex, why):
    from mxlog.engine import check_pattern_dialect

    assert why in check_pattern_dialect(regex)
