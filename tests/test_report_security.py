"""Strangers' text in the report: HELO/rDNS names, senders, remote replies, refused commands and
unparsed lines carrying markup, `javascript:` URLs, bidi overrides and 5,000-character values.
The HTML must contain none of it as markup, show bidi controls as `<U+202E>`, cut long values;
and `--pseudonymize` must leave no address or IP of the data in any rendering.

Static checks of the HTML (every tag, attribute and text node, parsed), then the page in headless
Chromium when it is installed (`make test` installs it when it can; skipped otherwise)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

from mxlog.cli import app
from mxlog.report.render import MAX_TEXT

runner = CliRunner()
RLO = "\u202e"
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
XSS_IMG = '"><img src=x onerror=alert(1)>'
LONG = "L" * 5000


def hostile_log() -> str:
    p = "Nov 24 10:00:0{} mx1 smtpd[41233]: "
    lines = [
        p.format(1) + '0123456789abcdef smtp connected address=198.51.100.66 host="><svg/onload=alert(3)>',
        p.format(2) + "0123456789abcdef smtp message msgid=0a0b0c0d size=1234 nrcpt=1 proto=ESMTP",
        p.format(2) + "0123456789abcdef smtp envelope evpid=0a0b0c0d00000001 from=<javascript:alert(4)@evil.example> "
                      "to=<victim@example.org>",
        p.format(3) + "1123456789abcdef mta delivery evpid=0a0b0c0d00000001 from=<javascript:alert(4)@evil.example> "
                      'to=<victim@example.org> rcpt=<-> source="192.0.2.10" relay="203.0.113.9 (mx.evil.example)" '
                      f'delay=2s result="TempFail" stat="451 <script>alert(5)</script> {RLO}gnp.exe {LONG}"',
        p.format(4) + f'0123456789abcdef smtp failed-command command="RCPT TO:<{XSS_IMG}@x>" '
                      f'result="550 Invalid recipient: <{XSS_IMG}>"',
        "Nov 24 10:00:05 mx1 spamd[26905]: 203.0.113.66: connected (1/0)",
        f"Nov 24 10:00:05 mx1 spamd[26905]: 203.0.113.66: Subject: <script>alert(6)</script>{RLO}",
        f"Nov 24 10:00:06 mx1 spamd[26905]: {XSS_IMG} javascript:alert(7) {RLO}evil{LONG}",
        # payloads that leave a trace if they ever run: they set the page title
        p.format(7) + "2123456789abcdef smtp connected address=198.51.100.67 "
                      "host=\"><img/src=x/onerror=document.title='PWNED'>",
        p.format(8) + "2123456789abcdef smtp failed-command command=\"<script>document.title='PWNED'</script>\" "
                      "result=\"550 <img src=x onerror=\"document.title='PWNED'\">\"",
    ]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    log = d / "maillog"
    log.write_text(hostile_log(), encoding="utf-8")
    db = d / "h.duckdb"
    r = runner.invoke(app, ["ingest", str(log), "--db", str(db), "--year", "2026", "-q"])
    assert r.exit_code == 0, r.output
    return db


def report(db, out, *extra):
    r = runner.invoke(app, ["report", "--db", str(db), "--out", str(out), "--day", "2026-11-24", *extra])
    assert r.exit_code == 0, r.output
    return {f: (out / f).read_text(encoding="utf-8") for f in ("index.html", "report.md", "report.json")}


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.texts, self.stack = [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(tag, k, v or "") for k, v in attrs]
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        self.texts.append((self.stack[-1] if self.stack else "", data))


ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "nav", "a", "ul", "li", "table",
                "caption", "thead", "tbody", "tr", "th", "td", "figure", "img", "figcaption"}


def test_html_has_no_markup_from_the_data(hostile_db, tmp_path):
    page = Page()
    html_text = report(hostile_db, tmp_path)["index.html"]
    page.feed(html_text)
    assert set(page.tags) <= ALLOWED_TAGS, set(page.tags) - ALLOWED_TAGS
    for tag, name, value in page.attrs:
        assert not name.startswith("on"), (tag, name, value)
        assert "javascript:" not in value.lower(), (tag, name, value)
        if name == "href":
            assert value.startswith("#"), value
        if name == "src":
            assert value.startswith("data:image/png;base64,"), value[:60]
    csp = [v for t, k, v in page.attrs if t == "meta" and k == "content" and "default-src" in v]
    assert csp and "default-src 'none'" in csp[0] and "script-src" not in csp[0]
    # the strangers' text is there, as text: the test would prove nothing if it never reached the page
    text = "".join(t for _, t in page.texts)
    for marker in ('host="><svg/onload=alert(3)>', "javascript:alert(4)@evil.example", "<script>alert(5)</script>",
                   'onerror=alert(<N>)>', "<U+202E>gnp.exe", "<U+202E>evil"):
        assert marker in text or marker.replace('host="', '"') in text, marker


def test_bidi_controls_are_shown_not_obeyed(hostile_db, tmp_path):
    out = report(hostile_db, tmp_path)
    assert not BIDI.search(out["index.html"])
    assert not BIDI.search(out["report.md"])
    assert "&lt;U+202E&gt;gnp.exe" in out["index.html"]


def test_long_values_are_cut_and_cells_wrap(hostile_db, tmp_path):
    out = report(hostile_db, tmp_path)
    page = Page()
    page.feed(out["index.html"])
    cells = [t for tag, t in page.texts if tag == "td"]
    assert max(map(len, cells)) <= MAX_TEXT + 40
    assert any("more characters)" in c for c in cells)
    assert "overflow-wrap: anywhere" in out["index.html"]
    assert max(map(len, out["report.md"].splitlines())) < 4 * (MAX_TEXT + 40)


def test_markdown_has_no_markup_from_the_data(hostile_db, tmp_path):
    md = report(hostile_db, tmp_path)["report.md"]
    assert not re.search(r"<\s*(script|img|svg)", md, re.I)
    assert "&lt;script&gt;alert(5)&lt;/script&gt;" in md


# ------------------------------------------------------------------ --pseudonymize

REAL = ["198.51.100.66", "203.0.113.9", "victim@example.org", "alert(4)@evil.example"]


def test_pseudonymized_report_names_no_address_or_ip(hostile_db, tmp_path):
    plain = report(hostile_db, tmp_path / "plain")
    assert all(any(v in text for text in plain.values()) for v in REAL)  # they are there without the option
    out = report(hostile_db, tmp_path / "p", "--pseudonymize")
    for text in out.values():
        for v in REAL:
            assert v not in text and v.replace("@", "&#64;") not in text
    assert re.search(r"user-[0-9a-f]{8}@dom-[0-9a-f]{8}\.org", out["report.md"])
    assert re.search(r"ip4-[0-9a-f]{8}", out["report.md"])
    json.loads(out["report.json"])


def _tokens(text):
    return sorted(set(re.findall(r"(?:user-[0-9a-f]{8}@dom-[0-9a-f]{8}\.[a-z]+|ip[46]-[0-9a-f]{8})", text)))


def test_tokens_are_stable_per_database_and_change_with_the_key(hostile_db, tmp_path, monkeypatch):
    monkeypatch.delenv("MXLOG_PSEUDONYM_KEY", raising=False)
    first = _tokens(report(hostile_db, tmp_path / "a", "--pseudonymize")["report.json"])
    again = _tokens(report(hostile_db, tmp_path / "b", "--pseudonymize")["report.json"])
    assert first and first == again  # the random key kept in the database
    keyed = _tokens(report(hostile_db, tmp_path / "c", "--pseudonymize", "--pseudonymize-key", "s3cret")["report.json"])
    assert keyed and not set(keyed) & set(first)
    monkeypatch.setenv("MXLOG_PSEUDONYM_KEY", "s3cret")
    assert _tokens(report(hostile_db, tmp_path / "d", "--pseudonymize")["report.json"]) == keyed


def test_sql_pseudonymize_gives_the_report_tokens(hostile_db, tmp_path):
    out = report(hostile_db, tmp_path, "--pseudonymize", "--pseudonymize-key", "k1")
    r = runner.invoke(app, ["sql", "SELECT ip, rdns FROM smtpd_events WHERE event = 'connected'", "--db", str(hostile_db),
                            "--format", "csv", "--pseudonymize", "--pseudonymize-key", "k1"])
    assert r.exit_code == 0, r.output
    assert "198.51.100.66" not in r.output
    token = re.search(r"ip4-[0-9a-f]{8}", r.output).group()
    assert token in out["report.json"] or token in out["report.md"] or token in out["index.html"]


def test_sql_pseudonymize_names_no_host_or_login_name(hostile_db):
    sql = "SELECT ip, rdns, 'mail.example.net' AS helo FROM smtpd_events WHERE rdns IS NOT NULL"
    plain = runner.invoke(app, ["sql", sql, "--db", str(hostile_db), "--format", "json"])
    names = {v for row in json.loads(plain.output) for k, v in row.items() if k in ("rdns", "helo") and v}
    assert names, "the fixture has host names to hide"
    r = runner.invoke(app, ["sql", sql, "--db", str(hostile_db), "--format", "json", "--pseudonymize",
                            "--pseudonymize-key", "k1"])
    assert r.exit_code == 0, r.output
    got = {v for row in json.loads(r.output) for k, v in row.items() if k in ("rdns", "helo") and v}
    assert got and not got & names
    assert all(re.fullmatch(r"(?:host-[0-9a-f]{8}\.[a-z0-9-]+|\[ip[46]-[0-9a-f]{8}\]|.*(?:user|ip[46])-[0-9a-f]{8}.*)", v)
               for v in got), got


def test_name_columns_are_keyed_consistently():
    from mxlog.privacy import Pseudonymizer

    p = Pseudonymizer(b"k")
    assert p.column("helo", "mail.example.net") == p.column("rdns", "MAIL.example.net.")  # one name, one token
    assert p.column("helo", "mail.example.net").endswith(".net") and "example" not in p.column("helo", "mail.example.net")
    assert p.column("helo", "[198.51.100.7]") == f"[{p.ip('198.51.100.7')}]"
    assert p.column("helo", "localhost") == "localhost" and p.column("helo", "bulkmailer").startswith("host-")
    assert p.column("rdns", "\"><img src=x>") == p.hostname("\"><img") + " " + p.hostname("src=x>")
    assert p.hostname("\"><img").endswith(".invalid")
    assert p.column("relay", "mx.example.net [198.51.100.9]") == f"{p.hostname('mx.example.net')} [{p.ip('198.51.100.9')}]"
    # a domain gets the token its addresses carry
    assert p.column("domain", "Example.ORG") == p.address("alice@example.org").split("@")[1]
    assert p.column("user", "alice").startswith("login-") and p.column("user", "alice") != p.column("user", "carol")
    assert p.column("user", "bob@example.org") == p.address("bob@example.org")
    assert p.column("users", ["alice"]) == [p.column("user", "alice")]
    # mxlog's own hosts and numbers are left alone
    assert p.column("host", "mx1") == "mx1" and p.column("users", 3) == 3 and p.column("helo", None) is None


def test_same_value_same_token_everywhere():
    from mxlog.privacy import Pseudonymizer

    p = Pseudonymizer(b"k")
    a = p.text("from <alice@mail.example.org> at 198.51.100.7")
    b = p.text("to=alice@mail.example.org relay=198.51.100.7 (x)")
    assert p.address("alice@mail.example.org") in a and p.address("alice@mail.example.org") in b
    assert p.ip("198.51.100.7") in a and p.ip("198.51.100.7") in b
    assert p.address("bob@MAIL.example.org").split("@")[1] == p.address("alice@mail.example.org").split("@")[1]
    assert p.text("at 12:30:45 on 2026-11-24T00:05:01, RFC 5321") == "at 12:30:45 on 2026-11-24T00:05:01, RFC 5321"
    assert p.text("2001:db8::1").startswith("ip6-")


# ------------------------------------------------------------------ in a browser

def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def dump_dom(page, profile) -> str:
    r = subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--no-first-run", f"--user-data-dir={profile}", "--window-size=1280,900",
                        "--virtual-time-budget=3000", "--dump-dom", page.as_uri()],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout


# run in a copy of the page without its CSP, after everything loaded: did any of the data's
# payloads run (they set the title), and does the page fit the window
PROBE = """<script>
const before = document.title;
setTimeout(() => {
  const cells = [...document.querySelectorAll('td')].map(td => td.getBoundingClientRect().width);
  document.title = JSON.stringify({title: document.title, original: before === document.title,
    scroll: document.documentElement.scrollWidth, window: window.innerWidth,
    widest_cell: Math.max(0, ...cells), scripts: document.scripts.length,
    svgs: document.querySelectorAll('svg').length, imgs: document.images.length});
}, 1000);
</script>"""


@pytest.mark.skipif(_chromium() is None, reason="headless Chromium is not installed (make test installs it as root)")
def test_report_in_headless_chromium(hostile_db, tmp_path):
    out = report(hostile_db, tmp_path / "r")
    page = tmp_path / "r" / "index.html"
    charts = out["index.html"].count("src='data:image/png;base64,")
    # 1. the report as written: the DOM Chromium built holds no element from the data
    dom = dump_dom(page, tmp_path / "profile1")
    assert "PWNED" not in dom.split("</title>")[0]
    assert not re.search(r"<(script|svg)\b", dom, re.I)
    assert len(re.findall(r"<img\b", dom, re.I)) == charts
    assert "onerror" not in "".join(re.findall(r"<[^>]+>", dom))  # only as text, never in a tag
    # 2. the same page without its CSP and with a probe: a payload that slipped through would run
    bare = out["index.html"].replace(re.search(r"<meta http-equiv='Content-Security-Policy'[^>]*>",
                                               out["index.html"]).group(), "")
    probe_page = tmp_path / "r" / "probe.html"
    probe_page.write_text(bare.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = dump_dom(probe_page, tmp_path / "profile2")
    title = re.search(r"<title>(.*?)</title>", dom, re.S).group(1)
    got = json.loads(title.replace("&quot;", '"').replace("&amp;", "&"))
    assert got["original"] and "PWNED" not in got["title"], got
    assert got["scripts"] == 1 and got["svgs"] == 0 and got["imgs"] == charts, got  # the probe is the one script
    assert got["scroll"] <= got["window"], got  # nothing wider than the window: long values wrapped or cut
    assert got["widest_cell"] <= got["window"], got


@pytest.mark.skipif(_chromium() is None, reason="headless Chromium is not installed (make test installs it as root)")
def test_demo_report_renders_in_headless_chromium(tmp_path):
    """`make demo` ends by writing the samples' report: it renders, with its charts, and runs no script."""
    from mxlog import api

    text = api.demo(report_dir=tmp_path / "demo")
    page = tmp_path / "demo" / "index.html"
    assert f"report of 2026-11-24: {page}" in text
    html = page.read_text(encoding="utf-8")
    charts = html.count("src='data:image/png;base64,")
    assert charts >= 4
    dom = dump_dom(page, tmp_path / "profile")
    assert not re.search(r"<script\b", dom, re.I)
    assert len(re.findall(r"<img\b", dom, re.I)) == charts
    for heading in ("Greylisting", "Blacklists", "Latency per hop"):
        assert heading in dom, heading
