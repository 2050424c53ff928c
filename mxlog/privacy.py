"""Pseudonymization for reports and exports: every e-mail address and IP address in the output
is replaced by a keyed token (HMAC-SHA256), the same token for the same value wherever it
appears, so that tables still group and compare but name nobody.

- `alice@mail.example.org` -> `user-3f2a91c4@dom-91c4e0a7.org`: the local part is keyed with the
  whole address, the domain on its own (every address of one domain shares its `dom-` token),
  and the top-level domain is kept so the shape stays readable.
- `198.51.100.7` -> `ip4-5b0e27d1`, `2001:db8::1` -> `ip6-0c81f2aa`.
- Columns that hold a stranger's or a customer's *name* rather than an address (by column name,
  `NAME_COLUMNS`): host names (HELO, rDNS, relay, peer) -> `host-1c0ffee5.net` (TLD kept); domains
  -> the `dom-` token their addresses get; login names -> `login-9a3e77b2` (an address as login
  keeps the address token). mxlog's own hosts (`host`, `primary_host`, ...) are left as they are:
  they name the admin's machines, which the reader knows.

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
# a DNS name with an alphabetic TLD, not part of an address (`a.b@c.d`) or a longer token
_HOSTNAME = re.compile(r"(?<![\w.@\-])(?:[A-Za-z0-9_](?:[A-Za-z0-9\-_]*[A-Za-z0-9_])?\.)+[A-Za-z][A-Za-z0-9\-]*\.?"
                       r"(?![\w@\-]|\.\w)")
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


# columns (and report keys) holding names that are not addresses; matched by exact name
HOST_COLUMNS = frozenset({"helo", "rdns", "client_rdns", "peer_host", "relay", "to_host", "from_host",
                          "remote_host", "hostname"})
DOMAIN_COLUMNS = frozenset({"domain", "signer_domain", "sender_domains", "recipient_domains", "sender_domain",
                            "recipient_domain", "from_domain", "to_domain"})
LOGIN_COLUMNS = frozenset({"user", "users", "auth_user", "local_user", "service_user", "logins", "login"})
NAME_COLUMNS = HOST_COLUMNS | DOMAIN_COLUMNS | LOGIN_COLUMNS
# what daemons write where a name is unknown: no one's name, kept
KEEP_WORDS = frozenset({"", "<unknown>", "unknown", "localhost", "-"})


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

    def domain(self, domain: str) -> str:
        domain = domain.lower().rstrip(".")
        tld = domain.rsplit(".", 1)[-1] if "." in domain else "invalid"
        return f"dom-{self.token('domain', domain)}.{tld}"

    def hostname(self, name: str) -> str:
        name = name.lower().rstrip(".")
        tld = name.rsplit(".", 1)[-1] if "." in name else "invalid"
        tld = tld if re.fullmatch(r"[a-z][a-z0-9\-]{0,62}", tld) else "invalid"  # junk keeps no text of its own
        return f"host-{self.token('host', name)}.{tld}"

    def login(self, name: str) -> str:
        return f"login-{self.token('login', name)}"

    def column(self, name: str, v):
        """A value of column (or report key) `name`: names replaced as NAME_COLUMNS says, then
        every address and IP as in `text`. Lists are done element by element."""
        if isinstance(v, (list, tuple)):
            return type(v)(self.column(name, x) for x in v)
        if not isinstance(v, str) or name not in NAME_COLUMNS:
            return self.value(v)
        if name in LOGIN_COLUMNS:
            return self.text(v) if "@" in v or self.ip(v) else self.login(v)
        if name in DOMAIN_COLUMNS:
            return _HOSTNAME.sub(lambda m: self.domain(m.group()), v)
        # a HELO, rDNS or relay: blank-separated words, each a DNS name, an IP or `[IP]`; any
        # other word (a bare `localhost`, a stranger's junk) is keyed whole
        return " ".join(self._host_word(w) for w in v.split(" "))

    def _host_word(self, w: str) -> str:
        if w in KEEP_WORDS:
            return w
        bare = w[1:-1] if w.startswith("[") and w.endswith("]") else w
        if self.ip(bare):
            return w.replace(bare, self.ip(bare))
        if "@" in w and _EMAIL.fullmatch(w):
            return self.text(w)
        return self.hostname(w)

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
            return {k: x if k in PROSE_KEYS else self.column(k, x) if k in NAME_COLUMNS else self.value(x)
                    for k, x in v.items()}
        return v

    def row(self, columns: list[str], row) -> tuple:
        """One result row of a query whose column names are `columns`."""
        return tuple(self.column(c, v) for c, v in zip(columns, row))
