"""Rendering query results: one set of output formats for every command (style.md 9)."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import sys
from enum import Enum


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"


def _jsonable(v):
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return v.total_seconds()
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, bytes):
        return v.decode("utf-8", "backslashreplace")
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    return v


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, bytes):
        return v.decode("utf-8", "backslashreplace")
    return str(v)


def render(columns: list[str], rows: list[tuple], fmt: Format, out=None) -> None:
    out = out or sys.stdout
    if fmt == Format.csv:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([_text(v) for v in r])
    elif fmt == Format.json:
        json.dump([dict(zip(columns, map(_jsonable, r))) for r in rows], out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif fmt == Format.jsonl:
        for r in rows:
            out.write(json.dumps(dict(zip(columns, map(_jsonable, r))), ensure_ascii=False) + "\n")
    else:
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table, box

        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for c in columns:
            table.add_column(escape(c), overflow="fold")
        for r in rows:
            table.add_row(*(escape(_text(v)) for v in r))
        # data on stdout; log text is never interpreted as markup or emoji
        Console(file=out, width=max(80, min(200, _term_width())), emoji=False, highlight=False).print(table)


def _term_width() -> int:
    import shutil

    return shutil.get_terminal_size((120, 24)).columns
