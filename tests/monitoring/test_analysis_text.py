"""Language identification and watched terms."""

from __future__ import annotations

import pytest

from ttdn.monitoring.analysis import analyse, detect_language, find_terms
from ttdn.monitoring.analysis.lang import choose_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Tỉnh Quảng Ninh đón khách quốc tế.", "vi"),
        ("Đà Nẵng là thành phố đáng sống", "vi"),
        ("Tinh Ha Giang tiep don doan cong tac cua tinh Gyeonggi Han Quoc", "vi"),
        ("Quang Ninh welcomes more international tourists this year.", "en"),
        ("Vietnam protests Chinese military drills near the Paracel Islands.", "en"),
        ("La province de Quang Ninh accueille de plus en plus de touristes.", "fr"),
        ("越南广宁省下龙湾接待游客人数创新高", "zh"),
        ("越南廣寧省下龍灣獲選亞洲最佳海灣", "zh"),
        ("ベトナムのクアンニン省を訪問しました", "ja"),
        ("베트남 꽝닌성을 방문했습니다", "ko"),
        ("Die Provinz Quang Ninh empfängt immer mehr ausländische Touristen.", "de"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_empty_text_has_no_language() -> None:
    assert detect_language("") == "und"


def test_the_source_language_decides_when_detection_is_unsure() -> None:
    assert choose_language("Hanoi", "", "fr") == "fr"
    # but clear evidence wins over a wrong hint
    assert choose_language("Tỉnh Quảng Ninh đón khách quốc tế", "", "en") == "vi"


def test_terms_ignore_case_diacritics_and_d() -> None:
    title = "FORMOSA bồi thường"
    text = "Ngư dân Ha Tinh và HÀ TĨNH; Đà Nẵng, Da-Nang; Vinhomes"
    found = find_terms(title, text, ["Formosa", "Hà Tĩnh", "Đà Nẵng", "Vinh"])
    assert [(m.field, m.key, m.surface) for m in found] == [
        ("title", "Formosa", "FORMOSA"),
        ("text", "Hà Tĩnh", "Ha Tinh"),
        ("text", "Hà Tĩnh", "HÀ TĨNH"),
        ("text", "Đà Nẵng", "Đà Nẵng"),
        ("text", "Đà Nẵng", "Da-Nang"),
    ]
    for m in found:
        source = title if m.field == "title" else text
        assert source[m.start : m.end] == m.surface


def test_no_terms_no_mentions() -> None:
    assert find_terms("Hà Nội", "Hà Nội", []) == []


def test_analyse_reports_terms_and_places_together() -> None:
    a = analyse("", "Formosa Hà Tĩnh bồi thường cho ngư dân tỉnh Hà Tĩnh.", watch_terms=["formosa"])
    kinds = [(m.kind, m.key) for m in a.mentions]
    assert ("term", "formosa") in kinds
    assert ("place", "Hà Tĩnh") in kinds
    assert a.provinces == ["Hà Tĩnh"]
