"""Why the engine is built the way it is: candidate ways of turning maillog lines into typed
columns, timed on the same lines in the same run.

    python bench/approaches.py [--lines 1000000] [--write]

Each approach extracts the same thing: every `smtp envelope` line's session, evpid, sender
and recipient into typed columns (one pattern, as the design notes measured), over all lines
of the input, so the cost of finding the rows is included. `mxlog engine` is the whole ingest
parser instead: framing, routing and every declared smtpd pattern, typed — more work, not less.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import write_section  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ENVELOPE = (
    r"^(?P<stamp>\w{3} [ \d]\d \d\d:\d\d:\d\d) (?P<host>\S+) smtpd\[\d+\]: (?P<session>[0-9a-f]{16}) smtp envelope "
    r"evpid=(?P<evpid>[0-9a-f]{16}) from=<(?P<mail_from>[^ <>]*)> to=<(?P<rcpt_to>[^ <>]*)>$"
)
BEGIN, END = "<!-- bench:approaches:begin -->", "<!-- bench:approaches:end -->"


def python_loop(data: bytes):
    import pyarrow as pa

    rx = re.compile(ENVELOPE)
    cols = {k: [] for k in rx.groupindex}
    for line in data.decode().splitlines():
        m = rx.match(line)
        if m:
            for k, v in m.groupdict().items():
                cols[k].append(v)
    return pa.table(cols).num_rows


def duckdb_regexp(path: Path):
    import duckdb

    con = duckdb.connect()
    names = list(re.compile(ENVELOPE).groupindex)
    pattern = ENVELOPE.replace("'", "''")
    n = con.execute(
        f"""SELECT count(*) FROM (
              SELECT regexp_extract(line, '{pattern}', {names!r}) AS f
              FROM read_csv('{path}', columns = {{'line': 'VARCHAR'}}, header = false, delim = '\\x01',
                            quote = '', escape = '', auto_detect = false)
            ) WHERE f.session <> ''"""
    ).fetchone()[0]
    return n


def pyarrow_re2(data: bytes):
    import pyarrow as pa
    import pyarrow.compute as pc

    lines = pa.array(data.decode().splitlines())
    got = pc.extract_regex(lines, ENVELOPE)
    return len(got) - got.null_count


def polars_extract(data: bytes):
    import polars as pl

    lines = pl.Series(data.decode().splitlines())
    got = lines.str.extract_groups(ENVELOPE)
    return got.struct.field("session").drop_nulls().len()


from mxlog.engine import MATCH_GROUP, wrap_regex  # noqa: E402


def _smtpd_rows(data: bytes):
    import polars as pl

    from parsers.syslog import FrameState, frame, sanitize

    framed = frame(sanitize(data)[0], FrameState(year=2026))
    return framed.filter(pl.col("program") == "smtpd").select("line_no", "msg")


def routed_patterns_polars(data: bytes):
    """Framing, then the smtpd router and every pattern over its route's rows (no typing)."""
    import polars as pl

    from parsers.smtpd import PARSER

    rows = _smtpd_rows(data).with_columns(pl.col("msg").str.extract(PARSER.router, 1).alias("route"))
    n = 0
    for p in PARSER.patterns:
        sub = rows.filter(pl.col("route").is_in(list(p.routes)))["msg"]
        n += sub.str.extract_groups(wrap_regex(p.regex)).struct.field(MATCH_GROUP).drop_nulls().len()
    return n


def routed_patterns_duckdb(data: bytes):
    """The same work in DuckDB SQL (RE2, both cores): the lead for the performance issue."""
    import duckdb

    from parsers.smtpd import PARSER

    con = duckdb.connect()
    con.register("m", _smtpd_rows(data).to_arrow())
    router = PARSER.router.replace("'", "''")
    con.execute(f"CREATE TEMP TABLE r AS SELECT line_no, msg, regexp_extract(msg, '{router}', 1) AS route FROM m")
    n = 0
    for p in PARSER.patterns:
        names = [MATCH_GROUP] + p.groups()  # measurement only: counts rows whose wrapper group matched
        routes = ", ".join("'" + r.replace("'", "''") + "'" for r in p.routes)
        rx = wrap_regex(p.regex).replace("'", "''")
        n += con.execute(
            f"SELECT count(*) FROM (SELECT regexp_extract(msg, '{rx}', {names!r}) AS f FROM r "
            f"WHERE route IN ({routes})) WHERE f.{MATCH_GROUP} <> ''"
        ).fetchone()[0]
    return n


def mxlog_engine(data: bytes):
    from mxlog.engine import Engine
    from parsers.syslog import FrameState

    r = Engine().parse_chunk(data, FrameState(year=2026))
    return r.rows


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", default=str(ROOT / "bench" / "data" / "maillog-1024m.log"))
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--write", action="store_true")
    a = ap.parse_args(argv)
    src = Path(a.input)
    if not src.exists():
        raise SystemExit(f"{src}: missing; run `make bench` (or bench/gen_maillog.py) first")
    with open(src, "rb") as f:
        data = b"".join(line for _, line in zip(range(a.lines), f))
    sample = ROOT / "bench" / "data" / "approaches-sample.log"
    sample.write_bytes(data)
    n = data.count(b"\n")
    rows = []
    for name, fn in [
        ("Python `re` loop, lists -> Arrow", lambda: python_loop(data)),
        ("DuckDB `regexp_extract` over `read_csv` lines (all threads)", lambda: duckdb_regexp(sample)),
        ("pyarrow `extract_regex` (RE2)", lambda: pyarrow_re2(data)),
        ("polars `str.extract_groups` (Rust regex)", lambda: polars_extract(data)),
        ("framing + smtpd router + every pattern on its route, polars", lambda: routed_patterns_polars(data)),
        ("framing + smtpd router + every pattern on its route, DuckDB SQL", lambda: routed_patterns_duckdb(data)),
        ("mxlog engine: frame + route + every smtpd pattern, typed", lambda: mxlog_engine(data)),
    ]:
        times = []
        for _ in range(a.runs):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        rows.append((name, statistics.median(times)))
    sample.unlink()
    base = rows[0][1]
    out = [
        BEGIN,
        f"{n:,} lines of the benchmark maillog, median of {a.runs} runs, same process:",
        "",
        "| approach | s | lines/s | vs Python loop |",
        "|---|---:|---:|---:|",
    ]
    out += [f"| {name} | {t:.2f} | {n / t:,.0f} | {base / t:.1f} × |" for name, t in rows]
    out += ["", f"Command: `python bench/approaches.py --lines {a.lines} --runs {a.runs} --write`.", END]
    text = "\n".join(out)
    print(text)
    if a.write:
        write_section(BEGIN, END, text)


if __name__ == "__main__":
    main()
