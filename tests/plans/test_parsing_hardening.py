"""Weaknesses reported by an independent evaluation, each with a document written here.

1. task tables of an appendix printed after the signature (S2, T1a/T3);
2. TCVN3 text typed with capital ("H") fonts, where toned capitals come out in lower case;
3. the report time of the agencies' report sentence (H7), "chậm nhất trước ngày …";
4. the issuer of an OCR'd two-column header (H3).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ttdn.plans.parsing import detect_and_decode, parse_file, parse_text
from ttdn.plans.parsing.encodings import restore_tcvn3_capitals, unicode_to_tcvn3

DATA = Path(__file__).resolve().parent / "data"


def _tasks(out: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(t["section"], t.get("group"), t["lead"]) for t in out["tasks"]]


# --- 1. appendix task tables ------------------------------------------------------------


def test_appendix_table_after_signature_has_no_section() -> None:
    out = parse_file(DATA / "binh_phuoc_appendix.md")
    assert [s["number"] for s in out["sections"]] == ["I", "II", "II.1", "II.2", "III", "III.1"]
    table = [t for t in out["tasks"] if t["source"] == "table"]
    assert [(t["section"], t.get("group"), t["lead"]) for t in table] == [
        ("II.1", None, ["Sở Văn hóa, Thể thao và Du lịch"]),  # a body table keeps its section
        (None, "A", ["Văn phòng Ủy ban nhân dân tỉnh"]),
        (None, "A", ["Công an tỉnh"]),
        (None, "B", ["Sở Ngoại vụ"]),
    ]
    body, first, _second, third = table
    # columns found by meaning: "Nội dung công việc | Chủ trì | Phối hợp | Thời hạn | Sản phẩm
    # đầu ra" in the body, "Nhiệm vụ | … | Thời gian hoàn thành | Kết quả/sản phẩm" after it
    assert body["coordinating"] == ["Sở Ngoại vụ"]
    assert body["deadline"] == "Quý II/2026"
    assert body["outputs"] == "01 cuốn sách ảnh"
    assert first["summary"].startswith("Cập nhật tin, bài tiếng Anh")
    assert first["deadline"] == "Hằng tháng"
    assert first["outputs"] == "Tin, bài"
    assert third["coordinating"] == [
        "Sở Văn hóa, Thể thao và Du lịch",
        "Ủy ban nhân dân các huyện, thị xã, thành phố",
    ]
    assert third["due"] == "2026-09-30"
    assert third["group_heading"] == "NHIỆM VỤ TRỌNG TÂM"


APPENDIX_REORDERED = (DATA / "dien_bien_appendix.md").read_text("utf-8")

TWO_ROW_HEADER = """KẾ HOẠCH
Thông tin đối ngoại năm 2026
I. NHIỆM VỤ
1. Hoạt động cụ thể

| TT | Nội dung nhiệm vụ | Đơn vị thực hiện | | Thời hạn |
|---|---|---|---|---|
| | | Chủ trì | Phối hợp | |
| 1 | Hội nghị gặp mặt kiều bào | Sở Ngoại vụ | Ủy ban Mặt trận Tổ quốc tỉnh | Tháng 01/2026 |
"""


def test_appendix_columns_in_another_order_and_plain_heading() -> None:
    out = parse_text(APPENDIX_REORDERED)
    table = [t for t in out["tasks"] if t["source"] == "table"]
    assert [(t["section"], t.get("group"), t["lead"]) for t in table] == [
        (None, "I", ["Bộ Chỉ huy Bộ đội Biên phòng tỉnh"]),
        (None, "II", ["Sở Ngoại vụ"]),
    ]
    assert table[0]["summary"].startswith("Tuyên truyền pháp luật biên giới")
    assert table[0]["deadline"] == "Quý IV/2026"
    assert table[1]["coordinating"] == ["Sở Văn hóa, Thể thao và Du lịch"]
    # the sentence task of the body keeps its section
    assert ("I.1", None, ["Sở Ngoại vụ"]) in _tasks(out)
    assert "I.1.1" not in [s["number"] for s in out["sections"]]


def test_table_with_a_two_row_header() -> None:
    out = parse_text(TWO_ROW_HEADER)
    (task,) = [t for t in out["tasks"] if t["source"] == "table"]
    assert task["section"] == "I.1"
    assert task["lead"] == ["Sở Ngoại vụ"]
    assert task["coordinating"] == ["Ủy ban Mặt trận Tổ quốc tỉnh"]
    assert task["deadline"] == "Tháng 01/2026"


# --- 2. TCVN3 capitals ------------------------------------------------------------------

TCVN3_PLAN = """ỦY BAN NHÂN DÂN
TỈNH HÀ NAM
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 27/KH-UBND
Hà Nam, ngày 14 tháng 3 năm 2021
KẾ HOẠCH
Thông tin đối ngoại năm 2021
Căn cứ Nghị định số 72/2015/NĐ-CP ngày 07/9/2015 của Chính phủ;
I. NHIỆM VỤ
1. Giới thiệu chùa Tam Chúc với du khách quốc tế
Sở Văn hóa, Thể thao và Du lịch chủ trì tổ chức đón đoàn báo chí nước ngoài.
II. TỔ CHỨC THỰC HIỆN
1. Sở Ngoại vụ
Theo dõi, đôn đốc việc thực hiện Kế hoạch.
"""


def test_restore_tcvn3_capitals_rules() -> None:
    assert restore_tcvn3_capitals("Kế HOạCH") == "KẾ HOẠCH"
    assert restore_tcvn3_capitals("Tổ CHứC THựC HIệN") == "TỔ CHỨC THỰC HIỆN"
    assert restore_tcvn3_capitals("ủY BAN NHÂN DÂN") == "ỦY BAN NHÂN DÂN"
    assert restore_tcvn3_capitals("II. NHIệM Vụ") == "II. NHIỆM VỤ"
    # ordinary text, title case and identifiers are left alone
    for text in ("Kế hoạch số 12/KH-UBND", "Hà Nam, ngày 14", "Số: 27/KH-UBND", "- Sở TT&TT;"):
        assert restore_tcvn3_capitals(text) == text


def test_tcvn3_file_with_capital_font_parses(tmp_path: Path) -> None:
    data = unicode_to_tcvn3(TCVN3_PLAN).encode("cp1252")
    text, name = detect_and_decode(data)
    assert name == "tcvn3"
    assert "KẾ HOẠCH" in text and "ỦY BAN NHÂN DÂN" in text and "TỔ CHỨC THỰC HIỆN" in text
    path = tmp_path / "ha_nam.txt"
    path.write_bytes(data)
    out = parse_file(path)
    assert out["title"] == "Kế hoạch thông tin đối ngoại năm 2021"
    assert out["issuer"] == "Ủy ban nhân dân tỉnh Hà Nam"
    assert out["number"] == "27/KH-UBND"
    assert out["issued_date"] == "2021-03-14"
    assert [s["number"] for s in out["sections"]] == ["I", "I.1", "II", "II.1"]
    assert [(t["section"], t["lead"]) for t in out["tasks"]] == [
        ("II.1", ["Sở Ngoại vụ"]),
        ("I.1", ["Sở Văn hóa, Thể thao và Du lịch"]),
    ]


# --- 3. report_deadline (H7) ------------------------------------------------------------

REPORT_BASE = """KẾ HOẠCH
Thông tin đối ngoại năm 2026
I. NHIỆM VỤ
1. Tuyên truyền
Sở Văn hóa, Thể thao và Du lịch chủ trì quảng bá du lịch.
II. TỔ CHỨC THỰC HIỆN
1. Sở Ngoại vụ
- Hướng dẫn, đôn đốc các cơ quan, đơn vị triển khai Kế hoạch.
- Tổng hợp kết quả, báo cáo Ủy ban nhân dân tỉnh trước ngày 25/12/2026.
2. Các sở, ban, ngành, Ủy ban nhân dân các huyện, thành phố
Căn cứ chức năng, nhiệm vụ triển khai thực hiện Kế hoạch.
{closing}
"""


def test_report_deadline_prefers_the_agencies_sentence() -> None:
    closing = (
        "3. Định kỳ trước ngày 30/11 hằng năm, các cơ quan, đơn vị, địa phương báo cáo kết quả "
        "thực hiện về Sở Ngoại vụ để tổng hợp, báo cáo Ủy ban nhân dân tỉnh."
    )
    out = parse_text(REPORT_BASE.format(closing=closing))
    assert out["report_deadline"] == "trước ngày 30/11 hằng năm"
    assert not [t for t in out["tasks"] if t["section"] == "II.3"]  # T6: not a task


def test_report_deadline_closing_paragraph_with_chậm_nhất_trước() -> None:
    closing = (
        "Các cơ quan, đơn vị báo cáo kết quả thực hiện Kế hoạch về Sở Ngoại vụ chậm nhất "
        "trước ngày 20/11/2026 để tổng hợp."
    )
    out = parse_text(REPORT_BASE.format(closing=closing))
    assert out["report_deadline"] == "chậm nhất trước ngày 20/11/2026"
    closing = "Các cơ quan, đơn vị gửi báo cáo kết quả về Sở Ngoại vụ chậm nhất ngày 20/11."
    out = parse_text(REPORT_BASE.format(closing=closing))
    assert out["report_deadline"] == "chậm nhất ngày 20/11"


def test_report_deadline_falls_back_to_the_department_duty() -> None:
    closing = (
        "Các cơ quan, đơn vị, địa phương báo cáo kết quả thực hiện Kế hoạch về Sở Ngoại vụ "
        "theo quy định."
    )
    out = parse_text(REPORT_BASE.format(closing=closing))
    assert out["report_deadline"] == "trước ngày 25/12/2026"
    assert [t["section"] for t in out["tasks"]] == ["II.1", "II.2", "I.1"]  # T6


# --- 4. issuer of an OCR'd two-column header (H3) ----------------------------------------

BODY = """KẾ HOẠCH
Thông tin đối ngoại năm 2025
I. NHIỆM VỤ
1. Quảng bá
Sở Ngoại vụ chủ trì giới thiệu tiềm năng của tỉnh Quảng Trị với đối tác nước ngoài.
"""


def test_issuer_from_merged_header_columns_with_blank_line() -> None:
    text = (
        "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\n"
        "TỈNH QUẢNG TRỊ Độc lập - Tự do - Hạnh phúc\n\n"
        "Số: 112/KH-UBND Quảng Trị, ngày 09 tháng 4 năm 2025\n\n" + BODY
    )
    out = parse_text(text)
    assert out["issuer"] == "Ủy ban nhân dân tỉnh Quảng Trị"
    assert out["number"] == "112/KH-UBND"
    assert out["issued_date"] == "2025-04-09"


def test_issuer_from_header_with_blank_line_between_body_lines() -> None:
    text = (
        "ỦY BAN NHÂN DÂN\n\nTỈNH QUẢNG TRỊ\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Độc lập - Tự do - Hạnh phúc\nSố: 112/KH-UBND\nQuảng Trị, ngày 09 tháng 4 năm 2025\n" + BODY
    )
    assert parse_text(text)["issuer"] == "Ủy ban nhân dân tỉnh Quảng Trị"


def test_issuer_completed_with_the_province_when_the_header_lacks_it() -> None:
    text = (
        "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Độc lập - Tự do - Hạnh phúc\n"
        "Số: 112/KH-UBND Quảng Trị, ngày 09 tháng 4 năm 2025\n" + BODY
    )
    assert parse_text(text)["issuer"] == "Ủy ban nhân dân tỉnh Quảng Trị"


def test_issuer_from_an_all_caps_merge_of_both_columns() -> None:
    text = (
        "UỶ BAN NHÂN DÂN CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\n"
        "TỈNH QUẢNG TRỊ ĐỘC LẬP - TỰ DO - HẠNH PHÚC\n\n"
        "Số: 112/KH-UBND Quảng Trị, ngày 09 tháng 4 năm 2025\n\n" + BODY
    )
    assert parse_text(text)["issuer"] == "Uỷ ban nhân dân tỉnh Quảng Trị"


def test_issuer_of_a_department_names_its_province() -> None:
    text = (
        "UBND TỈNH QUẢNG TRỊ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "SỞ NGOẠI VỤ Độc lập - Tự do - Hạnh phúc\n"
        "Số: 31/KH-SNgV Quảng Trị, ngày 09 tháng 4 năm 2025\n" + BODY
    )
    assert parse_text(text)["issuer"] == "Sở Ngoại vụ tỉnh Quảng Trị"
    national = "BỘ NGOẠI GIAO CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
    assert parse_text(national + BODY)["issuer"] == "Bộ Ngoại giao"


def test_bold_appendix_heading_without_signature_ends_the_body() -> None:
    text = (
        "KẾ HOẠCH\nThông tin đối ngoại năm 2026\nI. NHIỆM VỤ\n1. Tuyên truyền\n"
        "Sở Ngoại vụ chủ trì biên soạn tài liệu.\n\n**Phụ lục: Danh mục nhiệm vụ năm 2026**\n\n"
        "| STT | Nội dung nhiệm vụ | Cơ quan chủ trì | Thời gian thực hiện |\n|---|---|---|---|\n"
        "| I | Quảng bá | | |\n| 1 | Làm phim tài liệu | Đài Phát thanh và Truyền hình tỉnh "
        "| Quý II/2026 |\n"
    )
    out = parse_text(text)
    (row,) = [t for t in out["tasks"] if t["source"] == "table"]
    assert (row["section"], row["group"], row["lead"]) == (
        None,
        "I",
        ["Đài Phát thanh và Truyền hình tỉnh"],
    )
