"""spamdb dumps (`spamdb` stdout saved to a file) — one `spamdb_entries` row per db entry.

Reference: /work/shared/formats.md section 2.5 (spamdb output), 2.2 (grey.c semantics), 8.8.

A dump has no syslog header: the engine reads it as kind "spamdb" (`Parser.kind`), every line
is the message, `ts` is the dump's snapshot time (`--at`, else the file's mtime) and `host`
the file's host. One row per line; `entry` says which of the four printf()s wrote it:

  GREY      "GREY|%s|%s|%s|%s|%lld|%lld|%lld|%d|%d"   ip, helo, from, to, first, pass, expire,
                                                      bcount, pcount (HELO form, by v1.24)
            "GREY|%s|%s|%s|%d|%d|%d|%d|%d"            ip, from, to, ... (old form, no HELO)
  WHITE     "WHITE|%s|||%lld|%lld|%lld|%d|%d"         ip, first, pass, expire, bcount, pcount
  TRAPPED   "TRAPPED|%s|%lld"                         ip, expire           (db pcount == -1)
  SPAMTRAP  "SPAMTRAP|%s"                             address              (db pcount == -2)

`%d` (old) and `%lld` (time_t change) print the same text for these values: one regex each.

GREY is parsed from both ends, because `|` inside helo/from/to is NOT escaped (formats.md
2.5, 8.8): the ip first (an IP literal never holds `|`), then the five numbers anchored at
`$`, and the middle is `helo|from|to` (HELO form) or `from|to` (old form). The rules, in
pattern order (first match wins):

1. `grey`: the LAST two `|`-separated tokens before the numbers are bracketed, `<...>` with
   no `<`/`>` inside (they may hold `|`): they are from and to, and everything between the
   ip and from is the helo, whatever it holds (`|`, `<a@b>`). Needs at least one `|` between
   ip and from, so it is the 9-field form; `GREY|ip||<f>|<t>|...` (the 3-part-key fallback,
   or a client that sent MAIL without HELO/EHLO) gives helo ''.
2. `grey_old`: exactly `ip|<from>|<to>|numbers` (both bracketed; they may hold `|`): the
   8-field form without HELO (helo NULL). Cannot match a line rule 1 matches.
3. `grey_unbracketed` / `grey_old_unbracketed`: a client may send `MAIL FROM:` without
   brackets (spamd keeps its token raw), so a token may be `a@b`, `<a@b` or `<>`: when no
   field holds `|`, three middle fields are the HELO form and two the old form. An empty
   unbracketed token and a lone `<` or `>` are not read (they would let a `|` inside a token
   pass for a separator): such lines land in `unparsed`. mail_from / rcpt_to are derived from
   the tokens by one rule, the token without its brackets.

Ambiguity (no rule can tell, the text is identical): an old 8-field line whose from token
itself contains `>|<` (client sent `MAIL FROM:<x>|<y>`) is read as the HELO form with helo
`<x>`; a HELO-form line whose from token contains `>|<` puts the part before `|<` into helo.
Either way to and the numbers stay right, and a HELO cannot move from/to (they are taken
from the end). A line with a `|` inside an UNbracketed token, or a stray `<`/`>` inside a
token, matches nothing and lands in `unparsed` (counted, not guessed).

There is no column for "passed greylisting" (the engine derives fields from one column by
regex, and this needs two): grey.c sets pass = expire = now + greyexp for a new GREY entry
and pass = now on a retry after passtime, so `pass_time < expire_time` means the tuple was
retried after passtime (formats.md 2.5). Do it in SQL.
"""

from __future__ import annotations

import datetime

from parsers.base import Derived, Field, Negative, Parser, Pattern, Sample

# --- building blocks (all in the RE2/Rust/Java/Python common subset) ------------------------

# spamd is IPv4 only (formats.md 2.1); `spamdb -a` keys are numeric addresses: no `|`.
IP = r"(?P<ip>[0-9A-Fa-f.:]+)"
# "%lld|%lld|%lld|%d|%d" (first, pass, expire, bcount, pcount), anchored at the end
TIMES = r"(?P<first_time>\d+)\|(?P<pass_time>\d+)\|(?P<expire_time>\d+)"
COUNTS = r"(?P<bcount>-?\d+)\|(?P<pcount>-?\d+)"
TAIL = rf"\|{TIMES}\|{COUNTS}$"
# spamd's MAIL/RCPT token in brackets: may contain `|` (not escaped), not `<` or `>`
FROM_BR = r"(?P<from_token><[^<>]*>)"
TO_BR = r"(?P<to_token><[^<>]*>)"
# an unbracketed (or half-bracketed) token without `|`: `<>`, or at least one character between
# optional brackets. Not an empty token, nor a lone `<` or `>`: those would let a `|` inside a
# token pass for a separator (`GREY|ip|||<to>|...` is an old line with sender `|` as much as a
# HELO line with empty HELO and sender; `...|a@b|<|>|...` an old line with recipient `<|>`), so
# such a line matches nothing and is counted in `unparsed`, not guessed.
FROM_RAW = r"(?P<from_token><>|<?[^|<>]+>?)"
TO_RAW = r"(?P<to_token><>|<?[^|<>]+>?)"
# mail_from / rcpt_to: the token without the brackets it has (derived, one rule for every form)
STRIP_BRACKETS = r"^<?([^<>]*)>?$"

ROUTER = r"^(GREY|WHITE|TRAPPED|SPAMTRAP)\|"


def _t(epoch: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)


def _s(line, origin="derived", **fields):
    return Sample(line, fields, origin)


def _grey(fields: int, **more):
    return {"entry": "GREY", "grey_fields": fields, **more}


FIELDS = (
    Field("entry", "kind of db entry, the line's first word: GREY, WHITE, TRAPPED or SPAMTRAP"),
    Field(
        "grey_fields",
        "GREY lines only: 9 for the HELO form (`GREY|ip|helo|from|to|...`, spamdb by v1.24 and "
        "all later) or 8 for the old form without HELO (before v1.24). A dump is of one form, but "
        "this is decided per line; see the module doc for the ambiguous case",
        "int",
    ),
    Field(
        "ip",
        "client IPv4 address (GREY: first part of the tuple key; WHITE/TRAPPED: the key)",
        "ip",
    ),
    Field(
        "helo",
        "GREY HELO form: the raw HELO/EHLO word the client sent (attacker text; may hold `|` "
        "or `<a@b>`); '' when the key has no HELO part (old 3-part key printed by the fallback, "
        "or a client that sent MAIL without HELO/EHLO); NULL in the old 8-field form",
    ),
    Field(
        "from_token",
        "GREY: spamd's raw MAIL FROM token as stored, normally with brackets (`<a@example.net>`, "
        "`<>`); attacker text, may hold `|`",
    ),
    Field("to_token", "GREY: spamd's raw RCPT TO token as stored, normally with brackets"),
    Field(
        "mail_from",
        "GREY: from_token without the surrounding `<` `>`; '' for the null sender `<>`",
    ),
    Field("rcpt_to", "GREY: to_token without the surrounding `<` `>`"),
    Field(
        "first_time",
        "GREY/WHITE: when the entry was created (grey.c: first attempt of the tuple)",
        "epoch",
    ),
    Field(
        "pass_time",
        "GREY/WHITE `pass`. GREY: equals expire_time for a new entry (grey.c `gd.pass = now + "
        "expire; gd.expire = now + expire`) and becomes the time of a retry made after passtime "
        "(`if (gd.first + passtime < now) gd.pass = now`), so pass_time < expire_time means the "
        "tuple was retried after passtime (formats.md 2.5)",
        "epoch",
    ),
    Field(
        "expire_time",
        "GREY/WHITE/TRAPPED: when the entry expires (GREY: first attempt + greyexp, 4 h by "
        "default; TRAPPED: the trap's expiry)",
        "epoch",
    ),
    Field("bcount", "GREY/WHITE: blocked-connection count (%d; grey.c adds 1 per attempt)", "int"),
    Field(
        "pcount",
        "GREY/WHITE: passed-connection count (%d). In the db, pcount -1 marks a TRAPPED entry "
        "and -2 a SPAMTRAP address; spamdb prints those as TRAPPED/SPAMTRAP lines without "
        "counts, so this column is NULL for them (use entry)",
        "int",
    ),
    Field(
        "trap_address",
        "SPAMTRAP: the spamtrap address as stored (`spamdb -T -a` lower-cases it and requires "
        "an `@`)",
    ),
)

# ============================================================================================
# GREY (spamdb.c v1.36 2018/07/26; HELO form by v1.24 2008/05/17; old form v1.11 .. v1.15)
# ============================================================================================

GREY = (
    Pattern(
        "grey",
        ("GREY",),
        rf"^GREY\|{IP}\|(?P<helo>.*)\|{FROM_BR}\|{TO_BR}{TAIL}$",
        '"GREY|%s|%s|%s|%s|%lld|%lld|%lld|%d|%d\\n" (ip, helo, from, to, first, pass, expire, '
        'bcount, pcount); v1.24 era the same with %d; 3-part-key fallback '
        'printf("GREY|%s|%s|%s|%s|...", a, "", helo, from)',
        (
            _s(
                "GREY|198.51.100.23|mail.example.net|<a@example.net>|<bob@example.org>"
                "|1732442412|1732456812|1732456812|1|0",
                ip="198.51.100.23",
                helo="mail.example.net",
                from_token="<a@example.net>",
                to_token="<bob@example.org>",
                mail_from="a@example.net",
                rcpt_to="bob@example.org",
                first_time=_t(1732442412),
                pass_time=_t(1732456812),
                expire_time=_t(1732456812),
                bcount=1,
                pcount=0,
            ),
            # retried after passtime (pass = now < expire), null sender
            _s(
                "GREY|198.51.100.24|[198.51.100.24]|<>|<carol@example.org>"
                "|1732442412|1732444212|1732456812|2|0",
                helo="[198.51.100.24]",
                from_token="<>",
                mail_from="",
                rcpt_to="carol@example.org",
                pass_time=_t(1732444212),
                bcount=2,
            ),
            # old 3-part key (ip\nfrom\nto) or MAIL without HELO: empty helo
            _s(
                "GREY|192.0.2.7||<news@example.net>|<dave@example.org>"
                "|1732442412|1732456812|1732456812|1|0",
                ip="192.0.2.7",
                helo="",
                mail_from="news@example.net",
                rcpt_to="dave@example.org",
            ),
        ),
        _grey(9),
    ),
    Pattern(
        "grey_old",
        ("GREY",),
        rf"^GREY\|{IP}\|{FROM_BR}\|{TO_BR}{TAIL}$",
        '"GREY|%s|%s|%s|%d|%d|%d|%d|%d\\n" (ip, from, to, first, pass, expire, bcount, pcount; '
        "no HELO: spamdb v1.11 2004, v1.15 2006, until HELO was added before v1.24 2008)",
        (
            _s(
                "GREY|198.51.100.23|<a@example.net>|<bob@example.org>"
                "|1142400000|1142414400|1142414400|1|0",
                ip="198.51.100.23",
                helo=None,
                from_token="<a@example.net>",
                to_token="<bob@example.org>",
                mail_from="a@example.net",
                rcpt_to="bob@example.org",
                first_time=_t(1142400000),
                pass_time=_t(1142414400),
                expire_time=_t(1142414400),
                bcount=1,
                pcount=0,
            ),
            _s(
                "GREY|203.0.113.8|<>|<erin@example.org>|1142400000|1142402100|1142414400|3|0",
                mail_from="",
                rcpt_to="erin@example.org",
                pass_time=_t(1142402100),
                bcount=3,
            ),
        ),
        _grey(8),
    ),
    Pattern(
        "grey_unbracketed",
        ("GREY",),
        rf"^GREY\|{IP}\|(?P<helo>[^|]*)\|{FROM_RAW}\|{TO_RAW}{TAIL}$",
        '"GREY|%s|%s|%s|%s|%lld|%lld|%lld|%d|%d\\n" with a token the client sent without <> '
        "(spamd setlog(): the text after `:` up to the next blank)",
        (
            _s(
                "GREY|198.51.100.31|bulk.example.com|promo@example.com|<frank@example.org>"
                "|1732442412|1732456812|1732456812|1|0",
                ip="198.51.100.31",
                helo="bulk.example.com",
                from_token="promo@example.com",
                mail_from="promo@example.com",
                to_token="<frank@example.org>",
                rcpt_to="frank@example.org",
            ),
            _s(
                "GREY|198.51.100.32|x|<>|grace@example.org|1732442412|1732456812|1732456812|1|0",
                from_token="<>",
                mail_from="",
                to_token="grace@example.org",
                rcpt_to="grace@example.org",
            ),
        ),
        _grey(9),
    ),
    Pattern(
        "grey_old_unbracketed",
        ("GREY",),
        rf"^GREY\|{IP}\|{FROM_RAW}\|{TO_RAW}{TAIL}$",
        '"GREY|%s|%s|%s|%d|%d|%d|%d|%d\\n" (no HELO) with a token the client sent without <>',
        (
            _s(
                "GREY|198.51.100.31|promo@example.com|<frank@example.org>"
                "|1142400000|1142414400|1142414400|1|0",
                helo=None,
                from_token="promo@example.com",
                mail_from="promo@example.com",
                rcpt_to="frank@example.org",
                first_time=_t(1142400000),
            ),
        ),
        _grey(8),
    ),
)

# ============================================================================================
# WHITE / TRAPPED / SPAMTRAP (spamdb.c v1.36; %d instead of %lld until the time_t change)
# ============================================================================================

OTHERS = (
    Pattern(
        "white",
        ("WHITE",),
        rf"^WHITE\|{IP}\|\|\|{TIMES}\|{COUNTS}$",
        '"WHITE|%s|||%lld|%lld|%lld|%d|%d\\n" (ip, first, pass, expire, bcount, pcount); '
        'old "WHITE|%s|||%d|%d|%d|%d|%d\\n"',
        (
            _s(
                "WHITE|203.0.113.40|||1732442412|1732442412|1735553212|1|3",
                ip="203.0.113.40",
                helo=None,
                mail_from=None,
                first_time=_t(1732442412),
                pass_time=_t(1732442412),
                expire_time=_t(1735553212),
                bcount=1,
                pcount=3,
                grey_fields=None,
            ),
            _s(
                "WHITE|192.0.2.44|||1142400000|1142402100|1145510500|2|0",
                ip="192.0.2.44",
                first_time=_t(1142400000),
                expire_time=_t(1145510500),
                bcount=2,
                pcount=0,
            ),
        ),
        {"entry": "WHITE"},
    ),
    Pattern(
        "trapped",
        ("TRAPPED",),
        rf"^TRAPPED\|{IP}\|(?P<expire_time>\d+)$",
        '"TRAPPED|%s|%lld\\n" (ip, expire; db pcount == -1); old "TRAPPED|%s|%d\\n" (v1.15)',
        (
            _s(
                "TRAPPED|198.51.100.99|1732528812",
                ip="198.51.100.99",
                expire_time=_t(1732528812),
                first_time=None,
                pcount=None,
            ),
            _s("TRAPPED|203.0.113.66|1142486400", expire_time=_t(1142486400)),
        ),
        {"entry": "TRAPPED"},
    ),
    Pattern(
        "spamtrap",
        ("SPAMTRAP",),
        r"^SPAMTRAP\|(?P<trap_address>\S+)$",
        '"SPAMTRAP|%s\\n" (address; db pcount == -2)',
        (
            _s("SPAMTRAP|trap@example.org", trap_address="trap@example.org", ip=None),
            _s("SPAMTRAP|<old.trap@example.net>", trap_address="<old.trap@example.net>"),
        ),
        {"entry": "SPAMTRAP"},
    ),
)

_GREY_TAIL = "|1732442412|1732456812|1732456812|1|0"

NEGATIVES = (
    Negative(
        "GREY|198.51.100.66|evil|x|<a@example.net>|<bob@example.org>" + _GREY_TAIL,
        "a HELO containing `|` shifts fields: from/to are taken from the end, the rest is helo",
        {
            "helo": "evil|x",
            "mail_from": "a@example.net",
            "rcpt_to": "bob@example.org",
            "grey_fields": 9,
        },
    ),
    Negative(
        "GREY|198.51.100.66|<evil@example.com>|<a@example.net>|<bob@example.org>" + _GREY_TAIL,
        "a HELO that looks like an address stays helo: three bracketed tokens are the HELO form",
        {"helo": "<evil@example.com>", "mail_from": "a@example.net", "grey_fields": 9},
    ),
    Negative(
        "GREY|198.51.100.66|x|<evil@example.com>|<a@example.net>|<bob@example.org>" + _GREY_TAIL,
        "a HELO injecting `|<addr>` cannot become the sender: it stays in helo",
        {
            "helo": "x|<evil@example.com>",
            "mail_from": "a@example.net",
            "rcpt_to": "bob@example.org",
        },
    ),
    Negative(
        "GREY|198.51.100.66|mail.example.net|<a|b@example.net>|<bob@example.org>" + _GREY_TAIL,
        "a from token with `|` inside its brackets stays whole",
        {
            "helo": "mail.example.net",
            "from_token": "<a|b@example.net>",
            "mail_from": "a|b@example.net",
        },
    ),
    Negative(
        "GREY|198.51.100.66|<a|b@example.net>|<bob@example.org>" + _GREY_TAIL,
        "old form: a from token with `|` is still one token, not a helo",
        {
            "grey_fields": 8,
            "helo": None,
            "from_token": "<a|b@example.net>",
            "rcpt_to": "bob@example.org",
        },
    ),
    Negative(
        "GREY|198.51.100.66|<x@example.com>|<y@example.com>|<bob@example.org>" + _GREY_TAIL,
        "AMBIGUOUS: an old-form from token `<x@example.com>|<y@example.com>` is read as the HELO "
        "form with helo `<x@example.com>` (identical text); to and the numbers stay right",
        {
            "grey_fields": 9,
            "helo": "<x@example.com>",
            "mail_from": "y@example.com",
            "rcpt_to": "bob@example.org",
        },
    ),
    Negative(
        "GREY|198.51.100.66|h|a|b@example.net|<bob@example.org>" + _GREY_TAIL,
        "`|` inside an unbracketed token cannot be placed: unparsed",
    ),
    Negative(
        "GREY|198.51.100.66|||<bob@example.org>" + _GREY_TAIL,
        "AMBIGUOUS, refused: an old line with sender `|`, or a HELO line with empty HELO and an empty "
        "sender (found by tests/test_properties.py): unparsed, not guessed",
    ),
    Negative(
        "GREY|198.51.100.66|a@example.net|<|>" + _GREY_TAIL,
        "an old line with recipient `<|>` is not a HELO line with lone `<` and `>` tokens: unparsed",
    ),
    Negative(
        "GREY|198.51.100.66|h|<a@example.net>|<bob@example.org>|1732442412|1732456812|1",
        "too few numbers",
    ),
    Negative(
        "GREY|198.51.100.66|h|<a@example.net>|<bob@example.org>|1732442412|soon|1732456812|1|0",
        "a time that is not a number",
    ),
    Negative("GREY|mail.example.net|<a@example.net>|<bob@example.org>" + _GREY_TAIL, "no ip"),
    Negative("WHITE|203.0.113.40||1732442412|1732442412|1735553212|1|3", "WHITE needs `|||`"),
    Negative("WHITE|203.0.113.40|||1732442412|1732442412|1735553212|1|3|9", "extra field"),
    Negative("TRAPPED|198.51.100.99|", "TRAPPED without expiry"),
    Negative("SPAMTRAP|", "SPAMTRAP without address"),
    Negative("BLACK|198.51.100.99|1732528812", "no such entry kind"),
    Negative("grey|198.51.100.23|h|<a@example.net>|<b@example.org>" + _GREY_TAIL, "case matters"),
    Negative(
        "Nov 24 10:00:12 gw spamd[2922]: new entry 198.51.100.23 from <a@example.net> to "
        "<bob@example.org>, helo mail.example.net",
        "a syslog line in a dump is not an entry",
    ),
    Negative("spamdb: cannot open /var/db/spamd: No such file or directory", "spamdb's stderr"),
)

SPAMDB = Parser(
    name="spamdb",
    table="spamdb_entries",
    description=(
        "spamdb dumps (`spamdb` stdout saved to a file): one row per GREY tuple, WHITE or "
        "TRAPPED address and SPAMTRAP address, stamped with the dump's snapshot time "
        "(formats.md section 2.5)"
    ),
    programs=(),
    version="2",
    router=ROUTER,
    fields=FIELDS,
    patterns=GREY + OTHERS,
    derived=(Derived("mail_from", "from_token", STRIP_BRACKETS), Derived("rcpt_to", "to_token", STRIP_BRACKETS)),
    negatives=NEGATIVES,
    kind="spamdb",
)
