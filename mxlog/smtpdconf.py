"""Which local relay port is which content filter, read from a site's smtpd.conf.

Both syntaxes are understood:

  old (up to 6.3):  accept from any for domain <domains> relay via smtp://127.0.0.1:10025  # send to spampd
  new (6.4 on):     action "spampd" relay host smtp://127.0.0.1:10025
                    match from any for domain <domains> action "spampd"

The filter is named from the action name, else the comment on the statement, else the port's
role in the seed article (10025 spampd, 10027 dkimproxy); a port nothing names is `filter`.
Only relays to a loopback address count: a relay to another host is an mta_out, not a proxy."""

from __future__ import annotations

import re
from pathlib import Path

from mxlog.errors import MxlogError

KNOWN = (
    ("spampd", ("spampd", "spamassassin", "spamd", "spam")),
    ("dkimproxy", ("dkimproxy", "dkim")),
    ("clamsmtp", ("clamsmtp", "clamav", "clam", "virus")),
)

_RELAY = re.compile(
    r"""(?:relay\s+via|relay\s+host|host)\s+"?(?:smtps?|lmtp|tls|secure)?(?:\+tls)?://(?:[^@\s"]*@)?"""
    r"""(?P<host>\[[^\]]+\]|[^:\s"/]+):(?P<port>\d+)""",
    re.I,
)
_ACTION = re.compile(r"""^\s*action\s+"?(?P<name>[^"\s]+)"?""", re.I)
_LOOPBACK = re.compile(r"^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?|lo0)$", re.I)


def _name(text: str) -> str | None:
    low = text.lower()
    for stage, words in KNOWN:
        if any(w in low for w in words):
            return stage
    return None


def logical_lines(text: str) -> list[tuple[str, str]]:
    """(statement, comment) with backslash continuations joined."""
    out, buf, comments = [], [], []
    for raw in text.splitlines():
        line, _, comment = raw.partition("#")
        if comment.strip():
            comments.append(comment.strip())
        stripped = line.rstrip()
        if stripped.endswith("\\"):
            buf.append(stripped[:-1])
            continue
        buf.append(stripped)
        statement = " ".join(part.strip() for part in buf if part.strip())
        if statement:
            out.append((statement, " ".join(comments)))
            comments = []
        buf = []
    return out


def proxy_ports(text: str) -> dict[int, str]:
    """{port: stage} for every relay to a loopback port in an smtpd.conf."""
    found: dict[int, str] = {}
    last_comment = ""
    for statement, comment in logical_lines(text):
        m = _RELAY.search(statement)
        if not m or not _LOOPBACK.match(m.group("host").strip("[]")):
            last_comment = comment
            continue
        port = int(m.group("port"))
        a = _ACTION.match(statement)
        stage = (_name(a.group("name")) if a else None) or _name(comment) or _name(last_comment)
        if stage is None:
            from mxlog.journeys import DEFAULT_PROXY_PORTS

            stage = DEFAULT_PROXY_PORTS.get(port, "filter")
        found[port] = stage
        last_comment = ""
    return found


def read(path) -> dict[int, str]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise MxlogError(f"cannot read smtpd.conf {p}: {e.strerror or e}") from None
    ports = proxy_ports(text)
    if not ports:
        raise MxlogError(f"{p}: no `relay via` / `relay host` to a loopback port found",
                         hint="give the smtpd.conf that relays to spampd/dkimproxy, or leave --smtpd-conf out")
    return ports
