"""Deadline phrases → a due date and/or an RFC 5545 recurrence rule.

Plans write deadlines in a handful of set phrases: quarters ("Quý I năm 2022", "Quý II/2022"),
halves ("6 tháng đầu năm 2022"), months ("tháng 5/2022"), days ("trước ngày 15/11/2022",
which means the day before), yearly or periodic duties ("trước ngày 15/11 hằng năm",
"hằng quý", "hằng tháng") and vague words ("thường xuyên", "đột xuất"). ``resolve`` maps them
to ``(due, recurrence, flagged)``: ``flagged`` is True when the text names a time that we
could not turn into a date, so the review screen can ask a person.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from .normalize import fold

_ROMAN_Q = {"I": 1, "II": 2, "III": 3, "IV": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_YEAR = r"(?:\s*(?:/|năm|-)\s*(?P<y>\d{4}))?"
_QUARTER = re.compile(r"q(?:u[ýy]|úy)\s+(?P<q>IV|III|II|I|[1-4])\b" + _YEAR, re.I)
_HALF = re.compile(r"(?P<n>6|sáu)\s+tháng\s+(?P<w>đầu|cuối)\s+năm(?:\s*/?\s*(?P<y>\d{4}))?", re.I)
_DAY = re.compile(
    r"(?P<before>trước\s+|chậm nhất(?:\s+là)?(?:\s+vào)?\s+|hạn chót\s+)?(?:ngày\s+)?"
    r"(?P<d>\d{1,2})\s*(?:/|-|\.|\s+tháng\s+)\s*(?P<m>\d{1,2})"
    r"(?:\s*(?:/|-|\.|\s+năm\s+)\s*(?P<y>\d{4}))?",
    re.I,
)
_MONTH = re.compile(r"tháng\s+(?P<m>\d{1,2})(?:\s*(?:/|năm|-)\s*(?P<y>\d{4}))?", re.I)
_YEARLY = re.compile(r"(?:hằng|hàng)\s+năm|mỗi năm|định kỳ\s+năm", re.I)
_QUARTERLY = re.compile(r"(?:hằng|hàng|mỗi|định kỳ)\s+q(?:uý|úy)", re.I)
_MONTHLY = re.compile(r"(?:hằng|hàng)\s+tháng|mỗi tháng|định kỳ\s+tháng", re.I)
_WEEKLY = re.compile(r"(?:hằng|hàng)\s+tuần|mỗi tuần", re.I)
_WHOLE_YEAR = re.compile(r"cả năm|trong năm|năm\s+(?P<y>\d{4})|(?:^|\s)(?P<y2>\d{4})$", re.I)


@dataclass(frozen=True)
class Resolved:
    due: date | None
    recurrence: str | None
    flagged: bool

    @property
    def due_iso(self) -> str | None:
        return self.due.isoformat() if self.due else None


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _valid_year(text: str | None, default: int | None) -> int | None:
    if text:
        y = int(text)
        if 1990 <= y <= 2100:
            return y
    return default


def resolve(text: str | None, plan_year: int | None = None) -> Resolved:
    """Resolve a deadline phrase; the plan year fills a missing year."""
    if not text or not text.strip():
        return Resolved(None, None, False)
    t = fold(text.strip())
    yearly = bool(_YEARLY.search(t))

    m = _DAY.search(t)
    if m and 1 <= int(m.group("d")) <= 31 and 1 <= int(m.group("m")) <= 12:
        day, month = int(m.group("d")), int(m.group("m"))
        year = _valid_year(m.group("y"), plan_year)
        before = bool(m.group("before") and m.group("before").lower().startswith("trước"))
        if yearly and not m.group("y"):
            # "trước ngày 15/11 hằng năm": the day before, every year.
            ref = date(2001, month, min(day, calendar.monthrange(2001, month)[1]))
            if before:
                ref -= timedelta(days=1)
            rule = f"FREQ=YEARLY;BYMONTH={ref.month};BYMONTHDAY={ref.day}"
            return Resolved(None, rule, False)
        if year is not None:
            try:
                due = date(year, month, day)
            except ValueError:
                return Resolved(None, None, True)
            if before:
                due -= timedelta(days=1)
            return Resolved(due, None, False)
        return Resolved(None, None, True)

    m = _QUARTER.search(t)
    if m:
        q = _ROMAN_Q[m.group("q").upper()]
        year = _valid_year(m.group("y"), plan_year)
        if year is None:
            return Resolved(None, None, True)
        return Resolved(_last_day(year, q * 3), None, False)

    m = _HALF.search(t)
    if m:
        year = _valid_year(m.group("y"), plan_year)
        if year is None:
            return Resolved(None, None, True)
        month = 6 if m.group("w").lower() == "đầu" else 12
        return Resolved(_last_day(year, month), None, False)

    if _QUARTERLY.search(t):
        return Resolved(None, "FREQ=MONTHLY;INTERVAL=3", False)
    if _MONTHLY.search(t):
        return Resolved(None, "FREQ=MONTHLY", False)
    if _WEEKLY.search(t):
        return Resolved(None, "FREQ=WEEKLY", False)

    m = _MONTH.search(t)
    if m and 1 <= int(m.group("m")) <= 12:
        year = _valid_year(m.group("y"), plan_year)
        if year is None:
            return Resolved(None, None, True)
        return Resolved(_last_day(year, int(m.group("m"))), None, False)

    if yearly:
        return Resolved(None, "FREQ=YEARLY", False)

    m = _WHOLE_YEAR.search(t)
    if m:
        year = _valid_year(m.group("y") or m.group("y2"), plan_year)
        if year is not None:
            return Resolved(_last_day(year, 12), None, False)
        return Resolved(None, None, True)

    # "thường xuyên", "đột xuất", "định kỳ" or anything else: a person must decide.
    return Resolved(None, None, True)
