"""Structure of plans written for these tests: other provinces, layouts and file formats.

None of these documents comes from the seeds; each exercises a rule of the genre (variant
field labels, "Giao …"/"Đề nghị …" sentences, task tables in the body and in an appendix,
Word header tables and auto-numbering, PDF text layers with hard line breaks).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ttdn.plans.parsing import extract_text, parse_file, parse_text

DATA = Path(__file__).parent / "data"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def tasks_by_section(out: dict[str, Any]) -> dict[str | None, list[dict[str, Any]]]:
    res: dict[str | None, list[dict[str, Any]]] = {}
    for t in out["tasks"]:
        res.setdefault(t["section"], []).append(t)
    return res


def numbers(out: dict[str, Any]) -> list[str]:
    return [s["number"] for s in out["sections"]]


# --- a hard-wrapped plain-text plan with variant labels and prose assignments -------------


@pytest.fixture(scope="module")
def ha_giang() -> dict[str, Any]:
    return parse_file(DATA / "ha_giang_wrapped.txt")


def test_header_fields(ha_giang: dict[str, Any]) -> None:
    assert ha_giang["number"] == "125/KH-UBND"
    assert ha_giang["issued_date"] == "2023-03-05"
    assert ha_giang["year"] == 2023
    assert ha_giang["issuer"] == "Uỷ ban nhân dân tỉnh Hà Giang"
    assert ha_giang["title"] == "Kế hoạch thông tin đối ngoại tỉnh Hà Giang năm 2023"
    # the proposal clause (Tờ trình) is not a legal basis
    assert ha_giang["legal_bases"] == ["72/2015/NĐ-CP", "45/2019/QĐ-UBND", "12-CT/TU"]
    assert ha_giang["report_deadline"] == "trước ngày 10/12/2023"


def test_sections_follow_numbering(ha_giang: dict[str, Any]) -> None:
    assert numbers(ha_giang) == [
        "I",
        "I.1",
        "I.2",
        "II",
        "II.1",
        "II.2",
        "II.3",
        "II.4",
        "III",
        "III.1",
        "III.2",
        "III.3",
    ]
    headings = {s["number"]: s["heading"] for s in ha_giang["sections"]}
    assert headings["III.1"] == "Sở Thông tin và Truyền thông"


def test_variant_block_labels(ha_giang: dict[str, Any]) -> None:
    (task,) = tasks_by_section(ha_giang)["II.1"]
    assert task["lead"] == ["Sở Thông tin và Truyền thông"]
    # a wrapped "Uỷ ban nhân / dân" line is joined; ";" splits the two agencies
    assert task["coordinating"] == [
        "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
        "Uỷ ban nhân dân các huyện biên giới",
    ]
    assert task["deadline"] == "Quý II/2023"
    assert task["due"] == "2023-06-30"
    assert task["outputs"] == "02 lớp tập huấn"


def test_giao_and_de_nghi_sentences(ha_giang: dict[str, Any]) -> None:
    by = tasks_by_section(ha_giang)
    (giao,) = by["II.2"]
    assert giao["lead"] == ["Sở Văn hoá, Thể thao và Du lịch"]
    assert giao["coordinating"] == ["Sở Ngoại vụ", "Trung tâm Xúc tiến Đầu tư tỉnh"]
    assert giao["due"] == "2023-10-31"
    (de_nghi,) = by["II.3"]
    assert de_nghi["lead"] == ["Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"]


def test_no_tasks_from_purpose_generic_or_passive(ha_giang: dict[str, Any]) -> None:
    by = tasks_by_section(ha_giang)
    assert "I.1" not in by  # MỤC ĐÍCH statements are not assignments
    assert "II.4" not in by  # generic subject and a passive "do Sở Tài chính chủ trì"


def test_implementation_items(ha_giang: dict[str, Any]) -> None:
    by = tasks_by_section(ha_giang)
    assert [t["lead"] for t in by["III.1"]] == [["Sở Thông tin và Truyền thông"]]
    (item2,) = by["III.2"]
    assert item2["lead"] == ["Uỷ ban nhân dân các huyện, thành phố"]
    # one-paragraph body opening with "Phối hợp với Y" gives Y (rule C3)
    assert item2["coordinating"] == ["Sở Ngoại vụ", "Đài Phát thanh và Truyền hình tỉnh"]
    (item3,) = by["III.3"]  # the "chủ trì" sentence names an agency already leading
    assert item3["lead"] == ["Báo Hà Giang", "Đài Phát thanh và Truyền hình tỉnh"]


# --- Markdown with task tables in the body and in an appendix -----------------------------


@pytest.fixture(scope="module")
def ca_mau() -> dict[str, Any]:
    return parse_file(DATA / "ca_mau_table.md")


def test_markdown_header_and_sections(ca_mau: dict[str, Any]) -> None:
    assert ca_mau["number"] == "77/KH-UBND"
    assert ca_mau["issued_date"] == "2025-01-14"
    assert ca_mau["year"] == 2025
    assert ca_mau["legal_bases"] == ["1191/QĐ-TTg", "18-KH/TU"]
    assert numbers(ca_mau) == ["I", "II", "II.1", "II.2", "III", "III.1", "III.2"]
    assert ca_mau["report_deadline"] == "trước ngày 20/11 hằng năm"


def test_body_table_rows_are_tasks_of_their_section(ca_mau: dict[str, Any]) -> None:
    rows = [t for t in ca_mau["tasks"] if t["section"] == "II.1"]
    assert [t["lead"] for t in rows] == [["Sở Thông tin và Truyền thông"], ["Văn phòng UBND tỉnh"]]
    assert rows[0]["recurrence"] == "FREQ=MONTHLY"
    assert rows[1]["recurrence"] == "FREQ=MONTHLY;INTERVAL=3"
    assert rows[0]["coordinating"] == ["Các sở, ban, ngành"]


def test_appendix_table_with_group_rows(ca_mau: dict[str, Any]) -> None:
    # An appendix after the signature is no section of the document (S2, T1a/T3): the
    # group row's label is kept as "group", the section is null.
    appendix = [t for t in ca_mau["tasks"] if t.get("row") and t.get("appendix")]
    assert [(t["section"], t["group"], t["lead"]) for t in appendix] == [
        (None, "I", ["Đài Phát thanh - Truyền hình tỉnh"]),
        (None, "I", ["Tỉnh đoàn"]),
        (None, "II", ["Sở Văn hóa, Thể thao và Du lịch"]),
    ]
    assert appendix[1]["coordinating"] == ["Sở Giáo dục và Đào tạo", "UBND các huyện, thành phố"]
    assert appendix[1]["due"] == "2025-06-30"
    assert appendix[0]["due"] == "2025-09-30"
    # the table rows and the appendix are not sections
    assert "II.1.1" not in numbers(ca_mau)


def test_markdown_implementation_items(ca_mau: dict[str, Any]) -> None:
    by = tasks_by_section(ca_mau)
    assert [t["lead"] for t in by["III.1"]] == [["Các sở, ban, ngành", "UBND các huyện, thành phố"]]
    assert [t["lead"] for t in by["III.2"]] == [["Sở Tài chính"]]


# --- Word file with a borderless header table, auto-numbering and a task table -------------


def _build_docx(path: Path) -> None:
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    header = doc.add_table(rows=2, cols=2)  # default style: no borders
    header.cell(0, 0).text = "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG TRỊ"
    header.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    header.cell(1, 0).text = "Số: 210/KH-UBND"
    header.cell(1, 1).text = "Quảng Trị, ngày 20 tháng 6 năm 2024"
    doc.add_paragraph("KẾ HOẠCH")
    doc.add_paragraph("Thông tin đối ngoại về biên giới năm 2024")
    doc.add_paragraph(
        "Căn cứ Thông tư số 22/2016/TT-BTTTT ngày 19/10/2016 của Bộ Thông tin và Truyền thông;"
    )
    doc.add_paragraph("Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:")
    doc.add_paragraph("I. MỤC ĐÍCH")
    doc.add_paragraph("Quảng bá hình ảnh vùng biên giới.")
    doc.add_paragraph("II. NHIỆM VỤ")
    doc.add_paragraph("1. Các nhiệm vụ cụ thể")
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ["STT", "Nội dung", "Chủ trì", "Phối hợp", "Thời gian"], strict=True
    ):
        cell.text = text
    for row in (
        ["I", "Biên giới Việt - Lào", "", "", ""],
        [
            "1",
            "Phim tài liệu về cột mốc",
            "Sở Ngoại vụ",
            "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
            "Quý IV năm 2024",
        ],
    ):
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    doc.add_paragraph("III. TỔ CHỨC THỰC HIỆN")
    doc.add_paragraph("Sở Ngoại vụ", style="List Number")
    doc.add_paragraph("Chủ trì, phối hợp với Công an tỉnh quản lý phóng viên nước ngoài.")
    doc.add_paragraph("Công an tỉnh", style="List Number")
    doc.add_paragraph("Bảo đảm an ninh thông tin.")
    doc.add_paragraph("Nơi nhận:")
    doc.save(str(path))


def test_docx_plan(tmp_path: Path) -> None:
    path = tmp_path / "quang_tri.docx"
    _build_docx(path)
    out = parse_file(path)
    assert out["number"] == "210/KH-UBND"
    assert out["issued_date"] == "2024-06-20"
    assert out["issuer"] == "Ủy ban nhân dân tỉnh Quảng Trị"
    assert out["year"] == 2024
    assert out["legal_bases"] == ["22/2016/TT-BTTTT"]
    assert numbers(out) == ["I", "II", "II.1", "III", "III.1", "III.2"]
    by = tasks_by_section(out)
    (row,) = by["II.1"]
    assert row["lead"] == ["Sở Ngoại vụ"]
    assert row["coordinating"] == ["Bộ Chỉ huy Bộ đội Biên phòng tỉnh"]
    assert row["due"] == "2024-12-31"
    (item,) = by["III.1"]
    assert item["lead"] == ["Sở Ngoại vụ"] and item["coordinating"] == ["Công an tỉnh"]
    assert [t["lead"] for t in by["III.2"]] == [["Công an tỉnh"]]


# --- PDF with a text layer (hard line breaks come from the PDF layout) ---------------------


def test_pdf_plan(tmp_path: Path) -> None:
    fpdf = pytest.importorskip("fpdf")
    if not FONT.exists():
        pytest.skip("DejaVuSans not installed")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_font("DejaVu", size=11)
    text = (DATA / "ha_giang_wrapped.txt").read_text("utf-8")
    for line in text.splitlines():
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "ha_giang.pdf"
    pdf.output(str(path))
    extracted = extract_text(path)
    assert "Sở Thông tin và Truyền thông" in extracted
    out = parse_file(path)
    reference = parse_text(text)
    assert numbers(out) == numbers(reference)
    assert [(t["section"], t["lead"]) for t in out["tasks"]] == [
        (t["section"], t["lead"]) for t in reference["tasks"]
    ]
    assert out["number"] == "125/KH-UBND"
    assert out["legal_bases"] == reference["legal_bases"]


# --- layout rules that are easy to break ---------------------------------------------------


def test_heading_level_from_numbering_not_markdown() -> None:
    text = (
        "KẾ HOẠCH\nThông tin đối ngoại năm 2026\n\n"
        "## I. NỘI DUNG\n\n### 1. Tuyên truyền\n\n"
        "Sở Ngoại vụ chủ trì, phối hợp với Sở Tư pháp tổ chức hội nghị.\n\n"
        "## 2. Quảng bá\n\n#### a) Trên báo chí\n\nNội dung quảng bá.\n\n"
        "#### b) Trên mạng xã hội\n\n## II. KINH PHÍ\n\nNgân sách tỉnh.\n"
    )
    out = parse_text(text)
    assert numbers(out) == ["I", "I.1", "I.2", "I.2.a", "I.2.b", "II"]
    (task,) = out["tasks"]
    assert task["section"] == "I.1"
    assert task["lead"] == ["Sở Ngoại vụ"] and task["coordinating"] == ["Sở Tư pháp"]


def test_no_roman_level_and_inline_enumerations() -> None:
    text = (
        "1. Tuyên truyền biển đảo\nNội dung gồm: (1) chủ quyền; (2) kinh tế biển.\n"
        "2. Quảng bá du lịch\na) Ấn phẩm\n- Xuất bản sách ảnh.\n+ Bản tiếng Anh.\n"
        "b) Sự kiện\n¹ Ghi chú cuối trang.\n"
    )
    assert numbers(parse_text(text)) == ["1", "2", "2.a", "2.b"]


def test_number_blank_and_partial_date() -> None:
    text = "Số:    /KH-UBND\nLạng Sơn, ngày    tháng 4 năm 2025\nKẾ HOẠCH\nTuyên truyền năm 2025\n"
    out = parse_text(text)
    assert out["number"] is None
    assert out["issued_date"] is None
    assert out["year"] == 2025


def test_horizon_year_is_not_plan_year() -> None:
    text = "KẾ HOẠCH\nThực hiện Chiến lược thông tin đối ngoại đến năm 2030\n\nI. MỤC ĐÍCH\n"
    assert parse_text(text)["year"] is None


def test_bare_labels_and_agency_colon_bullets() -> None:
    text = (
        "KẾ HOẠCH\nThông tin đối ngoại năm 2026\nI. NỘI DUNG\n1. Tuyên truyền biên giới\n"
        "- Biên soạn tài liệu hỏi đáp.\nChủ trì: Công an tỉnh\n"
        "Phối hợp: Sở Tư pháp, Đài Phát thanh và Truyền hình tỉnh\nThời gian: tháng 8/2026\n"
        "II. TỔ CHỨC THỰC HIỆN\n- Sở Tài chính: bố trí kinh phí.\n"
        "- Uỷ ban nhân dân các huyện: triển khai tại địa phương.\n"
        "Thành phần: lãnh đạo các sở.\n"
    )
    out = parse_text(text)
    assert [(t["section"], t["lead"]) for t in out["tasks"]] == [
        ("I.1", ["Công an tỉnh"]),
        ("II", ["Sở Tài chính"]),
        ("II", ["Uỷ ban nhân dân các huyện"]),
    ]
    assert out["tasks"][0]["coordinating"] == ["Sở Tư pháp", "Đài Phát thanh và Truyền hình tỉnh"]
    assert out["tasks"][0]["due"] == "2026-08-31"
