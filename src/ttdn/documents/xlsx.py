"""XLSX annexes ("Phụ lục số liệu") that accompany generated reports.

One workbook, one sheet per table: a bold title row, a blank row, then a bold, shaded,
frozen header row and the data, all in Times New Roman (the font of Decree 30/2020/NĐ-CP,
Appendix I, I.4, so the annex matches the report it belongs to). Numbers keep their numeric
type with a display format; column widths follow the content.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

__all__ = ["render_xlsx_annex"]

_FONT = "Times New Roman"
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_INT_FMT = "#,##0"
_FLOAT_FMT = "#,##0.00"
_DATE_FMT = "dd/mm/yyyy"
_TITLE_ROW = 1
_HEADER_ROW = 3
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(name: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub("-", name).strip("'") or "Sheet"
    base = base[:31]
    candidate, n = base, 2
    while candidate.casefold() in used:
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(candidate.casefold())
    return candidate


def _display_len(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    if isinstance(value, int):
        return len(f"{value:,}")
    if isinstance(value, date):
        return 10
    return max((len(line) for line in str(value).split("\n")), default=0)


def render_xlsx_annex(
    title: str,
    sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[object]]]],
) -> bytes:
    """Build the annex workbook. ``sheets`` is a list of (sheet name, column headers, rows)."""
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    body_font = Font(name=_FONT, size=12)
    header_font = Font(name=_FONT, size=12, bold=True)
    title_font = Font(name=_FONT, size=14, bold=True)
    if not sheets:
        sheets = [("Phụ lục", [], [])]
    for name, columns, rows in sheets:
        ws = wb.create_sheet(_sheet_name(name, used))
        ncols = max(1, len(columns), *(len(r) for r in rows))
        ws.cell(row=_TITLE_ROW, column=1, value=title).font = title_font
        ws.cell(row=_TITLE_ROW, column=1).alignment = Alignment(
            horizontal="center", vertical="center", wrap_text=True
        )
        if ncols > 1:
            ws.merge_cells(
                start_row=_TITLE_ROW, start_column=1, end_row=_TITLE_ROW, end_column=ncols
            )
        ws.row_dimensions[_TITLE_ROW].height = 36
        widths = [_display_len(c) for c in columns] + [0] * (ncols - len(columns))
        for j, col in enumerate(columns, start=1):
            c = ws.cell(row=_HEADER_ROW, column=j, value=col)
            c.font = header_font
            c.fill = _HEADER_FILL
            c.border = _BORDER
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for i, row in enumerate(rows, start=_HEADER_ROW + 1):
            for j, value in enumerate(row, start=1):
                c = ws.cell(row=i, column=j, value=value)
                c.font = body_font
                c.border = _BORDER
                if isinstance(value, bool):
                    pass
                elif isinstance(value, int):
                    c.number_format = _INT_FMT
                elif isinstance(value, float):
                    c.number_format = _FLOAT_FMT
                elif isinstance(value, datetime):
                    c.number_format = "dd/mm/yyyy hh:mm"
                elif isinstance(value, date):
                    c.number_format = _DATE_FMT
                else:
                    c.alignment = Alignment(vertical="top", wrap_text=True)
                widths[j - 1] = max(widths[j - 1], _display_len(value))
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = min(60, max(8, w + 2))
        # Freeze everything above the first data row: title and header stay in view.
        ws.freeze_panes = ws.cell(row=_HEADER_ROW + 1, column=1)
        ws.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if ncols > 6 else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
