"""Checks a parser declaration the way the test suite does (lnav-style: a format without
samples is refused, a sample must be claimed by exactly its own pattern with its fields).

    python -m mxlog.selfcheck parsers.smtpd:PARSER [parsers.spamd:SPAMD ...]

Prints one line per problem and exits non-zero if there is any.
"""

from __future__ import annotations

import importlib
import re
import sys

from mxlog.engine import check_pattern_dialect, parse_lines
from parsers.base import Negative, Parser, Pattern, Sample

SNAPSHOT_US = 1_764_000_000_000_000  # 2025-11-24T16:00:00Z, the time headerless samples get


def _parse(parser: Parser, line: str, others: list[Parser]):
    return parse_lines([line], kind=parser.kind, snapshot_us=SNAPSHOT_US, parsers=[parser, *others])


def check_sample(parser: Parser, pattern: Pattern, sample: Sample, others: list[Parser] = ()) -> list[str]:
    where = f"{parser.name}.{pattern.name}: {sample.line[:80]!r}"
    result = _parse(parser, sample.line, list(others))
    if result.unparsed.height:
        return [f"{where}: unparsed ({result.unparsed['reason'][0]})"]
    claimed = [t for t, df in result.tables.items() if df.height]
    if claimed != [parser.table]:
        return [f"{where}: claimed by {claimed}"]
    row = result.tables[parser.table].row(0, named=True)
    if row["pattern"] != pattern.name:
        return [f"{where}: matched pattern {row['pattern']} first"]
    problems = []
    for name, expected in sample.fields.items():
        if name not in row:
            problems.append(f"{where}: unknown field {name}")
        elif row[name] != expected:
            problems.append(f"{where}: {name} = {row[name]!r}, expected {expected!r}")
    return problems


def check_negative(parser: Parser, negative: Negative) -> list[str]:
    result = _parse(parser, negative.line, [])
    where = f"{parser.name} negative ({negative.why}): {negative.line[:80]!r}"
    if negative.fields is None:
        return [] if result.unparsed.height == 1 else [f"{where}: parsed, must not"]
    if result.unparsed.height:
        return [f"{where}: unparsed, must parse"]
    row = result.tables[parser.table].row(0, named=True)
    return [f"{where}: {k} = {row[k]!r}, expected {v!r}" for k, v in negative.fields.items() if row[k] != v]


def check_parser(parser: Parser, others: list[Parser] = ()) -> list[str]:
    problems = list(parser.validate())
    for p in parser.patterns:
        for why in check_pattern_dialect(p.regex):
            problems.append(f"{parser.name}.{p.name}: {why} is not in the common regex dialect")
        for s in p.samples:
            problems += check_sample(parser, p, s, others)
    for n in parser.negatives:
        problems += check_negative(parser, n)
    if parser.kind == "syslog":
        # no other parser may claim this parser's samples
        for other in others:
            for p in parser.patterns:
                for s in p.samples:
                    r = parse_lines([s.line], parsers=[other])
                    if any(df.height for df in r.tables.values()):
                        problems.append(f"{parser.name}.{p.name}: sample claimed by {other.name}")
    return problems


def _load(spec: str) -> Parser:
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr or "PARSER")


def main(argv=None) -> int:
    specs = (argv if argv is not None else sys.argv[1:]) or []
    if not specs:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    from parsers import REGISTRY

    parsers = [_load(s) for s in specs]
    problems = []
    for p in parsers:
        others = [o for o in REGISTRY + parsers if o is not p and o.name != p.name]
        problems += check_parser(p, others)
    for line in problems:
        print(line)
    n = sum(len(s.samples) for p in parsers for s in p.patterns)
    print(f"{len(parsers)} parser(s), {n} samples, {len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
