"""The rendered DOCX follows Decree 30/2020/NĐ-CP, Appendix I; checked with python-docx."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from ttdn.documents.docx import render_docx
from ttdn.documents.model import AdminDocument

from .sample import sample_report

FONT = "Times New Roman"


@pytest.fixture(scope="module")
def report() -> AdminDocument:
    return sample_report()


@pytest.fixture(scope="module")
def docx_bytes(report: AdminDocument) -> bytes:
    return render_docx(report)


@pytest.fixture(scope="module")
def doc(docx_bytes: bytes) -> DocxDocument:
    return Document(BytesIO(docx_bytes))


def texts(cell_paragraphs: list[Paragraph]) -> list[str]:
    return [p.text for p in cell_paragraphs if p.text.strip()]


def runs(p: Paragraph) -> list[Run]:
    return [r for r in p.runs if r.text.strip()]


def size(r: Run) -> float:
    assert r.font.size is not None, f"run {r.text!r} has no explicit size"
    return r.font.size.pt


def all_paragraphs(doc: DocxDocument) -> list[Paragraph]:
    out = list(doc.paragraphs)
    for t in doc.tables:
        for row in t.rows:
            for cell in row.cells:
                out.extend(cell.paragraphs)
    return out


def test_is_a_docx(docx_bytes: bytes) -> None:
    assert docx_bytes[:2] == b"PK"


def test_page_is_a4_with_decree_margins(doc: DocxDocument) -> None:
    s = doc.sections[0]
    assert s.page_width is not None and s.page_height is not None
    assert s.page_width.mm == pytest.approx(210, abs=0.5)  # I.1
    assert s.page_height.mm == pytest.approx(297, abs=0.5)
    for margin, lo, hi in (  # I.3
        (s.top_margin, 20, 25),
        (s.bottom_margin, 20, 25),
        (s.left_margin, 30, 35),
        (s.right_margin, 15, 20),
    ):
        assert margin is not None
        assert lo - 0.1 <= margin.mm <= hi + 0.1


def test_every_run_is_times_new_roman(doc: DocxDocument) -> None:
    assert doc.styles["Normal"].font.name == FONT
    for p in all_paragraphs(doc):
        for r in runs(p):
            assert r.font.name == FONT, r.text
            assert r._r.rPr is not None
            fonts = r._r.rPr.rFonts
            assert fonts is not None
            assert fonts.get(qn("w:hAnsi")) == FONT
            assert fonts.get(qn("w:cs")) == FONT


def test_body_sizes_and_paragraph_format(doc: DocxDocument) -> None:
    body = [p for p in doc.paragraphs if p.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY]
    assert len(body) >= 8
    for p in body:
        for r in runs(p):
            assert 13 <= size(r) <= 14  # II.6
        pf = p.paragraph_format
        assert pf.first_line_indent is not None
        assert 1.0 <= pf.first_line_indent.cm <= 1.27 + 1e-6
        assert pf.space_after is not None and pf.space_after.pt >= 6
        assert isinstance(pf.line_spacing, float) and 1.0 <= pf.line_spacing <= 1.5
    for p in doc.paragraphs:
        for r in runs(p):
            assert 12 <= size(r) <= 14, r.text


def test_header_table(doc: DocxDocument) -> None:
    header: DocxTable = doc.tables[0]
    assert len(header.rows) == 2 and len(header.columns) == 2
    borders = header._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None
    assert all(el.get(qn("w:val")) == "nil" for el in borders)

    issuer_cell, motto_cell = header.rows[0].cells
    parent, issuer = [p for p in issuer_cell.paragraphs if p.text.strip()]
    assert parent.text == "UBND TỈNH TUYÊN QUANG"
    assert not any(r.bold for r in runs(parent))
    assert issuer.text == "SỞ NGOẠI VỤ" == issuer.text.upper()
    assert all(r.bold for r in runs(issuer))
    for p in (parent, issuer):
        assert all(12 <= size(r) <= 13 for r in runs(p))  # II.2
    # A short rule under the issuer: the bottom border of the next (empty) paragraph.
    rule = issuer_cell.paragraphs[-1]
    assert rule.text == ""
    assert rule._p.pPr is not None
    assert rule._p.pPr.find(qn("w:pBdr")) is not None

    country, slogan = [p for p in motto_cell.paragraphs if p.text.strip()]
    assert country.text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert all(r.bold and 12 <= size(r) <= 13 for r in runs(country))  # II.1
    assert slogan.text == "Độc lập - Tự do - Hạnh phúc"
    assert all(r.bold and 13 <= size(r) <= 14 for r in runs(slogan))
    motto_rule = motto_cell.paragraphs[-1]._p.pPr
    assert motto_rule is not None and motto_rule.find(qn("w:pBdr")) is not None
    for p in (parent, issuer, country, slogan):
        assert p.alignment == WD_ALIGN_PARAGRAPH.CENTER

    number_cell, date_cell = header.rows[1].cells
    assert texts(number_cell.paragraphs) == ["Số: 123/BC-SNgV"]
    (date_p,) = [p for p in date_cell.paragraphs if p.text.strip()]
    assert date_p.text == "Tuyên Quang, ngày 15 tháng 11 năm 2026"
    assert re.fullmatch(r".+, ngày \d{2} tháng (0[12]|[3-9]|1[0-2]) năm \d{4}", date_p.text)
    assert all(r.italic and 13 <= size(r) <= 14 for r in runs(date_p))  # II.4


def test_undated_document_leaves_blanks() -> None:
    doc = Document(BytesIO(render_docx(sample_report(dated=False))))
    number_cell, date_cell = doc.tables[0].rows[1].cells
    (number,) = texts(number_cell.paragraphs)
    assert re.fullmatch(r"Số: +/BC-SNgV", number)
    (when,) = texts(date_cell.paragraphs)
    assert re.fullmatch(r"Tuyên Quang, ngày +tháng +năm 2026", when)


def test_title_block(doc: DocxDocument) -> None:
    paras = [p for p in doc.paragraphs if p.text.strip()]
    kind, title = paras[0], paras[1]
    assert kind.text == "BÁO CÁO"
    assert title.text == "Kết quả thực hiện công tác thông tin đối ngoại năm 2026"
    for p in (kind, title):  # II.5
        assert p.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert all(r.bold and 13 <= size(r) <= 14 for r in runs(p))


def test_headings(doc: DocxDocument) -> None:
    by_text = {p.text: p for p in doc.paragraphs}
    h1 = by_text["I. KẾT QUẢ THỰC HIỆN"]
    assert all(r.bold for r in runs(h1))
    h2 = by_text["1. Công tác chỉ đạo, điều hành"]
    assert all(r.bold for r in runs(h2))
    h3 = by_text["a) Về tuyên truyền trên báo chí"]
    assert all(r.italic for r in runs(h3))
    assert h1.paragraph_format.keep_with_next


def test_inline_markup_and_bullets(doc: DocxDocument) -> None:
    p = next(p for p in doc.paragraphs if "kế hoạch thông tin đối ngoại năm" in p.text)
    assert "**" not in p.text and "*" not in p.text
    bold = [r.text for r in p.runs if r.bold]
    italic = [r.text for r in p.runs if r.italic]
    assert bold == ["kế hoạch thông tin đối ngoại"]
    assert italic == ["đúng tiến độ"]
    assert any(p.text.startswith("- Đăng tải 134 tin") for p in doc.paragraphs)


def test_data_table_and_chart(doc: DocxDocument) -> None:
    table = doc.tables[1]
    header = table.rows[0]
    assert [c.text for c in header.cells][:2] == ["STT", "Nhiệm vụ"]
    assert all(r.bold for c in header.cells for r in runs(c.paragraphs[0]))
    assert header._tr.trPr is not None
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    last = [c.text for c in table.rows[-1].cells]
    assert last[3:] == ["1.200", "1.315", "109,6"]  # Vietnamese number style
    assert any(p.text.startswith("Bảng 1.") for p in doc.paragraphs)
    assert len(doc.inline_shapes) == 1
    assert any(p.text.startswith("Biểu đồ 1.") for p in doc.paragraphs)


def test_recipients_and_signature(doc: DocxDocument) -> None:
    closing: DocxTable = doc.tables[-1]
    left, right = closing.rows[0].cells
    label = left.paragraphs[0]
    assert label.text == "Nơi nhận:"
    assert all(r.bold and r.italic and size(r) == 12 for r in runs(label))  # II.9
    lines = left.paragraphs[1:]
    assert lines[0].text == "- Bộ Ngoại giao (b/c);"
    assert lines[-1].text == "- Lưu: VT, TTĐN."
    assert all(size(r) == 11 and not r.bold for p in lines for r in runs(p))

    signed = [p for p in right.paragraphs if p.text.strip()]
    assert [p.text for p in signed] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn An"]
    for p in signed:  # II.7
        assert p.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert all(r.bold and 13 <= size(r) <= 14 for r in runs(p))
    # Room for the signature and seal between the title and the name.
    assert len(right.paragraphs) - len(signed) >= 4


def test_page_numbers_from_page_two(doc: DocxDocument) -> None:
    s = doc.sections[0]
    assert s.different_first_page_header_footer  # I.7: none on page 1
    assert all(not p.text.strip() for p in s.first_page_header.paragraphs)
    header_xml = s.header._element.xml
    assert "PAGE" in header_xml and "fldChar" in header_xml
    assert s.header.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_long_report_renders(report: AdminDocument) -> None:
    long = sample_report(repeat=7)
    doc = Document(BytesIO(render_docx(long)))
    assert len(doc.tables) == 2 + 7
