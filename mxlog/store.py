"""The DuckDB store: one file, numbered append-only migrations recorded in a table."""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path

import duckdb

from mxlog.errors import DatabaseBusy, MxlogError

DEFAULT_DB = "mxlog.duckdb"


def db_path(db: str | os.PathLike | None) -> Path:
    return Path(db or os.environ.get("MXLOG_DB") or DEFAULT_DB)


def migrations() -> list[tuple[int, str, str]]:
    """(number, name, sql) for every file in mxlog/migrations, in order."""
    found = []
    for entry in resources.files("mxlog.migrations").iterdir():
        m = re.fullmatch(r"(\d{4})_([a-z0-9_]+)\.sql", entry.name)
        if m:
            found.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise MxlogError(f"migrations are not numbered 1..N without gaps: {numbers}")
    return found


def connect(db: str | os.PathLike | None = None, *, read_only: bool = False, migrate: bool = True):
    """Open (and create or upgrade) the database."""
    path = db_path(db)
    if read_only and not path.exists():
        raise MxlogError(f"no database at {path}", hint="run `mxlog ingest` first, or pass --db")
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as e:
        if "lock" in str(e).lower():
            raise DatabaseBusy(
                f"database {path} is in use by another mxlog process",
                hint="wait for the running ingest to finish, or use another --db",
            ) from None
        raise MxlogError(f"cannot open database {path}: {str(e).splitlines()[0]}") from None
    except duckdb.Error as e:
        raise MxlogError(f"cannot open database {path}: {str(e).splitlines()[0]}") from None
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET memory_limit = '{os.environ.get('MXLOG_MEMORY_LIMIT', '320MB')}'")
    if migrate and not read_only:
        apply_migrations(con)
    return con


def apply_migrations(con) -> list[int]:
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    )
    done = {v for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for number, name, sql in migrations():
        if number in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [number, name])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(number)
    return applied


def table_columns(con, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = ? AND table_schema = 'main' ORDER BY ordinal_position",
        [table],
    ).fetchall()
