"""Pseudonymization for reports and exports: every e-mail address and IP address in the output
is replaced by a keyed token (HMAC-SHA256), the same token for the same value wherever it
appears, so that tables still group and compare but name nobody.

- `alice@mail.example.org` -> `user-3f2a91c4@dom-91c4e0a7.org`: the local part is keyed with the
  whole address, the domain on its own (every address of one domain shares its `dom-` token),
  and the top-level domain is kept so the shape stays readable.
- `198.51.100.7` -> `ip4-5b0e27d1`, `2001:db8::1` -> `ip6-0c81f2aa`.

The key: `--pseudonymize-key`, else the environment's MXLOG_PSEUDONYM_KEY, else a random key
made once and kept in the database (table `pseudonym_key`), so tokens stay the same from one
report to the next. Anyone with the key and a guess can confirm the guess (an HMAC is not
encryption): keep the key with the database, not with the reports.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import re
import secrets

from mxlog.errors import MxlogError

ENV_KEY = "MXLOG_PSEUDONYM_KEY"
TOKEN_HEX = 8  # 32 bits: no collision to expect among a site's few ten thousand addresses

# a `key=` of the daemons' key=value lines (to=alice@...) is not part of the local part
_EMAIL = re.compile(r"(?P<key>\b(?:from|to|rcpt|user|orcpt|sender|recipient|address)=)?"
                    r"(?P<addr>[^\s<>\"',;@\[\]]+@(?:[A-Za-z0-9\-]+\.)+[A-Za-z][A-Za-z0-9\-]*)")
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
_IPV6 = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:%\w+)?(?![\w:])")


def stored_key(con, create: bool) -> bytes | None:
    """The database's own key (made on first use when `create`)."""
    exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'pseudonym_key'").fetchone()[0]
    if exists:
        row = con.execute("SELECT key FROM pseudonym_key LIMIT 1").fetchone()
        if row:
            return bytes.fromhex(row[0])
    if not create:
        return None
    key = secrets.token_bytes(32)
    con.execute("CREATE TABLE IF NOT EXISTS pseudonym_key (key VARCHAR NOT NULL, created_at TIMESTAMPTZ DEFAULT now())")
    con.execute("INSERT INTO pseudonym_key (key) VALUES (?)", [key.hex()])
    return key


def resolve_key(given: str | None, con=None, create: bool = True) -> bytes:
    """--pseudonymize-key, else MXLOG_PSEUDONYM_KEY, else the database's key."""
    text = given or os.environ.get(ENV_KEY)
    if text:
        return text.encode("utf-8")
    key = stored_key(con, create) if con is not None else None
    if key is None:
        raise MxlogError("no pseudonym key", hint=f"pass --pseudonymize-key, set {ENV_KEY}, or run "
                         "`mxlog report --pseudonymize` once to store one in the database")
    return key


# dict keys whose values are mxlog's own prose (the report's definitions and baselines cite
# "RFC 5321 4.5.4.1", which reads like an IPv4 address): left as they are
PROSE_KEYS = frozenset({"definition", "baselines", "label", "note", "notes"})


class Pseudonymizer:
    def __init__(self, key: bytes):
        self.key = key
        self._memo: dict[str, str] = {}

    def token(self, kind: str, value: str) -> str:
        mac = hmac.new(self.key, f"{kind}\0{value}".encode("utf-8"), hashlib.sha256).hexdigest()
        return mac[:TOKEN_HEX]

    def address(self, addr: str) -> str:
        local, _, domain = addr.rpartition("@")
        domain = domain.lower()
        tld = domain.rsplit(".", 1)[-1] if "." in domain else "invalid"
        return f"user-{self.token('addr', local + '@' + domain)}@dom-{self.token('domain', domain)}.{tld}"

    def ip(self, text: str) -> str | None:
        try:
            ip = ipaddress.ip_address(text.split("%", 1)[0])
        except ValueError:
            return None
        return f"ip{ip.version}-{self.token('ip', ip.compressed)}"

    def text(self, s: str) -> str:
        """Every address and IP in `s` replaced; the rest as it was."""
        if s in self._memo:
            return self._memo[s]
        out = _EMAIL.sub(lambda m: (m.group("key") or "") + self.address(m.group("addr")), s)
        out = _IPV4.sub(lambda m: self.ip(m.group()) or m.group(), out)
        out = _IPV6.sub(lambda m: (self.ip(m.group()) or m.group()) if "::" in m.group() or m.group().count(":") == 7
                        else m.group(), out)
        self._memo[s] = out
        return out

    def value(self, v):
        """Strings, and strings inside lists and dicts (values, not keys), pseudonymized."""
        if isinstance(v, str):
            return self.text(v)
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if isinstance(v, tuple):
            return tuple(self.value(x) for x in v)
        if isinstance(v, dict):
            return {k: x if k in PROSE_KEYS else self.value(x) for k, x in v.items()}
        return v
