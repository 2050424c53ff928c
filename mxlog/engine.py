"""The parsing engine: framed lines -> typed event rows per table, and `unparsed` rows.

Everything here is vectorized over a chunk (polars expressions, Rust regexes): the lines of a
chunk are routed by program, then by each parser's route key, and every pattern's regex runs
only over the rows whose key it declares (DESIGN.md, performance stance).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import polars as pl

from mxlog.convert import POLARS_TYPES, convert
from parsers import REGISTRY
from parsers.base import COMMON_COLUMNS, Parser
from parsers.syslog import NO_HEADER, OK, REPEAT, FrameState, frame, frame_plain, sanitize

MATCH_GROUP = "mxlog_matched"
ROW = "_mxlog_row"  # a row's index in the rows a parser was given

# reasons a line lands in `unparsed`
NO_SYSLOG_HEADER = "no-syslog-header"
OTHER_PROGRAM = "other-program"
NO_PATTERN = "no-pattern-matched"
REPEAT_WITHOUT_PREVIOUS = "repeat-without-previous"
REASONS = {
    NO_SYSLOG_HEADER: "the line does not start with a syslog timestamp, host and ident",
    OTHER_PROGRAM: "a program no mxlog parser reads (cron, sshd, ...): kept, reported apart",
    NO_PATTERN: "a program mxlog reads, but no pattern of its parser matched: a real miss",
    REPEAT_WITHOUT_PREVIOUS: "`last message repeated N times` with no earlier line of that host",
}

UNPARSED_SCHEMA = {
    "line_no": pl.Int64,
    "rep": pl.Int32,
    "ts": pl.Datetime("us", "UTC"),
    "host": pl.String,
    "program": pl.String,
    "raw": pl.String,
    "raw_bytes": pl.Binary,
    "reason": pl.String,
}


def wrap_regex(regex: str) -> str:
    """`^...$` -> `^(?P<mxlog_matched>...)$`, so a match is told apart from a match whose
    optional groups are all empty."""
    return f"^(?P<{MATCH_GROUP}>(?:{regex[1:-1]}))$"


@dataclass
class CompiledParser:
    parser: Parser

    @cached_property
    def patterns_by_route(self) -> dict[str, list]:
        by_route: dict[str, list] = {}
        for p in self.parser.patterns:
            for r in p.routes:
                by_route.setdefault(r, []).append(p)
        return by_route

    @cached_property
    def columns(self) -> dict[str, pl.DataType]:
        cols = {k: _common_type(t) for k, (t, _) in COMMON_COLUMNS.items()}
        for f in self.parser.fields:
            cols[f.name] = POLARS_TYPES[f.sql_type]
        return cols

    def parse(self, rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """rows: line_no, rep, ts, host, pid, msg (+ anything). Returns (events, misses)."""
        parser = self.parser
        # carry only what an event row needs (and the row's index, to fetch the few misses'
        # other columns): every partition, filter and the final sort then move these columns,
        # not the raw line and the framing columns
        full = rows
        rows = rows.select(
            pl.int_range(pl.len(), dtype=pl.UInt32).alias(ROW), "line_no", "rep", "ts", "host", "pid", "msg",
            pl.col("msg").str.extract(parser.router, 1).alias("_route"),
        )
        parts = rows.partition_by("_route", as_dict=True, include_key=True)
        out, misses = [], []
        for (route,), part in parts.items():
            patterns = self.patterns_by_route.get(route, []) if route is not None else []
            for p in patterns:
                if part.is_empty():
                    break
                got = part["msg"].str.extract_groups(wrap_regex(p.regex))
                hit = got.struct.field(MATCH_GROUP).is_not_null()
                if not hit.any():
                    continue
                fields = got.filter(hit).struct.unnest().drop(MATCH_GROUP)
                fields = fields.rename({c: "f_" + c for c in fields.columns})
                matched = pl.concat([part.filter(hit), fields], how="horizontal")
                out.append(self._typed(matched, p))
                part = part.filter(~hit)
            if not part.is_empty():
                misses.append(part[ROW])
        events = pl.concat(out, how="vertical").sort("line_no", "rep") if out else self.empty()
        miss = full[pl.concat(misses).sort()] if misses else full.clear()
        return events, miss

    def _typed(self, matched: pl.DataFrame, pattern) -> pl.DataFrame:
        exprs = []
        for name, dtype in self.columns.items():
            if name == "pattern":
                exprs.append(pl.lit(pattern.name, pl.String).alias(name))
            elif name == "file_id":
                exprs.append(pl.lit(None, dtype).alias(name))
            elif name in COMMON_COLUMNS:
                exprs.append(pl.col(name).cast(dtype))
            elif name in pattern.set:
                exprs.append(pl.lit(pattern.set[name]).cast(dtype).alias(name))
            elif "f_" + name in matched.columns:
                exprs.append(convert(pl.col("f_" + name), self.parser.field(name).convert).cast(dtype).alias(name))
            else:
                exprs.append(pl.lit(None, dtype).alias(name))
        typed = matched.select(exprs)
        for d in self.parser.derived:
            typed = typed.with_columns(pl.col(d.source).str.extract(d.regex, 1).alias(d.name))
        return typed

    def empty(self) -> pl.DataFrame:
        return pl.DataFrame(schema=self.columns)


def _common_type(sql: str) -> pl.DataType:
    if sql == "TIMESTAMPTZ":
        return pl.Datetime("us", "UTC")
    return POLARS_TYPES[sql]


class Engine:
    """Parses chunks of one file. Holds the compiled parsers and routes lines to them."""

    def __init__(self, parsers: list[Parser] | None = None):
        self.parsers = [CompiledParser(p) for p in (parsers if parsers is not None else REGISTRY)]
        self.by_program = {
            prog: cp for cp in self.parsers if cp.parser.kind == "syslog" for prog in cp.parser.programs
        }
        self.by_kind = {cp.parser.kind: cp for cp in self.parsers if cp.parser.kind != "syslog"}

    @property
    def versions(self) -> dict[str, str]:
        return {cp.parser.name: cp.parser.version for cp in self.parsers}

    def parse_chunk(self, chunk: bytes, state: FrameState, kind: str = "syslog") -> "ChunkResult":
        """Parse whole lines of a file of `kind` (syslog, or a headerless kind like spamdb)."""
        return self.finish(self.prepare(chunk, state, kind))

    def prepare(self, chunk: bytes, state: FrameState, kind: str = "syslog") -> "Prepared":
        """The stateful half, run in file order: frame the lines (year, line numbers), resolve
        `last message repeated` against the previous line of each host, route by program."""
        chunk, bad_utf8 = sanitize(chunk)
        first_line = state.line_no + 1
        if kind == "syslog":
            framed = frame(chunk, state).with_columns(pl.col("ts").cast(pl.Datetime("us", "UTC")))
            unparsed = [framed.filter(pl.col("status") == NO_HEADER).with_columns(reason=pl.lit(NO_SYSLOG_HEADER))]
            rows = _resolve_repeats(framed.filter(pl.col("status") != NO_HEADER), state)
            orphan = rows.filter(pl.col("program").is_null())
            if not orphan.is_empty():
                unparsed.append(orphan.with_columns(reason=pl.lit(REPEAT_WITHOUT_PREVIOUS)))
                rows = rows.filter(pl.col("program").is_not_null())
            others = rows.filter(~pl.col("program").is_in(list(self.by_program)))
            if not others.is_empty():
                unparsed.append(others.with_columns(reason=pl.lit(OTHER_PROGRAM)))
            jobs = []
            for cp in self.parsers:
                if cp.parser.kind != "syslog":
                    continue
                mine = rows.filter(pl.col("program").is_in(list(cp.parser.programs)))
                if not mine.is_empty():
                    jobs.append((cp, mine))
        else:
            cp = self.by_kind[kind]
            framed = frame_plain(chunk, state, cp.parser.kind).with_columns(pl.col("ts").cast(pl.Datetime("us", "UTC")))
            unparsed = [framed.filter(pl.col("status") == NO_HEADER).with_columns(reason=pl.lit(NO_PATTERN))]
            jobs = [(cp, framed.filter(pl.col("status") != NO_HEADER).with_columns(rep=pl.lit(0, pl.Int32)))]
        ts = framed["ts"]
        return Prepared(jobs, unparsed, bad_utf8, first_line, framed.height, ts.min(), ts.max())

    @staticmethod
    def finish(prepared: "Prepared") -> "ChunkResult":
        """The stateless half (the regexes), safe to run for several chunks at once."""
        tables: dict[str, pl.DataFrame] = {}
        unparsed = list(prepared.unparsed)
        for cp, rows in prepared.jobs:
            events, misses = cp.parse(rows)
            if not events.is_empty():
                tables[cp.parser.table] = events
            if not misses.is_empty():
                unparsed.append(misses.with_columns(reason=pl.lit(NO_PATTERN)))
        return ChunkResult(
            tables, _unparsed_rows(unparsed, prepared.bad_utf8, prepared.first_line), prepared.lines,
            prepared.first_ts, prepared.last_ts,
        )


@dataclass
class Prepared:
    jobs: list  # (CompiledParser, rows)
    unparsed: list
    bad_utf8: dict
    first_line: int
    lines: int
    first_ts: object
    last_ts: object


def _resolve_repeats(rows: pl.DataFrame, state: FrameState) -> pl.DataFrame:
    """A `last message repeated N times` line becomes N rows (rep = 1..N) carrying the
    program, pid and message of the previous line of the same host; other rows get rep = 0.
    The last line per host is kept in `state` for the next chunk (and the next run)."""
    rows = rows.with_row_index("_i")
    is_rep = pl.col("status") == REPEAT
    rows = rows.with_columns(
        pl.when(is_rep).then(None).otherwise(pl.col("_i")).forward_fill().over("host").alias("_src")
    )
    has_rep = (rows["status"] == REPEAT).any()
    if has_rep:
        src = rows.select(pl.col("_i").alias("_src"), "program", "pid", "msg").rename(
            {"program": "_sp", "pid": "_spid", "msg": "_smsg"}
        )
        rows = rows.join(src, on="_src", how="left", maintain_order="left")
        carried = pl.DataFrame(
            {
                "host": list(state.last_by_host),
                "_cp": [v[0] for v in state.last_by_host.values()],
                "_cpid": [v[1] for v in state.last_by_host.values()],
                "_cmsg": [v[2] for v in state.last_by_host.values()],
            },
            schema={"host": pl.String, "_cp": pl.String, "_cpid": pl.Int32, "_cmsg": pl.String},
        )
        rows = rows.join(carried, on="host", how="left", maintain_order="left")
        rows = rows.with_columns(
            program=pl.when(is_rep).then(pl.coalesce("_sp", "_cp")).otherwise(pl.col("program")),
            pid=pl.when(is_rep).then(pl.when(pl.col("_sp").is_not_null()).then("_spid").otherwise("_cpid")).otherwise(pl.col("pid")),
            msg=pl.when(is_rep).then(pl.coalesce("_smsg", "_cmsg")).otherwise(pl.col("msg")),
        ).drop("_sp", "_spid", "_smsg", "_cp", "_cpid", "_cmsg")
    # remember the last original line of each host
    last = rows.filter(pl.col("status") == OK).group_by("host", maintain_order=True).last()
    for host, program, pid, msg in last.select("host", "program", "pid", "msg").iter_rows():
        state.last_by_host[host] = [program, pid, msg]
    rows = rows.drop("_i", "_src")
    if not has_rep:
        return rows.with_columns(rep=pl.lit(0, pl.Int32))
    rows = rows.with_columns(
        rep=pl.when(is_rep).then(pl.int_ranges(1, pl.col("rep_n") + 1, dtype=pl.Int32)).otherwise(pl.concat_list(pl.lit(0, pl.Int32)))
    ).explode("rep")
    return rows


def _unparsed_rows(parts: list[pl.DataFrame], bad_utf8: dict, first_line: int) -> pl.DataFrame:
    parts = [p for p in parts if not p.is_empty()]
    if not parts:
        return pl.DataFrame(schema=UNPARSED_SCHEMA)
    cols = []
    for p in parts:
        if "rep" not in p.columns:
            p = p.with_columns(rep=pl.lit(0, pl.Int32))
        # a repeat line that lands here stands for N copies of one line: keep it once
        p = p.filter(pl.col("rep") <= 1)
        cols.append(
            p.select(
                "line_no",
                pl.col("rep").cast(pl.Int32),
                "ts",
                pl.col("host").cast(pl.String),
                pl.when(pl.col("program") == "").then(None).otherwise(pl.col("program")).alias("program"),
                pl.col("raw").str.slice(0, pl.col("raw_len")).alias("raw"),
                pl.lit(None, pl.Binary).alias("raw_bytes"),
                pl.col("reason").cast(pl.String),
            )
        )
    out = pl.concat(cols, how="vertical").sort("line_no")
    if bad_utf8:
        fix = pl.DataFrame(
            {"line_no": [first_line + i for i in bad_utf8], "_b": [b.rstrip(b"\r") for b in bad_utf8.values()]},
            schema={"line_no": pl.Int64, "_b": pl.Binary},
        )
        out = out.join(fix, on="line_no", how="left", maintain_order="left").with_columns(
            raw_bytes=pl.col("_b")
        ).drop("_b")
    return out


@dataclass
class ChunkResult:
    tables: dict[str, pl.DataFrame]
    unparsed: pl.DataFrame
    lines: int
    first_ts: object  # datetime or None
    last_ts: object

    @property
    def rows(self) -> int:
        return sum(t.height for t in self.tables.values())

    @property
    def lines_unparsed(self) -> int:
        return self.unparsed.height

    @property
    def lines_parsed(self) -> int:
        return self.lines - self.lines_unparsed


def parse_lines(
    lines: list[str], *, host: str = "", year: int = 2026, tz: str = "UTC", kind: str = "syslog",
    snapshot_us: int | None = None, parsers: list[Parser] | None = None,
) -> ChunkResult:
    """Parse a few lines (tests, `mxlog check`, notebooks): the same engine as ingest."""
    state = FrameState(year=year, default_host=host, tz=tz, snapshot_us=snapshot_us)
    return Engine(parsers).parse_chunk(("\n".join(lines) + "\n").encode(), state, kind)


def check_pattern_dialect(regex: str) -> list[str]:
    """Constructs outside the dialect common to Rust regex, RE2 and Java."""
    problems = []
    for bad, why in [
        (r"\(\?[=!]", "look-ahead"),
        (r"\(\?<[=!]", "look-behind"),
        (r"\\[1-9]", "back-reference"),
        (r"[*+?}]\+", "possessive quantifier"),
        (r"\(\?>", "atomic group"),
        (r"\\Z|\\z", "\\Z anchor"),
    ]:
        if re.search(bad, regex):
            problems.append(why)
    return problems
