"""The command line: exact output, exit codes, one-line errors, every command documented."""

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from conftest import ROOT, write_maillog
from mxlog.cli import app

runner = CliRunner()
COMMANDS = ["ingest", "sql", "check", "unparsed", "schema", "demo", "simulate", "journeys", "trace", "report", "export",
            "spark-ingest"]


def test_the_list_of_commands_is_complete():
    from typer.main import get_command

    assert sorted(get_command(app).commands) == sorted(COMMANDS)


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def loaded(tmp_path, db):
    log = tmp_path / "maillog"
    write_maillog(log, 3)
    r = run("ingest", log, "--db", db)
    assert r.exit_code == 0, r.output
    return db


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(command):
    r = run(command, "--help")
    assert r.exit_code == 0 and "Usage" in r.output
    assert f"mxlog {command}" in (ROOT / "README.md").read_text()


def test_ingest_prints_summaries_on_stderr_only(tmp_path, db):
    log = tmp_path / "maillog"
    write_maillog(log, 3)
    r = subprocess.run(
        [sys.executable, "-m", "mxlog", "ingest", str(log), "--db", str(db)], capture_output=True, text=True, cwd=ROOT
    )
    assert r.returncode == 0 and r.stdout == ""
    assert "21 lines, 18 parsed, 3 unparsed (3 other programs, 0 missed), 18 rows (smtpd 18)" in r.stderr
    assert r.stderr.strip().splitlines()[-2] == "1 files, 21 lines: 18 parsed, 3 unparsed, 18 rows (smtpd 18)"
    assert r.stderr.strip().splitlines()[-1].startswith("journeys: 3 (full build, ")


def test_sql_formats(loaded):
    query = "SELECT event, count(*) AS n FROM smtpd_events GROUP BY 1 ORDER BY 1"
    r = run("sql", query, "--db", loaded, "--format", "csv")
    assert r.exit_code == 0
    assert r.stdout == "event,n\nconnected,3\ndelivery,3\ndisconnected,3\nenvelope,3\nmessage,3\ntls,3\n"
    r = run("sql", query + " LIMIT 1", "--db", loaded, "--format", "json")
    assert json.loads(r.output) == [{"event": "connected", "n": 3}]
    r = run("sql", query + " LIMIT 2", "--db", loaded, "--format", "jsonl")
    assert r.output.splitlines() == ['{"event": "connected", "n": 3}', '{"event": "delivery", "n": 3}']
    r = run("sql", query, "--db", loaded)
    assert "connected" in r.output and "n" in r.output


def test_sql_error_is_one_line_with_hint(loaded):
    r = run("sql", "SELECT nope FROM smtpd_events", "--db", loaded)
    assert r.exit_code == 1
    assert r.output.splitlines()[0].startswith("Error: Binder Error")
    assert "Traceback" not in r.output


def test_missing_database_and_missing_input(tmp_path):
    r = run("sql", "SELECT 1", "--db", tmp_path / "none.duckdb")
    assert r.exit_code == 1 and "Error: no database at" in r.output
    r = run("ingest", tmp_path / "nothing-here", "--db", tmp_path / "x.duckdb")
    assert r.exit_code == 5 and r.output.startswith("Error: no such file or directory")


def test_bad_time_zone_is_a_usage_error(tmp_path):
    log = tmp_path / "maillog"
    write_maillog(log, 1)
    r = run("ingest", log, "--db", tmp_path / "x.duckdb", "--tz", "Mars/Olympus")
    assert r.exit_code == 1 and "Error: unknown time zone 'Mars/Olympus'" in r.output


def test_check_counts_patterns_and_prints_misses(tmp_path):
    log = tmp_path / "maillog"
    write_maillog(log, 2)
    with open(log, "a") as f:
        f.write("Nov 24 23:00:00 mx1 smtpd[1]: 0123456789abcdef smtp frobnicated\n")
    r = run("check", log, "--print-missed", "--format", "csv")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0] == "table,pattern,rows"
    assert any(line.startswith("smtpd_events,") and line.endswith(",2") for line in lines[1:])
    assert "15\tno-pattern-matched\tNov 24 23:00:00 mx1 smtpd[1]: 0123456789abcdef smtp frobnicated" in r.output
    assert "15 lines: 12 parsed, 3 unparsed (2 other programs, 1 missed by known programs)" in r.output


def test_unparsed_groups_templates(loaded):
    r = run("unparsed", "--db", loaded, "--format", "csv")
    assert r.exit_code == 0
    assert r.output.splitlines()[1].startswith("3,other-program,cron,cron: (root) CMD (/usr/libexec/atrun),")


def test_schema_lists_public_tables():
    r = run("schema", "--format", "csv")
    assert r.exit_code == 0
    for table in ("files", "unparsed", "smtpd_events"):
        assert f"\n{table}," in r.output
    r = run("schema", "--format", "markdown")
    assert "### `smtpd_events`" in r.output


def test_python_dash_m_and_version():
    r = subprocess.run([sys.executable, "-m", "mxlog", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0 and r.stdout.startswith("mxlog ")


def test_demo_output_is_what_the_readme_shows():
    r = run("demo")
    assert r.exit_code == 0, r.output
    assert "lines read = parsed + unparsed: True" in r.stdout
    readme = (ROOT / "README.md").read_text()
    shown = readme.split("$ make demo\n.venv/bin/mxlog demo\n", 1)[1].split("```", 1)[0]
    assert r.stdout == shown, "README's make demo output is stale: paste the new output"


def test_simulate_writes_three_hosts_and_refuses_unsupported_families(tmp_path):
    r = run("simulate", "--out", tmp_path / "sim", "--seed", "2", "--rate", "10")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (tmp_path / "sim").iterdir()) == ["mx1", "mx2", "mx3", "truth"]
    r = run("simulate", "--out", tmp_path / "sim2", "--smtpd-format", "C", "--dovecot", "2.4", "--rate", "5")
    assert r.exit_code == 0, r.output
    assert "smtp event=connected" in (tmp_path / "sim2" / "mx1" / "maillog").read_text()
    r = run("simulate", "--out", tmp_path / "sim3", "--smtpd-format", "F")
    assert r.exit_code == 2 and "Traceback" not in r.output
