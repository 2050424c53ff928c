"""Vectorized converters from captured text to typed columns (see parsers.base.CONVERTERS)."""

from __future__ import annotations

import polars as pl

_DURATION = r"^(?P<neg>-)?(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$"


def duration_seconds(col: pl.Expr) -> pl.Expr:
    """OpenSMTPD duration_to_text(): `0s`, `2h`, `5m12s`, `1d2h3m4s`, `-3s` -> seconds."""
    parts = col.str.extract_groups(_DURATION)
    total = (
        parts.struct.field("d").cast(pl.Int64).fill_null(0) * 86400
        + parts.struct.field("h").cast(pl.Int64).fill_null(0) * 3600
        + parts.struct.field("m").cast(pl.Int64).fill_null(0) * 60
        + parts.struct.field("s").cast(pl.Int64).fill_null(0)
    )
    total = pl.when(parts.struct.field("neg").is_not_null()).then(-total).otherwise(total)
    # an empty or non-duration text matches only the all-optional regex trivially: NULL it
    valid = col.str.contains(r"^-?(?:\d+[dhms])+$")
    return pl.when(valid).then(total).otherwise(None)


def ip_literal(col: pl.Expr) -> pl.Expr:
    """`IPv6:2001:db8::1` / `[2001:db8::1]` / `192.0.2.1` -> bare address; `local` -> NULL."""
    bare = col.str.strip_prefix("[").str.strip_suffix("]").str.strip_prefix("IPv6:")
    return pl.when(col.is_in(["local", "", "[(unknown)]", "<unknown>"])).then(None).otherwise(bare)


def convert(col: pl.Expr, converter: str) -> pl.Expr:
    if converter == "text":
        return col
    if converter == "int":
        return col.cast(pl.Int64, strict=False)
    if converter == "float":
        return col.cast(pl.Float64, strict=False)
    if converter == "duration":
        return duration_seconds(col)
    if converter == "ip":
        return ip_literal(col)
    if converter in ("lower", "hexid"):
        return col.str.to_lowercase()
    if converter == "words":
        words = col.str.strip_chars().str.split(" ")
        # spamd's loglists() marks names that did not fit with ` ...`, cut short at its cap
        return words.list.eval(pl.element().filter(~pl.element().str.contains(r"^\.*$")))
    if converter == "list_comma":
        return col.str.split(",")
    if converter in ("rcpt_list", "rcpt_params"):
        args = col.str.replace_all(",<", "\x01<", literal=True).str.split("\x01")
        if converter == "rcpt_list":
            items = args.list.eval(pl.element().str.extract(r"^<?([^ <>]*)>?", 1))
        else:
            items = args.list.eval(pl.element().str.extract(r"^\S+ (.*)$", 1).fill_null(""))
        return pl.when(col == "(unknown)").then(None).otherwise(items)
    if converter == "epoch":
        return pl.from_epoch(col.cast(pl.Int64, strict=False), time_unit="s").dt.replace_time_zone("UTC")
    raise ValueError(f"unknown converter {converter!r}")


POLARS_TYPES = {
    "VARCHAR": pl.String,
    "VARCHAR[]": pl.List(pl.String),
    "TIMESTAMPTZ": pl.Datetime("us", "UTC"),
    "BIGINT": pl.Int64,
    "INTEGER": pl.Int32,
    "DOUBLE": pl.Float64,
    "BOOLEAN": pl.Boolean,
}
