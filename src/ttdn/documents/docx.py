"""Render an :class:`~ttdn.documents.model.AdminDocument` to DOCX in the layout of Decree
30/2020/NĐ-CP, Appendix I (thể thức và kỹ thuật trình bày văn bản hành chính).

The layout, top to bottom:

- a borderless two-column, two-row header table (Appendix I, IV: ô 1-4): issuing body with a
  short rule under it | national motto with a rule under the slogan; then "Số: …" | the
  italic place-and-date line, on the same row as point II.4 requires;
- the document kind in bold capitals and the title (trích yếu) in bold, centred, with a short
  rule under the title (II.5);
- the body (II.6): justified, 1 cm first-line indent, 6 pt after each paragraph, headings,
  "- " bullets, tables and charts;
- a borderless two-column closing table (ô 9 and 7): "Nơi nhận:" and its list on the left,
  the signature block on the right (II.7, II.9);
- page numbers centred in the top margin from page 2 on (I.7).

Short horizontal rules are drawn as the bottom border of an empty 1 pt paragraph indented so
that the rule has the width the decree asks for; this survives Word and LibreOffice alike,
unlike floating shapes.
"""

from __future__ import annotations

from io import BytesIO

from docx import Document as _new_document
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.styles import CT_Style
from docx.oxml.text.run import CT_R
from docx.shared import Cm, Mm, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from ttdn.documents.layout import (
    DEFAULT_LAYOUT,
    FONT,
    LANGUAGE,
    Layout,
    inline_runs,
    number_line,
    recipient_lines,
    text_width_cm,
    vietnamese_date_line,
)
from ttdn.documents.model import (
    AdminDocument,
    Block,
    Bullet,
    Cell,
    Chart,
    Heading,
    Paragraph,
    Table,
)

__all__ = ["render_docx"]

MOTTO_COUNTRY = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_SLOGAN = "Độc lập - Tự do - Hạnh phúc"
# Default cell margins of a Word table (left + right), in cm.
_CELL_PADDING_CM = 0.38


def render_docx(doc: AdminDocument, *, layout: Layout = DEFAULT_LAYOUT) -> bytes:
    """Lay ``doc`` out per Decree 30/2020/NĐ-CP and return the DOCX file as bytes."""
    d = _new_document()
    props = d.core_properties
    props.title = f"{doc.kind.upper()} {doc.title}".replace("\n", " ")
    props.subject = doc.title.replace("\n", " ")
    props.author = props.last_modified_by = doc.issuer.replace("\n", " ")
    props.language = LANGUAGE
    props.comments = ""
    _setup_styles(d, layout)
    _setup_section(d, layout)
    _header_block(d, doc, layout)
    _title_block(d, doc, layout)
    for block in doc.blocks:
        _render_block(d, block, layout)
    _closing_block(d, doc, layout)
    out = BytesIO()
    d.save(out)
    return out.getvalue()


# --- document set-up ---------------------------------------------------------------------


def _set_run_fonts(rpr_parent: CT_R | CT_Style, size_pt: float | None = None) -> None:
    """Point every script slot of ``w:rFonts`` at Times New Roman (I.4) and set vi-VN."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    if size_pt is not None:
        rpr.sz_val = Pt(size_pt)


def _setup_styles(d: Document, layout: Layout) -> None:
    normal = d.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(layout.body_pt)
    _set_run_fonts(normal.element, layout.body_pt)
    pf = normal.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.line_spacing = 1.0
    # Document defaults too, so tables, headers and anything unstyled stay in Times New Roman.
    defaults = d.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None:
            rpr = rpr_default.find(qn("w:rPr"))
            if rpr is not None:
                fonts = rpr.find(qn("w:rFonts"))
                if fonts is None:
                    fonts = OxmlElement("w:rFonts")
                    rpr.insert(0, fonts)
                for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                    fonts.attrib.pop(qn(attr), None)
                for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
                    fonts.set(qn(attr), FONT)


def _setup_section(d: Document, layout: Layout) -> None:
    s = d.sections[0]
    s.orientation = WD_ORIENT.PORTRAIT
    s.page_width = Mm(layout.page_width_mm)  # I.1: A4
    s.page_height = Mm(layout.page_height_mm)
    s.top_margin = Mm(layout.margin_top_mm)  # I.3
    s.bottom_margin = Mm(layout.margin_bottom_mm)
    s.left_margin = Mm(layout.margin_left_mm)
    s.right_margin = Mm(layout.margin_right_mm)
    s.header_distance = Mm(layout.header_distance_mm)
    s.footer_distance = Mm(layout.header_distance_mm)
    s.gutter = Mm(0)
    # I.7: page number centred in the top margin, not shown on the first page.
    s.different_first_page_header_footer = True
    s.first_page_header.is_linked_to_previous = False  # an explicit, empty first-page header
    p = s.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _add_page_field(p, layout.page_number_pt)


def _add_page_field(p: DocxParagraph, size_pt: float) -> None:
    def fld_char(kind: str) -> None:
        r = _run(p, "", size_pt)
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        r._r.append(el)

    fld_char("begin")
    r = _run(p, "", size_pt)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    r._r.append(instr)
    fld_char("separate")
    _run(p, "2", size_pt)
    fld_char("end")


# --- primitives ----------------------------------------------------------------------------


def _run(
    p: DocxParagraph,
    text: str,
    size_pt: float,
    *,
    bold: bool = False,
    italic: bool = False,
) -> Run:
    r = p.add_run(text)
    _set_run_fonts(r._r, size_pt)
    if bold:
        r.bold = True
    if italic:
        r.italic = True
    return r


def _lines(p: DocxParagraph, text: str, size_pt: float, **kw: bool) -> None:
    """Add ``text`` to ``p``, turning "\\n" into line breaks."""
    for i, line in enumerate(text.split("\n")):
        r = _run(p, line, size_pt, **kw)
        if i:
            r._r.insert(r._r.index(r._r.find(qn("w:t"))), OxmlElement("w:br"))


def _para_format(
    p: DocxParagraph,
    *,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    before: float = 0,
    after: float = 0,
    line: float | None = 1.0,
    first_line_cm: float | None = None,
    keep_next: bool = False,
) -> DocxParagraph:
    pf = p.paragraph_format
    p.alignment = align
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if line is not None:
        pf.line_spacing = line
    if first_line_cm is not None:
        pf.first_line_indent = Cm(first_line_cm)
    if keep_next:
        pf.keep_with_next = True
    return p


def _mark_size(p: DocxParagraph, size_pt: float) -> None:
    """Size of the paragraph mark, which sets the height of an empty paragraph."""
    ppr = p._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        ppr.append(rpr)
    for tag in ("w:sz", "w:szCs"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), str(max(2, round(size_pt * 2))))
        rpr.append(el)


def _rule(p: DocxParagraph, width_cm: float, avail_cm: float, gap_pt: float = 2.5) -> None:
    """Turn the empty paragraph ``p`` into a centred horizontal rule ``width_cm`` long,
    ``gap_pt`` below the line above it."""
    width_cm = max(0.5, min(width_cm, avail_cm))
    side = (avail_cm - width_cm) / 2
    _para_format(p, before=gap_pt, line=None)
    pf = p.paragraph_format
    pf.left_indent = Cm(side)
    pf.right_indent = Cm(side)
    pf.line_spacing = Pt(1)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    bdr.append(bottom)
    ppr.insert_element_before(
        bdr, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:spacing", "w:ind", "w:jc", "w:rPr"
    )
    _mark_size(p, 1)


def _borderless(t: DocxTable, widths_cm: list[float]) -> None:
    _table_props(t, widths_cm)
    tbl_pr = t._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    # Schema order (CT_TblPr): tblBorders precedes shd, tblLayout, tblCellMar and tblLook.
    tbl_pr.insert_element_before(
        borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption"
    )


def _table_props(t: DocxTable, widths_cm: list[float]) -> None:
    t.autofit = False
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl_pr = t._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(round(sum(widths_cm) * 567)))
    grid = t._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_cm, strict=True):
        col.set(qn("w:w"), str(round(w * 567)))
    for row in t.rows:
        for cell, w in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(w)


def _first_or_new(cell: _Cell, first: list[bool]) -> DocxParagraph:
    if first[0]:
        first[0] = False
        return cell.paragraphs[0]
    return cell.add_paragraph()


# --- header and title ----------------------------------------------------------------------


def _header_block(d: Document, doc: AdminDocument, layout: Layout) -> None:
    left_w = layout.header_left_cm
    right_w = layout.text_width_cm - left_w
    t = d.add_table(rows=2, cols=2)
    _borderless(t, [left_w, right_w])
    left, right = t.rows[0].cells
    num_cell, date_cell = t.rows[1].cells
    left_avail, right_avail = left_w - _CELL_PADDING_CM, right_w - _CELL_PADDING_CM

    # II.2: tên cơ quan chủ quản (caps, not bold), tên cơ quan ban hành (caps, bold), rule
    # 1/3-1/2 of the issuer's line, centred under it.
    first = [True]
    issuer_lines = doc.issuer.upper().split("\n")
    if doc.issuer_parent:
        p = _para_format(_first_or_new(left, first))
        _lines(p, doc.issuer_parent.upper(), layout.issuer_pt)
    p = _para_format(_first_or_new(left, first))
    _lines(p, "\n".join(issuer_lines), layout.issuer_pt, bold=True)
    issuer_w = max(text_width_cm(line, layout.issuer_pt, bold=True) for line in issuer_lines)
    _rule(left.add_paragraph(), 0.4 * min(issuer_w, left_avail), left_avail)

    # II.1: Quốc hiệu (caps, bold) and Tiêu ngữ (bold), rule as long as the slogan.
    p = _para_format(right.paragraphs[0])
    _run(p, MOTTO_COUNTRY, layout.motto_country_pt, bold=True)
    p = _para_format(right.add_paragraph())
    _run(p, MOTTO_SLOGAN, layout.motto_slogan_pt, bold=True)
    slogan_w = text_width_cm(MOTTO_SLOGAN, layout.motto_slogan_pt, bold=True)
    _rule(right.add_paragraph(), slogan_w, right_avail)

    # II.3 and II.4: "Số: …" under the issuer, and the place and date in italics on the same
    # line under the motto.
    p = _para_format(num_cell.paragraphs[0], before=6)
    _run(p, number_line(doc.number, doc.symbol), layout.number_pt)
    p = _para_format(date_cell.paragraphs[0], before=6)
    _run(p, vietnamese_date_line(doc.place, doc.date, doc.year), layout.date_pt, italic=True)


def _title_block(d: Document, doc: AdminDocument, layout: Layout) -> None:
    # II.5: tên loại (caps, bold) and trích yếu (bold) centred, a short rule under the title.
    p = _para_format(d.add_paragraph(), before=18, keep_next=True)
    _run(p, doc.kind.upper(), layout.kind_pt, bold=True)
    p = _para_format(d.add_paragraph(), keep_next=True)
    _lines(p, doc.title, layout.title_pt, bold=True)
    title_w = max(text_width_cm(x, layout.title_pt, bold=True) for x in doc.title.split("\n"))
    rule = d.add_paragraph()
    _rule(rule, 0.4 * min(title_w, layout.text_width_cm), layout.text_width_cm, gap_pt=4)
    rule.paragraph_format.space_after = Pt(12)
    if doc.addressees:
        _addressees(d, doc.addressees, layout)


def _addressees(d: Document, addressees: list[str], layout: Layout) -> None:
    """ "Kính gửi:" (Appendix I, II.8 for công văn; also used by reports to superiors): one
    addressee on the same line, centred; several as "- X;" lines aligned under the first."""
    label = "Kính gửi:"
    items = [a.strip().lstrip("-").strip().rstrip(";.") for a in addressees if a.strip()]
    if len(items) == 1:
        p = _para_format(d.add_paragraph(), after=6)
        _run(p, f"{label} {items[0]}.", layout.body_pt)
        return
    label_w = text_width_cm(label + "  ", layout.body_pt)
    p = _para_format(d.add_paragraph(), align=WD_ALIGN_PARAGRAPH.LEFT, after=6)
    p.paragraph_format.left_indent = Cm(layout.text_width_cm / 4 + label_w)
    p.paragraph_format.first_line_indent = Cm(-label_w)
    p.paragraph_format.tab_stops.add_tab_stop(Cm(layout.text_width_cm / 4 + label_w))
    _run(p, f"{label}\t", layout.body_pt)
    for i, item in enumerate(items):
        r = _run(p, f"- {item}{'.' if i == len(items) - 1 else ';'}", layout.body_pt)
        if i:
            r._r.insert(r._r.index(r._r.find(qn("w:t"))), OxmlElement("w:br"))


# --- body ----------------------------------------------------------------------------------


def _body_paragraph(d: Document, layout: Layout, *, keep_next: bool = False) -> DocxParagraph:
    # II.6: justified, first-line indent 1-1.27 cm, >= 6 pt between paragraphs, single to
    # 1.5 line spacing.
    return _para_format(
        d.add_paragraph(),
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        before=0,
        after=layout.paragraph_after_pt,
        line=layout.line_spacing,
        first_line_cm=layout.first_line_indent_cm,
        keep_next=keep_next,
    )


def _inline(
    p: DocxParagraph, text: str, size_pt: float, *, bold: bool = False, italic: bool = False
) -> None:
    for chunk, b, i in inline_runs(text):
        _run(p, chunk, size_pt, bold=bold or b, italic=italic or i)


def _render_block(d: Document, block: Block, layout: Layout) -> None:
    if isinstance(block, Heading):
        p = _body_paragraph(d, layout, keep_next=True)
        p.paragraph_format.space_before = Pt(6)
        if block.level <= 1:
            # Phần/mục: Roman numeral, capitals, bold.
            _inline(p, block.text.upper(), layout.body_pt, bold=True)
        elif block.level == 2:
            _inline(p, block.text, layout.body_pt, bold=True)
        else:
            _inline(p, block.text, layout.body_pt, italic=True)
    elif isinstance(block, Paragraph):
        _inline(_body_paragraph(d, layout), block.text, layout.body_pt)
    elif isinstance(block, Bullet):
        text = block.text.lstrip()
        if not text.startswith(("-", "–", "+")):
            text = f"- {text}"
        _inline(_body_paragraph(d, layout), text, layout.body_pt)
    elif isinstance(block, Table):
        _data_table(d, block, layout)
    elif isinstance(block, Chart):
        _chart(d, block, layout)
    else:  # pragma: no cover - exhaustive over Block
        raise TypeError(f"unknown block {block!r}")


def _fmt_cell(value: Cell) -> tuple[str, bool]:
    """Text of a cell and whether it is a number. Vietnamese number style: "." groups
    thousands and "," marks decimals (1.234,5)."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return ("Có" if value else "Không"), False
    if isinstance(value, int):
        return f"{value:,}".replace(",", "."), True
    if isinstance(value, float):
        s = f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
        return s.replace(",", "\0").replace(".", ",").replace("\0", "."), True
    return str(value), False


def _data_table(d: Document, block: Table, layout: Layout) -> None:
    ncols = len(block.columns)
    if block.widths_cm is not None and len(block.widths_cm) == ncols:
        widths = list(block.widths_cm)
    else:
        widths = [layout.text_width_cm / ncols] * ncols
    if block.caption:
        p = _para_format(d.add_paragraph(), before=6, after=6, keep_next=True)
        _inline(p, block.caption, layout.caption_pt, bold=True)
    t = d.add_table(rows=1 + len(block.rows), cols=ncols)
    t.style = d.styles["Table Grid"]
    _table_props(t, widths)
    size = layout.table_pt
    rows = t.rows
    header = rows[0]
    # Repeat the header row on every page and never split a row across pages.
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell, name in zip(header.cells, block.columns, strict=True):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        p = _para_format(cell.paragraphs[0], before=3, after=3)
        _run(p, name, size, bold=True)
    # A running-number column ("STT", "TT") is centred, as Vietnamese tables have it.
    centred = [c.strip().casefold() in {"stt", "tt", "số tt"} for c in block.columns]
    # python-docx recomputes the whole grid on every ``row.cells``: take it once (O(n), not
    # O(n²) — a 2,400-row annex table went from 6.6 s to well under a second).
    grid = t._cells
    for i, (row, values) in enumerate(zip(rows[1:], block.rows, strict=True), start=1):
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        padded = list(values[:ncols]) + [None] * (ncols - len(values))
        row_cells = grid[i * ncols : (i + 1) * ncols]
        for cell, value, centre in zip(row_cells, padded, centred, strict=True):
            text, numeric = _fmt_cell(value)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            align = WD_ALIGN_PARAGRAPH.RIGHT if numeric else WD_ALIGN_PARAGRAPH.LEFT
            if centre:
                align = WD_ALIGN_PARAGRAPH.CENTER
            p = _para_format(cell.paragraphs[0], align=align, before=2, after=2)
            _inline(p, text, size)
    # A little air between the table and the next paragraph.
    _para_format(d.add_paragraph(), after=0)
    _mark_size(d.paragraphs[-1], 6)


def _chart(d: Document, block: Chart, layout: Layout) -> None:
    p = _para_format(d.add_paragraph(), before=6, after=3, keep_next=bool(block.caption))
    width = min(block.width_cm, layout.text_width_cm)
    p.add_run().add_picture(BytesIO(block.png), width=Cm(width))
    if block.caption:
        cap = _para_format(d.add_paragraph(), after=layout.paragraph_after_pt)
        _inline(cap, block.caption, layout.caption_pt, italic=True)


# --- closing: recipients and signature -----------------------------------------------------


def _closing_block(d: Document, doc: AdminDocument, layout: Layout) -> None:
    left_w = layout.signature_left_cm
    right_w = layout.text_width_cm - left_w
    t = d.add_table(rows=1, cols=2)
    _borderless(t, [left_w, right_w])
    t.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    left, right = t.rows[0].cells

    # II.9: "Nơi nhận:" bold italic 12; the list upright 11, "- X;" lines, "- Lưu: VT, …."
    p = _para_format(left.paragraphs[0], align=WD_ALIGN_PARAGRAPH.LEFT, before=12)
    _run(p, "Nơi nhận:", layout.recipients_label_pt, bold=True, italic=True)
    for line in recipient_lines(doc.recipients):
        p = _para_format(left.add_paragraph(), align=WD_ALIGN_PARAGRAPH.LEFT)
        _run(p, line, layout.recipients_pt)

    # II.7: quyền hạn and chức vụ in bold capitals, space for the signature and the seal,
    # the signer's name in bold, all centred on each other.
    first = [True]
    for i, line in enumerate(doc.signer_authority):
        p = _para_format(_first_or_new(right, first), before=12 if i == 0 else 0)
        _run(p, line.upper(), layout.signer_pt, bold=True)
    if first[0]:
        _para_format(right.paragraphs[0], before=12)
        first[0] = False
    for _ in range(layout.signature_space_lines):
        _para_format(right.add_paragraph())
    if doc.signer_name:
        p = _para_format(right.add_paragraph())
        _run(p, doc.signer_name, layout.signer_pt, bold=True)
