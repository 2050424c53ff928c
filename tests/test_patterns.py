"""One generic test over every declaration (style.md 4): each pattern has samples, each sample
is claimed by exactly its pattern (through the real ingest engine) with the expected typed
fields, no parser claims another's samples, negative samples stay where they belong."""

import re

import pytest

from mxlog.engine import Engine, check_pattern_dialect, parse_lines
from mxlog.selfcheck import check_negative, check_sample
from parsers import REGISTRY
from parsers.syslog import FrameState

PATTERNS = [(p, pat) for p in REGISTRY for pat in p.patterns]
SAMPLES = [(p, pat, s) for p, pat in PATTERNS for s in pat.samples]
NEGATIVES = [(p, n) for p in REGISTRY for n in p.negatives]




def test_registry_is_not_empty():
    assert REGISTRY, "no parser registered"


@pytest.mark.parametrize("parser", REGISTRY, ids=lambda p: p.name)
def test_declaration_is_valid(parser):
    assert parser.validate() == []


@pytest.mark.parametrize("parser, pattern", PATTERNS, ids=[f"{p.name}.{pat.name}" for p, pat in PATTERNS])
def test_pattern_is_in_the_common_regex_dialect(parser, pattern):
    assert check_pattern_dialect(pattern.regex) == []
    re.compile(pattern.regex)


@pytest.mark.parametrize(
    "parser, pattern, sample",
    SAMPLES,
    ids=[f"{p.name}.{pat.name}[{i}]" for p, pat in PATTERNS for i, _ in enumerate(pat.samples)],
)
def test_sample_parses_to_its_pattern_and_fields(parser, pattern, sample):
    assert check_sample(parser, pattern, sample) == []


@pytest.mark.parametrize("parser, negative", NEGATIVES, ids=[f"{p.name}.neg{i}" for i, (p, _) in enumerate(NEGATIVES)])
def test_negative_sample(parser, negative):
    assert check_negative(parser, negative) == []


@pytest.mark.parametrize("parser", REGISTRY, ids=lambda p: p.name)
def test_no_parser_claims_another_parsers_samples(parser):
    for other in REGISTRY:
        if other is parser or parser.kind != "syslog":
            continue
        lines = [s.line for pat in parser.patterns for s in pat.samples]
        claimed = parse_lines(lines, parsers=[other]).tables
        assert not any(df.height for df in claimed.values()), f"{other.name} claims {parser.name} samples"


def test_every_sample_once_in_one_chunk():
    """All samples of all parsers in one chunk: each lands once, in its own table."""
    lines = [s.line for p, _, s in SAMPLES if p.kind == "syslog"]
    result = Engine().parse_chunk(("\n".join(lines) + "\n").encode(), FrameState(year=2026))
    assert result.unparsed.height == 0
    claimed = {t: df.height for t, df in result.tables.items()}
    expected = {}
    for p, _, _ in SAMPLES:
        if p.kind == "syslog":
            expected[p.table] = expected.get(p.table, 0) + 1
    assert claimed == expected


def formats_md_smtpd_lines() -> list[str]:
    """Every OpenSMTPD example line quoted in formats.md section 1 (its notes stripped)."""
    from conftest import SHARED

    text = (SHARED / "formats.md").read_text()
    section = text[text.index("## 1. OpenSMTPD") : text.index("## 2. OpenBSD spamd")]
    lines = []
    for line in section.splitlines():
        m = re.match(r"^([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ smtpd\[\d+\]: .*?)(?: {3,}\((?:real|derived).*)?$", line)
        if m:
            lines.append(m.group(1))
    return lines


def test_every_smtpd_line_in_formats_md_parses():
    lines = formats_md_smtpd_lines()
    assert len(lines) >= 25
    result = parse_lines(lines)
    assert result.unparsed.select("raw", "reason").rows() == []
    assert result.tables["smtpd_events"].height == len(lines)


def formats_md_lines(start: str, end: str) -> list[str]:
    """Syslog example lines quoted in a part of formats.md (their trailing notes stripped)."""
    from conftest import SHARED

    text = (SHARED / "formats.md").read_text()
    section = text[text.index(start) : text.index(end)]
    stamp = r"(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\S+)"
    lines = []
    for line in section.splitlines():
        m = re.match(rf"^({stamp} \S+ \S+: .*?)(?: {{3,}}\((?:real|derived).*)?$", line)
        if m:
            lines.append(m.group(1))
    return lines


def test_every_example_line_of_sections_2_to_6_parses():
    lines = formats_md_lines("## 2. OpenBSD spamd", "## 7. PF pflog captures")
    assert len(lines) >= 25
    # the book copies print `Oct 2` for `Oct  2` (formats.md 8.14): syslogd pads the day
    lines = [re.sub(r"^([A-Z][a-z]{2}) (\d) ", r"\1  \2 ", line) for line in lines]
    result = parse_lines(lines)
    assert result.unparsed.select("raw", "reason").rows() == []
