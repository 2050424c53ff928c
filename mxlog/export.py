"""Export the public tables to a Hive-partitioned Parquet lake (DESIGN.md, "Scale beyond one
machine"): `OUT/<table>/host=<host>/date=<YYYY-MM-DD>/part-<uuid>.parquet`, zstd, the column
types of the database. DuckDB, Spark, polars or pandas read it without mxlog.

Incremental: `OUT/_mxlog_manifest.json` keeps, per table and partition, its row count and a
checksum of its rows (the sum of DuckDB's row hashes). An export compares the database with the
manifest and rewrites only the partitions that are new or changed (a partition is replaced as a
whole directory, never appended to), and removes the ones that no longer have rows; an export
of an unchanged database writes nothing. A run killed half way leaves partitions that the
manifest does not vouch for, which the next run rewrites.

Pseudonymized (`pseudonymize=True`, `mxlog export --pseudonymize`): every text column goes
through mxlog/privacy.py's `Pseudonymizer.column` on its way into Parquet, so addresses, IPs and
the host, domain and login names of the columns it names become the same keyed tokens that
`mxlog report --pseudonymize` and `mxlog sql --pseudonymize` print with the same key; mxlog's own
hosts (the `host` partition) stay. The manifest records a fingerprint of the key: a lake is
either plain or pseudonymized with one key, never a mix (exporting into it otherwise fails).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from mxlog.errors import MxlogError
from mxlog.store import connect

MANIFEST = "_mxlog_manifest.json"
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"

# table -> (host expression, time expression) that partition it
PARTITIONS = {
    "smtpd_events": ("host", "ts"),
    "spamd_events": ("host", "ts"),
    "spamlogd_events": ("host", "ts"),
    "spampd_events": ("host", "ts"),
    "dkimproxy_events": ("host", "ts"),
    "dovecot_events": ("host", "ts"),
    "bgpd_events": ("host", "ts"),
    "pflog_packets": ("host", "ts"),
    "spamdb_entries": ("host", "ts"),
    "unparsed": ("host", "ts"),
    "files": ("host", "first_ts"),
    "journeys": ("first_host", "first_seen_ts"),
    "hops": ("host", "ts_start"),
}
TABLES = list(PARTITIONS)

# migrations that hold only views over the tables above: run them over the lake to get the
# same derived and metric views (greylist_stats, blacklist_stats, hop_latency ...)
VIEW_MIGRATIONS = ("smtpd_derived_views", "spamd_derived_views", "metrics")


@dataclass
class TableExport:
    table: str
    partitions: int = 0  # partitions in the lake for this table (within the window)
    written: list = field(default_factory=list)  # (host, date) rewritten
    removed: list = field(default_factory=list)  # (host, date) removed
    rows_written: int = 0

    def summary(self) -> str:
        return (
            f"{self.table}: {self.partitions} partitions, {len(self.written)} written "
            f"({self.rows_written:,} rows), {len(self.removed)} removed"
        )


def _source_sql(table: str) -> str:
    """The table with its partition columns `host` and `date` (UTC day)."""
    host, ts = PARTITIONS[table]
    select = "*" if host == "host" else f"*, {host} AS host"
    return f"SELECT {select}, strftime({ts}, '%Y-%m-%d') AS date FROM {table}"


def _window_sql(since: str | None, until: str | None) -> tuple[str, list]:
    conds, params = [], []
    if since:
        conds.append("date >= ?")
        params.append(since)
    if until:
        conds.append("date <= ?")
        params.append(until)
    return (" WHERE " + " AND ".join(conds)) if conds else "", params


def _key(host, date) -> str:
    return json.dumps([host, date])


def _in_window(key: str, since, until) -> bool:
    _, date = json.loads(key)
    if since is None and until is None:
        return True
    if date is None:
        return False
    return (since is None or date >= since) and (until is None or date <= until)


def load_manifest(out: Path) -> dict:
    path = out / MANIFEST
    if not path.exists():
        return {"version": 1, "tables": {}}
    return json.loads(path.read_text())


def _save_manifest(out: Path, manifest: dict) -> None:
    tmp = out / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    os.replace(tmp, out / MANIFEST)


def export(
    db=None, out: str | os.PathLike = "lake", *, tables: list[str] | None = None,
    since: str | None = None, until: str | None = None, on_table=None,
    pseudonymize: bool = False, pseudonym_key: str | None = None,
) -> list[TableExport]:
    """Bring the lake at `out` up to date with the database for `tables` (default: all) and
    the UTC days `since`..`until` (YYYY-MM-DD, inclusive; default: all). pseudonymize: text
    columns keyed as mxlog/privacy.py says (key: `pseudonym_key`, else MXLOG_PSEUDONYM_KEY,
    else the database's own)."""
    tables = tables or TABLES
    unknown = [t for t in tables if t not in PARTITIONS]
    if unknown:
        raise MxlogError(f"cannot export {', '.join(unknown)}", hint="tables: " + ", ".join(TABLES))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    manifest = load_manifest(out)
    con = connect(db, read_only=True)
    reports = []
    try:
        pz = _pseudonymizer(con, manifest, out, pseudonym_key) if pseudonymize else None
        if not pseudonymize and manifest.get("pseudonym"):
            raise MxlogError(f"the lake at {out} is pseudonymized", hint="export into it with --pseudonymize "
                             "and the same key, or into a new --out")
        for table in tables:
            report = _export_table(con, out, table, manifest, since, until, pz)
            _save_manifest(out, manifest)
            reports.append(report)
            if on_table:
                on_table(report)
    finally:
        con.close()
    return reports


def _pseudonymizer(con, manifest: dict, out: Path, given_key: str | None):
    """The Pseudonymizer for this export, registered as the SQL function mx_pseudonym(column,
    value); the key's fingerprint checked against (or written to) the manifest."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from mxlog import privacy

    pz = privacy.Pseudonymizer(privacy.resolve_key(given_key, con, create=False))
    fingerprint = pz.token("lake", "fingerprint")
    known = manifest.get("pseudonym")
    if known not in (None, fingerprint) or (known is None and any(manifest["tables"].values())):
        how = "with another pseudonym key" if known else "without --pseudonymize"
        raise MxlogError(f"the lake at {out} was exported {how}",
                         hint="export into a new --out (a lake is plain or pseudonymized with one key, never a mix)")
    manifest["pseudonym"] = fingerprint

    def udf(names, values):
        # the column name is a literal: one per call. Each distinct value of the batch is keyed
        # once and the tokens gathered back (no Python step per row)
        if len(values) == 0:
            return pa.array([], pa.string())
        name = names[0].as_py()
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        encoded = pc.dictionary_encode(values)
        tokens = pa.array([pz.column(name, v) for v in encoded.dictionary.to_pylist()], pa.string())
        return pc.take(tokens, encoded.indices)

    con.create_function("mx_pseudonym", udf, ["VARCHAR", "VARCHAR"], "VARCHAR", type="arrow")
    return pz


def _pseudonymized_sql(con, src: str, params) -> str:
    """`src` with every text column (and text list) through mx_pseudonym; the partition columns
    `host` and `date` as they are."""
    cols = con.execute(f"DESCRIBE SELECT * FROM ({src})", params).fetchall()
    out = []
    for name, typ, *_ in cols:
        q = '"' + name.replace('"', '""') + '"'
        lit = "'" + name.replace("'", "''") + "'"
        if name in ("host", "date"):
            out.append(q)
        elif typ == "VARCHAR":
            out.append(f"mx_pseudonym({lit}, {q}) AS {q}")
        elif typ == "VARCHAR[]":
            out.append(f"list_transform({q}, lambda x: mx_pseudonym({lit}, x)) AS {q}")
        else:
            out.append(q)
    return f"SELECT {', '.join(out)} FROM ({src})"


def _export_table(con, out: Path, table: str, manifest: dict, since, until, pz=None) -> TableExport:
    report = TableExport(table)
    where, params = _window_sql(since, until)
    src = f"SELECT * FROM ({_source_sql(table)}){where}"
    stats = con.execute(
        f"SELECT host, date, count(*), sum(hash(t))::VARCHAR FROM ({src}) t GROUP BY ALL", params
    ).fetchall()
    known = manifest["tables"].setdefault(table, {})
    current = {_key(h, d): {"rows": n, "checksum": c} for h, d, n, c in stats}
    changed = [k for k, v in current.items() if {kk: known.get(k, {}).get(kk) for kk in v} != v]
    gone = [k for k in known if k not in current and _in_window(k, since, until)]
    report.partitions = len(current)
    table_dir = out / table

    for k in gone:
        shutil.rmtree(table_dir / known[k]["dir"], ignore_errors=True)
        del known[k]
        report.removed.append(tuple(json.loads(k)))

    if changed:
        staging = out / f".staging-{uuid.uuid4().hex}"
        try:
            con.execute("CREATE OR REPLACE TEMP TABLE export_keys (host VARCHAR, date VARCHAR)")
            con.executemany("INSERT INTO export_keys VALUES (?, ?)", [json.loads(k) for k in changed])
            rows = (f"SELECT s.* FROM ({src}) s SEMI JOIN export_keys k"
                    " ON s.host IS NOT DISTINCT FROM k.host AND s.date IS NOT DISTINCT FROM k.date")
            if pz is not None:
                rows = _pseudonymized_sql(con, rows, params)
            con.execute(
                f"COPY ({rows})"
                f" TO '{_sql_str(staging)}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (host, date),"
                " FILENAME_PATTERN 'part-{uuid}')",
                params,
            )
            table_dir.mkdir(exist_ok=True)
            for part in sorted(staging.glob("host=*/date=*")):
                host, date = (_partition_value(p.name) for p in (part.parent, part))
                rel = f"{part.parent.name}/{part.name}"
                target = table_dir / rel
                if target.exists():
                    trash = staging / f"old-{uuid.uuid4().hex}"
                    os.replace(target, trash)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(part, target)
                k = _key(host, date)
                known[k] = {**current[k], "dir": rel}
                report.written.append((host, date))
                report.rows_written += current[k]["rows"]
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return report


def _partition_value(name: str):
    value = unquote(name.split("=", 1)[1])
    return None if value == NULL_PARTITION else value


def _sql_str(path: Path) -> str:
    return str(path).replace("'", "''")


def lake_glob(out: str | os.PathLike, table: str) -> str:
    return f"{Path(out)}/{table}/**/*.parquet"


def attach_lake(con, out: str | os.PathLike, *, source=None) -> list[str]:
    """Make a DuckDB connection read the lake as mxlog's tables: one view per exported table
    (named like the table, its columns as in the database; `journeys` drops the partition
    column `host` it gained), then the derived and metric views of the migrations over them.
    `source`: a connection to a database whose schema gives empty tables a view too."""
    from mxlog.store import migrations

    made = []
    for table in TABLES:
        files = list((Path(out) / table).glob("**/*.parquet"))
        if files:
            drop = "date" if PARTITIONS[table][0] == "host" else "date, host"
            con.execute(
                f"CREATE OR REPLACE VIEW {table} AS SELECT * EXCLUDE ({drop}) FROM read_parquet("
                f"'{_sql_str(Path(lake_glob(out, table)))}', hive_partitioning = true,"
                " hive_types = {'host': VARCHAR, 'date': DATE})"
            )
        elif source is not None:
            con.execute(f"CREATE OR REPLACE TABLE {table} AS FROM {source}.{table} LIMIT 0")
        else:
            continue
        made.append(table)
    for _, name, sql in migrations():
        if name in VIEW_MIGRATIONS:
            con.execute(sql)
    return made
