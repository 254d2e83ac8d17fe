"""Province mentions: every spelling counts, names that are not places do not."""

from __future__ import annotations

import sqlite3
import unicodedata

import pytest

from ttdn.monitoring.analysis import current_provinces, find_places, to_current
from ttdn.monitoring.analysis.places import _package_file


def provinces(text: str, title: str = "") -> list[str]:
    seen: dict[str, None] = {}
    for m in find_places(title, text):
        seen.setdefault(m.key, None)
    return list(seen)


def test_there_are_34_current_provinces() -> None:
    names = current_provinces()
    assert len(names) == 34
    assert {"Tuyên Quang", "Huế", "Hồ Chí Minh", "Bắc Ninh"} <= set(names)


def test_every_former_province_maps_to_a_current_one() -> None:
    db = sqlite3.connect(f"file:{_package_file('dataset.db')}?mode=ro", uri=True)
    former = [r[0] for r in db.execute("SELECT DISTINCT provinceShort FROM admin_units_legacy")]
    db.close()
    assert len(former) == 63
    current = set(current_provinces())
    for name in former:
        assert to_current(name) in current, name
        assert provinces(f"Tỉnh {name} tổ chức hội nghị.") == [to_current(name)], name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("UBND tỉnh Hà Giang tiếp đoàn khách.", ["Tuyên Quang"]),
        ("Bắc Giang thu hút đầu tư.", ["Bắc Ninh"]),
        ("Du khách đến Quảng Nam ngày càng đông.", ["Đà Nẵng"]),
        ("Tỉnh Bà Rịa - Vũng Tàu và tỉnh Bình Dương.", ["Hồ Chí Minh"]),
        ("Thừa Thiên Huế đón khách.", ["Huế"]),
        ("Kon Tum, Bình Định và Phú Yên.", ["Quảng Ngãi", "Gia Lai", "Đắk Lắk"]),
    ],
)
def test_former_names_give_the_current_province(text: str, expected: list[str]) -> None:
    assert provinces(text) == expected


@pytest.mark.parametrize(
    "text",
    ["Ha Giang province", "HA GIANG - Ngày 5/9", "Tinh Ha Giang tiep don doan khach"],
)
def test_names_without_diacritics_count(text: str) -> None:
    assert provinces(text) == ["Tuyên Quang"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hanoi hosts the forum", ["Hà Nội"]),
        ("in Ho Chi Minh City and Saigon", ["Hồ Chí Minh"]),
        ("Danang and Hue", ["Đà Nẵng", "Huế"]),
        ("the central city of Da Nang", ["Đà Nẵng"]),
        ("La délégation est arrivée à Hanoï", ["Hà Nội"]),
        ("à Hô Chi Minh-Ville", ["Hồ Chí Minh"]),
        ("Quang Ninh province", ["Quảng Ninh"]),
    ],
)
def test_english_and_french_forms(text: str, expected: list[str]) -> None:
    assert provinces(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("越南广宁省下龙湾接待游客", ["Quảng Ninh"]),
        ("越南廣寧省", ["Quảng Ninh"]),
        ("河江省与宣光省", ["Tuyên Quang"]),
        ("胡志明市吸引外资", ["Hồ Chí Minh"]),
        ("岘港国际烟花节", ["Đà Nẵng"]),
        ("越南河南省", ["Ninh Bình"]),
        ("越南太平省", ["Hưng Yên"]),
    ],
)
def test_chinese_names(text: str, expected: list[str]) -> None:
    assert provinces(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "中国河南省郑州市",  # Henan, not Hà Nam
        "亚太平洋地区",  # the Pacific, not Thái Bình
        "世界和平",  # peace, not Hòa Bình
        "云南省和广西壮族自治区",  # Chinese provinces
        "越南定期举行会议",  # 南定 straddles 越南
        "河内方面表示反对",  # Hanoi for the government
    ],
)
def test_chinese_words_that_are_not_vietnamese_provinces(text: str) -> None:
    assert provinces(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lễ vinh danh các doanh nghiệp", []),
        ("Tỉnh Vĩnh Long phát triển", ["Vĩnh Long"]),
        ("Giáo phận Vinh tổ chức thánh lễ", []),
        ("the Diocese of Vinh", []),
        ("anh Vinh cho biết", []),
        ("TP Vinh, thành phố Vinh", ["Nghệ An"]),
        ("in Vinh city", ["Nghệ An"]),
        ("Vĩnh Phúc", ["Phú Thọ"]),
    ],
)
def test_vinh_is_not_vinh_long_nor_vinh_danh(text: str, expected: list[str]) -> None:
    assert provinces(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Trung Quốc hạ đặt giàn khoan Hải Dương-981",
        "the Hai Duong 981 oil rig",
        "giàn khoan Hải Dương 981",
    ],
)
def test_a_rig_named_after_a_province_is_not_the_province(text: str) -> None:
    assert provinces(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Hanoi said on Monday it rejected the claims.",
        "Hanoi has repeatedly denied the accusations.",
        "Chính phủ Hà Nội chưa bình luận.",
        "nhà cầm quyền Hà Nội",
        "relations between Hanoi and Beijing",
        "Beijing and Hanoi signed",
        "Hanoi's foreign policy",
        "Le gouvernement de Hanoï",
    ],
)
def test_hanoi_used_for_the_government_is_not_the_place(text: str) -> None:
    assert provinces(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Hundreds protested in Hanoi on Sunday.",
        "HANOI (Reuters) - Vietnam's parliament",
        "Thủ đô Hà Nội",
        "Hanoi saw a rare protest",
    ],
)
def test_hanoi_as_a_place_counts(text: str) -> None:
    assert provinces(text) == ["Hà Nội"]


@pytest.mark.parametrize(
    "text",
    [
        "Đồng bào Tây Nguyên",
        "coffee from the Central Highlands",
        "mưa lớn ở miền Trung và Đồng bằng sông Cửu Long",
        "Đồng Tháp Mười mùa nước nổi",
        "khu vực châu Á - Thái Bình Dương",
        "các nước Thái Bình Dương",
    ],
)
def test_regions_name_no_province(text: str) -> None:
    assert provinces(text) == []


def test_foreign_provinces_are_not_listed() -> None:
    text = (
        "Lãnh đạo tỉnh Lạng Sơn hội đàm với Khu tự trị dân tộc Choang Quảng Tây, "
        "tỉnh Vân Nam và tỉnh Savannakhet (Lào), Sê Kông."
    )
    assert provinces(text) == ["Lạng Sơn"]


def test_site_names_and_addresses_are_not_text() -> None:
    text = "Nguồn: baothainguyen.vn, https://www.quangninh.gov.vn/tin-tuc/ha-long"
    assert provinces(text) == []


def test_a_company_name_counts_only_when_the_place_is_named_too() -> None:
    alone = "Hung Nghiep Formosa Ha Tinh Steel apologised for the spill."
    assert provinces(alone) == []
    placed = alone + " Fishermen in Ha Tinh province lost their income."
    assert provinces(placed) == ["Hà Tĩnh"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("huyện Diễn Châu, tỉnh Nghệ An", ["Nghệ An"]),
        ("nông dân huyện Diễn Châu", ["Nghệ An"]),
        ("Dien Chau district", ["Nghệ An"]),
        ("phường Phước Long, TP. Nha Trang", ["Khánh Hòa"]),
        ("xã Bình Châu", []),  # communes of that name exist in several provinces
        ("phường Hòa Bình", []),  # a ward, not the former province
        ("huyện đảo Trường Sa", ["Khánh Hòa"]),
        ("đặc khu Phú Quốc", ["An Giang"]),
    ],
)
def test_districts_and_communes_count_with_their_prefix(text: str, expected: list[str]) -> None:
    assert provinces(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vịnh Hạ Long", ["Quảng Ninh"]),
        ("Halong Bay cruise", ["Quảng Ninh"]),
        ("Sa Pa và Sapa", ["Lào Cai"]),
        ("đảo ngọc Phú Quốc", ["An Giang"]),
        ("phố cổ Hội An", ["Đà Nẵng"]),
        ("Đà Lạt mộng mơ", ["Lâm Đồng"]),
        ("bãi biển Vũng Tàu", ["Hồ Chí Minh"]),
        ("Nha Trang", ["Khánh Hòa"]),
    ],
)
def test_landmarks_and_cities_count_without_prefix(text: str, expected: list[str]) -> None:
    assert provinces(text) == expected


@pytest.mark.parametrize("text", ["TPHCM", "TP.HCM", "Tp.HCM", "TP HCM", "tại HCM", "HCMC"])
def test_abbreviations_of_ho_chi_minh_city(text: str) -> None:
    assert provinces(text) == ["Hồ Chí Minh"]


def test_the_hue_paper_tag_counts_only_as_a_tag() -> None:
    assert provinces("TTH - Sáng 12/3, UBND tỉnh tổ chức hội nghị.") == ["Huế"]
    assert provinces("Chương trình TTH của đài") == []


@pytest.mark.parametrize(
    "text",
    [
        "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        "Chủ tịch Hồ Chí Minh",
        "the Ho Chi Minh Trail",
    ],
)
def test_the_person_ho_chi_minh_is_not_the_city(text: str) -> None:
    assert provinces(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vì hòa bình và hữu nghị", []),
        ("VÌ HÒA BÌNH VÀ HỮU NGHỊ", []),
        ("tỉnh Hòa Bình", ["Phú Thọ"]),
        ("Hòa Bình và Sơn La", ["Phú Thọ", "Sơn La"]),
        ("ông Trần Văn Hà Nam phát biểu", []),
        ("chị Huế bán hàng", []),
    ],
)
def test_ordinary_words_and_persons_are_not_provinces(text: str, expected: list[str]) -> None:
    assert provinces(text) == expected


def test_offsets_point_at_the_text_as_given() -> None:
    title = "Hà Giang: lễ hội"
    text = "Khách đến Sa Pa (Lào Cai) và TP.HCM."
    mentions = find_places(title, text)
    assert [(m.field, m.key) for m in mentions] == [
        ("title", "Tuyên Quang"),
        ("text", "Lào Cai"),
        ("text", "Lào Cai"),
        ("text", "Hồ Chí Minh"),
    ]
    for m in mentions:
        source = title if m.field == "title" else text
        assert source[m.start : m.end] == m.surface
    assert [m.surface for m in mentions] == ["Hà Giang", "Sa Pa", "Lào Cai", "HCM"]


def test_offsets_in_decomposed_unicode_point_at_the_original_string() -> None:
    text = unicodedata.normalize("NFD", "Tỉnh Quảng Ninh và thủ đô Hà Nội")
    mentions = find_places("", text)
    assert [m.key for m in mentions] == ["Quảng Ninh", "Hà Nội"]
    for m in mentions:
        assert text[m.start : m.end] == m.surface
        assert unicodedata.normalize("NFC", m.surface) in {"Quảng Ninh", "Hà Nội"}


def test_provinces_come_in_order_of_first_mention_title_first() -> None:
    assert provinces("Đà Nẵng và Huế", title="Quảng Ninh") == ["Quảng Ninh", "Đà Nẵng", "Huế"]


def test_old_tone_placement_matches() -> None:
    assert provinces("Khánh Hoà, Thanh Hoá") == ["Khánh Hòa", "Thanh Hóa"]
