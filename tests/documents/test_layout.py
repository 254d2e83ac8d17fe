"""Text rules of Decree 30/2020/NĐ-CP, Appendix I, that do not need a rendered file."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from ttdn.documents.layout import (
    inline_runs,
    number_line,
    recipient_lines,
    text_width_cm,
    vietnamese_date_line,
)


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (date(2026, 11, 15), "Tuyên Quang, ngày 15 tháng 11 năm 2026"),
        # II.4: day < 10 and months 1, 2 take a leading zero; months 3-9 do not.
        (date(2026, 2, 5), "Tuyên Quang, ngày 05 tháng 02 năm 2026"),
        (date(2026, 1, 31), "Tuyên Quang, ngày 31 tháng 01 năm 2026"),
        (date(2026, 3, 9), "Tuyên Quang, ngày 09 tháng 3 năm 2026"),
        (date(2026, 12, 1), "Tuyên Quang, ngày 01 tháng 12 năm 2026"),
    ],
)
def test_vietnamese_date_line(when: date, expected: str) -> None:
    assert vietnamese_date_line("Tuyên Quang", when) == expected


def test_blank_date_keeps_year() -> None:
    line = vietnamese_date_line("Hà Nội", None, 2026)
    assert line.startswith("Hà Nội, ngày ")
    assert line.endswith(" năm 2026")
    assert "tháng" in line
    assert not any(ch.isdigit() for ch in line[: -len("2026")])


def test_number_line() -> None:
    assert number_line("123/BC-UBND", "BC-UBND") == "Số: 123/BC-UBND"
    assert number_line("5/BC-UBND", "BC-UBND") == "Số: 05/BC-UBND"
    blank = number_line(None, "BC-UBND")
    assert blank.startswith("Số:") and blank.endswith("/BC-UBND")
    assert not any(ch.isdigit() for ch in blank)
    assert number_line("/BC-SNgV", "BC-UBND").endswith("/BC-SNgV")


def test_recipient_lines() -> None:
    lines = recipient_lines(["- Bộ Ngoại giao (b/c);", "Thường trực Tỉnh ủy", "Lưu: VT, TTĐN"])
    assert lines == ["- Bộ Ngoại giao (b/c);", "- Thường trực Tỉnh ủy;", "- Lưu: VT, TTĐN."]
    assert recipient_lines(["Bộ Ngoại giao"])[-1] == "- Lưu: VT."


def test_inline_runs() -> None:
    assert inline_runs("a **b** *c* d") == [
        ("a ", False, False),
        ("b", True, False),
        (" ", False, False),
        ("c", False, True),
        (" d", False, False),
    ]
    assert inline_runs("**đậm *nghiêng***") == [("đậm ", True, False), ("nghiêng", True, True)]
    assert inline_runs("2 * 3 = 6") == [("2 * 3 = 6", False, False)]


def test_text_width_is_plausible() -> None:
    w = text_width_cm("Độc lập - Tự do - Hạnh phúc", 13, bold=True)
    assert 5.5 < w < 7.5


def test_package_imports_without_django_settings() -> None:
    code = (
        "import os, sys; os.environ.pop('DJANGO_SETTINGS_MODULE', None);"
        "import ttdn.documents, ttdn.documents.docx, ttdn.documents.xlsx,"
        " ttdn.documents.charts, ttdn.documents.convert;"
        "assert 'django' not in sys.modules, 'django imported';"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported eagerly'"
    )
    env = {"PYTHONPATH": "src", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 0, proc.stderr
