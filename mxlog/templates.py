"""Masking log lines into templates, so that `mxlog unparsed` groups alike misses.

The masks are RE2 regexes applied in DuckDB (`regexp_replace`), so grouping millions of
unparsed lines happens in the database, not in Python."""

from __future__ import annotations

# order matters: longer, more specific shapes first
MASKS = [
    (r"<[^<>\s]*@[^<>\s]*>", "<ADDR>"),
    (r"\b[0-9a-f]{16}\b", "<ID16>"),
    (r"\b[0-9a-f]{8}\b", "<ID8>"),
    (r"\[?(?:IPv6:)?[0-9a-fA-F]*:[0-9a-fA-F:]+:[0-9a-fA-F.]*\]?", "<IP6>"),
    (r"\b\d{1,3}(?:\.\d{1,3}){3}\b", "<IP>"),
    (r"\b\d+(?:\.\d+)?\b", "<N>"),
]

# the raw line without its syslog timestamp, host and pid: `prog: message`
HEADER = r"^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\S+) (?:\S+ )?([^\s\[:]+)(?:\[\d+\])?: "


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def template_sql(column: str = "raw") -> str:
    """A DuckDB expression: the line as a template (header stripped, variable parts masked)."""
    expr = f"regexp_replace({column}, {_lit(HEADER)}, '\\1: ')"
    for pattern, token in MASKS:
        expr = f"regexp_replace({expr}, {_lit(pattern)}, {_lit(token)}, 'g')"
    return expr
