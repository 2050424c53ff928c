"""The `mxlog` command line: parses arguments, calls mxlog functions, renders. Nothing else."""

from __future__ import annotations

import datetime
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from mxlog import __version__
from mxlog.errors import ExitCode, MxlogError
from mxlog.output import Format, render

app = typer.Typer(
    name="mxlog",
    help="Understand an OpenBSD mail server (PF, spamd, OpenSMTPD, spampd, dkimproxy, Dovecot) from its logs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

DbOption = Annotated[
    Optional[Path],
    typer.Option("--db", envvar="MXLOG_DB", help="DuckDB file (default: ./mxlog.duckdb).", show_envvar=True),
]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
PseudonymizeOption = Annotated[
    bool, typer.Option("--pseudonymize", help="Replace every e-mail address and IP by a keyed token (same value, same token).")
]
PseudonymKeyOption = Annotated[
    Optional[str],
    typer.Option("--pseudonymize-key", envvar="MXLOG_PSEUDONYM_KEY", show_envvar=True,
                 help="Key of the tokens (default: a random key kept in the database)."),
]

_state = {"traceback": False}


def _version(value: bool):
    if value:
        typer.echo(f"mxlog {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    traceback: Annotated[bool, typer.Option("--traceback", help="Show a Python traceback on errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
):
    _state["traceback"] = traceback


def _fail(e: BaseException) -> None:
    """One line on stderr, a hint, a named exit code; a traceback only when asked."""
    if _state["traceback"]:
        raise e
    if isinstance(e, MxlogError):
        typer.echo(f"Error: {e}", err=True)
        if e.hint:
            typer.echo(f"Hint: {e.hint}", err=True)
        raise typer.Exit(int(e.code))
    import duckdb

    if isinstance(e, duckdb.Error):
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        typer.echo(f"Error: {first}", err=True)
        typer.echo("Hint: `mxlog schema` lists the tables and columns", err=True)
        raise typer.Exit(int(ExitCode.ERROR))
    if isinstance(e, KeyboardInterrupt):
        typer.echo("Interrupted: whole chunks already read are kept; run again to resume.", err=True)
        raise typer.Exit(130)
    typer.echo(f"Error: {type(e).__name__}: {e}", err=True)
    typer.echo("Hint: run again with --traceback and report it", err=True)
    raise typer.Exit(int(ExitCode.ERROR))


def _utc(at: datetime.datetime | None) -> datetime.datetime | None:
    if at is not None and at.tzinfo is None:
        return at.replace(tzinfo=datetime.timezone.utc)
    return at


def _progress():
    if not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Log files or directories (read recursively).")],
    db: DbOption = None,
    host: Annotated[Optional[str], typer.Option(help="Host name for lines that carry none.")] = None,
    year: Annotated[Optional[int], typer.Option(help="Year of each new file's first line (default: from its mtime).")] = None,
    tz: Annotated[str, typer.Option(help="Time zone of BSD syslog timestamps (IANA name).")] = "UTC",
    at: Annotated[
        Optional[datetime.datetime],
        typer.Option(help="When spamdb dumps were taken (ISO time, UTC unless an offset is given; default: file mtime)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No per-file summaries.")] = False,
    smtpd_conf: Annotated[
        Optional[Path],
        typer.Option("--smtpd-conf", help="The site's smtpd.conf: which relay port is which filter (remembered)."),
    ] = None,
    journeys: Annotated[bool, typer.Option(help="Bring journeys/hops up to date after reading.")] = True,
    max_unparsed: Annotated[
        Optional[str],
        typer.Option("--max-unparsed", metavar="SHARE",
                     help="Exit 3 when more than this share of the lines read missed every pattern "
                          "(0.05 or 5%; lines of other programs do not count)."),
    ] = None,
    no_spamd_headers: Annotated[
        bool, typer.Option("--no-spamd-headers", help="Drop spamd's logged header lines (From/To/Subject) after reading.")
    ] = False,
):
    """Read logs into the database: incremental, idempotent, nothing read is lost."""
    from mxlog import api

    limit = _share(max_unparsed) if max_unparsed is not None else None
    try:
        progress = None if quiet else _progress()
        on_file = None if quiet else (lambda fr: typer.echo(fr.summary(), err=True))
        kw = dict(db=db, host=host, year=year, tz=tz, at=_utc(at), on_file=on_file, journeys=journeys,
                  smtpd_conf=smtpd_conf, spamd_headers=not no_spamd_headers)
        if progress:
            with progress:
                report = api.ingest(paths, progress=progress, **kw)
        else:
            report = api.ingest(paths, **kw)
    except (MxlogError, Exception, KeyboardInterrupt) as e:
        _fail(e)
    t = report.totals()
    if not quiet:
        typer.echo(
            f"{t['files']} files, {t['lines_read']:,} lines: {t['lines_parsed']:,} parsed, "
            f"{t['lines_unparsed']:,} unparsed, {t['rows']:,} rows{report.by_table_text()}"
            + (f", {t['errors']} unreadable" if t["errors"] else ""),
            err=True,
        )
        if getattr(report, "spamd_headers_dropped", 0):
            typer.echo(f"spamd header lines dropped (--no-spamd-headers): {report.spamd_headers_dropped:,}", err=True)
        if report.journeys:
            typer.echo(_journeys_text(report.journeys), err=True)
    if report.failed:
        raise typer.Exit(int(ExitCode.PARTIAL))
    if limit is not None and t["lines_read"]:
        missed = sum(f.lines_unparsed - f.other_program for f in report.files)
        share = missed / t["lines_read"]
        if share > limit:
            _fail(MxlogError(f"{missed:,} of {t['lines_read']:,} lines read ({100 * share:.2f} %) matched no pattern, "
                             f"over --max-unparsed {100 * limit:g} %",
                             hint="`mxlog unparsed --reason no-pattern-matched` shows them", code=ExitCode.PARTIAL))


def _share(text: str) -> float:
    """`0.05`, `5%` or `5 %` -> 0.05."""
    t = text.strip()
    try:
        value = float(t.rstrip("%").strip()) / (100 if t.endswith("%") else 1)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        _fail(MxlogError(f"--max-unparsed {text!r} is not a share", hint="give 0.05 or 5%", code=ExitCode.USAGE))
    return value


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run (DuckDB dialect); `mxlog schema` lists the tables.")],
    db: DbOption = None,
    format: FormatOption = Format.table,
    pseudonymize: PseudonymizeOption = False,
    pseudonymize_key: PseudonymKeyOption = None,
):
    """Run a SQL query against the database (read-only)."""
    from mxlog import api

    try:
        columns, rows = api.query(query, db=db, pseudonymize=pseudonymize, pseudonym_key=pseudonymize_key)
    except (MxlogError, Exception) as e:
        _fail(e)
    render(columns, rows, format)


def _journeys_text(b: dict) -> str:
    if b.get("mode") == "unchanged":
        return "journeys: up to date"
    return (f"journeys: {b['journeys']:,} ({b['mode']} build, {b['hops']:,} hops, {b['seconds']:.1f} s; "
            f"{b['ambiguous']:,} ambiguous links resolved by rule, {b['unlinked']:,} unlinked)")


@app.command()
def journeys(
    db: DbOption = None,
    full: Annotated[bool, typer.Option("--full", help="Rebuild every journey, not just the recent ones.")] = False,
    smtpd_conf: Annotated[
        Optional[Path],
        typer.Option("--smtpd-conf", help="The site's smtpd.conf: which relay port is which filter (remembered)."),
    ] = None,
):
    """Bring the journeys and hops tables up to date (ingest does this after reading)."""
    from mxlog import api

    try:
        b = api.build_journeys(db=db, full=full, smtpd_conf=smtpd_conf)
    except (MxlogError, Exception) as e:
        _fail(e)
    typer.echo(_journeys_text(b))


class TraceFormat(str, Enum):
    table = "table"
    json = "json"


@app.command()
def trace(
    query: Annotated[str, typer.Argument(help="Message-ID, smtpd msgid or evpid, address, IP, or journey_id.")],
    db: DbOption = None,
    format: Annotated[TraceFormat, typer.Option("--format", "-f", help="Output format.")] = TraceFormat.table,
    limit: Annotated[int, typer.Option(min=1, help="At most this many journeys (oldest first).")] = 20,
    raw: Annotated[bool, typer.Option(help="Show the raw log lines of every hop.")] = True,
):
    """A message's journey hop by hop, with times, durations and the raw lines of each hop."""
    import json

    from mxlog import trace as _trace
    from mxlog.store import connect

    try:
        con = connect(db, read_only=True)
        try:
            found, total = _trace.find(con, query, limit=limit)
        finally:
            con.close()
    except (MxlogError, Exception) as e:
        _fail(e)
    if not found:
        _fail(MxlogError(f"no journey matches {query!r}",
                         hint="try a Message-ID, msgid, evpid, address or IP; `mxlog journeys` builds them"))
    if format is TraceFormat.json:
        typer.echo(json.dumps(_trace.to_json(found), indent=1, ensure_ascii=False))
    else:
        typer.echo(_trace.render_text(found, total, raw=raw), nl=False)


@app.command()
def check(
    file: Annotated[Path, typer.Argument(help="A log file to try the parsers on (no database).")],
    print_missed: Annotated[bool, typer.Option("--print-missed", help="Print the lines no pattern matched.")] = False,
    host: Annotated[Optional[str], typer.Option(help="Host name for lines that carry none.")] = None,
    year: Annotated[Optional[int], typer.Option(help="Year of the first line.")] = None,
    tz: Annotated[str, typer.Option(help="Time zone of BSD timestamps.")] = "UTC",
    format: FormatOption = Format.table,
):
    """Dry run: which pattern matched how many lines, and what did not parse."""
    from mxlog import api

    try:
        result = api.check(file, host=host, year=year, tz=tz)
    except (MxlogError, Exception) as e:
        _fail(e)
    render(["table", "pattern", "rows"], result.counts, format)
    typer.echo(
        f"{result.lines_read:,} lines: {result.lines_parsed:,} parsed, {result.lines_unparsed:,} unparsed "
        f"({result.other_program:,} other programs, {result.missed:,} missed by known programs)",
        err=True,
    )
    if print_missed:
        for line_no, reason, raw in result.missed_lines:
            typer.echo(f"{line_no}\t{reason}\t{raw}")


@app.command()
def unparsed(
    db: DbOption = None,
    top: Annotated[int, typer.Option(help="How many templates to show.")] = 20,
    reason: Annotated[Optional[str], typer.Option(help="Only this reason (e.g. no-pattern-matched).")] = None,
    format: FormatOption = Format.table,
):
    """Unparsed lines grouped into templates (numbers, ids, addresses masked), commonest first."""
    from mxlog import api

    try:
        columns, rows = api.unparsed_templates(db=db, top=top, reason=reason)
    except (MxlogError, Exception) as e:
        _fail(e)
    render(columns, rows, format)


@app.command()
def schema(
    format: Annotated[str, typer.Option("--format", "-f", help="table | markdown | json")] = "table",
):
    """The public tables and their columns, with descriptions."""
    from mxlog.schema import markdown, reference

    if format == "markdown":
        typer.echo(markdown())
        return
    rows = [(t["table"], name, typ, desc) for t in reference() for name, typ, desc in t["columns"]]
    try:
        fmt = Format(format)
    except ValueError:
        _fail(MxlogError(f"unknown format {format!r}", hint="use table, markdown or json"))
    render(["table", "column", "type", "description"], rows, fmt)


class SmtpdFormat(str, Enum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"


class DovecotVersion(str, Enum):
    v22 = "2.2"
    v23 = "2.3"
    v24 = "2.4"


@app.command()
def simulate(
    out: Annotated[Path, typer.Option("--out", help="Directory to write mx1/, mx2/, mx3/ and truth/ into.")],
    seed: Annotated[int, typer.Option(help="Random seed: the same arguments give byte-identical files.")] = 1,
    days: Annotated[int, typer.Option(min=1, help="Days to simulate.")] = 1,
    start: Annotated[
        Optional[datetime.datetime], typer.Option(help="Start time (ISO, UTC unless an offset is given).")
    ] = None,
    rate: Annotated[float, typer.Option(min=0.1, help="Inbound messages per hour at the daily mean.")] = 60.0,
    smtpd_format: Annotated[SmtpdFormat, typer.Option(help="OpenSMTPD log-format family to write.")] = SmtpdFormat.E,
    dovecot: Annotated[DovecotVersion, typer.Option(help="Dovecot version whose lines to write.")] = DovecotVersion.v23,
    spamd_verbose: Annotated[bool, typer.Option(help="spamd -v: tuple and header lines.")] = True,
    spamd_debug: Annotated[bool, typer.Option(help="daemon.debug: grey.c lines.")] = True,
):
    """Simulate the seed's three-MX mail system: logs, captures, spamdb dumps and ground truth."""
    from mxlog.simulate import DEFAULT_START
    from mxlog.simulate import simulate as run_simulation

    try:
        summary = run_simulation(
            out, seed=seed, days=days, start=_utc(start) or DEFAULT_START, rate=rate,
            smtpd_format=smtpd_format.value, dovecot=dovecot.value, spamd_verbose=spamd_verbose,
            spamd_debug=spamd_debug,
        )
    except ValueError as e:
        _fail(MxlogError(str(e), hint="see `mxlog simulate --help` for the families and versions it writes"))
    except (MxlogError, Exception) as e:
        _fail(e)
    written = summary.get("written", {})
    typer.echo(
        f"{out}: {days} day(s) of mx1, mx2, mx3, {written.get('bytes', 0) / 1e6:,.1f} MB; "
        f"ground truth in {out / 'truth'}",
        err=True,
    )


@app.command()
def demo(
    db: DbOption = None,
):
    """Ingest the bundled samples/ and print what was found."""
    from mxlog import api

    try:
        text = api.demo(db=db)
    except (MxlogError, Exception) as e:
        _fail(e)
    typer.echo(text)


# ---------------------------------------------------------------- report (issue 7)
@app.command()
def report(
    db: DbOption = None,
    day: Annotated[Optional[str], typer.Option(metavar="DAY", help="UTC day YYYY-MM-DD (default: the latest day with data).")] = None,
    since: Annotated[Optional[str], typer.Option(metavar="DAY", help="First UTC day YYYY-MM-DD of a range.")] = None,
    until: Annotated[Optional[str], typer.Option(metavar="DAY", help="Last UTC day of a range, inclusive (default: the latest day with data).")] = None,
    last: Annotated[Optional[str], typer.Option(metavar="N[h|d]", help="The UTC days the last N hours or days touch: 24h, 7d.")] = None,
    host: Annotated[Optional[list[str]], typer.Option("--host", metavar="HOST", help="Only this host (repeat for several).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Directory to write into (default: reports/<day>).")] = None,
    formats: Annotated[str, typer.Option("--format", "-f", metavar="FORMATS", help="Comma-separated: html, md, json.")] = "html,md,json",
    pseudonymize: PseudonymizeOption = False,
    pseudonymize_key: PseudonymKeyOption = None,
):
    """Write the report (index.html, report.md, report.json) for a day or range from the database."""
    from mxlog import report as _report

    try:
        result = _report.write(db, out, _report.parse_formats(formats), day=day, since=since, until=until, last=last,
                               hosts=host or None, pseudonymize=pseudonymize, pseudonym_key=pseudonymize_key)
    except (MxlogError, Exception) as e:
        _fail(e)
    period = result["period"]
    typer.echo(f"report for {period.label} (UTC), hosts {', '.join(result['data']['hosts']) or 'none'}", err=True)
    for path in result["files"].values():
        typer.echo(str(path))


# ---------------------------------------------------------------- export (issue 10)
@app.command()
def export(
    out: Annotated[Path, typer.Option("--out", help="Lake directory: TABLE/host=H/date=YYYY-MM-DD/part-*.parquet.")],
    db: DbOption = None,
    since: Annotated[Optional[str], typer.Option(metavar="DAY", help="First UTC day YYYY-MM-DD to export.")] = None,
    until: Annotated[Optional[str], typer.Option(metavar="DAY", help="Last UTC day to export, inclusive.")] = None,
    table: Annotated[Optional[list[str]], typer.Option("--table", metavar="TABLE", help="Only this table (repeat for several; default: all).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No per-table summaries.")] = False,
    pseudonymize: PseudonymizeOption = False,
    pseudonymize_key: PseudonymKeyOption = None,
):
    """Export the tables, journeys and hops to a Parquet lake; writes only new or changed partitions."""
    from mxlog import export as _export

    try:
        for day in (since, until):
            if day is not None:
                datetime.date.fromisoformat(day)
        reports = _export.export(
            db, out, tables=table or None, since=since, until=until,
            on_table=None if quiet else (lambda r: typer.echo(r.summary(), err=True)),
            pseudonymize=pseudonymize, pseudonym_key=pseudonymize_key,
        )
    except ValueError as e:
        _fail(MxlogError(f"bad day: {e}", hint="days are YYYY-MM-DD (UTC)", code=ExitCode.USAGE))
    except (MxlogError, Exception) as e:
        _fail(e)
    written = sum(len(r.written) for r in reports)
    removed = sum(len(r.removed) for r in reports)
    typer.echo(f"{out}: {written} partitions written, {removed} removed, "
               f"{sum(r.rows_written for r in reports):,} rows", err=True)


# ---------------------------------------------------------------- spark-ingest (issue 10)
@app.command("spark-ingest")
def spark_ingest(
    paths: Annotated[list[str], typer.Argument(help="Syslog files (plain or .gz) or directories; any URI Spark reads.")],
    out: Annotated[str, typer.Option("--out", help="Lake directory or URI (same layout as `mxlog export`).")],
    master: Annotated[str, typer.Option(help="Spark master: local[N], spark://HOST:7077, yarn ...")] = "local[2]",
    year: Annotated[Optional[int], typer.Option(help="Year of BSD timestamps (default: from each local file's mtime, else this year).")] = None,
    tz: Annotated[str, typer.Option(help="Time zone of BSD syslog timestamps (IANA name).")] = "UTC",
    host: Annotated[Optional[str], typer.Option(help="Host name for lines that carry none.")] = None,
):
    """Parse raw syslog files with Apache Spark (pip install 'mxlog[spark]') into a Parquet lake."""
    try:
        from mxlog import spark as _spark

        result = _spark.ingest(paths, out, master=master, year=year, tz=tz, host=host)
    except (MxlogError, Exception) as e:
        _fail(e)
    typer.echo(result.summary(), err=True)


def run():  # console script entry point
    app()
