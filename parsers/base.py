"""Declaration types for mxlog parsers.

A parser is data, not code (style.md 3): a set of `Pattern`s with named groups, each field
typed and described once in a `Field`, and sample lines with the fields they must yield. The
same declaration makes the DuckDB table, the schema reference (`mxlog schema`) and the tests.

Regexes are written in the subset common to Python `re`, RE2, Rust `regex` (the engine that
runs them, through polars) and Java (Spark): named groups `(?P<name>...)`, no look-around, no
back-references, no possessive quantifiers. A regex is matched against the syslog *message*
(the text after `ident[pid]: `), anchored with `^` and `$`.

Routing (DESIGN.md, "performance stance"): a parser declares one `router` regex whose first
group is a short route key taken from the start of the message (for smtpd: `smtp connected`,
`mta delivery`, `smtp-in: Accepted` ...). Each pattern names the route keys it can match; the
engine runs the router once per line and each pattern's regex only over the lines of its keys,
so no line is tried against every pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# DuckDB column types a field may have, and the converter that turns captured text into it.
# Converters are implemented once, vectorized, in mxlog/convert.py.
CONVERTERS = {
    "text": "VARCHAR",  # as captured
    "int": "BIGINT",  # decimal integer; non-numeric -> NULL
    "float": "DOUBLE",
    "duration": "BIGINT",  # OpenSMTPD duration_to_text(): 0s, 1d2h3m4s, 5m, -3s -> seconds
    "ip": "VARCHAR",  # address as an IP literal: strips `IPv6:` and `[...]`; `local` -> NULL
    "lower": "VARCHAR",  # lower-cased text
    "hexid": "VARCHAR",  # hex id, lower-cased (session, msgid, evpid)
    "words": "VARCHAR[]",  # space-separated names; tokens of dots (`...`, `..`, `.`) dropped (spamd `lists:`)
    "list_comma": "VARCHAR[]",  # comma-separated items, no space after the comma (spampd recipients)
    "epoch": "TIMESTAMPTZ",  # seconds since 1970 (spamdb times, bgpd/sync expiries)
    # spampd's RCPT TO arguments joined by ',' (an argument may carry ESMTP parameters after a
    # space, which may contain ','): split before each '<'; `(unknown)` -> NULL
    "rcpt_list": "VARCHAR[]",  # the addresses, without <>
    "rcpt_params": "VARCHAR[]",  # the parameters of each argument ('' when none)
}


@dataclass(frozen=True)
class Field:
    """One typed column of a parser's event table."""

    name: str
    description: str
    convert: str = "text"

    @property
    def sql_type(self) -> str:
        return CONVERTERS[self.convert]

    def __post_init__(self):
        if self.convert not in CONVERTERS:
            raise ValueError(f"field {self.name}: unknown converter {self.convert!r}")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name):
            raise ValueError(f"field name {self.name!r} is not a lower_snake identifier")


@dataclass(frozen=True)
class Derived:
    """A field computed from another field by a regex (its first group), e.g. the msgid
    named in smtpd's own DATA reply inside `stat="..."`. Runs on both engines."""

    name: str
    source: str
    regex: str


@dataclass(frozen=True)
class Sample:
    """A real or derived log line (a whole syslog line) and the fields it must yield.

    `fields` lists the typed values expected (a subset of the columns; None means NULL)."""

    line: str
    fields: dict
    origin: str = "derived"  # "real" (seen in a public log) | "derived" (built from the format string)


@dataclass(frozen=True)
class Negative:
    """A hostile or malformed line: it must either land in `unparsed` (`fields is None`)
    or parse with exactly these field values (so injected text stays in its field)."""

    line: str
    why: str
    fields: dict | None = None


@dataclass(frozen=True)
class Pattern:
    """One log statement of a daemon.

    name      unique within the parser; stored in the `pattern` column.
    routes    route keys (see module doc) whose lines this pattern may match.
    regex     anchored named-group regex over the message.
    fmt       the daemon's format string this pattern reads, cited from its source.
    set       constant column values for rows this pattern yields (e.g. event='connected').
    samples   1-3 lines with their expected fields.
    """

    name: str
    routes: tuple[str, ...]
    regex: str
    fmt: str
    samples: tuple[Sample, ...]
    set: dict = field(default_factory=dict)

    def groups(self) -> list[str]:
        return list(re.compile(self.regex).groupindex)


@dataclass(frozen=True)
class Parser:
    """All the patterns of one source, and the table their rows go to."""

    name: str
    table: str
    description: str
    programs: tuple[str, ...]  # syslog idents this parser claims (without [pid])
    version: str  # bump when a change alters the rows produced for the same line
    router: str  # regex; group 1 = route key
    fields: tuple[Field, ...]
    patterns: tuple[Pattern, ...]
    derived: tuple[Derived, ...] = ()
    negatives: tuple[Negative, ...] = ()
    # "syslog": lines are framed and dispatched by program. Any other value names a file kind
    # (detected from content, e.g. "spamdb") whose every line is the message, without header:
    # ts is the file's snapshot time (--at, else its mtime) and host the file's host.
    kind: str = "syslog"

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def validate(self) -> list[str]:
        """Problems with the declaration itself (the test suite asserts there are none)."""
        problems = []
        names = {f.name for f in self.fields}
        if len(names) != len(self.fields):
            problems.append(f"{self.name}: duplicate field names")
        reserved = set(COMMON_COLUMNS)
        for f in self.fields:
            if f.name in reserved:
                problems.append(f"{self.name}: field {f.name} shadows a common column")
        seen = set()
        try:
            router = re.compile(self.router)
            if router.groups < 1:
                problems.append(f"{self.name}: router has no group")
        except re.error as e:
            problems.append(f"{self.name}: router does not compile: {e}")
        for p in self.patterns:
            if p.name in seen:
                problems.append(f"{self.name}: duplicate pattern {p.name}")
            seen.add(p.name)
            try:
                rx = re.compile(p.regex)
            except re.error as e:
                problems.append(f"{self.name}.{p.name}: regex does not compile: {e}")
                continue
            if not p.regex.startswith("^") or not p.regex.endswith("$"):
                problems.append(f"{self.name}.{p.name}: regex is not anchored with ^...$")
            for g in rx.groupindex:
                if g not in names:
                    problems.append(f"{self.name}.{p.name}: group {g} is not a declared field")
            for k in p.set:
                if k not in names:
                    problems.append(f"{self.name}.{p.name}: set {k} is not a declared field")
                if k in rx.groupindex:
                    problems.append(f"{self.name}.{p.name}: {k} is both captured and set")
            if not 1 <= len(p.samples) <= 3:
                problems.append(f"{self.name}.{p.name}: needs 1-3 samples, has {len(p.samples)}")
            if not p.routes:
                problems.append(f"{self.name}.{p.name}: no route key")
        for d in self.derived:
            if d.name not in names or d.source not in names:
                problems.append(f"{self.name}: derived {d.name} from {d.source}: undeclared field")
        return problems


# Columns every event table starts with (provenance first: any row leads back to its line).
COMMON_COLUMNS = {
    "file_id": ("INTEGER", "the input file (files.file_id)"),
    "line_no": ("BIGINT", "1-based line number in the file's content"),
    "rep": (
        "INTEGER",
        "0 for the line itself; 1..N for the N occurrences a later "
        "`last message repeated N times` line stands for (line_no is then that line's)",
    ),
    "ts": ("TIMESTAMPTZ", "event time, UTC"),
    "host": ("VARCHAR", "host that logged the line (syslog HOSTNAME, or --host)"),
    "pid": ("INTEGER", "process id from ident[pid], NULL when absent"),
    "pattern": ("VARCHAR", "name of the pattern that matched (see `mxlog schema`)"),
}
