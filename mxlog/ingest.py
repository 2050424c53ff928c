"""Incremental, idempotent ingest of log files into the store.

A file is identified by its *content*, not its name: the sha256 of its first bytes (up to
FP_BYTES, decompressed). So `maillog` read yesterday and `maillog.0.gz` today are one content
stream: today's run skips what was read and reads only what was appended before rotation.
Each chunk's rows and the file's progress record commit in one transaction, so a run killed at
any moment leaves the database as it was after the last whole chunk, and the next run resumes
from there.
"""

from __future__ import annotations

import bz2
import dataclasses
import gzip
import hashlib
import json
import lzma
import os
import re
import time
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
from isal import igzip, isal_zlib

from mxlog.engine import Engine
from mxlog.errors import MxlogError, NoInput
from parsers.syslog import FrameState

# 32 MB of input per chunk (and transaction): against 16 MB, 13% less CPU per line and an 11%
# smaller file (fewer partly filled row groups), peak RSS 600 -> 805 MB on 256 MB of log
# (interleaved runs, BENCHMARKS.md). env: tests use small chunks.
CHUNK_BYTES = int(os.environ.get("MXLOG_CHUNK_BYTES", 32 << 20))
# DuckDB's buffer pool while ingesting: a chunk's insert needs well under this; a larger pool
# only keeps written blocks cached, and the process grows with the input until it is full
# (BENCHMARKS.md, peak RSS). MXLOG_MEMORY_LIMIT, when set, is the limit for ingest too.
INGEST_MEMORY_LIMIT = os.environ.get("MXLOG_MEMORY_LIMIT", "128MB")
FP_BYTES = 4096
MIN_FP_MATCH = 128
SNIFF_LINES = 20

_COMPRESSION_MAGIC = [(b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz")]
_PCAP_MAGIC = {b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d"}
_SYSLOG_HEAD = re.compile(
    rb"^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d\S*|@[0-9a-f]{24}) \S+ \S"
)
_SPAMDB_HEAD = re.compile(rb"^(?:GREY|WHITE|TRAPPED|SPAMTRAP)\|")
_ROTATED = re.compile(r"^(?P<base>.+?)(?:\.(?P<n>\d+)|-(?P<date>\d{8}))?(?:\.(?:gz|bz2|xz|z|Z))?$")


# ---------------------------------------------------------------------------- discovery


def discover(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Files under `paths` (directories recursively), each rotated set oldest first
    (`maillog.2.gz`, `maillog.1.gz`, `maillog.0.gz`, `maillog`)."""
    found: list[Path] = []
    missing = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(q for q in p.rglob("*") if q.is_file() and not q.name.startswith("."))
        elif p.exists():
            found.append(p)
        else:
            missing.append(str(p))
    if missing:
        raise NoInput(f"no such file or directory: {', '.join(missing)}")
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=rotation_key)


def rotation_key(path: Path):
    m = _ROTATED.match(path.name)
    base = m.group("base") if m else path.name
    if m and m.group("n") is not None:
        order = (0, -int(m.group("n")))
    elif m and m.group("date") is not None:
        order = (0, int(m.group("date")))
    else:
        order = (1, 0)
    return (str(path.parent), base, order, path.name)


# ---------------------------------------------------------------------------- reading


# what a damaged compressed stream raises while it is read: a file that cannot be read
READ_ERRORS = (OSError, EOFError, lzma.LZMAError, gzip.BadGzipFile, ValueError, zlib.error, isal_zlib.error)


def open_content(path: Path, *, fast: bool = False):
    """(binary stream of the decompressed content, compression name or None).

    fast: gunzip with ISA-L (`isal.igzip`, a GzipFile whose inflate takes about a third of
    zlib's CPU; BENCHMARKS.md). It raises `isal_zlib.error` on damaged deflate data where
    zlib raises `zlib.error`: READ_ERRORS has both."""
    with open(path, "rb") as f:
        magic = f.read(6)
    for prefix, name in _COMPRESSION_MAGIC:
        if magic.startswith(prefix):
            opener = {"gzip": igzip.open if fast else gzip.open, "bzip2": bz2.open, "xz": lzma.open}[name]
            return opener(path, "rb"), name
    return open(path, "rb"), None


def detect_kind(head: bytes) -> str:
    if not head:
        return "empty"
    if head[:4] in _PCAP_MAGIC:
        return "pcap"
    if head[:4] == b"\x0a\x0d\x0d\x0a":
        return "pcapng"
    lines = head.split(b"\n")[:SNIFF_LINES]
    if any(_SPAMDB_HEAD.match(line) for line in lines[:3]):
        return "spamdb"
    if any(_SYSLOG_HEAD.match(line) for line in lines):
        return "syslog"
    if b"\0" in head:
        return "binary"
    return "text"


def _read_exact(stream, n: int) -> bytes:
    parts, got = [], 0
    while got < n:
        b = stream.read(n - got)
        if not b:
            break
        parts.append(b)
        got += len(b)
    return b"".join(parts)


def _skip(stream, n: int) -> int:
    """Skip n content bytes from the current position (seek in plain files, read through
    compressed ones). Returns how many could be skipped."""
    if n <= 0:
        return 0
    if not isinstance(stream, (gzip.GzipFile, bz2.BZ2File, lzma.LZMAFile)):
        here = stream.tell()
        end = stream.seek(0, os.SEEK_END)
        stream.seek(min(here + n, end))
        return min(here + n, end) - here
    skipped = 0
    while skipped < n:
        b = stream.read(min(CHUNK_BYTES, n - skipped))
        if not b:
            break
        skipped += len(b)
    return skipped


# ---------------------------------------------------------------------------- ingest


@dataclass
class FileReport:
    path: str
    file_id: int | None = None
    kind: str = ""
    status: str = ""  # read | unchanged | skipped | error | empty
    message: str = ""
    same_as: str | None = None  # path the content was first read from, when different
    lines_read: int = 0
    lines_parsed: int = 0
    lines_unparsed: int = 0
    other_program: int = 0
    rows: int = 0
    rows_by_table: dict = field(default_factory=dict)
    bytes_read: int = 0
    pending_bytes: int = 0  # an unfinished last line left for the next run
    seconds: float = 0.0

    def _by_table(self) -> str:
        return _table_counts(self.rows_by_table)

    def summary(self, timing: bool = True) -> str:
        name = self.path
        if self.status == "error":
            return f"{name}: error: {self.message}"
        if self.status in ("skipped", "empty"):
            return f"{name}: skipped ({self.message})"
        where = f" (content first read as {self.same_as})" if self.same_as else ""
        if self.status == "unchanged":
            return f"{name}: nothing new{where}"
        if self.kind in ("pcap", "pcapng"):
            problems = f"; {self.message}" if self.message else ""
            return f"{name}: {self.lines_read:,} packets (pflog_packets){problems}" + (
                f" in {self.seconds:.1f}s" if timing else "") + where
        misses = self.lines_unparsed - self.other_program
        text = (
            f"{name}: {self.lines_read:,} lines, {self.lines_parsed:,} parsed, "
            f"{self.lines_unparsed:,} unparsed ({self.other_program:,} other programs, {misses:,} missed), "
            f"{self.rows:,} rows{self._by_table()}" + (f" in {self.seconds:.1f}s" if timing else "") + where
        )
        if self.pending_bytes:
            text += f"; {self.pending_bytes} bytes of an unfinished last line left for the next run"
        return text


def _table_counts(counts: dict) -> str:
    if not counts:
        return ""
    return " (" + ", ".join(f"{t.removesuffix('_events')} {n:,}" for t, n in sorted(counts.items())) + ")"


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)
    journeys: dict | None = None  # the journey_builds row of the build after this ingest

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "error"]

    def totals(self) -> dict:
        return {
            "files": len(self.files),
            "lines_read": sum(f.lines_read for f in self.files),
            "lines_parsed": sum(f.lines_parsed for f in self.files),
            "lines_unparsed": sum(f.lines_unparsed for f in self.files),
            "rows": sum(f.rows for f in self.files),
            "errors": len(self.failed),
            "rows_by_table": self.rows_by_table(),
        }

    def rows_by_table(self) -> dict:
        out: dict = {}
        for f in self.files:
            for t, n in f.rows_by_table.items():
                out[t] = out.get(t, 0) + n
        return out

    def by_table_text(self) -> str:
        return _table_counts(self.rows_by_table())


@dataclass
class IngestOptions:
    host: str | None = None
    year: int | None = None
    tz: str = "UTC"
    at: float | None = None  # snapshot time (epoch seconds) of headerless dumps; default: mtime
    # host for what names none (captures, dumps, hostless lines) when --host is not given:
    # the syslog host of the files in the same directory
    default_host: str | None = None
    chunk_bytes: int = CHUNK_BYTES


def ingest(
    con,
    paths: Iterable[str | os.PathLike],
    options: IngestOptions | None = None,
    *,
    on_file: Callable[[FileReport], None] | None = None,
    progress=None,
) -> IngestReport:
    """Ingest files and directories into an open store connection."""
    options = options or IngestOptions()
    _check_tz(options.tz)
    files = discover(paths)
    engine = Engine()
    report = IngestReport()
    dir_hosts = {} if options.host else directory_hosts(files)
    # Each chunk's commit leaves a partly filled row group per table. DuckDB's checkpoint
    # "vacuums" them by decompressing and recompressing every such table whole, once, at the
    # end (when the connection closes): ~30% of the CPU of an ingest, spent after the pipeline
    # has drained, with nothing to overlap it (BENCHMARKS.md). Ingest deletes nothing, so it
    # checkpoints with vacuuming off; the rows are the same, the file is smaller.
    vacuum, memory = con.execute(
        "SELECT current_setting('max_vacuum_tasks'), current_setting('memory_limit')").fetchone()
    con.execute("SET max_vacuum_tasks = 0")
    con.execute(f"SET memory_limit = '{INGEST_MEMORY_LIMIT}'")
    try:
        _ingest_files(con, files, options, dir_hosts, engine, report, on_file, progress)
        try:
            con.execute("CHECKPOINT")
        except duckdb.Error:  # another transaction is open on this database: the close will do it
            pass
    finally:
        con.execute(f"SET max_vacuum_tasks = {int(vacuum)}")
        con.execute(f"SET memory_limit = '{memory}'")
    return report


def _ingest_files(con, files, options, dir_hosts, engine, report, on_file, progress):
    for path in files:
        started = time.monotonic()
        try:
            file_options = options
            if not options.host and dir_hosts.get(path.parent):
                file_options = dataclasses.replace(options, host=None, default_host=dir_hosts[path.parent])
            fr = ingest_file(con, engine, path, file_options, progress=progress)
        except MxlogError as e:
            fr = FileReport(str(path), status="error", message=str(e))
        except READ_ERRORS as e:
            fr = FileReport(str(path), status="error", message=_os_error_text(e))
        fr.seconds = time.monotonic() - started
        report.files.append(fr)
        if on_file:
            on_file(fr)


def directory_hosts(files: list[Path]) -> dict[Path, str]:
    """The most frequent syslog HOSTNAME in the first lines of the syslog files of each
    directory: the host of the captures and dumps beside them (per-host folders)."""
    counts: dict[Path, dict[str, int]] = {}
    for path in files:
        try:
            stream, _ = open_content(path)
            with stream:
                head = _read_exact(stream, FP_BYTES)
        except (OSError, EOFError, lzma.LZMAError, ValueError, zlib.error):
            continue
        if detect_kind(head) == "syslog":
            host = _guess_host(head)
            if host:
                seen = counts.setdefault(path.parent, {})
                seen[host] = seen.get(host, 0) + 1
    return {d: max(c, key=c.get) for d, c in counts.items()}


def _os_error_text(e: BaseException) -> str:
    if isinstance(e, OSError) and e.strerror:
        return e.strerror.lower()
    text = str(e) or type(e).__name__
    return text.splitlines()[0]


def _check_tz(tz: str):
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise MxlogError(f"unknown time zone {tz!r}", hint="use an IANA name such as Europe/Berlin or UTC") from None


def ingest_file(con, engine: Engine, path: Path, options: IngestOptions, *, progress=None) -> FileReport:
    fr = FileReport(str(path))
    st = path.stat()
    stream, compression = open_content(path, fast=True)
    with stream:
        head = _read_exact(stream, FP_BYTES)
        fr.kind = kind = detect_kind(head)
        if kind == "empty":
            fr.status, fr.message = "empty", "empty file"
            return fr
        # a spamdb dump is a snapshot of one host: synced spamd databases give byte-identical
        # dumps on different hosts, so a dump is never "the same content" under another path
        known = _find_stream(con, head, str(path), by_content=kind != "spamdb")
        if kind in ("pcap", "pcapng"):
            return _ingest_capture(con, path, st, kind, compression, head, stream, known, options, fr)
        if kind != "syslog" and kind not in engine.by_kind:
            if compression:
                # a corrupt stream can decode to garbage before its first checksum (bzip2
                # checks a block's CRC at its end): read it through, so that a broken file is
                # reported unreadable rather than skipped as "not a log"
                while stream.read(1 << 20):
                    pass
            fr.status = "skipped"
            fr.message = {
                "pcap": "pflog capture: no pcap decoder yet",
                "pcapng": "pcapng capture: no pcap decoder yet",
                "spamdb": "spamdb dump: no spamdb parser yet",
                "binary": "binary file, not a log",
                "text": "not a log mxlog reads: no syslog header in its first lines",
            }.get(kind, f"no parser for {kind} files")
            if known is None:
                _register(con, path, st, kind, compression, head, options, status="skipped", message=fr.message)
            return fr
        if known is None:
            file_id = _register(con, path, st, kind, compression, head, options, status="reading")
            consumed, state_json, tz = 0, None, options.tz
        else:
            file_id, first_path, consumed, state_json, tz, fp_len = known
            fr.same_as = first_path if first_path != str(path) else None
            con.execute("INSERT OR IGNORE INTO file_paths (file_id, path) VALUES (?, ?)", [file_id, str(path)])
            if fp_len < len(head):  # the stream grew past its old fingerprint: remember more of it
                con.execute(
                    "UPDATE files SET fingerprint = ?, fp_len = ? WHERE file_id = ?",
                    [_sha(head), len(head), file_id],
                )
        fr.file_id = file_id
        state = FrameState(
            default_host=options.host or options.default_host or "",
            tz=tz,
            mtime=st.st_mtime,
            # headerless dumps (spamdb): every entry is stamped with the dump's time
            snapshot_us=int((options.at if options.at is not None else st.st_mtime) * 1_000_000),
        )
        if consumed == 0:
            state.year = options.year
        if state_json:
            saved = json.loads(state_json)
            state.year, state.last_month = saved.get("year"), saved.get("last_month")
            state.last_by_host = saved.get("last_by_host", {})
            state.line_no = saved.get("line_no", 0)
        # position the stream at `consumed`
        buffer = head[consumed:] if consumed < len(head) else b""
        if consumed > len(head):
            skipped = _skip(stream, consumed - len(head))
            if skipped < consumed - len(head):
                fr.status = "unchanged"
                return fr
        task = progress.add_task(path.name, total=st.st_size) if progress else None
        raw_file = getattr(stream, "fileobj", None) or getattr(stream, "_fp", None) or stream
        reader = LineChunks(stream, buffer, options.chunk_bytes, complete=compression is not None)

        def read_and_parse():
            item = next(reader, None)
            if item is None:
                return None
            chunk, real_len = item
            result = engine.parse_chunk(chunk, state, kind)
            # the state as it is after this chunk, saved with this chunk's rows
            return result, real_len, json.dumps(state.to_json() | {"line_no": state.line_no})

        # two stages on two cores: the next chunk is read and parsed while this one is written
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mxlog-parse") as pool:
            pending = pool.submit(read_and_parse)
            while (done := pending.result()) is not None:
                pending = pool.submit(read_and_parse)
                result, real_len, saved = done
                _write_chunk(con, engine, file_id, result, saved, fr, real_len)
                del done, result
                _release_free_memory()
                if progress is not None:
                    try:
                        progress.update(task, completed=raw_file.tell())
                    except (OSError, ValueError, AttributeError):
                        pass
        buffer = reader.buffer
        fr.pending_bytes = len(buffer)
        if progress is not None:
            progress.remove_task(task)
    con.execute(
        "UPDATE files SET status = 'complete', size = ?, mtime = to_timestamp(?), updated_at = now() WHERE file_id = ?",
        [st.st_size, st.st_mtime, file_id],
    )
    fr.status = "read" if fr.lines_read else "unchanged"
    return fr


def _ingest_capture(con, path: Path, st, kind, compression, head, stream, known, options, fr: FileReport) -> FileReport:
    """A pflog capture: decoded whole (pcap records are chained; pflog files are rotated
    small), then only the packets after those already stored are written, with the file's
    progress, in one transaction. A truncated last record is kept, flagged `truncated`."""
    from parsers import pflog

    data = head + stream.read()
    if known is None:
        file_id = _register(con, path, st, kind, compression, head, options, status="reading")
        done_packets = 0
    else:
        file_id = known[0]
        fr.same_as = known[1] if known[1] != str(path) else None
        con.execute("INSERT OR IGNORE INTO file_paths (file_id, path) VALUES (?, ?)", [file_id, str(path)])
        done_packets = con.execute("SELECT lines_read FROM files WHERE file_id = ?", [file_id]).fetchone()[0]
    fr.file_id = file_id
    packets, problems = pflog.decode(data)
    new = packets.filter(pl.col("packet_no") > done_packets)
    fr.message = "; ".join(problems)
    n = new.height
    ts = new["ts"].drop_nulls()
    first_ts, last_ts = (ts.min(), ts.max()) if len(ts) else (None, None)
    con.execute("BEGIN TRANSACTION")
    try:
        if n:
            _insert(con, "pflog_packets", new.with_columns(
                pl.lit(file_id, pl.Int32).alias("file_id"),
                pl.lit(options.host or options.default_host or "", pl.String).alias("host")))
        con.execute(
            """UPDATE files SET bytes_consumed = ?, lines_read = lines_read + ?, lines_parsed = lines_parsed + ?,
                   rows = rows + ?, first_ts = coalesce(least(first_ts, ?), ?), last_ts = coalesce(greatest(last_ts, ?), ?),
                   message = ?, status = 'complete', size = ?, mtime = to_timestamp(?), updated_at = now(),
                   parser_versions = ? WHERE file_id = ?""",
            [len(data), n, n, n, first_ts, first_ts, last_ts, last_ts, fr.message or None, st.st_size,
             st.st_mtime, json.dumps({"pflog": pflog.VERSION}), file_id],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    fr.lines_read = fr.lines_parsed = fr.rows = n
    if n:
        fr.rows_by_table["pflog_packets"] = n
    fr.bytes_read = len(data)
    fr.status = "read" if n else "unchanged"
    return fr


class LineChunks:
    """Iterates over (chunk, content bytes) pieces of a stream cut at line ends, about
    `size` bytes each. An unfinished last line stays in `.buffer`, unless the stream is
    `complete` (a compressed file cannot grow), where it is given a newline."""

    def __init__(self, stream, buffer: bytes, size: int, complete: bool):
        self.stream, self.buffer, self.size, self.complete = stream, buffer, size, complete
        self.eof = False

    def __iter__(self):
        return self

    def __next__(self) -> tuple[bytes, int]:
        while not self.eof:
            data = self.stream.read(self.size)
            self.eof = not data
            self.buffer += data
            added = 0
            if self.eof and self.complete and self.buffer and not self.buffer.endswith(b"\n"):
                self.buffer += b"\n"
                added = 1
            cut = self.buffer.rfind(b"\n") + 1
            if cut:
                chunk, self.buffer = self.buffer[:cut], self.buffer[cut:]
                return chunk, cut - added
        raise StopIteration


def _write_chunk(con, engine: Engine, file_id: int, result, saved_state: str, fr: FileReport, real_len: int):
    """One transaction: the chunk's rows, its unparsed lines and the file's progress."""
    lines, unparsed_n = result.lines, result.lines_unparsed
    other = int((result.unparsed["reason"] == "other-program").sum()) if unparsed_n else 0
    first_ts, last_ts = result.first_ts, result.last_ts
    con.execute("BEGIN TRANSACTION")
    try:
        for table, df in result.tables.items():
            _insert(con, table, df.with_columns(pl.lit(file_id, pl.Int32).alias("file_id")))
        if unparsed_n:
            _insert(con, "unparsed", result.unparsed.drop("rep").with_columns(pl.lit(file_id, pl.Int32).alias("file_id")))
        con.execute(
            """UPDATE files SET bytes_consumed = bytes_consumed + ?, lines_read = lines_read + ?,
                   lines_parsed = lines_parsed + ?, lines_unparsed = lines_unparsed + ?, rows = rows + ?,
                   first_ts = coalesce(least(first_ts, ?), ?), last_ts = coalesce(greatest(last_ts, ?), ?),
                   frame_state = ?, parser_versions = ?, updated_at = now()
               WHERE file_id = ?""",
            [real_len, lines, lines - unparsed_n, unparsed_n, result.rows, first_ts, first_ts, last_ts, last_ts,
             saved_state, json.dumps(engine.versions), file_id],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    fr.lines_read += lines
    fr.lines_unparsed += unparsed_n
    fr.lines_parsed += lines - unparsed_n
    fr.other_program += other
    fr.rows += result.rows
    for table, df in result.tables.items():
        fr.rows_by_table[table] = fr.rows_by_table.get(table, 0) + df.height
    fr.bytes_read += real_len


def _insert(con, table: str, df: pl.DataFrame):
    # string columns as Arrow string views, polars' own layout: no copy into large_string
    # buffers, and DuckDB reads views ~10% faster (BENCHMARKS.md)
    arrow = df.to_arrow(compat_level=pl.CompatLevel.newest())
    con.register("_mxlog_chunk", arrow)
    try:
        con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM _mxlog_chunk')
    finally:
        con.unregister("_mxlog_chunk")


def _malloc_trim():
    try:
        import ctypes

        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


_MALLOC_TRIM = _malloc_trim()


def _release_free_memory():
    """Give the C heap's free pages back to the system after a chunk (glibc keeps what numpy
    and the framing freed, up to tens of MB per chunk, and the peak RSS creeps up)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _find_stream(con, head: bytes, path: str, by_content: bool = True):
    """The known content stream whose fingerprinted prefix equals the start of `head`:
    (file_id, first path, bytes consumed, frame state, tz, fp_len) or None."""
    lens = [n for (n,) in con.execute("SELECT DISTINCT fp_len FROM files WHERE fp_len > 0").fetchall()]
    # a prefix shorter than MIN_FP_MATCH bytes can be boilerplate (a pcap file header is 24
    # bytes): such a stream is only continued under its own path
    keys = [(n, _sha(head[:n])) for n in lens if n <= len(head)]
    if not keys:
        return None
    rows = con.execute(
        f"""SELECT file_id, path, bytes_consumed, frame_state, tz, fp_len, status FROM files
            WHERE (fp_len, fingerprint) IN ({", ".join("(?, ?)" for _ in keys)})
              AND ((? AND fp_len >= ?) OR file_id IN (SELECT file_id FROM file_paths WHERE path = ?))
            ORDER BY (path = ?) DESC, fp_len DESC, file_id""",
        [v for k in keys for v in k] + [by_content, MIN_FP_MATCH, path, path],
    ).fetchall()
    if not rows:
        return None
    return rows[0][:6]


def _register(con, path: Path, st, kind: str, compression, head: bytes, options: IngestOptions, *, status: str, message=None) -> int:
    con.execute("BEGIN TRANSACTION")
    try:
        (file_id,) = con.execute(
            """INSERT INTO files (path, host, kind, compression, fingerprint, fp_len, size, mtime, status, message, tz)
               VALUES (?, ?, ?, ?, ?, ?, ?, to_timestamp(?), ?, ?, ?) RETURNING file_id""",
            [str(path), options.host or _guess_host(head) or options.default_host, kind, compression, _sha(head), len(head),
             st.st_size, st.st_mtime, status, message, options.tz],
        ).fetchone()
        con.execute("INSERT INTO file_paths (file_id, path) VALUES (?, ?)", [file_id, str(path)])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return file_id


def _guess_host(head: bytes) -> str | None:
    hosts: dict[str, int] = {}
    for line in head.split(b"\n")[:SNIFF_LINES]:
        m = re.match(rb"^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\S+) (\S+) ", line)
        if m and not m.group(1).endswith(b":"):
            h = m.group(1).decode("utf-8", "replace")
            hosts[h] = hosts.get(h, 0) + 1
    return max(hosts, key=hosts.get) if hosts else None
