"""Decoding of legacy Vietnamese encodings (TCVN3, VNI-Windows), BOMs, UTF-16 and cp1258."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from ttdn.plans.parsing import detect_and_decode, parse_file
from ttdn.plans.parsing.encodings import (
    tcvn3_to_unicode,
    unicode_to_tcvn3,
    unicode_to_vni,
    vni_to_unicode,
)

SAMPLE = (
    "Ủy ban nhân dân tỉnh Sơn La ban hành Kế hoạch công tác thông tin đối ngoại năm 2025. "
    "Sở Thông tin và Truyền thông chủ trì, phối hợp với các sở, ban, ngành; trường học, "
    "người dân được hướng dẫn về quyền lợi, nghĩa vụ; những địa phương vùng biên giới; "
    "ưu tiên xuất bản ấn phẩm, phóng sự, tờ gấp, ảnh đẹp về cửa khẩu và ẩm thực."
)
LOWER = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"


def test_tcvn3_tell_tales() -> None:
    assert tcvn3_to_unicode("Tr\u00adêng") == "Trường"
    assert tcvn3_to_unicode("®èi ngo¹i") == "đối ngoại"


def test_vni_tell_tales() -> None:
    assert vni_to_unicode("Vieät Nam") == "Việt Nam"
    assert vni_to_unicode("Ñaø Naüng") == "Đà Nẵng"


@pytest.mark.parametrize("ch", list(LOWER))
def test_round_trip_every_letter(ch: str) -> None:
    assert tcvn3_to_unicode(unicode_to_tcvn3(ch)) == ch
    assert unicodedata.normalize("NFC", vni_to_unicode(unicode_to_vni(ch))) == ch
    assert unicodedata.normalize("NFC", vni_to_unicode(unicode_to_vni(ch.upper()))) == ch.upper()


def test_tcvn3_bytes_detected() -> None:
    data = unicode_to_tcvn3(SAMPLE).encode("cp1252")
    text, name = detect_and_decode(data)
    assert name == "tcvn3"
    # TCVN3 has no code for capitals with tone marks ("Ủ" is typed in the H font as "ủ")
    assert text.lower() == SAMPLE.lower()


def test_vni_bytes_detected() -> None:
    data = unicode_to_vni(SAMPLE).encode("cp1252")
    text, name = detect_and_decode(data)
    assert name == "vni"
    assert text == SAMPLE


TONES = "\u0300\u0301\u0303\u0309\u0323"


def _to_cp1258_form(text: str) -> str:
    """cp1258 keeps ă â ê ô ơ ư đ precomposed and writes tone marks as combining characters."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in TONES)
        rest = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out.append(rest + tones)
    return "".join(out)


def test_cp1258_detected() -> None:
    data = _to_cp1258_form(SAMPLE).encode("cp1258")
    text, name = detect_and_decode(data)
    assert name == "cp1258"
    assert text == SAMPLE


@pytest.mark.parametrize(
    "encoding,expected",
    [
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("utf-16-le", "utf-16-le"),
        ("utf-8", "utf-8"),
    ],
)
def test_unicode_encodings(encoding: str, expected: str) -> None:
    text, name = detect_and_decode(SAMPLE.encode(encoding))
    assert text == SAMPLE
    assert name == expected


def test_decomposed_utf8_becomes_nfc() -> None:
    text, _ = detect_and_decode(unicodedata.normalize("NFD", SAMPLE).encode("utf-8"))
    assert text == SAMPLE


def test_utf8_text_holding_tcvn3_characters_is_fixed() -> None:
    # A file converted to UTF-8 from a .VnTime document keeps the font's code points.
    text, name = detect_and_decode(unicode_to_tcvn3(SAMPLE).encode("utf-8"))
    assert name == "utf-8+tcvn3"
    assert text.lower() == SAMPLE.lower()


def test_plain_unicode_is_left_alone() -> None:
    _text, name = detect_and_decode("Kế hoạch số 12/KH-UBND về thông tin đối ngoại".encode())
    assert name == "utf-8"


def test_tcvn3_plan_file_parses(tmp_path: Path) -> None:
    plan = (
        "UBND TỈNH SƠN LA\nSố: 33/KH-UBND\nSơn La, ngày 02 tháng 3 năm 2021\n"
        "KẾ HOẠCH\nThông tin đối ngoại năm 2021\n"
        "Căn cứ Nghị định số 72/2015/NĐ-CP ngày 07/9/2015 của Chính phủ;\n"
        "I. NHIỆM VỤ\n1. Quảng bá du lịch\n"
        "Sở Văn hóa, Thể thao và Du lịch chủ trì tổ chức lễ hội hoa ban.\n"
    )
    path = tmp_path / "legacy.txt"
    path.write_bytes(unicode_to_tcvn3(plan).encode("cp1252"))
    out = parse_file(path)
    assert out["number"] == "33/KH-UBND"
    assert out["legal_bases"] == ["72/2015/NĐ-CP"]
    assert [t["lead"] for t in out["tasks"]] == [["Sở Văn hóa, Thể thao và Du lịch"]]
