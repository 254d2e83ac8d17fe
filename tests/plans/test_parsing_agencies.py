"""Agency names: list splitting (N2), collectives (N3), generic entries (N4), name ends."""

from __future__ import annotations

import pytest

from ttdn.plans.parsing.agencies import is_generic, split_agencies
from ttdn.plans.parsing.tasks import coordinating_in, find_subject


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "Sở Văn hoá, Thể thao và Du lịch, Trung tâm Xúc tiến đầu tư",
            ["Sở Văn hoá, Thể thao và Du lịch", "Trung tâm Xúc tiến đầu tư"],
        ),
        (
            "Các sở, ban, ngành; Ủy ban nhân dân huyện, thành phố.",
            ["Các sở, ban, ngành", "Ủy ban nhân dân huyện, thành phố"],
        ),
        (
            "Các sở, ban, ngành, UBND các huyện, thành phố, thị xã",
            ["Các sở, ban, ngành", "UBND các huyện, thành phố, thị xã"],
        ),
        ("Sở Lao động - Thương binh và Xã hội", ["Sở Lao động - Thương binh và Xã hội"]),
        ("Viện Nghiên cứu (thuộc Bộ Ngoại giao) và các cơ quan liên quan", ["Viện Nghiên cứu"]),
        ("Đề nghị Ban Tuyên giáo Tỉnh ủy", ["Ban Tuyên giáo Tỉnh ủy"]),
        ("Uỷ ban nhân dân tỉnh, Hội Nhà báo tỉnh", ["Uỷ ban nhân dân tỉnh", "Hội Nhà báo tỉnh"]),
        ("các cơ quan, đơn vị, địa phương liên quan", []),
    ],
)
def test_split(text: str, expected: list[str]) -> None:
    assert split_agencies(text) == expected


@pytest.mark.parametrize(
    "name,generic",
    [
        ("các cơ quan, đơn vị liên quan", True),
        ("cơ quan chức năng", True),
        ("tổ chức, cá nhân trong và ngoài nước", True),
        ("các sở, ngành, cơ quan, đơn vị liên quan", False),
        ("Sở Nội vụ", False),
    ],
)
def test_generic(name: str, generic: bool) -> None:
    assert is_generic(name) is generic


@pytest.mark.parametrize(
    "sentence,lead",
    [
        ("Sở Nội vụ chủ trì, phối hợp với Sở Tư pháp rà soát quy chế.", ["Sở Nội vụ"]),
        ("Giao Công an tỉnh hướng dẫn bảo vệ bí mật nhà nước.", ["Công an tỉnh"]),
        (
            "Căn cứ hướng dẫn của Bộ Ngoại giao, Ủy ban nhân dân tỉnh ban hành quy chế.",
            ["Ủy ban nhân dân tỉnh"],
        ),
        (
            "Liên hiệp các tổ chức hữu nghị tỉnh tổ chức giao lưu.",
            ["Liên hiệp các tổ chức hữu nghị tỉnh"],
        ),
    ],
)
def test_subject(sentence: str, lead: list[str]) -> None:
    subject = find_subject(sentence)
    assert subject is not None and subject.lead == lead


@pytest.mark.parametrize(
    "sentence",
    [
        "Phối hợp với Sở Ngoại vụ tổ chức hội nghị.",  # no subject
        "Hội nghị do Sở Công Thương chủ trì tổ chức.",  # passive mention
        "Các cơ quan, đơn vị xây dựng kế hoạch.",  # generic subject
        "Các cơ quan, đơn vị báo cáo kết quả trước ngày 15/11.",  # report duty
        "Tuyên truyền về Sở Ngoại vụ.",
    ],
)
def test_not_a_subject(sentence: str) -> None:
    assert find_subject(sentence) is None


def test_coordinating_list_stops_at_the_duty() -> None:
    s = (
        "Sở Thông tin và Truyền thông chủ trì, phối hợp với Văn phòng Ủy ban nhân dân tỉnh, "
        "các sở, ban, ngành, các cơ quan báo chí Trung ương và địa phương chọn lọc thông tin."
    )
    assert coordinating_in(s) == [
        "Văn phòng Ủy ban nhân dân tỉnh",
        "các sở, ban, ngành",
        "các cơ quan báo chí Trung ương và địa phương",
    ]
