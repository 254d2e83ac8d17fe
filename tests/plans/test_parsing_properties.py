"""Property tests: the parser never crashes and always returns the contract's shape."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ttdn.plans.parsing import SecretDocumentError, detect_and_decode, parse_text
from ttdn.plans.parsing.deadlines import resolve

FRAGMENTS = [
    "KẾ HOẠCH",
    "Thông tin đối ngoại năm 2024",
    "Số: 12/KH-UBND",
    "Số: /KH-UBND",
    "Hà Nội, ngày 05 tháng 3 năm 2024",
    "ngày    tháng 02 năm 2024",
    "Căn cứ Nghị định số 72/2015/NĐ-CP ngày 07/9/2015;",
    "Thực hiện Kết luận số 57-",
    "KL/TW;",
    "I. MỤC ĐÍCH, YÊU CẦU",
    "II. NỘI DUNG",
    "IV. TỔ CHỨC THỰC HIỆN",
    "1.",
    "2.1.",
    "a)",
    "b) Hình thức:",
    "- Cơ quan chủ trì:",
    "- Cơ quan phối hợp: Các sở, ban, ngành;",
    "Chủ trì:",
    "Phối hợp:",
    "Thời gian thực hiện: Quý I năm 2024",
    "Thời gian:",
    "Sản phẩm:",
    "Sở Thông tin và Truyền thông",
    "Sở Ngoại vụ chủ trì, phối hợp với",
    "Ủy ban nhân",
    "dân huyện, thành phố",
    "Giao Sở Tài chính",
    "Đề nghị Ban Tuyên giáo Tỉnh ủy",
    "Căn cứ chức năng, nhiệm vụ,",
    "các cơ quan, đơn vị liên quan",
    "(thuộc Bộ Ngoại giao)",
    "| STT | Nội dung | Cơ quan chủ trì | Cơ quan phối hợp |",
    "|---|---|---|---|",
    "| I | Nhóm | | |",
    "| 1 | Việc | Sở Nội vụ | Công an tỉnh |",
    "|",
    "**",
    "##",
    "¹",
    "Nơi nhận:",
    "KT. CHỦ TỊCH",
    "PHỤ LỤC",
    "MẬT độ",
    "trước ngày 15/11 hằng năm",
    "báo cáo",
    "Uỷ ban",
    "hoá",
    "",
    " ",
    "\n",
    ".",
    ":",
    ";",
    ",",
    "2020.",
    "STT Tên đơn vị",
]


def _check_shape(out: dict[str, Any]) -> None:
    assert isinstance(out["sections"], list)
    assert isinstance(out["legal_bases"], list)
    for task in out["tasks"]:
        assert isinstance(task["lead"], list) and all(isinstance(x, str) for x in task["lead"])
        assert isinstance(task["coordinating"], list)
        assert task["section"] is None or isinstance(task["section"], str)
    for s in out["sections"]:
        assert s["number"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000))
def test_arbitrary_text_never_crashes(text: str) -> None:
    try:
        out = parse_text(text)
    except SecretDocumentError:
        return  # a line reading "MẬT" alone is a classification stamp: refusing is right
    _check_shape(out)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(FRAGMENTS), max_size=80),
    st.lists(st.sampled_from([" ", "\n", "\n\n", "  "]), min_size=1, max_size=5),
)
def test_plan_like_fragments_never_crash(parts: list[str], seps: list[str]) -> None:
    text = "".join(p + seps[i % len(seps)] for i, p in enumerate(parts))
    _check_shape(parse_text(text))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000))
def test_decoding_any_bytes(data: bytes) -> None:
    text, name = detect_and_decode(data)
    assert isinstance(text, str) and name


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.one_of(st.none(), st.integers(1900, 2100)))
def test_deadline_resolution_total(text: str, year: int | None) -> None:
    res = resolve(text, year)
    assert res.due is None or 1990 <= res.due.year <= 2101
