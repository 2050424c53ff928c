"""The period a report covers: whole UTC days, chosen by --day, --since/--until or --last."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from mxlog.errors import ExitCode, MxlogError


@dataclass(frozen=True)
class Period:
    start: dt.date  # first day, inclusive
    end: dt.date  # last day, exclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def previous(self) -> "Period":
        """The period of the same length just before (yesterday for a day)."""
        return Period(self.start - (self.end - self.start), self.start)

    @property
    def label(self) -> str:
        if self.days == 1:
            return self.start.isoformat()
        return f"{self.start.isoformat()} .. {(self.end - dt.timedelta(days=1)).isoformat()}"

    @property
    def slug(self) -> str:
        last = self.end - dt.timedelta(days=1)
        return self.start.isoformat() if self.days == 1 else f"{self.start.isoformat()}_{last.isoformat()}"

    def as_dict(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "days": self.days, "label": self.label}


def _usage(message: str, hint: str) -> MxlogError:
    return MxlogError(message, hint=hint, code=ExitCode.USAGE)


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _usage(f"{option} {text!r} is not a date", "write days as YYYY-MM-DD") from None


def parse_last(text: str) -> dt.timedelta:
    m = re.fullmatch(r"\s*(\d+)\s*([hd])\s*", text or "")
    if not m:
        raise _usage(f"--last {text!r} is not a duration", "write hours or days: 24h, 7d")
    n = int(m.group(1))
    return dt.timedelta(hours=n) if m.group(2) == "h" else dt.timedelta(days=n)


def choose(*, day=None, since=None, until=None, last=None, latest: dt.date | None = None,
           now: dt.datetime | None = None) -> Period:
    """--day D: that day. --since D1 [--until D2]: D1 up to and including D2 (default: the latest
    day with data). --last 24h|7d: the UTC days that the last N hours/days before now touch.
    Nothing: the latest day with data (`latest`)."""
    if sum(x is not None for x in (day, since or until, last)) > 1:
        raise _usage("give one of --day, --since/--until, --last", "e.g. --day 2026-11-24 or --last 24h")
    one = dt.timedelta(days=1)
    if day is not None:
        d = _date(day, "--day")
        return Period(d, d + one)
    if since is not None or until is not None:
        end = _date(until, "--until") if until else (latest or dt.datetime.now(dt.timezone.utc).date())
        start = _date(since, "--since") if since else end
        if start > end:
            raise _usage("--since is after --until", "swap them")
        return Period(start, end + one)
    if last is not None:
        now = now or dt.datetime.now(dt.timezone.utc)
        first = (now - parse_last(last)).date()
        return Period(first, now.date() + one)
    d = latest or dt.datetime.now(dt.timezone.utc).date()
    return Period(d, d + one)
