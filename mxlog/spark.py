"""`mxlog spark-ingest`: the same pattern declarations (parsers/) run by Apache Spark over raw
syslog files, written as the lake layout of `mxlog export` (DESIGN.md, "Scale beyond one
machine"). Needs the optional extra: `pip install 'mxlog[spark]'` (pyspark, and a JRE 17).

What is translated mechanically from the declarations, so that a pattern added in `parsers/`
runs here without further edits:

- regexes: `(?P<name>` -> `(?<javaname>` (Java group names are alphanumeric: `java_group_names`
  maps them), `[` and `&` escaped inside character classes (Java reads `[a[b]]` as a union and
  `&&` as an intersection), `(?sU)` in front so that `.`, `\\d`, `\\s`, `\\w` mean what they mean
  in the Rust regex engine of `mxlog ingest`, and the closing `$` made `\\z`;
- which pattern takes a line: the parser's router key, then the first pattern in declaration
  order that lists the key and matches (as the engine does);
- captured values: one regex evaluation per row (`regexp_replace` of the whole message by all
  groups joined with a separator, then split). A group that did not take part in the match is
  NULL, as in polars: groups that cannot match empty are NULL when empty; groups that can, and
  are optional, carry a zero-width marker group that says whether they took part;
- typed conversion: every converter of parsers.base.CONVERTERS in Spark SQL (`SPARK_CONVERT`);
  `set` constants and `Derived` fields as well.

Framing (parsers/syslog.py) supported here: BSD `Mmm dd HH:MM:SS host ident[pid]: msg` with
the year from `--year` or the file's mtime (a file that starts in a later month than a line is
read as having crossed a new year, which equals the engine's Dec->Jan rule for files spanning
under six months), the zone from `--tz`; hostless `Mmm dd HH:MM:SS ident: msg` and Dovecot's
`name(...)` log_path prefix; `last message repeated N times` (both spellings); ISO/RFC 3339
stamps (`Z` or an offset, with a fraction), `YYYY-MM-DD HH:MM:SS` (wall clock in `--tz`) and
TAI64N labels. Lines are split at `\\n`, `\\r` and `\\r\\n` (Hadoop's reader; the engine
splits at `\\n` only); bytes that are not UTF-8 are kept as they are, without `raw_bytes`.
spamdb dumps and pflog captures are not read: they are small, `mxlog ingest` + `mxlog export`
handles them. Provenance is `file` (the path or URI), `line_no` and `file_id` (a hash of the
path, FILE_ID), with a `files` table in the lake.

`lake_views` registers the report's metric views over a lake in Spark SQL (hand copies of the
DuckDB views, checked by tests/test_spark.py; see "metric views over a lake" below).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from re import _parser as sre

from mxlog.errors import MxlogError
from parsers import REGISTRY
from parsers.base import COMMON_COLUMNS, Parser, Pattern
from parsers.syslog import MONTHS, infer_year

SEP = "\u0001\u0002\u0001"  # joins captured groups; a message that contains it is extracted group by group
NO_SYSLOG_HEADER = "no-syslog-header"
OTHER_PROGRAM = "other-program"
NO_PATTERN = "no-pattern-matched"
REPEAT_WITHOUT_PREVIOUS = "repeat-without-previous"
# a file's id in the lake (`file_id` of every row, `files.file_id`): the first 64 bits of a hash
# of its path or URI, so that runs writing to the same lake give a path the same id and two
# paths different ones (DuckDB numbers the files of one database instead; a lake has no sequence)
FILE_ID = "xxhash64(file)"
REPEAT_BUCKET = 8192  # lines per bucket when looking for the line a repeat stands for

SPARK_TYPES = {
    "VARCHAR": "string",
    "VARCHAR[]": "array<string>",
    "TIMESTAMPTZ": "timestamp",
    "BIGINT": "bigint",
    "INTEGER": "int",
    "DOUBLE": "double",
    "BOOLEAN": "boolean",
}


# ------------------------------------------------------------------ regex translation


def java_group_names(regex: str) -> dict[str, str]:
    """Python group name -> a Java-legal one (letters and digits only, unique)."""
    names, used = {}, set()
    for name in re.compile(regex).groupindex:
        base = re.sub(r"[^A-Za-z0-9]", "", name) or "g"
        if not base[0].isalpha():
            base = "g" + base
        cand, i = base, 1
        while cand in used:
            i += 1
            cand = f"{base}{i}"
        used.add(cand)
        names[name] = cand
    return names


def to_java(regex: str) -> str:
    """A declared (Python-syntax, common-dialect) regex in Java's syntax."""
    names = java_group_names(regex)
    out, i, in_class, class_start, n = [], 0, False, False, len(regex)
    while i < n:
        c = regex[i]
        if c == "\\":
            out.append(regex[i:i + 2])
            i += 2
            class_start = False
            continue
        if in_class:
            if c == "]" and not class_start:
                in_class = False
                out.append(c)
            elif c in "[&":
                out.append("\\" + c)
            else:
                out.append(c)
            class_start = False
            i += 1
            continue
        if c == "[":
            in_class, class_start = True, True
            out.append(c)
            i += 1
            if i < n and regex[i] == "^":
                out.append("^")
                i += 1
            continue
        m = re.match(r"\(\?P<(\w+)>", regex[i:])
        if m:
            out.append(f"(?<{names[m.group(1)]}>")
            i += m.end()
            continue
        out.append(c)
        i += 1
    return "".join(out)


def whole_match(regex: str) -> str:
    """`^...$` as a Java regex that must match the whole message, with Rust-like classes."""
    return f"(?sU)^(?:{to_java(regex[1:-1])})\\z"


@dataclass
class GroupPlan:
    name: str
    index: int  # group number in the marked regex (Python and Java number alike)
    can_be_empty: bool
    optional: bool
    marker: tuple[int, int] | None = None  # groups that capture a character iff the group took part


def _group_shapes(regex: str) -> dict[int, tuple[bool, bool]]:
    """group number -> (optional: may not take part in a match, can_be_empty)."""
    shapes = {}

    def walk(sub, optional):
        for op, av in sub:
            if op is sre.SUBPATTERN:
                gid, _, _, body = av
                if gid is not None:
                    shapes[gid] = (optional, body.getwidth()[0] == 0)
                walk(body, optional)
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
                walk(av[2], optional or av[0] == 0)
            elif op is sre.BRANCH:
                for b in av[1]:
                    walk(b, optional or len(av[1]) > 1)
            elif op in (sre.ASSERT, sre.ASSERT_NOT):
                walk(av[1], True)

    walk(sre.parse(regex), False)
    return shapes


def mark_participation(regex: str) -> tuple[str, list[GroupPlan]]:
    """Put a zero-width marker at the start of every optional group that can match empty:
    `(?:(?<=(?P<x__a>[\\s\\S]))|(?=(?P<x__b>[\\s\\S])))` captures the character before or after
    the group's start, so the group took part iff a marker is not empty (Spark's regex
    functions give '' for a group that did not take part, polars gives NULL)."""
    compiled = re.compile(regex)
    shapes = _group_shapes(regex)
    ambiguous = {name for name, gid in compiled.groupindex.items() if all(shapes[gid])}
    marked = regex
    for name in ambiguous:
        marker = f"(?:(?<=(?P<{name}__a>[\\s\\S]))|(?=(?P<{name}__b>[\\s\\S])))"
        marked = marked.replace(f"(?P<{name}>", f"(?P<{name}>{marker}", 1)
    index = re.compile(marked).groupindex
    plans = []
    for name, gid in compiled.groupindex.items():
        optional, empty = shapes[gid]
        marker = (index[name + "__a"], index[name + "__b"]) if name in ambiguous else None
        plans.append(GroupPlan(name, index[name], empty, optional, marker))
    return marked, plans


# ------------------------------------------------------------------ typed conversion


def _group_order(plans: list[GroupPlan]) -> list[int]:
    return sorted({g.index for g in plans} | {i for g in plans if g.marker for i in g.marker})


def _lit(s: str) -> str:
    """A Spark SQL string literal."""
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def spark_convert(x: str, converter: str) -> str:
    """SQL turning text expression `x` into the converter's type (mxlog/convert.py's rules).
    `try_cast` of text that is not a number builds (and drops) an exception with its message
    (microseconds per row): an empty string, the common case, is made NULL before it."""
    if converter == "text":
        return x
    if converter == "int":
        return f"CASE WHEN {x} RLIKE '^-?[0-9]+$' THEN try_cast({x} AS BIGINT) END"
    if converter == "float":
        return f"try_cast(nullif({x}, '') AS DOUBLE)"
    if converter == "duration":
        g = "regexp_extract({x}, '^(-)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?$', {i})"
        part = [f"coalesce(try_cast(nullif({g.format(x=x, i=i)}, '') AS BIGINT), 0)" for i in range(2, 6)]
        total = f"({part[0]} * 86400 + {part[1]} * 3600 + {part[2]} * 60 + {part[3]})"
        return (f"CASE WHEN {x} RLIKE '^-?(?:[0-9]+[dhms])+$' THEN "
                f"CASE WHEN {x} LIKE '-%' THEN -{total} ELSE {total} END END")
    if converter == "ip":
        bare = f"regexp_replace(regexp_replace(regexp_replace({x}, '^\\\\[', ''), '\\\\]$', ''), '^IPv6:', '')"
        return f"CASE WHEN {x} IN ('local', '', '[(unknown)]', '<unknown>') THEN NULL ELSE {bare} END"
    if converter in ("lower", "hexid"):
        return f"lower({x})"
    if converter == "words":
        words = f"split(regexp_replace({x}, '^\\\\s+|\\\\s+$', ''), ' ')"
        return f"filter({words}, w -> NOT w RLIKE '^\\\\.*$')"
    if converter == "list_comma":
        return f"split({x}, ',')"
    if converter in ("rcpt_list", "rcpt_params"):
        args = f"split({x}, ',(?=<)')"
        if converter == "rcpt_list":
            items = f"transform({args}, a -> regexp_extract(a, '^<?([^ <>]*)>?', 1))"
        else:
            items = f"transform({args}, a -> regexp_extract(a, '^\\\\S+ (.*)$', 1))"
        return f"CASE WHEN {x} = '(unknown)' THEN NULL ELSE {items} END"
    if converter == "epoch":
        return f"timestamp_seconds(CASE WHEN {x} RLIKE '^-?[0-9]+$' THEN try_cast({x} AS BIGINT) END)"
    raise ValueError(f"unknown converter {converter!r}")


# ------------------------------------------------------------------ per-parser SQL


@dataclass
class PatternPlan:
    pattern: Pattern
    match_rx: str  # java regex matching the whole message
    marked_rx: str  # the same with participation markers (see mark_participation)
    groups: list[GroupPlan]


@dataclass
class ParserPlan:
    """The SQL of one parser, split by route key and pattern so that every expression stays
    small: Spark compiles each to Java (whole-stage code generation), which a CASE over all the
    patterns of a parser (smtpd: 125 patterns, 40 fields) defeats (Java's 64 KB method limit)."""

    parser: Parser
    patterns: list[PatternPlan]

    @classmethod
    def of(cls, parser: Parser) -> "ParserPlan":
        pats = []
        for p in parser.patterns:
            marked, plans = mark_participation(p.regex)
            pats.append(PatternPlan(p, whole_match(p.regex), whole_match(marked), plans))
        return cls(parser, pats)

    def route_sql(self) -> str:
        """The route key: NULL when the router does not match, '' when its group is empty (as
        polars' `str.extract` gives the engine)."""
        rx = _lit("(?sU)" + to_java(self.parser.router))
        return f"CASE WHEN msg RLIKE {rx} THEN regexp_extract(msg, {rx}, 1) END"

    def by_route(self) -> dict[str, list[PatternPlan]]:
        out: dict[str, list[PatternPlan]] = {}
        for pp in self.patterns:
            for r in pp.pattern.routes:
                out.setdefault(r, []).append(pp)
        return out

    def pattern_sql(self) -> str:
        """The number (1-based, declaration order: `pattern_name_sql`) of the first pattern
        that lists the line's route key and matches: only the patterns of that key are tried."""
        number = {id(pp): k for k, pp in enumerate(self.patterns, 1)}
        whens = []
        for route, pats in self.by_route().items():
            tries = " ".join(f"WHEN msg RLIKE {_lit(pp.match_rx)} THEN {number[id(pp)]}" for pp in pats)
            whens.append(f"WHEN {_lit(route)} THEN CASE {tries} END")
        return f"CASE route {' '.join(whens)} END"

    def pattern_name_sql(self) -> str:
        return f"try_element_at({self._by_number({pp.pattern.name: _lit(pp.pattern.name) for pp in self.patterns})}, pattern_no)"

    def _by_number(self, values: dict) -> str:
        """An array literal indexed by pattern number, from pattern name -> value (NULL for the
        patterns not in `values`): `try_element_at(array, pattern_no)` is one lookup per row (a
        map literal by pattern name was a scan of its keys for every field of every row)."""
        return "array(" + ", ".join(str(values.get(pp.pattern.name, "NULL")) for pp in self.patterns) + ")"

    def parts_sql(self) -> str:
        """One regex evaluation per row: every group of the row's pattern (and its markers),
        joined by SEP by `regexp_replace` of the whole message, split into an array. The regex
        and the replacement are looked up by pattern number (rows come sorted by pattern, and
        Spark recompiles a regex only when it changes). A message that contains SEP has its
        groups extracted one by one."""
        rx = self._by_number({pp.pattern.name: _lit(pp.marked_rx) for pp in self.patterns})
        joined = self._by_number({pp.pattern.name: _lit(SEP.join(f"${gi}" for gi in _group_order(pp.groups)))
                                  for pp in self.patterns})
        order = self._by_number({pp.pattern.name: f"array({', '.join(map(str, _group_order(pp.groups)) or ['0'])})"
                                 for pp in self.patterns})
        return (f"CASE WHEN has_sep THEN transform(try_element_at({order}, pattern_no), "
                f"i -> regexp_extract(msg, try_element_at({rx}, pattern_no), i)) "
                f"ELSE split(regexp_replace(msg, try_element_at({rx}, pattern_no), try_element_at({joined}, pattern_no)), "
                f"{_lit(SEP)}) END")

    def fields_sql(self) -> list[str]:
        """The typed columns of the table, in its order, over `pattern_no` and `parts`: per field,
        where its group sits in `parts` for each pattern (arrays by pattern number), how to tell
        whether it took part, its converter, and the patterns' `set` constants."""
        out = []
        for f in self.parser.fields:
            pos, marker_a, marker_b, optional, const = {}, {}, {}, {}, {}
            for pp in self.patterns:
                name = pp.pattern.name
                order = {gi: k + 1 for k, gi in enumerate(_group_order(pp.groups))}
                for g in pp.groups:
                    if g.name == f.name:
                        pos[name] = str(order[g.index])
                        if g.marker:
                            marker_a[name], marker_b[name] = (str(order[m]) for m in g.marker)
                        elif g.optional:  # cannot match empty: '' means it did not take part
                            optional[name] = "true"
                if f.name in pp.pattern.set:
                    const[name] = _lit(str(pp.pattern.set[f.name]))
            typ = SPARK_TYPES[f.sql_type]
            value = "NULL"
            if pos:
                v = f"try_element_at(parts, try_element_at({self._by_number(pos)}, pattern_no))"
                if marker_a:
                    a = f"try_element_at(parts, try_element_at({self._by_number(marker_a)}, pattern_no))"
                    b = f"try_element_at(parts, try_element_at({self._by_number(marker_b)}, pattern_no))"
                    v = f"(CASE WHEN {a} IS NULL OR {a} != '' OR {b} != '' THEN {v} END)"
                if optional:
                    v = f"(CASE WHEN coalesce(try_element_at({self._by_number(optional)}, pattern_no), false) THEN nullif({v}, '') ELSE {v} END)"
                value = spark_convert(v, f.convert)
            if const:
                value = f"coalesce(CAST(try_element_at({self._by_number(const)}, pattern_no) AS {typ}), {value})"
            out.append(f"CAST({value} AS {typ}) AS `{f.name}`")
        return out

    def derived_sql(self) -> list[tuple[str, str]]:
        out = []
        for d in self.parser.derived:
            rx = _lit("(?sU)" + to_java(d.regex))
            out.append((d.name, f"CASE WHEN `{d.source}` RLIKE {rx} THEN regexp_extract(`{d.source}`, {rx}, 1) END"))
        return out


# ------------------------------------------------------------------ the job


@dataclass
class SparkReport:
    out: str
    files: int = 0
    lines: int = 0
    rows: dict = field(default_factory=dict)  # table -> rows
    unparsed: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        tables = ", ".join(f"{t} {n:,}" for t, n in sorted(self.rows.items()))
        return (f"{self.out}: {self.files} files, {self.lines:,} lines: {self.lines - self.unparsed:,} parsed, "
                f"{self.unparsed:,} unparsed; rows: {tables} ({self.seconds:.1f} s)")


def session(master: str = "local[2]", app: str = "mxlog"):
    """A SparkSession set up for mxlog: UTC, no ANSI errors on bad casts, microsecond Parquet
    timestamps, dynamic partition overwrite (a run replaces only the partitions it writes)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise MxlogError("pyspark is not installed", hint="pip install 'mxlog[spark]' (it needs a Java 17 runtime)") from None
    builder = (
        SparkSession.builder.master(master).appName(app)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
        # adaptive execution re-optimizes the whole plan (the pattern expressions included)
        # after every shuffle stage: minutes of planning for a plan whose shape is known
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.constraintPropagation.enabled", "false")
        # HotSpot does not JIT-compile a method over 8000 bytes of bytecode: the whole-stage
        # code of a table's typed columns (and of the routing) is larger, and ran interpreted;
        # over this limit Spark generates code per operator instead, in methods small enough to
        # be compiled
        .config("spark.sql.codegen.hugeMethodLimit", "8000")
    )
    if master.startswith("local"):
        builder = builder.config("spark.sql.shuffle.partitions", "4").config("spark.driver.memory", os.environ.get("MXLOG_SPARK_MEMORY", "2g"))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _is_uri(p: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", p))


@dataclass
class InputFile:
    shown: str  # the path shown in `file` and `files.path`
    uri: str  # what Spark reads
    size: int | None = None
    mtime: float | None = None
    compression: str | None = None
    fingerprint: str | None = None  # sha256 of the first FP_BYTES of the content, as `mxlog ingest` keeps it
    fp_len: int | None = None


def input_files(paths) -> list[InputFile]:
    """Every syslog file under `paths`; local files that are captures or dumps are left to
    `mxlog ingest`."""
    import hashlib

    from mxlog.ingest import FP_BYTES, detect_kind, discover, open_content

    out = []
    local = [p for p in map(str, paths) if not _is_uri(p)]
    for p in map(str, paths):
        if _is_uri(p):
            out.append(InputFile(p, p))
    for f in discover(local):
        stream, compression = open_content(f)
        with stream:
            head = stream.read(65536)
        if detect_kind(head) in ("syslog", "text"):
            st = f.stat()
            out.append(InputFile(str(f), f.resolve().as_uri(), st.st_size, st.st_mtime, compression,
                                 hashlib.sha256(head[:FP_BYTES]).hexdigest(), len(head[:FP_BYTES])))
    return out


def _first_stamp(path: str) -> tuple[int, int] | None:
    """(month, day) of the first BSD-stamped line of a local file."""
    from mxlog.ingest import open_content

    stream, _ = open_content(Path(path))
    with stream:
        for i, line in enumerate(stream):
            m = re.match(rb"^([A-Z][a-z]{2}) ([ 0-9][0-9]) ", line)
            if m and m.group(1).decode() in MONTHS:
                return MONTHS.index(m.group(1).decode()) + 1, int(m.group(2))
            if i > 1000:
                return None
    return None


# the four stamps of parsers/syslog.py (formats.md section 0), then the host (or ident) token
# and the rest: BSD `Mmm dd HH:MM:SS`, ISO/RFC 3339 `2018-10-26T17:12:00.271Z` (syslogd -Z, or
# with an offset), `2013-08-11 03:56:40` (a Dovecot log_path, wall clock in --tz) and a TAI64N
# label `@400000004c91b044077a9e94` (daemontools multilog)
FRAME = (
    r"^(?:(?<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (?<day>[ 0-9][0-9]) "
    r"(?<hh>[0-9]{2}):(?<mi>[0-9]{2}):(?<ss>[0-9]{2})"
    r"|(?<iso>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[^ ]*)"
    r"|(?<sy>[0-9]{4})-(?<sm>[0-9]{2})-(?<sd>[0-9]{2}) (?<sh>[0-9]{2}):(?<smi>[0-9]{2}):(?<sss>[0-9]{2})"
    r"|@(?<tai>[0-9a-fA-F]{24}))"
    r" (?<htok>[^ ]+) (?<rest>.*)\z"
)
FRAME_GROUPS = 15


def ingest(paths, out: str, *, master: str = "local[2]", year: int | None = None, tz: str = "UTC",
           host: str | None = None, spark=None) -> SparkReport:
    """Parse syslog files with Spark into the lake at `out` (TABLE/host=H/date=D/part-*.parquet)."""
    t0 = time.perf_counter()
    files = input_files(paths)
    if not files:
        raise MxlogError("no syslog files to read", hint="give log files or directories that contain some")
    own = spark is None
    spark = spark or session(master)
    try:
        report = SparkReport(str(out), files=len(files))
        parsed, framed = _parsed(spark, files, year, tz, host)
        try:
            parsed = _materialize(parsed)  # the parsed lines, then drop the framed ones they came from
        finally:
            _release(framed)
        try:
            _write(spark, parsed, str(out), report, files, tz)
        finally:
            _release(parsed)
        report.seconds = time.perf_counter() - t0
        return report
    finally:
        if own:
            spark.stop()


def _materialize(df):
    """`df` computed once and kept (in memory, then on disk) as a DataFrame whose plan is a leaf
    (a local checkpoint). The plans of the framing and parsing queries are big (the patterns of
    every parser); a persisted DataFrame keeps its whole plan, which every query over it
    analyses again (and recomputes, while its cache is not yet filled): minutes of driver time
    for the queries of the repeats and of each table's write."""
    from pyspark import StorageLevel

    return df.localCheckpoint(eager=True, storageLevel=StorageLevel.MEMORY_AND_DISK)


def _release(df) -> None:
    """Drop the blocks of a DataFrame made by `_materialize` (no query may read it afterwards)."""
    try:
        df._jdf.queryExecution().analyzed().rdd().unpersist(False)
    except Exception:  # not a local checkpoint (or not a classic session): nothing of ours to drop
        pass


def _parsed(spark, files, year, tz, default_host):
    """Every line: file, line_no, rep, ts, host, pid, program, parser (table), pattern_no (see
    ParserPlan.pattern_sql), reason (NULL when parsed), raw (unparsed lines only) and msg
    (parsed lines only); and the framed lines it is drawn from (materialized: the caller
    releases them, `_release`)."""
    from pyspark.sql import functions as F

    this_year = dt.datetime.now(dt.timezone.utc).year
    meta = []
    for f in files:
        y, m0 = year, None
        if not _is_uri(f.shown):
            first = _first_stamp(f.shown)
            if first:
                m0 = first[0]
                if y is None:
                    y = infer_year(first[0], first[1], f.mtime)
        meta.append((f.uri, f.shown, y if y is not None else this_year, m0))
    # file_id: a hash of the path (FILE_ID), the same in every run that reads that path
    meta_df = spark.createDataFrame(meta, "uri string, file string, base_year int, first_month int").selectExpr(
        "*", f"{FILE_ID} AS file_id")

    raw = (
        spark.read.text([f.uri for f in files])
        .select(
            F.input_file_name().alias("uri"),
            F.input_file_block_start().alias("block"),
            F.monotonically_increasing_id().alias("id"),
            F.col("value").alias("raw"),
        )
    )
    # line numbers: the rank of a line in its block, plus the lines of the file's earlier blocks
    blocks = raw.groupBy("uri", "block").agg(F.count("*").alias("n"), F.min("id").alias("first_id"))
    blocks.createOrReplaceTempView("mxlog_blocks")
    blocks = spark.sql(
        "SELECT uri, block, first_id, coalesce(sum(n) OVER (PARTITION BY uri ORDER BY block"
        " ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before FROM mxlog_blocks"
    )
    lines = (
        raw.join(F.broadcast(blocks), ["uri", "block"])
        .join(F.broadcast(meta_df), "uri", "left")
        .select("file_id", "file", (F.col("id") - F.col("first_id") + F.col("before") + 1).alias("line_no"), "raw",
                "base_year", "first_month")
    )
    lines.createOrReplaceTempView("mxlog_lines")
    host_default = _lit(default_host) if default_host else "CAST(NULL AS STRING)"
    months = "map(" + ", ".join(f"'{m}', {i + 1}" for i, m in enumerate(MONTHS)) + ")"
    tz_sql = _lit(tz)
    frame = _lit(FRAME)
    fields = _lit("\u0002" + "\u0001".join(f"${i}" for i in range(1, FRAME_GROUPS + 1)))
    # ISO: `Z` and `+hhmm` offsets as `+hh:mm`, as the engine reads them
    iso_norm = "regexp_replace(regexp_replace(iso, 'Z$', '+00:00'), '([+-][0-9]{2})([0-9]{2})$', '$1:$2')"
    iso_ts = f"to_timestamp({iso_norm}, \"yyyy-MM-dd'T'HH:mm:ss[.SSSSSS]XXX\")"
    # TAI64N: 2^62 + 10 + unix seconds in 16 hex digits, then nanoseconds in 8
    tai_ts = ("timestamp_micros((CAST(conv(substr(tai, 2, 15), 16, 10) AS BIGINT) - 10) * 1000000"
              " + CAST(conv(substr(tai, 17, 8), 16, 10) AS BIGINT) DIV 1000)")
    repeat_n = _lit("^(?:--- )?last message repeated ([0-9]+)")
    first_token, after_token = _lit("^([^ ]*)"), _lit("(?s)^[^ ]* ?(.*)\\z")
    ends_pid, integer = _lit("\\]:$"), _lit("^-?[0-9]+$")
    framed = spark.sql(f"""
        WITH s AS (
          SELECT file_id, file, line_no, raw, base_year, first_month, regexp_replace(raw, {frame}, {fields}) AS rr
          FROM mxlog_lines
        ), m AS (
          SELECT file_id, file, line_no, raw, base_year, first_month,
                 left(rr, 1) = '\u0002' AND left(raw, 1) != '\u0002' AS hdr,
                 split(substr(rr, 2), '\u0001', {FRAME_GROUPS}) AS fp
          FROM s
        ), h0 AS (
          SELECT file_id, file, line_no, raw, base_year, first_month, hdr,
                 {months}[fp[0]] AS mon, fp[1] AS day_s, fp[2] AS hh, fp[3] AS mi, fp[4] AS ss,
                 fp[5] AS iso, fp[6] AS sy, fp[7] AS sm, fp[8] AS sd, fp[9] AS sh, fp[10] AS smi, fp[11] AS sss,
                 fp[12] AS tai, fp[13] AS htok, fp[14] AS rest,
                 hdr AND instr(fp[13], '(') > 0 AS procish,
                 hdr AND instr(fp[13], '(') = 0 AND fp[13] LIKE '%:' AS hostless
          FROM m
        ), h AS (
          SELECT *,
                 CASE WHEN NOT hdr THEN NULL
                      WHEN mon IS NOT NULL THEN to_utc_timestamp(make_timestamp(
                        base_year + CASE WHEN first_month - mon > 6 THEN 1 ELSE 0 END,
                        mon, CAST(trim(day_s) AS INT), CAST(hh AS INT), CAST(mi AS INT), CAST(ss AS INT)), {tz_sql})
                      WHEN iso != '' THEN {iso_ts}
                      WHEN sy != '' THEN to_utc_timestamp(make_timestamp(
                        CAST(sy AS INT), CAST(sm AS INT), CAST(sd AS INT), CAST(sh AS INT), CAST(smi AS INT), CAST(sss AS INT)), {tz_sql})
                      ELSE {tai_ts} END AS ts0
          FROM h0
        ), r AS (
          SELECT *,
                 CASE WHEN hdr AND NOT procish AND NOT hostless
                   THEN try_cast(nullif(substr(regexp_extract(rest, {repeat_n}, 1), 1, 10), '') AS BIGINT) END AS rep_n0,
                 CASE WHEN procish OR hostless THEN htok ELSE regexp_extract(rest, {first_token}, 1) END AS ident,
                 CASE WHEN procish THEN concat(htok, ' ', rest)
                      WHEN hostless THEN rest
                      ELSE regexp_extract(rest, {after_token}, 1) END AS msg0
          FROM h
        ), i AS (
          SELECT *, coalesce(rep_n0 > 0 AND length(rest) > length('last message repeated '), false) AS repeat,
                 instr(ident, '[') AS lb, length(ident) AS il,
                 ident RLIKE {ends_pid} AND instr(ident, '[') BETWEEN 1 AND length(ident) - 2 AS has_pid
          FROM r
        )
        SELECT file_id, file, line_no, raw,
               CASE WHEN NOT hdr OR (iso != '' AND ts0 IS NULL) THEN 'bad' WHEN repeat THEN 'repeat'
                    WHEN procish OR ident LIKE '%:' THEN 'ok' ELSE 'bad' END AS status,
               CASE WHEN repeat THEN rep_n0 END AS rep_n,
               ts0 AS ts,
               CASE WHEN hdr AND NOT procish AND NOT hostless THEN htok ELSE {host_default} END AS host,
               CASE WHEN procish THEN substr(htok, 1, instr(htok, '(') - 1)
                    WHEN NOT procish AND has_pid THEN substr(ident, 1, lb - 1)
                    ELSE substr(ident, 1, il - 1) END AS program,
               CASE WHEN NOT procish AND has_pid AND substr(ident, lb + 1, il - lb - 2) RLIKE {integer}
                    THEN try_cast(substr(ident, lb + 1, il - lb - 2) AS INT) END AS pid,
               msg0 AS msg
        FROM i
    """)
    # framed is read four times (the lines, the repeats, the lines they repeat): frame once
    framed = _materialize(framed)
    framed.createOrReplaceTempView("mxlog_framed")
    # the line a repeat stands for: the last framed line of its host before it in its file,
    # looked for in the repeat's bucket of lines, else the last one of the buckets before (an
    # equi-join on the bucket, not a join of every repeat with every earlier line)
    resolved = spark.sql(f"""
        WITH rep AS (
          SELECT file, host, line_no, line_no DIV {REPEAT_BUCKET} AS bucket FROM mxlog_framed WHERE status = 'repeat'
        ), ok AS (
          SELECT file, host, line_no, line_no DIV {REPEAT_BUCKET} AS bucket FROM mxlog_framed WHERE status = 'ok'
        ), near AS (
          SELECT /*+ BROADCAST(r) */ r.file, r.host, r.line_no, max(o.line_no) AS src_line
          FROM rep r JOIN ok o ON o.file = r.file AND o.host <=> r.host AND o.bucket = r.bucket AND o.line_no < r.line_no
          GROUP BY r.file, r.host, r.line_no
        ), last_ok AS (
          SELECT file, host, bucket, max(line_no) AS line_no FROM ok GROUP BY file, host, bucket
        ), far AS (
          SELECT /*+ BROADCAST(r) */ r.file, r.host, r.line_no, max(b.line_no) AS src_line
          FROM rep r JOIN last_ok b ON b.file = r.file AND b.host <=> r.host AND b.bucket < r.bucket
          GROUP BY r.file, r.host, r.line_no
        ), src AS (
          SELECT r.file, r.line_no, coalesce(n.src_line, f.src_line) AS src_line
          FROM rep r
          LEFT JOIN near n ON n.file = r.file AND n.host <=> r.host AND n.line_no = r.line_no
          LEFT JOIN far f ON f.file = r.file AND f.host <=> r.host AND f.line_no = r.line_no
        ), carried AS (
          SELECT /*+ BROADCAST(s) */ s.file, s.line_no, o.program, o.pid, o.msg
          FROM src s JOIN mxlog_framed o ON o.file = s.file AND o.line_no = s.src_line
        )
        SELECT /*+ BROADCAST(c) */ f.file_id, f.file, f.line_no, f.raw, f.ts, f.host,
               CASE WHEN f.status = 'repeat' THEN c.pid ELSE f.pid END AS pid,
               CASE WHEN f.status = 'repeat' THEN c.program ELSE f.program END AS program,
               CASE WHEN f.status = 'repeat' THEN c.msg ELSE f.msg END AS msg,
               CASE WHEN f.status = 'bad' THEN 'no-syslog-header'
                    WHEN f.status = 'repeat' AND c.program IS NULL THEN 'repeat-without-previous' END AS reason,
               CASE WHEN f.status = 'repeat' AND c.program IS NOT NULL
                    THEN sequence(1, CAST(f.rep_n AS INT)) ELSE array(0) END AS reps
        FROM mxlog_framed f LEFT JOIN carried c ON c.file = f.file AND c.line_no = f.line_no
    """).select("*", F.explode("reps").alias("rep")).drop("reps")
    resolved.createOrReplaceTempView("mxlog_resolved")

    plans = syslog_plans()
    program_case = " ".join(
        f"WHEN program IN ({', '.join(_lit(pr) for pr in plan.parser.programs)}) THEN {_lit(plan.parser.table)}"
        for plan in plans
    )
    route_case = " ".join(f"WHEN {_lit(plan.parser.table)} THEN {plan.route_sql()}" for plan in plans)
    pattern_case = " ".join(f"WHEN {_lit(plan.parser.table)} THEN {plan.pattern_sql()}" for plan in plans)
    routed = spark.sql(f"""
        WITH a AS (SELECT *, CASE WHEN reason IS NULL THEN CASE {program_case} END END AS parser FROM mxlog_resolved),
        b AS (SELECT *, CASE parser {route_case} END AS route FROM a),
        c AS (SELECT *, CASE parser {pattern_case} END AS pattern_no FROM b)
        SELECT file_id, file, line_no, rep, ts, host, pid, program, parser, pattern_no,
               coalesce(reason, CASE WHEN parser IS NULL THEN 'other-program' END,
                        CASE WHEN pattern_no IS NULL THEN 'no-pattern-matched' END) AS reason,
               CASE WHEN pattern_no IS NULL THEN raw END AS raw,
               CASE WHEN pattern_no IS NOT NULL THEN msg END AS msg
        FROM c
    """)
    # rows of one pattern together, so that each pattern's projection (`_write`) reads only
    # its own batches of the cached lines (Spark prunes cached batches by their min/max)
    return routed.sortWithinPartitions("parser", "pattern_no"), framed


def syslog_plans() -> list[ParserPlan]:
    return [ParserPlan.of(p) for p in REGISTRY if p.kind == "syslog"]


def _write(spark, parsed, out: str, report: SparkReport, files: list[InputFile], tz: str) -> None:
    parsed.createOrReplaceTempView("mxlog_parsed")
    common = [c for c in COMMON_COLUMNS if c not in ("file_id", "pattern")]
    for plan in syslog_plans():
        table = plan.parser.table
        df = spark.sql(
            f"SELECT file_id, file, line_no, rep, ts, host, pid, pattern_no, {plan.pattern_name_sql()} AS pattern, msg, "
            f"contains(msg, {_lit(SEP)}) AS has_sep FROM mxlog_parsed WHERE parser = {_lit(table)} AND reason IS NULL"
        )
        df = df.selectExpr("*", f"{plan.parts_sql()} AS parts")
        typed = df.selectExpr("file_id", "file", *[f"`{c}`" for c in common], "pattern", *plan.fields_sql())
        for name, expr in plan.derived_sql():
            typed = typed.withColumn(name, spark_expr(expr))
        _save(typed.selectExpr("*", "date_format(ts, 'yyyy-MM-dd') AS date"), out, table)
    unparsed = spark.sql(
        "SELECT file_id, file, line_no, ts, host, nullif(program, '') AS program, raw, CAST(NULL AS BINARY) AS raw_bytes, reason, "
        "date_format(ts, 'yyyy-MM-dd') AS date FROM mxlog_parsed WHERE reason IS NOT NULL AND rep <= 1"
    )
    _save(unparsed, out, "unparsed")
    for table, rows in spark.sql(
        "SELECT parser, count(*) FROM mxlog_parsed WHERE reason IS NULL AND parser IS NOT NULL GROUP BY parser"
    ).collect():
        report.rows[table] = rows
    # files: one row per input file, the columns of the database's `files` that a batch run has
    meta = spark.createDataFrame(
        [(f.shown, f.size, f.mtime, f.compression, f.fingerprint, f.fp_len) for f in files],
        "path string, size bigint, mtime double, compression string, fingerprint string, fp_len int",
    )
    meta.createOrReplaceTempView("mxlog_files_meta")
    stats = spark.sql(
        "SELECT file_id, mode(host) AS host, count_if(rep <= 1) AS lines_read,"
        " count_if(reason IS NULL AND rep <= 1) AS lines_parsed, count_if(reason IS NOT NULL AND rep <= 1) AS lines_unparsed,"
        " count_if(reason IS NULL) AS rows, min(ts) AS first_ts, max(ts) AS last_ts FROM mxlog_parsed GROUP BY file_id"
    )
    stats.createOrReplaceTempView("mxlog_file_stats")
    files_df = spark.sql(f"""
        SELECT /*+ BROADCAST(m) */ {FILE_ID.replace("file", "m.path")} AS file_id, m.path, s.host, 'syslog' AS kind, m.compression,
               m.fingerprint, m.fp_len, m.size, timestamp_seconds(m.mtime) AS mtime,
               coalesce(s.lines_read, 0) AS lines_read, coalesce(s.lines_parsed, 0) AS lines_parsed,
               coalesce(s.lines_unparsed, 0) AS lines_unparsed, coalesce(s.rows, 0) AS rows,
               s.first_ts, s.last_ts, {_lit(tz)} AS tz, date_format(s.first_ts, 'yyyy-MM-dd') AS date
        FROM mxlog_files_meta m LEFT JOIN mxlog_file_stats s ON s.file_id = {FILE_ID.replace("file", "m.path")}
    """).cache()
    try:
        _save(files_df, out, "files")
        totals = files_df.selectExpr("sum(lines_read) AS lines", "sum(lines_unparsed) AS unparsed").first()
    finally:
        files_df.unpersist()
    report.lines, report.unparsed = totals["lines"] or 0, totals["unparsed"] or 0


def spark_expr(sql: str):
    from pyspark.sql import functions as F

    return F.expr(sql)


def _save(df, out: str, table: str) -> None:
    (df.write.mode("overwrite").partitionBy("host", "date").option("compression", "zstd")
     .parquet(f"{out}/{table}"))




# ------------------------------------------------------------------ metric views over a lake
#
# The views the report is drawn from (migrations 0011, 0012, 0014: smtp_sessions,
# smtp_envelopes, spamd_connections, greylist_outcomes, greylist_stats, blacklist_stats,
# hop_latency), in Spark SQL. These are HAND COPIES of the DuckDB views, not derived from them:
# DuckDB's ASOF join and its correlated `min()` subqueries with inequalities have no Spark
# equivalent a mechanical translation could produce. Adapted only where Spark's dialect differs:
# the ASOF join becomes a join ranked by time, the correlated subqueries joins grouped per
# tuple, `list(x ORDER BY x)` `array_sort(collect_list(x))`, `epoch()` microseconds / 1e6, the
# nearest-rank macro an `element_at`, and spamd's -G times (DuckDB variables there) the seed's
# defaults or the arguments of `lake_views`. Two guards in tests/test_spark.py: on samples/sim
# they give row for row what the database gives, and TRANSLATED_FROM below holds a hash of each
# DuckDB definition they copy, so that a change to one fails a test until its copy is redone.


def duckdb_definition(name: str) -> str:
    """The text of the last `CREATE [OR REPLACE] VIEW|MACRO name` in mxlog/migrations, its
    whitespace collapsed (the source a Spark SQL copy is checked against)."""
    from mxlog.store import migrations

    found = None
    for _, _, sql in migrations():
        for m in re.finditer(r"^CREATE (?:OR REPLACE )?(?:VIEW|MACRO) (\w+)\b.*?;[ \t]*$", sql, re.S | re.M):
            if m.group(1) == name:
                found = m.group(0)
    if found is None:
        raise KeyError(name)
    return " ".join(found.split())


def definition_hash(name: str) -> str:
    import hashlib

    return hashlib.sha256(duckdb_definition(name).encode()).hexdigest()[:16]


def _epoch(x: str) -> str:
    return f"(unix_micros({x}) / 1e6)"


def _nearest_rank(s: str, p: float) -> str:
    return f"try_element_at({s}, greatest(1, CAST(ceil({p} * size({s})) AS INT)))"


def metric_views_sql(passtime_s: float = 120, greyexp_s: float = 14400) -> list[tuple[str, str]]:
    ranks = ", ".join(
        f"{_nearest_rank('t.delays', p)} AS pass_delay_{n}_s"
        for n, p in (("min", 0.0), ("p25", 0.25), ("p50", 0.5), ("p75", 0.75), ("p90", 0.9), ("p95", 0.95),
                     ("p98", 0.98), ("p99", 0.99), ("max", 1.0))
    )
    return [
        ("smtp_sessions", """
SELECT host, session, any_value(family) AS family,
    min(ts) FILTER (WHERE event = 'connected') AS connected_ts,
    max(ts) FILTER (WHERE event = 'disconnected') AS disconnected_ts,
    any_value(ip) FILTER (WHERE event = 'connected') AS client_ip,
    any_value(rdns) FILTER (WHERE event = 'connected') AS client_rdns,
    coalesce(any_value(address) FILTER (WHERE event = 'connected') = 'local', false) AS local_enqueue,
    any_value(tls_version) FILTER (WHERE event = 'tls') AS tls_version,
    any_value(tls_cipher) FILTER (WHERE event = 'tls') AS tls_cipher,
    any_value(`user`) FILTER (WHERE event = 'authentication' AND lower(result) = 'ok') AS auth_user,
    count(*) FILTER (WHERE event = 'authentication' AND lower(result) <> 'ok') AS auth_failures,
    count(DISTINCT msgid) FILTER (WHERE event = 'message') AS messages,
    count(*) FILTER (WHERE event = 'failed-command') AS failed_commands,
    any_value(reason) FILTER (WHERE event = 'disconnected') AS disconnect_reason,
    min(file_id) AS file_id, min(line_no) AS first_line_no
FROM smtpd_events WHERE subsystem = 'smtp' AND session IS NOT NULL
GROUP BY host, session"""),
        ("smtp_envelopes", """
SELECT host, session, evpid_msgid AS msgid, evpid, mail_from, rcpt_to, ts AS accepted_ts, family, file_id, line_no
FROM smtpd_events WHERE event = 'envelope' AND evpid IS NOT NULL
UNION ALL
SELECT host, session, msgid, CAST(NULL AS STRING) AS evpid, mail_from, rcpt_to, ts AS accepted_ts, family, file_id, line_no
FROM smtpd_events WHERE event = 'message' AND rcpt_to IS NOT NULL AND msgid IS NOT NULL AND msgid <> ''"""),
        ("spamd_connections", """
WITH conn AS (
    SELECT host, ip, ts, lists, file_id, line_no FROM spamd_events WHERE event = 'connected' AND ip IS NOT NULL
), disc AS (
    SELECT host, ip, ts, tarpit_s, lists, file_id, line_no, rep,
           timestampadd(SECOND, 1 - coalesce(tarpit_s, 0), ts) AS started_by
    FROM spamd_events WHERE event = 'disconnected' AND ip IS NOT NULL
), paired AS (  -- DuckDB: ASOF LEFT JOIN conn ON host, ip AND started_by >= c.ts
    SELECT d.*, c.ts AS c_ts, c.lists AS c_lists, c.file_id AS c_file_id, c.line_no AS c_line_no,
           row_number() OVER (PARTITION BY d.file_id, d.line_no, d.rep
                              ORDER BY c.ts DESC NULLS LAST, c.file_id DESC, c.line_no DESC) AS k
    FROM disc d LEFT JOIN conn c ON d.host = c.host AND d.ip = c.ip AND d.started_by >= c.ts
)
SELECT host, ip, c_ts AS connected_ts, ts AS disconnected_ts, tarpit_s,
       coalesce(c_lists, lists) AS lists,
       CASE WHEN size(coalesce(c_lists, lists)) > 0 THEN 'black' ELSE 'grey' END AS disposition,
       array_contains(coalesce(c_lists, lists), 'spamd-greytrap') AS greytrapped,
       coalesce(c_file_id, file_id) AS file_id, coalesce(c_line_no, line_no) AS line_no
FROM paired WHERE k = 1"""),
        ("greylist_outcomes", f"""
WITH grey AS (
    SELECT g.host, g.ip, g.from_token, g.to_token, g.mail_from, g.rcpt_to, g.ts FROM spamd_events g
    WHERE g.event = 'grey' AND g.ip IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM spamd_events t WHERE t.event = 'trapped' AND t.host = g.host AND t.ip = g.ip
                      AND t.ts BETWEEN g.ts AND g.ts + INTERVAL 10 MINUTE)
), attempts AS (
    SELECT host AS scope, * FROM grey
    UNION ALL
    SELECT 'all' AS scope, * FROM grey
), segmented AS (
    SELECT *, sum(CASE WHEN prev_ts IS NULL OR {_epoch('ts')} - {_epoch('prev_ts')} > {float(greyexp_s)} THEN 1 ELSE 0 END)
                  OVER (PARTITION BY scope, ip, from_token, to_token ORDER BY ts) AS segment
    FROM (SELECT *, lag(ts) OVER (PARTITION BY scope, ip, from_token, to_token ORDER BY ts) AS prev_ts FROM attempts)
), tuples AS (
    SELECT scope, ip, from_token, to_token, segment,
           any_value(mail_from) AS mail_from, any_value(rcpt_to) AS rcpt_to,
           min(ts) AS first_seen_ts, max(ts) AS last_seen_ts, count(*) AS attempts,
           array_sort(collect_list(ts)) AS attempt_ts
    FROM segmented GROUP BY scope, ip, from_token, to_token, segment
), passing AS (
    SELECT *, try_element_at(filter(attempt_ts, t -> {_epoch('t')} - {_epoch('first_seen_ts')} > {float(passtime_s)}), 1) AS passing_ts
    FROM tuples
), white AS (
    SELECT host AS scope, ip, ts FROM spamd_events WHERE event = 'whitelisted' AND ip IS NOT NULL
    UNION ALL
    SELECT 'all', ip, ts FROM spamd_events WHERE event = 'whitelisted' AND ip IS NOT NULL
), inbound AS (
    SELECT s.client_ip AS ip, e.mail_from, e.rcpt_to, e.accepted_ts
    FROM smtp_envelopes e JOIN smtp_sessions s ON s.host = e.host AND s.session = e.session
    WHERE s.client_ip IS NOT NULL
), whitelisted AS (  -- DuckDB: a correlated min() subquery per tuple
    SELECT p.scope, p.ip, p.from_token, p.to_token, p.segment, min(w.ts) AS ts
    FROM passing p JOIN white w ON w.scope = p.scope AND w.ip = p.ip AND w.ts >= p.passing_ts
    GROUP BY p.scope, p.ip, p.from_token, p.to_token, p.segment
), delivered AS (
    SELECT p.scope, p.ip, p.from_token, p.to_token, p.segment, min(i.accepted_ts) AS ts
    FROM passing p JOIN inbound i
      ON i.ip = p.ip AND i.mail_from = p.mail_from AND i.rcpt_to = p.rcpt_to AND i.accepted_ts > p.first_seen_ts
    GROUP BY p.scope, p.ip, p.from_token, p.to_token, p.segment
)
SELECT
    p.scope AS host, p.ip, p.from_token, p.to_token, p.mail_from, p.rcpt_to,
    p.first_seen_ts, p.last_seen_ts, p.attempts, p.passing_ts,
    w.ts AS whitelisted_ts, d.ts AS delivered_ts
FROM passing p
LEFT JOIN whitelisted w ON w.scope = p.scope AND w.ip = p.ip AND w.from_token <=> p.from_token
     AND w.to_token <=> p.to_token AND w.segment = p.segment
LEFT JOIN delivered d ON d.scope = p.scope AND d.ip = p.ip AND d.from_token <=> p.from_token
     AND d.to_token <=> p.to_token AND d.segment = p.segment"""),
        ("greylist_stats", f"""
WITH conns AS (
    SELECT host, CAST(connected_ts AS DATE) AS day, disposition FROM spamd_connections WHERE connected_ts IS NOT NULL
    UNION ALL
    SELECT host, CAST(connected_ts AS DATE), 'white' FROM smtp_sessions
    WHERE client_ip IS NOT NULL AND client_ip NOT IN ('127.0.0.1', '::1') AND auth_user IS NULL
      AND auth_failures = 0 AND connected_ts IS NOT NULL
), conn_days AS (
    SELECT host, day, count_if(disposition = 'grey') AS grey_connections,
           count_if(disposition = 'black') AS black_connections, count_if(disposition = 'white') AS white_connections
    FROM conns GROUP BY host, day
    UNION ALL
    SELECT 'all', day, count_if(disposition = 'grey'), count_if(disposition = 'black'), count_if(disposition = 'white')
    FROM conns GROUP BY day
), white_days AS (
    SELECT host, CAST(ts AS DATE) AS day, count(DISTINCT ip) AS whitelisted_ips FROM spamd_events
    WHERE event = 'whitelisted' GROUP BY host, CAST(ts AS DATE)
    UNION ALL
    SELECT 'all', CAST(ts AS DATE), count(DISTINCT ip) FROM spamd_events WHERE event = 'whitelisted' GROUP BY CAST(ts AS DATE)
), tuple_days0 AS (
    SELECT host, CAST(first_seen_ts AS DATE) AS day,
           count(*) AS tuples,
           count_if(whitelisted_ts IS NOT NULL) AS tuples_passed,
           count_if(attempts = 1) AS tuples_never_retried,
           count_if(attempts > 1 AND passing_ts IS NULL) AS tuples_retried_before_passtime_only,
           count_if(delivered_ts IS NOT NULL) AS tuples_delivered,
           array_sort(collect_list({_epoch('passing_ts')} - {_epoch('first_seen_ts')}) FILTER (WHERE whitelisted_ts IS NOT NULL)) AS delays
    FROM greylist_outcomes GROUP BY host, CAST(first_seen_ts AS DATE)
), tuple_days AS (  -- DuckDB's list() of no rows is NULL
    SELECT host, day, tuples, tuples_passed, tuples_never_retried, tuples_retried_before_passtime_only,
           tuples_delivered, CASE WHEN size(delays) > 0 THEN delays END AS delays
    FROM tuple_days0
), keys AS (
    SELECT host, day FROM conn_days UNION SELECT host, day FROM tuple_days UNION SELECT host, day FROM white_days
)
SELECT
    k.host, k.day,
    coalesce(c.grey_connections, 0) AS grey_connections,
    coalesce(c.black_connections, 0) AS black_connections,
    coalesce(c.white_connections, 0) AS white_connections,
    coalesce(t.tuples, 0) AS tuples,
    coalesce(t.tuples_passed, 0) AS tuples_passed,
    coalesce(t.tuples_never_retried, 0) AS tuples_never_retried,
    coalesce(t.tuples_retried_before_passtime_only, 0) AS tuples_retried_before_passtime_only,
    coalesce(t.tuples, 0) - coalesce(t.tuples_passed, 0) AS tuples_never_passed,
    coalesce(t.tuples_delivered, 0) AS tuples_delivered,
    coalesce(w.whitelisted_ips, 0) AS whitelisted_ips,
    round(100.0D * (t.tuples - t.tuples_passed) / nullif(t.tuples, 0), 2) AS never_passed_pct,
    CASE WHEN t.delays IS NOT NULL THEN size(t.delays) END AS pass_delay_n,
    {ranks}
FROM keys k
LEFT JOIN conn_days c ON c.host = k.host AND c.day = k.day
LEFT JOIN tuple_days t ON t.host = k.host AND t.day = k.day
LEFT JOIN white_days w ON w.host = k.host AND w.day = k.day"""),
        ("blacklist_stats", """
WITH hits AS (
    SELECT host, CAST(connected_ts AS DATE) AS day, explode(lists) AS list, ip, tarpit_s
    FROM spamd_connections WHERE disposition = 'black' AND connected_ts IS NOT NULL
)
SELECT host, day, list, count(*) AS connections, count(DISTINCT ip) AS unique_ips,
       coalesce(sum(tarpit_s), 0) AS tarpit_seconds
FROM hits GROUP BY host, day, list
UNION ALL
SELECT 'all', day, list, count(*), count(DISTINCT ip), coalesce(sum(tarpit_s), 0)
FROM hits GROUP BY day, list"""),
        ("hop_latency", f"""
WITH d AS (
    SELECT host, CAST(ts_start AS DATE) AS day, stage, duration_s FROM hops
    WHERE duration_s IS NOT NULL AND ts_start IS NOT NULL
    UNION ALL
    SELECT first_host, CAST(first_seen_ts AS DATE), 'end_to_end', total_latency_s FROM journeys
    WHERE total_latency_s IS NOT NULL AND first_seen_ts IS NOT NULL
), g AS (
    SELECT host, day, stage, array_sort(collect_list(duration_s)) AS s FROM d GROUP BY host, day, stage
    UNION ALL
    SELECT 'all', day, stage, array_sort(collect_list(duration_s)) FROM d GROUP BY day, stage
)
SELECT host, day, stage, size(s) AS n,
       {_nearest_rank('s', 0.5)} AS p50_s, {_nearest_rank('s', 0.9)} AS p90_s,
       {_nearest_rank('s', 0.99)} AS p99_s, element_at(s, size(s)) AS max_s
FROM g"""),
    ]


# sha256[:16] of each DuckDB definition (duckdb_definition) the Spark SQL above copies, as of
# the copy: when a test says one changed, redo its copy in metric_views_sql, then the hash
TRANSLATED_FROM = {
    "spamd_passtime_s": "e4db220fd06cdaa3",
    "spamd_greyexp_s": "0f8ec14dd0377a6c",
    "nearest_rank": "4cc8c9b6a9f3b6a9",
    "smtp_sessions": "8c63c72162a2f170",
    "smtp_envelopes": "2e7405cac2b1d4d4",
    "spamd_connections": "4982a067c593b44f",
    "greylist_outcomes": "39f0b166a215407c",
    "greylist_stats": "52a3f859bb70c7df",
    "blacklist_stats": "fa6f6471ba62ea2b",
    "hop_latency": "ed15ece8d2f11fcc",
}


def lake_views(spark, lake: str, *, passtime_s: float = 120, greyexp_s: float = 14400) -> list[str]:
    """Register the lake's tables (as `mxlog export` or `spark-ingest` lays them out) and the
    metric views over them as temporary views of `spark`; returns the names registered. A view
    whose tables are not in the lake is left out (and one of that name an earlier call made is
    dropped). Sets spark.sql.sources.partitionColumnTypeInference.enabled to false."""
    from mxlog.export import PARTITIONS

    # partition values as written (`host=1` stays the string '1'); `date` is dropped below
    spark.conf.set("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
    made = []
    for table, (host_col, _) in PARTITIONS.items():
        path = f"{lake.rstrip('/')}/{table}"
        try:
            df = spark.read.option("basePath", path).parquet(path)
        except Exception as e:  # no such directory: the table is not in this lake
            if "PATH_NOT_FOUND" in str(e) or "does not exist" in str(e) or "UNABLE_TO_INFER_SCHEMA" in str(e):
                spark.catalog.dropTempView(table)  # not one left from another lake
                continue
            raise
        drop = ["date"] if host_col == "host" else ["date", "host"]
        df.drop(*drop).createOrReplaceTempView(table)
        made.append(table)
    for name, sql in metric_views_sql(passtime_s, greyexp_s):
        try:
            spark.sql(f"CREATE OR REPLACE TEMPORARY VIEW {name} AS {sql}")
        except Exception as e:
            if "TABLE_OR_VIEW_NOT_FOUND" in str(e):
                spark.catalog.dropTempView(name)
                continue
            raise
        made.append(name)
    return made
