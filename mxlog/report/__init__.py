"""`mxlog report`: queries (data.py) -> one dict -> renderings (render.py): index.html,
report.md, report.json. A notebook calls `collect` or `write` the same way the CLI does."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from mxlog.errors import ExitCode, MxlogError
from mxlog.report import charts as _charts
from mxlog.report import render, sections
from mxlog.report.data import collect, latest_window
from mxlog.report.period import Period, choose

FORMATS = ("html", "md", "json")
FILES = {"html": "index.html", "md": "report.md", "json": "report.json"}

__all__ = ["FORMATS", "Period", "build_journeys", "choose", "collect", "parse_formats", "write"]


def parse_formats(text: str) -> list[str]:
    wanted = [f.strip().lower() for f in (text or "").split(",") if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise MxlogError(f"unknown report format {', '.join(bad) or repr(text)}", hint="use html, md, json or a "
                         "comma-separated list of them", code=ExitCode.USAGE)
    return list(dict.fromkeys(wanted))


def build_journeys(con) -> bool:
    """Fill journeys/hops when the builder is installed (mxlog.journeys); False when it is not."""
    try:
        from mxlog import journeys  # noqa: PLC0415
    except ImportError:
        return False
    journeys.build(con)
    return True


def write(db=None, out=None, formats=FORMATS, *, day=None, since=None, until=None, last=None,
          hosts=None, now: dt.datetime | None = None, pseudonymize: bool = False, pseudonym_key: str | None = None) -> dict:
    """Write the report files into `out` (default reports/<first day>[_<last day>]); returns
    {"period", "files": {format: path}, "data"}. pseudonymize: every address and IP in every
    rendering replaced by a keyed token (mxlog/privacy.py; the key from `pseudonym_key`, else
    MXLOG_PSEUDONYM_KEY, else the one stored in the database)."""
    from mxlog.store import connect, db_path

    path = db_path(db)
    if not path.exists():
        raise MxlogError(f"no database at {path}", hint="run `mxlog ingest` first, or pass --db", code=ExitCode.NO_INPUT)
    con = connect(path)  # read-write: applies migrations (0014's views) to an older database
    try:
        if con.execute("SELECT count(*) FROM journeys").fetchone()[0] == 0:
            build_journeys(con)
        if hosts:
            known = {h for (h,) in con.execute("SELECT DISTINCT host FROM files WHERE host IS NOT NULL").fetchall()}
            unknown = sorted(set(hosts) - known)
            if unknown:
                raise MxlogError(f"no host {', '.join(unknown)} in {path}",
                                 hint=f"hosts in the database: {', '.join(sorted(known)) or 'none'}", code=ExitCode.USAGE)
        if day is None and last is None and until is None:  # the period ends on the latest day with data
            with latest_window(con) as latest:  # collect() reuses the views evaluated for it
                period = choose(since=since, latest=latest, now=now)
                data = collect(con, period, hosts=hosts, generated_at=now)
        else:
            period = choose(day=day, since=since, until=until, last=last, now=now)
            data = collect(con, period, hosts=hosts, generated_at=now)
        if pseudonymize:
            from mxlog import privacy

            data = privacy.Pseudonymizer(privacy.resolve_key(pseudonym_key, con)).value(data)
    finally:
        con.close()
    out = Path(out) if out is not None else Path("reports") / period.slug
    out.mkdir(parents=True, exist_ok=True)
    secs = sections.build(data)
    files = {}
    for fmt in formats:
        target = out / FILES[fmt]
        if fmt == "html":
            text = render.to_html(data, secs, _charts.render_all(data))
        elif fmt == "md":
            text = render.to_markdown(data, secs)
        else:
            text = render.to_json(data)
        target.write_text(text, encoding="utf-8")
        files[fmt] = target
    return {"period": period, "files": files, "data": data}
