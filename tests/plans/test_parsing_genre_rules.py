"""Genre rules added after scoring the parser on unseen layouts (tests/plans/data/unseen)."""

from __future__ import annotations

from ttdn.plans.parsing import parse_text
from ttdn.plans.parsing.normalize import parse_label, to_paragraphs

HEAD = "KẾ HOẠCH\nThông tin đối ngoại năm 2026\n\n"


def test_running_header_next_to_page_numbers_is_dropped() -> None:
    text = (
        "Đoạn văn thứ nhất kết thúc ở đây.\n\n2\nTIÊU ĐỀ LẶP LẠI CỦA TRANG\n\n"
        "Đoạn văn thứ hai.\n\n3\nTIÊU ĐỀ LẶP LẠI CỦA TRANG\n\nĐoạn văn thứ ba."
    )
    texts = [p.text for p in to_paragraphs(text)]
    assert not any("LẶP LẠI" in t for t in texts)
    assert len(texts) == 3


def test_word_cut_by_a_page_break_is_joined() -> None:
    text = "Cơ quan chủ trì: Sở Thông tin và Truyền thô\n\n2\n\nng.\nThời gian thực hiện: Quý I."
    paras = to_paragraphs(text)
    assert paras[0].text == "Cơ quan chủ trì: Sở Thông tin và Truyền thông."


def test_identifier_cut_after_a_short_line_is_joined() -> None:
    text = "Thực hiện Kế hoạch số 205-\nKH/TU ngày 09/01/2023 của Ban Thường vụ Tỉnh ủy."
    assert "205-KH/TU" in to_paragraphs(text)[0].text


def test_roman_decimal_labels_keep_their_path() -> None:
    label, _rest = parse_label("II.2.1. Nhiệm vụ chung: tham gia hội chợ")
    assert label is not None and label.root == "II" and label.text == "2.1"
    out = parse_text(
        HEAD + "I. NỘI DUNG\nI.1. Mục một\nII. NHIỆM VỤ\nII.1. Tập huấn\nII.2.1. Hội chợ\n"
        "a) Gian hàng\n"
    )
    assert [s["number"] for s in out["sections"]] == [
        "I",
        "I.1",
        "II",
        "II.1",
        "II.2.1",
        "II.2.1.a",
    ]


def test_table_cells_with_one_agency_per_line() -> None:
    out = parse_text(
        HEAD + "I. NHIỆM VỤ\n\n| TT | Hoạt động | Đơn vị chủ trì | Đơn vị phối hợp |\n"
        "|---|---|---|---|\n"
        "| 1 | Đón đoàn | Sở Du lịch<br>Sở Ngoại vụ | Công an tỉnh<br>Sở Tài chính |\n"
    )
    (task,) = out["tasks"]
    assert task["lead"] == ["Sở Du lịch", "Sở Ngoại vụ"]
    assert task["coordinating"] == ["Công an tỉnh", "Sở Tài chính"]


def test_markdown_footnotes_of_the_preamble_count() -> None:
    out = parse_text(
        HEAD + "Thực hiện Chỉ thị số 05-CT/TU của Ban Thường vụ Tỉnh ủy[^1];\n\n"
        "Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:\n\nI. NỘI DUNG\n\nNội dung.\n\n"
        "[^1]: Thực hiện Kết luận số 57-KL/TW ngày 15/6/2023 của Bộ Chính trị.\n"
    )
    assert out["legal_bases"] == ["05-CT/TU", "57-KL/TW"]


def test_field_label_co_quan_don_vi_chu_tri() -> None:
    out = parse_text(
        HEAD + "I. NHIỆM VỤ\n1. Biên soạn tài liệu\n- Cơ quan, đơn vị chủ trì: Sở Ngoại vụ.\n"
        "- Cơ quan, đơn vị phối hợp: Công an tỉnh.\n- Thời gian hoàn thành: Quý II/2026.\n"
    )
    (task,) = out["tasks"]
    assert (task["section"], task["lead"], task["coordinating"], task["deadline"]) == (
        "I.1",
        ["Sở Ngoại vụ"],
        ["Công an tỉnh"],
        "Quý II/2026",
    )


def test_implementation_item_listing_agencies_line_by_line() -> None:
    out = parse_text(
        HEAD + "I. TỔ CHỨC THỰC HIỆN\n1. Phân công cụ thể\n"
        "- Sở Tài chính: tham mưu bố trí kinh phí.\n"
        "- Công an tỉnh: chủ trì, phối hợp với Sở Ngoại vụ nắm tình hình.\n"
        "2. Chế độ báo cáo\nCác sở, ban, ngành gửi báo cáo kết quả chậm nhất ngày 30/11/2026.\n"
    )
    got = [(t["section"], t["lead"], t["coordinating"]) for t in out["tasks"]]
    assert got == [
        ("I.1", ["Sở Tài chính"], []),
        ("I.1", ["Công an tỉnh"], ["Sở Ngoại vụ"]),
    ]
    assert out["report_deadline"] == "chậm nhất ngày 30/11/2026"


def test_sentence_deadline_keeps_its_recurrence() -> None:
    out = parse_text(
        HEAD + "I. NHIỆM VỤ\n1. Quảng bá\nTrung tâm Xúc tiến du lịch chủ trì xây dựng ấn phẩm, "
        "hoàn thành trước ngày 10/12 hằng năm.\n"
    )
    (task,) = out["tasks"]
    assert task["deadline"] == "trước ngày 10/12 hằng năm"
    assert task["recurrence"] == "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=9"


def test_other_heads_split_lists() -> None:
    out = parse_text(
        HEAD + "I. NHIỆM VỤ\n1. Sự kiện\n- Chủ trì: Phòng Quản lý Văn hóa.\n"
        "- Phối hợp: Trung tâm Văn hóa tỉnh, Nhà hát Nghệ thuật tỉnh, Bảo tàng tỉnh.\n"
    )
    assert out["tasks"][0]["coordinating"] == [
        "Trung tâm Văn hóa tỉnh",
        "Nhà hát Nghệ thuật tỉnh",
        "Bảo tàng tỉnh",
    ]


def test_a_place_qualifier_closes_an_agency_name_before_any_verb():
    from ttdn.plans.parsing import parse_text

    text = (
        "KẾ HOẠCH\nThông tin đối ngoại năm 2026\n\nII. NHIỆM VỤ\n\n"
        "1. Đón phóng viên nước ngoài\n\n"
        "Sở Ngoại vụ chủ trì, phối hợp với Sở Du lịch và Công an tỉnh đón và hướng dẫn "
        "đoàn phóng viên nước ngoài trong tháng 9/2026.\n"
    )
    task = parse_text(text)["tasks"][0]
    assert task["lead"] == ["Sở Ngoại vụ"]
    assert task["coordinating"] == ["Sở Du lịch", "Công an tỉnh"]
    assert task["summary"].startswith("đón và hướng dẫn đoàn phóng viên")


def test_qualifier_rule_keeps_collectives_whole():
    from ttdn.plans.parsing.agencies import name_end

    for name in (
        "UBND các huyện, thành phố trực thuộc tỉnh",
        "Ủy ban nhân dân tỉnh Hà Tĩnh",
        "các cơ quan báo chí Trung ương và địa phương",
    ):
        assert name_end(name) == len(name)
