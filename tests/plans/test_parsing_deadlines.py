"""Deadline phrases → due date / RRULE (module ``deadlines``)."""

from __future__ import annotations

from datetime import date

import pytest

from ttdn.plans.parsing.deadlines import resolve


@pytest.mark.parametrize(
    "text,year,due",
    [
        ("Quý I năm 2022", None, date(2022, 3, 31)),
        ("Quý II/2022", None, date(2022, 6, 30)),
        ("quý III", 2023, date(2023, 9, 30)),
        ("Quý IV năm 2024", 2020, date(2024, 12, 31)),
        ("Quý 2/2025", None, date(2025, 6, 30)),
        ("6 tháng đầu năm 2022", None, date(2022, 6, 30)),
        ("6 tháng cuối năm", 2022, date(2022, 12, 31)),
        ("tháng 5/2022", None, date(2022, 5, 31)),
        ("tháng 2 năm 2024", None, date(2024, 2, 29)),
        ("Tháng 11", 2023, date(2023, 11, 30)),
        ("trước ngày 15/11/2022", None, date(2022, 11, 14)),
        ("trước ngày 01/01/2023", None, date(2022, 12, 31)),
        ("ngày 20 tháng 10 năm 2022", None, date(2022, 10, 20)),
        ("chậm nhất ngày 30/6", 2022, date(2022, 6, 30)),
        ("Năm 2022", None, date(2022, 12, 31)),
        ("Cả năm", 2024, date(2024, 12, 31)),
        ("Quý Ⅰ năm 2022".replace("Ⅰ", "I"), None, date(2022, 3, 31)),
        ("Qúy II năm 2022", None, date(2022, 6, 30)),  # old tone-mark placement
    ],
)
def test_due_dates(text: str, year: int | None, due: date) -> None:
    res = resolve(text, year)
    assert res.due == due
    assert not res.flagged


@pytest.mark.parametrize(
    "text,rule",
    [
        ("trước ngày 15/11 hằng năm", "FREQ=YEARLY;BYMONTH=11;BYMONTHDAY=14"),
        ("trước ngày 01/03 hàng năm", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=28"),
        ("ngày 20/12 hằng năm", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=20"),
        ("Hằng quý", "FREQ=MONTHLY;INTERVAL=3"),
        ("hằng tháng", "FREQ=MONTHLY"),
        ("Hằng năm", "FREQ=YEARLY"),
    ],
)
def test_recurrences(text: str, rule: str) -> None:
    res = resolve(text, 2022)
    assert res.recurrence == rule
    assert res.due is None


@pytest.mark.parametrize(
    "text", ["Thường xuyên", "Đột xuất", "định kỳ", "Theo kế hoạch", "Quý I", "tháng 5"]
)
def test_unresolved_is_flagged(text: str) -> None:
    res = resolve(text, None)
    assert res.due is None and res.recurrence is None
    assert res.flagged


def test_empty() -> None:
    res = resolve(None, 2022)
    assert res.due is None and not res.flagged


def test_invalid_date_is_flagged() -> None:
    assert resolve("trước ngày 31/02/2022").flagged
