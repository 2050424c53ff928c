"""Renderings of the report: HTML (one self-contained file), Markdown, JSON.

Every value that reaches the HTML goes through html.escape: HELO names, senders, recipients,
user names and remote replies are written by whoever connects. The page also carries a Content
Security Policy that allows no script and no network, so a value that slipped through could not
run or fetch anything."""

from __future__ import annotations

import base64
import html
import json
import math
import re
import secrets
import unicodedata

from mxlog.report.sections import Section, Table

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em auto; max-width: 72em; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
table { border-collapse: collapse; margin: .6em 0 1.2em; font-size: 13px; }
caption { text-align: left; font-weight: 600; padding: .2em 0; }
th, td { border: 1px solid #ddd; padding: .2em .5em; vertical-align: top; overflow-wrap: anywhere; max-width: 40em; }
th { background: #f4f4f4; text-align: left; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr:nth-child(even) td { background: #fafafa; }
.def { color: #444; } .note { color: #555; font-size: 13px; } .empty { color: #888; font-style: italic; }
nav a { margin-right: 1em; } img { max-width: 100%; display: block; margin: .5em 0 1em; }
"""


MAX_TEXT = 200  # characters of one value shown; a stranger's 1 MB HELO would break the layout
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def _visible(ch: re.Match) -> str:
    return f"<U+{ord(ch.group()):04X}>"


def neutral(text: str, limit: int | None = MAX_TEXT) -> str:
    """A stranger's text made inert for display: bidi overrides, zero-width and control characters
    shown as `<U+202E>` (they could reorder or hide what the admin reads), other format
    characters too, and cut to `limit` characters with the number left out."""
    text = _INVISIBLE.sub(_visible, text)
    if any(unicodedata.category(c) == "Cf" for c in text):
        text = "".join(f"<U+{ord(c):04X}>" if unicodedata.category(c) == "Cf" else c for c in text)
    if limit is not None and len(text) > limit:
        text = f"{text[:limit]}… ({len(text) - limit:,} more characters)"
    return text


def esc(v, limit: int | None = MAX_TEXT) -> str:
    """Escape for HTML text and quoted attributes, after `neutral`."""
    return html.escape(neutral(str(v), limit))


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:,.2f}".rstrip("0").rstrip(".") if v != int(v) else f"{int(v):,}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    if isinstance(v, list):
        return ", ".join(_cell(x) for x in v)
    return str(v)


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def html_table(t: Table) -> str:
    e = esc
    if not t.rows:
        return (f"<p class='empty'>{e(t.caption) + ': ' if t.caption else ''}nothing in this period.</p>")
    out = ["<table>"]
    if t.caption:
        out.append(f"<caption>{e(t.caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{e(str(c))}</th>" for c in t.columns) + "</tr></thead><tbody>")
    for r in t.rows:
        out.append("<tr>" + "".join(f"<td class='n'>{e(_cell(v))}</td>" if _is_num(v) else f"<td>{e(_cell(v))}</td>"
                                    for v in r) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def to_html(d: dict, sections: list[Section], charts: dict[str, tuple[str, bytes]]) -> str:
    def e(v):  # headings, definitions and notes: ours, long on purpose; neutralized all the same
        return esc(v, None)

    title = f"mxlog report {d['period']['label']}"
    parts = [
        "<!DOCTYPE html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{e(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f"<p class='note'>hosts {e(', '.join(d['hosts']))}; generated {e(d['generated_at'])} by mxlog; "
        f"the same data is in report.json.</p>",
        "<nav>" + "".join(f"<a href='#{e(s.anchor)}'>{e(s.title)}</a>" for s in sections) + "</nav>",
    ]
    for s in sections:
        parts.append(f"<h2 id='{e(s.anchor)}'>{e(s.title)}</h2>")
        if s.definition:
            parts.append(f"<p class='def'>{e(s.definition)}</p>")
        if s.notes:
            parts.append("<ul class='note'>" + "".join(f"<li>{e(n)}</li>" for n in s.notes) + "</ul>")
        for b in s.blocks:
            if isinstance(b, Table):
                parts.append(html_table(b))
            elif b[0] == "chart" and b[1] in charts:
                caption, png = charts[b[1]]
                data = base64.b64encode(png).decode("ascii")
                parts.append(f"<figure><img alt='{e(caption)}' src='data:image/png;base64,{data}'>"
                             f"<figcaption class='note'>{e(caption)}</figcaption></figure>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def md_escape(v, limit: int | None = MAX_TEXT) -> str:
    """A table cell: no line breaks, no `|`, and no HTML a mail client would render."""
    text = neutral(_cell(v), limit).replace("\r", " ").replace("\n", " ")
    text = html.escape(text, quote=False).replace("|", "\\|")
    for ch in "`[]":
        text = text.replace(ch, "\\" + ch)
    return text


def md_table(t: Table) -> str:
    if not t.rows:
        return f"_{md_escape(t.caption) + ': ' if t.caption else ''}nothing in this period._\n"
    lines = [f"**{md_escape(t.caption)}**\n"] if t.caption else []
    lines.append("| " + " | ".join(md_escape(c) or " " for c in t.columns) + " |")
    lines.append("|" + "|".join("---:" if any(_is_num(r[i]) for r in t.rows) else "---"
                                for i in range(len(t.columns))) + "|")
    for r in t.rows:
        lines.append("| " + " | ".join(md_escape(v) for v in r) + " |")
    return "\n".join(lines) + "\n"


def to_markdown(d: dict, sections: list[Section]) -> str:
    out = [f"# mxlog report {d['period']['label']}\n",
           f"hosts {', '.join(d['hosts'])}; generated {d['generated_at']}; charts in index.html, data in report.json\n"]
    for s in sections:
        out.append(f"## {s.title}\n")
        if s.definition:
            out.append(md_escape(s.definition, None) + "\n")
        for n in s.notes:
            out.append(f"- {md_escape(n, None)}")
        if s.notes:
            out.append("")
        for b in s.blocks:
            if isinstance(b, Table):
                out.append(md_table(b))
    return "\n".join(out)


_NUMBERS = 64  # a list of at least this many plain numbers takes the fast path in to_json


def _numbers(v) -> bool:
    return isinstance(v, list) and len(v) >= _NUMBERS and all(
        type(x) is int or (type(x) is float and math.isfinite(x)) for x in v)


def to_json(d: dict) -> str:
    """json.dumps(d, indent=1, ensure_ascii=False), byte for byte, faster: with an indent json
    encodes in Python, one call per element, and the report carries long lists of numbers (every
    pass delay, hop duration and spam score). Those lists are set aside behind a token, the rest is
    encoded by json, and each token is replaced by its list laid out as json lays it out (one
    number a line, repr() as json writes it, one space deeper than the line the key is on)."""
    token = f"mxlog-numbers-{secrets.token_hex(8)}-"
    lists: list[list] = []

    def swap(v):
        if isinstance(v, dict):
            return {k: swap(x) for k, x in v.items()}
        if isinstance(v, list):
            if _numbers(v):
                lists.append(v)
                return f"{token}{len(lists) - 1}"
            return [swap(x) for x in v]
        return v

    text = json.dumps(swap(d), indent=1, ensure_ascii=False)

    def layout(m: re.Match) -> str:
        indent = m.group(1)
        inner = ",\n" + indent + " "
        body = inner.join(map(repr, lists[int(m.group(3))]))
        return f'{indent}{m.group(2)}[\n{indent} {body}\n{indent}]'

    if lists:
        text = re.sub(rf'^( *)(.*?)"{re.escape(token)}(\d+)"', layout, text, flags=re.M)
    return text + "\n"
