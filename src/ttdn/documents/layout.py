"""Layout measurements and text helpers for administrative documents.

Every measurement is taken from Decree 30/2020/NĐ-CP, Appendix I "Thể thức, kỹ thuật trình
bày văn bản hành chính"; the point of the appendix is cited next to each constant. Where the
decree gives a range the value chosen here is the one most provinces use in practice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

# Appendix I, I.4: phông chữ Times New Roman (Unicode, TCVN 6909:2001), màu đen.
FONT = "Times New Roman"
LANGUAGE = "vi-VN"


@dataclass(frozen=True, slots=True)
class Layout:
    """Page geometry and type sizes (points unless the name says mm/cm)."""

    # I.1: khổ giấy A4 (210 mm x 297 mm); I.2: portrait.
    page_width_mm: float = 210.0
    page_height_mm: float = 297.0
    # I.3 (định lề trang): lề trên, lề dưới 20-25 mm; lề trái 30-35 mm; lề phải 15-20 mm.
    margin_top_mm: float = 20.0
    margin_bottom_mm: float = 20.0
    margin_left_mm: float = 30.0
    margin_right_mm: float = 15.0
    header_distance_mm: float = 10.0
    # II.1: Quốc hiệu in hoa, cỡ 12-13, đứng, đậm; Tiêu ngữ cỡ 13-14, đứng, đậm.
    motto_country_pt: float = 12.5
    motto_slogan_pt: float = 13.0
    # II.2: tên cơ quan chủ quản in hoa cỡ 12-13, đứng; tên cơ quan ban hành in hoa cỡ 12-13,
    # đứng, đậm.
    issuer_pt: float = 12.5
    # II.3: "Số" và ký hiệu cỡ 13, đứng.
    number_pt: float = 13.0
    # II.4: địa danh và thời gian cỡ 13-14, nghiêng.
    date_pt: float = 13.0
    # II.5: tên loại in hoa cỡ 13-14, đứng, đậm; trích yếu in thường cỡ 13-14, đứng, đậm.
    kind_pt: float = 14.0
    title_pt: float = 14.0
    # II.6: nội dung cỡ 13-14; lùi đầu dòng 1-1.27 cm; cách đoạn tối thiểu 6 pt;
    # giãn dòng từ dòng đơn đến 1.5 dòng.
    body_pt: float = 14.0
    first_line_indent_cm: float = 1.0
    paragraph_after_pt: float = 6.0
    line_spacing: float = 1.15
    # Tables are not regulated by the decree; 12 pt keeps wide tables legible on A4.
    table_pt: float = 12.0
    caption_pt: float = 13.0
    # II.7: quyền hạn, chức vụ in hoa cỡ 13-14, đứng, đậm; họ tên in thường cỡ 13-14, đậm.
    signer_pt: float = 14.0
    signature_space_lines: int = 5
    # II.9: "Nơi nhận" cỡ 12, nghiêng, đậm; các dòng nơi nhận cỡ 11, đứng.
    recipients_label_pt: float = 12.0
    recipients_pt: float = 11.0
    # I.7: số trang cỡ 13-14, đứng, canh giữa ở lề trên, không hiển thị ở trang thứ nhất.
    page_number_pt: float = 13.0
    # IV (sơ đồ bố trí): ô 2-3 (cơ quan ban hành, số) on the left, ô 1 and 4 (quốc hiệu,
    # địa danh) on the right; ô 9 (nơi nhận) left and ô 7 (chữ ký) right at the end.
    header_left_cm: float = 6.5
    signature_left_cm: float = 7.5

    @property
    def text_width_cm(self) -> float:
        return (self.page_width_mm - self.margin_left_mm - self.margin_right_mm) / 10


DEFAULT_LAYOUT = Layout()


def vietnamese_date_line(place: str, when: date | None, year: int | None = None) -> str:
    """ "Tuyên Quang, ngày 05 tháng 02 năm 2026".

    Appendix I, II.4: day numbers below 10 and the months 1 and 2 take a leading zero; a
    missing date leaves day and month blank for the clerk.
    """
    if when is None:
        y = year if year is not None else date.today().year
        return f"{place}, ngày      tháng      năm {y}"
    day = f"{when.day:02d}"
    month = f"{when.month:02d}" if when.month <= 2 else str(when.month)
    return f"{place}, ngày {day} tháng {month} năm {when.year}"


def number_line(number: str | None, symbol: str) -> str:
    """ "Số: 123/BC-UBND", or "Số:      /BC-UBND" left blank (Appendix I, II.3)."""
    if number is None or not number.strip() or number.strip().startswith("/"):
        tail = number.strip().lstrip("/") if number and number.strip() else symbol
        return f"Số:        /{tail}"
    number = number.strip()
    head, sep, tail = number.partition("/")
    # II.3: numbers below 10 take a leading zero ("Số: 05/BC-UBND").
    if head.isdigit() and len(head) == 1:
        head = f"0{head}"
    return f"Số: {head}{sep}{tail}"


def recipient_lines(recipients: list[str]) -> list[str]:
    """Normalise "Nơi nhận" lines (Appendix I, II.9): "- X;" each, the "Lưu" line last
    ending with "."; "Lưu: VT." is added when no such line is given."""
    items = [r.strip().lstrip("-–").strip().rstrip(";.,").strip() for r in recipients]
    items = [r for r in items if r]
    keep = [r for r in items if not r.casefold().startswith("lưu")]
    archive = [r for r in items if r.casefold().startswith("lưu")] or ["Lưu: VT"]
    return [f"- {r};" for r in keep] + [f"- {r}." for r in archive]


_INLINE = re.compile(r"\*\*((?:[^*]|\*[^*\s][^*]*\*)+?)\*\*|\*([^*\s][^*]*?)\*")


def inline_runs(text: str) -> list[tuple[str, bool, bool]]:
    """Split ``text`` on ``**bold**`` and ``*italic*`` markers into (text, bold, italic)."""
    runs: list[tuple[str, bool, bool]] = []
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            runs.append((text[pos : m.start()], False, False))
        if m.group(1) is not None:
            inner = m.group(1)
            # *italic* nested inside **bold** becomes bold italic.
            for sub, _b, it in inline_runs(inner):
                runs.append((sub, True, it))
        else:
            runs.append((m.group(2), False, True))
        pos = m.end()
    if pos < len(text):
        runs.append((text[pos:], False, False))
    return [r for r in runs if r[0]]


_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
    Path("/usr/share/fonts/truetype/msttcorefonts"),
)


@lru_cache(maxsize=4)
def _font_file(bold: bool) -> Path | None:
    names = (
        ("LiberationSerif-Bold.ttf", "Times_New_Roman_Bold.ttf", "timesbd.ttf")
        if bold
        else ("LiberationSerif-Regular.ttf", "Times_New_Roman.ttf", "times.ttf")
    )
    for d in _FONT_DIRS:
        for n in names:
            if (d / n).is_file():
                return d / n
    return None


@lru_cache(maxsize=256)
def text_width_cm(text: str, size_pt: float, bold: bool = False) -> float:
    """Width of one line of ``text`` in Times New Roman, used to size the short rules under
    the issuer, the motto and the title. Measured with Liberation Serif (metric-compatible
    with Times New Roman) when it is installed, else estimated."""
    path = _font_file(bold)
    if path is not None:
        try:
            from PIL import ImageFont

            font = ImageFont.truetype(str(path), size=100)
            return float(font.getlength(text)) / 100 * size_pt / 72 * 2.54
        except (ImportError, OSError):
            pass
    # Average Times New Roman advance: ~0.5 em lower case, ~0.68 em capitals (bold wider).
    em = sum(0.68 if c.isupper() else 0.25 if c.isspace() else 0.5 for c in text)
    if bold:
        em *= 1.05
    return em * size_pt / 72 * 2.54
