"""Topics (multi-label, data-driven) and sentiment towards the province or the country."""

from __future__ import annotations

from typing import Any

import pytest

from ttdn.monitoring.analysis import Taxonomy, classify_sentiment, classify_topics, default_taxonomy
from ttdn.monitoring.analysis.topics import default_records

CODES = {
    "bien_dao",
    "bien_gioi",
    "nhan_quyen_ton_giao_dan_toc",
    "doi_ngoai_hop_tac",
    "dau_tu_kinh_te",
    "du_lich_van_hoa",
    "chinh_sach_phat_trien",
    "su_co_tieu_cuc",
    "khac",
}


def topics(title: str, text: str, lang: str = "vi") -> list[str]:
    return classify_topics(title, text, lang, default_taxonomy())


def test_the_shipped_taxonomy_has_the_domain_codes() -> None:
    assert set(default_taxonomy().codes) == CODES
    assert default_taxonomy().fallback == "khac"
    for record in default_records():
        assert {"code", "name_vi", "name_en", "keywords"} <= set(record)


def test_an_item_can_have_several_topics() -> None:
    got = topics(
        "Tàu cá Quảng Ngãi bị tàu Trung Quốc tấn công ở Hoàng Sa",
        "Ngư dân cho biết khi đang đánh bắt tại vùng biển quần đảo Hoàng Sa, tàu cá bị "
        "một tàu Trung Quốc đâm, cướp tài sản và đánh đập thuyền viên.",
    )
    assert set(got) == {"bien_dao", "su_co_tieu_cuc"}


def test_english_and_chinese_keywords() -> None:
    assert "du_lich_van_hoa" in topics(
        "Ha Long Bay welcomes record number of tourists",
        "The UNESCO World Heritage site received 3 million visitors, the tourism department said.",
        "en",
    )
    assert topics(
        "越南岘港国际烟花节隆重开幕", "烟花节已成为岘港市的旅游品牌，吸引了大量游客。", "zh"
    ) == ["du_lich_van_hoa"]


def test_an_item_about_nothing_listed_is_khac() -> None:
    got = topics(
        "Trao quyết định bổ nhiệm Phó Chánh Văn phòng",
        "Chiều 2/10, lãnh đạo tỉnh đã trao quyết định bổ nhiệm Phó Chánh Văn phòng.",
    )
    assert got == ["khac"]


def test_a_word_in_passing_is_not_a_topic() -> None:
    text = (
        "Lễ hội hoa tam giác mạch năm nay thu hút hàng vạn du khách. Các điểm du lịch, "
        "homestay, làng văn hóa đều kín khách; nghệ nhân trình diễn nghệ thuật truyền thống, "
        "ẩm thực vùng cao hấp dẫn du khách trong và ngoài nước. "
    ) * 3 + "Một số du khách đến từ các tỉnh ven biển."
    assert topics("Lễ hội hoa tam giác mạch thu hút du khách", text) == ["du_lich_van_hoa"]


def test_vietnamese_keywords_match_only_the_same_diacritics() -> None:
    # "biên" (border) is not "biển" (sea); "Pháp" (France) is not "giải pháp"
    assert "bien_dao" not in topics("Bảo vệ biên giới", "Tuần tra biên giới, cột mốc.")
    assert "doi_ngoai_hop_tac" not in topics("Giải pháp", "Các giải pháp phát triển.")


def test_user_edited_records_drive_the_classifier() -> None:
    records: list[dict[str, Any]] = [
        {
            "code": "ca_phe",
            "name_vi": "Cà phê",
            "name_en": "Coffee",
            "keywords": {"vi": ["cà phê"], "en": ["coffee"]},
            "strong_keywords": {"vi": ["xuất khẩu cà phê"]},
            "negative_keywords": {"vi": ["quán cà phê"]},
        },
        {"code": "khac", "name_vi": "Khác", "name_en": "Other", "keywords": {}, "fallback": True},
    ]
    taxonomy = Taxonomy.from_records(records)
    assert classify_topics("Xuất khẩu cà phê tăng", "Giá cà phê tăng.", "vi", taxonomy) == [
        "ca_phe"
    ]
    assert classify_topics("Khai trương quán cà phê", "", "vi", taxonomy) == ["khac"]


def test_a_taxonomy_without_a_fallback_gives_no_topic() -> None:
    taxonomy = Taxonomy.from_records([{"code": "x", "keywords": {"vi": ["abc"]}}])
    assert classify_topics("", "Không liên quan.", "vi", taxonomy) == []


@pytest.mark.parametrize(
    ("title", "text", "lang", "expected"),
    [
        (
            "Quảng Ninh đón lượng khách quốc tế kỷ lục",
            "Du lịch tăng trưởng mạnh, đạt kết quả ấn tượng, thu hút đông đảo du khách.",
            "vi",
            "positive",
        ),
        (
            "Xe khách lao xuống vực, 5 người tử vong",
            "Vụ tai nạn khiến 5 người chết, 12 người bị thương.",
            "vi",
            "negative",
        ),
        (
            "UBND tỉnh ban hành Kế hoạch thông tin đối ngoại năm 2024",
            "Kế hoạch nhằm nâng cao hiệu quả công tác thông tin đối ngoại; giao Sở chủ trì.",
            "vi",
            "neutral",
        ),
        (
            "Bác bỏ thông tin sai sự thật về dự án",
            "Sở khẳng định thông tin lan truyền trên mạng xã hội là bịa đặt, xuyên tạc.",
            "vi",
            "negative",
        ),
        (
            "Police arrest activist",
            "Police arrested a blogger; rights groups condemned the crackdown.",
            "en",
            "negative",
        ),
        ("越南广宁省下龙湾获评亚洲最佳海湾", "游客人数同比增长20%。", "zh", "positive"),
        ("广义省渔船遭中国海警殴打", "船员受伤，渔获被没收。", "zh", "negative"),
    ],
)
def test_sentiment(title: str, text: str, lang: str, expected: str) -> None:
    label, score = classify_sentiment(title, text, lang, [])
    assert label == expected
    assert -1.0 <= score <= 1.0


def test_negation_turns_a_loss_into_no_loss() -> None:
    plain, plain_score = classify_sentiment(
        "", "Bão gây thiệt hại nặng, nhiều người bị thương.", "vi"
    )
    negated, negated_score = classify_sentiment(
        "", "Cơn bão không gây thiệt hại về người, không có ai bị thương.", "vi"
    )
    assert plain == "negative"
    assert negated != "negative"
    assert negated_score > plain_score
    en, _ = classify_sentiment("", "No one was injured and nobody was killed.", "en")
    assert en != "negative"


def test_prevention_is_not_an_incident() -> None:
    label, _ = classify_sentiment(
        "Diễn tập phòng chống thiên tai",
        "Diễn tập ứng phó bão lũ, phòng ngừa sạt lở và cháy rừng.",
        "vi",
    )
    assert label != "negative"
