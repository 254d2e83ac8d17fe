"""The "Phụ lục số liệu" workbook opens with openpyxl and is formatted as promised."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import load_workbook

from ttdn.documents.xlsx import render_xlsx_annex

from .sample import TASKS


def test_annex_workbook() -> None:
    data = render_xlsx_annex(
        "Phụ lục: Kết quả thực hiện nhiệm vụ TTĐN năm 2026",
        [
            (
                "Nhiệm vụ",
                ["STT", "Nhiệm vụ", "Đơn vị chủ trì", "Kế hoạch", "Thực hiện", "Tỷ lệ (%)"],
                [list(r) for r in TASKS],
            ),
            (
                "Tin/bài: báo chí?",
                ["Ngày", "Tiêu đề", "Số lượt xem"],
                [
                    [date(2026, 2, 5), "Tuyên Quang mở rộng hợp tác quốc tế", 12500],
                ],
            ),
            ("Nhiệm vụ", ["A"], []),
        ],
    )
    wb = load_workbook(BytesIO(data))
    assert wb.sheetnames == ["Nhiệm vụ", "Tin-bài- báo chí-", "Nhiệm vụ (2)"]
    ws = wb["Nhiệm vụ"]
    assert ws["A1"].value == "Phụ lục: Kết quả thực hiện nhiệm vụ TTĐN năm 2026"
    assert ws["A1"].font.bold
    assert "A1:F1" in {str(r) for r in ws.merged_cells.ranges}
    header = [c for c in ws[3]]
    assert [c.value for c in header][:2] == ["STT", "Nhiệm vụ"]
    assert all(c.font.bold for c in header)
    assert ws.freeze_panes == "A4"
    assert ws["A4"].font.name == "Times New Roman"
    assert ws["D8"].value == 1200 and ws["D8"].number_format == "#,##0"
    assert ws["F8"].value == 109.6 and ws["F8"].number_format == "#,##0.00"
    assert ws.column_dimensions["B"].width > ws.column_dimensions["A"].width
    news = wb["Tin-bài- báo chí-"]
    assert news["A4"].number_format == "dd/mm/yyyy"
    assert news.freeze_panes == "A4"
